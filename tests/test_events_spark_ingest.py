"""--engine spark: the same normalisation through Spark's mapPartitions → Parquet."""

from __future__ import annotations

import sys

import pyspark  # noqa: F401  (dev extra: a missing Spark is a failure, never a skip)

from osslever.sources.gharchive.ingest import ingest_files
from osslever.store import Store
from tests.events_fixtures import SHARED


def test_spark_parquet_equals_the_duckdb_store(tmp_path, monkeypatch):
    from pyspark.sql import SparkSession

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)

    from osslever.sources.gharchive.spark_ingest import ingest_to_parquet

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("osslever-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
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
