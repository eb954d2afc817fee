"""The default engine: SQL straight on the embedded store."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osslever.engines import Columns, Engine
from osslever.errors import UserError
from osslever.store import Store

if TYPE_CHECKING:
    import pyarrow as pa

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(name: str) -> str:
    """Table names are identifiers written by code, never user input; refuse anything else."""
    if not _NAME.match(name):
        raise ValueError(f"not a table name: {name!r}")
    return name


class DuckDBEngine(Engine):
    """Runs metric SQL on the store's own connection (temporary tables live there too)."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        if store is None:
            raise ValueError("the duckdb engine needs a store")
        self.store = store
        self._views: set[str] = set()  # Arrow tables registered on the connection

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return self.store.rows(sql, params)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.store.execute(sql, params)

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Columnar, without the row-by-row copy of a DB-API cursor."""
        con = self.store.con
        relation = con.sql(sql, params=list(params)) if params else con.sql(sql)
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # duckdb 2.x / 1.x
        return fetch()

    def _drop(self, name: str) -> None:
        """Whatever temporary object holds ``name`` goes, so each register replaces the last."""
        if name in self._views:
            self.store.con.unregister(name)
            self._views.discard(name)
        kinds = self.store.rows(
            "SELECT 'TABLE' AS kind FROM duckdb_tables() WHERE temporary AND table_name = ? "
            "UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = ?",
            [name, name],
        )
        for row in kinds:
            self.store.execute(f"DROP {row['kind']} IF EXISTS temp.{name}")

    def create_table(self, name: str, sql: str, params: Sequence[Any] | None = None) -> None:
        self._drop(_check_name(name))
        self.store.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", params)

    def register_rows(self, name: str, columns: Columns) -> None:
        """A temporary table from typed lists (``unnest`` of list parameters).

        Cheaper than handing DuckDB an Arrow table for a few thousand rows: building
        one imports pandas when it is installed, a quarter second on every report.
        """
        self._drop(_check_name(name))
        select = ", ".join(f"unnest(?::{sql_type}[]) AS {col}" for col, (sql_type, _) in columns.items())
        self.store.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", [values for _, values in columns.values()]
        )

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._drop(_check_name(name))
        self.store.con.register(name, table)
        self._views.add(name)

    def register_parquet(self, name: str, path: str | Path) -> None:
        self._drop(_check_name(name))
        target = Path(path)
        pattern = str(target / "**" / "*.parquet") if target.is_dir() else str(target)
        quoted = pattern.replace("'", "''")
        try:
            self.store.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM "
                f"read_parquet('{quoted}', hive_partitioning = {str(target.is_dir()).lower()}, union_by_name = true)"
            )
        except Exception as exc:  # duckdb.IOException, InvalidInputException, ...
            text = str(exc).strip().splitlines()
            raise UserError(
                "spark.bad_parquet", table=name, path=str(path), detail=(text[0] if text else "")[:200]
            ) from exc

    def close(self) -> None:
        """Unregister the Arrow tables; the store belongs to the caller and stays open."""
        for name in list(self._views):
            self.store.con.unregister(name)
        self._views.clear()
