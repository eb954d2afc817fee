"""The one glossary (``data/glossary.yaml``): names of profile fields, of their values and
of the terms a reader meets, in English and Chinese.

Why one owner: the dossier, the web form and the assessment all show "产品类别 = 数据库";
if each kept its own names the same fact would read differently on two pages. A value
without a name here is shown as it is — the tests check every schema enum has one, so
Chinese prose never falls back to an English id.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from osslever.i18n import listing


@lru_cache(maxsize=1)
def glossary() -> dict[str, Any]:
    ref = resources.files("osslever") / "data" / "glossary.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _pick(entry: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not entry:
        return fallback
    return entry.get(lang) or entry.get("en") or fallback


def field_name(path: str, lang: str) -> str:
    """Short name of a profile field (``product.category`` → "产品类别")."""
    return _pick(glossary()["fields"].get(path), lang, path)


def is_share(path: str) -> bool:
    """Whether a field holds a part of a whole (0–1, shown as a percentage): by its name."""
    return "share" in path or path.endswith("rr") or path.startswith("revenue.")


def value_name(path: str, value: Any, lang: str) -> str:
    """Name of one value of a field; lists are joined, booleans are yes/no, numbers as they are."""
    if isinstance(value, list | tuple):
        return listing((value_name(path, v, lang) for v in value), lang) or value_name(path, "none", lang)
    if value is None:
        return _pick(glossary()["values"]["provenance"]["assumed"], lang, "-")
    key = str(value).lower() if isinstance(value, bool) else str(value)
    values = glossary()["values"]
    if path == "project.license" and isinstance(value, str):
        return license_name(value, lang)
    if path == "model.top":  # business models are named once, in their catalogue
        from osslever.models.strategy.data import catalogue

        entry = catalogue()["models"].get(key, {}).get("name")
        return _pick(entry, lang, key)
    own = values.get(glossary().get("aliases", {}).get(path, path)) or {}
    entry = own.get(key) or values["_any"].get(key)
    if isinstance(value, float) and "growth" in path:
        return f"{value:+.0%}"
    if isinstance(value, float):
        if 0 <= value <= 1 and is_share(path):
            return f"{value:.0%}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")  # 39.5 days, 39 days — not "39.00"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _pick(entry, lang, str(value))


def license_name(expression: str, lang: str) -> str:
    """A license as a person reads it: a family standing for one ("proprietary") by its name
    here, an SPDX expression as the license knowledge base names it (``licensedb``:
    "SSPL-1.0 或 RSALv2", not ``LicenseRef-scancode-rsalv2``)."""
    from osslever.models.license.licensedb import expression_name

    families = glossary()["values"]["license_family"]
    family = {"NONE": "none", "NOASSERTION": "unknown"}.get(expression, expression)  # SPDX's two words
    if family in families:
        return _pick(families[family], lang, expression)
    own = _pick(families["proprietary"], lang, "proprietary")  # the strategy's closed stand-in
    return expression_name(expression.replace("LicenseRef-proprietary", own), lang)


_REFERENCE = re.compile(r"(?P<doc>[a-z]+): ?(?P<ref>[^=@]*?)(?:@(?P<period>[^=\s]+))?(?: ?= ?(?P<value>.+))?")


def evidence_name(item: str, lang: str) -> str:
    """What a person reads for one evidence item: a reference is named, anything else is quoted.

    Evidence lists mix quotes from the repository (file names, words found) with
    references to the documents a value was measured from (``report:community.x``,
    ``events:metrics.participants@2024``, ``git:signed_off_by=40%/100``: document, colon,
    what in it, then an optional ``@period`` and ``=value`` or ``=value/n``). A quote is shown
    as it is; a reference becomes the name of its document (with its period), or its own
    sentence when the glossary gives one — so no field path reaches the reader.
    """
    match = _REFERENCE.fullmatch(item.strip())
    names = glossary()["evidence"]
    if not match:
        return item
    own = names["references"].get(f"{match['doc']}:{match['ref'].strip()}")
    if own:
        text = _pick(own, lang, item)
        value, n = match["value"] or "", ""
        if "{n}" in text:
            value, _, n = value.rpartition("/")
        return text.format(value=value, n=n, period=match["period"] or "")
    document = names["documents"].get(match["doc"])
    if not document:
        return item  # a quote that happens to hold a colon
    name = _pick(document, lang, item)
    if match["period"]:
        return f"{name}（{match['period']}）" if lang == "zh" else f"{name} ({match['period']})"
    return name


def evidence_names(items: list[str] | tuple[str, ...], lang: str) -> list[str]:
    """:func:`evidence_name` of each item, each name once (two paths of one report read as one)."""
    return list(dict.fromkeys(evidence_name(str(i), lang) for i in items))


def term(term_id: str, lang: str) -> dict[str, str]:
    """``{"name", "text", "source"}`` of a glossary term in ``lang``."""
    entry = glossary()["terms"][term_id]
    return {
        "id": term_id,
        "name": _pick(entry.get("name"), lang, term_id),
        "text": _pick(entry, lang, ""),
        "source": entry.get("source", ""),
    }


def terms() -> list[str]:
    return list(glossary()["terms"])
