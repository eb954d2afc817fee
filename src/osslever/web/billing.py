"""Billing exports uploaded from the finance page, and their ``finance`` documents.

The upload is kept byte for byte in the store (``web_billing``) and measured by
``Workspace.finance`` (the finance area's ``finance_document``), which reads a file: the bytes are
written to a private temporary file named like the upload for each computation
(then cached by upload time and ``as_of``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.store import Store
from osslever.web.backend import Backend, Busy
from osslever.web.errors import Unavailable
from osslever.web.profiles import check_name
from osslever.workspace import Workspace

MAX_UPLOAD = 50 * 1024 * 1024


def list_billing(store: Store) -> dict[str, Any]:
    rows = store.rows("SELECT name, octet_length(content) AS size, uploaded_at FROM web_billing ORDER BY name")
    return {
        "schema_version": 1,
        "billing": [
            {"name": r["name"], "bytes": int(r["size"]), "uploaded_at": r["uploaded_at"].isoformat()} for r in rows
        ],
    }


def save_billing(backend: Backend, name: str, content: bytes) -> dict[str, Any]:
    check_name(name)
    if not content:
        raise Unavailable("web.unavailable.empty_upload", status=400)
    if len(content) > MAX_UPLOAD:
        raise Unavailable("web.unavailable.too_large", status=413, limit=MAX_UPLOAD)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with backend.writing() as store, store.transaction() as con:
            con.execute("INSERT OR REPLACE INTO web_billing VALUES (?, ?, ?)", [name, content, now])
    except Busy:
        raise Unavailable("web.unavailable.busy", status=503) from None
    return {"name": name, "bytes": len(content), "uploaded_at": now.isoformat()}


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in (".csv", ".tsv", ".json", ".txt") else ".csv"


def upload(store: Store, name: str) -> tuple[bytes, dt.datetime]:
    """The stored bytes of one upload and when it was uploaded (what a cache key needs)."""
    check_name(name)
    rows = store.rows("SELECT content, uploaded_at FROM web_billing WHERE name = ?", [name])
    if not rows:
        raise Unavailable("web.unavailable.no_billing", name=name)
    return bytes(rows[0]["content"]), rows[0]["uploaded_at"]


@contextlib.contextmanager
def as_file(name: str, content: bytes) -> Iterator[Path]:
    """The upload as a private temporary file named like it (the finance area reads files)."""
    with tempfile.TemporaryDirectory(prefix="osslever-billing-") as folder:
        path = Path(folder) / ("billing" + _suffix(name))
        path.write_bytes(content)
        yield path


def finance(backend: Backend, store: Store, name: str, as_of: str | None, lang: str = "en") -> dict[str, Any]:
    """``osslever finance metrics <upload> --as-of AS_OF --format json`` for one upload."""
    content, uploaded = upload(store, name)

    def compute() -> dict[str, Any]:
        with as_file(name, content) as path:
            try:
                document = Workspace(lang=lang).finance(path, as_of=as_of or None)
            except UserError as exc:
                detail = exc.render(lang).replace(str(path), name)
                raise Unavailable("web.unavailable.failed", status=422, detail=detail) from exc
        source = document.get("source")
        if isinstance(source, dict) and "file" in source:
            source["file"] = name  # the upload's name, not the server's temporary file
        return document

    return backend.cache.get_or_compute(("finance", name, uploaded, as_of, lang), compute)
