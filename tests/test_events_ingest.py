"""GH Archive ingest: counts on the real samples, and every kind of bad input."""

from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path

import pytest

from osslever.sources.gharchive.ingest import ingest_files
from osslever.sources.gharchive.reader import Filter, read_file
from osslever.store import Store
from tests.events_fixtures import SHARED, event, pull, write_gz


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def _independent_counts(files: list[Path], keep=lambda r: True) -> collections.Counter:
    """Counts per type straight from gzip + json, deduplicated by id."""
    seen, counts = set(), collections.Counter()
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if record["id"] in seen or not keep(record):
                    continue
                seen.add(record["id"])
                counts[record["type"]] += 1
    return counts


def _store_counts(store: Store) -> collections.Counter:
    rows = store.rows("SELECT type, count(*) AS n FROM gh_events GROUP BY type")
    return collections.Counter({r["type"]: r["n"] for r in rows})


def test_counts_per_type_match_the_shared_samples(store):
    files = sorted(SHARED.glob("*.json.gz"))
    assert len(files) == 2
    report = ingest_files(store, [SHARED], workers=1)
    expected = _independent_counts(files)
    assert _store_counts(store) == expected
    assert sum(expected.values()) == 2800
    assert report.files_ingested == 2 and report.bad_lines == 0 and not report.failed


def test_parallel_readers_give_the_same_rows(tmp_path):
    a, b = Store(tmp_path / "a.duckdb"), Store(tmp_path / "b.duckdb")
    ingest_files(a, [SHARED], workers=1)
    ingest_files(b, [SHARED], workers=2)
    q = "SELECT * EXCLUDE (source) FROM gh_events ORDER BY event_id"
    assert a.rows(q) == b.rows(q)


def test_rerun_skips_recorded_files_and_changes_nothing(store):
    ingest_files(store, [SHARED], workers=1)
    again = ingest_files(store, [SHARED], workers=1)
    assert again.files_skipped == 2 and again.files_ingested == 0
    assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 2800


def test_repo_filter_keeps_exactly_that_repository(store):
    files = sorted(SHARED.glob("*.json.gz"))
    target = "kubernetes/kubernetes.github.io"
    report = ingest_files(store, files, Filter.of([target.upper()]), workers=1)
    expected = _independent_counts(files, lambda r: r["repo"]["name"].lower() == target)
    assert _store_counts(store) == expected
    assert report.events == sum(expected.values()) > 5


def test_org_filter_keeps_repositories_of_that_owner(store):
    files = sorted(SHARED.glob("*.json.gz"))
    report = ingest_files(store, files, Filter.of(orgs=["kubernetes"]), workers=1)
    expected = _independent_counts(
        files,
        lambda r: (
            r["repo"]["name"].lower().startswith("kubernetes/")
            or (r.get("org") or {}).get("login", "").lower() == "kubernetes"
        ),
    )
    assert _store_counts(store) == expected
    assert report.events == sum(expected.values()) > 0


def test_pr_fields_are_normalised(store):
    ingest_files(store, [SHARED], workers=1)
    row = store.rows("SELECT * FROM gh_events WHERE event_id = '4243622822'")[0]
    # Read independently from the sample.
    with gzip.open(SHARED / "2016-07-07-0-sample.json.gz", "rt") as fh:
        raw = next(json.loads(x) for x in fh if '"4243622822"' in x)
    pr = raw["payload"]["pull_request"]
    assert row["type"] == "PullRequestEvent" and row["action"] == "closed"
    assert row["pr_merged"] is pr["merged"] is True
    assert row["issue_author_login"] == pr["user"]["login"]
    assert row["number"] == raw["payload"]["number"]
    assert row["repo_name"] == raw["repo"]["name"]
    assert row["payload_trimmed"] is False


def test_duplicates_within_and_across_files_are_dropped(store, tmp_path):
    e1 = event("WatchEvent", "ann", "2024-01-01T00:00:01Z", event_id="1")
    e2 = event("WatchEvent", "bob", "2024-01-01T00:00:02Z", event_id="2")
    write_gz(tmp_path / "2024-01-01-0.json.gz", [e1, e2, e1])
    write_gz(tmp_path / "2024-01-01-1.json.gz", [e2])
    report = ingest_files(store, sorted(tmp_path.glob("*.json.gz")), workers=1)
    assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 2
    assert report.new_events == 2


def test_malformed_lines_are_counted_with_their_line_numbers(store, tmp_path):
    good = [event("WatchEvent", "ann", "2024-01-01T00:00:01Z")]
    path = tmp_path / "2024-01-01-0.json.gz"
    write_gz(
        path,
        good,
        [
            b"{not json",
            b'{"type": 3, "created_at": "x"}',
            b"[1,2]",
            json.dumps(event("ForkEvent", "bo", "2024-01-01T00:00:05Z")).encode(),
        ],
    )
    report = ingest_files(store, [path], workers=1)
    assert report.bad_lines == 3
    assert [line for _, line, _ in report.bad_examples] == [2, 3, 4]
    assert all(f == str(path) for f, _, _ in report.bad_examples)
    assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 2
    assert store.rows("SELECT bad_lines FROM gh_sources")[0]["bad_lines"] == 3


