"""Compatibility per distribution mode and business implications.

OSADL answers are checked against the published OSADL matrix facts
(https://www.osadl.org/fileadmin/checklists/matrix.html): GPL-3.0-only may
include Apache-2.0; GPL-2.0-only may not; MIT may not include GPL code.
The other verdicts are the license texts' own terms (sources in the YAML).
"""

from __future__ import annotations

import pytest

from osslever.models.license import compatibility, implications, spdx


@pytest.mark.parametrize(
    "outbound,inbound,expected",
    [
        ("GPL-3.0-only", "Apache-2.0", "ok"),
        ("GPL-2.0-only", "Apache-2.0", "conflict"),
        ("MIT", "GPL-2.0-only", "conflict"),
        ("MIT", "GPL-3.0-or-later", "conflict"),
        ("Apache-2.0", "MIT", "ok"),
        ("GPL-2.0-or-later", "LGPL-2.1-only", "ok"),
        # OSADL answers "Check dependency" here (GPLv3 §13 / AGPLv3 §13 combination terms).
        ("AGPL-3.0-only", "GPL-3.0-only", "obligation"),
        ("Apache-2.0", "Apache-2.0", "ok"),
    ],
)
def test_binaries_mode_follows_osadl(outbound: str, inbound: str, expected: str) -> None:
    verdict = compatibility.judge(inbound, "binaries", [outbound])
    assert verdict["verdict"] == expected
    assert verdict["rule"] == "compat.osadl"


@pytest.mark.parametrize(
    "license_id,mode,expected",
    [
        ("AGPL-3.0-only", "saas", "conflict"),
        ("AGPL-3.0-only", "internal", "ok"),
        ("GPL-3.0-only", "saas", "ok"),
        ("GPL-3.0-only", "distributed-closed", "conflict"),
        ("LGPL-2.1-only", "distributed-closed", "obligation"),
        ("MIT", "distributed-closed", "obligation"),
        ("MIT", "saas", "ok"),
        ("SSPL-1.0", "saas", "conflict"),
        ("SSPL-1.0", "internal", "ok"),
        ("Elastic-2.0", "saas", "restriction"),
        ("Elastic-2.0", "binaries", "conflict"),
        ("BUSL-1.1", "saas", "restriction"),
        ("SUL-1.0", "saas", "conflict"),
        ("SUL-1.0", "internal", "ok"),
        ("PolyForm-Noncommercial-1.0.0", "internal", "conflict"),
        ("LicenseRef-scancode-rsalv2", "saas", "restriction"),
        ("LicenseRef-scancode-commons-clause", "distributed-closed", "restriction"),
        ("LicenseRef-scancode-llama-2-license-2023", "saas", "obligation"),
    ],
)
def test_modes_follow_the_license_terms(license_id: str, mode: str, expected: str) -> None:
    verdict = compatibility.judge(license_id, mode, ["Apache-2.0"])
    assert verdict["verdict"] == expected
    if verdict["reason"] is not None:
        assert verdict["reason"]["en"] and verdict["reason"]["zh"]


def test_or_takes_the_best_alternative_and_and_the_worst_part() -> None:
    assert compatibility.judge("GPL-2.0-only OR MIT", "distributed-closed", [])["verdict"] == "obligation"
    assert compatibility.judge("GPL-2.0-only AND MIT", "distributed-closed", [])["verdict"] == "conflict"


def test_evaluate_lists_conflicts_per_mode_and_groups_obligations() -> None:
    deps = [
        {"ecosystem": "npm", "name": "a", "version": "1.0.0", "license": "AGPL-3.0-only"},
        {"ecosystem": "npm", "name": "b", "version": "1.0.0", "license": "MIT"},
        {"ecosystem": "npm", "name": "c", "version": "2.0.0", "license": "MIT"},
        {"ecosystem": "npm", "name": "d", "version": None, "license": None},
    ]
    conflicts, obligations = compatibility.evaluate("Apache-2.0", deps)
    assert sorted((c["dependency"], c["mode"]) for c in conflicts) == [
        ("npm:a@1.0.0", "binaries"),
        ("npm:a@1.0.0", "distributed-closed"),
        ("npm:a@1.0.0", "saas"),
    ]
    notices = [o for o in obligations if o["rule"] == "compat.permissive"]
    assert notices[0]["dependencies"] == ["npm:b@1.0.0", "npm:c@2.0.0"]


