"""Every message exists in both languages, with the same placeholders."""

import re

from osslever import i18n


def _fields(template: str) -> set[str]:
    return set(re.findall(r"{(\w+)", template))


def test_catalogs_have_the_same_keys():
    en, zh = i18n.catalog("en"), i18n.catalog("zh")
    assert set(en) - set(zh) == set(), "keys missing in zh"
    assert set(zh) - set(en) == set(), "keys missing in en"


def test_placeholders_match_between_languages():
    en, zh = i18n.catalog("en"), i18n.catalog("zh")
    mismatched = [k for k in en if _fields(en[k]) != _fields(zh.get(k, ""))]
    assert mismatched == []


def test_translation_picks_language_and_fills_params():
    assert "in use" in i18n.t("store.locked", lang="en", path="x.duckdb")
    assert "x.duckdb" in i18n.t("store.locked", lang="zh", path="x.duckdb")
    assert i18n.t("store.locked", lang="zh", path="p") != i18n.t("store.locked", lang="en", path="p")
