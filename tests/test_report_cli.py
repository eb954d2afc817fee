"""The ``osslever report`` command as a user runs it: formats, languages, errors, safety."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from osslever.cli import cli
from tests.conftest import git

XSS = "<img src=x onerror=alert(1)>"  # git idents cannot hold < >, a folder name can
NAME_XSS = 'Mallory" onmouseover="alert(1) & co'
CONTRACT_COMMUNITY_KEYS = {
    "commits_total",
    "contributors_total",
    "bots_total",
    "first_commit",
    "last_commit",
    "active_contributors_12m",
    "new_contributors_12m",
    "bus_factor_12m",
    "elephant_factor_12m",
    "organizations_12m",
    "monthly",
}
MONTHLY_KEYS = {"month", "commits", "active_contributors", "new_contributors", "lines_added", "lines_deleted"}


@pytest.fixture
def hostile_repo(tmp_path):
    from tests.gitrepo import RepoBuilder

    builder = RepoBuilder(tmp_path / XSS)
    builder.commit(NAME_XSS, "evil@example.org", "2025-01-01T00:00:00", {"a": "a\n"}, message=XSS)
    builder.commit("Ünïcode 名字 | *pipe*", "u@example.org", "2025-02-01T00:00:00", {"b": "b\n"})
    return builder.build()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a real process, as a user would run it."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    return subprocess.run(
        [sys.executable, "-m", "osslever", *args],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": src},
    )


def test_json_follows_the_contract(hostile_repo, tmp_path):
    proc = run("report", str(hostile_repo), "--format", "json", "--db", str(tmp_path / "s.duckdb"), "-q")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["schema_version"] == 1
    assert set(doc["repository"]) >= {"name", "path", "ref", "head", "shallow"}
    assert doc["repository"]["head"] == git(hostile_repo, "rev-parse", "HEAD").strip()
    assert set(doc["license"]) >= {"spdx", "files"}
    assert set(doc["community"]) >= CONTRACT_COMMUNITY_KEYS
    assert all(set(m) == MONTHLY_KEYS for m in doc["community"]["monthly"])
    assert all(set(o) >= {"name", "share"} for o in doc["community"]["organizations_12m"])


def test_html_is_self_contained_and_escapes_untrusted_text(hostile_repo, tmp_path):
    out = tmp_path / "r.html"
    proc = run("report", str(hostile_repo), "-o", str(out), "--db", str(tmp_path / "s.duckdb"), "-q")
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert NAME_XSS not in html and "Mallory&#34; onmouseover=&#34;alert(1) &amp; co" in html
    assert "<script" not in html.lower()  # no script at all: opens offline, nothing to run
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert "<svg" in html


def test_markdown_escapes_and_chinese_output(hostile_repo, tmp_path):
    out = tmp_path / "r.md"
    proc = run("report", str(hostile_repo), "-o", str(out), "--lang", "zh", "--db", str(tmp_path / "s.duckdb"), "-q")
    assert proc.returncode == 0, proc.stderr
    md = out.read_text()
    assert XSS not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert 'Mallory" onmouseover="alert(1) &amp; co' in md
    assert "\\| \\*pipe\\*" in md
    assert "社区健康报告" in md and "核心指标" in md


def test_english_and_chinese_reports_differ_only_in_words(hostile_repo, tmp_path):
    db = str(tmp_path / "s.duckdb")
    en = run("report", str(hostile_repo), "--format", "html", "--lang", "en", "--db", db, "-q").stdout
    zh = run("report", str(hostile_repo), "--format", "html", "--lang", "zh", "--db", db, "-q").stdout
    assert "Community health report" in en and "社区健康报告" in zh
    assert 'lang="zh-CN"' in zh and 'lang="en"' in en


@pytest.mark.parametrize(
    "target,needle",
    [
        ("{tmp}/missing", "does not exist"),
        ("{tmp}", "not a git repository"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, target, needle):
    proc = run("report", target.format(tmp=tmp_path), "--db", str(tmp_path / "s.duckdb"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert needle in proc.stderr


def test_unknown_ref_error_names_the_ref(hostile_repo, tmp_path):
    proc = run("report", str(hostile_repo), "--ref", "v9.9", "--db", str(tmp_path / "s.duckdb"), "--lang", "zh")
    assert proc.returncode == 2 and "v9.9" in proc.stderr and "Traceback" not in proc.stderr
    assert "引用" in proc.stderr


def test_store_that_is_not_a_database_is_a_user_error(hostile_repo, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a duckdb file" * 100)
    proc = run("report", str(hostile_repo), "--db", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr
    assert bad.read_bytes() == b"this is not a duckdb file" * 100  # untouched


def test_output_folder_missing_is_a_user_error(hostile_repo, tmp_path):
    proc = run("report", str(hostile_repo), "-o", str(tmp_path / "no" / "r.html"), "--db", str(tmp_path / "s.db"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_cli_runner_report_on_the_projects_own_clone(tmp_path):
    """The README's demo: a report on osslever's own repository, compared with git's own counts."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.fail("the tests must run inside a git clone of osslever")
    result = CliRunner().invoke(cli, ["report", str(root), "--format", "json", "--db", str(tmp_path / "s.db"), "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["community"]["commits_total"] == int(git(root, "rev-list", "--count", "HEAD"))
    emails = {e.lower() for e in git(root, "log", "--use-mailmap", "--format=%aE").split()}
    assert doc["community"]["contributors_total"] + doc["community"]["bots_total"] == len(emails)


def _license_text(key: str) -> str:
    """A license text from ScanCode's data (an independent source), front matter removed."""
    from importlib import resources

    text = (resources.files("licensedcode") / "data" / "licenses" / f"{key}.LICENSE").read_text()
    return text.split("---", 2)[2]


def test_report_names_the_license_of_the_analysed_commit(builder, tmp_path):
    builder.commit("A", "a@example.org", "2025-01-01T00:00:00", {"LICENSE": _license_text("mit")})
    builder.commit(
        "A", "a@example.org", "2025-02-01T00:00:00", {"LICENSE": _license_text("apache-2.0")}, label="relicensed"
    )
    repo = builder.build()
    (repo / "LICENSE").write_text("uncommitted edits are not part of the analysed history")
    db = str(tmp_path / "s.duckdb")
    now = json.loads(run("report", str(repo), "--format", "json", "--db", db, "-q").stdout)
    before = json.loads(run("report", str(repo), "--ref", "HEAD~1", "--format", "json", "--db", db, "-q").stdout)
    assert (now["license"]["spdx"], now["license"]["files"]) == ("Apache-2.0", ["LICENSE"])
    assert before["license"]["spdx"] == "MIT"
    # the relicensing is part of the findings the report carries, as `osslever license` shows it
    changes = [(h["date"], h["from"], h["to"]) for h in now["license"]["history"]]
    assert changes == [("2025-01-01", "NONE", "MIT"), ("2025-02-01", "MIT", "Apache-2.0")]
    zh = json.loads(run("report", str(repo), "--format", "json", "--lang", "zh", "--db", db, "-q").stdout)
    assert [i["rule"] for i in zh["license"]["implications"]] == [i["rule"] for i in now["license"]["implications"]]
    rules = {i["rule"]: i["text"] for i in zh["license"]["implications"]}
    assert "license.permissive_adoption" in rules  # Apache-2.0 is permissive
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rules["license.permissive_adoption"])  # in Chinese
    assert [h["files"] for h in now["license"]["history"]] == [["LICENSE"], ["LICENSE"]]
    # the Chinese views: "no license" in words, the columns named (rule 7)
    for fmt in ("md", "html"):
        page = run("report", str(repo), "--format", fmt, "--lang", "zh", "--db", db, "-q").stdout
        assert "NONE" not in page and "commit" not in page and "1m" not in page, fmt
        assert "原许可证" in page and "提交" in page and "1 个月后" in page, fmt


def test_report_says_none_when_there_is_no_license(hostile_repo, tmp_path):
    doc = json.loads(run("report", str(hostile_repo), "--format", "json", "--db", str(tmp_path / "s"), "-q").stdout)
    assert doc["license"]["spdx"] == "NONE" and doc["license"]["files"] == []


def test_ingest_git_command_is_incremental(builder, tmp_path):
    builder.commit("A", "a@example.org", "2025-01-01T00:00:00", {"a": "a\n"})
    builder.commit("B", "b@example.org", "2025-01-02T00:00:00", {"b": "b\n"})
    repo = builder.build()
    db = str(tmp_path / "s.duckdb")
    first = run("ingest", "git", str(repo), "--db", db)
    second = run("ingest", "git", str(repo), "--db", db)
    assert first.returncode == 0 and "2 new commits" in first.stderr
    assert second.returncode == 0 and "0 new commits" in second.stderr and "2 in the store" in second.stderr


def test_git_and_event_metrics_side_by_side(builder, tmp_path, shared_dir):
    """A repository whose origin is on GitHub shows its GH Archive metrics beside git's."""
    import gzip

    sample = shared_dir / "data" / "gharchive" / "2021-07-21-sample.json.gz"
    slug = "gabrieldonadel/pull-requests-limits"
    with gzip.open(sample, "rt") as fh:
        events = [json.loads(line) for line in fh]
    opened = sum(
        1
        for e in events
        if e["repo"]["name"] == slug and e["type"] == "PullRequestEvent" and e["payload"]["action"] == "opened"
    )
    builder.commit("A", "a@example.org", "2021-07-01T00:00:00", {"a": "a\n"})
    repo = builder.build()
    git(repo, "remote", "add", "origin", f"https://github.com/{slug}.git")
    db = str(tmp_path / "s.duckdb")
    assert run("ingest", "gharchive", str(sample), "--db", db, "-q").returncode == 0
    doc = json.loads(run("report", str(repo), "--format", "json", "--db", db, "-q").stdout)
    assert doc["repository"]["slug"] == slug
    july = {m["month"]: m for m in doc["events"]["monthly"]}["2021-07"]
    assert july["change_requests"] == opened > 0
    assert doc["community"]["commits_total"] == 1
    md = run("report", str(repo), "--format", "md", "--db", db, "-q").stdout
    assert "GitHub activity" in md and "| 2021-07 |" in md


def test_report_on_a_linked_worktree(builder, tmp_path):
    """A linked worktree's .git is a file pointing elsewhere; the report must still read it."""
    builder.commit("A", "a@example.org", "2025-01-01T00:00:00", {"LICENSE": _license_text("mit")})
    repo = builder.build()
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked), "HEAD")
    doc = json.loads(run("report", str(linked), "--format", "json", "--db", str(tmp_path / "s"), "-q").stdout)
    assert doc["community"]["commits_total"] == 1 and doc["license"]["spdx"] == "MIT"


def test_output_file_gets_ordinary_permissions(hostile_repo, tmp_path):
    import os
    import stat

    out = tmp_path / "r.json"
    assert run("report", str(hostile_repo), "-o", str(out), "--db", str(tmp_path / "s"), "-q").returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
