"""On a real Spark standalone cluster: a master and two workers in separate JVMs.

The cluster (tests/spark_cluster.py, fixture ``spark_cluster``) is started from
the installed PySpark for the test session and stopped at its end. Every step
goes through the command line with ``--spark-master spark://127.0.0.1:P``, each
in its own driver process, as a user would run it:

1. ``ingest gharchive --engine spark`` writes the Parquet lake (the tasks run the
   normaliser in Python on the workers' executors) from the two shared samples
   and a third file that repeats events of the first: the lake must hold exactly
   the rows of a DuckDB store loaded from the same files;
2. ``metrics --engine spark --parquet LAKE`` (every event metric and OpenRank)
   and ``rank --engine spark --parquet LAKE`` must print the documents the DuckDB
   engine prints for the same files.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pyspark  # noqa: F401  (dev extra: a missing Spark is a failure, never a skip)
import pytest

from osslever.cli import main
from osslever.sources.gharchive.ingest import ingest_files
from osslever.store import Store
from tests.events_fixtures import SHARED
from tests.spark_cluster import SRC

SAMPLE_2016 = SHARED / "2016-07-07-0-sample.json.gz"
SAMPLE_2021 = SHARED / "2021-07-21-sample.json.gz"
REPEATED = 300  # events of the 2016 sample repeated in a third file
REPO = "caos/zitadel"
NONZERO = (
    "activity",
    "openrank",
    "participants",
    "issues_closed",
    "change_requests_accepted",
    "bus_factor",
    "new_contributors",
    "change_request_resolution_duration",
)


# Small data: a few shuffle partitions instead of 200 tiny tasks per query. Given the
# way a user would, in spark-defaults.conf under SPARK_CONF_DIR (docs/engines.md).
SPARK_DEFAULTS = """\
spark.sql.shuffle.partitions 2
spark.default.parallelism 2
spark.ui.enabled false
spark.sql.codegen.wholeStage false
spark.executor.memory 512m
spark.driver.memory 1g
"""


def _osslever(*args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """One driver process, as from a shell (the loopback address, this interpreter)."""
    conf = home / "spark-conf"
    conf.mkdir(exist_ok=True)
    (conf / "spark-defaults.conf").write_text(SPARK_DEFAULTS)
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(SRC),
        PYSPARK_PYTHON=sys.executable,
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_CONF_DIR=str(conf),
        OSSLEVER_HOME=str(home),
    )
    env.pop("OSSLEVER_SPARK_MASTER", None)
    return subprocess.run(
        [sys.executable, "-m", "osslever", *args, "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def _duck(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--lang", "en"])
    out = capsys.readouterr()
    assert done.value.code == 0, out.err
    return out.out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The two samples, then a file (another name) whose events all appear in the first."""
    folder = tmp_path_factory.mktemp("inputs")
    with gzip.open(SAMPLE_2016, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()][:REPEATED]
    repeated = folder / "2016-07-07-0-again.json.gz"
    with gzip.open(repeated, "wt", encoding="utf-8") as out:
        out.writelines(lines)
    return [SAMPLE_2016, SAMPLE_2021, repeated]


