"""The license findings a community report carries, cached in the store per commit.

A commit's files never change, so the scan (detection, license history,
dependencies, implications) runs once per analysed commit — by ``ingest git``
or the first ``report`` on it — and every later report reads the cached,
bilingual document and picks its language.
"""

from __future__ import annotations

import json

from osslever.models.license.document import license_document, localize
from osslever.sources.git.repository import Repository
from osslever.store import Store

KIND = "license-summary"


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
        "conflicts": document.get("conflicts", []),
        "implications": [
            {"rule": i["rule"], "text": i["text"], "source": i.get("source")} for i in document.get("implications", [])
        ],
    }


def cached_summary(store: Store, repo: Repository, tip: str, lang: str | None = None) -> dict:
    """License findings at commit ``tip`` (texts in ``lang``, or bilingual when None)."""
    key = f"{repo.git_dir}@{tip}"
    row = store.execute("SELECT document FROM document_cache WHERE kind = ? AND key = ?", [KIND, key]).fetchone()
    if row:
        summary = json.loads(row[0])
    else:
        # The work tree when there is one (a linked worktree's git dir is not a repository
        # on its own); with ``ref`` the files are read from the commit's tree either way.
        # Earlier tips' histories: the history walk then reads only the commits since.
        known = {
            k.rsplit("@", 1)[1]: json.loads(doc).get("history", [])
            for k, doc in store.execute(
                "SELECT key, document FROM document_cache WHERE kind = ? AND starts_with(key, ?)",
                [KIND, f"{repo.git_dir}@"],
            ).fetchall()
        }
        summary = _summary(license_document(repo.work_tree or repo.git_dir, ref=tip, known_history=known))
        with store.transaction() as con:
            con.execute("INSERT OR REPLACE INTO document_cache VALUES (?, ?, ?)", [KIND, key, json.dumps(summary)])
    return localize(summary, lang) if lang else summary
