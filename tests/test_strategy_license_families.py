"""`osslever license` and `osslever assess` put every license in the same family.

Issue 10: the two commands used two tables that disagreed on OSL-3.0,
PolyForm-Noncommercial, Commons-Clause, SISSL and CC-BY-NC-4.0.  The expected families
of those five come from the license texts (cited per row), not from the code.
"""

import pytest
import yaml

from osslever.models.license import licensedb
from osslever.models.license.families import rule_spelling
from osslever.models.license.implications import project_facts
from osslever.models.strategy import assess_document
from osslever.models.strategy.data import data_path


def _known_ids() -> list[str]:
    """Every SPDX id the project knows: the family table, the compatibility rules, the
    strategy schema's what-if licenses and ScanCode's index."""
    from osslever.models.license import spdx

    ids = set(spdx.load_data("families.yaml")["overrides"]["map"])
    compat = spdx.load_data("compatibility.yaml")
    for rule in compat.get("rules", []):
        ids.update(str(i) for i in rule.get("spdx", []))
    schema = yaml.safe_load(data_path("strategy", "profile_schema.yaml").read_text(encoding="utf-8"))
    ids.update(schema["fields"]["project.license"]["whatif_values"])
    ids.update(info.spdx for info in licensedb.index_entries().values() if not info.is_exception)
    return sorted(ids)


def _license_side(spdx_id: str) -> list[str]:
    doc = {"license": {"spdx": spdx_id, "scoped": []}, "history": []}
    return project_facts(doc)["families"]


def _assess_side(spdx_id: str) -> list[str]:
    doc = assess_document({"name": "x", "project": {"license": spdx_id}}, search=False)
    return doc["license"]["families"]


def test_every_known_id_gets_one_family_from_both_commands():
    ids = _known_ids()
    assert len(ids) > 1000  # ScanCode's index alone lists thousands
    from osslever.models.strategy.facts import license_families

    mismatches = [
        i
        for i in ids
        if i not in ("NONE", "NOASSERTION") and [rule_spelling(f) for f in _license_side(i)] != license_families(i)
    ]
    assert mismatches == []
    # the two non-licenses: no ids on the license side; assess names them
    assert _license_side("NONE") == [] and license_families("NONE") == ["none"]
    assert license_families("NOASSERTION") == ["unknown"]


TEXTS = [
    ("OSL-3.0", "network_copyleft"),  # OSL-3.0 §5 External Deployment counts network use
    ("PolyForm-Noncommercial-1.0.0", "non_commercial"),  # polyformproject.org: noncommercial purposes only
    ("Commons-Clause", "source_available"),  # commonsclause.com: forbids selling the software
    ("SISSL", "weak_copyleft"),  # OSI approved (retired), file-level obligations
    ("CC-BY-NC-4.0", "non_commercial"),  # creativecommons.org: NonCommercial
]


@pytest.mark.parametrize("spdx_id,family", TEXTS)
def test_the_five_disputed_licenses_agree_end_to_end(spdx_id, family):
    assert _assess_side(spdx_id) == [family]
    assert [rule_spelling(f) for f in _license_side(spdx_id)] == [family]
