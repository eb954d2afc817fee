"""Plain-language readings: threshold rules from ``data/readings/*.yaml`` over a document.

The rules are data so that anyone can see (and argue with) why the report
says a project carries key-person risk; this module only evaluates them.
"""

from __future__ import annotations

import operator
from functools import cache
from importlib import resources
from typing import Any

from osslever import safe_yaml

_OPS = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}


@cache
def rules(area: str) -> tuple[dict, ...]:
    text = (resources.files("osslever") / "data" / "readings" / f"{area}.yaml").read_text("utf-8")
    return tuple(safe_yaml.packaged(text))


def lookup(document: dict, path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _holds(document: dict, condition: dict) -> bool:
    value = lookup(document, condition["path"])
    if value is None:
        return False
    try:
        return bool(_OPS[condition["op"]](value, condition["value"]))
    except TypeError:
        return False


def readings(area: str, document: dict, lang: str) -> list[dict]:
    """The readings whose conditions all hold, with their text in ``lang``."""
    out = []
    for rule in rules(area):
        if all(_holds(document, c) for c in rule["when"]):
            try:
                text = rule[lang].format(**document)
            except (KeyError, IndexError, ValueError):
                text = rule[lang]
            out.append({"id": rule["id"], "level": rule["level"], "text": text, "source": rule["source"]})
    return out
