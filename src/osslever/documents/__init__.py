"""Typed, read-only views of the documents osslever emits — and their JSON Schemas.

The builders (``outputs/report.py``, ``metrics/events``, ``models/license``,
``models/strategy/document.py``, ``models/finance``, ``metrics/ranking.py``) return plain dicts; this
package says exactly what those dicts contain. ``typed(kind, doc)`` checks a
document strictly and returns an immutable Struct; ``json_schema(kind)`` is the
contract generated from the type (committed under ``docs/schemas/`` and served
in the OpenAPI document). From schema version 1 on these generated schemas are
the contracts; ``shared/contracts/`` describes version 1 as history.
"""

from __future__ import annotations

from typing import Any

import msgspec

from osslever.documents._base import Document
from osslever.documents.assess import AssessDocument
from osslever.documents.dossier import DossierDocument
from osslever.documents.finance import FinanceMetricsDocument
from osslever.documents.forecast import ForecastDocument
from osslever.documents.license import LicenseDocument
from osslever.documents.metrics import MetricsDocument
from osslever.documents.rank import RankDocument
from osslever.documents.report import ReportDocument
from osslever.errors import UserError

KINDS: dict[str, type[Document]] = {
    "report": ReportDocument,
    "metrics": MetricsDocument,
    "license": LicenseDocument,
    "assess": AssessDocument,
    "finance-metrics": FinanceMetricsDocument,
    "forecast": ForecastDocument,
    "rank": RankDocument,
    "dossier": DossierDocument,
}
"""Document kind (the name of its schema file) → its type."""


class OffSchema(Exception):
    """A builder produced a document its type does not describe: a bug, not a user error."""


def _type(kind: str) -> type[Document]:
    try:
        return KINDS[kind]
    except KeyError:
        raise UserError("documents.unknown_kind", kind=kind, kinds=", ".join(KINDS)) from None


def typed(kind: str, doc: dict[str, Any]) -> Document:
    """``doc`` as its immutable Struct; raises ``OffSchema`` naming the key that is off."""
    cls = _type(kind)
    try:
        return msgspec.convert(doc, cls, strict=True)
    except msgspec.ValidationError as exc:
        raise OffSchema(f"{kind} document does not match {cls.__name__}: {exc}") from exc


def plain(document: Document) -> dict[str, Any]:
    """The JSON-able dict of a typed document (absent keys stay absent)."""
    out = msgspec.json.decode(msgspec.json.encode(document))
    assert isinstance(out, dict)
    return out


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one document kind, generated from its type."""
    cls = _type(kind)
    schema = msgspec.json.schema(cls)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://osslever.invalid/schemas/{kind}.schema.json",
        "title": f"osslever {kind} document",
        **schema,
    }


COMPONENT_PREFIX = "doc."
"""Prefix of the generated names in an OpenAPI document, so they never collide with its own."""


def components() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(kind → ``$ref`` schema, component name → schema) for OpenAPI ``components/schemas``."""
    template = "#/components/schemas/" + COMPONENT_PREFIX + "{name}"
    refs, defs = msgspec.json.schema_components(KINDS.values(), ref_template=template)
    by_kind = dict(zip(KINDS, refs, strict=True))
    return by_kind, {COMPONENT_PREFIX + name: schema for name, schema in defs.items()}


__all__ = ["KINDS", "OffSchema", "components", "json_schema", "plain", "typed"]
