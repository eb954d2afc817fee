"""The dossier: from a repository to the whole case — verdict first, every input traced.

A founder points osslever at a repository; they should not have to write a profile, run
``assess`` and then ``forecast``. The dossier joins what the other builders already answer
and adds only what none of them does:

* **the profile**: the user's declared values win; the rest is measured (report, license,
  events) or inferred from the repository's files (``profile_inference``); what nobody can
  tell is *assumed unknown*, and listed as a question;
* **the verdict**: stance, model, license and investor verdict of ``assess`` in one argued
  paragraph with the numbers that drive it, the levers that would change it and the
  biggest risk;
* **sensitivity**: every fact nobody confirmed (inferred or assumed) is tried at each of
  its values; those that would change the verdict are listed — a verdict that hangs on an
  unconfirmed fact says so;
* **revenue per viable model**: a forecast seeded from the project's own funnel (stars
  and downloads measured in the store, or declared), billing when given, with starting
  prices from ``data/finance/dossier.yaml`` marked as defaults.

Building it only reads (the CLI refreshes the store first, as ``report`` does).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from osslever import glossary
from osslever.i18n import listing, t

SCHEMA_VERSION = 1
SEVERITY = {"high": 0, "medium": 1, "low": 2}
# What a verdict is made of: a change of any of these is a change of the answer.
VERDICT_KEYS = ("stance", "model", "license", "investor")
# Fields the sensitivity search leaves alone: identity, not facts the decision weighs.
NOT_PROBED = {"name", "as_of"}


@lru_cache(maxsize=1)
def defaults() -> dict[str, Any]:
    ref = resources.files("osslever") / "data" / "finance" / "dossier.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ profile


def merge_profile(declared: dict | None, inference: dict, name: str) -> tuple[dict, dict[str, dict]]:
    """The profile ``assess`` runs on, and every schema field's provenance.

    Declared values (from ``--profile``) win; inferred values fill schema fields the user
    left out (measured ones reach ``assess`` as evidence from the documents instead). An
    inference below ``use_at_confidence`` (``data/inference/signals.yaml``, set from the
    measured accuracy) is kept as a suggestion only: the field stays unknown and is asked.
    """
    from osslever.models.profile_inference import signals
    from osslever.models.strategy.profile import flatten, unflatten
    from osslever.models.strategy.schema import profile_fields

    floor = float(signals()["use_at_confidence"])
    schema = profile_fields()
    flat = flatten(declared or {})
    flat.setdefault("name", name)
    origin: dict[str, dict] = {p: {"provenance": "declared", "value": v} for p, v in flat.items()}
    for path, spec in inference["fields"].items():
        field = schema.get(path)
        if path.startswith("observed."):
            origin[path] = dict(spec)
        if path in flat or field is None:
            continue
        value = spec["value"]
        if isinstance(value, list) and field.type == "enum":
            value = value[0]
        if spec["provenance"] == "inferred" and float(spec.get("confidence") or 0) < floor:
            origin[path] = {**spec, "value": None, "provenance": "assumed", "suggested": value}
            continue
        if spec["provenance"] == "inferred":
            flat[path] = value
        origin[path] = {**spec, "value": value}
    return unflatten(flat), origin


def _profile_rows(origin: dict[str, dict], assess: dict, lang: str) -> tuple[list[dict], list[dict]]:
    """Every askable schema field with its value and provenance; the unanswered ones."""
    from osslever.models.strategy.schema import profile_fields

    values = assess["inputs"]["values"]
    provenance = assess["inputs"]["provenance"]
    measured = assess["inputs"]["measured"]
    rows, unanswered = [], []
    for path, field in profile_fields().items():
        if not field.ask or path in NOT_PROBED:
            continue
        known = origin.get(path, {})
        prov = provenance.get(path) or known.get("provenance")
        if prov == "declared" and known.get("provenance") == "inferred":
            prov = "inferred"  # in the profile assess ran on, but the repository suggested it
        if prov == "measured" and path in measured:
            # the document it was measured from, after the files the inference saw it in (a license)
            source, confidence = measured[path]["source"], 1.0
            evidence = [*known.get("evidence", []), source]
        else:
            source = known.get("source", "")
            evidence, confidence = list(known.get("evidence", [])), known.get("confidence")
        value = values.get(path, known.get("value"))
        if value is None or prov is None or prov == "assumed":
            prov, value = "assumed", None
            unanswered.append({"path": path, "name": glossary.field_name(path, lang)})
            if "suggested" in known:  # a weak inference: shown as a hint, not reasoned on
                hint = t(
                    "dossier.suggested",
                    lang,
                    value=glossary.value_name(path, known["suggested"], lang),
                    confidence=f"{float(known.get('confidence') or 0):.0%}",
                )
                evidence = [hint, *evidence]
        rows.append(
            {
                "path": path,
                "name": glossary.field_name(path, lang),
                "value": value,
                "shown": "—" if value is None else glossary.value_name(path, value, lang),
                "provenance": prov,
                "provenance_name": glossary.value_name("provenance", prov, lang),
                "confidence": confidence if prov == "inferred" else (1.0 if prov == "measured" else None),
                "evidence": glossary.evidence_names([str(e) for e in evidence][:5], lang),
                "source": source,
            }
        )
    # What the report measured that no profile field holds yet (profile inference's ``observed.``).
    for path, spec in sorted(origin.items()):
        if path.startswith("observed.") and spec.get("value") is not None:
            rows.append(
                {
                    "path": path,
                    "name": glossary.field_name(path, lang),
                    "value": spec["value"],
                    "shown": glossary.value_name(path, spec["value"], lang),
                    "provenance": "measured",
                    "provenance_name": glossary.value_name("provenance", "measured", lang),
                    "confidence": 1.0,
                    "evidence": glossary.evidence_names([str(e) for e in spec.get("evidence", [])][:5], lang),
                    "source": spec.get("source", ""),
                }
            )
    return rows, unanswered


def profile_file(origin: dict[str, dict], inference: dict, name: str, lang: str) -> str:
    """The ``profile.yaml`` written beside the dossier: declared values kept, inferred values
    added with where they came from, the questions listed (``profile_inference.profile_yaml``)."""
    from osslever.models.profile_inference import profile_yaml

    fields = dict(inference["fields"])
    for path, spec in origin.items():
        if spec["provenance"] == "declared" and path != "name":
            fields[path] = {"value": spec["value"], "provenance": "declared", "confidence": 1.0, "evidence": []}
    weak = [p for p, spec in origin.items() if "suggested" in spec]  # asked, not filled in
    for path in weak:
        fields.pop(path, None)
    unknown = [p for p in inference["unknown"] if p not in fields] + [p for p in weak if p not in inference["unknown"]]
    return profile_yaml({**inference, "fields": fields, "unknown": unknown}, name, lang)


# ------------------------------------------------------------------------------ verdict


def candidates(assess: dict) -> list[dict]:
    """The viable models with the best total: one when the evidence picks it, several when
    they tie (then the order between them is not an argument, and none is named the answer)."""
    viable = [m for m in assess["business_models"] if m["viable"]]
    if not viable:
        return []
    return [m for m in viable if m["total"] == viable[0]["total"]]


def answer(assess: dict) -> dict[str, Any]:
    """The four parts of a verdict, comparable between two assessments (model: None on a tie)."""
    best = candidates(assess)
    lic = assess["license"]
    return {
        "stance": assess["stance"]["value"],
        "model": best[0]["id"] if len(best) == 1 else None,
        "license": f"{lic['action']}:{lic['family'] or lic['current'] or '-'}",
        "investor": assess["investor"]["verdict"],
    }


def _drivers(assess: dict, lang: str, limit: int = 4) -> list[dict]:
    """The weighted reasons behind the stance and the model, with the values they read."""
    best = candidates(assess)
    reasons = list(assess["stance"]["reasons"]) + (list(best[0]["reasons"]) if len(best) == 1 else [])
    reasons.sort(key=lambda r: -r["points"])
    out, seen = [], set()
    for r in reasons:
        if r["rule"] in seen:
            continue
        seen.add(r["rule"])
        facts = [
            {
                "name": glossary.field_name(path, lang),
                "value": glossary.value_name(path, value, lang),
                "provenance": glossary.value_name("provenance", r["provenance"].get(path, "declared"), lang),
            }
            for path, value in r["evidence"].items()
        ]
        out.append({"text": r["text"], "facts": facts, "source": r["source"], "points": r["points"]})
        if len(out) == limit:
            break
    return out


def verdict(assess: dict, lang: str) -> dict[str, Any]:
    ans = answer(assess)
    tied = candidates(assess)
    lic = assess["license"]
    stance_name = glossary.value_name("stance", ans["stance"], lang) if ans["stance"] else t("dossier.undecided", lang)
    if len(tied) == 1:
        model_name = tied[0]["name"]
    elif tied:
        model_name = t("dossier.model_tie", lang, models=listing((m["name"] for m in tied[:4]), lang), count=len(tied))
    else:
        model_name = t("dossier.no_model", lang)
    investor_name = glossary.value_name("verdict", ans["investor"], lang)
    drivers = _drivers(assess, lang)
    counter = assess["stance"]["counter_evidence"][:1]
    risks = sorted(assess["risks"], key=lambda r: SEVERITY.get(r["severity"], 3))
    risk = risks[0] if risks else None
    levers = [lv for lv in assess["what_would_change"] if any(lv["changes"].values())][:3]
    sep = "；" if lang == "zh" else "; "
    paragraph = t(
        "dossier.paragraph" if len(tied) <= 1 else "dossier.paragraph_tie",
        lang,
        name=assess["name"] or "-",
        stance=stance_name,
        model=model_name,
        models=listing((m["name"] for m in tied[:4]), lang),
        license=lic["text"],
        investor=investor_name,
        why=sep.join(d["text"].rstrip("。.") for d in drivers[:2]) or t("dossier.no_reason", lang),
    )
    if counter:
        paragraph += " " + t("dossier.paragraph_against", lang, against=counter[0]["text"].rstrip("。."))
    if not assess["coherence"]["coherent"]:
        paragraph += " " + assess["coherence"]["text"]
    return {
        "stance": ans["stance"],
        "stance_name": stance_name,
        "model": ans["model"],
        "model_name": model_name,
        "model_candidates": [m["id"] for m in tied],
        "license": {
            "action": lic["action"],
            "current": lic["current"],
            "family": lic["family"],
            "recommended": list(lic["recommended"]),
            "text": lic["text"],
        },
        "investor": ans["investor"],
        "investor_name": investor_name,
        "investor_text": assess["investor"]["text"],
        "coherent": assess["coherence"]["coherent"],
        "paragraph": paragraph,
        "drivers": drivers,
        "changes": [{"name": lv["name"], "text": lv["text"]} for lv in levers],
        "risk": {"severity": risk["severity"], "text": risk["text"]} if risk else None,
    }


# ------------------------------------------------------------------------------ sensitivity


def sensitivity(profile: dict, rows: list[dict], evidence: dict | None, lang: str) -> list[dict]:
    """Every unconfirmed fact (inferred or assumed) tried at each of its values: those that
    change stance, model, license or investor verdict, with what they change it to."""
    from osslever.models.strategy.document import assess_document
    from osslever.models.strategy.profile import unflatten
    from osslever.models.strategy.rules import load_rules
    from osslever.models.strategy.schema import profile_fields

    ruleset = load_rules(None)
    schema = profile_fields()
    base = answer(assess_document(profile, evidence=evidence, lang=lang, search=False, ruleset=ruleset))
    found: dict[tuple, dict] = {}
    for row in rows:
        if row["provenance"] not in ("inferred", "assumed"):
            continue
        field = schema[row["path"]]
        for probe in field.probes:
            value = [probe] if field.is_list else probe
            if value == row["value"]:
                continue
            scenario = unflatten({row["path"]: value})
            after = answer(
                assess_document(profile, evidence=evidence, lang=lang, scenario=scenario, search=False, ruleset=ruleset)
            )
            changed = [k for k in VERDICT_KEYS if after[k] != base[k]]
            if not changed:
                continue
            # Values of one fact with the same effect are one line ("any of …").
            key = (row["path"], tuple(changed), tuple(after.items()))
            entry = found.setdefault(
                key,
                {
                    "path": row["path"],
                    "name": row["name"],
                    "provenance": row["provenance"],
                    "current": row["shown"],
                    "values": [],
                    "changes": changed,
                    "after": after,
                },
            )
            entry["values"].append(probe)
    out = []
    for entry in found.values():
        names = [glossary.value_name(entry["path"], v, lang) for v in entry["values"]]
        entry["value_name"] = ("、" if lang == "zh" else " / ").join(names)
        entry["text"] = _flip_text(entry, lang)
        out.append(entry)
    # The facts that move the most parts of the answer first; then by field order.
    order = {r["path"]: i for i, r in enumerate(rows)}
    out.sort(key=lambda s: (-len(s["changes"]), order[s["path"]]))
    return out


def _flip_text(entry: dict, lang: str) -> str:
    from osslever.models.strategy.data import catalogue

    names = catalogue()["models"]
    after, parts = entry["after"], []
    for key in entry["changes"]:
        if key == "stance":
            parts.append(t("dossier.flip.stance", lang, to=glossary.value_name("stance", after["stance"], lang)))
        elif key == "model":
            name = names.get(after["model"], {}).get("name", {}).get(lang) if after["model"] else None
            parts.append(t("dossier.flip.model", lang, to=name or t("dossier.no_model", lang)))
        elif key == "license":
            parts.append(t("dossier.flip.license", lang))
        else:
            parts.append(t("dossier.flip.investor", lang, to=glossary.value_name("verdict", after["investor"], lang)))
    sep = "，" if lang == "zh" else ", "
    key = "dossier.flip.text" if len(entry["values"]) == 1 else "dossier.flip.any"
    return t(key, lang, field=entry["name"], value=entry["value_name"], effects=sep.join(parts))


# ------------------------------------------------------------------------------ revenue


def funnel(assess: dict, stars: dict[str, float]) -> dict[str, dict]:
    """The funnel stages the project itself shows: ``{stage: {initial, growth?, provenance, source}}``."""
    values, prov = assess["inputs"]["values"], assess["inputs"]["provenance"]
    out: dict[str, dict] = {}
    if "funnel.stars.initial" in stars:
        out["stars"] = {
            "initial": stars["funnel.stars.initial"],
            "growth": stars.get("funnel.stars.monthly_growth"),
            "provenance": "measured",
            "source": "gh_events: WatchEvent",
        }
    elif values.get("project.stars"):
        out["stars"] = {
            "initial": float(values["project.stars"]),
            "provenance": prov.get("project.stars", "declared"),
            "source": "project.stars",
        }
    if values.get("project.monthly_downloads"):
        measured = assess["inputs"]["measured"].get("project.monthly_downloads")
        out["downloads"] = {
            "initial": float(values["project.monthly_downloads"]),
            "provenance": prov.get("project.monthly_downloads", "declared"),
            "source": measured["source"] if measured else "project.monthly_downloads",
        }
    return out


def revenue(assess: dict, stages: dict[str, dict], finance: dict | None, lang: str) -> dict[str, Any]:
    """A forecast of each viable model, seeded from the funnel; null figures with the reason when
    no stage is known."""
    from osslever.models.finance import forecast_document
    from osslever.models.finance.scenario import MODEL_IDS

    conf = defaults()
    viable = [
        m for m in assess["business_models"] if m["viable"] and m["id"] in MODEL_IDS and m["id"] in conf["models"]
    ][:3]
    if not viable:
        return {"models": [], "funnel": [], "note": t("dossier.forecast.no_model", lang), "document": None}
    scenario_models: dict[str, dict] = {}
    for m in viable:
        spec = conf["models"][m["id"]]
        entry: dict[str, Any] = {"pricing": spec["pricing"]}
        if "customers" in spec:
            entry["customers"] = spec["customers"]
        else:
            basis = next((s for s in conf["basis_preference"][m["id"]] if s in stages), None)
            if basis is None:
                continue
            entry["basis"] = basis
        if finance and finance.get("customers") and m is viable[0]:
            # The recommended model starts from the customers the billing shows.
            entry = {"pricing": spec["pricing"], "customers": {"initial": int(finance["customers"])}}
        scenario_models[m["id"]] = entry
    funnel_rows = [
        {"stage": s, "value": v["initial"], "provenance": v["provenance"], "source": v["source"]}
        for s, v in stages.items()
    ]
    if not scenario_models:
        return {"models": [], "funnel": funnel_rows, "note": t("dossier.forecast.no_funnel", lang), "document": None}
    scenario = {
        "name": assess["name"] or "dossier",
        "horizon_months": int(conf["horizon_months"]),
        "start": dt.date.today().strftime("%Y-%m"),
        "funnel": {s: {"initial": v["initial"]} for s, v in stages.items()},
        "models": scenario_models,
    }
    evidence = {f"funnel.{s}.initial": v["initial"] for s, v in stages.items() if v["provenance"] == "measured"}
    evidence.update(
        {f"funnel.{s}.monthly_growth": v["growth"] for s, v in stages.items() if v.get("growth") is not None}
    )
    doc = forecast_document(scenario, paths=int(conf["paths"]), seed=int(conf["seed"]), evidence=evidence)
    names = {m["id"]: m["name"] for m in viable}
    models = [
        {
            "id": m["id"],
            "name": names[m["id"]],
            "basis": m["basis"],
            "arr": m["arr"],
            "customers": m["customers"],
            "probability_arr_1m": m["thresholds"]["arr_1m"]["probability"],
            "pricing_source": conf["models"][m["id"]]["source"][lang],
        }
        for m in doc["models"]
    ]
    return {
        "models": models,
        "funnel": funnel_rows,
        "note": t("dossier.forecast.note", lang, months=conf["horizon_months"]),
        "document": doc,
    }


# ------------------------------------------------------------------------------ the document


def dossier_document(
    *,
    report: dict,
    license_doc: dict | None,
    events: dict | None,
    finance: dict | None,
    inference: dict,
    declared: dict | None,
    assess_of: Any,
    stars: dict[str, float],
    lang: str,
) -> dict[str, Any]:
    """Join the documents into the dossier. ``assess_of(profile)`` is ``Workspace.assess`` on the
    same measured documents (so the dossier's assessment is the one ``assess --repo`` prints)."""
    from osslever.models.strategy import evidence_from_documents

    name = (declared or {}).get("name") or report["repository"]["name"]
    profile, origin = merge_profile(declared, inference, name)
    assess = assess_of(profile)
    rows, unanswered = _profile_rows(origin, assess, lang)
    documents = {k: v for k, v in (("report", report), ("license", license_doc), ("finance", finance)) if v}
    if events:
        documents["events"] = events
    evidence = evidence_from_documents(**documents)
    stages = funnel(assess, stars)
    forecast = revenue(assess, stages, finance, lang)
    used = ["stance", "provenance", "sensitivity", "bus_factor", "elephant_factor", "vendor_share", "cla", "dco"]
    if forecast["models"]:
        used += ["arr", "p10_p50_p90"]
    if any(m["id"] == "open_core" for m in assess["business_models"][:3]):
        used.append("open_core")
    if events:
        used.append("openrank")
    return {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "lang": lang,
        "repository": report["repository"],
        "verdict": verdict(assess, lang),
        "profile": {
            "fields": rows,
            "unanswered": unanswered,
            "file": profile_file(origin, inference, name, lang),
        },
        "sensitivity": sensitivity(profile, rows, evidence, lang),
        "forecast": {k: v for k, v in forecast.items() if k != "document"},
        "glossary": [glossary.term(term, lang) for term in used],
        "documents": {
            "report": report,
            "license": license_doc,
            "events": events,
            "finance": finance,
            "assess": assess,
            "forecast": forecast["document"],
        },
    }


def inference_location(history: dict, location: str) -> Path:
    """Where the repository's files are read from: the working tree given, else the stored clone."""
    path = Path(location)
    return path if path.exists() else Path(history["git_dir"])
