"""Rule packs: load, validate and layer YAML/JSON rule files.

A pack is a folder of rule files.  The built-in pack (``osslever/data/rules``) is loaded
first, then every ``--rules DIR`` in order; a rule whose id already exists replaces the
earlier one (``disabled: true`` switches it off).  The same loader serves the built-in
pack and a user's, so the built-in knowledge has no privileged path.

File shape::

    pack: models                 # a name for listings
    description: ...             # optional
    rules:
      - id: cloud.complex_ops
        when: {field: product.operational_complexity, in: [high]}
        effect: {score: model.managed_cloud, points: 3}
        text: {en: "...", zh: "..."}
        precondition: {en: "...", zh: "..."}   # optional, shown when the rule does not fire
        source: "seeds/001 模式三 D、适用场景"

Effects: ``score`` (+points to a target), ``decide`` (set a decision, first true rule by
priority wins), ``check`` (pass/fail/unknown from ``test``, guarded by ``when``) and
``note`` (attach the text when ``when`` holds).  See docs/strategy.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from osslever import safe_yaml
from osslever.errors import UserError
from osslever.i18n import t
from osslever.models.strategy import conditions
from osslever.models.strategy.data import builtin_rules_dir, catalogue, engine_config
from osslever.models.strategy.schema import Field, nearest, registry

FILE_KEYS = ("pack", "description", "rules")
RULE_KEYS = (
    "id",
    "when",
    "test",
    "effect",
    "text",
    "precondition",
    "source",
    "priority",
    "disabled",
)
KINDS = ("score", "decide", "check", "note")
EFFECT_PARAMS = {
    "score": ("points",),
    "decide": ("value",),
    "check": ("stage",),
    "note": ("severity",),
}
LANGS = ("en", "zh")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
TARGET_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


@dataclass
class Rule:
    """One validated rule; ``layer`` 0 is the built-in pack, 1.. the ``--rules`` dirs."""

    id: str
    kind: str
    target: str
    when: dict | None = None
    test: dict | None = None
    points: float = 0.0
    value: str | None = None
    stage: str | None = None
    severity: str | None = None
    priority: int = 0
    text: dict = field(default_factory=dict)
    precondition: dict | None = None
    source: str = ""
    pack: str = ""
    file: str = ""
    layer: int = 0
    disabled: bool = False

    @property
    def namespace(self) -> str:
        return self.target.split(".", 1)[0]

    def describe(self, lang: str) -> str:
        return self.text.get(lang) or self.text.get("en", "")


@dataclass
class Problem:
    level: str  # error | warning | info
    file: str
    rule: str
    key: str
    params: dict

    def render(self, lang: str | None = None) -> str:
        where = f"{self.file}" + (f" [{self.rule}]" if self.rule else "")
        return f"{self.level}: {where}: {t(self.key, lang=lang, **self.params)}"


@dataclass
class RuleSet:
    """The active rules after layering, plus what was overridden, for the report."""

    rules: list[Rule]
    packs: list[dict]
    overridden: list[dict]

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


# --- target grammar --------------------------------------------------------------------


def phase_of_target(kind: str, target: str) -> int:
    """Evaluation order of a rule's target; facts are readable by later phases only."""
    config = engine_config()
    decisions = list(config["decisions"])
    if kind == "decide":
        return decisions.index(target) if target in decisions else 0
    spec = config["targets"].get(kind, {}).get(target.split(".", 1)[0], {})
    phase = spec.get("phase", "note")
    return len(decisions) + config["phases"].index(phase)


def phase_of_fact(path: str) -> int | None:
    """The phase that produces a fact field (decision or score fact), else None."""
    config = engine_config()
    decisions = list(config["decisions"])
    if path in decisions:
        return decisions.index(path)
    spec = config.get("score_facts", {}).get(path)
    if spec is not None:
        return len(decisions) + config["phases"].index(spec["from"])
    given = config.get("given", {}).get(path)
    if given is not None:
        return len(decisions) + config["phases"].index(given["after"])
    return None


