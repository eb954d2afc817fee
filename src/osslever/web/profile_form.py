"""The strategy profile as a form: controls derived from the profile schema, pre-filled, checked per field.

Why it is generated: ``models.strategy.schema.profile_fields()`` (read from
``data/strategy/profile_schema.yaml``) is the one definition of a profile field — its
type, choices, range, whether it is required and whether the questionnaire asks it.
The form shows every field the questionnaire asks (``ask: true``), in schema order,
grouped by the section of its path; its question is ``strategy.question.<path>`` and
the names of its values come from the one glossary (``osslever.glossary``, the names the
dossier and the assessment use). A field added to the schema
appears on the page without touching this module or the template.

What the user submits is checked by the strategy area's own ``check_value`` (the
check ``osslever assess`` applies), and each failure is re-worded for the one field
it concerns (``web.form.error.*``) so it can stand next to that control, in the
page's language. The stored profile is still the YAML text ``osslever assess`` reads.
"""

from __future__ import annotations

from typing import Any

import yaml

from osslever import glossary
from osslever.errors import UserError
from osslever.i18n import t
from osslever.models.strategy.profile import check_value, flatten, unflatten, validate_profile
from osslever.models.strategy.schema import Field, profile_fields

GENERAL = "general"  # the section of top-level fields (the profile's name)
MAX_FIELDS = 500  # a submitted form has one entry per field; more is not a form

CONTROLS = {
    "enum": "select",
    "enum_list": "checkboxes",
    "bool": "yesno",
    "integer": "number",
    "number": "number",
    "string": "text",
    "spdx": "text",
}


def asked() -> dict[str, Field]:
    """The fields the form shows: those the questionnaire asks, in schema order."""
    return {path: field for path, field in profile_fields().items() if field.ask}


def section_of(path: str) -> str:
    return path.split(".", 1)[0] if "." in path else GENERAL


def choice_label(field: Field, value: Any, lang: str) -> str:
    """How a value of ``field`` reads in ``lang`` (a choice's name, yes/no, or the value itself)."""
    if isinstance(value, list):
        return ", ".join(choice_label(field, v, lang) for v in value)
    if field.type == "bool":
        return t("web.form.answer_yes" if value else "web.form.answer_no", lang)
    if field.type in ("enum", "enum_list"):
        return glossary.value_name(field.path, value, lang)
    return _number(value) if isinstance(value, float) else str(value)


