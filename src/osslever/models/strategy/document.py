"""Build the assess document (../shared/contracts/assess-json.md, schema_version 1).

Everything here is assembly: the reasoning happened in the engine over the rules; this
module turns fired rules into the contract's sections, each reason carrying its rule id,
its text in the chosen language, the evidence it read and whether that evidence was
measured or declared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from osslever.i18n import t
from osslever.models.strategy import whatif
from osslever.models.strategy.data import catalogue, engine_config
from osslever.models.strategy.engine import Evaluation, Fired, evaluate
from osslever.models.strategy.facts import Facts, build_facts
from osslever.models.strategy.profile import validate_profile
from osslever.models.strategy.rules import RuleSet, load_rules
from osslever.models.strategy.schema import registry
from osslever.models.strategy.values import show

SCHEMA_VERSION = 1
STATUS = {"true": "pass", "false": "fail", "unknown": "unknown"}
MOTIVE_STATUS = {"true": "applies", "false": "does_not_apply", "unknown": "unknown"}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def assess_document(
    profile: dict,
    evidence: dict | None = None,
    rule_dirs: list[Path] | None = None,
    lang: str = "en",
    scenario: dict | None = None,
    search: bool = True,
    ruleset: RuleSet | None = None,
) -> dict:
    """Reason about one profile; returns the JSON-able assess document.

    ``evidence`` maps profile/evidence paths to measured values (see
    ``evidence_from_documents``); ``scenario`` is a partial profile that overrides;
    ``search=False`` skips the what-if search; ``ruleset`` reuses loaded rules (batches).
    """
    lang = lang if lang in ("en", "zh") else "en"
    clean = validate_profile(profile, source="<profile>")
    ruleset = ruleset if ruleset is not None else load_rules(rule_dirs)
    facts = build_facts(clean, evidence, scenario)
    ev = evaluate(ruleset, facts.values)
    return _document(clean, facts, ev, ruleset, lang, search)


def _document(profile: dict, facts: Facts, ev: Evaluation, ruleset: RuleSet, lang: str, search: bool) -> dict:
    reasons = _Reasons(facts, lang)
    return {
        "schema_version": SCHEMA_VERSION,
        "name": profile.get("name"),
        "lang": lang,
        "stance": _stance(ev, reasons, lang),
        "business_models": _models(ev, reasons, lang),
        "motivations": _motivations(ev, reasons),
        "license": _license(ev, facts, reasons),
        "readiness": _readiness(ev, reasons),
        "risks": _risks(ev, reasons),
        "dimensions": _dimensions(ev, reasons, lang),
        "unknowns": _unknowns(ev),
        "what_would_change": whatif.search(ruleset, facts, ev, lang) if search else [],
        "inputs": {
            "declared": dict(facts.declared),
            "measured": {
                p: {"value": facts.values[p], "source": facts.sources.get(p, "evidence")}
                for p, prov in facts.provenance.items()
                if prov == "measured"
            },
            "scenario": {p: facts.values[p] for p, prov in facts.provenance.items() if prov == "scenario"},
            "provenance": dict(sorted(facts.provenance.items())),
            "values": {p: facts.values[p] for p in sorted(facts.provenance)},
        },
        "rules": {
            "packs": ruleset.packs,
            "overridden": ruleset.overridden,
            "active": len(ruleset.rules),
            "fired": _fired_count(ev),
        },
    }


class _Reasons:
    """Render a fired rule as a reason: rule id, text, evidence and its provenance."""

    def __init__(self, facts: Facts, lang: str) -> None:
        self.facts = facts
        self.lang = lang

    def __call__(self, fired: Fired, with_points: bool = False) -> dict:
        out: dict[str, Any] = {
            "rule": fired.rule.id,
            "text": fired.rule.describe(self.lang),
            "evidence": dict(fired.used),
            "provenance": {p: self.facts.provenance.get(p, "derived") for p in fired.used},
            "source": fired.rule.source,
        }
        if with_points:
            out["points"] = _num(fired.rule.points)
        if fired.missing:
            out["missing"] = sorted(fired.missing)
        return out


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def _path(fired: Fired | None) -> list[str]:
    if fired is None:
        return []
    steps = [f"{p}={show(v)}" for p, v in fired.used.items()]
    if steps:
        steps[-1] += f" -> {fired.rule.value}"
    else:
        steps = [f"-> {fired.rule.value}"]
    return steps


def _stance(ev: Evaluation, reasons: _Reasons, lang: str) -> dict:
    tree = ev.decisions["stance.tree"]
    endow = ev.decisions["stance.endowment"]
    final = ev.decisions["stance.value"]
    equivalent = engine_config().get("endowment_equivalent", {})
    agreement = None
    if tree.value and endow.value:
        agreement = equivalent.get(endow.value) == tree.value
    path = _path(tree.fired) or [
        t(
            "strategy.stance.tree_undetermined",
            lang=lang,
            fields=", ".join(sorted({m for a in tree.alternatives for m in a.missing})) or "-",
        )
    ]
    path += [f"endowment: {s}" for s in _path(endow.fired)]
    if final.fired is not None:
        path.append(f"reconcile: {final.fired.rule.id} -> {final.value}")
    chain = [d.fired for d in (tree, endow, final) if d.fired is not None]
    return {
        "value": final.value,
        "path": path,
        "endowment": endow.value or "unknown",
        "tree": tree.value,
        "agreement": agreement,
        "reconciliation": reasons(final.fired) if final.fired else None,
        "reasons": [reasons(f) for f in chain],
        "alternatives": [
            {
                "decision": d.target,
                "value": a.rule.value,
                "rule": a.rule.id,
                "missing": sorted(a.missing),
            }
            for d in (tree, endow, final)
            for a in d.alternatives
        ],
        "notes": [reasons(n) for n in ev.notes if n.rule.namespace == "stance"],
    }


def _fit(score: float) -> str:
    for level in engine_config()["fit_levels"]:
        if score >= level["min"]:
            return level["level"]
    return "poor"


def _models(ev: Evaluation, reasons: _Reasons, lang: str) -> list[dict]:
    full = float(engine_config()["score_full"])
    cat = catalogue()["models"]
    rows = []
    for index, (mid, spec) in enumerate(cat.items()):
        target = f"model.{mid}"
        points = ev.points(target)
        score = round(min(1.0, max(0.0, points / full)), 4)
        fired = sorted(ev.scores.get(target, []), key=lambda f: (-f.rule.points, f.rule.id))
        missing = []
        for miss in ev.misses.get(target, []):
            if miss.rule.precondition:
                text = miss.rule.precondition.get(lang) or miss.rule.precondition["en"]
                if miss.state == "unknown":
                    text += t(
                        "strategy.model.unknown_suffix",
                        lang=lang,
                        fields=", ".join(sorted(miss.missing)),
                    )
                missing.append(text)
        rows.append(
            (
                -score,
                -points,
                index,
                {
                    "id": mid,
                    "name": spec["name"][lang],
                    "score": score,
                    "points": _num(points),
                    "fit": _fit(score),
                    "reasons": [reasons(f, with_points=True) for f in fired],
                    "missing_preconditions": missing,
                    "examples": list(spec["examples"]),
                },
            )
        )
    return [row for *_, row in sorted(rows, key=lambda r: r[:3])]


def _motivations(ev: Evaluation, reasons: _Reasons) -> list[dict]:
    out = []
    for check in ev.checks:
        if check.rule.namespace != "motivation":
            continue
        item = reasons(check)
        out.append({"id": check.rule.target.split(".", 1)[1], "status": MOTIVE_STATUS[check.state], **item})
    order = {"applies": 0, "unknown": 1, "does_not_apply": 2}
    return sorted(out, key=lambda m: (order[m["status"]], m["id"]))


def _license(ev: Evaluation, facts: Facts, reasons: _Reasons) -> dict:
    options = {}
    for target, fired in ev.scores.items():
        if not target.startswith("license."):
            continue
        options[target.split(".", 1)[1]] = fired
    ranked = sorted(options, key=lambda k: (-ev.points(f"license.{k}"), k))
    notes = [n for n in ev.notes if n.rule.namespace == "license"]
    return {
        "current": facts.values.get("project.license"),
        "families": facts.values.get("project.license_families", []),
        "recommended": [k for k in ranked if ev.points(f"license.{k}") > 0],
        "options": [
            {
                "id": k,
                "points": _num(ev.points(f"license.{k}")),
                "reasons": [reasons(f, with_points=True) for f in options[k]],
            }
            for k in ranked
        ],
        "notes": [n.rule.describe(reasons.lang) for n in notes],
        "note_details": [reasons(n) for n in notes],
    }


def _readiness(ev: Evaluation, reasons: _Reasons) -> dict:
    stages = engine_config()["stages"]
    decision = ev.decisions["readiness.stage"]
    stage = decision.value or stages[0]
    current = stages.index(stage)
    checks, upcoming = [], []
    for check in ev.checks:
        if check.rule.namespace != "readiness":
            continue
        item = {
            "id": check.rule.target.split(".", 1)[1],
            "stage": check.rule.stage,
            "status": STATUS[check.state],
            **reasons(check),
        }
        position = stages.index(check.rule.stage)
        if position <= current:
            checks.append(item)
        elif position == current + 1:
            upcoming.append(item)

    def order(c: dict) -> tuple:
        return (stages.index(c["stage"]), c["id"])

    return {
        "stage": stage,
        "stage_reason": reasons(decision.fired) if decision.fired else None,
        "checks": sorted(checks, key=order),
        "upcoming": sorted(upcoming, key=order),
        "summary": {s: sum(1 for c in checks if c["status"] == s) for s in ("pass", "fail", "unknown")},
        "notes": [reasons(n) for n in ev.notes if n.rule.namespace == "readiness"],
    }


def _risks(ev: Evaluation, reasons: _Reasons) -> list[dict]:
    by_id: dict[str, dict] = {}
    for note in ev.notes:
        if note.rule.namespace != "risk":
            continue
        rid = note.rule.target.split(".", 1)[1]
        item = by_id.get(rid)
        reason = reasons(note)
        if item is None or SEVERITY_ORDER[note.rule.severity] < SEVERITY_ORDER[item["severity"]]:
            others = item["reasons"] if item else []
            by_id[rid] = {
                "id": rid,
                "severity": note.rule.severity,
                "text": reason["text"],
                "rule": note.rule.id,
                "evidence": reason["evidence"],
                "reasons": [reason, *others],
            }
        else:
            item["reasons"].append(reason)
    return sorted(by_id.values(), key=lambda r: (SEVERITY_ORDER[r["severity"]], r["id"]))


def _dimensions(ev: Evaluation, reasons: _Reasons, lang: str) -> list[dict]:
    cat = catalogue()
    ratings = engine_config()["dimension_ratings"]
    out = []
    for dim, names in cat["dimensions"].items():
        row: dict[str, Any] = {"id": dim, "name": names[lang]}
        best, best_points = [], None
        for stance in cat["stances"]:
            target = f"dimension.{dim}.{stance}"
            fired = sorted(ev.scores.get(target, []), key=lambda f: (f.rule.points != 0, f.rule.id))
            points = ev.points(target)
            rating = next(r["rating"] for r in ratings if points >= r["min"])
            row[stance] = {
                "points": _num(points),
                "rating": rating,
                "reasons": [reasons(f, with_points=True) for f in fired],
            }
            if best_points is None or points > best_points:
                best, best_points = [stance], points
            elif points == best_points:
                best.append(stance)
        row["best"] = best
        out.append(row)
    return out


def _unknowns(ev: Evaluation) -> list[str]:
    fields = registry()
    counted = [(p, n) for p, n in ev.unknown.items() if p in fields and fields[p].origin in ("profile", "evidence")]
    return [p for p, _ in sorted(counted, key=lambda x: (-x[1], x[0]))]


def _fired_count(ev: Evaluation) -> int:
    decisions = sum(1 for d in ev.decisions.values() if d.fired)
    scores = sum(len(v) for v in ev.scores.values())
    checks = sum(1 for c in ev.checks if c.state == "true")
    return decisions + scores + checks + len(ev.notes)