def _target_problems(kind: str, effect: dict, where: str) -> list[tuple[str, dict]]:
    config = engine_config()
    target = effect.get(kind)
    out: list[tuple[str, dict]] = []
    if not isinstance(target, str) or not target:
        return [
            (
                "strategy.rules.bad_target",
                {"where": where, "target": target, "allowed": _targets_help(kind)},
            )
        ]
    if kind == "decide":
        spec = config["decisions"].get(target)
        if spec is None:
            return [
                (
                    "strategy.rules.bad_target",
                    {"where": where, "target": target, "allowed": ", ".join(config["decisions"])},
                )
            ]
        if effect.get("value") not in spec["values"]:
            out.append(
                (
                    "strategy.rules.unknown_value",
                    {
                        "where": f"{where}.value",
                        "field": target,
                        "value": effect.get("value"),
                        "allowed": ", ".join(spec["values"]),
                    },
                )
            )
        return out
    namespaces = config["targets"][kind]
    ns, _, ident = target.partition(".")
    spec = namespaces.get(ns)
    if spec is None:
        return [
            (
                "strategy.rules.bad_target",
                {"where": where, "target": target, "allowed": _targets_help(kind)},
            )
        ]
    ids = spec.get("ids", "any")
    cat = catalogue()
    if ids == "none" and ident:
        out.append(("strategy.rules.bad_target", {"where": where, "target": target, "allowed": ns}))
    elif ids == "catalogue" and ident not in cat["models"]:
        out.append(
            (
                "strategy.rules.unknown_value",
                {
                    "where": where,
                    "field": f"{ns}.*",
                    "value": ident,
                    "allowed": ", ".join(cat["models"]),
                },
            )
        )
    elif ids == "dimensions":
        dim, _, stance = ident.partition(".")
        if dim not in cat["dimensions"] or stance not in cat["stances"]:
            allowed = f"<{'|'.join(cat['dimensions'])}>.<{'|'.join(cat['stances'])}>"
            out.append(
                (
                    "strategy.rules.unknown_value",
                    {"where": where, "field": f"{ns}.*", "value": ident, "allowed": allowed},
                )
            )
    elif ids == "any" and not TARGET_ID_RE.match(ident or ""):
        out.append(
            (
                "strategy.rules.bad_target",
                {"where": where, "target": target, "allowed": f"{ns}.<id>"},
            )
        )
    for required in spec.get("requires", ()):
        allowed = config["stages"] if required == "stage" else config["severities"]
        if effect.get(required) not in allowed:
            out.append(
                (
                    "strategy.rules.unknown_value",
                    {
                        "where": f"{where}.{required}",
                        "field": required,
                        "value": effect.get(required),
                        "allowed": ", ".join(allowed),
                    },
                )
            )
    return out


def _targets_help(kind: str) -> str:
    config = engine_config()
    if kind == "decide":
        return ", ".join(config["decisions"])
    return ", ".join(f"{ns}.*" if spec.get("ids") != "none" else ns for ns, spec in config["targets"][kind].items())


# --- parsing one rule --------------------------------------------------------------------


