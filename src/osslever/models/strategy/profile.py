"""Load and strictly validate a project profile (../shared/contracts/profile.md).

Strict on purpose: a typo such as ``org.sise`` would otherwise silently become an
"unknown" and change the answer, so every unknown key is an error naming its path and
the nearest valid key, and every bad enumeration value names the allowed values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from osslever import safe_yaml
from osslever.errors import UserError
from osslever.models.strategy.schema import Field, nearest, profile_fields


def load_profile(path: Path) -> dict:
    """Read a YAML or JSON profile and return it validated (nested, unknowns omitted)."""
    return validate_profile(_read_document(path), source=str(path))


def load_scenario(path: Path) -> dict:
    """A partial profile whose declared values replace the profile's (``--scenario``)."""
    return validate_profile(_read_document(path), source=str(path), require_name=False)


def _read_document(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserError("strategy.profile.not_found", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError("strategy.profile.unreadable", path=str(path), detail=str(exc)) from exc
    try:
        if str(path).endswith(".json"):
            return json.loads(text)
        return safe_yaml.load(text, str(path))
    except json.JSONDecodeError as exc:
        raise UserError("strategy.profile.parse_error", path=str(path), line=exc.lineno, detail=exc.msg) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        detail = getattr(exc, "problem", None) or str(exc)
        raise UserError("strategy.profile.parse_error", path=str(path), line=line, detail=detail) from exc


def validate_profile(doc: Any, source: str = "<profile>", require_name: bool = True) -> dict:
    """Check ``doc`` against the profile schema; return a clean nested copy.

    Missing fields (or explicit nulls) are simply absent in the result: absence is how
    the engine knows a value is unknown.
    """
    fields = profile_fields()
    if not isinstance(doc, dict):
        raise UserError("strategy.profile.not_mapping", path=source)
    flat: dict[str, Any] = {}
    _walk(doc, "", fields, source, flat)
    if require_name and not flat.get("name"):
        raise UserError("strategy.profile.missing_name", path=source)
    return unflatten(flat)


def _walk(node: dict, prefix: str, fields: dict[str, Field], source: str, flat: dict[str, Any]) -> None:
    sections = {p.split(".")[0] for p in fields if "." in p}
    for key, value in node.items():
        key = str(key)
        path = f"{prefix}{key}"
        if path in fields:
            checked = check_value(fields[path], value, source)
            if checked is not None:
                flat[path] = checked
        elif not prefix and key in sections:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise UserError("strategy.profile.not_section", path=source, field=path)
            _walk(value, f"{key}.", fields, source, flat)
        else:
            raise _unknown_key(path, prefix, fields, sections, source)


def _unknown_key(path: str, prefix: str, fields: dict[str, Field], sections: set[str], source: str) -> UserError:
    siblings = sorted(p for p in fields if p.startswith(prefix) and p.count(".") == prefix.count("."))
    if not prefix:
        siblings = sorted([p for p in fields if "." not in p] + list(sections))
    candidates = [s[len(prefix) :] for s in siblings]
    guess = nearest(path[len(prefix) :], candidates)
    if guess is not None:
        return UserError("strategy.profile.unknown_key", path=source, field=path, nearest=f"{prefix}{guess}")
    guess = nearest(path, sorted(fields))
    if guess is not None:
        return UserError("strategy.profile.unknown_key", path=source, field=path, nearest=guess)
    return UserError(
        "strategy.profile.unknown_key_no_match",
        path=source,
        field=path,
        allowed=", ".join(siblings),
    )


def check_value(field: Field, value: Any, source: str) -> Any:
    """Validate one declared value; return it normalised, or None for "unknown"."""
    if value is None:
        return None
    kind = field.type
    if kind == "enum":
        if not isinstance(value, str) or value not in field.values:
            raise _bad_enum(field, value, source)
        return value
    if kind == "enum_list":
        items = value if isinstance(value, list) else [value] if field.scalar_ok else None
        if items is None:
            raise UserError(
                "strategy.profile.not_list",
                path=source,
                field=field.path,
                allowed=", ".join(field.values),
            )
        out: list[str] = []
        for item in items:
            if not isinstance(item, str) or item not in field.values:
                raise _bad_enum(field, item, source)
            if item not in out:
                out.append(item)
        return out
    if kind == "bool":
        if not isinstance(value, bool):
            raise UserError(
                "strategy.profile.bad_type",
                path=source,
                field=field.path,
                value=value,
                expected="true | false",
            )
        return value
    if kind in ("integer", "number"):
        ok = isinstance(value, int) if kind == "integer" else isinstance(value, (int, float))
        # NaN passes every range check and infinity every open one: neither is a measurement
        if not ok or isinstance(value, bool) or not math.isfinite(value):
            raise UserError(
                "strategy.profile.bad_type",
                path=source,
                field=field.path,
                value=value,
                expected=kind,
            )
        if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
            raise UserError(
                "strategy.profile.out_of_range",
                path=source,
                field=field.path,
                value=value,
                low=_num(field.min),
                high=_num(field.max),
            )
        return value
    if kind in ("string", "spdx"):
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise UserError(
                "strategy.profile.bad_type",
                path=source,
                field=field.path,
                value=value,
                expected="text",
            )
        text = str(value).strip()
        return text or None
    raise AssertionError(f"unknown field type {kind}")  # a schema bug, not user input


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _bad_enum(field: Field, value: Any, source: str) -> UserError:
    return UserError(
        "strategy.profile.bad_enum",
        path=source,
        field=field.path,
        value=value,
        allowed=", ".join(str(v) for v in field.values),
    )


def flatten(profile: dict) -> dict[str, Any]:
    """Nested profile → ``{"org.size": "startup", ...}`` (known values only)."""
    out: dict[str, Any] = {}
    for key, value in profile.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                if inner is not None:
                    out[f"{key}.{sub}"] = inner
        elif value is not None:
            out[key] = value
    return out


def unflatten(flat: dict[str, Any]) -> dict:
    """``{"org.size": "startup"}`` → ``{"org": {"size": "startup"}}`` in schema order."""
    order = list(profile_fields())
    out: dict[str, Any] = {}
    for path in sorted(flat, key=lambda p: order.index(p) if p in order else len(order)):
        head, _, tail = path.partition(".")
        if tail:
            out.setdefault(head, {})[tail] = flat[path]
        else:
            out[head] = flat[path]
    return out
