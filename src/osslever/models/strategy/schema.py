"""The field registry: every path a profile, evidence or rule may name, and its type.

Built from ``data/strategy/profile_schema.yaml`` (the profile contract as data) plus the
facts the engine itself produces (decisions such as ``stance.value`` and score facts such
as ``model.top``), so that profile validation, rule validation, the interactive
questionnaire and the what-if search all share one definition of what a field is.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from osslever.models.strategy.data import catalogue, engine_config, load_data

SCALAR_TYPES = ("string", "enum", "bool", "integer", "number", "spdx")
LIST_TYPES = ("enum_list",)


@dataclass(frozen=True)
class Field:
    """One dotted path with its type; ``origin`` says who may set it."""

    path: str
    type: str
    values: tuple = ()
    min: float | None = None
    max: float | None = None
    required: bool = False
    ask: bool = False
    origin: str = "profile"  # profile | evidence | derived | fact
    derive: dict | None = None
    whatif_values: tuple = ()
    scalar_ok: bool = False

    @property
    def is_list(self) -> bool:
        return self.type in LIST_TYPES

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")

    @property
    def choices(self) -> tuple:
        """The finite set of values (enums and booleans), empty for open types."""
        if self.type == "bool":
            return (True, False)
        return self.values

    @property
    def probes(self) -> tuple:
        """Values the what-if search tries: the finite choices, or for an open type
        (an SPDX expression) the representative values its schema entry lists."""
        return self.choices or self.whatif_values


def _field(path: str, spec: dict, origin: str) -> Field:
    return Field(
        path=path,
        type=spec["type"],
        values=tuple(spec.get("values", ())),
        min=spec.get("min"),
        max=spec.get("max"),
        required=bool(spec.get("required", False)),
        ask=bool(spec.get("ask", False)),
        origin=origin,
        derive=spec.get("derive"),
        whatif_values=tuple(spec.get("whatif_values", ())),
        scalar_ok=bool(spec.get("scalar_ok", False)),
    )


@lru_cache(maxsize=1)
def registry() -> dict[str, Field]:
    """All known fields by path, in schema order (profile, evidence, derived, facts)."""
    schema = load_data("profile_schema.yaml")
    out: dict[str, Field] = {}
    for section, origin in (
        ("fields", "profile"),
        ("evidence_fields", "evidence"),
        ("derived", "derived"),
    ):
        for path, spec in (schema.get(section) or {}).items():
            out[path] = _field(path, spec, origin)
    config = engine_config()
    for path, spec in config["decisions"].items():
        out[path] = Field(path=path, type="enum", values=tuple(spec["values"]), origin="fact")
    model_ids = tuple(catalogue()["models"])
    for path in config.get("score_facts", {}):
        out[path] = Field(path=path, type="enum", values=model_ids, origin="fact")
    for path, spec in config.get("given", {}).items():  # set by the joint decision
        values = model_ids if spec.get("values_from") == "catalogue" else tuple(spec["values"])
        out[path] = Field(path=path, type="enum", values=values, origin="fact")
    return out


def profile_fields() -> dict[str, Field]:
    """Fields a user may declare in a profile."""
    return {p: f for p, f in registry().items() if f.origin == "profile"}


def nearest(name: str, candidates: list[str]) -> str | None:
    """The closest candidate to a mistyped name, or None when nothing is close."""
    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
