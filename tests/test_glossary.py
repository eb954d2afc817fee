"""The one glossary names every profile field and value in both languages, and the
assessment's own words for stance, verdict, fit, check and severity are the glossary's."""

from __future__ import annotations

import re
from importlib import resources

import yaml

from osslever.i18n import t

ROOT = resources.files("osslever") / "data"


def _load(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def test_every_askable_field_and_enum_value_has_an_english_and_a_chinese_name() -> None:
    schema = _load("strategy/profile_schema.yaml")  # read as data, not through the code under test
    glossary = _load("glossary.yaml")
    fields = {**schema["fields"], **schema["evidence_fields"], **schema["derived"]}
    for path, spec in fields.items():
        names = glossary["fields"].get(path)
        assert names and names.get("en") and names.get("zh"), path
        assert re.search(r"[\u4e00-\u9fff]", names["zh"]), (path, names["zh"])
        alias = glossary.get("aliases", {}).get(path, path)
        for value in spec.get("values", []):
            entry = glossary["values"].get(alias, {}).get(value) or glossary["values"]["_any"].get(value)
            assert entry and entry.get("en") and entry.get("zh"), (path, value)
            # Chinese names are Chinese words (acronyms such as API may stay as they are).
            assert entry["zh"] != value or value.isupper() or value == "api", (path, value)


def test_the_assessment_uses_the_glossary_words() -> None:
    values = _load("glossary.yaml")["values"]
    for lang in ("en", "zh"):
        for value, names in values["stance"].items():
            assert t(f"strategy.report.stance_value.{value}", lang) == names[lang]
        for value, names in values["verdict"].items():
            assert t(f"strategy.investor.verdict.{value}", lang) == names[lang]
        for kind, key in (("fit", "fit_level"), ("check", "check_status"), ("severity", "severity")):
            for value, names in values[kind].items():
                assert t(f"strategy.report.{key}.{value}", lang) == names[lang], (kind, value, lang)