def _number(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _inferred_value(field: Field, value: Any) -> Any:
    """An inferred value as the field takes it, or None when the schema would refuse it."""
    if isinstance(value, list) and field.type == "enum":
        value = value[0] if value else None  # one is asked; the first found is the most specific
    try:
        return check_value(field, value, "<inferred>")
    except UserError:
        return None


def _note(found: dict[str, Any], lang: str) -> str:
    """ "inferred, confidence 80% (Dockerfile, …)" / "measured (…)": the words ``osslever infer`` writes."""
    evidence = ", ".join(str(e) for e in (found.get("evidence") or [])[:3]) or "-"
    confidence = f"{float(found.get('confidence') or 0):.0%}"
    return t(f"inference.{found['provenance']}", lang, confidence=confidence, evidence=evidence)


def _help(field: Field, lang: str) -> str:
    if field.is_numeric:
        if field.min is not None and field.max is not None:
            return t("web.form.range", lang, low=_number(field.min), high=_number(field.max))
        if field.min is not None:
            return t("web.form.at_least", lang, low=_number(field.min))
    if field.type == "enum_list":
        return t("web.form.pick_any", lang)
    if field.type == "spdx":
        return t("web.form.spdx", lang)
    return ""


def form(
    lang: str,
    declared: dict[str, Any] | None = None,
    inferred: dict[str, dict[str, Any]] | None = None,
    unknown: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The sections of the form, each with its fields and their current values.

    ``declared``: the saved profile, flat (``{"org.size": "startup"}``); it wins.
    ``inferred``: ``infer_profile(...)["fields"]``; it fills what the profile leaves open
    and is shown as a badge (inferred with confidence and evidence, or measured).
    ``unknown``: paths the repository cannot show; they get a "please answer" badge.
    """
    declared, inferred, unknown = declared or {}, inferred or {}, set(unknown or [])
    sections: dict[str, dict[str, Any]] = {}
    for path, field in asked().items():
        found = inferred.get(path)
        suggestion = _inferred_value(field, found["value"]) if found else None
        value, origin, badge = None, None, None
        if path in declared:
            value, origin = declared[path], "declared"
            if suggestion is not None and suggestion == value:
                badge = {"kind": found["provenance"], "text": _note(found, lang)}
            elif suggestion is not None:
                text = t(
                    "web.form.suggests", lang, value=choice_label(field, suggestion, lang), note=_note(found, lang)
                )
                badge = {"kind": "suggestion", "text": text}
        elif suggestion is not None:
            value, origin = suggestion, found["provenance"]
            badge = {"kind": found["provenance"], "text": _note(found, lang)}
        elif path in unknown:
            badge = {"kind": "ask", "text": t("inference.assumed", lang)}
        chosen = value if isinstance(value, list) else [] if value is None else [value]
        entry = {
            "path": path,
            "id": "f-" + path.replace(".", "-"),  # paths have no "-": one id per path
            "type": field.type,
            "control": CONTROLS[field.type],
            "label": t(f"strategy.question.{path}", lang),
            "help": _help(field, lang),
            "required": field.required,
            "choices": [
                {"value": v, "label": glossary.value_name(path, v, lang), "checked": v in chosen} for v in field.values
            ],
            "min": _number(field.min),
            "max": _number(field.max),
            "step": "1" if field.type == "integer" else "any",
            "suggestions": list(field.whatif_values),
            "value": "" if value is None or isinstance(value, list) else value,
            "bool": value if isinstance(value, bool) else None,
            "origin": origin,
            "badge": badge,
        }
        if isinstance(entry["value"], float):
            entry["value"] = _number(entry["value"])
        section = section_of(path)
        if section not in sections:
            sections[section] = {"id": section, "title": t(f"strategy.section.{section}", lang), "fields": []}
        sections[section]["fields"].append(entry)
    return list(sections.values())


def field_message(field: Field, exc: UserError, lang: str) -> str:
    """The strategy area's complaint about one value, said of the control it concerns."""
    kind = exc.key.rsplit(".", 1)[-1]
    if kind == "out_of_range":
        if field.max is None:
            return t("web.form.error.at_least", lang, low=_number(field.min))
        if field.min is None:
            return t("web.form.error.at_most", lang, high=_number(field.max))
        return t("web.form.error.range", lang, low=_number(field.min), high=_number(field.max))
    if kind == "bad_type":
        wanted = {"integer": "whole_number", "number": "number", "bool": "yes_no"}.get(field.type, "text")
        return t(f"web.form.error.{wanted}", lang)
    if kind in ("bad_enum", "not_list"):
        return t("web.form.error.choice", lang)
    return exc.render(lang)


def check(submitted: Any, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``(answers, errors)``: the submitted ``{path: value}`` checked field by field.

    Empty answers ("" or an empty list, or null) are unanswered and left out: absence is
    how the engine knows a value is unknown. ``errors`` maps a path to its message.
    """
    schema = profile_fields()
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(submitted, dict) or len(submitted) > MAX_FIELDS:
        return answers, {"": t("web.form.error.not_a_form", lang)}
    for raw_path, value in submitted.items():
        path = str(raw_path)[:200]
        field = schema.get(path)
        if field is None:
            errors[path] = t("web.form.error.unknown", lang)
            continue
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, str) and field.type not in ("string", "spdx"):
            value = value.strip()
        try:
            checked = check_value(field, value, "<form>")
        except UserError as exc:
            errors[path] = field_message(field, exc, lang)
            continue
        if checked not in (None, []):
            answers[path] = checked
    for path, field in schema.items():
        if field.required and path not in answers and path not in errors:
            errors[path] = t("web.form.error.required", lang)
    return answers, errors


def to_yaml(answers: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """The profile YAML ``osslever assess`` reads: the answers, plus the fields the form does
    not ask (``as_of``, revenue shares) as the previous profile declared them."""
    schema = profile_fields()
    kept = {p: v for p, v in flatten(previous or {}).items() if p in schema and not schema[p].ask}
    profile = validate_profile(unflatten({**kept, **answers}), source="<form>")
    return yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, default_flow_style=False)
