"""Strict profile validation (../shared/contracts/profile.md)."""

import json

import pytest

from osslever.errors import UserError
from osslever.models.strategy import load_profile
from osslever.models.strategy.profile import validate_profile


def _error(doc) -> UserError:
    with pytest.raises(UserError) as info:
        validate_profile(doc, source="p.yaml")
    return info.value


def test_name_is_required():
    err = _error({"org": {"size": "startup"}})
    assert err.key == "strategy.profile.missing_name"
    assert "name" in err.render("en")


def test_unknown_key_names_path_and_nearest_valid_key():
    err = _error({"name": "x", "org": {"sise": "startup"}})
    assert err.key == "strategy.profile.unknown_key"
    assert err.params["field"] == "org.sise"
    assert err.params["nearest"] == "org.size"
    assert "org.sise" in err.render("en") and "org.size" in err.render("zh")


def test_unknown_top_level_section_suggests_nearest():
    err = _error({"name": "x", "markets": {"stage": "early"}})
    assert err.params["field"] == "markets"
    assert err.params["nearest"] == "market"


def test_unknown_key_without_close_match_lists_allowed_keys():
    err = _error({"name": "x", "goals": {"zzzzzz": 1}})
    assert err.key == "strategy.profile.unknown_key_no_match"
    assert "goals.primary" in err.params["allowed"]
    assert "goals.horizon_years" in err.params["allowed"]


def test_bad_enum_names_path_and_allowed_values():
    err = _error({"name": "x", "market": {"stage": "mid"}})
    assert err.key == "strategy.profile.bad_enum"
    assert err.params["field"] == "market.stage"
    assert err.params["allowed"] == "early, growth, mature"


def test_bad_list_item_names_allowed_values():
    err = _error({"name": "x", "product": {"enterprise_needs": ["sso", "magic"]}})
    assert err.key == "strategy.profile.bad_enum"
    assert err.params["value"] == "magic"
    assert "multi_tenancy" in err.params["allowed"]


def test_list_field_must_be_a_list():
    err = _error({"name": "x", "org": {"complementary_assets": "cloud"}})
    assert err.key == "strategy.profile.not_list"


def test_types_and_ranges():
    assert _error({"name": "x", "goals": {"horizon_years": 30}}).key == "strategy.profile.out_of_range"
    assert _error({"name": "x", "goals": {"horizon_years": "five"}}).key == "strategy.profile.bad_type"
    assert _error({"name": "x", "project": {"owns_copyright": "maybe"}}).key == "strategy.profile.bad_type"
    assert _error({"name": "x", "project": {"stars": True}}).key == "strategy.profile.bad_type"
    assert _error({"name": "x", "org": "startup"}).key == "strategy.profile.not_section"
    assert _error(["name"]).key == "strategy.profile.not_mapping"
    # YAML's .nan passes every range check and .inf every open-ended one: both are refused
    assert _error({"name": "x", "finance": {"arr_usd": float("inf")}}).key == "strategy.profile.bad_type"
    assert _error({"name": "x", "finance": {"grr": float("nan")}}).key == "strategy.profile.bad_type"


def test_valid_profile_keeps_values_and_drops_nulls():
    doc = validate_profile(
        {
            "name": "X",
            "org": {"size": "sme", "region": None},
            "product": {"enterprise_needs": ["sso", "sso", "audit"]},
        }
    )
    assert doc == {
        "name": "X",
        "org": {"size": "sme"},
        "product": {"enterprise_needs": ["sso", "audit"]},
    }


def test_json_and_yaml_files_load_alike(tmp_path):
    body = {"name": "J", "market": {"stage": "early"}, "finance": {"nrr": 1.1}}
    (tmp_path / "p.json").write_text(json.dumps(body), encoding="utf-8")
    (tmp_path / "p.yaml").write_text("name: J\nmarket: {stage: early}\nfinance: {nrr: 1.1}\n", encoding="utf-8")
    assert load_profile(tmp_path / "p.json") == load_profile(tmp_path / "p.yaml") == body


def test_file_errors_are_user_errors(tmp_path):
    with pytest.raises(UserError) as info:
        load_profile(tmp_path / "missing.yaml")
    assert info.value.key == "strategy.profile.not_found"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(bad)
    assert info.value.key == "strategy.profile.parse_error"
    assert str(bad) in info.value.render("en")


def test_every_example_profile_is_valid():
    from tests._strategy_helpers import PROFILES

    files = sorted(PROFILES.glob("*.yaml"))
    assert len(files) >= 20
    for path in files:
        assert load_profile(path)["name"]
