"""The license findings a community report carries, cached in the store per commit.

A commit's files never change, so the scan (detection, license history,
dependencies, implications) runs once per analysed commit — by ``ingest git``
or the first ``report`` on it — and every later report reads the cached,
bilingual document and picks its language.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from osslever.models.license.document import license_document, localize
from osslever.sources.git.repository import Repository
from osslever.store import Store

# Bumped when the summary's fields change, so a cached summary of an older shape is rebuilt.
KIND = "license-summary/3"  # 3: a history event names its license files (2 held status letters)


def _summary(document: dict) -> dict:
    lic = document["license"]
    return {
        "spdx": lic["spdx"],
        "confidence": lic["confidence"],
        "files": lic["files"],
        "category": lic.get("category"),
        "scoped": lic.get("scoped", []),
        "notes": lic.get("notes", []),
        "history": document.get("history", []),
        "dependencies_total": len(document.get("dependencies", [])),
        "dependency_check": document.get("dependency_check"),
        "conflicts": document.get("conflicts", []),
        "implications": [
            {"rule": i["rule"], "text": i["text"], "source": i.get("source")} for i in document.get("implications", [])
        ],
    }


def _key(repo: Repository, tip: str) -> str:
    return f"{repo.git_dir}@{tip}"


def _known(store: Store, repo: Repository) -> dict[str, list[dict]]:
    # Earlier tips' histories from the cache: the history walk then reads only the commits since.
    return {
        k.rsplit("@", 1)[1]: json.loads(doc).get("history", [])
        for k, doc in store.execute(
            "SELECT key, document FROM document_cache WHERE kind = ? AND starts_with(key, ?)",
            [KIND, f"{repo.git_dir}@"],
        ).fetchall()
    }


def _compute(repo: Repository, tip: str, known: dict[str, list[dict]]) -> dict:
    # The work tree when there is one (a linked worktree's git dir is not a repository
    # on its own); with ``ref`` the files are read from the commit's tree either way.
    # No store access here: ``start_refresh`` runs this on another thread.
    return _summary(license_document(repo.work_tree or repo.git_dir, ref=tip, known_history=known))


def _scan(store: Store, repo: Repository, tip: str) -> dict:
    return _compute(repo, tip, _known(store, repo))


def _keep(store: Store, key: str, summary: dict) -> None:
    with store.transaction() as con:
        con.execute("INSERT OR REPLACE INTO document_cache VALUES (?, ?, ?)", [KIND, key, json.dumps(summary)])


def stored_summary(store: Store, repo: Repository, tip: str, lang: str | None = None) -> dict:
    """License findings at commit ``tip`` without writing: the cached document, or a fresh
    scan that is returned but not kept (readers never write; ``refresh_summary`` keeps it)."""
    row = store.execute(
        "SELECT document FROM document_cache WHERE kind = ? AND key = ?", [KIND, _key(repo, tip)]
    ).fetchone()
    summary = json.loads(row[0]) if row else _scan(store, repo, tip)
    return localize(summary, lang) if lang else summary


def refresh_summary(store: Store, repo: Repository, tip: str) -> dict:
    """Scan commit ``tip`` once and keep the bilingual findings in ``document_cache`` (a write)."""
    key = _key(repo, tip)
    row = store.execute("SELECT document FROM document_cache WHERE kind = ? AND key = ?", [KIND, key]).fetchone()
    if row:
        return json.loads(row[0])
    summary = _scan(store, repo, tip)
    _keep(store, key, summary)
    return summary


def start_refresh(store: Store, repo: Repository, tip: str) -> Callable[[], dict]:
    """``refresh_summary`` split in two: the scan starts now on a thread; the returned
    call waits for it, keeps it (the write, on the caller's thread) and returns it.

    Why: the first ``report`` on a repository ingests its history and scans its license;
    the ingest spends most of its time waiting for git's line stats, so the scan (its
    own git reads, the text matching) runs in that time instead of after it. Only the
    caller's thread touches the store (a DuckDB connection is not for concurrent use).
    """
    key = _key(repo, tip)
    row = store.execute("SELECT document FROM document_cache WHERE kind = ? AND key = ?", [KIND, key]).fetchone()
    if row:
        cached = json.loads(row[0])
        return lambda: cached
    known = _known(store, repo)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["summary"] = _compute(repo, tip, known)
        except BaseException as exc:  # re-raised on the caller's thread by finish()
            outcome["error"] = exc

    # A daemon thread: an interrupted ingest exits without waiting for the scan.
    thread = threading.Thread(target=run, name="license-scan", daemon=True)
    thread.start()

    def finish() -> dict:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        _keep(store, key, outcome["summary"])
        return outcome["summary"]

    return finish


def cached_summary(store: Store, repo: Repository, tip: str, lang: str | None = None) -> dict:
    """``refresh_summary`` then the findings in ``lang`` (bilingual when None)."""
    summary = refresh_summary(store, repo, tip)
    return localize(summary, lang) if lang else summary
