"""Forecast scenarios: strict validation, then normalisation into sampled parameters.

The schema is documented in docs/finance.md (example: examples/scenario.yaml).
Validation is strict because a typo must never silently become a default: an
unknown key is an error naming its path and the nearest valid key.

After validation every uncertain input is a ``Param`` keyed by its scenario path
(``models.managed_cloud.conversion``), with its origin: ``declared`` (in the file),
``measured`` (evidence from the repository/events) or ``default`` (benchmarks.yaml,
with the benchmark's public source). The simulation reads parameters by path, and
the output lists them the same way, so a user can find each one in the file.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from osslever import safe_yaml
from osslever.errors import UserError
from osslever.i18n import t
from osslever.models.finance import distributions as dists
from osslever.models.finance.distributions import Dist

STAGES = ("users", "downloads", "deployments", "stars")
MODEL_IDS = (
    "support_subscription",
    "professional_services",
    "open_core",
    "managed_cloud",
    "dual_license",
    "sponsorship",
    "foundation",
    "usage_api",
    "complement",
)

# --- schema -----------------------------------------------------------------------------
# A node is a type name, ("enum", values), ("list", node), ("dictof", node),
# ("map", allowed keys, node, unknown-error key) or {"keys": {...}, "required": (...)}.
# Constraints on distributions: probability, non_negative, positive, growth.

_DIST = ("dist", None)


def _d(constraint: str | None = None) -> tuple[str, str | None]:
    return ("dist", constraint)


_STAGE = {"keys": {"initial": _d("non_negative"), "monthly_growth": _d("growth")}}
_TIER = {
    "keys": {
        "name": "str",
        "price_month": _d("non_negative"),
        "price_year": _d("non_negative"),
        "acv": _d("positive"),
        "share": _d("non_negative"),
        "limits": ("dictof", "number"),
    },
}
_TOKENS = {
    "keys": {
        "input_millions_month": _d("positive"),
        "output_millions_month": _d("positive"),
        "cache_hit_ratio": _d("probability"),
        "price_per_million": {
            "keys": {
                "input_cache_hit": _d("non_negative"),
                "input_cache_miss": _d("non_negative"),
                "output": _d("non_negative"),
            },
            "required": ("input_cache_hit", "input_cache_miss", "output"),
        },
    },
    "required": ("input_millions_month", "output_millions_month", "price_per_million"),
}
_PRICING = {
    "keys": {
        "price_month": _d("non_negative"),
        "price_year": _d("non_negative"),
        "acv": _d("positive"),
        "tiers": ("list", _TIER),
        "usage": ("dictof", _d("positive")),
        "tokens": _TOKENS,
    },
}
_MODEL = {
    "keys": {
        "label": "str",
        "basis": ("enum", STAGES),
        "conversion": _d("probability"),
        "customers": {
            "keys": {"initial": _d("non_negative"), "monthly_growth": _d("growth")},
            "required": ("initial",),
        },
        "ramp_months": "number",
        "recurring": "bool",
        "pricing": _PRICING,
        "retention": {"keys": {"grr": _d("probability"), "nrr": _d("positive")}},
        "sales": {"keys": {"motion": ("enum", ("plg", "slg")), "cac_ratio": _d("non_negative")}},
        "gross_margin": _d("probability"),
    },
    "required": ("pricing",),
}
SCHEMA = {
    "keys": {
        "name": "str",
        "description": "str",
        "currency": ("enum", ("USD",)),
        "horizon_months": "int",
        "start": "str",
        "funnel": {"keys": {**{s: _STAGE for s in STAGES}, "basis": ("enum", STAGES)}},
        "models": ("map", MODEL_IDS, _MODEL, "scenario.unknown_model"),
        "cash": {"keys": {"initial": "number", "fixed_costs_month": _d("non_negative")}},
        "simulation": {"keys": {"customer_noise": ("enum", ("poisson", "none"))}},
    },
    "required": ("name", "models"),
}


def _fail(key: str, **params: object) -> UserError:
    return UserError(f"finance.{key}", **params)


def _hint(key: str, valid: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return t("finance.scenario.did_you_mean", name=close[0]) if close else ""


def _check_support(dist: Dist, constraint: str | None, path: str) -> None:
    if constraint is None:
        return
    low = float(dist.quantile(0.0))
    high = float(dist.quantile(1.0)) if dist.kind != "lognormal" else math.inf
    reason = None
    if constraint == "probability" and (low < 0 or high > 1):
        reason = "probability"
    elif constraint == "non_negative" and low < 0:
        reason = "non_negative"
    elif (constraint == "positive" and low <= 0 and dist.kind != "lognormal") or (constraint == "growth" and low <= -1):
        reason = "positive"
    if reason:
        raise _fail(
            "scenario.bad_value", path=path, value=_show(dist.describe()), reason=t(f"finance.forecast_reason.{reason}")
        )


def _show(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(node: Any, value: Any, path: str) -> Any:
    """Check ``value`` against schema ``node``; return it with distributions parsed."""
    if isinstance(node, dict):
        if not isinstance(value, dict):
            raise _fail("scenario.bad_type", path=path or "/", expected="a mapping", value=_show(value))
        keys = node["keys"]
        out = {}
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if k not in keys:
                raise _fail("scenario.unknown_key", path=sub, hint=_hint(str(k), list(keys)))
            out[k] = validate(keys[k], v, sub)
        for k in node.get("required", ()):
            if k not in value:
                raise _fail("scenario.missing_key", path=f"{path}.{k}" if path else k)
        return out
    if isinstance(node, tuple):
        kind = node[0]
        if kind == "dist":
            try:
                dist = dists.parse(value)
            except ValueError as exc:
                raise _fail("scenario.bad_distribution", path=path, reason=str(exc)) from exc
            _check_support(dist, node[1], path)
            return dist
        if kind == "enum":
            if value not in node[1]:
                raise _fail("scenario.bad_type", path=path, expected=" | ".join(map(str, node[1])), value=_show(value))
            return value
        if kind == "list":
            if not isinstance(value, list):
                raise _fail("scenario.bad_type", path=path, expected="a list", value=_show(value))
            return [validate(node[1], v, f"{path}[{i}]") for i, v in enumerate(value)]
        if kind == "dictof":
            if not isinstance(value, dict):
                raise _fail("scenario.bad_type", path=path, expected="a mapping", value=_show(value))
            return {str(k): validate(node[1], v, f"{path}.{k}") for k, v in value.items()}
        if kind == "map":
            _, allowed, child, error_key = node
            if not isinstance(value, dict):
                raise _fail("scenario.bad_type", path=path, expected="a mapping", value=_show(value))
            out = {}
            for k, v in value.items():
                if k not in allowed:
                    raise UserError(f"finance.{error_key}", path=f"{path}.{k}", hint=_hint(str(k), allowed))
                out[k] = validate(child, v, f"{path}.{k}")
            return out
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        "bool": isinstance(value, bool),
    }[node]
    if not ok:
        expected = {"str": "text", "int": "a whole number", "number": "a number", "bool": "true or false"}[node]
        raise _fail("scenario.bad_type", path=path, expected=expected, value=_show(value))
    return value


# --- normalised scenario ----------------------------------------------------------------


@dataclass
class Param:
    path: str
    dist: Dist
    origin: str  # declared | measured | default
    source: str | None = None


@dataclass
class Segment:
    """A group of a model's customers paying one way (a tier, a contract size, API usage)."""

    name: str
    share: str | float  # param path (normalised across segments per path) or a fixed share
    kind: str  # price (per-path monthly price param) | acv (contract-size Dist) | tokens
    price: str | None = None  # param path of the monthly price (kind == price)
    price_factor: float = 1.0  # price_year → monthly
    acv: Dist | None = None  # contract sizes across customers (kind == acv)
    tokens: dict[str, Any] = field(default_factory=dict)  # kind == tokens


