"""License families: the one owner of "which family is this license in".

``osslever license`` (compatibility, business implications) and ``osslever assess``
(the strategy rules) both ask this question; before there were two tables that
disagreed on five common licenses, so the same file got two answers.  Now one data file
(``data/license/families.yaml``) and this module decide, and the strategy side only
spells the family with underscores (``network-copyleft`` → ``network_copyleft``)
because its rule vocabulary uses identifier-style names.

Lookup order: an explicit override (case-insensitive), else the license's ScanCode
LicenseDB category mapped through ``from_category``, else ``unknown``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from osslever.models.license import licensedb, spdx


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str], dict[str, str], frozenset[str]]:
    fam = spdx.load_data("families.yaml")
    overrides = {str(k).lower(): v for k, v in fam["overrides"]["map"].items()}
    extra = {str(k).lower(): v for k, v in fam.get("extra_categories", {}).items()}
    return overrides, extra, dict(fam["from_category"]["map"]), frozenset(fam["osi_families"])


def family_of(license_id: str) -> str:
    """permissive / weak-copyleft / copyleft / network-copyleft / source-available / ..."""
    overrides, extra, from_category, _ = _table()
    base = re.split(r"\s+WITH\s+", license_id.strip(), flags=re.IGNORECASE)[0].strip()
    if base.lower() in overrides:
        return overrides[base.lower()]
    category = licensedb.category_of_spdx(base) or extra.get(base.lower())
    if category is None:
        return "unknown"
    return from_category.get(category, "other")


def is_osi_family(family: str) -> bool:
    """Open source by the Open Source Definition (either spelling of the family)."""
    return family.replace("_", "-") in _table()[3]


def families_of_expression(expression: str) -> list[str]:
    """The families of the licenses in an SPDX expression, in order of appearance.

    The ids are read exactly as ``osslever license`` reads them (``spdx.license_ids``,
    which also canonicalises ScanCode keys), so both commands see the same ids.
    """
    text = expression.strip()
    if text.upper() == spdx.NONE:
        return ["none"]
    out: list[str] = []
    for token in spdx.license_ids(text) if text else []:
        family = family_of(token)
        if family not in out:
            out.append(family)
    return out or ["unknown"]


def rule_spelling(family: str) -> str:
    """The strategy rules' spelling of a family (identifier style)."""
    return family.replace("-", "_")


def all_families() -> list[str]:
    """Every family a license can be put in (for schemas and tests)."""
    overrides, _, from_category, _ = _table()
    return sorted({*overrides.values(), *from_category.values(), "none", "unknown"})
