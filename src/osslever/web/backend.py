"""The server's hold on the store: one DuckDB database, a cursor per request, one writer.

DuckDB allows one process to open a database file for writing, so the server
opens it once and hands every request its own cursor (``reading``): cursors
are separate connections to the same database, which keeps per-request
temporary tables (the metrics' ``commit_facts``) apart. Pages and API GETs
only read: they build documents with the core's read-only builders
(``workspace``). Anything that writes (an ingest job, a saved profile or
upload, the OpenRank refresh at start) goes through ``writing``, which admits
one writer at a time and lets a request give up with "busy" instead of
queueing behind a long ingest. ``read_only=True`` opens the store read-only
(``osslever serve --read-only``): every page works, every write is refused.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from osslever.errors import UserError
from osslever.store import Store, open_store
from osslever.web.errors import Unavailable
from osslever.workspace import Workspace


class _CursorStore(Store):
    """A ``Store`` over one cursor of the server's connection (same conventions, own session)."""

    def __init__(self, path: Path, con: Any) -> None:  # noqa: D107 - no migration: the root did it
        self.path = path
        self.con = con


class Busy(Exception):
    """Another writer holds the store (e.g. an ingest started from the page)."""


class DocumentCache:
    """Documents keyed by what they were computed from (history id + tip + language).

    Keys include the stored tip, so a new ingest makes a new key and the old
    document simply ages out; nothing needs invalidating by hand.
    """

    def __init__(self, size: int = 128) -> None:
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: tuple) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def get_or_compute(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        self.put(key, value)
        return value

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Backend:
    """The store, its single-writer lock and the document cache of one server."""

    def __init__(self, db: Path | str | None = None, write_timeout: float = 15.0, read_only: bool = False) -> None:
        self._root = open_store(db, read_only=read_only)
        self.path = self._root.path
        self.read_only = read_only
        self._writer = threading.Lock()
        self._closed = False
        self.write_timeout = write_timeout
        self.cache = DocumentCache()
        if not read_only:
            self.refresh()

    def refresh(self) -> list[dict[str, Any]]:
        """The refresh steps a server runs before it serves: OpenRank of every stored month.

        Pages then read it as stored; an ingest job refreshes it again for its repository.
        """
        with self.writing(timeout=-1) as store:
            return Workspace(store=store).refresh_openrank()

    @contextlib.contextmanager
    def workspace(self, lang: str | None = None) -> Iterator[Workspace]:
        """The core over a reading session: what a page or an API GET builds its documents with."""
        with self.reading() as store:
            yield Workspace(store=store, lang=lang)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """A store session of its own for one request or job."""
        if self._closed:
            raise UserError("store.failed", path=str(self.path), detail="closed")
        cursor = self._root.con.cursor()
        try:
            yield _CursorStore(self.path, cursor)
        finally:
            with contextlib.suppress(duckdb.Error):
                cursor.close()

    @contextlib.contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[Store]:
        """A session that is the only writer while it lasts; ``Busy`` after ``timeout`` s."""
        if self.read_only:
            raise Unavailable("web.unavailable.read_only", status=409)
        wait = self.write_timeout if timeout is None else timeout
        if not self._writer.acquire(timeout=wait if wait >= 0 else -1):
            raise Busy()
        try:
            with self.reading() as store:
                yield store
        finally:
            self._writer.release()

    @property
    def writer_busy(self) -> bool:
        return self._writer.locked()

    def close(self) -> None:
        self._closed = True
        self._root.close()
