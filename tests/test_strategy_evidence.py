"""Measured evidence from other parts' documents (shapes of ../shared/contracts/cli-json.md)."""

import pytest

from osslever.errors import UserError
from osslever.models.strategy import evidence_from_documents
from tests._strategy_helpers import assess

REPORT = {
    "schema_version": 1,
    "repository": {
        "name": "demo",
        "path": "/tmp/demo",
        "ref": "HEAD",
        "head": "abc",
        "shallow": False,
    },
    "license": {"spdx": "Apache-2.0", "files": ["LICENSE"]},
    "community": {
        "commits_total": 5531,
        "contributors_total": 850,
        "bots_total": 3,
        "first_commit": "2010-04-06",
        "last_commit": "2026-10-01",
        "active_contributors_12m": 40,
        "new_contributors_12m": 12,
        "bus_factor_12m": 2,
        "elephant_factor_12m": 1,
        "organizations_12m": [
            {"name": "independent", "share": 0.7},
            {"name": "acme", "share": 0.2},
            {"name": "initech", "share": 0.1},
        ],
        "monthly": [],
    },
}
LICENSE = {
    "schema_version": 1,
    "license": {
        "spdx": "LicenseRef-RSALv2 OR SSPL-1.0",
        "confidence": 0.99,
        "files": ["LICENSE.txt"],
    },
    "history": [
        {
            "date": "2024-03-20",
            "commit": "x",
            "from": "BSD-3-Clause",
            "to": "LicenseRef-RSALv2 OR SSPL-1.0",
        }
    ],
    "dependencies": [],
    "conflicts": [{"dependency": "gpl-lib", "mode": "distributed-closed", "reason": "GPL in closed product"}],
    "implications": [],
}
FINANCE = {
    "schema_version": 1,
    "as_of": "2025-01",
    "currency": "USD",
    "mrr": 100550.0,
    "arr": 1206600.0,
    "customers": 4,
    "nrr_12m": 1.0,
    "grr_12m": 0.5,
    "logo_churn_12m": 0.5,
    "customers_arr_1m_plus": 1,
    "concentration": {"top1": 0.9945, "top5": 1.0, "top10": 1.0},
    "movements": [],
}
EVENTS = {
    "schema_version": 1,
    "repo": "o/n",
    "period": "2021-07",
    "metrics": {
        "activity": 12.3,
        "openrank": 4.56,
        "attention": 7,
        "stars": 5,
        "participants": 9,
        "issues_new": 2,
        "change_requests": 4,
        "change_requests_accepted": 1,
    },
}


def test_report_mapping():
    ev = evidence_from_documents(report=REPORT)
    value = {k: v["value"] for k, v in ev.items()}
    assert value["project.contributors"] == 850
    assert value["project.active_contributors"] == 40
    assert value["project.bus_factor"] == 2
    assert value["project.elephant_factor"] == 1
    assert value["community.returning_share_12m"] == 0.7  # (40 - 12) / 40
    assert value["community.organizations_12m"] == 2  # independent left out
    assert value["community.top_org_share_12m"] == 0.2
    assert value["project.license"] == "Apache-2.0"
    assert ev["project.bus_factor"]["source"] == "report:community.bus_factor_12m"


def test_vendor_figures_need_commits_that_show_an_organization():
    """Elephant factor and vendor share become facts only when enough of the window's
    commits show an organization (30%, data/strategy/evidence.yaml); 0 organizations is
    no vendor, not one."""

    def measured(elephant: int, evidence_share: float | None) -> dict:
        community = dict(REPORT["community"], elephant_factor_12m=elephant, organization_top_share=0.5)
        if evidence_share is not None:
            community["organization_top_evidence"] = {"evidence_share": evidence_share}
        ev = evidence_from_documents(report=dict(REPORT, community=community))
        return {k: ev[k]["value"] for k in ("project.elephant_factor", "community.top_org_share_12m") if k in ev}

    # express's last 12 months: 6 of 48 commits (12.5%) show an organization
    assert measured(1, 0.125) == {}
    assert measured(1, 0.3) == {"project.elephant_factor": 1, "community.top_org_share_12m": 0.5}
    assert measured(0, 0.9) == {"community.top_org_share_12m": 0.5}
    assert measured(2, None) == {"project.elephant_factor": 2, "community.top_org_share_12m": 0.5}


