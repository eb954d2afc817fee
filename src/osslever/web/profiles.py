"""Profiles edited in the browser and the assessments run on them.

A profile is kept as the YAML text the user typed (comments and order intact)
and parsed by the strategy area's own ``load_profile``, so the page reports
exactly the errors ``osslever assess profile.yaml`` would. Measured evidence
comes from the project and billing data the profile is linked to, through the
strategy area's ``evidence_from_documents``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from osslever import safe_yaml
from osslever.errors import UserError
from osslever.store import Store
from osslever.web.backend import Backend, Busy
from osslever.web.optional import Unavailable, call, entry_point

NAME = re.compile(r"^[^/\x00-\x1f\x7f]{1,100}$")
MAX_BODY = 64_000
STRATEGY = "osslever.models.strategy"


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
    try:
        load_profile = entry_point(STRATEGY, "load_profile")
    except Unavailable:
        load_profile = None
    if load_profile is None:
        try:
            data = safe_yaml.load(body, "profile")
        except yaml.YAMLError as exc:
            raise Unavailable("web.unavailable.bad_yaml", status=422, detail=str(exc).splitlines()[0]) from exc
        if not isinstance(data, dict):
            raise Unavailable("web.unavailable.bad_yaml", status=422, detail="not a mapping")
        return data
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
            found["finance"] = billing.finance(backend, store, profile["billing"], None)
    return found


def assess(backend: Backend, name: str, lang: str) -> dict[str, Any]:
    """Run ``assess_document`` on the saved profile with its measured evidence; keep the result."""
    assess_document = entry_point(STRATEGY, "assess_document")
    with backend.reading() as store:
        saved = get_profile(store, name)
        profile = parse_profile(saved["body"], lang)
        documents = _evidence_documents(backend, store, saved, lang)
    evidence = None
    if documents:
        evidence_from = entry_point(STRATEGY, "evidence_from_documents")
        evidence = call(evidence_from, **documents)
    try:
        document = call(assess_document, profile, evidence, lang=lang)
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
