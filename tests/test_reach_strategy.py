"""Reach signals (issue 14) as strategy evidence: suspicious stars and a hard fork reach the
assessment's risks, and downloads the report measured reach the profile."""

from __future__ import annotations

from osslever.models.strategy import assess_document, evidence_from_documents

EVENTS = {
    "repo": "acme/db",
    "period": "2025-06",
    "metrics": {},
    "downloads": [],
    "signals": {
        "star_quality": {
            "repo": "acme/db",
            "stars": 1000,
            "no_other_activity": {"share": 0.7, "count": 700, "note": None, "repos_in_data": 40},
            "lockstep": {"share": 0.35, "stars": 350, "median_stars_per_starred_hour": 2, "burst_threshold": 20},
        },
        "hard_fork": {
            "repo": "acme/db",
            "core_contributors": 8,
            "risk": {"repo": "fork/db", "level": "overtakes"},
        },
    },
}
PROFILE = {"name": "db", "product": {"category": "database"}}


def _risks(events: dict) -> dict[str, str]:
    """Fired risk rule → the severity of the risk it belongs to."""
    doc = assess_document(PROFILE, evidence=evidence_from_documents(events=events), search=False)
    return {r["rule"]: risk["severity"] for risk in doc["risks"] for r in risk["reasons"]}


def test_signals_become_measured_facts() -> None:
    evidence = evidence_from_documents(events=EVENTS)
    assert evidence["community.star_lockstep_share"]["value"] == 0.35
    assert evidence["community.star_inactive_share"]["value"] == 0.7
    assert evidence["community.hard_fork"]["value"] == "overtakes"


def test_bought_looking_stars_and_a_hard_fork_are_risks() -> None:
    risks = _risks(EVENTS)
    assert risks.get("risk.hard_fork.measured") == "high"
    # Both star rules are one risk (suspicious stars), as severe as its worst reason.
    assert risks.get("risk.stars.lockstep") == "medium"
    assert risks.get("risk.stars.inactive") == "medium"


def test_ordinary_stars_and_no_fork_raise_nothing() -> None:
    quiet = {
        **EVENTS,
        "signals": {
            "star_quality": {
                **EVENTS["signals"]["star_quality"],
                "lockstep": {"share": 0.05},
                "no_other_activity": {"share": 0.2},
            },
            "hard_fork": {"repo": "acme/db", "core_contributors": 8, "risk": None},
        },
    }
    assert evidence_from_documents(events=quiet)["community.hard_fork"]["value"] == "none"
    risks = _risks(quiet)
    assert not {"risk.hard_fork.measured", "risk.stars.lockstep", "risk.stars.inactive"} & set(risks)


def test_downloads_the_report_measured_reach_the_profile() -> None:
    report = {
        "repository": {"name": "db"},
        "community": {},
        "downloads": [
            {
                "ecosystem": "npm",
                "package": "db",
                "sources": ["npm"],
                "monthly": [
                    {"month": "2025-05", "downloads": 1200, "coverage": 1.0},
                    {"month": "2025-06", "downloads": 800, "coverage": 0.5},
                ],
                "samples": [],
                "growth": [],
            }
        ],
    }
    evidence = evidence_from_documents(report=report)
    # The newest month measured whole (June is half covered): May's 1,200.
    assert evidence["project.monthly_downloads"]["value"] == 1200
