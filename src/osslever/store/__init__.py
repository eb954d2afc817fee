"""The store: one embedded DuckDB file that every source writes and every metric reads.

Why DuckDB: nothing to install or start, columnar scans fast enough for years
of history on a laptop, and transactions that make each unit of ingest atomic
(a killed process leaves the last committed batch, never half of one).

Each area owns migration files in ``store/schema/`` (``NNN_name.sql``), applied once
each, in number order, and recorded in the ``schema_migrations`` table
(``store/migrations.py``), so a store written by an older release is upgraded in
place and adding a source never edits another's schema.
"""

from __future__ import annotations

import contextlib
import errno
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osslever.errors import UserError
from osslever.store import migrations

if TYPE_CHECKING:
    import duckdb

# ``duckdb`` (~65 ms to import) is imported where a store is opened or used, not with
# this module: a command can start work that needs no store (GH Archive readers) first.


def interrupted(exc: BaseException) -> bool:
    """Whether a DuckDB error is really a Ctrl-C that landed while DuckDB called into Python.

    DuckDB reads a registered Python object (an Arrow table) by calling back into
    Python; a ``KeyboardInterrupt`` raised there comes back as ``InvalidInputException``
    ("reading the schema of the object registered as 'v' failed: KeyboardInterrupt"),
    the type a bad value also has. Code that catches bad values and goes on must
    re-raise these as the interruption they are: an ingest stopped by Ctrl-C once
    reported a file as rejected and exited 1 instead of 130.
    """
    import duckdb

    return isinstance(exc, duckdb.InvalidInputException) and bool(_INTERRUPTED_CALL.search(str(exc)))


_INTERRUPTED_CALL = re.compile(r"the object registered as '[^']*' failed: KeyboardInterrupt\b")


def _translate(exc: Exception, path: Path) -> UserError:
    text = str(exc)
    lowered = text.lower()
    if "lock" in lowered and ("conflicting" in lowered or "could not set lock" in lowered):
        return UserError("store.locked", path=str(path))
    if "no space" in lowered or getattr(exc, "errno", None) == errno.ENOSPC:
        return UserError("store.no_space", path=str(path))
    if "not a valid duckdb" in lowered or "corrupt" in lowered or "magic" in lowered:
        return UserError("store.corrupt", path=str(path), detail=text.splitlines()[0][:200])
    return UserError("store.failed", path=str(path), detail=text.splitlines()[0][:200])


class Store:
    """A DuckDB connection plus the few conventions every writer follows."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError("store.failed", path=str(self.path), detail=str(exc)) from exc
        self.con = self._connect(read_only)
        try:
            if not read_only:
                self._migrate()
            elif migrations.pending(self.con, str(self.path)):
                self._upgrade_then_read()
        except BaseException:
            self.close()
            raise

    def _upgrade_then_read(self) -> None:
        """An older store opened for reading: upgrade it in place once, then read."""
        self.con.close()
        self.con = self._connect(False)
        try:
            self._migrate()
        finally:
            self.con.close()
        self.con = self._connect(True)

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        import duckdb

        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.Error, OSError) as exc:
            raise _translate(exc, self.path) from exc

    def _migrate(self) -> None:
        migrations.upgrade(self)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: what runs inside is committed together or not at all."""
        import duckdb

        try:
            self.con.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise _translate(exc, self.path) from exc
        try:
            yield self.con
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            raise
        try:
            self.con.execute("COMMIT")
        except (duckdb.Error, OSError) as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            raise _translate(exc, self.path) from exc

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        import duckdb

        try:
            return self.con.execute(sql, params or [])
        except duckdb.IOException as exc:
            raise _translate(exc, self.path) from exc

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a query and return rows as dicts (column name → value)."""
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def release_cache(self) -> None:
        """Hand the blocks DuckDB keeps cached back, between large units of work.

        Why: DuckDB's buffer pool keeps what it read or wrote up to its memory limit
        (80 % of RAM by default), so a long run of large steps — a chain of OpenRank
        months of all GitHub — would hold gigabytes it no longer needs. Lowering the
        limit evicts the cache (committed data is on disk, or kept for ``:memory:``);
        the store never sets a limit of its own, so the default comes back after.
        """
        import duckdb

        with contextlib.suppress(duckdb.Error):
            self.con.execute("SET memory_limit = '64MB'")
        with contextlib.suppress(duckdb.Error):
            self.con.execute("RESET memory_limit")

    def close(self) -> None:
        import duckdb

        with contextlib.suppress(duckdb.Error):
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: Path | str | None = None, read_only: bool = False) -> Store:
    from osslever.paths import default_db

    return Store(path or default_db(), read_only=read_only)
