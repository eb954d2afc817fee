"""How a fact's value is written inside decision paths and what-if effects ("key=value")."""

from __future__ import annotations

from typing import Any


def show(value: Any) -> str:
    """YAML-like spelling, so a path reads like the profile it came from."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "?"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
