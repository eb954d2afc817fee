"""--engine spark: the same normalisation through Spark's mapPartitions → Parquet."""

from __future__ import annotations

import gzip
import json

import pyspark  # noqa: F401  (dev extra: a missing Spark is a failure, never a skip)

from osslever.sources.gharchive.ingest import ingest_files
from osslever.store import Store
from tests.events_fixtures import SHARED


def test_spark_parquet_equals_the_duckdb_store(tmp_path, spark_session):
    from osslever.sources.gharchive.spark_ingest import ingest_to_parquet

    spark = spark_session
    out = tmp_path / "pq"
    report = ingest_to_parquet([SHARED], out, session=spark)
    assert report.files_ingested == 2 and report.events == 2800 and not report.failed
    again = ingest_to_parquet([SHARED], out, session=spark)
    assert again.files_skipped == 2

    import duckdb

    store = Store(tmp_path / "d.duckdb")
    ingest_files(store, [SHARED], workers=1)
    cols = "* EXCLUDE (source)"
    via_duck = store.rows(f"SELECT {cols} FROM gh_events ORDER BY event_id")
    con = duckdb.connect()
    via_spark = [
        dict(zip([d[0] for d in cur.description], row, strict=True))
        for cur in [
            con.execute(
                f"SELECT {cols.replace(')', ', month)')} FROM read_parquet("
                f"'{out}/gh_events/*/*.parquet', hive_partitioning = true) ORDER BY event_id"
            )
        ]
        for row in cur.fetchall()
    ]
    assert len(via_spark) == 2800
    assert via_spark == via_duck
    store.close()


def _lake_ids(out) -> list[str]:
    import pyarrow.parquet as pq

    return sorted(
        i for f in (out / "gh_events").glob("month=*/*.parquet") for i in pq.read_table(f)["event_id"].to_pylist()
    )


def _sample_lines(name: str) -> list[str]:
    with gzip.open(SHARED / name, "rt", encoding="utf-8") as fh:
        return [line for line in fh if line.strip()]


def test_spark_ingest_dedupes_across_files_and_runs(tmp_path, spark_session):
    """The DuckDB path's rule: an id is kept once, first file in input order wins,
    and a later run never adds an id the lake already has."""
    from osslever.sources.gharchive.spark_ingest import ingest_to_parquet

    lines = _sample_lines("2021-07-21-sample.json.gz")  # 800 events, distinct ids
    ids = [json.loads(line)["id"] for line in lines]
    assert len(set(ids)) == 800
    folder = tmp_path / "in"
    folder.mkdir()
    write = lambda name, chunk: (folder / name).write_bytes(gzip.compress("".join(chunk).encode()))  # noqa: E731
    write("a-2021-07-21-0.json.gz", lines[:500])
    write("b-2021-07-21-1.json.gz", lines[400:600])  # 100 repeat a, 100 new
    out = tmp_path / "lake"
    store = Store(tmp_path / "same-files.duckdb")  # the DuckDB path, run by run beside it
    duck = [ingest_files(store, [folder], workers=1).new_events]
    first = ingest_to_parquet([folder], out, session=spark_session)
    assert (first.files_ingested, first.events, first.new_events) == (2, 700, 600)
    assert _lake_ids(out) == sorted(ids[:600])
    # a second run: one new file overlapping both earlier ones, and the old ones again
    write("c-2021-07-21-2.json.gz", lines[550:700])  # 50 stored, 100 new
    second = ingest_to_parquet([folder], out, session=spark_session)
    duck.append(ingest_files(store, [folder], workers=1).new_events)
    assert (second.files_skipped, second.files_ingested, second.new_events) == (2, 1, 100)
    assert _lake_ids(out) == sorted(ids[:700])
    # the same file under another name in a third run adds nothing
    write("d-2021-07-21-2.json.gz", lines[550:700])
    third = ingest_to_parquet([folder], out, session=spark_session)
    duck.append(ingest_files(store, [folder], workers=1).new_events)
    assert duck == [first.new_events, second.new_events, third.new_events] == [600, 100, 0]
    assert store.rows("SELECT count(*) AS n FROM gh_events") == [{"n": 700}]
    store.close()
    assert (third.files_ingested, third.new_events) == (1, 0)
    assert _lake_ids(out) == sorted(ids[:700])
    # the first file in input order kept its rows: file a holds ids 0-499, b 500-599 only
    import pyarrow.parquet as pq

    by_file = {
        f.name.split("-2021")[0]: pq.read_table(f)["event_id"].to_pylist()
        for f in (out / "gh_events").glob("month=*/*.parquet")
    }
    assert sorted(by_file["a"]) == sorted(ids[:500]) and sorted(by_file["b"]) == sorted(ids[500:600])
    assert sorted(by_file["c"]) == sorted(ids[600:700]) and by_file["d"] == []
