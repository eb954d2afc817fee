"""How read files reach the store: several files in one statement, and when to wait for them.

The last files of a multi-reader load are written together (``insert_event_parts``)
on every core; each expected row, source and count below is worked out by hand
from the files the test writes, as if the files had been written one after
another in input order ("first occurrence wins").
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from osslever.sources.gharchive import ingest, reader
from osslever.sources.gharchive.ingest import IngestReport, ingest_files, insert_event_parts
from osslever.sources.gharchive.normalize import arrow_schema
from osslever.sources.gharchive.reader import FileResult, read_file
from osslever.store import Store
from tests.events_fixtures import SHARED, event, write_gz


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def _watch(event_id: str, actor: str = "ann") -> dict:
    return event("WatchEvent", actor, "2024-01-01T00:00:01Z", event_id=event_id)


def _table(tmp_path: Path, ids: list[str], actor: str = "ann") -> pa.Table:
    """The rows the reader makes of WatchEvents with these ids (one file, read for real)."""
    path = write_gz(tmp_path / f"t-{actor}-{'-'.join(ids)}.json.gz", [_watch(i, actor) for i in ids])
    table = read_file(path).table
    assert table.schema == arrow_schema() and table.column("event_id").to_pylist() == ids
    return table


def _stored(store: Store) -> list[tuple[str, str, str]]:
    return [
        (r["event_id"], r["actor_login"], r["source"])
        for r in store.rows("SELECT event_id, actor_login, source FROM gh_events ORDER BY event_id")
    ]


# --- several parts in one INSERT ------------------------------------------------------


def test_parts_keep_their_own_source_and_the_first_of_a_repeated_id(store, tmp_path):
    # Part a: 10, 12, 14. Part b: 13, 14, 15 (ranges overlap; 14 is in both, kept
    # from a). Part c: 20, 21 (disjoint). Stored already: 15 (in b's range) and
    # 17 (between b and c: in no part's range, so it blocks nothing). New: 10, 12,
    # 14 (a), 13 (b), 20, 21 (c) = 6.
    with store.transaction() as con:
        ingest.insert_events(con, _table(tmp_path, ["15", "17"], "old"), "old.json.gz")
    parts = [
        (_table(tmp_path, ["10", "12", "14"], "ann"), "a.json.gz"),
        (_table(tmp_path, ["13", "14", "15"], "bob"), "b.json.gz"),
        (_table(tmp_path, ["20", "21"], "cat"), "c.json.gz"),
    ]
    with store.transaction() as con:
        assert insert_event_parts(con, parts) == 6
    assert _stored(store) == [
        ("10", "ann", "a.json.gz"),
        ("12", "ann", "a.json.gz"),
        ("13", "bob", "b.json.gz"),
        ("14", "ann", "a.json.gz"),
        ("15", "old", "old.json.gz"),
        ("17", "old", "old.json.gz"),
        ("20", "cat", "c.json.gz"),
        ("21", "cat", "c.json.gz"),
    ]


def test_empty_parts_are_skipped(store, tmp_path):
    empty = _table(tmp_path, ["1"]).slice(0, 0)
    with store.transaction() as con:
        assert insert_event_parts(con, [(empty, "e.json.gz")]) == 0
        assert insert_event_parts(con, [(empty, "e.json.gz"), (_table(tmp_path, ["2"]), "f.json.gz")]) == 1
    assert _stored(store) == [("2", "ann", "f.json.gz")]


def test_one_statement_gives_what_one_file_after_another_gives(tmp_path):
    # The shared real hours, as three parts: together in one statement and one by
    # one (the path that existed before) must store the same rows and sources.
    tables = [read_file(f).table for f in sorted(SHARED.glob("*.json.gz"))]
    assert len(tables) >= 2
    together, apart = Store(tmp_path / "together.duckdb"), Store(tmp_path / "apart.duckdb")
    with together.transaction() as con:
        insert_event_parts(con, [(t, f"f{i}") for i, t in enumerate(tables)])
    for i, t in enumerate(tables):
        with apart.transaction() as con:
            ingest.insert_events(con, t, f"f{i}")
    q = "SELECT * FROM gh_events ORDER BY event_id"
    assert together.rows(q) == apart.rows(q)
    assert together.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == sum(t.num_rows for t in tables)


# --- a batch the store refuses ----------------------------------------------------------


def test_a_refused_value_in_a_batch_costs_only_its_file(store, tmp_path, monkeypatch):
    files = [write_gz(tmp_path / f"2024-01-01-{h}.json.gz", [_watch(str(10 + h))]) for h in range(3)]
    results = [read_file(f) for f in files]
    keys = {r.path: f"key{i}" for i, r in enumerate(results)}
    real_parts, real_one = ingest.insert_event_parts, ingest.insert_events
    bad = results[1].name

    def refuse(con, parts):
        if any(source == bad for _, source in parts):
            con.execute("SELECT CAST('x' AS INTEGER)")
        return real_parts(con, parts)

    def refuse_one(con, table, source):
        if source == bad:
            con.execute("SELECT CAST('x' AS INTEGER)")
        return real_one(con, table, source)

    monkeypatch.setattr(ingest, "insert_event_parts", refuse)
    monkeypatch.setattr(ingest, "insert_events", refuse_one)
    report = IngestReport()
    ingest._write_batch(store, results, keys, report, None)
    assert [(Path(f.path).name, f.error) for f in report.failed] == [(bad, "rejected")]
    assert report.files_ingested == 2 and report.new_events == 2
    assert [r[0] for r in _stored(store)] == ["10", "12"]
    assert [r["source"] for r in store.rows("SELECT source FROM gh_sources ORDER BY source")] == ["key0", "key2"]


def test_a_damaged_file_in_a_batch_is_reported_and_the_rest_written(store, tmp_path):
    good = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1"), _watch("2")])
    whole = gzip.compress(b"".join(b'{"id":"%d"}\n' % i for i in range(5000)))
    cut = tmp_path / "2024-01-01-1.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    results = [read_file(good), read_file(cut)]
    damaged = []
    report = IngestReport()
    ingest._write_batch(store, results, {r.path: r.name for r in results}, report, damaged.append)
    assert [f.error for f in report.failed] == ["truncated"] and [d.name for d in damaged] == [cut.name]
    assert report.files_ingested == 1 and [r[0] for r in _stored(store)] == ["1", "2"]


# --- the whole load, several readers --------------------------------------------------


def test_an_id_repeated_in_the_last_files_is_kept_from_the_first_of_them(tmp_path):
    # Four hours, two readers: the last two are written together when they are
    # read at about the same time. Hour h holds ids h0..h4; hour 3 also repeats
    # id 21 of hour 2, as actor "dup": that copy must not be stored, whatever the
    # timing. 20 events are new, 21 were read.
    folder = tmp_path / "in"
    folder.mkdir()
    for h in range(4):
        rows = [_watch(str(h * 10 + k), f"u{h}") for k in range(5)]
        if h == 3:
            rows.append(_watch("21", "dup"))
        write_gz(folder / f"2024-01-01-{h}.json.gz", rows)
    one, two = Store(tmp_path / "one.duckdb"), Store(tmp_path / "two.duckdb")
    first = ingest_files(one, [folder], workers=1)
    second = ingest_files(two, [folder], workers=2)
    assert first.new_events == second.new_events == 20 and second.events == 21
    assert _stored(one) == _stored(two)
    assert ("21", "u2", "2024-01-01-2.json.gz") in _stored(two) and all(r[1] != "dup" for r in _stored(two))
    assert two.rows("SELECT count(*) AS n FROM gh_sources")[0]["n"] == 4
    default = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    assert two.execute("SELECT current_setting('threads')").fetchone()[0] == default  # one thread no more


# --- when to wait for the files still being read ---------------------------------------


def _sized(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(b"x" * size)
    return path


def test_wait_when_the_others_should_be_done_within_the_share(tmp_path, monkeypatch):
    # The ready file: 1,000 bytes read in 2.0 s (2 ms a byte). At t = 100 s, a
    # 1,000-byte file started at 98.4 s should end at 100.4 s: 0.4 s left, within
    # 0.3 × 2.0 = 0.6 s, so wait 0.4 s plus the slack, 0.2 × 2.0 = 0.4 s: 0.8 s.
    monkeypatch.setattr(ingest.time, "monotonic", lambda: 100.0)
    ready = FileResult("r", seconds=2.0)
    path = _sized(tmp_path, "r.json.gz", 1000)
    other = _sized(tmp_path, "o.json.gz", 1000)
    assert ingest._wait_for(ready, path, [(98.4, other)]) == pytest.approx(0.8)
    # Started at 98.0 s: it should already be done (0 s left): wait only the slack.
    assert ingest._wait_for(ready, path, [(98.0, other)]) == pytest.approx(0.4)
    # Started at 98.8 s: 0.8 s left > 0.6 s: write the ready one alone.
    assert ingest._wait_for(ready, path, [(98.8, other)]) is None
    # A 500-byte file started at 99.2 s: 1 s for it, 0.2 s left: wait 0.2 + 0.4 s.
    half = _sized(tmp_path, "h.json.gz", 500)
    assert ingest._wait_for(ready, path, [(98.4, other), (99.2, half)]) == pytest.approx(0.8)
    assert ingest._wait_for(ready, path, [(99.2, half)]) == pytest.approx(0.6)
    # One not started yet (0): a whole read away.
    assert ingest._wait_for(ready, path, [(98.4, other), (0.0, half)]) is None
    assert ingest._wait_for(ready, path, []) is None
    assert ingest._wait_for(FileResult("r"), path, [(98.4, other)]) is None  # read in-process: no timing


# --- inflating in the reading thread ---------------------------------------------------


def test_inflating_in_the_reading_thread_reads_the_same(tmp_path, monkeypatch):
    for path in sorted(SHARED.glob("*.json.gz")):
        a, b = read_file(path, spare_core=True), read_file(path, spare_core=False)
        assert a.error is b.error is None and a.table.equals(b.table) and a.lines == b.lines
    whole = gzip.compress(b"".join(b'{"id":"%d"}\n' % i for i in range(20_000)))
    cut = tmp_path / "2024-01-01-0.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert read_file(cut, spare_core=False).error == "truncated"
    bad = tmp_path / "2024-01-01-1.json.gz"
    bad.write_bytes(whole[:20] + bytes(b ^ 0x55 for b in whole[20:4000]) + whole[4000:])
    assert read_file(bad, spare_core=False).error in ("corrupt", "truncated")
    assert read_file(bad, spare_core=False).error == read_file(bad, spare_core=True).error
    monkeypatch.setattr(reader, "MAX_DECOMPRESSED", 64 << 10)
    big = write_gz(tmp_path / "2024-01-01-2.json.gz", [_watch(str(i)) for i in range(2000)])
    assert read_file(big, spare_core=False).error == "too_large"
