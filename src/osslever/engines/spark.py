"""Apache Spark engine: the same metric SQL, on data too big for one machine.

Metrics are written once, in DuckDB's dialect, against the store's table names.
This engine makes those names exist in Spark (temporary views over Parquet) and
translates each statement with sqlglot (``duckdb`` → ``spark``), so a metric is
never written twice and DuckDB stays the reference.

Where the tables come from:

* ``parquet=DIR`` (or a mapping ``{table: path}``): ``DIR/<table>/`` (a folder of
  Parquet files, Hive-style partitions such as ``period=2024-01/`` welcome) or
  ``DIR/<table>.parquet``. Paths may be any URI Spark reads (``s3a://``, ``hdfs://``).
* otherwise the store: each table is written to Parquet with DuckDB's
  ``COPY ... TO ... (FORMAT parquet)`` in a private temporary folder (removed on
  ``close``), which is how a small store is checked against a cluster.

Where Spark runs: ``master`` (option), else ``$OSSLEVER_SPARK_MASTER``, else
``local[*]``. Sessions are created lazily (importing this module never starts a
JVM) and run in UTC so month boundaries match DuckDB's.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from osslever.engines import Engine
from osslever.errors import UserError

DEFAULT_MASTER = "local[*]"
MASTER_ENV = "OSSLEVER_SPARK_MASTER"
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _exact_percentiles(node: Any) -> Any:
    """sqlglot writes DuckDB's QUANTILE_CONT(x, q) as PERCENTILE_CONT(x, q), which Spark 4
    rejects, and ``PERCENTILE_CONT(q) WITHIN GROUP (ORDER BY x)`` as PERCENTILE_APPROX,
    which is approximate. Spark's PERCENTILE(x, q) interpolates linearly between order
    statistics exactly as QUANTILE_CONT does, so both become that."""
    from sqlglot import exp

    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])
    if (
        isinstance(node, exp.WithinGroup)
        and isinstance(node.this, exp.PercentileCont)
        and isinstance(node.expression, exp.Order)
        and len(node.expression.expressions) == 1
        and not node.expression.expressions[0].args.get("desc")
    ):
        column = node.expression.expressions[0].this
        return exp.Anonymous(this="PERCENTILE", expressions=[column, node.this.this])
    return node


@lru_cache(maxsize=512)
def to_spark_sql(sql: str) -> str:
    """DuckDB-dialect SQL → Spark SQL (one statement)."""
    import sqlglot

    trees = sqlglot.parse(sql, read="duckdb")
    out = [tree.transform(_exact_percentiles).sql(dialect="spark") for tree in trees if tree]
    return ";\n".join(out)


def _first_line(exc: Exception) -> str:
    """Spark errors carry JVM stack traces; a user needs the first line."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def resolve_master(master: str | None = None) -> str:
    return master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER


