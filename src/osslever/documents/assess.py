"""The ``assess`` document (``osslever assess PROFILE --format json``): the recommendation.

Schema version 2 (issue 12): stance, business model and license are one joint decision
(``models/strategy/decision.py``), so the document carries the points of every stance,
the evidence for and against, the coherence of the answer, the investor verdict and the
levers a founder can pull (``what_would_change``). Two kinds of reason appear:

* ``Reason``: a rule of a rule pack that fired — its id, text, the evidence it read, the
  provenance of each value (declared, measured, derived, scenario) and its source;
* ``Support``: a weighted driver of the joint decision — the same, plus its points and
  the strength of its evidence (measured facts weigh more than declared ones).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from osslever.documents._base import UNSET, Absent, Document, Evidence, Part, Share, Text

StanceValue = Literal["open", "closed", "hybrid"]
Stage = Literal["early", "growth", "later"]
"""Investor-readiness stages (``data/strategy/engine.yaml`` ``stages``)."""
Verdict = Literal["investable", "conditional", "not_yet"]
LicenseAction = Literal["keep", "change", "choose"]
"""Keep the current license, change it (a relicensing cost), or choose one (none yet)."""


class Reason(Part, frozen=True, kw_only=True):
    """A fired rule of a rule pack."""

    rule: str
    text: Text
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    points: float | Absent = UNSET
    missing: tuple[str, ...] | Absent = UNSET


class Support(Part, frozen=True, kw_only=True):
    """A weighted driver of the joint decision (for a stance or a business model)."""

    rule: str
    text: Text
    points: float
    strength: Share
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    supports: StanceValue | Absent = UNSET
    """In ``stance.counter_evidence``: the other stance this driver speaks for."""


class StancePoints(Part, frozen=True, kw_only=True):
    open: float
    closed: float
    hybrid: float


class Tie(Part, frozen=True, kw_only=True):
    """An answer with exactly the best total: the choice between them is the founder's."""

    stance: StanceValue
    model: str
    name: Text
    total: float


class Alternative(Part, frozen=True, kw_only=True):
    """One of the next best (stance, model, license) answers of the joint decision."""

    stance: StanceValue
    model: str
    total: float
    license: LicenseAction


class Stance(Part, frozen=True, kw_only=True):
    value: StanceValue | None
    status_quo: StanceValue | None
    """What the project is today (from its license, open artefacts and revenue lines)."""
    points: StancePoints
    path: tuple[str, ...]
    reasons: tuple[Support, ...]
    counter_evidence: tuple[Support, ...]
    ties: tuple[Tie, ...]
    alternatives: tuple[Alternative, ...]
    notes: tuple[Reason, ...]


class Coherence(Part, frozen=True, kw_only=True):
    """Whether stance, model and license fit together, or which declared facts forbid it."""

    coherent: bool
    forced: tuple[Literal["license_locked", "no_viable_model", "no_coherent_option"], ...]
    text: Text


class BusinessModel(Part, frozen=True, kw_only=True):
    id: str
    name: Text
    score: Share
    points: float
    total: float | None
    """Best total of the joint decision with this model; null when it is not viable."""
    fit: Literal["strong", "moderate", "weak", "poor"]
    viable: bool
    not_viable: tuple[Text, ...]
    stances: tuple[StanceValue, ...]
    license_families: tuple[str, ...]
    reasons: tuple[Support, ...]
    counter_evidence: tuple[Support, ...]
    missing_preconditions: tuple[Text, ...]
    examples: tuple[str, ...]


class Motivation(Part, frozen=True, kw_only=True):
    """A motivation to open source (seeds/000): a fired rule plus whether it applies."""

    id: str
    status: Literal["applies", "does_not_apply", "unknown"]
    rule: str
    text: Text
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    missing: tuple[str, ...] | Absent = UNSET


class Check(Part, frozen=True, kw_only=True):
    """A readiness check of one stage: a fired rule plus its status."""

    id: str
    stage: Stage
    status: Literal["pass", "fail", "unknown"]
    rule: str
    text: Text
    evidence: Evidence
    provenance: dict[str, str]
    source: str
    missing: tuple[str, ...] | Absent = UNSET


class Switching(Part, frozen=True, kw_only=True):
    """Whether the existing code can change license, why, and what a change costs."""

    possible: bool | None
    why: tuple[Literal["owns_copyright", "cla", "little_outside_code", "no_rights", "unknown_rights"], ...]
    text: Text
    cost: float


class LicenseAdvice(Part, frozen=True, kw_only=True):
    current: str | None
    families: tuple[str, ...]
    action: LicenseAction
    family: str | None
    """The license family to move to (``change``/``choose``); null when keeping."""
    recommended: tuple[str, ...]
    text: Text
    switching: Switching
    options: tuple[()]
    """Always empty since version 2 (the license is part of the joint decision)."""
    notes: tuple[Text, ...]
    note_details: tuple[Reason, ...]


class InvestorFact(Part, frozen=True, kw_only=True):
    fact: Literal["earns", "million", "pmf"]
    text: Text
    provenance: dict[str, str]


class Investor(Part, frozen=True, kw_only=True):
    """The investor verdict (seeds/004) and the three facts that drive it."""

    verdict: Verdict
    stage: Stage | None
    text: Text
    facts: tuple[InvestorFact, ...]
    source: str


class ReadinessSummary(Part, frozen=True, kw_only=True):
    pass_: int = msgspec.field(name="pass")
    fail: int
    unknown: int


class Readiness(Part, frozen=True, kw_only=True):
    stage: Stage
    stage_reason: Reason | None
    checks: tuple[Check, ...]
    upcoming: tuple[Check, ...]
    summary: ReadinessSummary
    notes: tuple[Reason, ...]


class Risk(Part, frozen=True, kw_only=True):
    id: str
    severity: Literal["high", "medium", "low"]
    text: Text
    rule: str
    evidence: Evidence
    reasons: tuple[Reason, ...]


class Rating(Part, frozen=True, kw_only=True):
    points: float
    rating: Literal["favourable", "neutral", "unfavourable"]
    reasons: tuple[Reason, ...]


class Dimension(Part, frozen=True, kw_only=True):
    """One dimension of the open/closed/hybrid comparison."""

    id: str
    name: Text
    open: Rating
    closed: Rating
    hybrid: Rating
    best: tuple[StanceValue, ...]


class LeverEffect(Part, frozen=True, kw_only=True):
    stance: bool
    model: bool
    verdict: bool


class Lever(Part, frozen=True, kw_only=True):
    """A change a founder can make, tried on a copy of the facts, and what it changes."""

    id: str
    name: Text
    changes: LeverEffect
    stance: StanceValue | None
    model: str | None
    verdict: Verdict
    gain: float
    text: Text


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
    """``osslever assess``: stance, business models, license, investor, readiness, risks."""

    schema_version: Literal[2]
    name: str | None
    lang: Literal["en", "zh"]
    profile_note: Text | None
    """Set for a version-1 profile (none of the version-2 facts declared)."""
    profile_missing: tuple[str, ...]
    """The version-2 profile fields neither declared nor measured."""
    stance: Stance
    coherence: Coherence
    business_models: tuple[BusinessModel, ...]
    motivations: tuple[Motivation, ...]
    license: LicenseAdvice
    investor: Investor
    readiness: Readiness
    risks: tuple[Risk, ...]
    dimensions: tuple[Dimension, ...]
    unknowns: tuple[str, ...]
    what_would_change: tuple[Lever, ...]
    inputs: Inputs
    rules: RulesUsed
