"""The ``forecast`` JSON document: every business model of a scenario, side by side.

For each model: P10/P50/P90 of ARR, paying customers and cumulative cash for every
month of the horizon; the month each path first reaches US$1M ARR and first
signs/grows a US$1M-a-year customer (probability within the horizon and median
month); and a tornado — each uncertain input swung from its P10 to its P90 with
every other input at its median, ranked by how much ARR at the horizon moves.

All models share the same draws of the funnel (common random numbers), so their
differences come from the models, not from sampling noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from osslever.i18n import t
from osslever.models.finance.scenario import ModelSpec, Scenario, build, read_scenario
from osslever.models.finance.simulate import Paths, simulate

SCHEMA_VERSION = 1
MILLION = 1_000_000.0
QUANTILES = (0.1, 0.5, 0.9)


def forecast_document(
    scenario: dict | Path | str, paths: int = 10000, seed: int | None = None, evidence: dict | None = None
) -> dict:
    """Validate ``scenario``, simulate ``paths`` Monte Carlo paths, return the document."""
    raw = read_scenario(scenario)
    spec = build(raw, evidence)
    paths = max(1, int(paths))
    rng = np.random.default_rng(seed)
    draws = sample(spec, rng, paths)
    models = []
    for model in spec.models:
        result = simulate(model, spec, draws, rng if spec.noise else None)
        models.append(_model_entry(model, spec, result))
    defaults = [
        {"path": p.path, "value": p.dist.describe(), "source": p.source}
        for p in spec.params.values()
        if p.origin == "default"
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": spec.name,
        "currency": "USD",
        "horizon_months": spec.horizon,
        "start": spec.start,
        "paths": paths,
        "seed": seed,
        "customer_noise": "poisson" if spec.noise else "none",
        "funnel": {
            stage: {"initial": _param_entry(spec, p["initial"]), "monthly_growth": _param_entry(spec, p["growth"])}
            for stage, p in spec.funnel.items()
        },
        "models": models,
        "defaults_used": defaults,
        "notes": [t("finance.note.defaults_used")] if defaults else [],
    }


def sample(spec: Scenario, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """One draw per path of every input, in path order (reproducible for a seed)."""
    return {path: spec.params[path].dist.sample(rng, n) for path in sorted(spec.params)}


def _param_entry(spec: Scenario, path: str) -> dict:
    p = spec.params[path]
    entry: dict = {"value": p.dist.describe(), "origin": p.origin}
    if p.source:
        entry["source"] = p.source
    return entry


def _round(x: float) -> float:
    return round(float(x), 2) + 0.0


def quantiles_by_month(values: np.ndarray) -> np.ndarray:
    """P10/P50/P90 of each month's row, numpy's "linear" definition.

    One sort per contiguous row is faster here than np.quantile's partitioning
    over six order statistics.
    """
    ordered = np.sort(values, axis=1)
    n = ordered.shape[1]
    out = np.empty((len(QUANTILES), ordered.shape[0]))
    for j, q in enumerate(QUANTILES):
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        out[j] = ordered[:, lo] + (ordered[:, hi] - ordered[:, lo]) * (pos - lo)
    return out


def _sig(x: float) -> float:
    return float(f"{float(x):.6g}")


def crossing(series: np.ndarray, threshold: float) -> dict:
    """First month (1-based) each path reaches ``threshold``: probability and medians."""
    hit = series >= threshold  # (months, paths)
    crossed = hit.any(axis=0)
    first = np.where(crossed, hit.argmax(axis=0) + 1, np.inf)
    probability = float(crossed.mean())
    median_all = float(np.median(first))
    return {
        "threshold": threshold,
        "probability": round(probability, 4),
        "median_month": int(median_all) if np.isfinite(median_all) else None,
        "median_month_if_crossed": int(np.median(first[crossed])) if crossed.any() else None,
    }


def _model_entry(model: ModelSpec, spec: Scenario, result: Paths) -> dict:
    qs = {
        name: quantiles_by_month(values)  # (3 quantiles, months)
        for name, values in (("arr", result.arr), ("customers", result.customers), ("cash", result.cash))
    }
    monthly = [
        {
            "month": i + 1,
            **{name: {f"p{int(x * 100)}": _round(q[j, i]) for j, x in enumerate(QUANTILES)} for name, q in qs.items()},
        }
        for i in range(spec.horizon)
    ]
    last = monthly[-1]
    thresholds = {"arr_1m": crossing(result.arr, MILLION)}
    if result.largest_acv is not None:
        thresholds["customer_1m"] = crossing(result.largest_acv, MILLION)
    inputs = [{"path": p, **_param_entry(spec, p)} for p in sorted(spec.params) if _uses(model, spec, p)]
    return {
        "id": model.id,
        "recurring": model.recurring,
        "basis": model.basis,
        "motion": model.motion,
        "arr": last["arr"],
        "customers": last["customers"],
        "cash": last["cash"],
        "mean_arr": _round(result.arr[-1].mean()),
        "arr_standard_error": _round(
            result.arr[-1].std(ddof=1) / np.sqrt(result.arr.shape[1]) if result.arr.shape[1] > 1 else 0.0
        ),
        "thresholds": thresholds,
        "tornado": tornado(model, spec),
        "inputs": inputs,
        "monthly": monthly,
    }


def _uses(model: ModelSpec, spec: Scenario, path: str) -> bool:
    if path.startswith(f"models.{model.id}."):
        return True
    if path == spec.fixed_costs:
        return True
    if model.basis is not None:
        stage = spec.funnel[model.basis]
        return path in (stage["initial"], stage["growth"])
    return False


def tornado(model: ModelSpec, spec: Scenario) -> list[dict]:
    """ARR at the horizon with one input at its P10 then its P90, the others at their medians.

    All swings run as rows of one vectorised simulation without customer noise.
    """
    swing = [p for p in sorted(spec.params) if _uses(model, spec, p) and not spec.params[p].dist.is_fixed]
    rows = 1 + 2 * len(swing)
    draws = {p: np.full(rows, spec.params[p].dist.median) for p in spec.params}
    for i, p in enumerate(swing):
        low, high = spec.params[p].dist.quantile(np.array([0.1, 0.9]))
        draws[p][1 + 2 * i] = low
        draws[p][2 + 2 * i] = high
    arr = simulate(model, spec, draws, None, track_largest=False).arr[-1]
    base = float(arr[0])
    out = []
    for i, p in enumerate(swing):
        low_v, high_v = spec.params[p].dist.quantile(np.array([0.1, 0.9]))
        a_low, a_high = float(arr[1 + 2 * i]), float(arr[2 + 2 * i])
        out.append(
            {
                "input": p,
                "low": _sig(low_v),
                "high": _sig(high_v),
                "arr_low": _round(a_low),
                "arr_high": _round(a_high),
                "swing": _round(abs(a_high - a_low)),
                "base_arr": _round(base),
            }
        )
    out.sort(key=lambda r: -r["swing"])
    return out
