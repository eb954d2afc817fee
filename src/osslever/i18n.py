"""Chinese and English text for everything a person reads.

Catalogs are YAML files under ``locales/<lang>/``, one file per area (core,
events, license, ...) so each part of the tool owns its own words. Keys are
dotted strings; values are ``str.format`` templates. A key missing in one
language is a bug caught by the test suite (``tests/test_i18n.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache

LANGUAGES = ("en", "zh")
DEFAULT_LANG = "en"


_chosen: str | None = None


def use(lang: str | None) -> None:
    """Set the language of this process (from ``--lang``) for messages and errors."""
    global _chosen
    _chosen = lang if lang in LANGUAGES else None


def default_lang() -> str:
    """``--lang`` if given, else OSSLEVER_LANG or the POSIX locale (zh* → zh)."""
    if _chosen:
        return _chosen
    for var in ("OSSLEVER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return DEFAULT_LANG


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node)


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to dotted keys.

    YAML and ``importlib.resources`` load here, on the first message, not with the
    module: a command that prints nothing (``--quiet``) never pays their ~20 ms.
    """
    from importlib import resources

    from osslever import safe_yaml

    out: dict[str, str] = {}
    folder = resources.files("osslever") / "locales" / lang
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".yaml", ".yml")):
            _flatten("", safe_yaml.packaged(entry.read_text(encoding="utf-8")) or {}, out)
    return out


def listing(items: Iterable[str], lang: str | None = None) -> str:
    """``items`` in running text, with the language's own separator ("a, b" / "甲、乙")."""
    return t("list_sep", lang).join(items)


def t(key: str, lang: str | None = None, **params: object) -> str:
    """Translate ``key``; falls back to English, then to the key itself."""
    lang = lang if lang in LANGUAGES else default_lang()
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
