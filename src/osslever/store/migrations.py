"""Ordered, recorded schema migrations: how a store written by an older osslever catches up.

Why: the store used to re-run ``CREATE ... IF NOT EXISTS`` on open, so a table
created by an older release never got a column added later. Now each file in
``store/schema/`` is a migration, ``NNN_name.sql``, applied once, in number order,
each in its own transaction together with its row in ``schema_migrations``
(id, name, applied_at) — the approach of sqlite-utils' migration plugin
(``sqlite-migrate``: a table of applied migration names, unapplied ones run in
order). A killed upgrade leaves the store at the last completed migration and the
next open finishes the job.

Rules for whoever changes a table:

* never edit a migration that has been released — add a new file with the next
  free number (``110_events_add_x.sql``) holding ``ALTER TABLE`` / ``UPDATE``
  statements; ``tests/test_store_migrations.py`` compares the released files with
  the copies in ``tests/fixtures/store_5cce212/``;
* the baseline migrations (010 … 090, the schema of release 5cce212) keep their
  ``IF NOT EXISTS``: a store from before this module has those tables already and
  simply records them as applied.

A store that records a migration this code does not know was written by a newer
osslever: opening it is a one-line user error, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from osslever.errors import UserError

if TYPE_CHECKING:
    import duckdb

    from osslever.store import Store

TABLE = "schema_migrations"
_FILE = re.compile(r"^(\d{3,6})_([a-z0-9_]+)\.sql$")
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id          INTEGER NOT NULL PRIMARY KEY,  -- the file's number: order of application
    name        VARCHAR NOT NULL,              -- the file's name without .sql
    applied_at  TIMESTAMP NOT NULL             -- UTC
)
"""


@dataclass(frozen=True)
class Migration:
    id: int
    name: str
    sql: str


def available() -> list[Migration]:
    """Every migration shipped with this code, in order (a duplicate number is a bug)."""
    folder = resources.files("osslever") / "store" / "schema"
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            if entry.name.endswith(".sql"):
                raise RuntimeError(f"store/schema/{entry.name}: name must be NNN_lowercase_name.sql")
            continue
        number = int(match.group(1))
        if number in found:
            raise RuntimeError(
                f"store/schema: migration number {number} used twice ({found[number].name}, {entry.name})"
            )
        found[number] = Migration(number, entry.name[:-4], entry.read_text(encoding="utf-8"))
    return [found[n] for n in sorted(found)]


def applied(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(id, name) of the migrations recorded in a store, in order; [] before the first."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", [TABLE]
    ).fetchone()
    if not exists or not exists[0]:
        return []
    return [(int(i), str(n)) for i, n in con.execute(f"SELECT id, name FROM {TABLE} ORDER BY id").fetchall()]


def pending(con: duckdb.DuckDBPyConnection, path: str) -> list[Migration]:
    """Migrations still to apply; raises ``store.too_new`` if the store is ahead of the code."""
    known = available()
    names = {m.name for m in known}
    recorded = applied(con)
    unknown = [name for _, name in recorded if name not in names]
    if unknown:
        raise UserError("store.too_new", path=path, found=unknown[-1], known=known[-1].name if known else "-")
    done = {name for _, name in recorded}
    return [m for m in known if m.name not in done]


def upgrade(store: Store) -> list[Migration]:
    """Apply every pending migration, each in one transaction with its record; returns them."""
    import duckdb

    with store.transaction() as con:
        con.execute(_CREATE)
    todo = pending(store.con, str(store.path))
    for migration in todo:
        try:
            with store.transaction() as con:
                con.execute(migration.sql)
                con.execute(
                    f"INSERT INTO {TABLE} VALUES (?, ?, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))",
                    [migration.id, migration.name],
                )
        except duckdb.Error as exc:
            raise UserError(
                "store.migration_failed",
                path=str(store.path),
                migration=migration.name,
                detail=str(exc).splitlines()[0][:200],
            ) from exc
    return todo
