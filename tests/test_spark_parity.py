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

import pytest

pyspark = pytest.importorskip("pyspark")

from osslever.engines.duckdb import DuckDBEngine  # noqa: E402
from osslever.engines.spark import SparkEngine, resolve_master, to_spark_sql  # noqa: E402
from osslever.errors import UserError  # noqa: E402
from osslever.metrics import openrank as orank  # noqa: E402
from osslever.store import Store  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "gharchive"

# Until the events ingest is merged in, the samples are loaded with DuckDB's own
# JSON reader: a few normalised columns, enough for the metrics compared here.
_LOAD = """
INSERT INTO gh_events (event_id, type, action, created_at, actor_id, actor_login, repo_id,
  repo_name, org_login, number, is_pull_request, comment_id, pr_merged, push_size,
  payload_trimmed, source)
SELECT id, type, payload->>'$.action', strptime(created_at, '%Y-%m-%dT%H:%M:%SZ'),
  CAST(actor->>'$.id' AS BIGINT), actor->>'$.login',
  CAST(repo->>'$.id' AS BIGINT), repo->>'$.name', org->>'$.login',
  CAST(COALESCE(payload->>'$.issue.number', payload->>'$.pull_request.number',
                payload->>'$.number') AS INTEGER),
  (payload->'$.issue.pull_request') IS NOT NULL OR type LIKE 'PullRequest%',
  CAST(payload->>'$.comment.id' AS BIGINT), CAST(payload->>'$.pull_request.merged' AS BOOLEAN),
  CAST(payload->>'$.size' AS INTEGER), FALSE, ?
FROM read_json(?, format='newline_delimited', columns={id: 'VARCHAR', type: 'VARCHAR',
  actor: 'JSON', repo: 'JSON', org: 'JSON', payload: 'JSON', created_at: 'VARCHAR'})
ON CONFLICT DO NOTHING
"""


def _load_samples(store: Store) -> None:
    files = sorted(SAMPLES.glob("*.json.gz"))
    assert len(files) == 2, f"expected the two shared samples in {SAMPLES}"
    for path in files:
        with store.transaction():
            store.execute(_LOAD, [path.name, str(path)])


@pytest.fixture(scope="session")
def spark_session():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("osslever-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engines(spark_session, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("parity") / "store.duckdb")
    _load_samples(store)
    spark = SparkEngine(session=spark_session, store=store)
    yield DuckDBEngine(store), spark, store
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


def test_event_counts_per_month_are_identical_on_spark(engines):
    duck, spark, _ = engines
    sql = orank.event_count_sql()
    assert _rows(spark.query(sql)) == _rows(duck.query(sql))


def test_openrank_computed_through_spark_equals_duckdb(engines, tmp_path):
    duck, spark, store = engines
    orank.ensure_openrank(store, engine=duck)
    expected = store.rows("SELECT period, node_type, node_key, node, value FROM gh_openrank")
    other = Store(tmp_path / "results.duckdb")  # results of the Spark run, events via Spark
    try:
        orank.ensure_openrank(other, engine=spark)
        got = other.rows("SELECT period, node_type, node_key, node, value FROM gh_openrank")
    finally:
        other.close()
    assert len(got) == len(expected) > 0
    assert _rows(got) == _rows(expected)


def test_every_event_metric_is_identical_on_spark(engines):
    events = pytest.importorskip("osslever.metrics.events")
    duck, spark, _ = engines
    names = list(events.available_metrics())
    assert names, "no event metrics registered"
    for name in names:
        sql = events.metric_sql(name)
        assert _rows(spark.query(sql)) == _rows(duck.query(sql)), name


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
    lake = SparkEngine(session=spark_session, parquet=tmp_path / "lake")
    try:
        sql = orank.edge_sql("2021-07")
        assert _rows(lake.query(sql)) == _rows(duck.query(sql))
        assert set(lake.tables) == {"gh_events"}
    finally:
        lake.close()


def test_missing_parquet_table_is_a_user_error(spark_session, tmp_path):
    lake = SparkEngine(session=spark_session, parquet=tmp_path)
    with pytest.raises(UserError) as info:
        lake.query("SELECT 1")
    assert "gh_events" in info.value.render("en") and str(tmp_path) in info.value.render("en")
