"""Shared fixtures: repositories built with ``git fast-import`` whose answers are known by hand."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import RepoBuilder

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Every document the core builds during the tests is checked against its type
# (workspace._finish): the generated schemas are the contracts, so they must never lag.
os.environ["OSSLEVER_STRICT_DOCUMENTS"] = "1"


# How SIGINT was handled when the session started (Python's default handler under pytest).
_SIGINT = signal.getsignal(signal.SIGINT)


@pytest.fixture(autouse=True)
def _default_sigint():
    """Every test starts with the session's SIGINT handler, whatever ran before it.

    ``osslever.cli.main`` ignores SIGINT once its work is done (``cli._exit``: a Ctrl-C in
    the interpreter's shutdown must not kill a finished run). Called in-process (the tests'
    ``run_inproc``, ``main([...])``) it left the test process ignoring SIGINT, and a
    child started afterwards inherits an ignored signal across ``exec``: the Ctrl-C
    tests then signalled processes that could not hear them and passed by the "finished
    before the signal" branch.
    """
    signal.signal(signal.SIGINT, _SIGINT)
    yield
    signal.signal(signal.SIGINT, _SIGINT)


@pytest.fixture(scope="session")
def _index_cache(tmp_path_factory):
    """Indexes built from shipped data (license texts) are built once per test session."""
    return tmp_path_factory.mktemp("osslever-index-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, _index_cache):
    """Never touch the user's cache: every test gets its own osslever home."""
    home = tmp_path_factory.mktemp("osslever-home")
    monkeypatch.setenv("OSSLEVER_HOME", str(home))
    monkeypatch.setenv("OSSLEVER_CACHE", str(_index_cache))
    monkeypatch.delenv("OSSLEVER_DB", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield home


@pytest.fixture
def builder(tmp_path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "repo")


@pytest.fixture
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"../shared not found beside the repository at {SHARED}"
    return SHARED


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout.decode()


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session (one JVM) for every in-process Spark test of the run."""
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # Python tasks run this interpreter
    session = (
        SparkSession.builder.master("local[2]")
        .appName("osslever-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.adaptive.enabled", "false")  # tiny data: fewer stages
        .config("spark.sql.codegen.wholeStage", "false")  # no compile time per query
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A real Spark standalone cluster: one master and two workers on 127.0.0.1.

    Separate JVMs started from the installed PySpark, stopped (process groups
    killed) when the test session ends; yields the master URL spark://127.0.0.1:P.
    """
    from tests.spark_cluster import Cluster

    cluster = Cluster(tmp_path_factory.mktemp("spark-cluster"))
    try:
        cluster.start(workers=2)
        yield cluster
    finally:
        cluster.stop()
