"""The dossier of a project in the store: ``osslever dossier PATH`` without its refresh step.

The CLI refreshes the store from the repository and then builds; a page only reads
(ingest jobs refresh), so this builds ``Workspace.dossier`` on the stored history as it
is. The project's files — what the profile is inferred from and the license read from —
are its working tree when it is still on this machine, else the cached clone: the same
choice the license section makes, so a page never clones or fetches. A saved profile
linked to the project supplies the declared values and its linked billing upload the
finance evidence, exactly as ``--profile`` and ``--billing`` do for the CLI.

The page is the CLI's HTML file itself (``outputs.dossier.render_html``) with a bar back
into the site, not a second template: one renderer, so the file a founder is sent and
the page they browse cannot say different things. The file carries its stylesheet
inline (it must open offline); the page allows exactly that stylesheet by its hash in
the Content-Security-Policy, and nothing else inline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from osslever.errors import UserError
from osslever.store import Store
from osslever.web import billing, profiles
from osslever.web.backend import Backend
from osslever.web.errors import Unavailable
from osslever.web.projects import project_info
from osslever.web.render import environment, remember_lang, site_context
from osslever.web.security import CSP
from osslever.workspace import Workspace

STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
HEAD = '<link rel="stylesheet" href="/static/dossier.css">\n<script type="module" src="/static/app.js"></script>\n'


def _project_ids(info: dict[str, Any]) -> list[str]:
    """Every id the project is known by (a profile may be linked to either)."""
    ids = [info["id"]]
    if info.get("history"):
        ids.append(f"git:{info['history']['history_id']}")
    if info.get("events_repo"):
        ids.append(f"gh:{info['events_repo']}")
    return list(dict.fromkeys(ids))


def linked_profile(store: Store, info: dict[str, Any]) -> dict[str, Any] | None:
    """The saved profile linked to the project (the most recently saved one if several)."""
    ids = _project_ids(info)
    marks = ", ".join("?" for _ in ids)
    rows = store.rows(
        f"SELECT name, body, billing, updated_at FROM web_profiles WHERE project IN ({marks})"
        " ORDER BY updated_at DESC, name LIMIT 1",
        ids,
    )
    return rows[0] if rows else None


def files_of(history: dict[str, Any]) -> str:
    """Where the repository's files are read: the working tree given, else the cached clone."""
    from osslever.sources.git.repository import is_url

    location = history["location"]
    if not is_url(location) and Path(location).exists():
        return location
    if history["git_dir"] and Path(history["git_dir"]).exists():
        return history["git_dir"]
    raise Unavailable("web.unavailable.dossier_no_checkout", location=location)


def build(backend: Backend, store: Store, project: str, lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``dossier`` document of a stored project, and what it was built from.

    The second value names the project, the saved profile and the billing upload used
    (``None`` when there is none), for the page to say so. Cached by the stored tip and
    by when the profile and upload were saved: a new ingest or a new save is a new key.
    """
    if not project:
        raise Unavailable("web.unavailable.bad_parameter", status=400, name="project")
    info = project_info(store, project)
    history = info.get("history")
    if not history:
        raise Unavailable("web.unavailable.no_git", project=info["id"])
    if not history["complete"] or not history["tip"]:
        raise Unavailable("web.unavailable.incomplete", status=409, name=history["name"])
    location = files_of(history)
    saved = linked_profile(store, info)
    declared = profiles.parse_profile(saved["body"], lang) if saved else None
    upload: tuple[str, bytes, Any] | None = None
    if saved and saved["billing"]:
        try:
            upload = (saved["billing"], *billing.upload(store, saved["billing"]))
        except Unavailable:
            upload = None  # linked to an upload that was never made: no finance evidence, as assess does
    key = (
        "dossier",
        history["history_id"],
        history["tip"],
        lang,
        location,
        (saved["name"], saved["updated_at"]) if saved else None,
        (upload[0], upload[2]) if upload else None,
    )

    def compute() -> dict[str, Any]:
        ws = Workspace(store=store, lang=lang)
        try:
            if upload is None:
                return ws.dossier(history["history_id"], location, profile=declared)
            name, content, _ = upload
            with billing.as_file(name, content) as path:
                doc = ws.dossier(history["history_id"], location, profile=declared, billing=path)
        except UserError as exc:
            raise Unavailable("web.unavailable.failed", status=422, detail=exc.render(lang)) from exc
        source = (doc["documents"].get("finance") or {}).get("source")
        if isinstance(source, dict) and "file" in source:
            source["file"] = name  # the upload's name, not the server's temporary file
        return doc

    used = {
        "project": info["id"],
        "name": info["name"],
        "profile": saved["name"] if saved else None,
        "billing": upload[0] if upload else None,
    }
    return backend.cache.get_or_compute(key, compute), used


def csp_for(html: str) -> str:
    """The site's policy, with the page's own inline stylesheet(s) allowed by hash."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"
        for css in STYLE.findall(html)
    ]
    policy = CSP.replace("style-src 'self'", " ".join(["style-src 'self'", *hashes]), 1)
    if hashes and policy == CSP:
        raise RuntimeError("the site's CSP has no style-src 'self' to extend")
    return policy


def page(request: Request, project: str, lang: str) -> HTMLResponse:
    """The CLI's dossier HTML with the site's bar after ``<body>``, in the site's language."""
    from osslever.outputs.dossier import render_html

    backend: Backend = request.app.state.backend
    with backend.reading() as store:
        doc, used = build(backend, store, project, lang)
    html = render_html(doc)
    bar = (
        environment()
        .get_template("dossier_page.html.j2")
        .render(**site_context(request, lang), used=used, script={"page": "dossier", "lang": lang})
    )
    head, body = html.find("</head>"), html.find("<body>")
    if head < 0 or body < head:
        raise RuntimeError("the dossier page has no </head> and <body> to put the site's bar in")
    start = body + len("<body>")
    html = html[:head] + HEAD + html[head:start] + bar + html[start:]
    response = HTMLResponse(html, headers={"cache-control": "no-store", "content-security-policy": csp_for(html)})
    return remember_lang(request, response)
