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

# Bumped when the summary's fields change, so a cached summary of an older shape is rebuilt.
KIND = "license-summary/2"


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


def cached_summary(store: Store, repo: Repository, tip: str, lang: str | None = None) -> dict:
    """License findings at commit ``tip`` (texts in ``lang``, or bilingual when None)."""
    key = f"{repo.git_dir}@{tip}"
    row = store.execute("SELECT document FROM document_cache WHERE kind = ? AND key = ?", [KIND, key]).fetchone()
    if row:
        summary = json.loads(row[0])
    else:
        # The work tree when there is one (a linked worktree's git dir is not a repository
        # on its own); with ``ref`` the files are read from the commit's tree either way.
        summary = _summary(license_document(repo.work_tree or repo.git_dir, ref=tip))
        with store.transaction() as con:
            con.execute("INSERT OR REPLACE INTO document_cache VALUES (?, ?, ?)", [KIND, key, json.dumps(summary)])
    return localize(summary, lang) if lang else summary
