"""Render the assess document for people: Markdown and a self-contained HTML page.

Both render the same JSON document (built first, per the contract); nothing is computed
here except presentation.  HTML goes through Jinja2 with autoescape on, because rule
texts of user packs and profile names are untrusted.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment

from osslever import glossary
from osslever.i18n import listing, t
from osslever.models.strategy.values import show
from osslever.outputs import styles, templating


def _env(autoescape: bool) -> Environment:
    filters = {"show": _show, "pct": lambda v: f"{round(float(v) * 100):d}%", "md": _md_cell}
    return templating.environment(
        "outputs/templates", autoescape=autoescape, filters=filters, globals=styles.template_globals()
    )


def _show(value: Any) -> str:
    """For people: numbers grouped, nested values readable; the rest as in decision paths."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return show(value)


def _md_cell(value: Any) -> str:
    """Keep table cells on one line and their pipes literal."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _entities(value: Any) -> Any:
    """Every string of the document with ``& < > [ ]`` as entities: Markdown passes HTML through.

    Profile names, rule texts and ids of user packs reach the Markdown template
    unescaped otherwise (autoescape is for HTML only); an entity is never Markdown
    syntax (CommonMark §2.5), so ``&#91;x&#93;(javascript:…)`` is not a link. Keys and
    ids used for label lookups never contain these characters, so lookups are unchanged.
    """
    if isinstance(value, str):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return value.replace("[", "&#91;").replace("]", "&#93;")
    if isinstance(value, dict):
        return {k: _entities(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_entities(v) for v in value]
    return value


def _labels(lang: str):
    def label(key: str, **params: Any) -> str:
        return t(f"strategy.report.{key}", lang=lang, **params)

    return label


def _names(lang: str) -> dict[str, Any]:
    """``F`` (``FL`` a list of them), ``V``, ``E``: a field, its value and an evidence reference as the glossary names
    them, so evidence reads "市场阶段 = 成熟期" in Chinese, never ``market.stage=mature``."""

    def value(path: str, v: Any) -> str:
        named = isinstance(v, str | bool) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        share = isinstance(v, float) and 0 <= v <= 1 and glossary.is_share(path)
        return glossary.value_name(path, v, lang) if named or share else _show(v)

    return {
        "F": lambda path: glossary.field_name(path, lang),
        "FL": lambda paths: listing((glossary.field_name(p, lang) for p in paths), lang),
        "V": value,
        "E": lambda item: glossary.evidence_name(item, lang),
    }


def render_markdown(doc: dict) -> str:
    lang = doc.get("lang", "en")
    return _env(False).get_template("assess.md.j2").render(doc=_entities(doc), L=_labels(lang), **_names(lang))


def render_html(doc: dict) -> str:
    lang = doc.get("lang", "en")
    return _env(True).get_template("assess.html.j2").render(doc=doc, L=_labels(lang), lang=lang, **_names(lang))


def render_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
