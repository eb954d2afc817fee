"""The HTML pages: server-rendered text and tables, charts drawn by ``static/charts.js``.

Each page calls the same section functions as the API and shows a "not
available" panel for a section whose area is missing or has no data.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from osslever.i18n import t
from osslever.web import billing, dossier, profiles, projects, sections
from osslever.web.errors import Unavailable
from osslever.web.render import page, request_lang
from osslever.web.security import SESSION_COOKIE


def _backend(request: Request) -> Any:
    return request.app.state.backend


def _attempt(lang: str, fn: Any) -> tuple[Any, str | None]:
    """(value, None) or (None, the reason it is not available)."""
    try:
        return fn(), None
    except Unavailable as exc:
        return None, exc.render(lang)


def error_page(request: Request, lang: str, exc: Unavailable) -> Response:
    """The site's page for "nothing to show here", with the reason and its status."""
    return page(
        request,
        "error.html.j2",
        lang,
        status=exc.status if exc.status < 500 else 404,
        title=t("web.error.title", lang),
        message=exc.render(lang),
    )


def _render(template: str, build: Any) -> Any:
    async def handler(request: Request) -> Response:
        lang = request_lang(request)
        try:
            context = await run_in_threadpool(build, request, lang)
        except Unavailable as exc:
            return error_page(request, lang, exc)
        return page(request, template, lang, **context)

    return handler


def _projects(request: Request, lang: str) -> dict[str, Any]:
    query = request.query_params.get("q", "")[:200]
    with _backend(request).reading() as store:
        listed = projects.list_projects(store, query)
    return {"title": t("web.projects.title", lang), "listing": listed, "query": query, "script": {"page": "projects"}}


