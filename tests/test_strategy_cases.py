"""Defining cases: the answer for well-known projects should match what worked for them.

Profiles are in examples/profiles/, each written from public history (sources in the
file header).  Expectations are the business model each project is known for; where a
company runs two lines of similar weight (e.g. Confluent: Platform and Cloud) the test
asks for both in the top two rather than pretending one clearly dominates.
"""

import pytest

from tests._strategy_helpers import assess, example, models, ranking

TOP = [
    ("mysql", "dual_license"),  # seeds/001 模式四
    ("redhat_rhel", "support_subscription"),  # seeds/001 模式一
    ("mongodb", "managed_cloud"),  # seeds/001 模式三
    ("gitlab", "open_core"),  # seeds/001 模式二
    ("vuejs", "sponsorship"),  # seeds/001 模式五
    ("kubernetes", "foundation"),  # seeds/001 模式六
    ("deepseek", "usage_api"),  # seeds/001 DeepSeek
    ("android", "complement"),  # seeds/000 GMS
    # beyond the seeds' examples
    ("qt", "dual_license"),
    ("curl", "sponsorship"),
    ("elastic", "managed_cloud"),
    ("sentry", "managed_cloud"),
    ("databricks", "managed_cloud"),
    ("redis", "managed_cloud"),
    ("terraform", "open_core"),
    ("jumpserver", "open_core"),
    ("qwen", "complement"),
]


@pytest.mark.parametrize("name,expected", TOP)
def test_best_model_matches_public_history(name, expected):
    doc = assess(example(name))
    assert ranking(doc)[0] == expected
    best = models(doc)[expected]
    assert best["fit"] in ("strong", "moderate")
    assert best["reasons"], "a top model must be explained by fired rules"


TOP_TWO = [
    ("confluent", {"managed_cloud", "open_core"}),
    ("grafana", {"open_core"}),
    ("n8n", {"managed_cloud", "open_core"}),
    ("dify", {"managed_cloud"}),
]


@pytest.mark.parametrize("name,expected", TOP_TWO)
def test_two_line_businesses_have_both_lines_on_top(name, expected):
    assert expected <= set(ranking(assess(example(name)))[:2])


def test_dual_license_needs_ownership_curl_cannot():
    # curl is embedded everywhere but has no single copyright holder: dual licensing is poor
    doc = assess(example("curl"))
    dual = models(doc)["dual_license"]
    assert dual["fit"] == "poor"
    assert "dual.no_copyright" in {r["rule"] for r in dual["reasons"]}
    assert any(n for n in doc["license"]["note_details"] if n["rule"] == "license.note.dual_needs_ownership")


def test_relicensed_projects_carry_fork_risk():
    for name in ("terraform", "redis", "mongodb"):
        risks = {r["id"]: r for r in assess(example(name))["risks"]}
        assert risks["fork_after_relicense"]["severity"] == "high", name


def test_permissive_project_under_cloud_threat_is_told_the_defence_costs():
    doc = assess(example("grafana"))  # Apache-2.0 in early 2021
    assert "AGPL-3.0-only" in doc["license"]["recommended"]
    note_rules = {n["rule"] for n in doc["license"]["note_details"]}
    assert {"license.note.permissive_cloud_risk", "license.note.cloud_defence_costs"} <= note_rules
    costs = next(n["text"] for n in doc["license"]["note_details"] if n["rule"] == "license.note.cloud_defence_costs")
    for fork in ("OpenSearch", "OpenTofu", "Valkey"):
        assert fork in costs
    assert {r["id"] for r in doc["risks"]} >= {"cloud_free_riding"}


def test_dual_license_recommends_gpl_plus_commercial():
    rec = assess(example("mysql"))["license"]["recommended"]
    assert rec[:2] == ["GPL-3.0-or-later", "LicenseRef-commercial"]


def test_motivations_large_vs_small():
    big = {m["id"]: m["status"] for m in assess(example("android"))["motivations"]}
    assert big["brand_talent"] == "applies"
    assert big["ecosystem_monetization"] == "applies"
    assert big["launch_cost"] == "does_not_apply"
    small = {m["id"]: m["status"] for m in assess(example("jumpserver"))["motivations"]}
    assert small["paying_funnel"] == "applies"
    assert small["international_reach"] == "applies"
    assert small["brand_talent"] == "does_not_apply"


def test_every_text_exists_in_both_languages():
    en, zh = assess(example("mongodb"), lang="en"), assess(example("mongodb"), lang="zh")
    assert [m["id"] for m in en["business_models"]] == [m["id"] for m in zh["business_models"]]
    for a, b in zip(en["business_models"], zh["business_models"], strict=True):
        assert a["name"] != b["name"]
        for ra, rb in zip(a["reasons"], b["reasons"], strict=True):
            assert ra["rule"] == rb["rule"] and ra["text"] != rb["text"]
