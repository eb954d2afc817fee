"""Monte Carlo forecasts: closed-form checks, reproducibility, convergence, strict scenarios."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from osslever import i18n
from osslever.errors import UserError
from osslever.models.finance import distributions as dists
from osslever.models.finance import forecast_document
from osslever.models.finance.repo_evidence import stars_evidence

EXAMPLE = Path(__file__).parents[1] / "examples" / "scenario.yaml"


@pytest.fixture(autouse=True)
def _english():
    i18n.use("en")
    yield
    i18n.use(None)


def _scenario(
    model: dict, users: float = 100_000, growth: float = 0.0, horizon: int = 60, noise: str = "none", **extra
) -> dict:
    base = {
        "retention": {"grr": 1.0, "nrr": 1.0},
        "ramp_months": 0,
        "sales": {"cac_ratio": 0.0},
        "gross_margin": 1.0,
    }
    return {
        "name": "test",
        "horizon_months": horizon,
        "funnel": {"users": {"initial": users, "monthly_growth": growth}},
        "models": {"managed_cloud": {**base, **model}},
        "simulation": {"customer_noise": noise},
        **extra,
    }


def _model(doc: dict, mid: str = "managed_cloud") -> dict:
    return next(m for m in doc["models"] if m["id"] == mid)


def test_deterministic_growth_matches_closed_form():
    # C_t = p × B0 × (1+g)^t with no churn; MRR_t = ARPA × C_t
    p, b0, g, arpa = 0.01, 100_000, 0.02, 50.0
    doc = forecast_document(
        _scenario({"conversion": p, "pricing": {"price_month": arpa}}, users=b0, growth=g), paths=5, seed=1
    )
    m = _model(doc)
    customers = p * b0 * (1 + g) ** 60
    assert m["customers"]["p50"] == pytest.approx(customers, abs=0.01)
    assert m["arr"]["p10"] == m["arr"]["p90"] == pytest.approx(12 * arpa * customers, abs=0.01)
    # ARR_t ≥ 1M first at t* = ceil(log(1e6 / (12 ARPA p B0)) / log(1+g)) = month 37
    t_star = math.ceil(math.log(1e6 / (12 * arpa * p * b0)) / math.log(1 + g))
    assert m["thresholds"]["arr_1m"] == {
        "threshold": 1e6,
        "probability": 1.0,
        "median_month": t_star,
        "median_month_if_crossed": t_star,
    }


def test_retention_recurrence_and_cash_match_closed_form():
    # Constant target N = p B; churn c = 1 - GRR^(1/12) backfilled each month;
    # MRR_1 = N A, MRR_t = k MRR_{t-1} + c N A with k = NRR^(1/12):
    # MRR_t = k^(t-1) N A + c N A (1 - k^(t-1)) / (1 - k)
    grr, nrr, n, a = 0.9, 1.2, 1000.0, 100.0
    scenario = _scenario({"conversion": 0.01, "pricing": {"price_month": a}, "retention": {"grr": grr, "nrr": nrr}})
    m = _model(forecast_document(scenario, paths=3, seed=0))
    c, k = 1 - grr ** (1 / 12), nrr ** (1 / 12)
    mrr = [k ** (t - 1) * n * a + c * n * a * (1 - k ** (t - 1)) / (1 - k) for t in range(1, 61)]
    assert m["arr"]["p50"] == pytest.approx(12 * mrr[-1], rel=1e-9)
    assert m["customers"]["p50"] == pytest.approx(n, rel=1e-9)
    # gross margin 1, no sales cost, no fixed costs: cash = Σ MRR_t
    assert m["cash"]["p50"] == pytest.approx(sum(mrr), rel=1e-9)


def test_sales_cost_fixed_costs_and_ramp():
    # ramp 10 months: target_t = N × min(1, t/10); no churn -> new_t = N/10 for t ≤ 10
    # cash_T = Σ MRR_t × gm − Σ new_t × 12 A × cac − T × fixed
    n, a, gm, cac, fixed = 1000.0, 10.0, 0.5, 1.0, 100.0
    scenario = _scenario(
        {
            "conversion": 0.01,
            "pricing": {"price_month": a},
            "ramp_months": 10,
            "gross_margin": gm,
            "sales": {"cac_ratio": cac},
        },
        horizon=12,
        cash={"initial": 5000, "fixed_costs_month": fixed},
    )
    m = _model(forecast_document(scenario, paths=2, seed=0))
    customers = [n * min(1, t / 10) for t in range(1, 13)]
    mrr = [c * a for c in customers]
    expected = 5000 + sum(mrr) * gm - n * 12 * a * cac - 12 * fixed
    assert m["cash"]["p50"] == pytest.approx(expected, rel=1e-9)
    assert m["monthly"][4]["customers"]["p50"] == pytest.approx(500.0)


def test_tier_shares_from_usage_limits():
    # executions ~ lognormal(median 1000, p90 10000): P(≤1000) = 0.5, P(≤10000) = 0.9
    # ARPA = 0.5 × 10 + 0.4 × 100 + 0.1 × (12000 / 12) = 145
    pricing = {
        "tiers": [
            {"name": "Starter", "price_month": 10, "limits": {"executions": 1000}},
            {"name": "Pro", "price_month": 100, "limits": {"executions": 10000}},
            {"name": "Enterprise", "acv": 12000},
        ],
        "usage": {"executions": {"lognormal": {"median": 1000, "p90": 10000}}},
    }
    m = _model(forecast_document(_scenario({"conversion": 0.01, "pricing": pricing}), paths=2, seed=0))
    assert m["arr"]["p50"] == pytest.approx(12 * 1000 * 145, rel=1e-9)


def test_token_pricing_revenue_per_account():
    # 10M input tokens (half cache hits at 0.07, half misses at 0.27) + 2M output at 1.10
    # = 10 × 0.17 + 2 × 1.10 = 3.9 per account per month
    pricing = {
        "tokens": {
            "input_millions_month": 10,
            "output_millions_month": 2,
            "cache_hit_ratio": 0.5,
            "price_per_million": {"input_cache_hit": 0.07, "input_cache_miss": 0.27, "output": 1.10},
        }
    }
    scenario = _scenario({"conversion": 0.01, "pricing": pricing})
    scenario["models"]["usage_api"] = scenario["models"].pop("managed_cloud")
    m = _model(forecast_document(scenario, paths=2, seed=0), "usage_api")
    assert m["arr"]["p50"] == pytest.approx(12 * 1000 * 3.9, rel=1e-9)


def test_direct_customers_and_one_million_customer_probability():
    # one customer signed in month 1 (target constant 1, no churn); contract size
    # uniform on [1, 2M+1] -> P(largest ≥ 1M) = 0.5 and it happens in month 1
    scenario = {
        "name": "t",
        "horizon_months": 12,
        "simulation": {"customer_noise": "none"},
        "models": {
            "dual_license": {
                "customers": {"initial": 1},
                "ramp_months": 0,
                "pricing": {"acv": {"uniform": [1, 2_000_001]}},
                "retention": {"grr": 1.0, "nrr": 1.0},
            }
        },
    }
    m = _model(forecast_document(scenario, paths=4000, seed=7), "dual_license")
    crossing = m["thresholds"]["customer_1m"]
    assert abs(crossing["probability"] - 0.5) < 4 * math.sqrt(0.25 / 4000)
    assert crossing["median_month_if_crossed"] == 1
    assert m["arr"]["p50"] == pytest.approx(1_000_001.0)  # mean contract size


def test_seed_reproducible_and_seed_sensitive():
    a = forecast_document(EXAMPLE, paths=500, seed=42)
    b = forecast_document(EXAMPLE, paths=500, seed=42)
    c = forecast_document(EXAMPLE, paths=500, seed=43)
    assert a == b
    assert a["models"][0]["arr"] != c["models"][0]["arr"]


def test_monte_carlo_converges_to_the_expectation():
    # Only the conversion is uncertain (uniform [0.005, 0.015]), customers are Poisson:
    # E[ARR_T] = 12 × A × B × E[p] = 12 × 50 × 100000 × 0.01 = 600,000 (no churn, no growth)
    scenario = _scenario(
        {"conversion": {"uniform": [0.005, 0.015]}, "pricing": {"price_month": 50}}, horizon=24, noise="poisson"
    )
    small = _model(forecast_document(scenario, paths=1000, seed=3))
    large = _model(forecast_document(scenario, paths=16000, seed=3))
    ratio = small["arr_standard_error"] / large["arr_standard_error"]
    assert 3.0 < ratio < 5.3  # standard error ~ 1/sqrt(n): sqrt(16) = 4
    for m in (small, large):
        assert abs(m["mean_arr"] - 600_000) < 4 * m["arr_standard_error"]


def test_tornado_ranks_inputs_by_swing():
    scenario = _scenario({"conversion": {"uniform": [0.009, 0.011]}, "pricing": {"price_month": {"uniform": [10, 90]}}})
    m = _model(forecast_document(scenario, paths=10, seed=0))
    top = m["tornado"][0]
    # price swings 18..82 around 50 (±64%), conversion 0.0092..0.0108 (±8%)
    assert top["input"] == "models.managed_cloud.pricing.price_month"
    assert top["low"] == pytest.approx(18.0) and top["high"] == pytest.approx(82.0)
    assert top["arr_low"] == pytest.approx(12 * 18 * 1000, rel=1e-9)
    assert m["tornado"][1]["input"] == "models.managed_cloud.conversion"


def test_defaults_are_marked_with_sources_and_evidence_is_measured():
    scenario = {
        "name": "d",
        "funnel": {"downloads": {"initial": 1_000_000}},
        "models": {"open_core": {"pricing": {"price_year": 20000}}},
    }
    doc = forecast_document(scenario, paths=50, seed=1, evidence={"project.stars": 5000})
    defaults = {d["path"]: d for d in doc["defaults_used"]}
    conv = defaults["models.open_core.conversion"]
    assert "MongoDB" in conv["source"]
    assert "SaaS Capital" in defaults["models.open_core.retention.nrr"]["source"]
    # ACV 20,000 -> band 12k-25k: median NRR 1.02, GRR 0.90
    assert defaults["models.open_core.retention.nrr"]["value"]["triangular"][1] == 1.02
    assert defaults["models.open_core.retention.grr"]["value"]["triangular"][1] == 0.90
    assert doc["funnel"]["stars"]["initial"]["origin"] == "measured"
    assert doc["funnel"]["downloads"]["initial"]["origin"] == "declared"
    assert doc["notes"]


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        (
            {"models": {"managed_cloud": {"conversoin": 0.1, "pricing": {"price_month": 1}}}},
            ["models.managed_cloud.conversoin", "did you mean 'conversion'"],
        ),
        ({"models": {"manged_cloud": {"pricing": {"price_month": 1}}}}, ["models.manged_cloud", "managed_cloud"]),
        ({"horizon_monts": 12}, ["horizon_monts", "horizon_months"]),
        (
            {"models": {"managed_cloud": {"conversion": 1.5, "pricing": {"price_month": 1}}}},
            ["models.managed_cloud.conversion", "between 0 and 1"],
        ),
        (
            {"models": {"managed_cloud": {"conversion": {"triangular": [3, 1, 2]}, "pricing": {"price_month": 1}}}},
            ["models.managed_cloud.conversion", "low ≤ mode ≤ high"],
        ),
        (
            {"models": {"managed_cloud": {"conversion": {"gamma": [1, 2]}, "pricing": {"price_month": 1}}}},
            ["unknown distribution 'gamma'"],
        ),
        ({"models": {"managed_cloud": {"conversion": 0.1}}}, ["models.managed_cloud.pricing"]),
        (
            {"models": {"managed_cloud": {"pricing": {"tiers": [{"price_month": 1}, {"acv": 5}]}}}},
            ["models.managed_cloud.pricing.tiers", "usage distribution"],
        ),
        (
            {"models": {"managed_cloud": {"pricing": {"tiers": [{"price_month": 1, "acv": 5}]}}}},
            ["tiers[0]", "exactly one"],
        ),
        (
            {"models": {"managed_cloud": {"basis": "stars", "pricing": {"price_month": 1}}}},
            ["models.managed_cloud.basis", "stars"],
        ),
        ({"models": {}}, ["at least one"]),
    ],
)
def test_strict_scenario_validation(patch, words):
    scenario = {"name": "v", "funnel": {"users": {"initial": 100}}, **patch}
    with pytest.raises(UserError) as err:
        forecast_document(scenario, paths=10, seed=0)
    text = str(err.value)
    for w in words:
        assert w in text


def test_scenario_file_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        forecast_document(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="cannot read scenario"):
        forecast_document(bad)


def test_distribution_quantiles_match_definitions():
    tri = dists.parse({"triangular": [0, 1, 4]})
    # triangular CDF at the mode = (c-a)/(b-a) = 1/4
    assert float(tri.quantile(0.25)) == pytest.approx(1.0)
    assert float(tri.cdf(1.0)) == pytest.approx(0.25)
    logn = dists.parse({"lognormal": {"median": 100, "p90": 400}})
    assert float(logn.quantile(0.5)) == pytest.approx(100)
    assert float(logn.quantile(0.9)) == pytest.approx(400)
    uni = dists.parse({"uniform": [2, 6]})
    assert float(uni.quantile(0.1)) == pytest.approx(2.4)
    samples = tri.sample(np.random.default_rng(0), 200_000)
    assert samples.mean() == pytest.approx(5 / 3, abs=0.01)


def test_stars_evidence_from_monthly_counts():
    # 100 stars before the last 3 months; last 3 months 30 -> 10/month / 100 = 0.1
    assert stars_evidence([50, 50, 10, 10, 10]) == {"funnel.stars.initial": 130.0, "funnel.stars.monthly_growth": 0.1}
    assert stars_evidence([]) == {}
