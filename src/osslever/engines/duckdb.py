"""The default engine: SQL straight on the embedded store."""

from __future__ import annotations

from collections.abc import Sequence
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

    def register(self, name: str, table: Any) -> None:
        self.store.con.register(name, table)
