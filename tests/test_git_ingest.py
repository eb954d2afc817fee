"""Git history ingest: correctness against git itself, incremental, idempotent, atomic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from osslever.errors import UserError
from osslever.sources.git.ingest import ingest
from osslever.sources.git.repository import open_repository
from osslever.store import Store
from tests.conftest import git


def _linear(builder, n: int, start_day: int = 1):
    for i in range(n):
        builder.commit(
            f"Dev {i % 3}",
            f"dev{i % 3}@example.org",
            f"2024-01-{start_day + i:02d}T12:00:00",
            {f"f{i}.txt": "x\n" * (i + 1)},
        )


def _table(store: Store, hid: int) -> list[tuple]:
    return store.execute("SELECT * FROM git_commits WHERE history_id = ? ORDER BY sha", [hid]).fetchall()


def test_commit_and_line_counts_match_git(builder, tmp_path):
    _linear(builder, 5)
    builder.commit("Dev 0", "dev0@example.org", "2024-01-20T00:00:00", {"bin.dat": b"\x00\x01\x02" * 10})
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    result = ingest(store, open_repository(str(repo_path)))
    assert result.total == int(git(repo_path, "rev-list", "--count", "HEAD"))
    numstat = git(repo_path, "log", "--numstat", "--format=")
    added = sum(int(line.split("\t")[0]) for line in numstat.splitlines() if line and not line.startswith("-"))
    assert store.execute("SELECT sum(lines_added) FROM git_commits").fetchone()[0] == added == 15
    # The binary file's commit changed one file and zero lines.
    row = store.execute("SELECT files_changed, lines_added FROM git_commits ORDER BY author_time DESC").fetchone()
    assert row == (1, 0)


def test_merges_count_as_commits_but_carry_no_lines(builder, tmp_path):
    builder.commit("A", "a@example.org", "2024-01-01T00:00:00", {"a": "1\n"}, label="base")
    builder.commit("A", "a@example.org", "2024-01-02T00:00:00", {"a": "1\n2\n"}, label="left")
    builder.commit("B", "b@example.org", "2024-01-03T00:00:00", {"b": "1\n"}, parent="base", label="right")
    builder.commit(
        "A",
        "a@example.org",
        "2024-01-04T00:00:00",
        {"a": "1\n2\n", "b": "1\n"},
        parent="left",
        merge=["right"],
        message="merge",
    )
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    ingest(store, open_repository(str(repo_path)))
    rows = store.execute("SELECT parents, lines_added FROM git_commits ORDER BY author_time").fetchall()
    assert [r[0] for r in rows] == [0, 1, 1, 2]
    assert rows[-1][1] == 0  # merge: no numstat
    assert len(rows) == int(git(repo_path, "rev-list", "--count", "HEAD"))


def test_second_run_reads_only_new_commits_and_is_idempotent(builder, tmp_path):
    _linear(builder, 4)
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    repo = open_repository(str(repo_path))
    first = ingest(store, repo)
    before = _table(store, first.history_id)
    again = ingest(store, repo)
    assert (again.added, again.removed, _table(store, first.history_id)) == (0, 0, before)
    builder.commit("New", "new@example.org", "2024-02-01T00:00:00", {"n": "n\n"})
    builder.commit("New", "new@example.org", "2024-02-02T00:00:00", {"n": "n\nm\n"})
    builder.build()
    third = ingest(store, repo)
    assert (third.added, third.removed, third.total) == (2, 0, 6)


def test_rewritten_history_is_reconciled(builder, tmp_path):
    _linear(builder, 4)
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    repo = open_repository(str(repo_path))
    ingest(store, repo)
    git(repo_path, "reset", "-q", "--hard", "HEAD~2")
    (repo_path / "other.txt").write_text("o\n")
    git(repo_path, "add", "other.txt")
    git(repo_path, "-c", "user.name=R", "-c", "user.email=r@example.org", "commit", "-qm", "rewrite")
    result = ingest(store, repo)
    assert (result.removed, result.added, result.total) == (2, 1, 3)
    stored = {r[0] for r in store.execute("SELECT sha FROM git_commits").fetchall()}
    assert stored == set(git(repo_path, "rev-list", "HEAD").split())


def test_interrupted_ingest_keeps_whole_batches_and_resumes(builder, tmp_path, monkeypatch):
    _linear(builder, 25)
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    repo = open_repository(str(repo_path))
    import osslever.sources.git.ingest as mod

    calls = {"n": 0}
    real = mod._insert

    def failing(store_, hid, columns):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(store_, hid, columns)

    monkeypatch.setattr(mod, "_insert", failing)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, repo, batch_size=10)
    assert store.execute("SELECT count(*) FROM git_commits").fetchone()[0] == 20
    assert store.execute("SELECT complete FROM git_histories").fetchone()[0] is False
    monkeypatch.setattr(mod, "_insert", real)
    result = ingest(store, repo, batch_size=10)
    assert (result.added, result.total) == (5, 25)
    stored = {r[0] for r in store.execute("SELECT sha FROM git_commits").fetchall()}
    assert stored == set(git(repo_path, "rev-list", "HEAD").split())


_KILL_SCRIPT = """
import sys, time, pathlib
import osslever.sources.git.ingest as mod
from osslever.store import Store
from osslever.sources.git.repository import open_repository
real = mod._insert
n = 0
def slow(store, hid, columns):
    global n
    real(store, hid, columns)
    n += 1
    if n == 2:
        pathlib.Path(sys.argv[3]).write_text("2")
        time.sleep(60)
