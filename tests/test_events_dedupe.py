"""Deduplication by event id without a PRIMARY KEY: the anti-join in insert_events.

Each case states by hand which ids are new; the counts come from that reasoning,
not from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from osslever.sources.gharchive.ingest import ingest_files
from osslever.sources.gharchive.reader import Filter
from osslever.store import Store
from tests.events_fixtures import event, write_gz


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def _ids(store: Store) -> list[str]:
    return [r["event_id"] for r in store.rows("SELECT event_id FROM gh_events ORDER BY event_id")]


def _watch(event_id: str, repo: str = "acme/widget") -> dict:
    return event("WatchEvent", "ann", "2024-01-01T00:00:01Z", repo=repo, event_id=event_id)


def test_stored_ids_at_both_ends_and_inside_the_batch_range_are_dropped(store, tmp_path):
    # File 1 stores 5 and 7. File 2 spans 5..8 (string order): its min (5) and an
    # inner id (7) are stored already, so only 6 and 8 are new.
    write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("5"), _watch("7")])
    write_gz(tmp_path / "2024-01-01-1.json.gz", [_watch("5"), _watch("6"), _watch("7"), _watch("8")])
    report = ingest_files(store, sorted(tmp_path.glob("*.json.gz")), workers=1)
    assert report.new_events == 4 and report.events == 6
    assert _ids(store) == ["5", "6", "7", "8"]


def test_a_stored_id_at_the_top_of_the_range_is_dropped_and_new_ranges_go_in_whole(store, tmp_path):
    # A file is written without the anti-join when no stored id lies in its range, so the
    # range check must include both ends. File 2 spans 8..9, 9 stored: one new row.
    # File 3 spans 10..12 in string order ("10" < "11" < "12"), below every stored id
    # ("5".."9"), so nothing is stored in its range: all three rows are new.
    write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("5"), _watch("9")])
    write_gz(tmp_path / "2024-01-01-1.json.gz", [_watch("8"), _watch("9")])
    write_gz(tmp_path / "2024-01-01-2.json.gz", [_watch("10"), _watch("11"), _watch("12")])
    report = ingest_files(store, sorted(tmp_path.glob("*.json.gz")), workers=1)
    assert report.new_events == 6 and report.events == 7
    assert _ids(store) == ["10", "11", "12", "5", "8", "9"]


def test_a_later_load_of_other_files_with_old_ids_adds_only_new_ones(store, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    write_gz(first / "2024-01-01-0.json.gz", [_watch("100"), _watch("101")])
    ingest_files(store, [first], workers=1)
    # A re-run with a new file (other name, so not skipped) repeating 101.
    write_gz(second / "2024-01-01-1.json.gz", [_watch("101"), _watch("102")])
    report = ingest_files(store, [second], workers=2)
    assert report.new_events == 1
    assert _ids(store) == ["100", "101", "102"]


def test_full_load_after_a_filtered_one_adds_only_the_rest(store, tmp_path):
    rows = [_watch("1", "acme/widget"), _watch("2", "other/thing"), _watch("3", "acme/widget")]
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", rows)
    assert ingest_files(store, [path], Filter.of(["acme/widget"]), workers=1).new_events == 2
    # The unfiltered load reads the same file again (its key differs): only id 2 is new.
    assert ingest_files(store, [path], workers=1).new_events == 1
    assert _ids(store) == ["1", "2", "3"]


def test_duplicates_across_files_read_in_parallel(store, tmp_path):
    for hour in range(4):  # every file repeats ids 0..9 and adds 10 of its own
        ids = [f"{i:03d}" for i in range(10)] + [f"{hour + 1}{i:02d}" for i in range(10)]
        write_gz(tmp_path / f"2024-01-01-{hour}.json.gz", [_watch(i) for i in ids])
    report = ingest_files(store, sorted(tmp_path.glob("*.json.gz")), workers=2)
    assert report.new_events == 10 + 4 * 10
    assert store.rows("SELECT count(DISTINCT event_id) AS d, count(*) AS n FROM gh_events")[0] == {
        "d": 50,
        "n": 50,
    }


def test_a_store_made_with_the_old_primary_key_still_loads(tmp_path):
    # Stores created before this change have PRIMARY KEY (event_id); the anti-join
    # must keep inserts from ever hitting it (a conflict would abort the file).
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE gh_events (event_id VARCHAR NOT NULL PRIMARY KEY, type VARCHAR NOT "
        "NULL, action VARCHAR, created_at TIMESTAMP NOT NULL, actor_id BIGINT, actor_login "
        "VARCHAR, repo_id BIGINT, repo_name VARCHAR, org_login VARCHAR, number INTEGER, "
        "is_pull_request BOOLEAN, issue_author_id BIGINT, issue_author_login VARCHAR, "
        "issue_created_at TIMESTAMP, issue_closed_at TIMESTAMP, pr_merged BOOLEAN, "
        "pr_merged_at TIMESTAMP, pr_additions BIGINT, pr_deletions BIGINT, comment_id "
        "BIGINT, review_state VARCHAR, push_size INTEGER, push_distinct_size INTEGER, "
        "payload_trimmed BOOLEAN NOT NULL DEFAULT FALSE, source VARCHAR NOT NULL)"
    )
    con.close()
    write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1"), _watch("2")])
    write_gz(tmp_path / "2024-01-01-1.json.gz", [_watch("2"), _watch("3")])
    with Store(db) as store:
        report = ingest_files(store, sorted(tmp_path.glob("*.json.gz")), workers=1)
        assert report.new_events == 3 and not report.failed
        assert _ids(store) == ["1", "2", "3"]


def test_api_resource_read_twice_in_one_batch_adds_each_event_once(store):
    from osslever.sources.github_api.ingest import _write

    records = [_watch("9001"), _watch("9002"), _watch("9001")]
    assert _write(store, "acme/widget", "events", records, None, None) == 2
    assert _write(store, "acme/widget", "events", records, None, None) == 0
    assert _ids(store) == ["9001", "9002"]


def test_repo_prefilter_matches_any_letter_case_and_nothing_else(tmp_path):
    # The prefilter folds bytes (| 0x20); "_" and "-" must still be told apart,
    # and a longer name sharing the prefix must be dropped by the exact filter.
    from osslever.sources.gharchive.reader import read_file

    names = [
        "Acme/Widget_Pro",
        "acme/widget_pro",
        "ACME/WIDGET_PRO",
        "acme/widget_pro2",
        "acme/widget-pro",
        "acme/widget[pro",
    ]
    rows = [_watch(str(i), repo) for i, repo in enumerate(names)]
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", rows)
    result = read_file(path, Filter.of(["ACME/widget_PRO"]))
    assert sorted(result.table.column("repo_name").to_pylist()) == sorted(names[:3])
    assert result.lines == 6
