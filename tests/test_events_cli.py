"""The event commands end to end: ingest → metrics JSON (the contract) → export files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osslever.cli import main
from tests.events_fixtures import SHARED, event, write_gz

REPO = "kubernetes/kubernetes.github.io"


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([*args, "--lang", "en"])
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_ingest_metrics_export(tmp_path: Path, capsys):
    db = str(tmp_path / "s.duckdb")
    code, _, err = _run(["ingest", "gharchive", str(SHARED), "--db", db, "--workers", "1"], capsys)
    assert code == 0 and "2800 events kept" in err
    code, out, _ = _run(["metrics", REPO, "--period", "2016-07", "--format", "json", "--db", db], capsys)
    doc = json.loads(out)
    assert code == 0
    assert set(doc) >= {"schema_version", "repo", "period", "metrics", "notes"}
    assert doc["period"] == "2016-07" and doc["repo"] == REPO
    # Independent count from the sample: merged PR close events of this repository.
    import gzip

    with gzip.open(SHARED / "2016-07-07-0-sample.json.gz", "rt") as fh:
        merged = {
            r["payload"]["number"]
            for r in map(json.loads, fh)
            if r["repo"]["name"] == REPO
            and r["type"] == "PullRequestEvent"
            and r["payload"]["action"] == "closed"
            and r["payload"]["pull_request"]["merged"]
        }
    assert doc["metrics"]["change_requests_accepted"] == len(merged) > 0
    # OpenRank is computed on demand (its algorithm is checked by hand in test_openrank.py):
    # a repository with merged pull requests has a positive value and no "missing" note.
    assert doc["metrics"]["openrank"] > 0 and "openrank" not in doc["notes"]

    out_dir = tmp_path / "od"
    code, _, _ = _run(["export", "opendigger", REPO, "-o", str(out_dir), "--db", db], capsys)
    assert code == 0
    accepted = json.loads((out_dir / "change_requests_accepted.json").read_text())
    assert accepted == {"2016-07": len(merged), "2016Q3": len(merged), "2016": len(merged)}


def test_truncated_input_fails_the_command_with_a_one_line_report(tmp_path: Path, capsys):
    full = write_gz(
        tmp_path / "x.json.gz",
        [event("WatchEvent", f"u{i}", "2024-01-01T00:00:00Z") for i in range(2000)],
    )
    cut = tmp_path / "in" / "2024-01-01-3.json.gz"
    cut.parent.mkdir()
    cut.write_bytes(full.read_bytes()[:3000])
    code, _, err = _run(["ingest", "gharchive", str(cut.parent), "--db", str(tmp_path / "d.duckdb")], capsys)
    assert code == 1
    assert "2024-01-01-3.json.gz is truncated" in err and "Traceback" not in err


def test_bad_period_and_unknown_repo_are_user_errors(tmp_path: Path, capsys):
    db = str(tmp_path / "s.duckdb")
    code, _, err = _run(["metrics", REPO, "--period", "2024-13", "--db", db], capsys)
    assert code == 2 and "2024-13" in err
    code, _, err = _run(["metrics", "no/such", "--period", "2024-01", "--db", db], capsys)
    assert code == 2 and "ingest" in err
