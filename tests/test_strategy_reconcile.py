"""Reconciling the literal decision tree with a project that is already open.

Read literally, seeds/002's tree sends every low-barrier project in a growth or mature
market with low policy risk to "closed (harvest)".  For a project that is already open
and has a community, public history says otherwise: MongoDB (AGPL → SSPL, 2018),
Elastic (Apache-2.0 → SSPL/ELv2, 2021, AGPL added 2024), HashiCorp (MPL-2.0 → BUSL,
2023), Redis (BSD → RSALv2/SSPL, 2024), Grafana (Apache-2.0 → AGPL, 2021), Confluent
(Apache Kafka + Platform + Cloud) and Red Hat (GPL + subscriptions) all kept an open or
source-available core and earned from a layer above it — hybrid — and each move toward
closed drew a fork (OpenSearch, OpenTofu, Valkey).  Projects nobody buys as a product
(Vue.js, curl, the Linux kernel) stayed fully open.  Expected values below come from that
history, not from running the engine.
"""

import random

import pytest

from tests._strategy_helpers import assess, example
from tests.test_strategy_properties import _random_profile, _with

HYBRID_IN_PUBLIC_HISTORY = [
    "mongodb",  # SSPL core + Atlas + Enterprise Advanced
    "elastic",  # SSPL/ELv2/AGPL core + Elastic Cloud + paid features
    "terraform",  # BUSL core + Terraform Enterprise / HCP Terraform
    "redis",  # RSALv2/SSPL core + Redis Cloud / Enterprise
    "grafana",  # AGPL core (from 2021) + Grafana Enterprise / Cloud
    "confluent",  # Apache Kafka + Confluent Platform / Cloud
    "redhat_rhel",  # GPL code + subscriptions, certification, brand
    "databricks",  # Apache Spark + the proprietary Databricks platform (seeds/002 分层收费)
    "deepseek",  # open weights (MIT) + the paid token-priced API (seeds/001, seeds/003)
    "qwen",  # open weights (Apache-2.0) + Alibaba Cloud compute (seeds/000)
    "sentry",  # FSL source-available code + the hosted sentry.io service
    "qt",  # LGPL/GPL framework + commercial licenses for device makers
]


@pytest.mark.parametrize("name", HYBRID_IN_PUBLIC_HISTORY)
def test_already_open_projects_with_a_community_are_hybrid(name):
    stance = assess(example(name))["stance"]
    assert stance["value"] == "hybrid"
    # the literal tree answer is still shown, with its leaf, and the step that changed it
    assert stance["tree"] == "closed"
    assert any(step.endswith("-> closed") for step in stance["path"][:-1])
    assert stance["path"][-1] == "reconcile: stance.reconcile.already_open -> hybrid"
    rec = stance["reconciliation"]
    assert rec["rule"] == "stance.reconcile.already_open"
    assert rec["evidence"]["stance.tree"] == "closed"
    assert rec["provenance"]["stance.tree"] == "derived"
    assert "project.license_families" in rec["evidence"]
    assert {"project.contributors", "project.stars"} & set(rec["evidence"])
    for fork in ("OpenSearch", "OpenTofu", "Valkey"):
        assert fork in rec["text"]
    assert "OpenSearch" in rec["source"] and "seeds/002" in rec["source"]
    rules = [r["rule"] for r in stance["reasons"]]
    assert rules[0].startswith("stance.tree.") and rules[-1] == "stance.reconcile.already_open"


def test_reconciliation_is_explained_in_both_languages():
    en = assess(example("mongodb"), lang="en")["stance"]["reconciliation"]
    zh = assess(example("mongodb"), lang="zh")["stance"]["reconciliation"]
    assert en["rule"] == zh["rule"] and en["text"] != zh["text"]
    assert "分叉" in zh["text"] and "fork" in en["text"]


COMMUNITY_PROJECTS = [
    # Vue.js: MIT, no proprietary edition ever; funded by Patreon / OpenCollective /
    # sponsors (seeds/001 模式五).  Nobody buys it, so there is no closed layer: open.
    ("vuejs", "open", "stance.reconcile.already_open_commons"),
    # curl: curl license, no proprietary edition; sponsors and support contracts: open.
    ("curl", "open", "stance.reconcile.already_open_commons"),
    # Kubernetes in 2015: an early market, and Google wanted the standard; it stayed
    # open and went to the CNCF.  The tree itself says open; the reconciliation for
    # already-open projects does not touch an open answer.
    ("kubernetes", "open", "stance.reconcile.open_market_strong_rd_standard"),
]


@pytest.mark.parametrize("name,value,rule", COMMUNITY_PROJECTS)
def test_community_projects_stay_open(name, value, rule):
    stance = assess(example(name))["stance"]
    assert stance["value"] == value
    assert stance["reconciliation"]["rule"] == rule


def test_linux_kernel_style_project_stays_open():
    # The Linux kernel: GPL-2.0-only, >15,600 developers since 2005 (Linux Foundation
    # kernel development report 2017), no single copyright holder, nobody buys "the
    # kernel" as a product (distributions do); a mature market.  It stayed fully open
    # under the Linux Foundation.  R&D strength is left unknown (a community, not a firm).
    profile = {
        "name": "Linux kernel",
        "org": {"region": "global"},
        "product": {"category": "operating_system", "buyer": "none"},
        "market": {"technical_barrier": "low", "stage": "mature", "policy_risk": "low"},
        "project": {"license": "GPL-2.0-only", "owns_copyright": False, "contributors": 15600},
    }
    stance = assess(profile)["stance"]
    assert stance["tree"] == "closed"
    assert stance["value"] == "open"
    assert stance["reconciliation"]["rule"] == "stance.reconcile.already_open_commons"


