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


def test_an_evidence_reference_is_named_and_a_quote_is_kept() -> None:
    from osslever.glossary import evidence_name, evidence_names

    # references: the document's name (and period), or the glossary's own sentence
    assert evidence_name("report:community.bus_factor_12m", "zh") == "健康报告（git 历史）"
    assert evidence_name("report: community.monthly", "en") == "health report (git history)"
    assert evidence_name("events:metrics.participants@2024-05", "zh") == "代码托管平台事件（2024-05）"
    assert evidence_name("events:metrics.participants@2024-05", "en") == "forge events (2024-05)"
    assert evidence_name("report:downloads@2024-04", "zh") == "软件包仓库下载量（2024-04）"
    assert evidence_name("git:signed_off_by=40%/100", "zh") == "最近 100 次提交中 40% 带 Signed-off-by"
    assert evidence_name("git:signed_off_by=40%/100", "en") == "Signed-off-by in 40% of the last 100 commits"
    assert evidence_name("compose:services=3", "zh") == "3 个服务"
    # quotes from the repository, and text that merely holds a colon, stay as they are
    for quote in ("docker-compose.yml", "Acme Inc", "note: see LICENSE", "12 ÷ 10 − 1", "ee/LICENSE"):
        assert evidence_name(quote, "zh") == quote
    # two paths of one document read as one name
    assert evidence_names(["setup.py", "report:a.b", "report:c.d"], "en") == ["setup.py", "health report (git history)"]


def test_a_license_reads_by_the_names_people_use() -> None:
    """SPDX ids stay (they are the names in use); ScanCode's LicenseRef ids read as LicenseDB's
    short names (scancode-licensedb.aboutcode.org: rsalv2 → "RSALv2"); operators and the
    strategy's closed stand-in in the reader's language."""
    from osslever.glossary import license_name, value_name

    assert license_name("SSPL-1.0 OR LicenseRef-scancode-rsalv2", "en") == "SSPL-1.0 OR RSALv2"
    assert license_name("SSPL-1.0 OR LicenseRef-scancode-rsalv2", "zh") == "SSPL-1.0 或 RSALv2"
    assert license_name("Apache-2.0 AND LicenseRef-proprietary", "zh") == "Apache-2.0 与 专有"
    assert license_name("proprietary", "zh") == "专有"
    assert (license_name("NONE", "zh"), license_name("NOASSERTION", "en")) == ("无许可证", "unknown")
    assert value_name("project.license", "MIT", "zh") == "MIT"
    assert [value_name("observed.median_days_between_releases_12m", d, "en") for d in (39.0, 39.5, 1234.25)] == [
        "39",
        "39.5",
        "1,234.25",
    ]
    assert license_name("LicenseRef-scancode-no-such-license", "en") == "LicenseRef-scancode-no-such-license"