@dataclass
class ModelSpec:
    id: str
    basis: str | None  # funnel stage, or None when customers are given directly
    recurring: bool
    ramp_months: float
    conversion: str | None
    customers_initial: str | None
    customers_growth: str | None
    grr: str
    nrr: str
    cac_ratio: str
    gross_margin: str
    motion: str
    segments: list[Segment]


@dataclass
class Scenario:
    name: str
    horizon: int
    start: str | None
    noise: bool
    cash_initial: float
    fixed_costs: str
    params: dict[str, Param]
    models: list[ModelSpec]
    funnel: dict[str, dict[str, str]]


class _Registry:
    """Collects every input as a Param while a scenario is normalised."""

    def __init__(self) -> None:
        self.params: dict[str, Param] = {}

    def declare(self, path: str, dist: Dist, origin: str = "declared", source: str | None = None) -> str:
        self.params[path] = Param(path, dist, origin, source)
        return path

    def default(self, path: str, entry: dict) -> str:
        return self.declare(path, dists.parse(entry["value"]), "default", entry["source"])

    def median(self, path: str) -> float:
        return self.params[path].dist.median


@lru_cache(maxsize=1)
def benchmarks() -> dict[str, Any]:
    text = (resources.files("osslever") / "data" / "finance" / "benchmarks.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def read_scenario(source: dict | Path | str) -> dict:
    if isinstance(source, dict):
        return source
    path = Path(source)
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError as exc:
        raise UserError("finance.file_missing", file=str(path)) from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).replace("\n", " ")[:200]
        raise UserError("finance.scenario.unreadable", file=str(path), detail=detail) from exc
    if not isinstance(data, dict):
        raise UserError("finance.scenario.not_mapping", file=str(path))
    return data