mod._insert = slow
mod.ingest(Store(sys.argv[2]), open_repository(sys.argv[1]), batch_size=7)
"""


def test_kill_9_leaves_the_store_at_a_batch_boundary(builder, tmp_path):
    _linear(builder, 28)
    repo_path = builder.build()
    db, marker = tmp_path / "s.duckdb", tmp_path / "marker"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    child = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(repo_path), str(db), str(marker)], env=env)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the ingest child never reached its second batch"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    store = Store(db)
    assert store.execute("SELECT count(*) FROM git_commits").fetchone()[0] == 14
    assert store.execute("SELECT complete FROM git_histories").fetchone()[0] is False
    result = ingest(store, open_repository(str(repo_path)))
    assert (result.added, result.total) == (14, 28)


def test_shallow_clone_is_detected(builder, tmp_path):
    _linear(builder, 5)
    repo_path = builder.build()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo_path}", str(clone)], check=True)
    store = Store(tmp_path / "s.duckdb")
    result = ingest(store, open_repository(str(clone)))
    assert result.shallow is True
    assert result.total == 2


def test_bare_repository_and_non_utf8_names(builder, tmp_path):
    builder.commit(b"Jos\xe9 Latin1", b"jose@example.org", "2024-01-01T00:00:00", {"a": "a\n"})
    builder.commit("Zoë UTF8", "zoe@example.org", "2024-01-02T00:00:00", {"b": "b\n"})
    repo_path = builder.build(bare=True)
    store = Store(tmp_path / "s.duckdb")
    repo = open_repository(str(repo_path))
    assert repo.work_tree is None
    ingest(store, repo)
    names = sorted(r[0] for r in store.execute("SELECT author_name FROM git_commits").fetchall())
    assert names == ["Jos\ufffd Latin1", "Zoë UTF8"]


@pytest.mark.parametrize(
    "setup,key",
    [
        ("missing", "git.no_such_path"),
        ("plain_dir", "git.not_a_repository"),
        ("empty", "git.empty"),
        ("bad_ref", "git.unknown_ref"),
        ("option_ref", "git.unknown_ref"),
    ],
)
def test_bad_input_is_a_user_error(builder, tmp_path, setup, key):
    store = Store(tmp_path / "s.duckdb")
    ref = "HEAD"
    if setup == "missing":
        location = str(tmp_path / "nope")
    elif setup == "plain_dir":
        (tmp_path / "plain").mkdir()
        location = str(tmp_path / "plain")
    elif setup == "empty":
        subprocess.run(["git", "init", "-q", str(tmp_path / "empty")], check=True)
        location = str(tmp_path / "empty")
    else:
        _linear(builder, 1)
        location = str(builder.build())
        ref = "no-such-branch" if setup == "bad_ref" else "--output=/tmp/pwned"
    with pytest.raises(UserError) as info:
        ingest(store, open_repository(location), ref)
    assert info.value.key == key
    assert store.execute("SELECT count(*) FROM git_commits").fetchone()[0] == 0


def test_corrupt_object_is_reported(builder, tmp_path):
    _linear(builder, 3)
    repo_path = builder.build()
    objects = repo_path / ".git" / "objects"
    # Turn the pack into loose objects, then damage one blob of the first commit.
    for pack in (objects / "pack").glob("*.pack"):
        data = pack.read_bytes()
        for leftover in (objects / "pack").glob("*"):
            leftover.unlink()
        subprocess.run(["git", "-C", str(repo_path), "unpack-objects", "-q"], input=data, check=True)
    blob = git(repo_path, "rev-parse", "HEAD~2:f0.txt").strip()
    loose = objects / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(UserError) as info:
        ingest(store, open_repository(str(repo_path)))
    assert info.value.key == "git.log_failed"
    assert "fsck" in info.value.render("en")


def test_clone_url_that_fails_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as info:
        open_repository(f"file://{tmp_path}/does-not-exist.git")
    assert info.value.key == "git.clone_failed"


def test_clone_url_is_cached_and_updated(builder, tmp_path):
    _linear(builder, 2)
    repo_path = builder.build()
    url = f"file://{repo_path}"
    store = Store(tmp_path / "s.duckdb")
    first = ingest(store, open_repository(url))
    builder.commit("Dev 9", "dev9@example.org", "2024-03-01T00:00:00", {"z": "z\n"})
    builder.build()
    second = ingest(store, open_repository(url))
    assert (first.total, second.added, second.total) == (2, 1, 3)


def test_license_history_resumes_from_a_known_tip(tmp_path):
    """Same events as a full walk, but the walk reads only the commits after the known tip."""
    from osslever.models.license import history as hist
    from tests.license_helpers import commit_all, init_repo, license_text

    repo = init_repo(tmp_path / "repo")
    (repo / "LICENSE").write_text(license_text("mpl-2.0"))
    added = commit_all(repo, "add MPL", "2020-01-02T12:00:00+00:00")
    (repo / "COPYING").write_text(license_text("mpl-2.0"))
    commit_all(repo, "copying", "2020-02-02T12:00:00+00:00")
    middle = git(repo, "rev-parse", "HEAD").strip()
    (repo / "README.md").write_text("hello\n")
    commit_all(repo, "readme", "2021-03-04T12:00:00+00:00")
    (repo / "LICENSE").write_text(license_text("bsl-1.1"))
    (repo / "COPYING").unlink()
    relicensed = commit_all(repo, "BUSL", "2023-08-10T12:00:00+00:00")
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())

    full = hist.license_history(git_dir)
    assert [(e["commit"], e["from"], e["to"]) for e in full] == [
        (added, "NONE", "MPL-2.0"),
        (relicensed, "MPL-2.0", "BUSL-1.1"),
    ]
    asked: list[tuple[str, ...]] = []
    real = hist._git

    def recording(gd, *args):
        asked.append(args)
        return real(gd, *args)

    hist._git = recording
    try:
        resumed = hist.license_history(git_dir, known={middle: hist.license_history(git_dir, middle)})
    finally:
        hist._git = real
    assert resumed == full
    walk = [a for a in asked if a[0] == "log"][-1]
    assert f"^{middle}" in walk  # only the commits after the known tip were walked


def test_report_on_a_new_tip_reuses_the_cached_license_history(builder, tmp_path, monkeypatch):
    from osslever.models.license import document, summary

    builder.commit("A", "a@example.org", "2024-01-01T00:00:00", {"LICENSE": "MIT License\n"})
    repo_path = builder.build()
    store = Store(tmp_path / "s.duckdb")
    first = ingest(store, open_repository(str(repo_path)))
    summary.cached_summary(store, open_repository(str(repo_path)), first.tip)
    builder.commit("A", "a@example.org", "2024-01-02T00:00:00", {"b": "1\n"})
    builder.build()
    seen: list[dict] = []
    real = document.license_history

    def recording(git_dir, ref="HEAD", known=None):
        seen.append(dict(known or {}))
        return real(git_dir, ref, known)

    monkeypatch.setattr(document, "license_history", recording)
    second = ingest(store, open_repository(str(repo_path)))
    summary.cached_summary(store, open_repository(str(repo_path)), second.tip)
    assert list(seen[-1]) == [first.tip]
