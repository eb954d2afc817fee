"""The JSON REST API: the same documents the CLI prints, one endpoint per thing a page shows.

The schema is ``openapi.yaml`` beside this file, served at ``/api/openapi.json``.
Errors are ``{"error": {"code", "message"}}`` with a status that says whose
move it is: 400 bad parameter, 404 no such data, 409 not ready, 413 too large,
422 input the core rejected (its own one-line message), 501 a part of
osslever missing from this build (an ``ImportError``), 503 the store's writer
is busy. Every handler is one call into the core (``sections``, ``Workspace``).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response

from osslever import __version__
from osslever.errors import UserError
from osslever.i18n import t
from osslever.web import billing, profiles, projects, sections
from osslever.web import dossier as dossiers
from osslever.web.backend import Backend, Busy
from osslever.web.errors import Unavailable
from osslever.web.jobs import Jobs
from osslever.web.render import request_lang

log = logging.getLogger("osslever.web")
MAX_JSON = 256 * 1024
MAX_REQUEST = 50 * 1024 * 1024  # the largest body any route takes (a billing upload, web/billing.py)


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")


def error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JSON:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JSON({"error": body}, status_code=status)


def endpoint(fn: Callable[..., Any]) -> Callable[[Request], Any]:
    """Run ``fn(request, lang)`` in the thread pool; turn known failures into JSON errors."""

    @functools.wraps(fn)
    async def run(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        lang = request_lang(request)
        try:
            body = None
            if request.method in ("PUT", "POST"):
                body = await _bounded_body(request)
                if body is None:  # the client went away mid-upload: nobody to answer
                    return Response(status_code=400)
            result = (
                await run_in_threadpool(fn, request, lang, body)
                if body is not None
                else await run_in_threadpool(fn, request, lang)
            )
        except Unavailable as exc:
            answer = error(exc.status, exc.key.rsplit(".", 1)[-1], exc.render(lang), exc.field_errors)
            if exc.status == 429:
                answer.headers["retry-after"] = "30"
            return answer
        except Busy:
            answer = error(503, "busy", t("web.unavailable.busy", lang))
            answer.headers["retry-after"] = "15"
            return answer
        except UserError as exc:
            return error(422, exc.key, exc.render(lang))
        except ImportError as exc:  # a build without an area (e.g. no Spark): say which, not "internal"
            log.info("API %s: %s", request.url.path, exc)
            return error(501, "not_installed", t("web.unavailable.not_installed", lang, feature=exc.name or str(exc)))
        except Exception:
            log.exception("API %s failed", request.url.path)
            return error(500, "internal", t("web.unavailable.error", lang))
        return result if isinstance(result, Response) else JSON(result)

    return run


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, refused with 413 past ``MAX_REQUEST`` before it is all read.

    ``request.body()`` would buffer whatever the client sends (a declared 10 GB upload
    stalls the handler and grows memory); a client that disconnects mid-upload is not
    an error of the server and is not logged as one.
    """
    from starlette.requests import ClientDisconnect

    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > MAX_REQUEST:
        raise Unavailable("web.unavailable.too_large", status=413, limit=MAX_REQUEST)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_REQUEST:
                raise Unavailable("web.unavailable.too_large", status=413, limit=MAX_REQUEST)
            chunks.append(chunk)
    except ClientDisconnect:
        return None
    return b"".join(chunks)


def _backend(request: Request) -> Backend:
    return request.app.state.backend


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name=name) from None
    if not low <= value <= high:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name=name)
    return value


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name=name)
    return value


def _json_body(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_JSON:
        raise Unavailable("web.unavailable.too_large", status=413, limit=MAX_JSON)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unavailable("web.unavailable.bad_json", status=400) from None
    if not isinstance(data, dict):
        raise Unavailable("web.unavailable.bad_json", status=400)
    return data


def _optional_str(data: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise Unavailable("web.unavailable.bad_parameter", status=400, name=key)
    return value


@lru_cache(maxsize=1)
def openapi_schema() -> dict[str, Any]:
    text = (resources.files("osslever.web") / "openapi.yaml").read_text(encoding="utf-8")
    schema = yaml.safe_load(text)
    schema["info"]["version"] = __version__
    _document_schemas(schema)
    return schema


# The API's names for the documents the CLI prints; their schemas are generated from the types.
DOCUMENT_SCHEMAS = {
    "Report": "report",
    "Metrics": "metrics",
    "License": "license",
    "Assessment": "assess",
    "Finance": "finance-metrics",
    "RankEvents": "rank",
    "Dossier": "dossier",
}


def _document_schemas(schema: dict[str, Any]) -> None:
    """Put the generated document schemas (``osslever.documents``) in place of the hand-written ones."""
    from osslever import documents

    by_kind, defs = documents.components()
    schemas = schema["components"]["schemas"]
    schemas.update(defs)
    schemas["EventsSummary"] = {
        "description": schemas["EventsSummary"].get("description", ""),
        "$ref": "#/components/schemas/" + documents.COMPONENT_PREFIX + "Events",
    }
    for name, kind in DOCUMENT_SCHEMAS.items():
        schemas[name] = {"description": schemas.get(name, {}).get("description", ""), **by_kind[kind]}


async def openapi(request: Request) -> Response:
    return JSON(openapi_schema())


@endpoint
def health(request: Request, lang: str) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "writer_busy": _backend(request).writer_busy}


@endpoint
def list_projects(request: Request, lang: str) -> dict[str, Any]:
    query = request.query_params.get("q", "")
    if len(query) > 200:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="q")
    with _backend(request).reading() as store:
        return projects.list_projects(store, query)


