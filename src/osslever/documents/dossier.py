"""The ``dossier`` document (``osslever dossier PATH --format json``): the whole case.

It carries the verdict and what only the dossier computes (the profile with each fact's
provenance, the sensitivity to unconfirmed facts, a revenue forecast per viable model),
and — unchanged — the documents it was built from, so every number can be traced to the
builder that measured it.
"""

from __future__ import annotations

from typing import Any, Literal

from osslever.documents._base import Document, Part, Share
from osslever.documents.assess import AssessDocument, LicenseAction, StanceValue, Verdict
from osslever.documents.finance import FinanceMetricsDocument
from osslever.documents.forecast import ForecastDocument, Quantiles
from osslever.documents.license import LicenseDocument
from osslever.documents.metrics import MetricsDocument
from osslever.documents.report import ReportDocument, RepositoryRef

Provenance = Literal["declared", "measured", "inferred", "derived", "assumed", "scenario"]
VerdictPart = Literal["stance", "model", "license", "investor"]


class Fact(Part, frozen=True, kw_only=True):
    name: str
    value: str
    provenance: str


class Driver(Part, frozen=True, kw_only=True):
    """A weighted reason behind the stance or the model, with the facts it read."""

    text: str
    facts: tuple[Fact, ...]
    source: str
    points: float


class LicenseVerdict(Part, frozen=True, kw_only=True):
    action: LicenseAction
    current: str | None
    family: str | None
    recommended: tuple[str, ...]
    text: str


class Change(Part, frozen=True, kw_only=True):
    name: str
    text: str


class RiskLine(Part, frozen=True, kw_only=True):
    severity: Literal["high", "medium", "low"]
    text: str


class VerdictSection(Part, frozen=True, kw_only=True):
    """What a founder reads first."""

    stance: StanceValue | None
    stance_name: str
    model: str | None
    """Null when no model is viable or several tie (``model_candidates``)."""
    model_name: str
    model_candidates: tuple[str, ...]
    license: LicenseVerdict
    investor: Verdict
    investor_name: str
    investor_text: str
    coherent: bool
    paragraph: str
    drivers: tuple[Driver, ...]
    changes: tuple[Change, ...]
    risk: RiskLine | None


class ProfileField(Part, frozen=True, kw_only=True):
    path: str
    name: str
    value: Any
    shown: str
    provenance: Provenance
    provenance_name: str
    confidence: Share | None
    evidence: tuple[str, ...]
    """What the value rests on, in the document's language: quotes from the repository
    (file names, words found) and the names of the documents it was measured from
    (``glossary.evidence_name``); the reference itself is in ``source``."""
    source: str


class Unanswered(Part, frozen=True, kw_only=True):
    path: str
    name: str


class Profile(Part, frozen=True, kw_only=True):
    fields: tuple[ProfileField, ...]
    unanswered: tuple[Unanswered, ...]
    file: str
    """The ``profile.yaml`` text written beside the dossier."""


class Answer(Part, frozen=True, kw_only=True):
    stance: StanceValue | None
    model: str | None
    license: str
    investor: Verdict


class Sensitive(Part, frozen=True, kw_only=True):
    """An unconfirmed fact that changes the verdict at one of its other values."""

    path: str
    name: str
    provenance: Literal["inferred", "assumed"]
    current: str
    values: tuple[Any, ...]
    """The values tried that have this same effect."""
    value_name: str
    changes: tuple[VerdictPart, ...]
    after: Answer
    text: str


class ModelForecast(Part, frozen=True, kw_only=True):
    id: str
    name: str
    basis: str | None
    arr: Quantiles
    customers: Quantiles
    probability_arr_1m: Share
    pricing_source: str


class FunnelStage(Part, frozen=True, kw_only=True):
    stage: Literal["users", "downloads", "deployments", "stars"]
    value: float
    provenance: str
    source: str


class Revenue(Part, frozen=True, kw_only=True):
    models: tuple[ModelForecast, ...]
    funnel: tuple[FunnelStage, ...]
    note: str


class Term(Part, frozen=True, kw_only=True):
    id: str
    name: str
    text: str
    source: str


class Sources(Part, frozen=True, kw_only=True):
    """The documents the dossier was built from, as their builders returned them."""

    report: ReportDocument
    license: LicenseDocument | None
    events: MetricsDocument | None
    finance: FinanceMetricsDocument | None
    assess: AssessDocument
    forecast: ForecastDocument | None


class DossierDocument(Document, frozen=True, kw_only=True):
    """``osslever dossier``: verdict, profile, sensitivity, revenue, and the documents behind them."""

    schema_version: Literal[1]
    name: str
    lang: Literal["en", "zh"]
    repository: RepositoryRef
    verdict: VerdictSection
    profile: Profile
    sensitivity: tuple[Sensitive, ...]
    forecast: Revenue
    glossary: tuple[Term, ...]
    documents: Sources
