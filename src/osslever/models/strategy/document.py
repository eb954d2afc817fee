"""Build the assess document (../shared/contracts/assess-json.md, schema_version 1).

Everything here is assembly: the reasoning happened in the engine over the rules; this
module turns fired rules into the contract's sections, each reason carrying its rule id,
its text in the chosen language, the evidence it read and whether that evidence was
measured or declared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from osslever import glossary
from osslever.i18n import listing, t
from osslever.models.strategy import decision, investor, levers
from osslever.models.strategy.data import catalogue, engine_config
from osslever.models.strategy.engine import Evaluation, Fired, evaluate
from osslever.models.strategy.facts import Facts, build_facts
from osslever.models.strategy.profile import validate_profile
from osslever.models.strategy.rules import RuleSet, load_rules
from osslever.models.strategy.schema import registry

SCHEMA_VERSION = 2  # 2: the joint decision (issue 12): coherence, investor, levers
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
    dec = decide_facts(facts, ruleset)
    ev = evaluate(ruleset, facts.values)
    return _document(clean, facts, dec, ev, ruleset, lang, search)


def decide_facts(facts: Facts, ruleset: RuleSet | None = None) -> decision.Decision:
    """Run the joint decision and hand its answer to the rules as given facts.

    Model rules of the rule packs (``score: model.X``, user packs included) are extra
    evidence for the decision: they are scored first and passed in with their rule ids.
    """
    extra: dict[str, list[decision.Support]] = {}
    if ruleset is not None:
        prepared = decision.prepare(dict(facts.values), dict(facts.provenance))
        early = evaluate(ruleset, prepared, upto="model")
        for target, fired in early.scores.items():
            if not target.startswith("model."):
                continue
            for f in fired:
                driver = {"id": f.rule.id, "text": {"en": f.rule.describe("en"), "zh": f.rule.describe("zh")}}
                driver["source"] = f.rule.source
                extra.setdefault(target.split(".", 1)[1], []).append(
                    decision.Support(driver, float(f.rule.points), 1.0, dict(f.used))
                )
    dec = decision.decide(facts.values, facts.provenance, extra)
    for path, value in dec.values.items():
        if path not in facts.values or facts.values[path] != value:
            facts.values[path] = value
            facts.provenance.setdefault(path, "derived")
    facts.values["stance.value"] = dec.stance
    facts.values["model.top"] = dec.model
    return dec


V2_FIELDS = (
    "product.buyer_kinds",
    "project.open_artefacts",
    "business.pmf",
    "market.position",
    "market.policy_direction",
    "project.contributor_agreement",
)


def _document(
    profile: dict, facts: Facts, dec: decision.Decision, ev: Evaluation, ruleset: RuleSet, lang: str, search: bool
) -> dict:
    reasons = _Reasons(facts, lang)
    missing_v2 = [p for p in V2_FIELDS if facts.declared.get(p) is None and facts.provenance.get(p) != "measured"]
    return {
        "schema_version": SCHEMA_VERSION,
        "name": profile.get("name"),
        "lang": lang,
        "profile_note": t("strategy.profile.v1_note", lang=lang) if len(missing_v2) == len(V2_FIELDS) else None,
        "profile_missing": missing_v2,
        "stance": _stance(dec, ev, reasons, lang),
        "coherence": _coherence(dec, lang),
        "business_models": _models(dec, reasons, lang),
        "motivations": _motivations(ev, reasons),
        "license": _license(dec, ev, facts, reasons, lang),
        "investor": investor.section(dec, facts.provenance, lang, ev.values.get("readiness.stage")),
        "readiness": _readiness(ev, reasons),
        "risks": _risks(ev, reasons),
        "dimensions": _dimensions(ev, reasons, lang),
        "unknowns": _unknowns(ev),
        "what_would_change": levers.search(
            dec, facts.provenance, lambda d: investor.verdict(d, ev.values.get("readiness.stage")), lang
        )
        if search
        else [],
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


def _support(item: decision.Support, facts: Facts, lang: str, target: str | None = None) -> dict:
    out: dict[str, Any] = {
        "rule": item.driver["id"],
        "text": item.driver["text"].get(lang) or item.driver["text"]["en"],
        "points": _num(round(item.points, 4)),
        "strength": item.strength,
        "evidence": dict(item.used),
        "provenance": {p: facts.provenance.get(p, "derived") for p in item.used},
        "source": item.driver.get("source"),
    }
    if target is not None:
        out["supports"] = target
    return out


def _stance(dec: decision.Decision, ev: Evaluation, reasons: _Reasons, lang: str) -> dict:
    facts = reasons.facts
    value = dec.stance
    support = sorted(dec.stance_support.get(value, []) if value else [], key=lambda x: (-x.points, x.driver["id"]))
    counter = [
        _support(x, facts, lang, target=s) for s in decision.STANCES if s != value for x in dec.stance_support[s]
    ]
    counter.sort(key=lambda r: (-r["points"], r["rule"]))
    names = catalogue()["models"]
    ties = [
        {"stance": o.stance, "model": o.model, "name": names[o.model]["name"][lang], "total": _num(round(o.total, 4))}
        for o in dec.ties
    ]
    return {
        "value": value,
        "status_quo": dec.status,
        "points": {s: _num(round(p, 4)) for s, p in dec.stance_points.items()},
        "path": [f"status={dec.status or '-'}"] + [f"{x.driver['id']} -> {value}" for x in support],
        "reasons": [_support(x, facts, lang) for x in support],
        "counter_evidence": counter,
        "ties": ties,
        "alternatives": [
            {"stance": o.stance, "model": o.model, "total": _num(round(o.total, 4)), "license": o.license_action}
            for o in dec.options[1:6]
        ],
        "notes": [
            {
                "rule": n["id"],
                "text": n["note"]["text"].get(lang) or n["note"]["text"]["en"],
                "evidence": n["used"],
                "provenance": {p: facts.provenance.get(p, "derived") for p in n["used"]},
                "source": n["note"].get("source"),
            }
            for n in dec.notes
        ]
        + [reasons(n) for n in ev.notes if n.rule.namespace == "stance"],
    }


def _coherence(dec: decision.Decision, lang: str) -> dict:
    best = dec.best
    ok = bool(best) and not dec.forced and decision.coherent(best.stance, best.model, best.license_spdx)
    return {
        "coherent": ok,
        "forced": list(dec.forced),
        "text": t("strategy.coherence.ok" if ok else "strategy.coherence.forced", lang=lang)
        if not dec.forced
        else " ".join(t(f"strategy.coherence.{f}", lang=lang) for f in dec.forced),
    }


def _fit(score: float) -> str:
    for level in engine_config()["fit_levels"]:
        if score >= level["min"]:
            return level["level"]
    return "poor"


def _models(dec: decision.Decision, reasons: _Reasons, lang: str) -> list[dict]:
    full = float(engine_config()["score_full"])
    cat = catalogue()["models"]
    spec = decision.config()["models"]
    facts = reasons.facts
    best_total: dict[str, float] = {}
    for o in dec.options:
        best_total.setdefault(o.model, o.total)
    rows = []
    for mid, entry in cat.items():
        points = dec.model_points.get(mid, 0.0)
        score = round(min(1.0, max(0.0, points / full)), 4)
        fired = sorted(dec.model_support.get(mid, []), key=lambda x: (-x.points, x.driver["id"]))
        gates = dec.gates.get(mid, [])
        failed = [g for g in gates if g.state == "false"]
        unverified = [g for g in gates if g.state == "unknown"]
        rows.append(
            {
                "id": mid,
                "name": entry["name"][lang],
                "score": score,
                "points": _num(round(points, 4)),
                "total": _num(round(best_total[mid], 4)) if mid in best_total else None,
                "fit": _fit(score) if dec.viable.get(mid, True) else "poor",
                "viable": dec.viable.get(mid, True),
                "not_viable": [g.gate["text"].get(lang) or g.gate["text"]["en"] for g in failed],
                "stances": list(spec[mid]["stances"]),
                "license_families": list(spec[mid]["licenses"]),
                "reasons": [_support(x, facts, lang) for x in fired if x.points >= 0],
                "counter_evidence": [_support(x, facts, lang) for x in fired if x.points < 0],
                "missing_preconditions": [
                    (g.gate["text"].get(lang) or g.gate["text"]["en"])
                    + t(
                        "strategy.model.unknown_suffix",
                        lang=lang,
                        fields=listing((glossary.field_name(p, lang) for p in sorted(g.missing)), lang),
                    )
                    for g in unverified
                ],
                "examples": list(entry["examples"]),
            }
        )

    first_seen = {}
    for index, option in enumerate(dec.options):
        first_seen.setdefault(option.model, index)

    def order(row: dict) -> tuple:
        # the joint decision's own order (best option first); non-viable models last
        return (row["id"] not in first_seen, first_seen.get(row["id"], 0), -row["points"], row["id"])

    return sorted(rows, key=order)


def _motivations(ev: Evaluation, reasons: _Reasons) -> list[dict]:
    out = []
    for check in ev.checks:
        if check.rule.namespace != "motivation":
            continue
        item = reasons(check)
        out.append({"id": check.rule.target.split(".", 1)[1], "status": MOTIVE_STATUS[check.state], **item})
    order = {"applies": 0, "unknown": 1, "does_not_apply": 2}
    return sorted(out, key=lambda m: (order[m["status"]], m["id"]))


def _license(dec: decision.Decision, ev: Evaluation, facts: Facts, reasons: _Reasons, lang: str) -> dict:
    """Start from the current license: keep it when it fits the joint answer."""
    best = dec.best
    notes = [n for n in ev.notes if n.rule.namespace == "license"]
    action = best.license_action if best else "choose"
    recommended = [best.license_spdx] if best and best.license_spdx else []
    key = {True: "yes", False: "no", None: "unknown"}[dec.relicensable]
    return {
        "current": facts.values.get("project.license"),
        "families": facts.values.get("project.license_families", []),
        "action": action,
        "family": best.license_family if best else None,
        "recommended": recommended,
        "text": t(
            f"strategy.license.{action}",
            lang=lang,
            license=(glossary.license_name(recommended[0], lang) if recommended else "-"),
        ),
        "switching": {
            "possible": dec.relicensable,
            "why": dec.relicense_reasons,
            "text": t(f"strategy.license.switch_{key}", lang=lang),
            "cost": _num(float(decision.config()["relicensing"]["cost"])),
        },
        "options": [],
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
