"""Escaping of untrusted text for every output format, in one place.

Package names come from manifests of the repository being scanned, profile and
scenario names from YAML a colleague wrote, customer names from a billing export,
author names from git: all of them are attacker-controlled. Markdown renderers
(GitHub, GitLab, most static-site generators) pass inline HTML through, so Markdown
needs HTML escaping *and* escaping of Markdown's own syntax (a ``[x](javascript:…)``
link, a ``|`` that splits a table cell). Spreadsheets execute cells that start with
``=``, ``+``, ``-``, ``@``, tab or carriage return (OWASP "CSV Injection"), so CSV
cells get a leading apostrophe. HTML pages use Jinja2 autoescape; ``html()`` is for
the few strings built outside templates.
"""

from __future__ import annotations

import re

from markupsafe import escape as _html_escape

# Inline Markdown syntax (CommonMark + GFM tables, strikethrough and autolinks).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # "[" escaped is enough to make "](url)" and "![" inert
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def html(text: object) -> str:
    """Text → HTML text (``& < > " '`` as entities)."""
    return str(_html_escape(str(text)))


def md(text: object) -> str:
    """Untrusted text → one line of inert Markdown (HTML entities, syntax backslash-escaped)."""
    value = str(text if text is not None else "")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value


def md_code(text: object) -> str:
    """Untrusted text as a Markdown code span, safe inside a table cell.

    Inside a code span HTML is not interpreted, so only the fence has to be longer
    than any run of backticks in the text (CommonMark §6.1) and pipes must stay
    escaped for GFM tables.
    """
    value = " ".join(str(text if text is not None else "").splitlines())
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    body = value.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: formula-like strings get a leading ``'``.

    Numbers (also numeric strings such as ``-5``) stay numbers.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value
