"""Hostile input for git ingest: secrets in URLs, odd bytes, odd paths, odd repositories, kill -9.

Expected values come from git itself (rev-list, log --numstat, check-mailmap run
the way git's own documentation describes) or are computed by hand.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from osslever.cli import cli
from osslever.errors import UserError
from osslever.sources.git import log
from osslever.sources.git.ingest import ingest
from osslever.sources.git.repository import open_repository
from osslever.store import Store
from tests.conftest import git
from tests.git_http import GitHttpServer

ROOT = Path(__file__).resolve().parents[1]
USER, SECRET = "alice", "ghp_Zq8SeCrEt0tOkEn"


def _git_counts(repo: Path, *rev: str) -> tuple[int, int, int, int]:
    """(commits, lines added, lines deleted, files changed) computed by git, independently."""
    rev = rev or ("HEAD",)
    commits = int(git(repo, "rev-list", "--count", *rev))
    out = git(repo, "log", "--numstat", "--no-renames", "--format=", *rev)
    added = deleted = files = 0
    for line in out.splitlines():
        if not line.strip():
            continue
        a, d, _ = line.split("\t", 2)
        files += 1
        if a != "-":
            added, deleted = added + int(a), deleted + int(d)
    return commits, added, deleted, files


def _stored_counts(store: Store) -> tuple[int, int, int, int]:
    row = store.execute(
        "SELECT count(*), coalesce(sum(lines_added), 0), coalesce(sum(lines_deleted), 0),"
        " coalesce(sum(files_changed), 0) FROM git_commits"
    ).fetchone()
    assert store.execute("SELECT count(DISTINCT sha) FROM git_commits").fetchone()[0] == row[0]
    return tuple(int(v) for v in row)


# --- credentials in a clone URL ------------------------------------------------------------


def _everything_under(folder: Path) -> bytes:
    blob = b""
    for path in folder.rglob("*"):
        blob += str(path).encode() + b"\n"
        if path.is_file() and not path.is_symlink():
            blob += path.read_bytes()
    return blob


def _store_text(db: Path) -> str:
    store = Store(db)
    try:
        tables = [r[0] for r in store.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return "\n".join(str(store.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    finally:
        store.close()


def test_clone_url_credentials_reach_git_but_nothing_else(builder, tmp_path, _isolated_home):
    builder.commit("Dev", "dev@example.org", "2024-01-01T00:00:00", {"LICENSE": "MIT License\n", "a": "1\n"})
    builder.commit("Dev", "dev@example.org", "2024-01-02T00:00:00", {"a": "1\n2\n"})
    served = tmp_path / "served"
    served.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(builder.build()), str(served / "r.git")], check=True)
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    out.mkdir()
    with GitHttpServer(served, USER, SECRET) as server:
        url = f"http://{USER}:{SECRET}@127.0.0.1:{server.port}/r.git"
        runner = CliRunner()
        runs = [
            ["ingest", "git", url, "--db", str(db)],
            ["report", url, "--db", str(db), "--format", "json", "-o", str(out / "r.json")],
            ["report", url, "--db", str(db), "-o", str(out / "r.html")],
            ["sbom", url, "-o", str(out / "sbom.json")],
            ["license", url, "--format", "json", "-o", str(out / "license.json")],
        ]
        printed = ""
        for args in runs:
            result = runner.invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            printed += result.output
        # The clone did use the credentials: the server refuses requests without them.
        assert any(h.get("Authorization") == server.expected for _, _, h in server.requests)
        # ... but they are never on git's command line, so the server never sees them in a path.
        assert all(SECRET not in path for _, path, _ in server.requests)
        wrong = f"http://{USER}:{SECRET}WRONG@127.0.0.1:{server.port}/r.git"
        with pytest.raises(UserError) as info:
            open_repository(wrong)
        assert info.value.key == "git.clone_failed"
        failed = runner.invoke(cli, ["report", wrong, "--db", str(tmp_path / "other.duckdb")])
        assert failed.exit_code != 0
    report = json.loads((out / "r.json").read_text())
    assert report["repository"]["path"] == f"http://127.0.0.1:{server.port}/r.git"
    for text in (
        printed,
        failed.output,
        info.value.render("en"),
        info.value.render("zh"),
        _store_text(db),
        *(p.read_text() for p in out.iterdir()),
    ):
        assert SECRET not in text and f"{USER}:" not in text
    # The cache: neither folder names nor any file (the clone's config included).
    assert SECRET.encode() not in _everything_under(_isolated_home)
    assert SECRET.encode() not in db.read_bytes()


# --- bare repository without a config file --------------------------------------------------


def test_bare_repository_without_config_applies_head_mailmap(builder, tmp_path, monkeypatch):
    builder.commit("Old Name", "old@example.org", "2024-01-01T00:00:00", {"a": "1\n"})
    builder.commit("Real Name", "real@example.org", "2024-01-02T00:00:00", {"b": "1\n"})
    builder.commit(
        "Real Name",
        "real@example.org",
        "2024-01-03T00:00:00",
        {".mailmap": "Real Name <real@example.org> <old@example.org>\n"},
    )
    repo = builder.build(bare=True)
    (repo / "config").unlink()  # e.g. a mirror copied without its config
    # A .mailmap in the caller's current folder must not be read instead.
    here = tmp_path / "elsewhere"
    here.mkdir()
    (here / ".mailmap").write_text("Wrong <wrong@example.org> <real@example.org>\n")
    monkeypatch.chdir(here)
    store = Store(tmp_path / "s.duckdb")
    ingest(store, open_repository(str(repo)))
    rows = store.execute("SELECT raw_email, identity FROM git_identities ORDER BY raw_email").fetchall()
    # Hand-computed from the committed .mailmap: old@ maps to real@, real@ stays.
    assert rows == [("old@example.org", "real@example.org"), ("real@example.org", "real@example.org")]


# --- bytes and paths git allows ---------------------------------------------------------------


def test_author_names_with_record_and_unit_separators_ingest(builder, tmp_path, monkeypatch):
    builder.commit(b"E\x1evil\x1fName", b"e\x1fvil@example.org", "2024-01-01T00:00:00", {"a": "1\n2\n"})
    builder.commit(b"Tab\tName", b"t@example.org", "2024-01-02T00:00:00", {"b\tc": "1\n"})
    builder.commit("Plain", "p@example.org", "2024-01-03T00:00:00", {"a": "1\n"})
    repo_path = builder.build()
    expected = [
        ("E\x1evil\x1fName", "e\x1fvil@example.org"),
        ("Tab\tName", "t@example.org"),
        ("Plain", "p@example.org"),
    ]
    query = "SELECT author_name, author_email FROM git_commits ORDER BY author_time"
    store = Store(tmp_path / "s.duckdb")
    ingest(store, open_repository(str(repo_path)))
    assert store.execute(query).fetchall() == expected
    assert _stored_counts(store) == _git_counts(repo_path) == (3, 3, 1, 3)
    # The same through the sharded reader (one commit per diff-tree chunk).
    monkeypatch.setattr(log, "SHARD_COMMITS", 1)
    sharded = Store(tmp_path / "sharded.duckdb")
    ingest(sharded, open_repository(str(repo_path)), workers=2)
    assert sharded.execute(query).fetchall() == expected
    assert _stored_counts(sharded) == (3, 3, 1, 3)


def test_repository_path_with_a_newline_is_not_read_as_another_repository(tmp_path):
    from tests.gitrepo import RepoBuilder

    decoy = RepoBuilder(tmp_path / "p")
    decoy.commit("Decoy", "decoy@example.org", "2024-01-01T00:00:00", {"d": "1\n"})
    decoy.build(bare=True)  # tmp/p is itself a git directory
    real = RepoBuilder(tmp_path / "p\nq")
    real.commit("Real", "real@example.org", "2024-02-01T00:00:00", {"r": "1\n"})
    real.commit("Real", "real@example.org", "2024-02-02T00:00:00", {"r": "1\n2\n"})
    path = real.build()
    repo = open_repository(str(path))
    assert repo.work_tree == path and repo.git_dir == path / ".git"
    store = Store(tmp_path / "s.duckdb")
    result = ingest(store, repo)
    stored = {r[0] for r in store.execute("SELECT sha FROM git_commits").fetchall()}
    assert stored == set(git(path, "rev-list", "HEAD").split()) and result.total == 2


# --- sharded reading == sequential reading -----------------------------------------------------


def _varied_history(builder, n: int) -> Path:
    builder.commit("Root", "root@example.org", "2024-01-01T00:00:00", {"a": "1\n", "bin": b"\x00\x01"}, label="base")
    for i in range(n):
        day = f"2024-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00"
        if i % 11 == 5:
            builder.commit(f"Side {i}", f"s{i}@example.org", day, {f"side{i}": "x\n"}, parent="base", label=f"s{i}")
            builder.commit(
                f"Merger {i}", "m@example.org", day, {f"m{i}": "y\n" * 3}, parent=f"t{i - 1}", merge=[f"s{i}"]
            )
        elif i % 13 == 7:
            builder.commit(f"Empty {i}", "e@example.org", day, {}, label=f"t{i}")  # an empty diff
        elif i % 17 == 3:
            builder.commit(f"Del {i}", "d@example.org", day, delete=["a"])
            builder.commit(f"Add {i}", "d@example.org", day, {"a": "1\n2\n3\n"})
        else:
            builder.commit(f"Dev {i % 7}", f"dev{i % 7}@example.org", day, {f"f{i % 9}.txt": f"{i}\n" * (i % 5 + 1)})
        builder._marks_by_name[f"t{i}"] = builder._last
    return builder.build()


def test_sharded_ingest_stores_the_same_rows_in_the_same_batches(builder, tmp_path, monkeypatch):
    repo_path = _varied_history(builder, 120)
    import osslever.sources.git.ingest as mod

    runs = {}
    for workers in (1, 3):
        batches: list[list[str]] = []
        real = mod._insert

        def recording(store_, hid, columns, real=real, batches=batches):
            batches.append(list(columns["sha"]))
            real(store_, hid, columns)

        monkeypatch.setattr(mod, "_insert", recording)
        monkeypatch.setattr(log, "SHARD_COMMITS", 9)
        store = Store(tmp_path / f"w{workers}.duckdb")
        ingest(store, open_repository(str(repo_path)), batch_size=25, workers=workers)
        rows = store.execute("SELECT * EXCLUDE (history_id) FROM git_commits ORDER BY sha").fetchall()
        runs[workers] = (rows, batches, _stored_counts(store))
        monkeypatch.setattr(mod, "_insert", real)
    assert runs[1][0] == runs[3][0]
    assert runs[1][1] == runs[3][1]  # same batch sequence, commit for commit
    assert runs[3][2] == _git_counts(repo_path)
    assert sum(1 for r in runs[3][0] if r[1] > 1) == 11  # the merges, from the builder above


def test_sharded_incremental_read_after_a_rewrite(builder, tmp_path, monkeypatch):
    repo_path = _varied_history(builder, 60)
    monkeypatch.setattr(log, "SHARD_COMMITS", 5)
    store = Store(tmp_path / "s.duckdb")
    ingest(store, open_repository(str(repo_path)), workers=2)
    # Rewrite: drop the last 10 commits, then add 30 different ones.
    git(repo_path, "reset", "-q", "--hard", "HEAD~10")
    for i in range(30):
        (repo_path / f"n{i}").write_text("1\n" * (i + 1))
        git(repo_path, "add", f"n{i}")
        git(repo_path, "-c", "user.name=New", "-c", "user.email=new@example.org", "commit", "-q", "-m", f"n{i}")
    result = ingest(store, open_repository(str(repo_path)), workers=2)
    assert result.removed == 10 and result.added == 30
    assert _stored_counts(store) == _git_counts(repo_path)


# --- kill -9 anywhere ----------------------------------------------------------------------

_KILL = """
import os, sys, time, pathlib
import osslever.sources.git.ingest as mod
from osslever.sources.git import log
from osslever.store import Store
from osslever.sources.git.repository import open_repository
repo, db, marker, point, workers = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
log.SHARD_COMMITS = 150
store = Store(db)
real_insert, real_tx = mod._insert, store.transaction
calls = {"insert": 0}