_EVIDENCE_FIELDS = {
    "project.stars": "funnel.stars.initial",
    "project.monthly_downloads": "funnel.downloads.initial",
}


def build(raw: dict, evidence: dict | None = None) -> Scenario:
    """Validate ``raw`` and resolve every input to a declared, measured or default Param."""
    doc = validate(SCHEMA, raw, "")
    horizon = doc.get("horizon_months", 60)
    if not 1 <= horizon <= 240:
        raise _fail(
            "scenario.bad_value", path="horizon_months", value=horizon, reason=t("finance.forecast_reason.horizon")
        )
    if not doc["models"]:
        raise _fail("scenario.no_models")
    bench = benchmarks()
    reg = _Registry()
    declare, default = reg.declare, reg.default
    params = reg.params

    # Funnel: declared stages, then measured evidence on top.
    funnel_raw = dict(doc.get("funnel", {}))
    measured = _evidence_paths(evidence or {})
    stages: dict[str, dict[str, str]] = {}
    for stage in STAGES:
        declared = funnel_raw.get(stage, {})
        init_path, growth_path = f"funnel.{stage}.initial", f"funnel.{stage}.monthly_growth"
        if init_path in measured:
            declare(init_path, dists.fixed(measured[init_path]), "measured")
        elif "initial" in declared:
            declare(init_path, declared["initial"])
        else:
            continue
        if growth_path in measured:
            declare(growth_path, dists.fixed(measured[growth_path]), "measured")
        elif "monthly_growth" in declared:
            declare(growth_path, declared["monthly_growth"])
        else:
            default(growth_path, bench["funnel_growth"])
        stages[stage] = {"initial": init_path, "growth": growth_path}
    basis_default = funnel_raw.get("basis") or next(
        (s for s in ("deployments", "users", "downloads", "stars") if s in stages), None
    )
    if funnel_raw.get("basis") and funnel_raw["basis"] not in stages:
        raise _fail(
            "scenario.unknown_basis", path="funnel.basis", value=funnel_raw["basis"], allowed=", ".join(stages) or "-"
        )

    cash = doc.get("cash", {})
    fixed_costs = declare("cash.fixed_costs_month", cash.get("fixed_costs_month", dists.fixed(0)), "declared")
    models = [_model(mid, spec, stages, basis_default, bench, reg) for mid, spec in doc["models"].items()]
    return Scenario(
        name=doc.get("name", ""),
        horizon=int(horizon),
        start=doc.get("start"),
        noise=doc.get("simulation", {}).get("customer_noise", "poisson") == "poisson",
        cash_initial=float(cash.get("initial", 0.0)),
        fixed_costs=fixed_costs,
        params=params,
        models=models,
        funnel=stages,
    )


