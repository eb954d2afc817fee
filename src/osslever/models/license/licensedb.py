"""The license knowledge base: ScanCode's LicenseDB, as shipped on PyPI.

Two packages carry it, and we use each for what it does best:

* ``license-expression`` ships ``scancode-licensedb-index.json`` (2,500+ keys with
  their SPDX identifier and category: Permissive, Copyleft, Source-available...);
  it is the newer of the two, so it wins for names and categories.
* ``licensedcode-data`` ships the full texts (``licenses/*.LICENSE``) and the
  license-text rules (``rules/*.RULE``, real-world variants of the same texts)
  that the text matcher indexes.

Both are © nexB Inc. and others, data under CC-BY-4.0 (see docs/license.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from osslever.i18n import t


@dataclass(frozen=True)
class LicenseInfo:
    key: str
    spdx: str
    name: str
    category: str
    is_exception: bool = False


@lru_cache(maxsize=1)
def index_entries() -> dict[str, LicenseInfo]:
    """ScanCode key → SPDX id, name and category (license-expression's index)."""
    ref = resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
    rows = json.loads(ref.read_text(encoding="utf-8"))
    out: dict[str, LicenseInfo] = {}
    for row in rows:
        key = row["license_key"]
        spdx = row.get("spdx_license_key") or f"LicenseRef-scancode-{key}"
        out[key] = LicenseInfo(
            key=key,
            spdx=spdx,
            name=row.get("short_name") or row.get("name") or key,
            category=row.get("category") or "Unstated License",
            is_exception=bool(row.get("is_exception")),
        )
    return out


@lru_cache(maxsize=1)
def by_spdx() -> dict[str, LicenseInfo]:
    """SPDX id (lower-cased) → entry; other SPDX keys ScanCode lists map too."""
    out: dict[str, LicenseInfo] = {}
    for info in index_entries().values():
        out.setdefault(info.spdx.lower(), info)
    ref = resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
    for row in json.loads(ref.read_text(encoding="utf-8")):
        info = index_entries()[row["license_key"]]
        for other in row.get("other_spdx_license_keys") or []:
            out.setdefault(str(other).lower(), info)
    return out


def spdx_of(key: str) -> str:
    info = index_entries().get(key)
    return info.spdx if info else f"LicenseRef-scancode-{key}"


@lru_cache(maxsize=256)
def short_name(key: str) -> str | None:
    """ScanCode's short name of a license key (``rsalv2`` → "RSALv2"), from its text's front matter.

    The index above has no names for most keys; the one ``.LICENSE`` file is read on demand.
    """
    path = data_dir() / "licenses" / f"{key}.LICENSE"
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(2048)
    except OSError:
        return None
    return _quick_meta(head + "\n---")[0].get("short_name") or None


_REF = re.compile(r"LicenseRef-scancode-([a-z0-9][a-z0-9_.+-]*)", re.IGNORECASE)


def expression_name(expression: str, lang: str) -> str:
    """A license expression as a person reads it: SPDX ids as they are (they are the names
    people use), ScanCode's ``LicenseRef-scancode-*`` ids by their short names, and the
    operators in the reader's language ("SSPL-1.0 或 RSALv2")."""
    text = _REF.sub(lambda m: short_name(m.group(1).lower()) or m.group(0), expression)
    return re.sub(r"\b(OR|AND|WITH)\b", lambda m: t(f"license.operator.{m.group(1)}", lang), text)


def category_of_spdx(spdx: str) -> str | None:
    info = by_spdx().get(spdx.lower())
    return info.category if info else None


def data_dir() -> Path:
    """Folder of the licensedcode-data package (``licenses/`` and ``rules/``)."""
    return Path(str(resources.files("licensedcode") / "data"))


def data_version() -> str:
    try:
        return metadata.version("licensedcode-data")
    except metadata.PackageNotFoundError:  # pragma: no cover - dependency is required
        return "0"


_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_.+-]*")


def scancode_expression_to_spdx(expression: str) -> str:
    """Rewrite a ScanCode expression (``mit OR apache-2.0``) with SPDX ids."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in {"and", "or", "with"}:
            return word.upper()
        return spdx_of(word)

    return _KEY_RE.sub(swap, expression)


_META_LINE_RE = re.compile(r"^([a-z_]+):[ \t]*(.*)$", re.MULTILINE)


def _quick_meta(text: str) -> tuple[dict[str, str], str]:
    """Front matter as flat ``key: value`` strings (fast: no YAML parser needed)."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    head = text[3:end]
    body = text[end + 4 :].lstrip("-").lstrip("\n")
    return {k: v.strip() for k, v in _META_LINE_RE.findall(head)}, body


def iter_texts() -> list[tuple[str, str, str]]:
    """(ScanCode expression, kind, text) for every indexed text.

    Kind is ``license`` for a LicenseDB text, ``rule`` for a license-text rule
    (a real-world variant) and ``notice`` for a longer license notice ("Licensed
    under the Apache License, Version 2.0 ... you may not use this file except
    ..."), which is what many LICENSE files hold instead of the full text.
    Deprecated licenses, false positives, short references ("MIT License") and
    texts that only name an unstated license (warranty disclaimers) are skipped.
    """
    root = data_dir()
    out: list[tuple[str, str, str]] = []
    for path in sorted((root / "licenses").glob("*.LICENSE")):
        meta, body = _quick_meta(path.read_text(encoding="utf-8", errors="replace"))
        if any(meta.get(k) == "yes" for k in ("is_deprecated", "is_unknown", "is_generic")):
            continue
        out.append((meta.get("key") or path.stem, "license", body))
    unstated = {k for k, v in index_entries().items() if v.category == "Unstated License"}
    for path in sorted((root / "rules").glob("*.RULE")):
        text = path.read_text(encoding="utf-8", errors="replace")
        head = text[:600]
        if "is_license_text: yes" in head:
            kind = "rule"
        elif "is_license_notice: yes" in head and len(text) > 300:
            kind = "notice"
        else:
            continue
        meta, body = _quick_meta(text)
        if meta.get("is_false_positive") == "yes" or meta.get("is_deprecated") == "yes":
            continue
        expression = meta.get("license_expression", "").strip("'\"")
        if not expression or set(_KEY_RE.findall(expression)) <= unstated | {"and", "or", "with"}:
            continue  # "warranty-disclaimer" and friends say nothing about the license
        out.append((expression, kind, body))
    return out
