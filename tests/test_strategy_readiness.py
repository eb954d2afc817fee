"""Investor readiness by stage (seeds/004): pass / fail / unknown with evidence; stars
alone never count."""

from tests._strategy_helpers import assess

BASE = {"name": "r", "product": {"buyer": "enterprise", "mission_critical": True}}


def _checks(doc: dict) -> dict[str, dict]:
    return {c["id"]: c for c in doc["readiness"]["checks"]}


def test_early_stage_without_evidence():
    doc = assess({"name": "r", "product": {"buyer": "none"}})
    assert doc["readiness"]["stage"] == "early"
    checks = _checks(doc)
    assert checks["investor.budgeted_need"]["status"] == "fail"
    assert checks["investor.budgeted_need"]["evidence"] == {"product.buyer": "none"}
    assert checks["investor.pmf_signal"]["status"] == "unknown"
    assert {c["stage"] for c in doc["readiness"]["checks"]} == {"early"}


def test_later_stage_checks_from_finance():
    profile = dict(
        BASE,
        finance={
            "arr_usd": 2_500_000,
            "paying_customers": 30,
            "nrr": 1.12,
            "grr": 0.85,
            "largest_customer_acv_usd": 400_000,
        },
    )
    doc = assess(profile)
    assert doc["readiness"]["stage"] == "later"
    checks = _checks(doc)
    assert checks["finance.arr_scale"]["status"] == "pass"
    assert checks["finance.net_retention"]["status"] == "pass"
    assert checks["finance.renewal"]["status"] == "fail"  # 0.85 < 0.90
    assert checks["investor.single_customer_1m"]["status"] == "fail"  # 400k < 1M, no 1M+ count
    assert checks["investor.single_customer_1m"]["evidence"] == {"finance.largest_customer_acv_usd": 400_000}
    # earlier stages stay visible at a later stage
    assert {"early", "growth", "later"} == {c["stage"] for c in doc["readiness"]["checks"]}


def test_growth_community_checks():
    profile = dict(BASE, project={"active_contributors": 25, "bus_factor": 1, "elephant_factor": 3})
    doc = assess(profile)
    assert doc["readiness"]["stage"] == "growth"
    checks = _checks(doc)
    assert checks["community.active_contributors"]["status"] == "pass"
    assert checks["community.bus_factor"]["status"] == "fail"
    assert checks["community.org_diversity"]["status"] == "pass"
    assert checks["community.response_time"]["status"] == "unknown"
    assert {c["id"] for c in doc["readiness"]["upcoming"]} >= {"investor.single_customer_1m"}


def test_stars_alone_do_not_count():
    famous = assess({"name": "s", "project": {"stars": 150_000}})
    plain = assess({"name": "s"})
    assert famous["readiness"]["stage"] == plain["readiness"]["stage"] == "early"
    statuses = lambda d: {c["id"]: c["status"] for c in d["readiness"]["checks"]}  # noqa: E731
    assert statuses(famous) == statuses(plain)
    assert "readiness.note.stars_do_not_count" in {n["rule"] for n in famous["readiness"]["notes"]}


def test_china_commercial_window_applies_only_to_cn_teams():
    cn = assess(
        dict(
            BASE,
            org={"region": "cn"},
            market={"stage": "growth"},
            goals={"horizon_years": 6},
            finance={"paying_customers": 0},
        )
    )
    assert _checks(cn)["investor.cn_commercial_window"]["status"] == "fail"
    assert "cn_window" in {r["id"] for r in cn["risks"]}
    us = assess(dict(BASE, org={"region": "us"}, market={"stage": "growth"}))
    assert "investor.cn_commercial_window" not in _checks(us)