def _project(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    with backend.reading() as store:
        doc = sections.overview(backend, store, request.query_params.get("id", ""), lang)
    report = doc.get("report")
    chart_data = {"page": "project"}
    if report:
        chart_data["monthly"] = report["community"].get("monthly", [])
    if doc.get("events"):
        chart_data["events"] = doc["events"].get("monthly", [])
    return {"title": doc["project"]["name"], "doc": doc, "script": chart_data}


def _compare(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    chosen = [p for p in request.query_params.getlist("id") if p]
    with backend.reading() as store:
        listed = projects.list_projects(store, "")
        doc, reason = _attempt(lang, lambda: sections.compare(backend, store, chosen, lang)) if chosen else (None, None)
    series = []
    if doc:
        for item in doc["projects"]:
            monthly = (item.get("report") or {}).get("community", {}).get("monthly", [])
            series.append({"name": item["project"]["name"], "monthly": monthly})
    return {
        "title": t("web.compare.title", lang),
        "doc": doc,
        "reason": reason,
        "chosen": chosen,
        "listing": listed,
        "script": {"page": "compare", "series": series},
    }


def _rankings(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    by = request.query_params.get("by", "openrank")
    by = by if by in ("openrank", "activity") else "openrank"
    period = request.query_params.get("period", "")[:20]
    git_by = request.query_params.get("git_by", "active_contributors_12m")
    git_by = git_by if git_by in sections.GIT_RANK_KEYS else "active_contributors_12m"
    events_doc, events_reason = _attempt(lang, lambda: sections.rank_events(backend, by, period or None, 50, lang))
    with backend.reading() as store:
        git_doc, git_reason = _attempt(lang, lambda: sections.rank_git(backend, store, git_by, lang))
    return {
        "title": t("web.rankings.title", lang),
        "events": events_doc,
        "events_reason": events_reason,
        "git": git_doc,
        "git_reason": git_reason,
        "by": by,
        "period": period,
        "git_by": git_by,
        "git_keys": sections.GIT_RANK_KEYS,
        "script": {"page": "rankings"},
    }


def _finance(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    chosen = request.query_params.get("billing", "")[:100]
    as_of = request.query_params.get("as_of", "")[:20]
    with backend.reading() as store:
        listed = billing.list_billing(store)
        if not chosen and listed["billing"]:
            chosen = listed["billing"][0]["name"]
        doc, reason = (
            _attempt(lang, lambda: billing.finance(backend, store, chosen, as_of or None, lang))
            if chosen
            else (None, None)
        )
    return {
        "title": t("web.finance.title", lang),
        "listing": listed,
        "chosen": chosen,
        "as_of": as_of,
        "doc": doc,
        "reason": reason,
        "script": {"page": "finance", "movements": (doc or {}).get("movements", [])},
    }


def _assess(request: Request, lang: str) -> dict[str, Any]:
    """The profile form (pre-filled: saved answers, then what the project's repository shows)
    and the latest assessment of the chosen profile."""
    from osslever.models.strategy.profile import flatten
    from osslever.web import profile_form

    backend = _backend(request)
    name = request.query_params.get("profile", "")[:100]
    chosen_project = request.query_params.get("project", "")[:120]
    with backend.reading() as store:
        listed = profiles.list_profiles(store)
        if not name and not chosen_project and listed["profiles"]:
            name = listed["profiles"][0]["name"]
        saved, _ = _attempt(lang, lambda: profiles.get_profile(store, name)) if name else (None, None)
        latest = profiles.latest_for_profile(store, name) if saved else None
        project_list = projects.list_projects(store, "")
        billing_list = billing.list_billing(store)
        project = chosen_project or (saved["project"] if saved else "") or ""
        inference, _ = (
            _attempt(lang, lambda: profiles.inferred_for(backend, store, project)) if project else (None, None)
        )
    declared: dict[str, Any] = {}
    unreadable = None
    if saved:
        try:
            declared = flatten(profiles.parse_profile(saved["body"], lang))
        except Unavailable as exc:
            unreadable = exc.render(lang)
    inferred = dict((inference or {}).get("fields", {}))
    if inference:
        inferred["name"] = {
            "value": inference["project"],
            "provenance": "measured",
            "confidence": 1.0,
            "evidence": [t("web.form.repo_name", lang)],
        }
    sections_ = profile_form.form(lang, declared, inferred, (inference or {}).get("unknown"))
    if saved and not unreadable:
        yaml_body = saved["body"]
    elif inference:
        from osslever.models.profile_inference import profile_yaml

        yaml_body = profile_yaml(inference, inference["project"], lang)  # what `osslever infer` writes
    else:
        yaml_body = t("web.assess.template", lang)
    return {
        "title": t("web.assess.title", lang),
        "name": name or (inference or {}).get("project", ""),
        "saved": saved,
        "latest": latest,
        "listing": listed,
        "project": project,
        "project_list": project_list,
        "billing_list": billing_list,
        "form": sections_,
        "inference": inference,
        "unreadable": unreadable,
        "yaml_body": yaml_body,
        "script": {"page": "assess", "saved": bool(saved)},
    }


projects_page = _render("projects.html.j2", _projects)
project_page = _render("project.html.j2", _project)
compare_page = _render("compare.html.j2", _compare)
rankings_page = _render("rankings.html.j2", _rankings)
finance_page = _render("finance.html.j2", _finance)
assess_page = _render("assess.html.j2", _assess)


async def dossier_page(request: Request) -> Response:
    """``osslever dossier`` of a stored project: the CLI's own page with a bar back to the site."""
    lang = request_lang(request)
    project = request.query_params.get("project", "")
    try:
        return await run_in_threadpool(dossier.page, request, project, lang)
    except Unavailable as exc:
        return error_page(request, lang, exc)


async def login(request: Request) -> Response:
    """Exchange the token for a session cookie (browsers cannot send a Bearer header on navigation)."""
    lang = request_lang(request)
    token = request.app.state.token
    if token is None:
        return RedirectResponse("/", status_code=303)
    if request.method == "GET":
        return page(request, "login.html.j2", lang, title=t("web.login.title", lang), failed=False)
    body = await request.body()
    offered = parse_qs(body[:4096].decode("utf-8", "replace")).get("token", [""])[0]
    if hmac.compare_digest(token.encode(), offered.encode("utf-8", "surrogateescape")):
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, request.app.state.sessions.open(), httponly=True, samesite="strict", path="/"
        )
        return response
    await asyncio.sleep(0.5)  # slows guessing; the offered text is never echoed or logged
    return page(request, "login.html.j2", lang, status=401, title=t("web.login.title", lang), failed=True)


async def no_icon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on JSON pages; answer "nothing" rather than a 404."""
    return Response(status_code=204)