def _evidence_paths(evidence: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in evidence.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        path = _EVIDENCE_FIELDS.get(key, key)
        if path.startswith("funnel.") and path.rsplit(".", 1)[-1] in ("initial", "monthly_growth"):
            out[path] = float(value)
    return out


def _model(mid: str, spec: dict, stages: dict, basis_default: str | None, bench: dict, reg: _Registry) -> ModelSpec:
    declare, default = reg.declare, reg.default
    base = f"models.{mid}"
    mbench = bench["models"][mid]
    conversion = customers_initial = customers_growth = None
    basis: str | None = None
    if "customers" in spec:
        customers_initial = declare(f"{base}.customers.initial", spec["customers"]["initial"])
        growth = spec["customers"].get("monthly_growth", dists.fixed(0.0))
        customers_growth = declare(f"{base}.customers.monthly_growth", growth)
    else:
        basis = spec.get("basis", basis_default)
        if basis is None or basis not in stages:
            raise _fail(
                "scenario.unknown_basis", path=f"{base}.basis", value=basis or "-", allowed=", ".join(stages) or "-"
            )
        if "conversion" in spec:
            conversion = declare(f"{base}.conversion", spec["conversion"])
        else:
            conversion = default(f"{base}.conversion", bench["conversion"][basis])
    segments = _segments(base, spec["pricing"], reg, bench)
    ramp = float(spec.get("ramp_months", bench["ramp_months"]["value"]))
    if ramp < 0:
        raise _fail(
            "scenario.bad_value",
            path=f"{base}.ramp_months",
            value=ramp,
            reason=t("finance.forecast_reason.non_negative"),
        )

    # Retention: declared, else SaaS Capital medians for the band of this model's ACV.
    retention = spec.get("retention", {})
    acv = 12 * _median_arpa(segments, reg.median)
    band = next(b for b in bench["retention"]["bands"] if b["acv_below"] is None or acv < b["acv_below"])
    spread = bench["retention"]["spread"]
    src = f"{bench['retention']['source']} (ACV ≈ US${acv:,.0f})"
    grr_path, nrr_path = f"{base}.retention.grr", f"{base}.retention.nrr"
    if "grr" in retention:
        declare(grr_path, retention["grr"])
    else:
        g = band["grr"]
        declare(
            grr_path,
            dists.parse({"triangular": [g * spread["grr"][0], g, min(1.0, g * spread["grr"][1])]}),
            "default",
            src,
        )
    if "nrr" in retention:
        declare(nrr_path, retention["nrr"])
    else:
        n = band["nrr"]
        declare(nrr_path, dists.parse({"triangular": [n * spread["nrr"][0], n, n * spread["nrr"][1]]}), "default", src)
    if "grr" in retention and "nrr" in retention:
        g, n = retention["grr"], retention["nrr"]
        if g.is_fixed and n.is_fixed and g.median > n.median:
            raise _fail(
                "scenario.bad_value", path=nrr_path, value=n.median, reason=t("finance.forecast_reason.retention")
            )

    sales = spec.get("sales", {})
    motion = sales.get("motion", mbench["motion"])
    cac_path = f"{base}.sales.cac_ratio"
    if "cac_ratio" in sales:
        declare(cac_path, sales["cac_ratio"])
    else:
        default(cac_path, bench["cac_ratio"][motion])
    gm_path = f"{base}.gross_margin"
    if "gross_margin" in spec:
        declare(gm_path, spec["gross_margin"])
    else:
        default(gm_path, mbench["gross_margin"])
    return ModelSpec(
        id=mid,
        basis=basis,
        recurring=bool(spec.get("recurring", mbench.get("recurring", True))),
        ramp_months=ramp,
        conversion=conversion,
        customers_initial=customers_initial,
        customers_growth=customers_growth,
        grr=grr_path,
        nrr=nrr_path,
        cac_ratio=cac_path,
        gross_margin=gm_path,
        motion=motion,
        segments=segments,
    )


def _price_of(tier: dict, path: str, declare: Any) -> tuple[str, str | None, float, Dist | None]:
    """(kind, price param path, factor to monthly, acv Dist) of one priced thing."""
    given = [k for k in ("price_month", "price_year", "acv") if k in tier]
    if len(given) != 1:
        raise _fail(
            "scenario.bad_value",
            path=path,
            value=", ".join(given) or "-",
            reason=t("finance.forecast_reason.tiers_price"),
        )
    key = given[0]
    if key == "acv":
        return "acv", None, 1.0, tier["acv"]
    factor = 1.0 if key == "price_month" else 1 / 12
    return "price", declare(f"{path}.{key}", tier[key]), factor, None


def _segments(base: str, pricing: dict, reg: _Registry, bench: dict) -> list[Segment]:
    declare, default = reg.declare, reg.default
    path = f"{base}.pricing"
    if "tokens" in pricing:
        tok = pricing["tokens"]
        tp = f"{path}.tokens"
        hit = (
            declare(f"{tp}.cache_hit_ratio", tok["cache_hit_ratio"])
            if "cache_hit_ratio" in tok
            else default(f"{tp}.cache_hit_ratio", bench["cache_hit_ratio"])
        )
        prices = {k: declare(f"{tp}.price_per_million.{k}", v) for k, v in tok["price_per_million"].items()}
        return [
            Segment(
                name="tokens",
                share=1.0,
                kind="tokens",
                tokens={
                    "input_volume": tok["input_millions_month"],
                    "output_volume": tok["output_millions_month"],
                    "hit": hit,
                    **prices,
                },
            )
        ]
    if "tiers" in pricing:
        tiers = pricing["tiers"]
        if not tiers:
            raise _fail(
                "scenario.bad_value", path=f"{path}.tiers", value="[]", reason=t("finance.forecast_reason.tiers_price")
            )
        segs = []
        for i, tier in enumerate(tiers):
            kind, price, factor, acv = _price_of(tier, f"{path}.tiers[{i}]", declare)
            segs.append(
                Segment(
                    name=tier.get("name", f"tier {i + 1}"),
                    share=0.0,
                    kind=kind,
                    price=price,
                    price_factor=factor,
                    acv=acv,
                )
            )
        with_share = [("share" in tier) for tier in tiers]
        if all(with_share):
            for i, (seg, tier) in enumerate(zip(segs, tiers, strict=True)):
                seg.share = declare(f"{path}.tiers[{i}].share", tier["share"])
        elif any(with_share) or (len(tiers) > 1 and not pricing.get("usage")):
            raise _fail(
                "scenario.bad_value",
                path=f"{path}.tiers",
                value="share",
                reason=t("finance.forecast_reason.tiers_share"),
            )
        elif len(tiers) == 1:
            segs[0].share = 1.0
        else:
            for seg, share in zip(segs, _usage_shares(tiers, pricing["usage"], segs, reg.median), strict=True):
                seg.share = share
        return segs
    for key in ("price_month", "price_year", "acv"):
        if key in pricing:
            kind, price, factor, acv = _price_of({key: pricing[key]}, path, declare)
            return [Segment(name=key, share=1.0, kind=kind, price=price, price_factor=factor, acv=acv)]
    raise _fail("scenario.missing_key", path=f"{path}.price_month")


def _usage_shares(tiers: list[dict], usage: dict[str, Dist], segs: list[Segment], median: Any) -> list[float]:
    """Share of customers landing in each tier: the cheapest tier whose limits cover them.

    Usage dimensions are taken as comonotone (a customer at the q-th quantile of
    executions is at the q-th quantile of active workflows too), so the share of
    customers a tier covers is the smallest CDF over its limits. A tier without
    limits covers everyone.
    """

    def monthly(seg: Segment) -> float:
        if seg.kind == "acv" and seg.acv is not None:
            return seg.acv.mean / 12
        return median(seg.price) * seg.price_factor if seg.price else 0.0

    order = sorted(range(len(tiers)), key=lambda i: monthly(segs[i]))
    covered_before = 0.0
    shares = [0.0] * len(tiers)
    for i in order:
        limits = tiers[i].get("limits") or {}
        covers = 1.0
        for dim, limit in limits.items():
            if dim in usage:
                covers = min(covers, float(usage[dim].cdf(limit)))
        covers = max(covers, covered_before)
        shares[i] = covers - covered_before
        covered_before = covers
    if covered_before < 1.0:  # nobody's tier covers the heaviest users: they pay the top one
        shares[order[-1]] += 1.0 - covered_before
    return shares


def _median_arpa(segments: list[Segment], median: Any) -> float:
    """Monthly revenue per customer with every input at its median (for default lookups)."""
    shares = [median(s.share) if isinstance(s.share, str) else float(s.share) for s in segments]
    total = sum(shares) or 1.0
    arpa = 0.0
    for seg, share in zip(segments, shares, strict=True):
        arpa += share / total * segment_mean_monthly(seg, median)
    return arpa


def segment_mean_monthly(seg: Segment, value: Any) -> Any:
    """Mean monthly revenue per customer of a segment; ``value(path)`` gives parameters."""
    if seg.kind == "acv" and seg.acv is not None:
        return seg.acv.mean / 12
    if seg.kind == "tokens":
        tok = seg.tokens
        hit = value(tok["hit"])
        input_price = hit * value(tok["input_cache_hit"]) + (1 - hit) * value(tok["input_cache_miss"])
        output_price = value(tok["output"])
        return tok["input_volume"].mean * input_price + tok["output_volume"].mean * output_price
    return value(seg.price) * seg.price_factor
