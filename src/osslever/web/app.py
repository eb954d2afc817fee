"""The Starlette application: routes, static files, security middleware, shared state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from osslever.web import api, pages
from osslever.web.backend import Backend
from osslever.web.billing import MAX_UPLOAD
from osslever.web.jobs import Jobs
from osslever.web.security import SecurityMiddleware, Sessions


def routes() -> list[Route | Mount]:
    return [
        Route("/", pages.projects_page),
        Route("/project", pages.project_page),
        Route("/compare", pages.compare_page),
        Route("/rankings", pages.rankings_page),
        Route("/finance", pages.finance_page),
        Route("/assess", pages.assess_page),
        Route("/dossier", pages.dossier_page),
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/favicon.ico", pages.no_icon),
        Route("/api/openapi.json", api.openapi),
        Route("/api/health", api.health),
        Route("/api/projects", api.list_projects),
        Route("/api/overview", api.overview),
        Route("/api/report", api.report),
        Route("/api/events", api.events),
        Route("/api/metrics", api.metrics),
        Route("/api/license", api.license_),
        Route("/api/dossier", api.dossier),
        Route("/api/compare", api.compare),
        Route("/api/rankings/events", api.rank_events),
        Route("/api/rankings/git", api.rank_git),
        Route("/api/billing", api.list_billing),
        Route("/api/billing/{name}", api.put_billing, methods=["PUT"]),
        Route("/api/finance", api.finance),
        Route("/api/profiles", api.list_profiles),
        Route("/api/profiles/{name}", api.get_profile, methods=["GET"]),
        Route("/api/profiles/{name}", api.put_profile, methods=["PUT"]),
        Route("/api/profiles/{name}/assess", api.assess, methods=["POST"]),
        Route("/api/assessments/latest", api.latest_assessment),
        Route("/api/ingest", api.ingest, methods=["POST"]),
        Route("/api/jobs", api.list_jobs),
        Route("/api/jobs/{job}", api.get_job),
        Mount("/static", StaticFiles(packages=[("osslever.web", "static")]), name="static"),
    ]


def create_app(
    db: Path | str | None = None,
    token: str | None = None,
    allowed_hosts: Iterable[str] | None = None,
    backend: Backend | None = None,
    read_only: bool = False,
) -> Starlette:
    """The dashboard over the store ``db``.

    ``token``: required from every client when set (see ``security``).
    ``allowed_hosts``: ``Host`` header names served (None = any; ``serve`` pins
    loopback names when it listens on loopback).
    ``read_only``: open the store read-only; pages and GETs work, writes answer 409.
    """
    backend = backend or Backend(db, read_only=read_only)
    sessions = Sessions()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        backend.close()

    app = Starlette(routes=routes(), lifespan=lifespan, max_body_size=MAX_UPLOAD + 1024)
    app.state.backend = backend
    app.state.jobs = Jobs(backend)
    app.state.token = token or None
    app.state.sessions = sessions
    app.add_middleware(SecurityMiddleware, token=token, sessions=sessions, allowed_hosts=allowed_hosts)
    return app
