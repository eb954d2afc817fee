"""The joint decision: stance, business model and license chosen together (issue 12).

Why one decision instead of three rankings: a closed stance with an open-core model, or
a hybrid with sponsorship and MIT, is not an answer a founder can act on.  Every
catalogue model declares the stances and license families it works with
(``data/strategy/decision.yaml``), and the engine scores only coherent triples:

    total(stance, model, license) = stance points + model points − license switching cost

* **Drivers** are evidence (a condition over the facts) for stances or models.  A
  driver's points are split among the targets it names — a fact that supports every
  model tells nothing apart — and scaled by the strength of the weakest evidence it read
  (measured > declared > assumed).  Negative points are counter-evidence and are shown.
* **Gates** are necessary conditions: a model whose gate is false is *not viable*, with
  the reason; a gate on an unknown fact leaves the model viable but says so.
* **Status quo**: what the company ships and sells today (license families, open
  artefacts, revenue lines) sets ``status.stance``: closed when nothing is open, hybrid
  when a closed or source-available part exists, open otherwise — so open code with paid
  support, services or hosting of that same code is open (Red Hat).
* **License**: keep the current license when it fits the stance and model; otherwise a
  change, possible only with the rights (copyright, CLA, or little outside code), at a
  cost.  When no coherent triple is possible the answer says which declared facts force
  the incoherent pair.
* **Ties** are reported as ties; nothing is decided by catalogue order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from osslever.models.license.families import families_of_expression, rule_spelling
from osslever.models.strategy import conditions
from osslever.models.strategy.conditions import FALSE, TRUE, UNKNOWN
from osslever.models.strategy.data import load_data

STANCES = ("open", "hybrid", "closed")
EPS = 1e-9


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    return load_data("decision.yaml")


@dataclass
class Support:
    """One driver that fired for a target, with its weighted points and evidence."""

    driver: dict
    points: float
    strength: float
    used: dict[str, Any] = field(default_factory=dict)


@dataclass
class Gate:
    gate: dict
    state: str
    used: dict[str, Any] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


@dataclass
class Option:
    stance: str
    model: str
    license_action: str  # keep | change | choose
    license_family: str | None
    license_spdx: str | None
    license_cost: float
    total: float


@dataclass
class Decision:
    values: dict[str, Any]
    status: str | None
    stance_points: dict[str, float]
    model_points: dict[str, float]
    stance_support: dict[str, list[Support]]
    model_support: dict[str, list[Support]]
    gates: dict[str, list[Gate]]
    viable: dict[str, bool]
    options: list[Option]
    best: Option | None
    ties: list[Option]
    forced: list[str]
    relicensable: bool | None
    relicense_reasons: list[str]
    notes: list[dict]
    unknown: set[str]

    @property
    def stance(self) -> str | None:
        return self.best.stance if self.best else None

    @property
    def model(self) -> str | None:
        return self.best.model if self.best else None


# --------------------------------------------------------------------------- facts
def prepare(values: dict[str, Any], provenance: dict[str, str] | None = None) -> dict[str, Any]:
    """Complete ``values`` with what the decision derives (in place; returns it).

    ``project.license_families`` from the license, ``product.buyer`` (v1 rules) from
    the v2 buyer kinds, ``project.open_artefacts`` from the license when undeclared,
    and ``status.stance`` from the license, artefacts and revenue lines.
    """
    prov = provenance if provenance is not None else {}
    lic = values.get("project.license")
    if lic is not None:
        values["project.license_families"] = [rule_spelling(f) for f in families_of_expression(str(lic))]
        prov.setdefault("project.license_families", prov.get("project.license", "declared"))
    if values.get("product.buyer") is None and values.get("product.buyer_kinds"):
        kinds = values["product.buyer_kinds"]
        for kind, buyer in (
            ("enterprise", "enterprise"),
            ("government", "enterprise"),
            ("oem", "oem"),
            ("team", "team"),
            ("paying_individual", "individual"),
            ("none", "none"),
        ):
            if kind in kinds:
                values["product.buyer"] = buyer
                prov["product.buyer"] = "derived"
                break
    fams = values.get("project.license_families") or []
    if values.get("project.open_artefacts") is None and fams:
        opened = [f for f in fams if f not in ("proprietary", "none", "unknown", "other")]
        values["project.open_artefacts"] = ["code"] if opened else ["none"]
        prov["project.open_artefacts"] = "assumed"
    if values.get("market.policy_direction") is None and values.get("market.policy_risk") == "high":
        # a v1 profile: high policy risk is the headwind of seeds/002 (compliant editions)
        values["market.policy_direction"] = "headwind"
        prov["market.policy_direction"] = "derived"
    values["status.stance"] = _status(values)
    # the status quo is only as certain as the weakest fact it was read from
    inputs = ["project.license", "project.open_artefacts"] + [
        f"revenue.{k}" for k in config()["revenue_lines"] if values.get(f"revenue.{k}") is not None
    ]
    weights = config()["evidence_strength"]
    known = [prov.get(p, "declared") for p in inputs if values.get(p) is not None]
    prov["status.stance"] = min(known, key=lambda k: weights.get(k, weights["declared"])) if known else "derived"
    if values.get("org.founded") is not None and values.get("as_of") is not None:
        values["org.age_years"] = max(0, int(values["as_of"]) - int(values["org.founded"]))
        prov["org.age_years"] = "derived"
    return values


def _status(values: dict[str, Any]) -> str | None:
    cfg = config()
    fams = set(values.get("project.license_families") or [])
    artefacts = set(values.get("project.open_artefacts") or [])
    lines = {k: v for k, v in _revenue(values).items() if v > 0}
    something_open = bool(artefacts - {"none"}) if artefacts else bool(fams & set(cfg["families"]["open"]))
    if not fams and not artefacts:
        return None
    if not something_open:
        return "closed"
    restricted = fams & (set(cfg["families"]["restricted"]) | set(cfg["families"]["closed"]))
    closed_lines = [k for k in lines if cfg["revenue_lines"][k]["closed"]]
    if restricted or closed_lines or values.get("license.closed_parts"):
        return "hybrid"
    return "open"


def _revenue(values: dict[str, Any]) -> dict[str, float]:
    return {
        k: float(values[f"revenue.{k}"]) for k in config()["revenue_lines"] if values.get(f"revenue.{k}") is not None
    }


# ------------------------------------------------------------------------ drivers
def _strength(used: dict[str, Any], provenance: dict[str, str]) -> float:
    weights = config()["evidence_strength"]
    if not used:
        return weights["declared"]
    return min(weights.get(provenance.get(p, "declared"), weights["declared"]) for p in used)


def decide(
    values: dict[str, Any], provenance: dict[str, str] | None = None, extra: dict[str, list[Support]] | None = None
) -> Decision:
    """The joint decision over prepared facts (``prepare`` is applied here).

    ``extra`` adds model evidence from rule packs (``score: model.X`` rules, user packs
    included), already weighted.
    """
    prov = dict(provenance or {})
    values = prepare(dict(values), prov)
    cfg = config()
    models = list(cfg["models"])
    unknown: set[str] = set()
    stance_points = {s: 0.0 for s in STANCES}
    model_points = {m: 0.0 for m in models}
    stance_support: dict[str, list[Support]] = {s: [] for s in STANCES}
    model_support: dict[str, list[Support]] = {m: [] for m in models}
    for driver in cfg["drivers"]:
        out = conditions.evaluate(driver.get("when"), values)
        if out.state == UNKNOWN:
            unknown |= out.missing
        if out.state != TRUE:
            continue
        strength = _strength(out.used, prov)
        targets = driver.get("stances") or driver.get("models")
        share = float(driver["points"]) / len(targets) * strength
        for target in targets:
            bucket, points = (stance_support, stance_points) if "stances" in driver else (model_support, model_points)
            bucket[target].append(Support(driver, share, strength, dict(out.used)))
            points[target] += share
    _status_earnings(values, prov, stance_points, stance_support)
    for mid, items in (extra or {}).items():
        for item in items:
            model_support[mid].append(item)
            model_points[mid] += item.points
    _young_company(values, prov, stance_points, stance_support)
    # billing / declared revenue: evidence for the models that already earn
    earning = float(cfg["earning_points"])
    for line, share in _revenue(values).items():
        if share <= 0:
            continue
        model = cfg["revenue_lines"][line]["model"]
        path = f"revenue.{line}"
        strength = _strength({path: share}, prov)
        points = earning * share * strength
        driver = {"id": f"earning.{line}", "text": _earning_text(line), "source": "issue 12 (billing data as evidence)"}
        model_support[model].append(Support(driver, points, strength, {path: share}))
        model_points[model] += points
    gates: dict[str, list[Gate]] = {}
    viable: dict[str, bool] = {}
    for mid, spec in cfg["models"].items():
        results = []
        for gate in spec.get("gates") or []:
            out = conditions.evaluate(gate["when"], values)
            if out.state == UNKNOWN:
                unknown |= out.missing
            results.append(Gate(gate, out.state, dict(out.used), set(out.missing)))
        gates[mid] = results
        viable[mid] = all(g.state != FALSE for g in results)
    relicensable, relicense_reasons = _relicensable(values)
    options = _options(values, stance_points, model_points, viable, relicensable)
    forced: list[str] = []
    if not options:
        forced = _forced(values, viable, relicensable)
        options = _options(values, stance_points, model_points, viable, True)
    options.sort(key=lambda o: (-round(o.total, 6), o.stance, o.model))
    best = options[0] if options else None
    ties = [
        o
        for o in options[1:]
        if best and abs(o.total - best.total) < EPS and (o.stance, o.model) != (best.stance, best.model)
    ]
    notes = []
    for note in cfg.get("notes") or []:
        out = conditions.evaluate(note["when"], values)
        if out.state == TRUE:
            notes.append({"id": note["id"], "note": note, "used": dict(out.used)})
    return Decision(
        values=values,
        status=values.get("status.stance"),
        stance_points=stance_points,
        model_points=model_points,
        stance_support=stance_support,
        model_support=model_support,
        gates=gates,
        viable=viable,
        options=options,
        best=best,
        ties=ties,
        forced=forced,
        relicensable=relicensable,
        relicense_reasons=relicense_reasons,
        notes=notes,
        unknown=unknown,
    )


def _status_earnings(values, prov, stance_points, stance_support) -> None:
    """What already pays backs the status quo: the more revenue today's combination
    earns, the more a change of stance puts at stake."""
    status = values.get("status.stance")
    shares = {k: v for k, v in _revenue(values).items() if v > 0}
    if status is None or not shares:
        return
    spec = config()["status_earning"]
    used = {f"revenue.{k}": v for k, v in shares.items()}
    strength = _strength({"status.stance": status, **used}, prov)
    points = float(spec["points"]) * strength
    stance_points[status] += points
    stance_support[status].append(Support(spec, points, strength, {"status.stance": status, **used}))


def _young_company(values, prov, stance_points, stance_support) -> None:
    """Company age stands in for product-market fit only when PMF is not declared.

    Continuous on purpose (no threshold on a number decides a stance): the support for
    opening fades linearly from full at founding to nothing at ``young_years``, and is
    only *assumed* evidence.
    """
    spec = config()["young_company"]
    age = values.get("org.age_years")
    if values.get("business.pmf") is not None or age is None:
        return
    if values.get("org.size") not in spec["sizes"]:
        return
    weight = max(0.0, 1.0 - float(age) / float(spec["young_years"]))
    if weight <= 0:
        return
    strength = float(config()["evidence_strength"]["assumed"])
    points = float(spec["points"]) * weight * strength
    stance_points["open"] += points
    stance_support["open"].append(Support(spec, points, strength, {"org.age_years": age}))


def _earning_text(line: str) -> dict[str, str]:
    return {
        "en": f"This line already earns ({_LINE_EN[line]}): what pays today is the strongest evidence for its model.",
        "zh": f"这条业务线已经在赚钱（{_LINE_ZH[line]}）：当前能收费的东西，是其商业模式最有力的证据。",
    }


_LINE_EN = {
    "support": "support subscriptions",
    "services": "services and training",
    "enterprise_edition": "an enterprise edition",
    "pro_tier": "a paid pro tier",
    "hosted": "a hosted edition",
    "commercial_license": "commercial licences",
    "api": "a paid API",
    "sponsorship": "sponsors and donations",
    "complement": "complementary products",
    "proprietary": "a closed product",
    "hosting_license": "licences to third-party hosts",
    "membership": "foundation membership",
}
_LINE_ZH = {
    "support": "支持订阅",
    "services": "服务与培训",
    "enterprise_edition": "企业版",
    "pro_tier": "付费专业版",
    "hosted": "托管版",
    "commercial_license": "商业许可",
    "api": "付费 API",
    "sponsorship": "赞助与捐赠",
    "complement": "互补产品",
    "proprietary": "闭源产品",
    "hosting_license": "授权第三方托管",
    "membership": "基金会会员费",
}


# ------------------------------------------------------------------------ license
def _relicensable(values: dict[str, Any]) -> tuple[bool | None, list[str]]:
    """Can the existing code change license? (copyright, CLA, or little outside code)"""
    limit = float(config()["relicensing"]["outside_share_max"])
    reasons = []
    if values.get("project.owns_copyright") is True:
        reasons.append("owns_copyright")
    if values.get("project.contributor_agreement") == "cla":
        reasons.append("cla")
    share = values.get("project.outside_code_share")
    if share is not None and share <= limit:
        reasons.append("little_outside_code")
    if reasons:
        return True, reasons
    known = [
        values.get("project.owns_copyright") is not None,
        values.get("project.contributor_agreement") is not None,
        share is not None,
    ]
    if all(known) or (values.get("project.owns_copyright") is False and share is not None):
        return False, ["no_rights"]
    return None, ["unknown_rights"]


def _license_fits(stance: str, model: str, fams: set[str]) -> bool:
    cfg = config()
    open_f, restricted, closed = (set(cfg["families"][k]) for k in ("open", "restricted", "closed"))
    allowed = set(cfg["models"][model]["licenses"])
    fams = fams - {"unknown", "none", "other"}
    if not fams:
        return False
    if stance == "open":
        return fams <= open_f and fams <= allowed
    if stance == "closed":
        return fams <= closed
    # hybrid: an open or source-available part under a family the model works with;
    # a proprietary member is the closed part
    shared = fams - closed
    return bool(shared) and shared <= (allowed | restricted) and bool(shared & allowed)


def _options(values, stance_points, model_points, viable, relicensable) -> list[Option]:
    cfg = config()
    current = set(values.get("project.license_families") or [])
    current_spdx = values.get("project.license")
    if current and current <= {"none", "unknown"}:
        current_spdx = None  # no license (or none asserted) yet: choosing one costs no relicensing
    cost = float(cfg["relicensing"]["cost"])
    out = []
    for mid, spec in cfg["models"].items():
        if not viable[mid]:
            continue
        for stance in spec["stances"]:
            base = stance_points[stance] + model_points[mid]
            if current_spdx and _license_fits(stance, mid, current):
                out.append(Option(stance, mid, "keep", None, str(current_spdx), 0.0, base))
                continue
            family = _target_family(stance, mid)
            if family is None:
                continue
            if not current_spdx:
                out.append(Option(stance, mid, "choose", family, cfg["representative"][family], 0.0, base))
            elif relicensable is not False:
                out.append(Option(stance, mid, "change", family, _changed(stance, family), cost, base - cost))
    return out


def _target_family(stance: str, model: str) -> str | None:
    cfg = config()
    spec = cfg["models"][model]
    for family in spec.get("prefer", []) + spec["licenses"]:
        fams = {family, "proprietary"} if stance == "hybrid" and family != "proprietary" else {family}
        if _license_fits(stance, model, fams) or _license_fits(stance, model, {family}):
            return family
    return None


def _changed(stance: str, family: str) -> str:
    rep = config()["representative"][family]
    if stance == "hybrid" and family in config()["families"]["open"]:
        return f"{rep} AND LicenseRef-proprietary"
    return rep


def _forced(values, viable, relicensable) -> list[str]:
    """Which declared facts leave no coherent triple (said, never hidden)."""
    out = []
    if relicensable is False:
        out.append("license_locked")
    if not any(viable.values()):
        out.append("no_viable_model")
    return out or ["no_coherent_option"]


def undiscriminating_drivers() -> list[tuple[str, list[str]]]:
    """Drivers of decision.yaml that reward three or more models equally (``rules check``)."""
    out = []
    for driver in config()["drivers"]:
        models = driver.get("models") or []
        if len(models) >= 3:
            out.append((driver["id"], list(models)))
    return out


# --------------------------------------------------------------------- coherence
def coherent(stance: str | None, model: str | None, license_expression: str | None) -> bool:
    """True when the triple satisfies the catalogue's declarations (used by tests/bench)."""
    if stance is None or model is None or not license_expression:
        return False
    spec = config()["models"].get(model)
    if spec is None or stance not in spec["stances"]:
        return False
    fams = {rule_spelling(f) for f in families_of_expression(license_expression)}
    return _license_fits(stance, model, fams)
