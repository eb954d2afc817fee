"""The joint decision (issue 12), on hand-computed examples.

Points below are computed by hand from data/strategy/decision.yaml's published weights:
a driver's points are split among the targets it names and multiplied by the evidence
strength (measured 1.0, declared 0.7, assumed 0.4); an earning line adds
8 × share × strength to its model.
"""

import re

import pytest

from osslever.models.strategy import decision
from tests._strategy_helpers import assess, example, models


def test_declared_evidence_is_weighted_seven_tenths():
    doc = assess({"name": "x", "business": {"data_moat": True}})
    # data.moat: 1.5 points for closed × 0.7 (declared); nothing else speaks for closed
    assert doc["stance"]["points"]["closed"] == pytest.approx(1.05)
    # model.data_moat: 1 point for proprietary_product × 0.7
    assert models(doc)["proprietary_product"]["points"] == pytest.approx(0.7)


def test_measured_revenue_outweighs_the_same_declared_revenue():
    declared = assess({"name": "x", "revenue": {"hosted": 0.5}})
    measured = assess({"name": "x"}, evidence={"revenue.hosted": {"value": 0.5, "source": "billing"}})
    assert models(declared)["managed_cloud"]["points"] == pytest.approx(8 * 0.5 * 0.7)
    assert models(measured)["managed_cloud"]["points"] == pytest.approx(8 * 0.5 * 1.0)


def test_a_driver_naming_two_models_gives_each_half(monkeypatch):
    cfg = dict(decision.config())
    cfg["drivers"] = [
        {
            "id": "t.split",
            "when": {"field": "product.mission_critical", "eq": True},
            "models": ["open_core", "managed_cloud"],
            "points": 2,
            "text": {"en": "t", "zh": "t"},
        }
    ]
    monkeypatch.setattr(decision, "config", lambda: cfg)
    dec = decision.decide({"product.mission_critical": True}, {"product.mission_critical": "measured"})
    assert dec.model_points["open_core"] == pytest.approx(1.0)
    assert dec.model_points["managed_cloud"] == pytest.approx(1.0)


def test_ties_are_reported_not_broken_by_catalogue_order():
    profile = {
        "name": "two equal lines",
        "project": {"license": "MIT", "open_artefacts": ["code"]},
        "revenue": {"support": 0.5, "services": 0.5},
    }
    doc = assess(profile)
    # both lines: 8 × 0.5 × 0.7 = 2.8 points; both open with the MIT license kept
    top = {doc["business_models"][0]["id"], doc["stance"]["ties"][0]["model"]}
    assert top == {"support_subscription", "professional_services"}
    assert doc["stance"]["ties"][0]["total"] == doc["business_models"][0]["total"]


def test_open_code_with_paid_hosting_is_open_and_a_closed_tier_makes_it_hybrid():
    base = {"name": "x", "project": {"license": "Apache-2.0", "open_artefacts": ["code"]}}
    hosted = assess({**base, "revenue": {"hosted": 1.0}})
    tiered = assess({**base, "revenue": {"hosted": 0.5, "enterprise_edition": 0.5}})
    assert hosted["stance"]["status_quo"] == "open" and hosted["stance"]["value"] == "open"
    assert tiered["stance"]["status_quo"] == "hybrid" and tiered["stance"]["value"] == "hybrid"


def test_a_closed_answer_comes_with_a_closed_model_and_license():
    doc = assess(
        {
            "name": "closed tool",
            "project": {"license": "proprietary", "open_artefacts": ["none"]},
            "revenue": {"proprietary": 1.0},
        }
    )
    # status closed: (1 + 2 for earning) × 0.7 = 2.1 for closed; the earning line
    # 8 × 1.0 × 0.7 = 5.6 for proprietary_product
    assert doc["stance"]["value"] == "closed"
    assert doc["stance"]["points"]["closed"] == pytest.approx(2.1)
    assert doc["business_models"][0]["id"] == "proprietary_product"
    assert doc["business_models"][0]["points"] == pytest.approx(5.6)
    assert doc["license"]["action"] == "keep" and doc["license"]["recommended"] == ["proprietary"]
    assert doc["coherence"]["coherent"]
    assert "open_core" not in [m["id"] for m in doc["business_models"][:1]]


def test_openai_is_closed_with_a_proprietary_product():
    import yaml

    from tests._strategy_helpers import REPO

    case = yaml.safe_load((REPO / "bench" / "cases" / "openai.yaml").read_text(encoding="utf-8"))
    doc = assess(case["profile"] | {"as_of": case["as_of"]})
    assert doc["stance"]["value"] == "closed"
    assert doc["business_models"][0]["id"] == "proprietary_product"
    assert doc["license"] == doc["license"] | {"action": "keep", "recommended": ["proprietary"]}


