"""What would change the answer: the smallest changes of declared inputs that flip the
stance or the best business model.

Search order is the definition of "smallest": every single field changed to each of its
other enumerated values (or declared, when unknown; lists gain or lose one member), then —
only for an outcome no single change flips — every pair of fields.  Measured values are
facts, not choices, so they are never varied.  Only fields that the deciding rules read
are tried, which keeps the search to a few hundred engine runs at most.  A rule that reads
a derived field (``project.license_families``) makes its source field (``project.license``)
relevant; open-typed fields are tried with the representative ``whatif_values`` of their
schema entry, and derived fields are recomputed after every change.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from osslever.i18n import t
from osslever.models.strategy import conditions
from osslever.models.strategy.data import engine_config
from osslever.models.strategy.engine import Evaluation, outcomes
from osslever.models.strategy.facts import MEASURED, Facts, derive_values
from osslever.models.strategy.rules import RuleSet
from osslever.models.strategy.schema import registry
from osslever.models.strategy.values import show


def _relevant_fields(ruleset: RuleSet, kinds: set[str]) -> list[str]:
    """Profile fields read by decision rules ('stance') or model score rules ('model')."""
    found: set[str] = set()
    for rule in ruleset.rules:
        if rule.kind == "decide" and "stance" in kinds and rule.target.startswith("stance."):
            found.update(conditions.fields_of(rule.when))
        if rule.kind == "score" and "model" in kinds and rule.namespace == "model":
            found.update(conditions.fields_of(rule.when))
    fields = registry()
    order = list(fields)
    # a derived field is varied through the profile field it is derived from
    found |= {
        fields[p].derive["from"] for p in found if p in fields and fields[p].origin == "derived" and fields[p].derive
    }
    return sorted((p for p in found if p in fields and fields[p].origin == "profile"), key=order.index)


def _alternatives(path: str, current: Any) -> list[tuple[Any, str]]:
    """(new value, change label) for one field."""
    spec = registry()[path]
    if spec.is_list:
        have = list(current or [])
        out = []
        for v in spec.values:
            if v in have:
                out.append(([x for x in have if x != v], f"-{v}"))
            else:
                out.append((have + [v], f"+{v}"))
        return out
    return [(v, show(v)) for v in spec.probes if v != current]


def search(ruleset: RuleSet, facts: Facts, base: Evaluation, lang: str) -> list[dict]:
    """The list ``what_would_change`` of the assess document."""
    stance0 = base.values.get("stance.value")
    top0 = base.values.get("model.top")
    fixed = {p for p, prov in facts.provenance.items() if prov == MEASURED}
    order = list(registry())
    found: list[tuple[tuple, dict]] = []
    flipped = {"stance": False, "model": False}
    derived_from = {f.derive["from"] for f in registry().values() if f.origin == "derived" and f.derive}

    def run(changes: list[tuple[str, Any, str]], only: str | None = None) -> None:
        values = dict(facts.values)
        for path, value, _ in changes:
            values[path] = value
        if any(path in derived_from for path, _, _ in changes):
            derive_values(values)
        stance, top = outcomes(ruleset, values)
        kinds = [k for k, changed in (("stance", stance != stance0), ("model", top != top0)) if changed]
        if not kinds or (only is not None and only not in kinds):
            return
        effects = []
        if "stance" in kinds:
            effects.append(f"stance {show(stance0)} -> {show(stance)}")
        if "model" in kinds:
            effects.append(f"top model {show(top0)} -> {show(top)}")
        for kind in kinds:
            flipped[kind] = True
        entry = _entry(changes, facts, effects, lang)
        from_unknown = sum(1 for p, _, _ in changes if facts.values.get(p) is None)
        key = (
            len(changes),
            0 if "stance" in kinds else 1,
            from_unknown,
            [order.index(p) for p, _, _ in changes],
            entry["field"],
            show(entry["to"]),
        )
        found.append((key, entry))

    relevant = {kind: [p for p in _relevant_fields(ruleset, {kind}) if p not in fixed] for kind in ("stance", "model")}
    singles = sorted(set(relevant["stance"]) | set(relevant["model"]), key=order.index)
    for path in singles:
        for value, label in _alternatives(path, facts.values.get(path)):
            run([(path, value, label)])
    fields = registry()
    for kind in ("stance", "model"):
        if flipped[kind]:
            continue
        # pairs over scalar fields only: list fields already offer many single changes
        scalars = [p for p in relevant[kind] if not fields[p].is_list]
        for a, b in combinations(scalars, 2):
            for va, la in _alternatives(a, facts.values.get(a)):
                for vb, lb in _alternatives(b, facts.values.get(b)):
                    run([(a, va, la), (b, vb, lb)], only=kind)
    limit = int(engine_config().get("what_would_change_limit", 12))
    found.sort(key=lambda item: item[0])
    kept: list[dict] = []
    per_field: dict[tuple[str, str], int] = {}
    for _, entry in found:
        # at most two alternatives per (field, effect) so one field cannot crowd out others
        key = (entry["field"], entry["effect"])
        if per_field.get(key, 0) >= 2:
            continue
        per_field[key] = per_field.get(key, 0) + 1
        kept.append(entry)
    return kept[:limit]


def _entry(changes: list[tuple[str, Any, str]], facts: Facts, effects: list[str], lang: str) -> dict:
    parts = [{"field": p, "from": facts.values.get(p), "to": v, "change": label} for p, v, label in changes]
    texts = []
    for part in parts:
        if part["change"].startswith(("+", "-")) and registry()[part["field"]].is_list:
            key = "strategy.whatif.add" if part["change"][0] == "+" else "strategy.whatif.remove"
            texts.append(t(key, lang=lang, field=part["field"], value=part["change"][1:]))
        else:
            texts.append(
                t(
                    "strategy.whatif.set",
                    lang=lang,
                    field=part["field"],
                    old=show(part["from"]),
                    new=show(part["to"]),
                )
            )
    joiner = t("strategy.whatif.and", lang=lang)
    return {
        "field": " + ".join(p["field"] for p in parts),
        "to": parts[0]["to"] if len(parts) == 1 else [p["to"] for p in parts],
        "from": parts[0]["from"] if len(parts) == 1 else [p["from"] for p in parts],
        "effect": "; ".join(effects),
        "changes": parts,
        "text": joiner.join(texts) + " → " + "; ".join(effects),
    }
