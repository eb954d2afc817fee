"""The dossier as HTML (one offline file, print-ready), Markdown and JSON.

The page is ordered as a founder reads: the verdict and its argument, what would change
it, the facts it rests on, then the sections, the glossary and — last — the rule ids
(an appendix, so the prose reads as plain words).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from osslever import glossary
from osslever.i18n import listing, t
from osslever.metrics.community.release_cadence import latest_release
from osslever.outputs import escape
from osslever.outputs.html import environment, pct

EVENT_METRICS = (
    "openrank",
    "activity",
    "attention",
    "stars",
    "participants",
    "new_contributors",
    "issues_new",
    "change_requests",
    "change_requests_accepted",
)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _usd(value: float | None) -> str:
    return "—" if value is None else f"US${value:,.0f}"


def _age_years(doc: dict) -> str:
    first = doc["documents"]["report"]["community"].get("first_commit")
    as_of = doc["documents"]["report"]["community"].get("as_of")
    if not first or not as_of:
        return "—"
    days = (dt.date.fromisoformat(as_of[:10]) - dt.date.fromisoformat(first[:10])).days
    return f"{days / 365.25:.1f}"


def _event_facts(doc: dict, lang: str) -> list[tuple[str, str]]:
    events = doc["documents"].get("events")
    if not events:
        return []
    rows = [(t("dossier.measured_from", lang), f"{events['repo']} · {events['period']}")]
    for key in EVENT_METRICS:
        value = events["metrics"].get(key)
        if value is not None:
            rows.append((glossary.value_name("metric", key, lang), _num(value)))
    return rows


def _reach(doc: dict, lang: str) -> list[tuple[str, str]]:
    """Downloads of the project's packages, star quality and a hard fork, where measured."""
    from osslever.metrics.downloads import latest_full_month

    report, events = doc["documents"]["report"], doc["documents"].get("events") or {}
    rows: list[tuple[str, str]] = []
    for package in report.get("downloads") or events.get("downloads") or []:
        month = latest_full_month([package])
        shown = f"{_num(month['downloads'])} ({month['month']})" if month else t("dossier.reach.no_full_month", lang)
        rows.append((f"{package['ecosystem']}: {package['package']}", shown))
    signals = events.get("signals") or {}
    stars = signals.get("star_quality") or {}
    if stars.get("stars"):
        lockstep = (stars.get("lockstep") or {}).get("share")
        inactive = (stars.get("no_other_activity") or {}).get("share")
        rows.append((glossary.field_name("community.star_lockstep_share", lang), pct(lockstep)))
        rows.append((glossary.field_name("community.star_inactive_share", lang), pct(inactive)))
    fork = signals.get("hard_fork") or {}
    if fork.get("core_contributors"):
        risk = fork.get("risk") or {}
        level = glossary.value_name("community.hard_fork", risk.get("level") or "none", lang)
        rows.append((glossary.field_name("community.hard_fork", lang), f"{level} {risk.get('repo') or ''}".strip()))
    return rows


def license_shown(verdict: dict, lang: str) -> str:
    """The license tile, named as ``glossary.license_name`` names a license (so Chinese never
    shows an id)."""
    lic = verdict["license"]
    shown = [glossary.license_name(x, lang) for x in lic["recommended"]]
    current = glossary.license_name(lic["current"], lang) if lic["current"] else None
    return " / ".join(shown) or current or "—"


def _appendix(doc: dict) -> list[dict[str, str]]:
    """Every rule behind the verdict, once, with its id (the prose never shows ids)."""
    a = doc["documents"]["assess"]
    best = next((m for m in a["business_models"] if m["viable"]), None)
    reasons = list(a["stance"]["reasons"]) + list(a["stance"]["counter_evidence"])
    reasons += list(best["reasons"]) if best else []
    reasons += [r for risk in a["risks"] for r in risk["reasons"]]
    reasons += [c for c in a["readiness"]["checks"]]
    seen, out = set(), []
    for r in reasons:
        if r["rule"] in seen:
            continue
        seen.add(r["rule"])
        out.append({"rule": r["rule"], "text": r["text"], "source": r["source"]})
    return out


