"""Business implications of the license facts, from declarative rules.

The rules (``data/license/implications.yaml``) say *when* they apply in terms
of facts (license families, ids, history, folders, optional facts a caller
knows such as ``cloud_threat`` or ``single_copyright_holder``) and *what it
means* in both languages, with a source. This module only evaluates
conditions and fills placeholders; adding a rule never needs code.
"""

from __future__ import annotations

from string import Formatter

from osslever.i18n import LANGUAGES, listing, t
from osslever.models.license import spdx
from osslever.models.license.compatibility import family_of, is_osi_family
from osslever.models.license.history import relicensings


def project_facts(document: dict, extra: dict | None = None) -> dict:
    """Facts the rules may test, from a (partial) license document."""
    expression = document["license"]["spdx"]
    ids = spdx.license_ids(expression)
    facts: dict = {
        "spdx": expression,
        "ids": ids,
        "families": sorted({family_of(i) for i in ids}),
        "none": expression == spdx.NONE,
    }
    scoped = [
        s
        for s in document["license"].get("scoped", [])
        if any(not is_osi_family(family_of(i)) for i in spdx.license_ids(s["spdx"]))
    ]
    facts["scoped_non_osi"] = bool(scoped)
    facts["scoped_paths"] = ", ".join(f"{s['path']}/ ({s['spdx']})" for s in scoped)
    for event in reversed(relicensings(document.get("history", []))):
        before = [family_of(i) for i in spdx.license_ids(event["from"])]
        after = [family_of(i) for i in spdx.license_ids(event["to"])]
        if before and after and all(is_osi_family(f) for f in before) and not all(is_osi_family(f) for f in after):
            facts.update(
                relicensed_away_from_osi=True,
                relicense_from=event["from"],
                relicense_to=event["to"],
                relicense_date=event["date"],
            )
            break
    conflicts = document.get("conflicts", [])
    facts["dependency_check"] = (document.get("dependency_check") or {}).get("status", "checked")
    facts["has_conflicts"] = bool(conflicts)
    facts["conflict_count"] = len(conflicts)
    modes = sorted({c["mode"] for c in conflicts})  # named in each language (the text's own)
    facts["conflict_modes"] = {
        lang: listing((t(f"license.view.modes.{m}", lang) for m in modes), lang) for lang in LANGUAGES
    }
    params = document["license"].get("parameters") or {}
    facts["change_date"] = params.get("change_date") or "?"
    facts["change_license"] = params.get("change_license") or "?"
    facts["use_grant"] = params.get("additional_use_grant") or "?"
    facts.update(extra or {})
    return facts


def _holds(when: dict, facts: dict) -> bool:
    if "spdx_none" in when and bool(when["spdx_none"]) != facts["none"]:
        return False
    if "family_any" in when and not set(when["family_any"]) & set(facts["families"]):
        return False
    if "spdx_any" in when and not set(when["spdx_any"]) & set(facts["ids"]):
        return False
    return all(facts.get(name) in allowed for name, allowed in (when.get("facts") or {}).items())


def _fill(template: str, facts: dict, lang: str) -> str:
    """``template`` with its facts; a fact given per language (``{"en", "zh"}``) in ``lang``."""
    names = {f for _, f, _, _ in Formatter().parse(template) if f}
    values = {n: facts.get(n, "?") for n in names}
    return template.format(**{n: v.get(lang, "?") if isinstance(v, dict) else v for n, v in values.items()})


def evaluate(facts: dict, lang: str | None = None) -> list[dict]:
    """Fired rules: ``{"rule", "text", "source", "signals", "cases"}``.

    ``text`` is ``{"en": ..., "zh": ...}``, or one string when ``lang`` is given.
    """
    data = spdx.load_data("implications.yaml")
    cases = {c["id"]: c for c in spdx.load_data("relicensing.yaml")["cases"]}
    out = []
    for rule in data["rules"]:
        if not _holds(rule.get("when") or {}, facts):
            continue
        text = {k: _fill(v, facts, k) for k, v in rule["text"].items()}
        row = {
            "rule": rule["id"],
            "text": text[lang] if lang else text,
            "source": rule["source"],
            "signals": rule.get("signals", []),
        }
        if rule.get("cases"):
            row["cases"] = [_case(cases[c], lang) for c in rule["cases"] if c in cases]
        out.append(row)
    return out


def _case(case: dict, lang: str | None) -> dict:
    out = {k: case[k] for k in ("id", "project", "date", "from", "to", "sources")}
    for key in ("why", "response"):
        out[key] = case[key][lang] if lang else case[key]
    return out
