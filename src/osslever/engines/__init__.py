"""Query engines: one interface, several back ends (as httpx has transports).

Metrics are written once, in DuckDB's SQL dialect, against table names of the
store. An engine runs that SQL where the data lives: ``DuckDBEngine`` on the
embedded store, other engines (Spark) translate the dialect with sqlglot and
run it on their own tables. No metric is ever written twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Engine(Protocol):
    """What a metric may ask of a back end."""

    name: str

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run one SELECT written in DuckDB's dialect; rows as dicts."""
        ...

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement (e.g. a temporary view that later queries read)."""
        ...

    def register(self, name: str, columns: Mapping[str, tuple[str, list]]) -> None:
        """A temporary table ``name`` for the queries that follow, from
        column name → (SQL type, values), e.g. ``{"identity": ("VARCHAR", [...])}``."""
        ...


def get_engine(name: str, store: Any = None, **options: Any) -> Engine:
    """Build the engine called ``name`` ("duckdb" or "spark")."""
    if name == "duckdb":
        from osslever.engines.duckdb import DuckDBEngine

        return DuckDBEngine(store)
    if name == "spark":
        from osslever.engines.spark import SparkEngine

        return SparkEngine(store=store, **options)
    from osslever.errors import UserError

    raise UserError("engine.unknown", engine=name, allowed="duckdb, spark")
