"""One definition, two engines: DuckDB and Spark (local[2]) agree on the shared samples.

The samples (../shared/data/gharchive) are loaded into a DuckDB store; the Spark
engine reads the same rows from Parquet written by DuckDB's COPY, runs each
metric's DuckDB-dialect SQL translated by sqlglot, and must return identical rows.
One Spark session serves the whole test session (one JVM start).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pyspark  # noqa: E402,F401  (dev extra: a missing Spark is a failure, never a skip)
import pytest

from osslever.engines import get_engine  # noqa: E402
from osslever.engines.spark import resolve_master, to_spark_sql  # noqa: E402
from osslever.errors import UserError  # noqa: E402
from osslever.metrics import events  # noqa: E402
from osslever.metrics import openrank as orank  # noqa: E402
from osslever.sources.gharchive.ingest import ingest_files  # noqa: E402
from osslever.store import Store  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "gharchive"


def _load_samples(store: Store) -> None:
    files = sorted(SAMPLES.glob("*.json.gz"))
    assert len(files) == 2, f"expected the two shared samples in {SAMPLES}"
    report = ingest_files(store, files, workers=1)
    assert report.files_ingested == 2 and not report.failed


@pytest.fixture(scope="module")
def engines(spark_session, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("parity") / "store.duckdb")
    _load_samples(store)
    spark = get_engine("spark", store, session=spark_session)
    yield get_engine("duckdb", store), spark, store
    spark.close()
    store.close()


def _normalise(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "as_tuple"):  # Decimal
        return round(float(value), 9)
    return value


def _rows(rows):
    return sorted(
        (tuple(sorted((k, _normalise(v)) for k, v in r.items())) for r in rows),
        key=repr,
    )


def test_samples_have_openrank_edges(engines):
    duck, _, _ = engines
    months = [r["period"] for r in duck.query(orank.event_count_sql())]
    assert months == ["2016-07", "2021-07"]
    assert all(duck.query(orank.edge_sql(m)) for m in months)


@pytest.mark.parametrize("period", ["2016-07", "2021-07"])
def test_openrank_edge_sql_is_identical_on_spark(engines, period):
    duck, spark, _ = engines
    sql = orank.edge_sql(period)
    expected = duck.query(sql)
    got = spark.query(sql)
    assert len(got) == len(expected) > 0
    assert _rows(got) == _rows(expected)


_RESULTS = """SELECT o.period, o.node_type, o.node, o.value, k.node_key FROM gh_openrank o
    JOIN gh_openrank_keys k USING (period, node_type, node)"""


def test_openrank_computed_through_spark_equals_duckdb(engines, tmp_path):
    """Months, edges and values: the whole OpenRank run with Spark reading the events."""
    duck, spark, store = engines
    orank.ensure_openrank(store, engine=duck)
    expected = store.rows(_RESULTS)
    other = Store(tmp_path / "results.duckdb")  # results of the Spark run, events via Spark
    try:
        orank.ensure_openrank(other, engine=spark)
        got = other.rows(_RESULTS)
    finally:
        other.close()
    assert len(got) == len(expected) > 0
    assert _rows(got) == _rows(expected)


def _candidate_repos(duck) -> list[str]:
    """Sample repositories, busiest first (the samples are one hour each: most are tiny)."""
    rows = duck.query(
        "SELECT repo_name FROM gh_events WHERE repo_name IS NOT NULL GROUP BY repo_name "
        "ORDER BY COUNT(*) FILTER (WHERE type <> 'PushEvent') DESC, repo_name LIMIT 40"
    )
    return [r["repo_name"] for r in rows]


def test_every_event_metric_is_identical_on_spark(engines):
    duck, spark, _ = engines
    metrics = events.available_metrics()
    assert len(metrics) >= 14
    candidates = _candidate_repos(duck)
    compared = []
    for name, metric in metrics.items():
        # compare on the first repository where the metric has a value (DuckDB is cheap)
        repo = next((r for r in candidates if metric(duck, r)), candidates[0])
        expected = metric(duck, repo)
        got = metric(spark, repo)
        assert _normalise_series(got) == _normalise_series(expected), (name, repo)
        if expected:
            compared.append(name)
    # a one-hour sample has no answered issues or long-lived contributors for some
    # metrics; most must still be compared on real values, not on two empty results
    assert len(compared) >= len(metrics) - 5, sorted(set(metrics) - set(compared))


def _normalise_series(series):
    return {
        k: _normalise(v) if not isinstance(v, dict) else {kk: _normalise(vv) for kk, vv in v.items()}
        for k, v in series.items()
    }


def test_translation_uses_spark_functions():
    sql = to_spark_sql("SELECT strftime(created_at, '%Y-%m') AS m, arg_max(a, b) FROM t GROUP BY 1")
    assert "DATE_FORMAT" in sql and "MAX_BY" in sql


def test_master_from_option_then_environment(monkeypatch):
    monkeypatch.delenv("OSSLEVER_SPARK_MASTER", raising=False)
    assert resolve_master() == "local[*]"
    monkeypatch.setenv("OSSLEVER_SPARK_MASTER", "spark://head:7077")
    assert resolve_master() == "spark://head:7077"
    assert resolve_master("local[2]") == "local[2]"


def test_parquet_partitions_are_read_as_views(spark_session, engines, tmp_path):
    duck, _, store = engines
    folder = tmp_path / "lake" / "gh_events"
    folder.mkdir(parents=True)
    target = str(folder).replace("'", "''")
    store.execute(
        f"COPY (SELECT *, strftime(created_at, '%Y-%m') AS period FROM gh_events) "
        f"TO '{target}' (FORMAT parquet, PARTITION_BY (period))"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["period=2016-07", "period=2021-07"]
    lake = get_engine("spark", session=spark_session, parquet=tmp_path / "lake")
    try:
        sql = orank.edge_sql("2021-07")
        assert _rows(lake.query(sql)) == _rows(duck.query(sql))
        assert set(lake.tables) == {"gh_events"}
    finally:
        lake.close()


def test_missing_parquet_table_is_a_user_error(spark_session, tmp_path):
    lake = get_engine("spark", session=spark_session, parquet=tmp_path)
    with pytest.raises(UserError) as info:
        lake.query("SELECT 1")
    assert "gh_events" in info.value.render("en") and str(tmp_path) in info.value.render("en")


def test_metrics_document_with_openrank_is_identical_on_spark(engines, spark_session, tmp_path):
    """``metrics --engine spark`` no longer leaves OpenRank out: the edges come from
    Spark, the iteration runs in Python, the values are read back through Spark.
    (Its own engine: views live in the shared session, and the lake test above
    closed an engine that had registered ``gh_events`` there too.)"""
    duck, _, store = engines
    spark = get_engine("spark", store, session=spark_session)
    repo = duck.query(
        "SELECT repo_name FROM gh_events WHERE type = 'IssueCommentEvent' AND created_at >= "
        "CAST('2021-07-01' AS TIMESTAMP) GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )[0]["repo_name"]
    orank.openrank_on(duck, store, until="2021-07")
    expected = events.metrics_document(duck, repo, "2021-07")
    other = Store(tmp_path / "results.duckdb")  # no OpenRank there yet: computed through Spark
    try:
        computed = orank.openrank_on(spark, other, until="2021-07")
        got = events.metrics_document(spark, repo, "2021-07")
    finally:
        other.close()
        spark.close()
    assert [c["period"] for c in computed] == ["2016-07", "2021-07"]
    assert got == expected
    assert expected["metrics"]["openrank"] is not None and "openrank" not in expected["notes"]
