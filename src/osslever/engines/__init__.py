"""Query engines: one base class, several back ends (as httpx has transports).

Metrics are written once, in DuckDB's SQL dialect, against table names of the
store. An engine runs that SQL where the data lives: ``DuckDBEngine`` on the
embedded store, ``SparkEngine`` translates the dialect with sqlglot and runs it
on Spark views of the same names. No metric is ever written twice.

Every engine is built by ``get_engine`` (the CLI, the web server, the library
and the tests call nothing else) and offers the same contract, checked for both
back ends by ``tests/test_spark_engines.py``:

* ``query(sql, params)`` → rows as dicts; ``arrow(sql, params)`` → a pyarrow table;
* ``execute(sql, params)`` → a statement whose result is not needed;
* ``create_table(name, sql, params)`` → a temporary table from one SELECT (later
  queries read it; Spark caches it);
* ``register_rows(name, columns)`` / ``register_arrow(name, table)`` /
  ``register_parquet(name, path)`` → a temporary table from Python values, an
  Arrow table or Parquet files;
* ``close()`` (also on leaving a ``with`` block) → frees what the engine owns.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyarrow is imported where it is used: ~0.4 s a command may never need
    import pyarrow as pa

Columns = Mapping[str, tuple[str, list]]

ENGINES = ("duckdb", "spark")


# SQL type names used by ``register_rows`` → Arrow types (one vocabulary for both engines).
@cache
def _arrow_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    return {
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
    }


def columns_to_arrow(columns: Columns) -> pa.Table:
    """``{column: (SQL type, values)}`` → an Arrow table with those column types."""
    import pyarrow as pa

    arrays = {}
    for name, (sql_type, values) in columns.items():
        arrow_type = _arrow_types().get(sql_type.upper())
        if arrow_type is None:
            raise ValueError(f"register_rows: unsupported column type {sql_type!r} for {name!r}")
        arrays[name] = pa.array(list(values), type=arrow_type)
    return pa.table(arrays)


class Engine(abc.ABC):
    """What a metric may ask of a back end (see the module docstring)."""

    name: str = ""

    @abc.abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run one SELECT written in DuckDB's dialect; rows as dicts."""

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run one statement written in DuckDB's dialect."""

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """One SELECT as a pyarrow table (columnar: millions of rows stay cheap)."""
        import pyarrow as pa

        return pa.Table.from_pylist(self.query(sql, params))

    @abc.abstractmethod
    def create_table(self, name: str, sql: str, params: Sequence[Any] | None = None) -> None:
        """A temporary table ``name`` holding the rows of one DuckDB-dialect SELECT
        (replacing any table or view of that name) for the queries that follow."""

    @abc.abstractmethod
    def register_arrow(self, name: str, table: pa.Table) -> None:
        """A temporary table ``name`` with the rows of a pyarrow table."""

    @abc.abstractmethod
    def register_parquet(self, name: str, path: str | Path) -> None:
        """A view ``name`` over Parquet (one file, or a folder with Hive-style partitions)."""

    def register_rows(self, name: str, columns: Columns) -> None:
        """A temporary table ``name`` from column name → (SQL type, values),
        e.g. ``{"identity": ("VARCHAR", [...])}`` (types: VARCHAR, BOOLEAN, BIGINT,
        INTEGER, DOUBLE, DATE, TIMESTAMP)."""
        self.register_arrow(name, columns_to_arrow(columns))

    def register(self, name: str, columns: Columns) -> None:
        """Older name of ``register_rows`` (kept for callers written before it)."""
        self.register_rows(name, columns)

    def close(self) -> None:  # noqa: B027 (nothing to free by default)
        """Free what the engine owns (sessions, temporary files); the store stays open."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def get_engine(
    name: str = "duckdb",
    store: Any = None,
    *,
    master: str | None = None,
    parquet: str | Path | Mapping[str, str | Path] | None = None,
    session: Any = None,
    conf: Mapping[str, str] | None = None,
    tables: Sequence[str] | None = None,
) -> Engine:
    """The one constructor of engines: ``name`` is "duckdb" or "spark".

    ``store`` is the DuckDB store (required for duckdb; for spark, the source of
    the tables unless ``parquet`` names them). Spark only: ``master`` (default
    ``$OSSLEVER_SPARK_MASTER`` or ``local[*]``), ``parquet`` (a lake folder or
    ``{table: path}``), ``session`` (an existing SparkSession, left running on
    close), ``conf`` (extra Spark settings), ``tables`` (the tables to expose).
    """
    if name == "duckdb":
        from osslever.engines.duckdb import DuckDBEngine

        return DuckDBEngine(store)
    if name == "spark":
        from osslever.engines.spark import SparkEngine

        return SparkEngine(master=master, parquet=parquet, store=store, session=session, conf=conf, tables=tables)
    from osslever.errors import UserError

    raise UserError("engine.unknown", engine=name, allowed=", ".join(ENGINES))