class SparkEngine(Engine):
    """Runs DuckDB-dialect metric SQL on Spark views named like the store's tables."""

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        parquet: str | Path | Mapping[str, str | Path] | None = None,
        store: Any = None,
        session: Any = None,
        app_name: str = "osslever",
        conf: Mapping[str, str] | None = None,
        tables: Sequence[str] | None = None,
    ) -> None:
        self.master = resolve_master(master)
        self._parquet = parquet
        self._store = store
        self._session = session
        self._own_session = session is None
        self._app_name = app_name
        self._conf = dict(conf or {})
        self._wanted = list(tables) if tables else None
        self._exported: Path | None = None
        self.tables: dict[str, str] = {}  # view name -> path it reads
        self._temp: dict[str, Any] = {}  # views from create_table / register_arrow -> their frame
        self._registered = False

    # ------------------------------------------------------------------ session

    @property
    def spark(self) -> Any:
        if self._session is None:
            self._session = self._start()
        if not self._registered:
            self._registered = True
            self._register_tables()
        return self._session

    def _start(self) -> Any:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise UserError("spark.no_pyspark") from exc
        builder = (
            SparkSession.builder.master(self.master)
            .appName(self._app_name)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.showConsoleProgress", "false")
        )
        for key, value in self._conf.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")  # JVM warnings are not for users
            return session
        except Exception as exc:  # JVM missing, master unreachable, ...
            raise UserError("spark.no_java", detail=_first_line(exc), master=self.master) from exc

    # ------------------------------------------------------------------ tables

    def _register_tables(self) -> None:
        if self._parquet is not None:
            sources = self._parquet_sources(self._parquet)
        elif self._store is not None:
            sources = self._export_store()
        else:
            sources = {}
        for table, path in sources.items():
            self.register_parquet(table, path)

    def _parquet_sources(self, parquet: Any) -> dict[str, str]:
        if isinstance(parquet, Mapping):
            return {str(t): str(p) for t, p in parquet.items()}
        root = str(parquet)
        if _URI.match(root):  # remote: the caller names the tables
            names = self._wanted or ["gh_events"]
            return {t: f"{root.rstrip('/')}/{t}" for t in names}
        folder = Path(root)
        found: dict[str, str] = {}
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                name = entry.name.removesuffix(".parquet")
                if entry.is_dir() or entry.suffix == ".parquet":
                    found[name] = str(entry)
        wanted = self._wanted or ["gh_events"]
        missing = [t for t in wanted if t not in found]
        if missing:
            raise UserError("spark.no_parquet", table=missing[0], path=str(folder))
        return found

    def _export_store(self) -> dict[str, str]:
        """Write the store's tables to Parquet (DuckDB COPY) for Spark to read."""
        store = self._store
        names = [
            r["name"]
            for r in store.rows(
                "SELECT table_name AS name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        if self._wanted:
            names = [n for n in names if n in self._wanted]
        self._exported = Path(tempfile.mkdtemp(prefix="osslever-spark-"))
        out: dict[str, str] = {}
        for name in names:
            target = self._exported / f"{name}.parquet"
            quoted = str(target).replace("'", "''")
            store.execute(f"COPY (SELECT * FROM \"{name}\") TO '{quoted}' (FORMAT parquet)")
            out[name] = str(target)
        return out

    def register_parquet(self, name: str, path: str | Path) -> None:
        """Make ``name`` a Spark view over the Parquet at ``path``."""
        spark = self._session if self._session is not None else self.spark
        try:
            frame = spark.read.parquet(str(path))
        except Exception as exc:
            raise UserError("spark.bad_parquet", table=name, path=str(path), detail=_first_line(exc)) from exc
        self._forget(name)
        frame.createOrReplaceTempView(name)
        self.tables[name] = str(path)

    def _forget(self, name: str) -> None:
        old = self._temp.pop(name, None)
        if old is not None:
            old.unpersist()

    def register_arrow(self, name: str, table: pa.Table) -> None:
        """A view over the rows of ``table`` (sent to the cluster with the plan)."""
        spark = self.spark
        if table.num_rows == 0:
            # an empty Arrow table carries no rows for Spark to infer from: give the schema
            from pyspark.sql.pandas.types import from_arrow_schema

            frame = spark.createDataFrame([], schema=from_arrow_schema(table.schema))
        else:
            frame = spark.createDataFrame(table)
        self._forget(name)
        self.tables.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._temp[name] = frame

    def create_table(self, name: str, sql: str, params: Sequence[Any] | None = None) -> None:
        """The SELECT's rows computed once (a local checkpoint on the executors), then a view:
        later queries read the rows, not the plan again."""
        frame = self.frame(sql, params).localCheckpoint(eager=True)
        self._forget(name)
        self.tables.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._temp[name] = frame

    # ------------------------------------------------------------------ Engine contract

    def frame(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The Spark DataFrame of one DuckDB-dialect SELECT."""
        text = to_spark_sql(sql)
        spark = self.spark
        if params:
            return spark.sql(text, args=list(params))
        return spark.sql(text)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return [row.asDict(recursive=True) for row in self.frame(sql, params).collect()]

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.frame(sql, params).collect()

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Columnar results (Spark 4 hands Arrow batches over without row objects)."""
        frame = self.frame(sql, params)
        to_arrow = getattr(frame, "toArrow", None)
        if callable(to_arrow):
            return to_arrow()
        return pa.Table.from_pylist([r.asDict(recursive=True) for r in frame.collect()])

    def close(self) -> None:
        if self._session is not None:
            for table in [*self.tables, *self._temp]:
                self._session.catalog.dropTempView(table)
            for frame in self._temp.values():
                frame.unpersist()
            if self._own_session:
                self._session.stop()
                self._session = None
        self.tables.clear()
        self._temp.clear()
        self._registered = False
        if self._exported is not None:
            shutil.rmtree(self._exported, ignore_errors=True)
            self._exported = None
