"""The documents behind each page section: one read-only call into the core each.

Every function returns the document ``Workspace`` builds (the same dict the CLI
prints) or raises ``Unavailable`` with the reason; the page turns that into a
"not available" panel and the API into an error with a status. Nothing here
writes: the store's derived data (license cache, OpenRank) is refreshed by the
ingest job and at server start (``Backend.refresh``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.store import Store
from osslever.web.backend import Backend
from osslever.web.errors import Unavailable
from osslever.web.projects import project_info, public
from osslever.workspace import Workspace

COMPARE_MIN, COMPARE_MAX = 2, 5
GIT_RANK_KEYS = (
    "active_contributors_12m",
    "new_contributors_12m",
    "commits_total",
    "contributors_total",
    "bus_factor_12m",
    "elephant_factor_12m",
)


def _failed(exc: UserError, lang: str) -> Unavailable:
    return Unavailable("web.unavailable.failed", status=422, detail=exc.render(lang))


# -- report (git community health) -------------------------------------------------------


def report_key(history: dict[str, Any], lang: str) -> tuple:
    return ("report", history["history_id"], history["tip"], lang)


def report(backend: Backend, store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    """``Workspace.report`` of the project's stored history (cached by its tip)."""
    history = info.get("history")
    if not history:
        raise Unavailable("web.unavailable.no_git", project=info["id"])
    if not history["complete"] or not history["tip"]:
        raise Unavailable("web.unavailable.incomplete", status=409, name=history["name"])

    def compute() -> dict[str, Any]:
        try:
            return Workspace(store=store, lang=lang).report(history["history_id"])
        except UserError as exc:
            raise _failed(exc, lang) from exc

    return backend.cache.get_or_compute(report_key(history, lang), compute)


# -- events (OpenDigger-style metrics) and OpenRank ----------------------------------------


def events(store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    repo = info.get("events_repo")
    if not repo:
        raise Unavailable("web.unavailable.no_slug", project=info["id"])
    try:
        document = Workspace(store=store, lang=lang).events(repo)
    except UserError as exc:
        raise _failed(exc, lang) from exc
    if not document:
        raise Unavailable("web.unavailable.no_events", repo=repo)
    return document


def metrics(store: Store, repo: str, period: str, lang: str) -> dict[str, Any]:
    try:
        return Workspace(store=store, lang=lang).metrics(repo, period)
    except UserError as exc:
        raise _failed(exc, lang) from exc


def latest_metrics(store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    """The ``metrics`` document of the last month with events (what ``assess`` takes as evidence)."""
    repo = events(store, info, lang)["repo"]
    try:
        return Workspace(store=store, lang=lang).latest_metrics(repo)
    except UserError as exc:
        raise _failed(exc, lang) from exc


# -- license -----------------------------------------------------------------------------


def license_(backend: Backend, info: dict[str, Any], lang: str) -> dict[str, Any]:
    from osslever.sources.git.repository import is_url

    history = info.get("history")
    if not history:
        raise Unavailable("web.unavailable.no_git", project=info["id"])
    location = history["location"]
    if not is_url(location) and Path(location).exists():
        path, ref = location, None  # exactly `osslever license PATH`
    elif Path(history["git_dir"]).exists():
        path, ref = history["git_dir"], history["tip"]  # the cached clone, at the stored tip
    else:
        raise Unavailable("web.unavailable.no_checkout", location=location)

    def compute() -> dict[str, Any]:
        try:
            return Workspace(lang=lang).license(path, ref=ref)
        except UserError as exc:
            raise _failed(exc, lang) from exc

    return backend.cache.get_or_compute(("license", history["history_id"], history["tip"], lang), compute)


# -- the whole overview and comparisons --------------------------------------------------


def overview(
    backend: Backend,
    store: Store,
    project: str,
    lang: str,
    sections: tuple[str, ...] = ("report", "events", "license", "assessment"),
) -> dict[str, Any]:
    """Everything one project page shows: each section a document or a reason in ``unavailable``."""
    from osslever.web import profiles

    info = project_info(store, project)
    out: dict[str, Any] = {"schema_version": 1, "project": public(info)}
    missing: dict[str, str] = {}
    makers = {
        "report": lambda: report(backend, store, info, lang),
        "events": lambda: events(store, info, lang),
        "license": lambda: license_(backend, info, lang),
        "assessment": lambda: profiles.latest_for_project(store, project),
    }
    for name in sections:
        try:
            out[name] = makers[name]()
        except Unavailable as exc:
            out[name] = None
            missing[name] = exc.render(lang)
    out["unavailable"] = missing
    return out


def compare(backend: Backend, store: Store, projects: list[str], lang: str) -> dict[str, Any]:
    """Two to five overviews side by side: their report and events documents, unchanged, and
    the latest assessment of a profile linked to each (stance and model come from it;
    a project never assessed says so rather than showing a guess)."""
    unique = list(dict.fromkeys(projects))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        raise Unavailable("web.unavailable.compare_count", status=400, low=COMPARE_MIN, high=COMPARE_MAX)
    parts = ("report", "events", "assessment")
    return {"schema_version": 1, "projects": [overview(backend, store, p, lang, parts) for p in unique]}


# -- rankings ----------------------------------------------------------------------------


def rank_events(backend: Backend, by: str, period: str | None, top: int, lang: str) -> dict[str, Any]:
    """``osslever rank`` (OpenRank or activity) over what is stored; never computes OpenRank."""
    try:
        with backend.workspace(lang) as ws:
            return ws.rank(by=by, period=period or None, top=top)
    except UserError as exc:
        raise _failed(exc, lang) from exc


def rank_git(backend: Backend, store: Store, by: str, lang: str) -> dict[str, Any]:
    """Stored git histories ordered by one number of their report documents."""
    if by not in GIT_RANK_KEYS:
        raise Unavailable("web.unavailable.bad_rank_key", status=400, name=by, allowed=", ".join(GIT_RANK_KEYS))
    rows = store.rows("SELECT history_id FROM git_histories WHERE complete ORDER BY history_id")
    items = []
    for row in rows:
        info = project_info(store, f"git:{row['history_id']}")
        try:
            doc = report(backend, store, info, lang)
        except Unavailable:
            continue
        community = doc.get("community", {})
        items.append(
            {
                "project": info["id"],
                "name": info["name"],
                "value": community.get(by),
                "commits_total": community.get("commits_total"),
            }
        )
    items.sort(key=lambda i: (i["value"] is None, -(i["value"] or 0), i["name"].lower()))
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return {"schema_version": 1, "by": by, "items": items}
