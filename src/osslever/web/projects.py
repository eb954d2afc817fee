"""What the store holds, as projects: git histories and repositories seen in GitHub events.

A project id names where its data lives: ``git:<history_id>`` for a history in
``git_histories`` and ``gh:<owner>/<name>`` for a repository in ``gh_events``.
A git history whose remote is on GitHub is joined with the events of its
``slug``, so one project page shows both.
"""

from __future__ import annotations

import re
from typing import Any

from osslever.store import Store
from osslever.web.errors import Unavailable

PROJECT_ID = re.compile(r"^(?:git:[0-9]{1,9}|gh:[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100})$")
LIST_LIMIT = 200


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (``%``/``_`` escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _table_exists(store: Store, name: str) -> bool:
    return bool(store.rows("SELECT 1 AS x FROM information_schema.tables WHERE table_name = ? LIMIT 1", [name]))


def _git_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"git:{row['history_id']}",
        "kind": "git",
        "name": row["name"],
        "location": row["location"],
        "ref": row["ref"],
        "slug": row["slug"],
        "commits": int(row["commits"] or 0),
        "complete": bool(row["complete"]),
        "updated_at": row["updated_at"].isoformat(timespec="seconds") if row["updated_at"] else None,
    }


def list_projects(store: Store, query: str = "") -> dict[str, Any]:
    """Projects whose name, location or slug contains ``query`` (case-insensitive)."""
    query = query.strip()
    pattern = _like(query)
    # A history row is written before its first batch; an ingest that failed before any
    # batch leaves it empty and incomplete — a ghost, not a project: it is not listed.
    git = store.rows(
        "SELECT * FROM (SELECT h.history_id, h.name, h.location, h.ref, h.slug, h.complete, h.updated_at,"
        " (SELECT count(*) FROM git_commits c WHERE c.history_id = h.history_id) AS commits"
        " FROM git_histories h"
        " WHERE lower(h.name) LIKE ? ESCAPE '\\' OR lower(h.location) LIKE ? ESCAPE '\\'"
        " OR lower(coalesce(h.slug, '')) LIKE ? ESCAPE '\\') p"
        " WHERE p.complete OR p.commits > 0"
        " ORDER BY lower(p.name), p.history_id LIMIT ?",
        [pattern, pattern, pattern, LIST_LIMIT],
    )
    events: list[dict[str, Any]] = []
    if _table_exists(store, "gh_events"):
        events = [
            {
                "id": f"gh:{r['repo']}",
                "kind": "events",
                "name": r["repo"],
                "events": int(r["n"]),
                "first_event": r["lo"].isoformat(timespec="seconds"),
                "last_event": r["hi"].isoformat(timespec="seconds"),
            }
            for r in store.rows(
                "SELECT lower(repo_name) AS repo, count(*) AS n, min(created_at) AS lo,"
                " max(created_at) AS hi FROM gh_events WHERE lower(repo_name) LIKE ? ESCAPE '\\'"
                " GROUP BY 1 ORDER BY n DESC, repo LIMIT ?",
                [pattern, LIST_LIMIT],
            )
            if PROJECT_ID.match(f"gh:{r['repo']}")
        ]
    return {"schema_version": 1, "query": query, "projects": [_git_row(r) for r in git] + events}


def check_id(project: str) -> str:
    if not PROJECT_ID.match(project or ""):
        raise Unavailable("web.unavailable.bad_project", status=400, project=project)
    return project


def project_info(store: Store, project: str) -> dict[str, Any]:
    """The project's row (see ``list_projects``) plus ``history`` and ``events_repo`` links."""
    check_id(project)
    kind, key = project.split(":", 1)
    if kind == "git":
        rows = store.rows(
            "SELECT h.*, (SELECT count(*) FROM git_commits c WHERE c.history_id = h.history_id)"
            " AS commits FROM git_histories h WHERE h.history_id = ?",
            [int(key)],
        )
        if not rows:
            raise Unavailable("web.unavailable.no_project", project=project)
        info = _git_row(rows[0])
        info["history"] = rows[0]
        info["events_repo"] = (rows[0]["slug"] or "").lower() or None
        return info
    repo = key.lower()
    found = []
    if _table_exists(store, "gh_events"):
        found = store.rows(
            "SELECT count(*) AS n, min(created_at) AS lo, max(created_at) AS hi FROM gh_events"
            " WHERE lower(repo_name) = ?",
            [repo],
        )
    history = store.rows(
        "SELECT h.*, 0 AS commits FROM git_histories h WHERE lower(h.slug) = ?"
        " ORDER BY h.updated_at DESC NULLS LAST LIMIT 1",
        [repo],
    )
    if not (found and found[0]["n"]) and not history:
        raise Unavailable("web.unavailable.no_project", project=project)
    info: dict[str, Any] = {
        "id": project,
        "kind": "events",
        "name": repo,
        "events_repo": repo,
        "events": int(found[0]["n"]) if found else 0,
    }
    info["history"] = history[0] if history else None
    return info


def public(info: dict[str, Any]) -> dict[str, Any]:
    """The project row without internal fields (what the API and pages show)."""
    out = {k: v for k, v in info.items() if k != "history"}
    if info.get("history") and info["kind"] == "events":
        out["git_project"] = f"git:{info['history']['history_id']}"
    return out