def test_kubernetes_once_mature_is_hybrid_for_the_vendor():
    # The same project seen in 2024 by a vendor selling to enterprises: Kubernetes stays
    # open at the CNCF, and Google, Red Hat and others earn from proprietary managed or
    # enterprise layers (GKE, OpenShift) — a hybrid, not a closed Kubernetes.
    # kubernetes/kubernetes has several thousand contributors (3,000 is a lower bound).
    profile = example("kubernetes")
    profile["market"]["stage"] = "mature"
    profile["project"]["contributors"] = 3000
    stance = assess(profile)["stance"]
    assert stance["tree"] == "closed"
    assert stance["value"] == "hybrid"


def _new_proprietary(base: str = "mongodb") -> dict:
    profile = example(base)
    profile["name"] = "NewDB"
    profile["project"] = {"license": "proprietary", "owns_copyright": True}
    return profile


def test_brand_new_proprietary_product_in_the_same_market_is_closed():
    stance = assess(_new_proprietary())["stance"]
    assert stance["tree"] == "closed"
    assert stance["value"] == "closed"
    assert stance["reconciliation"]["rule"] == "stance.reconcile.agree_closed"
    # a proprietary license is a known "not yet open": nothing is left undecided
    assert not [a for a in stance["alternatives"] if a["decision"] == "stance.value"]


def test_unknown_license_keeps_the_literal_answer_and_says_what_would_decide():
    profile = example("mongodb")
    del profile["project"]["license"]
    stance = assess(profile)["stance"]
    assert stance["value"] == "closed"
    pending = {a["rule"]: a["missing"] for a in stance["alternatives"]}
    assert "project.license_families" in pending["stance.reconcile.already_open"]


def test_open_license_without_a_real_community_keeps_the_literal_answer():
    profile = example("mongodb")
    profile["project"]["contributors"] = 5
    assert assess(profile)["stance"]["value"] == "closed"
    # one more contributor signal above the threshold is enough
    profile["project"]["active_contributors"] = 12
    assert assess(profile)["stance"]["value"] == "hybrid"


def test_measured_community_is_reported_as_measured():
    profile = _new_proprietary()
    profile["project"]["license"] = "Apache-2.0"
    evidence = {"project.contributors": {"value": 250, "source": "report:community.x"}}
    rec = assess(profile, evidence=evidence)["stance"]["reconciliation"]
    assert rec["rule"] == "stance.reconcile.already_open"
    assert rec["evidence"]["project.contributors"] == 250
    assert rec["provenance"]["project.contributors"] == "measured"


def test_endowment_only_closed_is_reconciled_too():
    profile = {
        "name": "e",
        "org": {"rd_strength": "strong"},
        "product": {"buyer": "enterprise"},
        "project": {"license": "MIT", "stars": 20000},
    }
    stance = assess(profile)["stance"]
    assert stance["tree"] is None and stance["endowment"] == "closed_led"
    assert stance["value"] == "hybrid"
    assert stance["path"][-1] == "reconcile: stance.reconcile.already_open -> hybrid"


def _change(doc: dict, field: str, to) -> str | None:
    for w in doc["what_would_change"]:
        if w["field"] == field and w["to"] == to:
            return w["effect"]
    return None


def test_what_would_change_mongodb_license_to_proprietary_closes_it():
    doc = assess(example("mongodb"), search=True)
    assert _change(doc, "project.license", "proprietary") == "stance hybrid -> closed"
    entry = next(w for w in doc["what_would_change"] if w["field"] == "project.license")
    assert entry["from"] == "SSPL-1.0" and len(entry["changes"]) == 1
    # a nobody-buys-it project stays open: buyer none flips hybrid -> open
    assert _change(doc, "product.buyer", "none") == "stance hybrid -> open"


def test_what_would_change_opening_a_product_with_a_community():
    profile = _new_proprietary()
    profile["project"]["contributors"] = 500
    doc = assess(profile, search=True)
    assert doc["stance"]["value"] == "closed"
    assert _change(doc, "project.license", "Apache-2.0").startswith("stance closed -> hybrid")
    zh = assess(profile, search=True, lang="zh")
    assert any(w["field"] == "project.license" for w in zh["what_would_change"])


def test_property_not_yet_open_means_the_literal_answer():
    # proprietary and unknown license give the same stance, never from an already-open rule
    rng = random.Random(2025)
    for _ in range(80):
        profile = _random_profile(rng)
        closed = assess(_with(profile, "project.license", "proprietary"))["stance"]
        unknown = assess(_with(profile, "project.license", None))["stance"]
        assert closed["value"] == unknown["value"]
        assert "already_open" not in closed["reconciliation"]["rule"]


def test_property_open_with_community_is_never_closed():
    rng = random.Random(404)
    for _ in range(80):
        profile = _with(_random_profile(rng), "project.license", "Apache-2.0")
        profile = _with(profile, "project.contributors", 1000)
        assert assess(profile)["stance"]["value"] in ("open", "hybrid")