def test_declared_facts_that_force_an_incoherent_pair_are_said():
    # a non-commercial license, no rights to relicense, and no service to meter: the one
    # model that works with that license (paid API) fails its gate, every other model
    # needs a license change that is impossible
    doc = assess(
        {
            "name": "locked",
            "product": {"category": "library", "delivery": ["library"]},
            "org": {"complementary_assets": []},
            "project": {
                "license": "CC-BY-NC-4.0",
                "owns_copyright": False,
                "contributor_agreement": "none",
                "outside_code_share": 0.8,
                "open_artefacts": ["code"],
            },
        }
    )
    assert doc["coherence"]["coherent"] is False
    assert doc["coherence"]["forced"] == ["license_locked"]
    assert "cannot be relicensed" in doc["coherence"]["text"]


def test_no_count_threshold_moves_the_stance():
    base = example("deepseek")
    answers = set()
    for stars in (9_999, 10_000, 10_001, 150_000):
        for contributors in (99, 100, 101, 5_000):
            doc = assess(base | {"project": {**base["project"], "stars": stars, "contributors": contributors}})
            answers.add((doc["stance"]["value"], tuple(sorted(doc["stance"]["points"].items()))))
    assert len(answers) == 1


def test_dual_licensing_becomes_viable_with_a_cla():
    curl = example("curl")
    signed = curl | {"project": {**curl["project"], "contributor_agreement": "cla"}}
    assert models(assess(curl))["dual_license"]["viable"] is False
    assert models(assess(signed))["dual_license"]["viable"] is True


def test_counter_evidence_is_shown():
    doc = assess({"name": "x", "org": {"region": "cn", "size": "individual"}})
    counter = models(doc)["sponsorship"]["counter_evidence"]
    assert [(r["rule"], r["points"]) for r in counter] == [("model.sponsorship_region", pytest.approx(-0.7))]
    red_hat = assess(example("redhat_rhel"))
    assert {r["supports"] for r in red_hat["stance"]["counter_evidence"]} <= {"hybrid", "closed"}
    assert "lifecycle.market_mature" in {r["rule"] for r in red_hat["stance"]["counter_evidence"]}


def test_a_version_one_profile_loads_with_a_note():
    old = assess({"name": "v1", "product": {"delivery": "saas", "buyer": "team"}})
    assert old["profile_note"] and old["inputs"]["values"]["product.delivery"] == ["saas"]
    assert assess(example("gitlab"))["profile_note"] is None


def test_open_weights_are_not_open_training_data():
    notes = {n["rule"] for n in assess(example("deepseek"))["stance"]["notes"]}
    assert "note.weights_not_training" in notes


def test_investor_verdicts():
    assert assess(example("redhat_rhel"))["investor"]["verdict"] == "investable"
    early = {
        "name": "pre-revenue",
        "org": {"size": "startup"},
        "business": {"pmf": False, "can_sign_1m_customer": False},
    }
    assert assess(early)["investor"]["verdict"] == "not_yet"
    # earns, but no US$1M customer with the code open
    jump = assess(example("jumpserver"))
    assert jump["investor"]["verdict"] == "conditional"
    facts = {f["fact"]: f for f in jump["investor"]["facts"]}
    assert facts["earns"]["provenance"] == {"revenue.enterprise_edition": "declared"}
    assert facts["million"]["provenance"] == {"business.can_sign_1m_customer": "declared"}


FIELD_PATH = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def test_levers_are_ranked_by_effect_in_plain_words():
    profile = {
        "name": "open db",
        "org": {"size": "startup"},
        "product": {"category": "database", "enterprise_needs": ["sso"]},
        "project": {"license": "Apache-2.0", "open_artefacts": ["code"], "owns_copyright": True},
        "business": {"pmf": True},
        "revenue": {"support": 1.0},
    }
    doc = assess(profile, search=True)
    levers = doc["what_would_change"]
    first = levers[0]
    assert first["id"] == "add_enterprise_tier" and first["changes"]["stance"] is True
    # a closed tier makes it hybrid; support still earns most: 8 × 1.0 × 0.7 = 5.6 against
    # the tier's 8 × 0.2 × 0.7 + 1.5 × 0.7 (enterprise features) = 2.17
    assert first["stance"] == "hybrid" and first["model"] == "support_subscription"
    ranks = [(not w["changes"]["stance"], not w["changes"]["model"], not w["changes"]["verdict"]) for w in levers]
    assert ranks == sorted(ranks)
    # sign_cla is not offered: the company already owns the copyright
    assert "sign_cla" not in {w["id"] for w in levers}
    for lang in ("en", "zh"):
        for w in assess(profile, search=True, lang=lang)["what_would_change"]:
            assert not FIELD_PATH.search(w["text"]), w["text"]


def test_at_the_early_stage_product_market_fit_stands_in_for_revenue():
    # no revenue figures → readiness stage early (readiness.yaml); seeds/004 刘景媛
    profile = {
        "name": "early with fit",
        "market": {"stage": "early"},
        "business": {"pmf": True, "can_sign_1m_customer": True},
    }
    doc = assess(profile)
    assert doc["readiness"]["stage"] == "early" and doc["investor"]["stage"] == "early"
    assert doc["investor"]["verdict"] == "investable"
    grown = assess(profile | {"market": {"stage": "growth"}})
    assert grown["readiness"]["stage"] == "growth" and grown["investor"]["verdict"] == "conditional"