@pytest.fixture(scope="module")
def duck_store(inputs, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("duck") / "events.duckdb"
    with Store(path) as store:
        report = ingest_files(store, inputs, workers=1)
    assert report.files_ingested == 3 and report.new_events == 2800
    return path


@pytest.fixture(scope="module")
def lake(spark_cluster, inputs, tmp_path_factory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("home")
    lake = home / "lake"
    done = _osslever(
        "ingest",
        "gharchive",
        *map(str, inputs),
        "--engine",
        "spark",
        "--spark-master",
        spark_cluster.url,
        "--parquet",
        str(lake),
        home=home,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return lake, done.stderr


def _lake_rows(lake: Path) -> list[dict]:
    import duckdb

    con = duckdb.connect()
    cur = con.execute(
        f"SELECT * EXCLUDE (month) FROM read_parquet('{lake}/gh_events/*/*.parquet', hive_partitioning = true) "
        "ORDER BY event_id"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_cluster_has_two_workers_in_their_own_processes(spark_cluster):
    doc = spark_cluster.status()
    workers = spark_cluster.alive_workers(doc)
    assert doc["status"] == "ALIVE" and len(workers) == 2
    assert all(w["host"] == "127.0.0.1" and w["cores"] == 1 for w in workers)
    assert len({p.pid for p in spark_cluster.processes}) == 3  # master + two workers


def test_ingest_on_the_cluster_dedupes_like_duckdb(lake, duck_store, spark_cluster):
    folder, log = lake
    # 2000 + 800 events in the samples, the third file's 300 all seen before
    assert "ingested 3 file(s) (0 already done): 3100 events kept, 2800 new" in log
    got = _lake_rows(folder)
    with Store(duck_store, read_only=True) as store:
        expected = store.rows("SELECT * FROM gh_events ORDER BY event_id")
    assert len(got) == len(expected) == 2800  # 2000 + 800, the repeated 300 kept once
    assert got == expected
    # the third file is in the lake (so a re-run skips it) with no rows of its own
    again = list((folder / "gh_events").glob("month=*/2016-07-07-0-again.json.gz*.parquet"))
    assert len(again) == 1
    import pyarrow.parquet as pq

    assert pq.read_metadata(again[0]).num_rows == 0
    assert not (folder / "_staging").exists()
    # the cluster ran the job: its application finished on the master
    apps = spark_cluster.status().get("completedapps", [])
    assert any(a.get("name") == "osslever-ingest" for a in apps)


def test_every_metric_on_the_cluster_equals_duckdb(lake, duck_store, spark_cluster, tmp_path, capsys):
    folder, _ = lake
    common = ["metrics", REPO, "--period", "2021-07", "--format", "json"]
    expected = json.loads(_duck([*common, "--db", str(duck_store)], capsys))
    done = _osslever(
        *common,
        "--engine",
        "spark",
        "--spark-master",
        spark_cluster.url,
        "--parquet",
        str(folder),
        "--db",
        str(tmp_path / "results.duckdb"),
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    assert got == expected
    # compared on values, not on two empty documents: OpenRank included
    # (the sample is one hour: this repository has the most metrics that are not zero)
    assert all(expected["metrics"][m] for m in NONZERO), {m: expected["metrics"][m] for m in NONZERO}


def _rank_on_both(lake, duck_store, cluster, tmp_path, capsys, top: int, *spark_options: str):
    """``osslever rank`` of 2021-07 on the DuckDB store and on the cluster: both documents."""
    folder, _ = lake
    common = ["rank", "--period", "2021-07", "--top", str(top), "--format", "json"]
    expected = json.loads(_duck([*common, "--db", str(duck_store), "--quiet"], capsys))
    done = _osslever(
        *common,
        "--engine",
        "spark",
        *spark_options,
        "--spark-master",
        cluster.url,
        "--parquet",
        str(folder),
        "--db",
        str(tmp_path / "results.duckdb"),
        "--quiet",
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return expected, json.loads(done.stdout)


def test_rank_on_the_cluster_equals_duckdb(lake, duck_store, spark_cluster, tmp_path, capsys):
    expected, got = _rank_on_both(lake, duck_store, spark_cluster, tmp_path, capsys, 20)
    assert got["engine"] == "spark" and expected["engine"] == "duckdb"
    assert len(expected["items"]) == 20
    for key in ("items", "period", "months", "repositories"):
        assert got[key] == expected[key], key


def test_openrank_iterated_on_the_cluster_equals_duckdb(lake, duck_store, spark_cluster, tmp_path, capsys):
    # --openrank-on spark: the supersteps themselves run on the executors
    # (osslever.metrics.openrank_spark); every repository's value equals the driver's
    # (ties may order differently at 1e-16, so values are compared by repository)
    expected, got = _rank_on_both(lake, duck_store, spark_cluster, tmp_path, capsys, 100000, "--openrank-on", "spark")
    assert [c["period"] for c in got["computed"]] == ["2016-07", "2021-07"]
    assert got["repositories"] == expected["repositories"] == len(expected["items"]) > 50
    want = {i["repo"]: i["value"] for i in expected["items"]}
    have = {i["repo"]: i["value"] for i in got["items"]}
    assert have.keys() == want.keys()
    assert max(abs(have[r] - want[r]) for r in want) <= 1.01e-6  # both rounded to 6 digits
    with Store(tmp_path / "results.duckdb", read_only=True) as store:
        runs = store.rows("SELECT period, iterations, converged FROM gh_openrank_runs ORDER BY period")
    with Store(duck_store, read_only=True) as store:
        assert runs == store.rows("SELECT period, iterations, converged FROM gh_openrank_runs ORDER BY period")
