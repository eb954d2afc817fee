"""Turn a profile, measured evidence and a scenario into the facts rules read.

Precedence: measured evidence overrides declared profile values (a measured bus factor
beats a guessed one), and a ``--scenario`` file overrides both (it is an explicit
"what if").  Every fact keeps its provenance — declared, measured, scenario or derived —
so each reason in the output can say where its evidence came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from osslever.errors import UserError
from osslever.models.license import families
from osslever.models.strategy.profile import check_value, flatten
from osslever.models.strategy.schema import nearest, registry

MEASURED, DECLARED, SCENARIO, DERIVED = "measured", "declared", "scenario", "derived"


@dataclass
class Facts:
    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    declared: dict[str, Any] = field(default_factory=dict)


def build_facts(profile: dict, evidence: dict | None = None, scenario: dict | None = None) -> Facts:
    """Merge the three inputs and compute derived fields."""
    facts = Facts()
    for path, value in flatten(profile).items():
        facts.values[path] = value
        facts.provenance[path] = DECLARED
        facts.declared[path] = value
    fields = registry()
    for path, item in (evidence or {}).items():
        spec = fields.get(path)
        if spec is None or spec.origin not in ("profile", "evidence"):
            allowed = [p for p, f in fields.items() if f.origin in ("profile", "evidence")]
            raise UserError("strategy.evidence.unknown_field", field=path, nearest=nearest(path, allowed) or "-")
        value, source = (
            (item.get("value"), item.get("source", "evidence")) if isinstance(item, dict) else (item, "evidence")
        )
        checked = check_value(spec, value, f"evidence:{source}")
        if checked is None:
            continue
        facts.values[path] = checked
        facts.provenance[path] = MEASURED
        facts.sources[path] = str(source)
    for path, value in flatten(scenario or {}).items():
        if path == "name":
            continue
        facts.values[path] = value
        facts.provenance[path] = SCENARIO
    _derive(facts)
    return facts


def _derive(facts: Facts) -> None:
    for path, source in derive_values(facts.values).items():
        facts.provenance[path] = facts.provenance.get(source, DECLARED)
        if source in facts.sources:
            facts.sources[path] = facts.sources[source]


def derive_values(values: dict[str, Any]) -> dict[str, str]:
    """Recompute every derived field of ``values`` in place from its source field.

    Returns {derived path: source path} for the fields set.  A derived field whose source
    is unknown is removed, so a what-if that changes or clears the source never reads a
    stale derivation.
    """
    done: dict[str, str] = {}
    for path, spec in registry().items():
        if spec.origin != "derived" or not spec.derive:
            continue
        rule = spec.derive
        source = rule["from"]
        if values.get(source) is None:
            values.pop(path, None)
            continue
        if rule["kind"] == "spdx_lookup":
            values[path] = license_families(str(values[source]), rule["table"])
        else:  # pragma: no cover - a schema bug
            raise AssertionError(f"unknown derivation {rule['kind']}")
        done[path] = source
    return done


def license_families(expression: str, table: str = "license_families") -> list[str]:
    """The families of the licenses in an SPDX expression, in the rules' spelling.

    One owner decides the family for ``license`` and ``assess`` alike
    (``osslever.models.license.families``); ``table`` is kept for the schema's
    derivation spec and names that owner's table.
    """
    return [families.rule_spelling(f) for f in families.families_of_expression(expression)]
