"""The base types every document is built from.

Why msgspec Structs: they validate a plain ``dict`` strictly (``msgspec.convert``),
are immutable (``frozen``) so a reader cannot change a document another reader
holds, and ``msgspec.json.schema`` turns them into the JSON Schemas that are the
project's contracts. Every Struct forbids unknown fields: a builder that adds a
key must declare it here, so the schema never lags behind the code.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

Month = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$", description="A UTC calendar month, YYYY-MM.")]
Date = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}", description="An ISO 8601 date (UTC).")]
Share = Annotated[float, msgspec.Meta(ge=0, le=1, description="A fraction between 0 and 1.")]
Text = str | dict[str, str]
"""A text in the chosen language, or ``{"en": ..., "zh": ...}`` when no language was chosen."""
Evidence = dict[str, Any]
"""Profile/evidence field path → the value a rule read (any JSON value)."""


Absent = msgspec.UnsetType
"""A key the builder leaves out in some documents (``X | Absent = UNSET``); ``null`` is kept."""
UNSET = msgspec.UNSET


class Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A nested object of a document."""


class Document(Part, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A top-level document. ``schema_version`` changes when a key changes meaning."""

    schema_version: Annotated[int, msgspec.Meta(ge=1)]
