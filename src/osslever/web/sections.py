"""The documents behind each page section, each from the area that defines it.

Every function returns a document another area builds (the same dict its CLI
command prints) or raises ``Unavailable`` with the reason; the page turns that
into a "not available" panel and the API into an error with a status.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from osslever.engines import get_engine
from osslever.errors import UserError
from osslever.store import Store
from osslever.web.backend import Backend, Busy
from osslever.web.optional import Unavailable, call, entry_point
from osslever.web.projects import project_info, public

log = logging.getLogger("osslever.web")

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


def stored_report(store: Store, history: dict[str, Any], lang: str) -> dict[str, Any]:
    """``report_document``'s answer for a stored history, without touching git or the network.

    ``report_document`` = ingest (a no-op when the stored tip is current) +
    ``build_report``; a page view must not fetch a remote, so it calls
    ``build_report`` on what ingest stored, with the same arguments.
    """
    from osslever.outputs.report import build_report
    from osslever.sources.git.ingest import IngestResult
    from osslever.sources.git.repository import Repository, is_url

    if not history["complete"] or not history["tip"]:
        raise Unavailable("web.unavailable.incomplete", status=409, name=history["name"])
    location = history["location"]
    git_dir = Path(history["git_dir"])
    work_tree = None
    if not is_url(location) and Path(location).resolve() != git_dir.resolve() and Path(location).is_dir():
        work_tree = Path(location)
    repo = Repository(location, git_dir, work_tree, history["name"], history["slug"])
    total = store.execute("SELECT count(*) FROM git_commits WHERE history_id = ?", [history["history_id"]]).fetchone()[
        0
    ]
    result = IngestResult(history["history_id"], history["tip"], 0, 0, total, bool(history["shallow"]))
    return build_report(get_engine("duckdb", store), repo, result, ref=history["ref"], lang=lang)


def report_key(history: dict[str, Any], lang: str) -> tuple:
    return ("report", history["history_id"], history["tip"], lang)


def report(backend: Backend, store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    history = info.get("history")
    if not history:
        raise Unavailable("web.unavailable.no_git", project=info["id"])
    key = report_key(history, lang)
    found = backend.cache.get(key)
    if found is not None:
        return found
    try:
        # build_report keeps per-commit caches in the store (the license of a commit), so a
        # first build is a write: it waits for the single writer like any other
        with backend.writing() as writer:
            found = backend.cache.get(key) or stored_report(writer, history, lang)
    except Busy:
        raise Unavailable("web.unavailable.busy", status=503) from None
    except UserError as exc:
        raise _failed(exc, lang) from exc
    backend.cache.put(key, found)
    return found


# -- events (OpenDigger-style metrics) and OpenRank ----------------------------------------


def events(store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    repo = info.get("events_repo")
    if not repo:
        raise Unavailable("web.unavailable.no_slug", project=info["id"])
    summary = entry_point("osslever.metrics.events", "events_summary")
    try:
        document = summary(get_engine("duckdb", store), repo)
    except UserError as exc:
        raise _failed(exc, lang) from exc
    if not document:
        raise Unavailable("web.unavailable.no_events", repo=repo)
    return document


def metrics(store: Store, repo: str, period: str, lang: str) -> dict[str, Any]:
    document = entry_point("osslever.metrics.events", "metrics_document")
    try:
        return document(get_engine("duckdb", store), repo, period)
    except UserError as exc:
        raise _failed(exc, lang) from exc


def latest_metrics(store: Store, info: dict[str, Any], lang: str) -> dict[str, Any]:
    """The ``metrics`` document of the last month with events (what ``assess`` takes as evidence)."""
    summary = events(store, info, lang)
    return metrics(store, summary["repo"], summary["last_month"], lang)


# -- license -----------------------------------------------------------------------------


def license_(backend: Backend, info: dict[str, Any], lang: str) -> dict[str, Any]:
    from osslever.sources.git.repository import is_url

    history = info.get("history")
    if not history:
        raise Unavailable("web.unavailable.no_git", project=info["id"])
    build = entry_point("osslever.models.license", "license_document")
    location = history["location"]
    if not is_url(location) and Path(location).exists():
        path, ref = location, None  # exactly `osslever license PATH`
    elif Path(history["git_dir"]).exists():
        path, ref = history["git_dir"], history["tip"]  # the cached clone, at the stored tip
    else:
        raise Unavailable("web.unavailable.no_checkout", location=location)

    def compute() -> dict[str, Any]:
        try:
            return call(build, path, online=False, ref=ref, lang=lang)
        except UserError as exc:
            raise _failed(exc, lang) from exc

    return backend.cache.get_or_compute(("license", history["history_id"], history["tip"], lang), compute)


# -- the whole overview and comparisons --------------------------------------------------


def _section(name: str, out: dict[str, Any], missing: dict[str, str], lang: str, fn: Any) -> None:
    try:
        out[name] = fn()
    except Unavailable as exc:
        out[name] = None
        missing[name] = exc.render(lang)
    except Exception:  # a bug in one area must not take the page down; it is logged
        log.exception("section %s failed", name)
        out[name] = None
        from osslever.i18n import t

        missing[name] = t("web.unavailable.error", lang)


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
        _section(name, out, missing, lang, makers[name])
    out["unavailable"] = missing
    return out


def compare(backend: Backend, store: Store, projects: list[str], lang: str) -> dict[str, Any]:
    """Two to five overviews side by side (their report and events documents, unchanged)."""
    unique = list(dict.fromkeys(projects))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        raise Unavailable("web.unavailable.compare_count", status=400, low=COMPARE_MIN, high=COMPARE_MAX)
    return {"schema_version": 1, "projects": [overview(backend, store, p, lang, ("report", "events")) for p in unique]}


# -- rankings ----------------------------------------------------------------------------


def rank_events(backend: Backend, by: str, period: str | None, top: int, lang: str) -> dict[str, Any]:
    """``osslever rank`` (OpenRank or activity); may compute OpenRank months, so it writes."""
    rank_repos = entry_point("osslever.metrics.ranking", "rank_repos")
    try:
        with backend.writing() as store:
            return rank_repos(store, by=by, period=period or None, top=top)
    except Busy:
        raise Unavailable("web.unavailable.busy", status=503) from None
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
