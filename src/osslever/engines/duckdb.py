"""The default engine: SQL straight on the embedded store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from osslever.store import Store


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, store: Store) -> None:
        self.store = store

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return self.store.rows(sql, params)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.store.execute(sql, params)

    def register(self, name: str, columns: Mapping[str, tuple[str, list]]) -> None:
        """A temporary table from typed lists (``unnest`` of list parameters).

        Cheaper than handing DuckDB an Arrow table for a few thousand rows: building
        one imports pandas when it is installed, a quarter second on every report.
        """
        select = ", ".join(f"unnest(?::{sql_type}[]) AS {col}" for col, (sql_type, _) in columns.items())
        self.store.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", [values for _, values in columns.values()]
        )