def parse_rule(
    raw: Any, file: str, pack: str, layer: int, fields: dict[str, Field] | None = None
) -> tuple[Rule | None, list[Problem]]:
    """Validate one raw rule mapping; return the Rule (None if unusable) and problems."""
    fields = fields if fields is not None else registry()
    found: list[Problem] = []
    rid = str(raw.get("id", "")) if isinstance(raw, dict) else ""

    def err(key: str, **params: Any) -> None:
        found.append(Problem("error", file, rid, key, params))

    if not isinstance(raw, dict):
        err("strategy.rules.rule_not_mapping")
        return None, found
    if not rid or not ID_RE.match(rid):
        err("strategy.rules.bad_id", id=rid or "-")
    for key in raw:
        if key not in RULE_KEYS:
            err(
                "strategy.rules.unknown_key",
                name=key,
                nearest=nearest(str(key), list(RULE_KEYS)) or "-",
                allowed=", ".join(RULE_KEYS),
            )
    disabled = raw.get("disabled", False)
    if not isinstance(disabled, bool):
        err("strategy.rules.bad_operand", where="disabled", op="disabled", expected="true | false")
    if disabled is True:
        rule = Rule(id=rid, kind="", target="", pack=pack, file=file, layer=layer, disabled=True)
        return (rule if not found else None), found
    effect = raw.get("effect")
    kind = ""
    if not isinstance(effect, dict):
        err("strategy.rules.no_effect", allowed=", ".join(KINDS))
    else:
        kinds = [k for k in effect if k in KINDS]
        if len(kinds) != 1:
            err("strategy.rules.no_effect", allowed=", ".join(KINDS))
        else:
            kind = kinds[0]
            allowed_keys = (kind, *EFFECT_PARAMS[kind])
            for key in effect:
                if key not in allowed_keys:
                    err(
                        "strategy.rules.unknown_key",
                        name=f"effect.{key}",
                        nearest=nearest(str(key), list(allowed_keys)) or "-",
                        allowed=", ".join(allowed_keys),
                    )
            for key, params in _target_problems(kind, effect, "effect"):
                err(key, **params)
            if kind == "score":
                pts = effect.get("points")
                if not isinstance(pts, (int, float)) or isinstance(pts, bool):
                    err(
                        "strategy.rules.bad_operand",
                        where="effect.points",
                        op="points",
                        expected="number",
                    )
    for key in ("when", "test"):
        for pkey, params in conditions.problems(raw.get(key), fields, key):
            err(pkey, **params)
    if kind == "check" and not raw.get("test"):
        err("strategy.rules.check_needs_test")
    if kind and kind != "check" and "test" in raw:
        err("strategy.rules.test_only_for_check")
    for key in ("text", "precondition"):
        value = raw.get(key)
        if value is None and key == "precondition":
            continue
        if not isinstance(value, dict) or any(
            not isinstance(value.get(lang), str) or not value.get(lang).strip() for lang in LANGS
        ):
            err("strategy.rules.needs_both_languages", name=key)
        elif set(value) - set(LANGS):
            err(
                "strategy.rules.unknown_key",
                name=f"{key}.{sorted(set(value) - set(LANGS))[0]}",
                nearest="en",
                allowed="en, zh",
            )
    if not isinstance(raw.get("source"), str) or not raw.get("source", "").strip():
        err("strategy.rules.needs_source")
    priority = raw.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        err("strategy.rules.bad_operand", where="priority", op="priority", expected="integer")
    if found:
        return None, found
    rule = Rule(
        id=rid,
        kind=kind,
        target=effect[kind],
        when=raw.get("when") or None,
        test=raw.get("test") or None,
        points=float(effect.get("points", 0) or 0),
        value=effect.get("value"),
        stage=effect.get("stage"),
        severity=effect.get("severity"),
        priority=priority,
        text=dict(raw["text"]),
        precondition=raw.get("precondition"),
        source=raw["source"].strip(),
        pack=pack,
        file=file,
        layer=layer,
    )
    found.extend(_order_problems(rule))
    return rule, found


def _order_problems(rule: Rule) -> list[Problem]:
    """A rule may only read facts produced by earlier phases (no cycles)."""
    mine = phase_of_target(rule.kind, rule.target)
    out = []
    for path in conditions.fields_of(rule.when) + conditions.fields_of(rule.test):
        produced = phase_of_fact(path)
        if produced is not None and produced >= mine:
            out.append(
                Problem(
                    "error",
                    rule.file,
                    rule.id,
                    "strategy.rules.reads_later_fact",
                    {"field": path, "target": rule.target},
                )
            )
    return out


