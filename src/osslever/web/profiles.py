"""Profiles edited in the browser and the assessments run on them.

A profile is kept as YAML text — the one the form's answers are written to
(``profile_form.to_yaml``), or the text typed in the YAML view (comments and order
intact) — and parsed by the strategy area's own ``load_profile``, so the page reports
exactly the errors ``osslever assess profile.yaml`` would, and that command reads
the stored text as it is. The form is pre-filled with what the linked project's
repository shows (``infer_profile``). Measured evidence
comes from the project and billing data the profile is linked to, and the
assessment is ``Workspace.assess`` on those documents, as the CLI runs it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.store import Store
from osslever.web.backend import Backend, Busy
from osslever.web.errors import Unavailable
from osslever.workspace import Workspace

NAME = re.compile(r"^[^/\x00-\x1f\x7f]{1,100}$")
MAX_BODY = 64_000


def check_name(name: str) -> str:
    if not NAME.match(name or "") or not name.strip():
        raise Unavailable("web.unavailable.bad_name", status=400)
    return name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "body": row["body"],
        "project": row["project"],
        "billing": row["billing"],
        "updated_at": row["updated_at"].isoformat(),
    }


def list_profiles(store: Store) -> dict[str, Any]:
    rows = store.rows("SELECT * FROM web_profiles ORDER BY lower(name)")
    return {"schema_version": 1, "profiles": [{k: v for k, v in _record(r).items() if k != "body"} for r in rows]}


def get_profile(store: Store, name: str) -> dict[str, Any]:
    rows = store.rows("SELECT * FROM web_profiles WHERE name = ?", [check_name(name)])
    if not rows:
        raise Unavailable("web.unavailable.no_profile", name=name)
    return _record(rows[0])


def parse_profile(body: str, lang: str) -> dict[str, Any]:
    """The profile as the strategy area reads it (its validation, its messages)."""
    if len(body) > MAX_BODY:
        raise Unavailable("web.unavailable.too_large", status=413, limit=MAX_BODY)
    from osslever.models.strategy import load_profile

    with tempfile.TemporaryDirectory(prefix="osslever-profile-") as folder:
        path = Path(folder) / "profile.yaml"
        path.write_text(body, encoding="utf-8")
        try:
            return load_profile(path)
        except UserError as exc:
            detail = exc.render(lang).replace(folder + "/", "")
            raise Unavailable("web.unavailable.bad_profile", status=422, detail=detail) from exc


def save_profile(
    backend: Backend, name: str, body: str, project: str | None, billing: str | None, lang: str
) -> dict[str, Any]:
    from osslever.web.projects import check_id

    check_name(name)
    if project:
        check_id(project)
    if billing:
        check_name(billing)
    parse_profile(body, lang)
    try:
        with backend.writing() as store, store.transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO web_profiles VALUES (?, ?, ?, ?, ?)",
                [name, body, project or None, billing or None, _now()],
            )
    except Busy:
        raise Unavailable("web.unavailable.busy", status=503) from None
    with backend.reading() as store:
        return get_profile(store, name)


def save_fields(
    backend: Backend, name: str, fields: dict[str, Any], project: str | None, billing: str | None, lang: str
) -> dict[str, Any]:
    """Save the form's answers (``{path: value}``) as the profile YAML; per-field errors as 422.

    The fields the form does not ask keep what the saved profile of that name declares,
    so answering the form never drops a value only the YAML view can set.
    """
    from osslever.web import profile_form

    check_name(name)
    answers, errors = profile_form.check(fields, lang)
    if errors:
        raise Unavailable("web.unavailable.bad_fields", status=422, field_errors=errors, count=len(errors))
    previous = None
    with backend.reading() as store:
        rows = store.rows("SELECT body FROM web_profiles WHERE name = ?", [name])
    if rows:
        with contextlib.suppress(Unavailable):  # an old text that no longer loads keeps nothing
            previous = parse_profile(rows[0]["body"], lang)
    return save_profile(backend, name, profile_form.to_yaml(answers, previous), project, billing, lang)


def inferred_for(backend: Backend, store: Store, project: str) -> dict[str, Any] | None:
    """``infer_profile`` of the project's repository (cached by its tip), or None when the
    project has no complete git history or its repository is no longer on this machine.

    The report and license documents are passed in so the measured fields (contributors,
    bus factor, license) are those the project page shows.
    """
    from osslever.models.profile_inference import infer_profile
    from osslever.sources.git.repository import is_url
    from osslever.web import sections
    from osslever.web.projects import project_info

    info = project_info(store, project)
    history = info.get("history")
    if not history or not history["complete"] or not history["tip"]:
        return None
    location = history["location"]
    if not is_url(location) and Path(location).exists():
        path = Path(location)
    elif history["git_dir"] and Path(history["git_dir"]).exists():
        path = Path(history["git_dir"])
    else:
        return None
    documents: dict[str, Any] = {}
    for key, make in (
        ("report", lambda: sections.report(backend, store, info, "en")),
        ("license", lambda: sections.license_(backend, info, "en")),
    ):
        with contextlib.suppress(Unavailable):
            documents[key] = make()

    def compute() -> dict[str, Any]:
        found = infer_profile(path, documents.get("report"), documents.get("license"))
        found["project"] = info["name"]
        return found

    try:
        return backend.cache.get_or_compute(("inference", history["history_id"], history["tip"]), compute)
    except (UserError, OSError):
        return None


def _evidence_documents(
    backend: Backend, store: Store, profile: dict[str, Any], lang: str
) -> dict[str, dict[str, Any]]:
    """The measured documents the profile is linked to (those that exist)."""
    from osslever.web import billing, sections
    from osslever.web.projects import project_info

    found: dict[str, dict[str, Any]] = {}
    if profile["project"]:
        try:
            info = project_info(store, profile["project"])
        except Unavailable:
            info = None
        if info is not None:
            for key, make in (
                ("report", lambda: sections.report(backend, store, info, lang)),
                ("license", lambda: sections.license_(backend, info, lang)),
                ("events", lambda: sections.latest_metrics(store, info, lang)),
            ):
                try:
                    found[key] = make()
                except Unavailable:
                    continue
    if profile["billing"]:
        with contextlib.suppress(Unavailable):
            found["finance"] = billing.finance(backend, store, profile["billing"], None, lang)
    return found


def assess(backend: Backend, name: str, lang: str) -> dict[str, Any]:
    """Run ``assess_document`` on the saved profile with its measured evidence; keep the result."""
    with backend.reading() as store:
        saved = get_profile(store, name)
        profile = parse_profile(saved["body"], lang)
        documents = _evidence_documents(backend, store, saved, lang)
    try:
        document = Workspace(lang=lang).assess(profile, documents)
    except UserError as exc:
        raise Unavailable("web.unavailable.bad_profile", status=422, detail=exc.render(lang)) from exc
    record = {
        "profile": name,
        "project": saved["project"],
        "billing": saved["billing"],
        "lang": lang,
        "evidence_sources": sorted(documents),
        "document": document,
    }
    try:
        with backend.writing() as store, store.transaction() as con:
            con.execute(
                "INSERT INTO web_assessments (profile, project, lang, document, created_at) VALUES (?, ?, ?, ?, ?)",
                [name, saved["project"], lang, json.dumps(record, ensure_ascii=False, default=str), _now()],
            )
    except Busy:
        pass  # the answer stands; it is only not kept as the "latest" one
    return document


def _assessment_rows(store: Store, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = store.rows(
        f"SELECT assessment_id, document, created_at FROM web_assessments WHERE {where}"
        " ORDER BY assessment_id DESC LIMIT 1",
        params,
    )
    out = []
    for row in rows:
        record = json.loads(row["document"])
        record["id"] = row["assessment_id"]
        record["created_at"] = row["created_at"].isoformat()
        out.append(record)
    return out


def latest_for_profile(store: Store, name: str) -> dict[str, Any] | None:
    rows = _assessment_rows(store, "profile = ?", [name])
    return rows[0] if rows else None


def latest_for_project(store: Store, project: str) -> dict[str, Any]:
    from osslever.web.projects import project_info

    ids = [project]
    info = project_info(store, project)
    if info.get("history"):
        ids.append(f"git:{info['history']['history_id']}")
    if info.get("events_repo"):
        ids.append(f"gh:{info['events_repo']}")
    ids = list(dict.fromkeys(ids))
    marks = ", ".join("?" for _ in ids)
    rows = _assessment_rows(store, f"project IN ({marks})", ids)
    if not rows:
        raise Unavailable("web.unavailable.no_assessment", project=project)
    return rows[0]
