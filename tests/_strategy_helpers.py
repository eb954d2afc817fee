"""Shared helpers for the strategy tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from osslever.models.strategy import assess_document, load_profile
from osslever.models.strategy.rules import load_rules

REPO = Path(__file__).resolve().parents[1]
PROFILES = REPO / "examples" / "profiles"
_RULES = load_rules()


def assess(profile: dict, **kwargs) -> dict:
    kwargs.setdefault("search", False)
    if "rule_dirs" not in kwargs:
        kwargs.setdefault("ruleset", _RULES)
    return assess_document(profile, **kwargs)


def example(name: str) -> dict:
    return load_profile(PROFILES / f"{name}.yaml")


def models(doc: dict) -> dict[str, dict]:
    return {m["id"]: m for m in doc["business_models"]}


def ranking(doc: dict) -> list[str]:
    return [m["id"] for m in doc["business_models"]]