# --- files and folders -------------------------------------------------------------------


def _rule_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise UserError("strategy.rules.no_dir", path=str(folder))
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))


def read_folder(folder: Path, layer: int) -> tuple[list[Rule], list[Problem], list[dict]]:
    """Parse every rule file of one folder (one layer)."""
    rules: list[Rule] = []
    found: list[Problem] = []
    packs: list[dict] = []
    fields = registry()
    for path in _rule_files(folder):
        name = path.name if layer == 0 else str(path)
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            found.append(Problem("error", name, "", "strategy.rules.symlink_outside", {"target": str(path.resolve())}))
            continue
        try:
            text = path.read_text(encoding="utf-8")
            doc = json.loads(text) if path.suffix == ".json" else safe_yaml.load(text, name)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            found.append(
                Problem(
                    "error",
                    name,
                    "",
                    "strategy.rules.parse_error",
                    {"detail": str(exc).splitlines()[0] if str(exc) else type(exc).__name__},
                )
            )
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            found.append(Problem("error", name, "", "strategy.rules.file_shape", {}))
            continue
        for key in doc:
            if key not in FILE_KEYS:
                found.append(
                    Problem(
                        "error",
                        name,
                        "",
                        "strategy.rules.unknown_key",
                        {
                            "name": key,
                            "nearest": nearest(str(key), list(FILE_KEYS)) or "-",
                            "allowed": ", ".join(FILE_KEYS),
                        },
                    )
                )
        pack = str(doc.get("pack") or path.stem)
        count = 0
        for raw in doc["rules"]:
            rule, problems = parse_rule(raw, name, pack, layer, fields)
            found.extend(problems)
            if rule is not None:
                rules.append(rule)
                count += 1
        packs.append({"pack": pack, "file": name, "layer": layer, "rules": count})
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            found.append(
                Problem(
                    "error",
                    rule.file,
                    rule.id,
                    "strategy.rules.duplicate_id",
                    {"other": seen[rule.id].file},
                )
            )
        seen[rule.id] = rule
    return rules, found, packs


def layer_rules(layers: list[list[Rule]]) -> tuple[list[Rule], list[dict], list[Problem]]:
    """Apply later layers over earlier ones by id; report overrides."""
    active: dict[str, Rule] = {}
    overridden: list[dict] = []
    found: list[Problem] = []
    for rules in layers:
        for rule in rules:
            before = active.get(rule.id)
            if before is not None:
                overridden.append(
                    {
                        "rule": rule.id,
                        "by": rule.file,
                        "was": before.file,
                        "disabled": rule.disabled,
                    }
                )
            elif rule.disabled:
                found.append(Problem("warning", rule.file, rule.id, "strategy.rules.disables_nothing", {}))
            active[rule.id] = rule
    return [r for r in active.values() if not r.disabled], overridden, found


_cache: dict[tuple, tuple] = {}


def _read_cached(folder: Path, layer: int) -> tuple[list[Rule], list[Problem], list[dict]]:
    """``read_folder`` memoised on the files' names, sizes and mtimes (rules are immutable
    once parsed), so repeated assessments in one process parse each pack once."""
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in _rule_files(folder))
    except OSError:
        return read_folder(folder, layer)
    key = (str(folder.resolve()), layer, stamp)
    if key not in _cache:
        _cache.clear() if len(_cache) > 32 else None
        _cache[key] = read_folder(folder, layer)
    return _cache[key]