def test_truncated_gzip_is_reported_and_never_half_counted(store, tmp_path):
    records = [event("WatchEvent", f"u{i}", "2024-01-01T00:00:01Z") for i in range(3000)]
    full = write_gz(tmp_path / "full.json.gz", records)
    cut = tmp_path / "2024-01-01-5.json.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    report = ingest_files(store, [cut], workers=1)
    assert [f.error for f in report.failed] == ["truncated"]
    assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 0
    assert store.rows("SELECT count(*) AS n FROM gh_sources")[0]["n"] == 0


def test_wrong_format_file_is_a_clear_error(store, tmp_path):
    csv = tmp_path / "data.json.gz"
    with gzip.open(csv, "wb") as fh:
        fh.write(b"id,type,created_at\n1,WatchEvent,2024\n")
    not_gzip = tmp_path / "2024-01-01-0.json.gz"
    not_gzip.write_text("<html>404</html>")
    report = ingest_files(store, [csv, not_gzip], workers=1)
    assert [f.error for f in report.failed] == ["wrong_format", "wrong_format"]
    assert "not a gzip file" in report.failed[1].detail


def test_unknown_event_types_are_kept_with_their_type(store, tmp_path):
    path = write_gz(
        tmp_path / "h.json.gz",
        [event("SponsorshipEvent", "ann", "2024-01-01T00:00:00Z", payload={"x": 1})],
    )
    ingest_files(store, [path], workers=1)
    assert store.rows("SELECT type FROM gh_events") == [{"type": "SponsorshipEvent"}]


def test_pre_2015_timeline_records(store, tmp_path):
    old = {
        "created_at": "2013-03-10T15:23:12-08:00",
        "payload": {"action": "started"},
        "public": True,
        "type": "WatchEvent",
        "url": "https://github.com/acme/widget",
        "actor": "olduser",
        "actor_attributes": {"login": "olduser", "type": "User"},
        "repository": {
            "id": 99,
            "name": "widget",
            "owner": "acme",
            "organization": "acme",
            "url": "https://github.com/acme/widget",
            "watchers": 3,
        },
    }
    pr = dict(
        old,
        type="PullRequestEvent",
        created_at="2014-12-31T23:00:00Z",
        payload={
            "action": "closed",
            "number": 4,
            "pull_request": {
                "merged": True,
                "number": 4,
                "user": {"login": "x"},
                "created_at": "2014-12-30T00:00:00Z",
                "merged_at": "2014-12-31T23:00:00Z",
            },
        },
    )
    path = write_gz(tmp_path / "2013-03-10-23.json.gz", [old, old, pr])
    report = ingest_files(store, [path], Filter.of(["acme/widget"]), workers=1)
    rows = store.rows("SELECT * FROM gh_events ORDER BY created_at")
    assert report.bad_lines == 0 and len(rows) == 2  # the repeated line collapses
    assert rows[0]["repo_name"] == "acme/widget" and rows[0]["actor_login"] == "olduser"
    assert str(rows[0]["created_at"]) == "2013-03-10 23:23:12"  # -08:00 shifted to UTC
    assert rows[0]["event_id"].startswith("h") and rows[0]["org_login"] == "acme"
    assert rows[1]["pr_merged"] is True and rows[1]["number"] == 4


def test_trimmed_2025_payloads_leave_nulls_and_a_flag(store, tmp_path):
    push = event(
        "PushEvent",
        "ann",
        "2025-10-08T00:00:00Z",
        payload={"push_id": 1, "ref": "refs/heads/main", "head": "a", "before": "b"},
    )
    pr = event(
        "PullRequestEvent",
        "ann",
        "2025-10-08T00:00:01Z",
        payload={
            "action": "closed",
            "number": 9,
            "pull_request": {
                "url": "u",
                "id": 5,
                "number": 9,
                "head": {"ref": "x"},
                "base": {"ref": "main"},
            },
        },
    )
    full = event(
        "PullRequestEvent",
        "ann",
        "2025-10-08T00:00:02Z",
        payload={
            "action": "closed",
            "number": 10,
            "pull_request": pull(10, "bob", "2025-10-01T00:00:00Z", True, "2025-10-08T00:00:02Z"),
        },
    )
    path = write_gz(tmp_path / "2025-10-08-0.json.gz", [push, pr, full])
    ingest_files(store, [path], workers=1)
    rows = {r["number"] or 0: r for r in store.rows("SELECT * FROM gh_events")}
    assert rows[0]["payload_trimmed"] is True and rows[0]["push_size"] is None
    assert rows[9]["payload_trimmed"] is True and rows[9]["pr_merged"] is None
    assert rows[9]["issue_author_login"] is None
    assert rows[10]["payload_trimmed"] is False and rows[10]["pr_merged"] is True


def test_read_file_is_the_same_with_and_without_prefilter_for_matches():
    path = SHARED / "2021-07-21-sample.json.gz"
    name = read_file(path).table.column("repo_name").to_pylist()[5]
    filtered = read_file(path, Filter.of([name]))
    assert filtered.events == sum(
        1 for n in read_file(path).table.column("repo_name").to_pylist() if n.lower() == name.lower()
    )
    assert filtered.lines == 800
