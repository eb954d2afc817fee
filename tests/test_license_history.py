"""License history from a git repository built in the test (dates and commits known)."""

from __future__ import annotations

from pathlib import Path

from osslever.models.license import license_document
from osslever.models.license.history import license_history
from tests.license_helpers import commit_all, git, init_repo, license_text


def test_relicensing_events_with_dates_and_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "main.py").write_text("print(1)\n")
    commit_all(repo, "code only", "2019-05-01T12:00:00+00:00")
    (repo / "LICENSE").write_text(license_text("mpl-2.0"))
    added = commit_all(repo, "add MPL", "2020-01-02T12:00:00+00:00")
    (repo / "README.md").write_text("hello\n")
    commit_all(repo, "readme", "2021-03-04T12:00:00+00:00")
    (repo / "LICENSE").write_text(license_text("bsl-1.1"))
    (repo / "main.py").write_text("print(2)\n")  # changed with it, not a license file
    relicensed = commit_all(repo, "BUSL", "2023-08-10T12:00:00+00:00")
    (repo / "LICENSE").unlink()
    removed = commit_all(repo, "remove", "2024-01-05T12:00:00+00:00")

    events = license_history(Path(git(repo, "rev-parse", "--absolute-git-dir")))
    assert [(e["date"], e["commit"], e["from"], e["to"]) for e in events] == [
        ("2020-01-02", added, "NONE", "MPL-2.0"),
        ("2023-08-10", relicensed, "MPL-2.0", "BUSL-1.1"),
        ("2024-01-05", removed, "BUSL-1.1", "NONE"),
    ]
    # each event names the license files its commit changed, nothing else
    assert [e["files"] for e in events] == [["LICENSE"], ["LICENSE"], ["LICENSE"]]


def test_history_follows_merges_and_feeds_implications(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "LICENSE").write_text(license_text("bsd-new"))
    commit_all(repo, "bsd", "2022-01-01T00:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "relicense")
    (repo / "LICENSE").write_text(
        "Redis is dual-licensed under your choice of RSALv2 or SSPLv1.\n\n"
        + license_text("rsalv2")
        + "\n\n"
        + license_text("mongodb-sspl-1.0")
    )
    commit_all(repo, "relicense", "2024-03-20T10:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "relicense", date="2024-03-21T10:00:00+00:00")
    merge = git(repo, "rev-parse", "HEAD")
    doc = license_document(repo, lang="en")
    changes = [(e["from"], e["to"]) for e in doc["history"]]
    assert changes[0] == ("NONE", "BSD-3-Clause")
    assert changes[1][0] == "BSD-3-Clause"
    assert set(changes[1][1].split(" OR ")) == {"LicenseRef-scancode-rsalv2", "SSPL-1.0"}
    assert doc["history"][1]["commit"] == merge  # first-parent: the day it reached main
    assert "license.relicensed" in {i["rule"] for i in doc["implications"]}


def test_working_tree_without_git_has_no_history(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text(license_text("mit"))
    assert license_document(tmp_path)["history"] == []
