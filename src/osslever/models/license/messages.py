"""Human text of findings, in both languages at once.

License findings travel inside JSON documents that a person may read in either
language later (the web UI switches language without re-scanning), so each
message is stored as its key, its parameters and ``{"en": ..., "zh": ...}``.
"""

from __future__ import annotations

from osslever.i18n import LANGUAGES, t


def both(key: str, **params: object) -> dict[str, str]:
    return {lang: t(key, lang=lang, **params) for lang in LANGUAGES}


def message(key: str, **params: object) -> dict:
    """A finding: its message key, parameters and text in every language."""
    return {
        "key": key,
        "params": {k: str(v) for k, v in params.items()},
        "text": both(key, **params),
    }


def pick(text: dict | str, lang: str) -> str:
    """One language of a bilingual text (English when that language is missing)."""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("en") or "")
    return str(text)
