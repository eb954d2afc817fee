"""Store schema migrations: an old store is upgraded in place, with its data, and recorded.

The "old store" is made the way release 5cce212 made it: its schema files (a copy
kept in ``tests/fixtures/store_5cce212/``) run by plain DuckDB, plus rows written
by hand — never by the code under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from osslever.errors import UserError
from osslever.store import Store, migrations

ROOT = Path(__file__).resolve().parents[1]
RELEASE_5CCE212 = Path(__file__).parent / "fixtures" / "store_5cce212"
BASELINE = ["010_git", "020_events", "030_openrank", "040_cache", "090_web"]
# Added after the baseline release, in order (each area's later tables).
LATER = ["095_downloads", "096_openrank_latest"]


def legacy_store(path: Path) -> Path:
    """A store as release 5cce212 left it: its schema, some rows, no migration records."""
    con = duckdb.connect(str(path))
    for sql in sorted(RELEASE_5CCE212.glob("*.sql")):
        con.execute(sql.read_text(encoding="utf-8"))
    con.execute(
        "INSERT INTO git_histories (location, git_dir, ref, name, slug, tip, complete) "
        "VALUES ('/src/alpha', '/src/alpha/.git', 'HEAD', 'alpha', 'o/alpha', 'abc123', TRUE)"
    )
    con.execute(
        "INSERT INTO git_commits VALUES (1, 'abc123', 0, 'A', 'a@example.org', 1704067200, 1704067200, 10, 2, 1)"
    )
    for i, (kind, actor) in enumerate([("WatchEvent", "u1"), ("WatchEvent", "u2"), ("WatchEvent", "u1")]):
        con.execute(
            "INSERT INTO gh_events (event_id, type, action, created_at, actor_id, actor_login, repo_id, repo_name, "
            f"source) VALUES (?, ?, 'started', TIMESTAMP '2024-01-0{i + 1} 10:00:00', ?, ?, 7, 'o/alpha', 'by-hand')",
            [f"e{i}", kind, 100 + int(actor[1:]), actor],
        )
    con.execute("INSERT INTO document_cache VALUES ('license-summary', 'k', '{\"spdx\": \"MIT\"}')")
    con.execute("INSERT INTO web_profiles VALUES ('p', 'name: p', NULL, NULL, TIMESTAMP '2024-02-01 00:00:00')")
    con.close()
    return path


def records(path: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [tuple(r) for r in con.execute("SELECT id, name FROM schema_migrations ORDER BY id").fetchall()]
    finally:
        con.close()


def test_the_released_migrations_are_never_edited():
    """A released migration must stay byte for byte as it was; changes go in a new file."""
    shipped = {m.name: m.sql for m in migrations.available()}
    for sql in sorted(RELEASE_5CCE212.glob("*.sql")):
        assert shipped.get(sql.stem) == sql.read_text(encoding="utf-8"), (
            f"store/schema/{sql.name} changed after release; put the change in a new numbered migration "
            "(e.g. 110_<area>_<change>.sql with ALTER TABLE) instead"
        )
    assert [m.name for m in migrations.available()][: len(BASELINE)] == BASELINE
    ids = [m.id for m in migrations.available()]
    assert ids == sorted(set(ids)) and all(m.name.startswith(f"{m.id:03d}_") for m in migrations.available())


def test_a_new_store_records_every_migration_once(tmp_path):
    db = tmp_path / "new.duckdb"
    Store(db).close()
    assert records(db) == [
        (10, "010_git"),
        (20, "020_events"),
        (30, "030_openrank"),
        (40, "040_cache"),
        (90, "090_web"),
        (95, "095_downloads"),
        (96, "096_openrank_latest"),
    ]
    con = duckdb.connect(str(db))
    first = con.execute("SELECT name, applied_at FROM schema_migrations ORDER BY id").fetchall()
    con.close()
    Store(db).close()  # opening again applies nothing
    con = duckdb.connect(str(db))
    assert con.execute("SELECT name, applied_at FROM schema_migrations ORDER BY id").fetchall() == first
    con.close()


def test_a_store_of_the_previous_release_is_upgraded_in_place(tmp_path):
    db = legacy_store(tmp_path / "old.duckdb")
    with Store(db) as store:
        assert store.rows("SELECT name, slug, tip FROM git_histories") == [
            {"name": "alpha", "slug": "o/alpha", "tip": "abc123"}
        ]
        assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 3
        assert store.rows("SELECT document FROM document_cache")[0]["document"] == '{"spdx": "MIT"}'
        assert store.rows("SELECT body FROM web_profiles") == [{"body": "name: p"}]
        # sequences kept counting: the next history gets id 2
        store.execute("INSERT INTO git_histories (location, git_dir, ref, name) VALUES ('/b', '/b/.git', 'HEAD', 'b')")
        assert store.rows("SELECT max(history_id) AS n FROM git_histories")[0]["n"] == 2
    assert [name for _, name in records(db)] == BASELINE + LATER


def test_a_later_migration_alters_an_old_store_and_keeps_its_rows(tmp_path, monkeypatch):
    db = legacy_store(tmp_path / "old.duckdb")
    Store(db).close()
    later = migrations.Migration(100, "100_git_add_note", "ALTER TABLE git_histories ADD COLUMN note VARCHAR;")
    shipped = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [*shipped, later])
    with Store(db) as store:
        assert store.rows("SELECT name, note FROM git_histories") == [{"name": "alpha", "note": None}]
    assert records(db)[-1] == (100, "100_git_add_note")


def test_a_failing_migration_leaves_the_store_unchanged(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    Store(db).close()
    broken = migrations.Migration(
        100, "100_broken", "CREATE TABLE half_done (x INTEGER); ALTER TABLE no_such_table ADD COLUMN y INTEGER;"
    )
    shipped = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [*shipped, broken])
    with pytest.raises(UserError) as caught:
        Store(db)
    assert caught.value.key == "store.migration_failed"
    assert "100_broken" in caught.value.render("en") and "\n" not in caught.value.render("en")
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'").fetchone() == (0,)
    assert con.execute("SELECT max(id) FROM schema_migrations").fetchone() == (
        shipped[-1].id,
    )  # the last shipped one, not the broken one
    con.close()


def test_a_store_newer_than_the_code_is_a_one_line_error(tmp_path):
    db = tmp_path / "future.duckdb"
    Store(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_migrations VALUES (500, '500_from_the_future', TIMESTAMP '2030-01-01 00:00:00')")
    con.close()
    for read_only in (False, True):
        with pytest.raises(UserError) as caught:
            Store(db, read_only=read_only)
        assert caught.value.key == "store.too_new"
        assert "500_from_the_future" in caught.value.render("en")
    src = str(ROOT / "src")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "osslever",
            "metrics",
            "o/alpha",
            "--period",
            "2024-01",
            "--db",
            str(db),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer osslever" in lines[0] and "Traceback" not in proc.stderr


def test_a_command_that_only_reads_upgrades_an_old_store_and_answers(tmp_path):
    """``metrics`` opens an existing store read-only; an old store is upgraded first."""
    db = legacy_store(tmp_path / "old.duckdb")
    proc = subprocess.run(
        [sys.executable, "-m", "osslever", "metrics", "o/alpha", "--period", "2024-01", "--format", "json"]
        + ["--db", str(db), "--lang", "en"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["metrics"]["stars"] == 2  # three WatchEvents by two distinct accounts
    assert [name for _, name in records(db)] == BASELINE + LATER
