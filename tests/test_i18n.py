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


def test_no_message_key_is_written_twice():
    """YAML keeps the last of two equal keys silently: a second `releases_line` once hid the
    first and printed raw {placeholders} in every report."""
    from pathlib import Path

    import yaml

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        keys = [loader.construct_object(k) for k, _ in node.value]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        assert not duplicated, f"{node.start_mark.name}:{node.start_mark.line + 1}: {duplicated}"
        return loader.construct_mapping(node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    folder = Path(__file__).resolve().parents[1] / "src" / "osslever" / "locales"
    files = sorted(folder.glob("*/*.yaml"))
    assert files
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)  # noqa: S506 - a SafeLoader subclass


def test_every_profile_question_section_and_choice_is_named_in_both_languages():
    """The profile form (web) shows each field's question and each enumerated value by name;
    in Chinese a value is never its English id. Read from the schema file itself."""
    from pathlib import Path

    import yaml

    schema = Path(__file__).resolve().parents[1] / "src" / "osslever" / "data" / "strategy" / "profile_schema.yaml"
    fields = yaml.safe_load(schema.read_text(encoding="utf-8"))["fields"]
    en, zh = i18n.catalog("en"), i18n.catalog("zh")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    missing, not_chinese = [], []
    for path in fields:
        section = path.split(".", 1)[0] if "." in path else "general"
        keys = [f"strategy.question.{path}", f"strategy.section.{section}"]
        for key in keys:
            if key not in en or key not in zh:
                missing.append(key)
            elif not cjk.search(zh[key]):
                not_chinese.append(f"{key}: {zh[key]}")
    assert missing == [] and not_chinese == []