def load_rules(rule_dirs: list[Path] | None = None) -> RuleSet:
    """The built-in pack plus ``rule_dirs``; raises UserError on the first error."""
    layers: list[list[Rule]] = []
    packs: list[dict] = []
    for layer, folder in enumerate([builtin_rules_dir(), *(rule_dirs or [])]):
        rules, problems, found_packs = _read_cached(Path(folder), layer)
        errors = [p for p in problems if p.level == "error"]
        if errors:
            raise UserError(
                "strategy.rules.invalid",
                detail=errors[0].render(),
                count=len(errors),
                path=str(folder),
            )
        layers.append(rules)
        packs.extend(found_packs)
    active, overridden, _ = layer_rules(layers)
    return RuleSet(rules=active, packs=packs, overridden=overridden)


def check_folder(folder: Path, with_builtin: bool = True) -> list[Problem]:
    """Everything `osslever rules check` reports for a pack folder."""
    fields = registry()
    layers: list[list[Rule]] = []
    found: list[Problem] = []
    if with_builtin and Path(folder).resolve() != builtin_rules_dir().resolve():
        builtin, _, _ = read_folder(builtin_rules_dir(), 0)
        layers.append(builtin)
    rules, problems, _ = read_folder(Path(folder), len(layers))
    found.extend(problems)
    layers.append(rules)
    active, overridden, layer_problems = layer_rules(layers)
    found.extend(layer_problems)
    for item in overridden:
        if item["by"] != item["was"]:
            found.append(
                Problem(
                    "info",
                    item["by"],
                    item["rule"],
                    "strategy.rules.overrides",
                    {"other": item["was"]},
                )
            )
    for rule in rules:
        if rule.disabled:
            continue
        for key in ("when", "test"):
            cond = getattr(rule, key)
            if cond and not conditions.satisfiable(cond, fields):
                found.append(Problem("error", rule.file, rule.id, "strategy.rules.unreachable", {"where": key}))
    found.extend(_decision_overlaps(active, rules, fields))
    found.extend(_undiscriminating(rules))
    if Path(folder).resolve() == builtin_rules_dir().resolve() or with_builtin:
        from osslever.models.strategy.decision import undiscriminating_drivers

        for driver_id, models in undiscriminating_drivers():
            found.append(
                Problem(
                    "warning",
                    "data/strategy/decision.yaml",
                    driver_id,
                    "strategy.rules.undiscriminating",
                    {"count": len(models), "models": ", ".join(models)},
                )
            )
    return found


def _undiscriminating(rules: list[Rule]) -> list[Problem]:
    """Rules with the same condition rewarding three or more models equally.

    Such a driver tells the models apart not at all (issue 12: the generic enterprise
    drivers that put support subscriptions in everyone's top three).
    """
    groups: dict[tuple, list[Rule]] = {}
    for rule in rules:
        if rule.kind == "score" and rule.namespace == "model" and not rule.disabled and rule.points > 0:
            key = (repr(rule.when), rule.points)
            groups.setdefault(key, []).append(rule)
    out = []
    for group in groups.values():
        models = sorted({r.target.split(".", 1)[1] for r in group})
        if len(models) >= 3:
            out.append(
                Problem(
                    "warning",
                    group[0].file,
                    group[0].id,
                    "strategy.rules.undiscriminating",
                    {"count": len(models), "models": ", ".join(models)},
                )
            )
    return out


def _decision_overlaps(active: list[Rule], mine: list[Rule], fields: dict[str, Field]) -> list[Problem]:
    """Two decision rules of equal priority that can both hold but disagree."""
    out: list[Problem] = []
    decide = [r for r in active if r.kind == "decide"]
    mine_ids = {r.id for r in mine}
    for i, a in enumerate(decide):
        for b in decide[i + 1 :]:
            if a.target != b.target or a.priority != b.priority or a.value == b.value:
                continue
            if a.id not in mine_ids and b.id not in mine_ids:
                continue
            both = {"all": [c for c in (a.when, b.when) if c]}
            if conditions.satisfiable(both if both["all"] else None, fields):
                out.append(
                    Problem(
                        "warning",
                        b.file,
                        b.id,
                        "strategy.rules.overlap",
                        {"other": a.id, "target": a.target},
                    )
                )
    return out