@endpoint
def overview(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    with backend.reading() as store:
        return sections.overview(backend, store, _required(request, "project"), lang)


def _section(name: str) -> Callable[[Request, str], dict[str, Any]]:
    def run(request: Request, lang: str) -> dict[str, Any]:
        backend = _backend(request)
        with backend.reading() as store:
            info = projects.project_info(store, _required(request, "project"))
            if name == "report":
                return sections.report(backend, store, info, lang)
            if name == "events":
                return sections.events(store, info, lang)
            return sections.license_(backend, info, lang)

    run.__name__ = name
    return run


report = endpoint(_section("report"))
events = endpoint(_section("events"))
license_ = endpoint(_section("license"))


@endpoint
def dossier(request: Request, lang: str) -> dict[str, Any]:
    """The ``osslever dossier --format json`` document of the project's stored history."""
    backend = _backend(request)
    with backend.reading() as store:
        return dossiers.build(backend, store, _required(request, "project"), lang)[0]


@endpoint
def metrics(request: Request, lang: str) -> dict[str, Any]:
    repo = _required(request, "repo")
    projects.check_id(f"gh:{repo}")
    with _backend(request).reading() as store:
        return sections.metrics(store, repo, _required(request, "period"), lang)


@endpoint
def compare(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    with backend.reading() as store:
        return sections.compare(backend, store, request.query_params.getlist("project"), lang)


@endpoint
def rank_events(request: Request, lang: str) -> dict[str, Any]:
    by = request.query_params.get("by", "openrank")
    if by not in ("openrank", "activity"):
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="by")
    period = request.query_params.get("period") or None
    if period is not None and len(period) > 20:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="period")
    return sections.rank_events(_backend(request), by, period, _int(request, "top", 50, 1, 1000), lang)


@endpoint
def rank_git(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    with backend.reading() as store:
        return sections.rank_git(backend, store, request.query_params.get("by", "active_contributors_12m"), lang)


@endpoint
def list_billing(request: Request, lang: str) -> dict[str, Any]:
    with _backend(request).reading() as store:
        return billing.list_billing(store)


@endpoint
def put_billing(request: Request, lang: str, body: bytes) -> Response:
    saved = billing.save_billing(_backend(request), request.path_params["name"], body)
    return JSON(saved, status_code=201)


@endpoint
def finance(request: Request, lang: str) -> dict[str, Any]:
    backend = _backend(request)
    as_of = request.query_params.get("as_of") or None
    if as_of is not None and len(as_of) > 20:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="as_of")
    with backend.reading() as store:
        return billing.finance(backend, store, _required(request, "billing"), as_of, lang)


@endpoint
def list_profiles(request: Request, lang: str) -> dict[str, Any]:
    with _backend(request).reading() as store:
        return profiles.list_profiles(store)


@endpoint
def get_profile(request: Request, lang: str) -> dict[str, Any]:
    with _backend(request).reading() as store:
        return profiles.get_profile(store, request.path_params["name"])


@endpoint
def put_profile(request: Request, lang: str, body: bytes) -> dict[str, Any]:
    data = _json_body(body)
    links = (_optional_str(data, "project"), _optional_str(data, "billing"))
    if "fields" in data:  # the form's answers, {path: value}
        if not isinstance(data["fields"], dict):
            raise Unavailable("web.unavailable.bad_parameter", status=400, name="fields")
        return profiles.save_fields(_backend(request), request.path_params["name"], data["fields"], *links, lang)
    text = _optional_str(data, "body")
    if text is None:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="body")
    return profiles.save_profile(_backend(request), request.path_params["name"], text, *links, lang)


@endpoint
def assess(request: Request, lang: str, body: bytes) -> dict[str, Any]:
    return profiles.assess(_backend(request), request.path_params["name"], lang)


@endpoint
def latest_assessment(request: Request, lang: str) -> dict[str, Any]:
    name = profiles.check_name(_required(request, "profile"))
    with _backend(request).reading() as store:
        found = profiles.latest_for_profile(store, name)
    if found is None:
        raise Unavailable("web.unavailable.no_assessment", project=name)
    return found


@endpoint
def ingest(request: Request, lang: str, body: bytes) -> Response:
    data = _json_body(body)
    location = _optional_str(data, "location")
    if not location:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="location")
    job = _jobs(request).submit(location, _optional_str(data, "ref", "HEAD") or "HEAD", lang)
    return JSON(job.public(), status_code=202)


@endpoint
def list_jobs(request: Request, lang: str) -> dict[str, Any]:
    return {"jobs": [j.public() for j in _jobs(request).all()]}


@endpoint
def get_job(request: Request, lang: str) -> dict[str, Any]:
    return _jobs(request).get(request.path_params["job"]).public()
