"""The generic rule engine: evaluates a RuleSet over facts, phase by phase.

It knows four effect kinds and nothing about business models:

* ``decide``: per decision target (in the order of ``engine.yaml``), rules sorted by
  priority; the first whose condition is true sets the value.  Rules before it whose
  condition was unknown are kept as alternatives ("would have decided X if ...").
* ``score``: every rule whose condition is true adds its points to its target.  The
  score of a target is exactly the sum of its fired rules.
* ``check``: ``when`` guards (false → not reported), ``test`` gives pass / fail / unknown.
* ``note``: attached when its condition is true.

Decisions and score facts become facts that later phases may read.  The stance and the
business model are not decided here any more: the joint decision
(``decision.py``, issue 12) takes them and hands ``stance.value`` / ``model.top`` in as
given facts; model rules of the packs are scored here as extra evidence for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from osslever.models.strategy import conditions
from osslever.models.strategy.conditions import FALSE, TRUE, UNKNOWN
from osslever.models.strategy.data import catalogue, engine_config
from osslever.models.strategy.rules import Rule, RuleSet


@dataclass
class Fired:
    """A rule and how its condition came out, with the facts it read."""

    rule: Rule
    state: str
    used: dict[str, Any] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


@dataclass
class Decision:
    target: str
    value: str | None
    fired: Fired | None
    alternatives: list[Fired] = field(default_factory=list)


@dataclass
class Evaluation:
    values: dict[str, Any]
    decisions: dict[str, Decision] = field(default_factory=dict)
    scores: dict[str, list[Fired]] = field(default_factory=dict)
    misses: dict[str, list[Fired]] = field(default_factory=dict)
    checks: list[Fired] = field(default_factory=list)
    notes: list[Fired] = field(default_factory=list)
    unknown: Counter = field(default_factory=Counter)

    def points(self, target: str) -> float:
        return round(sum(f.rule.points for f in self.scores.get(target, [])), 6)


class Plan:
    """Rules of a RuleSet grouped by phase, computed once per RuleSet."""

    def __init__(self, ruleset: RuleSet) -> None:
        config = engine_config()
        self.decision_order = list(config["decisions"])
        self.decide: dict[str, list[Rule]] = {t: [] for t in self.decision_order}
        self.score: dict[str, list[Rule]] = {}
        self.checks: list[Rule] = []
        self.notes: list[Rule] = []
        for index, rule in enumerate(ruleset.rules):
            rule_order = (-rule.priority, index)
            if rule.kind == "decide":
                self.decide[rule.target].append((rule_order, rule))
            elif rule.kind == "score":
                self.score.setdefault(rule.namespace, []).append(rule)
            elif rule.kind == "check":
                self.checks.append(rule)
            else:
                self.notes.append(rule)
        self.decide = {t: [r for _, r in sorted(v, key=lambda x: x[0])] for t, v in self.decide.items()}
        self.score_phases = [p for p in config["phases"] if p not in ("decision", "check", "note")]
        self.score_facts = config.get("score_facts", {})


def plan_for(ruleset: RuleSet) -> Plan:
    cached = getattr(ruleset, "_plan", None)
    if cached is None:
        cached = Plan(ruleset)
        ruleset._plan = cached  # type: ignore[attr-defined]
    return cached


def evaluate(ruleset: RuleSet, values: dict[str, Any], upto: str | None = None) -> Evaluation:
    """Run every phase (or up to and including phase ``upto``) over ``values``."""
    plan = plan_for(ruleset)
    ev = Evaluation(values=dict(values))
    for target in plan.decision_order:
        ev.decisions[target] = _decide(target, plan.decide[target], ev)
        ev.values[target] = ev.decisions[target].value
    if upto == "decision":
        return ev
    for phase in plan.score_phases:
        for rule in plan.score.get(phase, []):
            out = conditions.evaluate(rule.when, ev.values)
            fired = Fired(rule, out.state, out.used, out.missing)
            if out.state == TRUE:
                ev.scores.setdefault(rule.target, []).append(fired)
            else:
                if out.state == UNKNOWN:
                    ev.unknown.update(out.missing)
                if rule.points > 0:
                    ev.misses.setdefault(rule.target, []).append(fired)
        for fact, spec in plan.score_facts.items():
            if spec["from"] == phase:
                ev.values[fact] = _top(ev, phase)
        if upto == phase:
            return ev
    for rule in plan.checks:
        guard = conditions.evaluate(rule.when, ev.values)
        if guard.state == FALSE:
            continue
        if guard.state == UNKNOWN:
            ev.unknown.update(guard.missing)
            ev.checks.append(Fired(rule, UNKNOWN, guard.used, guard.missing))
            continue
        test = conditions.evaluate(rule.test, ev.values)
        if test.state == UNKNOWN:
            ev.unknown.update(test.missing)
        ev.checks.append(Fired(rule, test.state, {**guard.used, **test.used}, test.missing))
    for rule in plan.notes:
        out = conditions.evaluate(rule.when, ev.values)
        if out.state == TRUE:
            ev.notes.append(Fired(rule, TRUE, out.used))
        elif out.state == UNKNOWN:
            ev.unknown.update(out.missing)
    return ev


def _decide(target: str, rules: list[Rule], ev: Evaluation) -> Decision:
    alternatives: list[Fired] = []
    for rule in rules:
        out = conditions.evaluate(rule.when, ev.values)
        if out.state == TRUE:
            return Decision(target, rule.value, Fired(rule, TRUE, out.used), alternatives)
        if out.state == UNKNOWN:
            ev.unknown.update(out.missing)
            alternatives.append(Fired(rule, UNKNOWN, out.used, out.missing))
    return Decision(target, None, None, alternatives)


def _top(ev: Evaluation, namespace: str) -> str | None:
    """The best-scoring id of a namespace; ties resolved by catalogue order."""
    ids = (
        list(catalogue()["models"])
        if namespace == "model"
        else sorted({t.split(".", 1)[1] for t in ev.scores if t.startswith(namespace + ".")})
    )
    if not ids:
        return None
    return max(ids, key=lambda i: (ev.points(f"{namespace}.{i}"), -ids.index(i)))
