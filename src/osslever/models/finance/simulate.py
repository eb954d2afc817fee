"""Vectorised Monte Carlo of one business model: paths × months, numpy only.

Each path draws every uncertain input once (parameter uncertainty); months then
run as a recurrence over all paths at once (only the 60-ish months loop in
Python, never the 10,000 paths).

Per month t, for every path:

* target paying customers  T(t) = conversion × funnel(t) × min(1, t / ramp_months)
  with funnel(t) = initial × (1 + monthly_growth)^t — conversion is a stock ratio
  (paying customers per user/download/…), which is how the public benchmarks are
  stated (MySQL ~1/1,000 users; MongoDB ~4,300 customers from 30M downloads);
  or, for models given ``customers`` directly, T(t) = initial × (1 + growth)^(t−1).
* logo churn c = 1 − GRR^(1/12); expected new customers
  n = max(0, T − E[C(t−1)](1 − c)) — conversion backfills churn up to the target;
  N = n, or Poisson(n) when customer_noise = poisson; C(t) = C(t−1)(1 − c) + N.
  The noise is on the flow, around the noise-free trajectory, so E[C] and E[ARR]
  stay equal to the closed form (a ratchet on the noisy stock would bias them up).
* MRR(t) = MRR(t−1) × NRR^(1/12) + N × ARPA — retained revenue compounds at the
  monthly NRR (churn plus expansion), new revenue enters at the average price.
* cash(t) = cash(t−1) + MRR × gross_margin − N × 12 × ARPA × cac_ratio − fixed costs.
* largest customer: each month the largest new contract among N (drawn from the
  upper order statistic of the contract-size distribution, u^(1/N)), and the
  largest so far grows with expansion (1 + e) = NRR^(1/12) ÷ (1 − c).

ARR = 12 × MRR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from osslever.models.finance.scenario import ModelSpec, Scenario, Segment, segment_mean_monthly


@dataclass
class Paths:
    arr: np.ndarray  # (months, paths): one contiguous row per month
    customers: np.ndarray
    cash: np.ndarray
    largest_acv: np.ndarray | None


def _segment_acv_quantile(seg: Segment, draws: dict[str, np.ndarray], u: np.ndarray) -> np.ndarray:
    """Annual contract value of the customer at quantile ``u`` of the segment (per path)."""
    if seg.kind == "acv" and seg.acv is not None:
        return seg.acv.quantile(u)
    if seg.kind == "tokens":
        tok = seg.tokens
        hit = draws[tok["hit"]]
        price_in = hit * draws[tok["input_cache_hit"]] + (1 - hit) * draws[tok["input_cache_miss"]]
        price_out = draws[tok["output"]]
        monthly = tok["input_volume"].quantile(u) * price_in + tok["output_volume"].quantile(u) * price_out
        return 12 * monthly
    assert seg.price is not None
    return np.broadcast_to(12 * draws[seg.price] * seg.price_factor, u.shape)


# Above this mean a Poisson count is drawn from its normal approximation (the usual
# textbook rule: fine for λ > 10); exact draws would dominate the run time.
NORMAL_APPROX_ABOVE = 10.0


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson(lam) counts as floats, vectorised, exact for small means."""
    out = np.rint(lam + np.sqrt(lam) * rng.standard_normal(lam.shape))
    np.maximum(out, 0.0, out=out)
    small = lam < NORMAL_APPROX_ABOVE
    if small.any():
        out[small] = rng.poisson(lam[small])
    return out


def simulate(
    model: ModelSpec,
    scenario: Scenario,
    draws: dict[str, np.ndarray],
    rng: np.random.Generator | None,
    track_largest: bool = True,
) -> Paths:
    """Run one model over all paths; ``rng`` None means no customer noise (expected values)."""
    n = len(next(iter(draws.values())))
    months = scenario.horizon
    t = np.arange(1, months + 1, dtype=float)
    if model.basis is not None:
        stage = scenario.funnel[model.basis]
        level = draws[stage["initial"]][:, None] * (1 + draws[stage["growth"]][:, None]) ** t
        assert model.conversion is not None
        target = draws[model.conversion][:, None] * level
    else:
        assert model.customers_initial is not None and model.customers_growth is not None
        target = draws[model.customers_initial][:, None] * (1 + draws[model.customers_growth][:, None]) ** (t - 1)
    if model.ramp_months > 0:
        target = target * np.minimum(1.0, t / model.ramp_months)

    grr = np.clip(draws[model.grr], 0.0, 1.0)
    nrr = np.maximum(draws[model.nrr], grr)  # NRR ≥ GRR by definition
    churn = 1 - grr ** (1 / 12)
    keep_revenue = nrr ** (1 / 12)
    with np.errstate(divide="ignore", invalid="ignore"):
        expansion = np.where(churn < 1, keep_revenue / np.maximum(1 - churn, 1e-12), 1.0)

    raw_shares = [draws[s.share] if isinstance(s.share, str) else np.full(n, float(s.share)) for s in model.segments]
    total = np.sum(raw_shares, axis=0)
    shares = [np.where(total > 0, s / np.where(total > 0, total, 1), 1 / len(raw_shares)) for s in raw_shares]
    seg_monthly = [np.broadcast_to(segment_mean_monthly(s, draws.__getitem__), (n,)) for s in model.segments]
    arpa = np.sum([sh * m for sh, m in zip(shares, seg_monthly, strict=True)], axis=0)
    cac = draws[model.cac_ratio]
    margin = draws[model.gross_margin]
    fixed_costs = draws[scenario.fixed_costs]

    arr = np.empty((months, n))
    customers = np.empty((months, n))
    cash_out = np.empty((months, n))
    largest_out = np.empty((months, n)) if track_largest else None
    target = np.ascontiguousarray(target.T)
    fixed_acv = [
        None if s.kind in ("acv", "tokens") else _segment_acv_quantile(s, draws, np.zeros(n)) for s in model.segments
    ]
    draw_rng = rng or np.random.default_rng(0)
    c = np.zeros(n)
    c_expected = np.zeros(n)
    mrr = np.zeros(n)
    cash = np.full(n, scenario.cash_initial)
    largest = np.zeros(n)
    for i in range(months):
        expected_survivors = c_expected * (1 - churn)
        new = np.maximum(target[i] - expected_survivors, 0.0)
        c_expected = expected_survivors + new
        if rng is not None:
            new = poisson(rng, new)
        c = c * (1 - churn) + new
        mrr = mrr * keep_revenue + new * arpa
        cash = cash + mrr * margin - new * 12 * arpa * cac - fixed_costs
        np.multiply(mrr, 12, out=arr[i])
        customers[i] = c
        cash_out[i] = cash
        if largest_out is not None:
            largest = largest * expansion
            for seg, share, constant in zip(model.segments, shares, fixed_acv, strict=True):
                k = new * share
                signed = k > 0
                if not signed.any():
                    continue
                if constant is not None:  # one list price: every contract is the same size
                    np.maximum(largest, np.where(signed, constant, 0.0), out=largest)
                    continue
                u = draw_rng.random(n)
                with np.errstate(divide="ignore"):
                    top = np.where(signed, u ** (1 / np.where(signed, k, 1.0)), 0.0)
                acv = np.where(signed, _segment_acv_quantile(seg, draws, top), 0.0)
                np.maximum(largest, acv, out=largest)
            largest_out[i] = largest
    return Paths(arr=arr, customers=customers, cash=cash_out, largest_acv=largest_out)