def stop():
    marker.write_text(point)
    time.sleep(120)

def insert(store_, hid, columns):
    calls["insert"] += 1
    last = len(columns["sha"]) < 500
    if point == "inside-last-batch" and last:
        # Inside the last batch's transaction: rows written, not committed.
        with real_tx() as con:
            con.execute("CREATE TEMP TABLE IF NOT EXISTS _x AS SELECT 1")
            import pyarrow as pa
            con.register("commit_batch", pa.table(columns))
            con.execute("INSERT OR IGNORE INTO git_commits SELECT ?, sha, parents, author_name, author_email,"
                        " author_time, committer_time, lines_added, lines_deleted, files_changed FROM commit_batch",
                        [hid])
            stop()
    real_insert(store_, hid, columns)
    if point == "after-batch-2" and calls["insert"] == 2:
        stop()
    if point == "after-last-batch" and last:
        stop()

def counted(commits, progress, every=500):
    for i, c in enumerate(commits):
        if point == "mid-stream" and i == 700:
            stop()
        yield c

mod._insert = insert
mod._counted = counted
mod.ingest(store, open_repository(repo), batch_size=500, workers=workers)
marker.write_text("finished")
"""


@pytest.fixture(scope="module")
def big_history(tmp_path_factory) -> Path:
    """2,345 commits (~5 batches of 500), built with fast-import in well under a second."""
    from tests.gitrepo import RepoBuilder

    builder = RepoBuilder(tmp_path_factory.mktemp("big") / "repo")
    for i in range(2345):
        day = f"20{10 + i // 336:02d}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}T12:00:00"
        builder.commit(
            f"Dev {i % 41}", f"dev{i % 41}@example.org", day, {f"d{i % 13}/f{i % 97}": f"{i}\n" * (i % 7 + 1)}
        )
    return builder.build(bare=True)


@pytest.mark.parametrize(
    ("point", "workers"),
    [("mid-stream", 1), ("after-batch-2", 2), ("inside-last-batch", 2), ("after-last-batch", 1)],
)
def test_kill_9_anywhere_then_rerun_matches_git(big_history, tmp_path, point, workers):
    db, marker = tmp_path / "s.duckdb", tmp_path / "marker"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    args = [sys.executable, "-c", _KILL, str(big_history), str(db), str(marker), point, str(workers)]
    child = subprocess.Popen(args, env=env)
    try:
        deadline = time.time() + 90
        while not marker.exists() and time.time() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert marker.exists() and marker.read_text() == point, "the ingest child never reached the kill point"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    store = Store(db)
    commits = store.execute("SELECT count(*) FROM git_commits").fetchone()[0]
    assert commits % 500 == 0 or point == "after-last-batch"  # whole batches only
    assert store.execute("SELECT complete FROM git_histories").fetchone()[0] is False
    result = ingest(store, open_repository(str(big_history)))
    assert result.total == 2345
    assert _stored_counts(store) == _git_counts(big_history)
    assert ingest(store, open_repository(str(big_history))).added == 0


def test_web_job_never_shows_clone_url_credentials():
    from osslever.web.jobs import Job

    job = Job("0123abcd", f"https://{USER}:{SECRET}@git.example.org/r.git", "HEAD", "en")
    public = job.public()
    assert public["location"] == "https://git.example.org/r.git"
    assert SECRET not in json.dumps(public)
    assert job.location.endswith("@git.example.org/r.git")  # the job itself still clones with them


def test_sharded_reader_reports_a_corrupt_object_as_one_line(builder, tmp_path, monkeypatch):
    for i in range(6):
        builder.commit("Dev", "dev@example.org", f"2024-01-0{i + 1}T00:00:00", {f"f{i}.txt": "x\n" * (i + 1)})
    repo_path = builder.build()
    objects = repo_path / ".git" / "objects"
    for pack in (objects / "pack").glob("*.pack"):
        data = pack.read_bytes()
        for leftover in (objects / "pack").glob("*"):
            leftover.unlink()
        subprocess.run(["git", "-C", str(repo_path), "unpack-objects", "-q"], input=data, check=True)
    blob = git(repo_path, "rev-parse", "HEAD~4:f1.txt").strip()
    loose = objects / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")
    monkeypatch.setattr(log, "SHARD_COMMITS", 1)
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(UserError) as info:
        ingest(store, open_repository(str(repo_path)), workers=2)
    assert info.value.key == "git.log_failed"
    assert store.execute("SELECT complete FROM git_histories").fetchone()[0] is False
