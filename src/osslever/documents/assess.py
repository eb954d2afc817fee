"""The ``assess`` document (``osslever assess PROFILE --format json``): the recommendation.

Every reason carries the rule that fired, its text, the evidence it read and
whether each value was declared, measured or derived (``provenance``).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from osslever.documents._base import UNSET, Absent, Document, Evidence, Part, Share


class Reason(Part, frozen=True, kw_only=True):
    rule: str
    text: str
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    points: float | Absent = UNSET
    missing: tuple[str, ...] | Absent = UNSET


class Alternative(Part, frozen=True, kw_only=True):
    """A rule that would have decided, had these fields been known."""

    decision: str
    value: str
    rule: str
    missing: tuple[str, ...]


class Stance(Part, frozen=True, kw_only=True):
    value: Literal["open", "closed", "hybrid"] | None
    path: tuple[str, ...]
    endowment: str
    tree: str | None
    agreement: bool | None
    reconciliation: Reason | None
    reasons: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...]
    notes: tuple[Reason, ...]


class BusinessModel(Part, frozen=True, kw_only=True):
    id: str
    name: str
    score: Share
    points: float
    fit: Literal["strong", "moderate", "weak", "poor"]
    reasons: tuple[Reason, ...]
    missing_preconditions: tuple[str, ...]
    examples: tuple[str, ...]


class Check(Part, frozen=True, kw_only=True):
    """A motivation or readiness check: a fired rule plus its status."""

    id: str
    status: str
    rule: str
    text: str
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    stage: str | Absent = UNSET
    missing: tuple[str, ...] | Absent = UNSET


class LicenseOption(Part, frozen=True, kw_only=True):
    id: str
    points: float
    reasons: tuple[Reason, ...]


class LicenseAdvice(Part, frozen=True, kw_only=True):
    current: str | None
    families: tuple[str, ...]
    recommended: tuple[str, ...]
    options: tuple[LicenseOption, ...]
    notes: tuple[str, ...]
    note_details: tuple[Reason, ...]


class ReadinessSummary(Part, frozen=True, kw_only=True):
    pass_: int = msgspec.field(name="pass")
    fail: int
    unknown: int


class Readiness(Part, frozen=True, kw_only=True):
    stage: str
    stage_reason: Reason | None
    checks: tuple[Check, ...]
    upcoming: tuple[Check, ...]
    summary: ReadinessSummary
    notes: tuple[Reason, ...]


class Risk(Part, frozen=True, kw_only=True):
    id: str
    severity: Literal["high", "medium", "low"]
    text: str
    rule: str
    evidence: Evidence
    reasons: tuple[Reason, ...]


class Rating(Part, frozen=True, kw_only=True):
    points: float
    rating: str
    reasons: tuple[Reason, ...]


class Dimension(Part, frozen=True, kw_only=True):
    """One dimension of the open/closed/hybrid comparison."""

    id: str
    name: str
    open: Rating
    closed: Rating
    hybrid: Rating
    best: tuple[str, ...]


class Change(Part, frozen=True, kw_only=True):
    field: str
    from_: Any = msgspec.field(name="from")
    to: Any
    change: str


class WhatWouldChange(Part, frozen=True, kw_only=True):
    """A smallest change of declared inputs that flips the stance or the top model."""

    field: str
    from_: Any = msgspec.field(name="from")
    to: Any
    effect: str
    changes: tuple[Change, ...]
    text: str


class Measured(Part, frozen=True, kw_only=True):
    value: Any
    source: str


class Inputs(Part, frozen=True, kw_only=True):
    declared: dict[str, Any]
    measured: dict[str, Measured]
    scenario: dict[str, Any]
    provenance: dict[str, str]
    values: dict[str, Any]


class Pack(Part, frozen=True, kw_only=True):
    pack: str
    file: str
    layer: int
    rules: int


class Overridden(Part, frozen=True, kw_only=True):
    rule: str
    by: str
    was: str
    disabled: bool


class RulesUsed(Part, frozen=True, kw_only=True):
    packs: tuple[Pack, ...]
    overridden: tuple[Overridden, ...]
    active: int
    fired: int


class AssessDocument(Document, frozen=True, kw_only=True):
    """``osslever assess``: stance, business models, license, readiness, risks."""

    name: str | None
    lang: str
    stance: Stance
    business_models: tuple[BusinessModel, ...]
    motivations: tuple[Check, ...]
    license: LicenseAdvice
    readiness: Readiness
    risks: tuple[Risk, ...]
    dimensions: tuple[Dimension, ...]
    unknowns: tuple[str, ...]
    what_would_change: tuple[WhatWouldChange, ...]
    inputs: Inputs
    rules: RulesUsed