def test_license_finance_events_mapping():
    ev = evidence_from_documents(license=LICENSE, finance=FINANCE, events=EVENTS)
    value = {k: v["value"] for k, v in ev.items()}
    assert value["project.license"] == "LicenseRef-RSALv2 OR SSPL-1.0"
    assert value["license.conflict_count"] == 1
    assert value["license.relicensed"] is True
    assert value["finance.arr_usd"] == 1206600.0
    assert value["finance.paying_customers"] == 4
    assert value["finance.largest_customer_acv_usd"] == round(1206600.0 * 0.9945, 2)
    assert value["finance.nrr"] == 1.0 and value["finance.grr"] == 0.5
    assert value["community.change_request_acceptance"] == 0.25
    # stars in a period are new stars, not a total: not mapped to project.stars
    assert "project.stars" not in value


def test_measured_overrides_declared_and_is_marked():
    profile = {
        "name": "x",
        "project": {"bus_factor": 5, "license": "MIT"},
        "finance": {"arr_usd": 10},
    }
    doc = assess(profile, evidence=evidence_from_documents(report=REPORT, license=LICENSE, finance=FINANCE))
    prov = doc["inputs"]["provenance"]
    assert prov["project.bus_factor"] == "measured"
    assert doc["inputs"]["values"]["project.bus_factor"] == 2
    assert doc["inputs"]["declared"]["project.bus_factor"] == 5
    assert doc["license"]["current"] == "LicenseRef-RSALv2 OR SSPL-1.0"  # license doc wins
    assert doc["readiness"]["stage"] == "later"  # measured ARR ≥ 1M
    checks = {c["id"]: c for c in doc["readiness"]["checks"]}
    assert checks["investor.single_customer_1m"]["status"] == "pass"
    assert checks["investor.single_customer_1m"]["provenance"] == {"finance.largest_customer_acv_usd": "measured"}
    assert checks["finance.renewal"]["status"] == "fail"
    risks = {r["id"] for r in doc["risks"]}
    assert {"license_conflicts", "fork_after_relicense", "single_vendor"} <= risks


def test_bad_evidence_is_user_error():
    with pytest.raises(UserError) as info:
        assess({"name": "x"}, evidence={"project.starz": {"value": 1, "source": "t"}})
    assert info.value.params["nearest"] == "project.stars"


def test_finance_and_assess_read_a_finance_document_the_same_way():
    # issue 10: one owner for finance → profile evidence; the rules below are the
    # documented ones (US$ only, stated currency; largest customer = the document's own
    # field, else top_customers[0], else ARR × top-1 share)
    from osslever.models.finance import profile_evidence

    docs = [
        FINANCE,
        {**FINANCE, "currency": None},  # no currency stated: no US$ amounts
        {k: v for k, v in FINANCE.items() if k != "currency"},
        {**FINANCE, "largest_customer_acv": 1_000_000.0},
        {**FINANCE, "top_customers": [{"customer_id": "a", "arr": 900_000.0, "share": 0.75}]},
        {**FINANCE, "currency": "CNY"},
    ]
    expected_largest = [round(1206600.0 * 0.9945, 2), None, None, 1_000_000.0, 900_000.0, None]
    for doc, largest in zip(docs, expected_largest, strict=True):
        via_assess = {p: v["value"] for p, v in evidence_from_documents(finance=doc).items()}
        via_finance = profile_evidence(doc)
        assert {p: via_assess[p] for p in via_finance} == via_finance
        assert set(via_finance) <= set(via_assess)
        assert via_finance.get("finance.largest_customer_acv_usd") == largest
        assert ("finance.arr_usd" in via_assess) == (doc.get("currency") == "USD")
