"""Read the strategy knowledge files shipped in ``osslever/data``.

The strategy engine's knowledge (profile schema, catalogue, engine settings, license
families, the built-in rule pack) lives in data files so it can be read, cited and
overridden without touching code; this module is the one place that finds them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def data_path(*parts: str) -> Path:
    """Path of a file or folder under ``osslever/data``."""
    return Path(str(resources.files("osslever").joinpath("data", *parts)))


@cache
def load_data(name: str) -> dict[str, Any]:
    """A YAML file of ``data/strategy`` (cached: these files never change in a run)."""
    with data_path("strategy", name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def builtin_rules_dir() -> Path:
    """The built-in rule pack; it loads exactly like a user's ``--rules DIR``."""
    return data_path("rules")


def engine_config() -> dict[str, Any]:
    return load_data("engine.yaml")


def catalogue() -> dict[str, Any]:
    return load_data("catalogue.yaml")
