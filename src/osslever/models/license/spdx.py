"""Turning what people write ("Apache 2.0", "GPLv3+", "BSL-1.1", a whole MIT text)
into SPDX expressions, and taking SPDX expressions apart.

Declared licenses come from package metadata written by hand, so they are
messy; the alias tables live in ``data/license/detection.yaml`` with sources.
SPDX syntax itself is parsed by ``license-expression`` (the reference
implementation used by ScanCode), never by regular expressions of our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from license_expression import ExpressionError, get_spdx_licensing

from osslever import safe_yaml

NONE = "NONE"
NOASSERTION = "NOASSERTION"


@cache
def load_data(name: str) -> dict:
    """One YAML file of ``osslever/data/license``."""
    ref = resources.files("osslever") / "data" / "license" / name
    return safe_yaml.packaged(ref.read_text(encoding="utf-8")) or {}


@dataclass
class Declared:
    spdx: str | None  # None when the text names no license we know
    note: str | None = None  # i18n key suffix under license.note
    raw: str = ""
    known: bool = True
    extras: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _licensing():
    return get_spdx_licensing()


def _spdx_known(symbol: str) -> bool:
    from osslever.models.license import licensedb

    return symbol.lower() in licensedb.by_spdx() or symbol.startswith("LicenseRef-")


def canonical_id(symbol: str) -> str:
    """``gpl-3.0`` → ``GPL-3.0-only``; unknown ids are returned unchanged."""
    from osslever.models.license import licensedb

    if symbol.startswith("LicenseRef-"):
        return symbol
    alias = load_data("detection.yaml")["aliases"]["map"].get(symbol.lower())
    if alias and " " not in alias:
        return alias
    info = licensedb.by_spdx().get(symbol.lower())
    return info.spdx if info else symbol


def parse_expression(text: str) -> str | None:
    """A valid SPDX expression rewritten with canonical ids, else None."""
    text = text.strip()
    if not text or len(text) > 300:
        return None
    try:
        parsed = _licensing().parse(text, validate=False, simple=False)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    symbols = [s.key for s in _licensing().license_symbols(parsed, decompose=True)]
    if not symbols or not all(_spdx_known(s) or _spdx_known(canonical_id(s)) for s in symbols):
        return None
    rendered = str(parsed)
    for symbol in sorted(set(symbols), key=len, reverse=True):
        rendered = re.sub(rf"(?<![\w.+-]){re.escape(symbol)}(?![\w.+-])", canonical_id(symbol), rendered)
    return rendered


def normalize_declared(raw: str) -> Declared:
    """A declared license string → SPDX (with a note for confusing names)."""
    text = " ".join(str(raw).split())
    lowered = text.lower().strip(" .")
    data = load_data("detection.yaml")
    if not lowered or lowered in {"unknown", "none", "n/a", "other", "see license", "license"}:
        return Declared(None, raw=text, known=False)
    ambiguous = data["ambiguous"]["map"].get(lowered)
    if ambiguous:
        return Declared(ambiguous["spdx"], ambiguous["note"], text)
    alias = data["aliases"]["map"].get(lowered)
    if alias:
        return Declared(alias, raw=text)
    if lowered.startswith("see license in") or lowered.startswith("see licence in"):
        return Declared(None, raw=text, known=False)
    parsed = parse_expression(text)
    if parsed:
        return Declared(parsed, raw=text)
    # "MIT OR Apache 2.0", "Apache 2.0 / MIT": split on connectors and map each part.
    parts = re.split(r"\s+(or|and)\s+|\s*/\s*|\s*,\s*", text, flags=re.IGNORECASE)
    names = [p for p in parts[::2] if p]
    ops = [p.upper() for p in parts[1::2] if p]
    if len(names) > 1:
        mapped = [normalize_declared(n).spdx for n in names]
        if all(m and m != NOASSERTION for m in mapped):
            op = "AND" if ops and all(o == "AND" for o in ops) else "OR"
            return Declared(f" {op} ".join(dict.fromkeys(m for m in mapped if m)), raw=text)
    if len(text) > 200:
        from osslever.models.license.textindex import get_index

        result = get_index().match(text)
        if result.matches:
            from osslever.models.license import licensedb

            return Declared(
                " AND ".join(licensedb.scancode_expression_to_spdx(m.expression) for m in result.matches),
                raw=text[:80],
            )
    return Declared(None, raw=text, known=False)


def classifier_license(classifiers: list[str]) -> str | None:
    table = load_data("detection.yaml")["classifiers"]["map"]
    found = [table[c.strip()] for c in classifiers if c.strip() in table]
    return " OR ".join(dict.fromkeys(found)) if found else None


def license_ids(expression: str) -> list[str]:
    """The license ids in an SPDX expression (exceptions kept with ``WITH``)."""
    if not expression or expression in {NONE, NOASSERTION}:
        return []
    try:
        parsed = _licensing().parse(expression, validate=False, simple=False)
    except ExpressionError:
        return [t for t in re.split(r"\s+|\(|\)", expression) if t and t not in {"AND", "OR"}]
    if parsed is None:
        return []
    symbols = _licensing().license_symbols(parsed, decompose=False)
    return list(dict.fromkeys(str(s) for s in symbols))


def alternatives(expression: str) -> list[list[str]]:
    """The expression in disjunctive form: each inner list is one way to comply."""
    if not expression or expression in {NONE, NOASSERTION}:
        return []
    try:
        parsed = _licensing().parse(expression, validate=False, simple=False)
    except ExpressionError:
        return [license_ids(expression)]
    if parsed is None:
        return []
    dnf = _licensing().dnf(parsed)
    terms = dnf.args if getattr(dnf, "operator", None) == " OR " else [dnf]
    out: list[list[str]] = []
    for term in terms:
        symbols = _licensing().license_symbols(term, decompose=False)
        out.append(list(dict.fromkeys(str(s) for s in symbols)))
    return out


def join(expressions: list[str], op: str) -> str:
    """Combine expressions with AND/OR, parenthesising compound parts."""
    parts = list(dict.fromkeys(e for e in expressions if e))
    if not parts:
        return NONE
    if len(parts) == 1:
        return parts[0]
    wrapped = [f"({p})" if (" AND " in p or " OR " in p) else p for p in parts]
    return f" {op} ".join(wrapped)
