"""Benchmark: forecast of every catalogue business model, 10,000 paths × 60 months.

Prints the wall time of ``forecast_document`` (sampling, simulation, quantiles,
thresholds and tornado), the simulation alone, and the ratio against a plain-Python
loop over paths (the same recurrence, measured on a few paths in this run and
extrapolated), plus peak memory.

    PYTHONPATH=src /work/venv/bin/python bench/finance_forecast.py [--paths 10000]
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import time

import numpy as np

from osslever.models.finance.forecast import forecast_document, sample
from osslever.models.finance.scenario import build
from osslever.models.finance.simulate import simulate

TIERS = {
    "tiers": [
        {"name": "Starter", "price_month": 24, "limits": {"executions": 2500}},
        {"name": "Pro", "price_month": 60, "limits": {"executions": 10000}},
        {"name": "Enterprise", "acv": {"lognormal": {"median": 30000, "p90": 200000}}},
    ],
    "usage": {"executions": {"lognormal": {"median": 3000, "p90": 40000}}},
}
TOKENS = {
    "tokens": {
        "input_millions_month": {"lognormal": {"median": 20, "p90": 400}},
        "output_millions_month": {"lognormal": {"median": 5, "p90": 100}},
        "price_per_million": {"input_cache_hit": 0.07, "input_cache_miss": 0.27, "output": 1.10},
    }
}
CONV = {"triangular": [0.0005, 0.001, 0.003]}

SCENARIO = {
    "name": "bench: all catalogue models",
    "horizon_months": 60,
    "funnel": {
        "users": {
            "initial": {"triangular": [10000, 30000, 90000]},
            "monthly_growth": {"triangular": [0.0, 0.03, 0.06]},
        },
        "downloads": {"initial": 500000, "monthly_growth": {"uniform": [0, 0.04]}},
    },
    "cash": {"initial": 1e6, "fixed_costs_month": {"triangular": [50000, 80000, 120000]}},
    "models": {
        "support_subscription": {"pricing": {"price_year": {"triangular": [5000, 12000, 30000]}}},
        "professional_services": {
            "customers": {"initial": 2, "monthly_growth": 0.02},
            "pricing": {"price_month": {"triangular": [5000, 15000, 30000]}},
        },
        "open_core": {"conversion": CONV, "pricing": {"acv": {"lognormal": {"median": 30000, "p90": 200000}}}},
        "managed_cloud": {"conversion": {"triangular": [0.001, 0.003, 0.01]}, "pricing": TIERS},
        "dual_license": {"basis": "downloads", "pricing": {"price_year": 50000}},
        "sponsorship": {"conversion": CONV, "pricing": {"price_month": {"uniform": [5, 50]}}},
        "foundation": {
            "customers": {"initial": 5, "monthly_growth": 0.01},
            "pricing": {"price_year": {"triangular": [10000, 50000, 250000]}},
        },
        "usage_api": {"conversion": CONV, "pricing": TOKENS},
        "complement": {"conversion": CONV, "pricing": {"price_month": {"uniform": [1, 10]}}},
    },
}


def python_loop(n_paths: int, months: int, seed: int = 0) -> float:
    """The recurrence of one model written path by path in plain Python (the baseline)."""
    rng = random.Random(seed)
    total = 0.0
    for _ in range(n_paths):
        b0 = rng.triangular(10000, 90000, 30000)
        g = rng.triangular(0.0, 0.06, 0.03)
        conv = rng.triangular(0.0005, 0.003, 0.001)
        grr, nrr = rng.triangular(0.87, 0.95, 0.92), rng.triangular(1.0, 1.1, 1.05)
        price = rng.triangular(5000, 30000, 12000) / 12
        churn, keep = 1 - grr ** (1 / 12), nrr ** (1 / 12)
        c = c_exp = mrr = cash = largest = 0.0
        for t in range(1, months + 1):
            target = conv * b0 * (1 + g) ** t * min(1.0, t / 12)
            surv = c_exp * (1 - churn)
            new = max(target - surv, 0.0)
            c_exp = surv + new
            noisy = max(0.0, round(new + math.sqrt(new) * rng.gauss(0, 1)))
            c = c * (1 - churn) + noisy
            mrr = mrr * keep + noisy * price
            cash += mrr * 0.75 - noisy * 12 * price - 80000
            if noisy > 0:
                top = 12 * price * rng.random() ** (1 / noisy)
                largest = max(largest * keep / (1 - churn), top)
        total += mrr
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=10000)
    parser.add_argument("--baseline-paths", type=int, default=200)
    args = parser.parse_args()

    forecast_document(SCENARIO, paths=200, seed=0)  # warm imports and caches
    spec = build(SCENARIO)
    n_models = len(spec.models)

    t0 = time.perf_counter()
    doc = forecast_document(SCENARIO, paths=args.paths, seed=1)
    full = time.perf_counter() - t0

    rng = np.random.default_rng(1)
    draws = sample(spec, rng, args.paths)
    t0 = time.perf_counter()
    for model in spec.models:
        simulate(model, spec, draws, rng)
    sim = time.perf_counter() - t0

    t0 = time.perf_counter()
    python_loop(args.baseline_paths, spec.horizon)
    per_model = (time.perf_counter() - t0) * args.paths / args.baseline_paths
    baseline = per_model * n_models

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"models: {n_models}, paths: {args.paths}, months: {spec.horizon}")
    print(f"forecast_document (all outputs incl. tornado): {full:.3f} s")
    print(f"simulation only:                              {sim:.3f} s")
    print(f"plain-Python loop, {args.baseline_paths} paths extrapolated: {baseline:.2f} s")
    print(f"speed-up vs plain Python: simulation {baseline / sim:.0f}x, whole document {baseline / full:.0f}x")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(f"target < 1 s for the whole document: {'met' if full < 1 else 'NOT met'}")
    assert len(doc["models"]) == n_models


if __name__ == "__main__":
    main()
