"""Investor verdict: investable / conditional / not yet, with the facts that drive it.

seeds/004 (丁宁): open source is only a lever — first know how you would sell without
it; a single customer paying US$1M a year is a reasonable bar for infrastructure
software, whatever the star count.  徐至行: plan commercialisation early.  So the
verdict reads three facts, each with its provenance:

* does the recommended model already earn (its revenue lines' share of revenue)?
* is a US$1M-a-year customer signed or signable with the code open?
* is product-market fit found?

investable = the model earns and the US$1M bar is met, and the answer is coherent;
not yet = nothing of that (no earning line, no PMF, the US$1M bar failed or unknown);
conditional = anything between, with the missing fact named.  At the *early* stage
(刘景媛: no revenue to look at yet, investors ask whether the product meets a real
need) product-market fit stands in for revenue: PMF and the US$1M bar → investable.
"""

from __future__ import annotations

from typing import Any

from osslever.i18n import t
from osslever.models.strategy import decision


def facts(dec: decision.Decision) -> dict[str, Any]:
    cfg = decision.config()
    values = dec.values
    lines = [k for k, spec in cfg["revenue_lines"].items() if spec["model"] == dec.model]
    share = sum(float(values.get(f"revenue.{k}") or 0.0) for k in lines)
    million = None
    if (values.get("finance.customers_arr_1m_plus") or 0) >= 1 or (
        values.get("finance.largest_customer_acv_usd") or 0
    ) >= 1e6:
        million = True
    elif values.get("business.can_sign_1m_customer") is not None:
        million = bool(values["business.can_sign_1m_customer"])
    return {
        "earning_share": round(share, 4),
        "earns": share >= float(cfg["investor"]["earning_share_min"]),
        "million": million,
        "pmf": values.get("business.pmf"),
        "lines": lines,
    }


def verdict(dec: decision.Decision, stage: str | None = None) -> str:
    f = facts(dec)
    if dec.best is None or dec.forced:
        return "not_yet" if not f["earns"] else "conditional"
    earns = f["earns"] or (stage == "early" and f["pmf"] is True)
    if earns and f["million"] is True:
        return "investable"
    if not f["earns"] and f["million"] is not True and f["pmf"] is not True:
        return "not_yet"
    return "conditional"


def section(dec: decision.Decision, provenance: dict[str, str], lang: str, stage: str | None = None) -> dict:
    f = facts(dec)
    value = verdict(dec, stage)
    reasons = []
    earn_paths = [f"revenue.{k}" for k in f["lines"] if dec.values.get(f"revenue.{k}") is not None]
    reasons.append(
        {
            "fact": "earns",
            "text": t(
                "strategy.investor.earns" if f["earns"] else "strategy.investor.not_earning",
                lang=lang,
                share=f"{round(f['earning_share'] * 100)}%",
            ),
            "provenance": {p: provenance.get(p, "declared") for p in earn_paths} or {"revenue": "unknown"},
        }
    )
    million_paths = [
        p
        for p in ("finance.customers_arr_1m_plus", "finance.largest_customer_acv_usd", "business.can_sign_1m_customer")
        if dec.values.get(p) is not None
    ]
    key = {True: "million_yes", False: "million_no", None: "million_unknown"}[f["million"]]
    reasons.append(
        {
            "fact": "million",
            "text": t(f"strategy.investor.{key}", lang=lang),
            "provenance": {p: provenance.get(p, "declared") for p in million_paths} or {"million": "unknown"},
        }
    )
    pkey = {True: "pmf_yes", False: "pmf_no", None: "pmf_unknown"}[f["pmf"]]
    reasons.append(
        {
            "fact": "pmf",
            "text": t(f"strategy.investor.{pkey}", lang=lang),
            "provenance": {"business.pmf": provenance.get("business.pmf", "declared")}
            if f["pmf"] is not None
            else {"business.pmf": "unknown"},
        }
    )
    return {
        "verdict": value,
        "stage": stage,
        "text": t(f"strategy.investor.verdict.{value}", lang=lang),
        "facts": reasons,
        "source": decision.config()["investor"]["source"],
    }