def _doc(expression: str, **extra) -> dict:
    base = {"license": {"spdx": expression, "scoped": [], "parameters": {}}, "history": [], "conflicts": []}
    for key, value in extra.items():
        if key in {"scoped", "parameters"}:
            base["license"][key] = value
        else:
            base[key] = value
    return base


def _rules(doc: dict, **facts) -> set[str]:
    return {r["rule"] for r in implications.evaluate(implications.project_facts(doc, facts))}


def test_permissive_with_cloud_risk() -> None:
    assert "license.permissive_cloud_risk" in _rules(_doc("MIT"))
    assert "license.permissive_cloud_risk" in _rules(_doc("MIT"), cloud_threat="high")
    assert "license.permissive_cloud_risk" not in _rules(_doc("MIT"), cloud_threat="low")


def test_copyleft_and_dual_licensing_depend_on_copyright_ownership() -> None:
    assert "license.copyleft_no_dual_licensing" in _rules(_doc("GPL-3.0-only"))
    owned = _rules(_doc("GPL-3.0-only"), single_copyright_holder=True)
    assert "license.copyleft_dual_licensing_possible" in owned
    assert "license.copyleft_no_dual_licensing" not in owned


def test_agpl_sspl_busl_non_commercial_fair_code_and_none() -> None:
    assert "license.agpl_saas" in _rules(_doc("AGPL-3.0-or-later"))
    assert {"license.sspl", "license.not_open_source"} <= _rules(_doc("SSPL-1.0"))
    assert {"license.non_commercial", "license.not_open_source"} <= _rules(_doc("PolyForm-Noncommercial-1.0.0"))
    assert {"license.fair_code", "license.not_open_source"} <= _rules(_doc("SUL-1.0"))
    assert _rules(_doc("NONE")) == {"license.none"}


def test_busl_text_names_change_date_and_license() -> None:
    doc = _doc(
        "BUSL-1.1",
        parameters={
            "change_date": "2027-09-01",
            "change_license": "MPL 2.0",
            "additional_use_grant": "no hosted offerings",
        },
    )
    rows = implications.evaluate(implications.project_facts(doc), lang="en")
    busl = next(r for r in rows if r["rule"] == "license.busl_change_date")
    assert "2027-09-01" in busl["text"] and "MPL 2.0" in busl["text"]
    zh = next(
        r
        for r in implications.evaluate(implications.project_facts(doc), lang="zh")
        if r["rule"] == "license.busl_change_date"
    )
    assert "2027-09-01" in zh["text"] and zh["text"] != busl["text"]


def test_open_core_folder_and_relicensing_history() -> None:
    doc = _doc(
        "MIT",
        scoped=[{"path": "ee", "spdx": "Elastic-2.0"}],
        history=[{"date": "2023-08-10", "commit": "abc", "from": "MPL-2.0", "to": "BUSL-1.1"}],
    )
    rows = {r["rule"]: r for r in implications.evaluate(implications.project_facts(doc), "en")}
    assert "ee/ (Elastic-2.0)" in rows["license.open_core_folders"]["text"]
    assert "MPL-2.0 → BUSL-1.1" in rows["license.relicensed"]["text"]
    assert {c["id"] for c in rows["license.relicensed"]["cases"]} >= {"hashicorp-2023"}


def test_every_rule_and_case_has_both_languages_and_a_source() -> None:
    for rule in spdx.load_data("implications.yaml")["rules"]:
        assert rule["text"]["en"] and rule["text"]["zh"] and rule["source"], rule["id"]
    for rule in spdx.load_data("compatibility.yaml")["rules"]:
        assert rule["source"], rule["id"]
        for entry in rule["modes"].values():
            assert entry["reason"]["en"] and entry["reason"]["zh"], rule["id"]
    cases = spdx.load_data("relicensing.yaml")["cases"]
    assert {c["id"]: c["date"] for c in cases} == {
        "mongodb-2018": "2018-10-16",
        "elastic-2021": "2021-01-14",
        "hashicorp-2023": "2023-08-10",
        "redis-2024": "2024-03-20",
    }
    assert all(c["sources"] for c in cases)