def render_html(doc: dict) -> str:
    lang = doc["lang"]
    template = environment().get_template("dossier.html.j2")
    return template.render(
        doc=doc,
        v=doc["verdict"],
        lang=lang,
        L=lambda key, **p: t(f"dossier.{key}", lang, **p),
        F=lambda key, **p: t(f"dossier.facts.{key}", lang, **p),
        latest_release=latest_release,
        FC=lambda key, **p: t(f"dossier.forecast.{key}", lang, **p),
        name=lambda kind, value: glossary.value_name(kind, value, lang),
        pct=pct,
        num=_num,
        usd=_usd,
        age=_age_years(doc),
        license_tile=license_shown(doc["verdict"], lang),
        event_facts=_event_facts(doc, lang),
        reach=_reach(doc, lang),
        appendix=_appendix(doc),
    )


def render_markdown(doc: dict) -> str:
    lang, v, md = doc["lang"], doc["verdict"], escape.md

    def L(key: str, **p: object) -> str:  # noqa: N802 - as in the HTML template
        return t(f"dossier.{key}", lang, **p)

    lines = [f"# {md(L('title', name=doc['name']))}", "", md(L("subtitle")), "", f"## {L('verdict')}", ""]
    lines += [
        f"| {L('stance')} | {L('model')} | {L('license')} | {L('investor')} |",
        "|---|---|---|---|",
        f"| {md(v['stance_name'])} | {md(v['model_name'])} | {md(license_shown(v, lang))} | {md(v['investor_name'])} |",
        "",
        md(v["paragraph"]),
        "",
        f"### {L('drivers')}",
        "",
    ]
    for d in v["drivers"]:
        facts = "; ".join(f"{f['name']} = {f['value']}, {f['provenance']}" for f in d["facts"])
        lines.append(f"- {md(d['text'])}" + (f" ({md(facts)})" if facts else ""))
    lines += ["", f"### {L('changes')}", ""]
    lines += [f"{i}. {md(c['text'])}" for i, c in enumerate(v["changes"], 1)] or [L("no_changes")]
    lines += ["", f"### {L('risk')}", "", md(v["risk"]["text"]) if v["risk"] else L("no_risk"), ""]
    lines += [f"## {L('sensitivity')}", "", md(L("sensitivity_intro")), ""]
    lines += [f"- {md(s['text'])}" for s in doc["sensitivity"]] or [L("sensitivity_none")]
    lines += ["", f"## {L('profile')}", "", md(L("profile_intro")), ""]
    lines += [f"| {L('field')} | {L('value')} | {L('provenance')} | {L('evidence')} |", "|---|---|---|---|"]
    for f in doc["profile"]["fields"]:
        if f["provenance"] != "assumed" or f["evidence"]:
            ev = ", ".join(f["evidence"])
            lines.append(f"| {md(f['name'])} | {md(f['shown'])} | {md(f['provenance_name'])} | {md(ev)} |")
    if doc["profile"]["unanswered"]:
        names = listing((u["name"] for u in doc["profile"]["unanswered"]), lang)
        lines += ["", f"**{L('unanswered')}**: " + md(names)]
    fc = doc["forecast"]
    lines += ["", f"## {L('revenue')}", ""]
    if fc["models"]:
        FC = lambda key: t(f"dossier.forecast.{key}", lang)  # noqa: E731, N806
        lines += [f"| {FC('model')} | P10 | P50 | P90 | {FC('million')} |", "|---|---|---|---|---|"]
        for m in fc["models"]:
            a = m["arr"]
            lines.append(
                f"| {md(m['name'])} | {_usd(a['p10'])} | {_usd(a['p50'])} | {_usd(a['p90'])} | "
                f"{pct(m['probability_arr_1m'])} |"
            )
        lines.append("")
    lines += [md(fc["note"]), "", f"## {L('glossary')}", ""]
    lines += [f"- **{md(g['name'])}**: {md(g['text'])}" for g in doc["glossary"]]
    lines += ["", f"## {L('appendix')}", ""]
    lines += [f"- {escape.md_code(r['rule'])}: {md(r['text'])}" for r in _appendix(doc)]
    return "\n".join(lines) + "\n"


def render_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
