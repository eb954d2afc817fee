"""The ``license`` document (``osslever license PATH --format json``)."""

from __future__ import annotations

import msgspec

from osslever.documents._base import UNSET, Absent, Document, Part, Text
from osslever.documents.report import Conflict, DependencyCheck, LicenseChange, Note, Scoped


class Scanned(Part, frozen=True, kw_only=True):
    path: str
    ref: str | None
    files_scanned: int


class Match(Part, frozen=True, kw_only=True):
    spdx: str
    recall: float
    similarity: float
    kind: str


class Closest(Part, frozen=True, kw_only=True):
    spdx: str
    similarity: float


class Combination(Part, frozen=True, kw_only=True):
    """How several licenses in one file combine, and the words that said so (None: no words, AND)."""

    operator: str  # OR | AND
    phrase: str | None


class FileFinding(Part, frozen=True, kw_only=True):
    """One license file: what it matched and how well."""

    path: str
    spdx: str | None
    confidence: float
    matches: tuple[Match, ...]
    combination: Combination | Absent = UNSET
    bundled: tuple[str, ...] | Absent = UNSET
    closest: Closest | None | Absent = UNSET
    problem: Note | Absent = UNSET


class Declared(Part, frozen=True, kw_only=True):
    """A license a manifest declares (package.json, pyproject.toml, ...)."""

    file: str
    spdx: str | None
    raw: str | None


class LicenseFinding(Part, frozen=True, kw_only=True):
    spdx: str
    confidence: float
    files: tuple[str, ...]
    category: tuple[str, ...]
    parameters: dict[str, str]
    declared: tuple[Declared, ...]
    scoped: tuple[Scoped, ...]
    details: tuple[FileFinding, ...]
    notes: tuple[Note, ...]


class Dependency(Part, frozen=True, kw_only=True):
    ecosystem: str
    name: str
    version: str | None
    license: str | None
    source: str
    direct: bool | None
    manifest: str | None
    declared: str | None
    scope: str | None  # runtime | optional | development | build; None: the file does not say


class Obligation(Part, frozen=True, kw_only=True):
    mode: str
    verdict: str
    rule: str
    reason: Text | None
    source: str
    dependencies: tuple[str, ...]


class Case(Part, frozen=True, kw_only=True):
    """A documented relicensing case a rule cites."""

    id: str
    project: str
    date: str
    from_: str | None = msgspec.field(name="from")
    to: str | None
    why: Text
    response: Text
    sources: tuple[str, ...]


class Implication(Part, frozen=True, kw_only=True):
    rule: str
    text: Text
    source: str
    signals: tuple[str, ...]
    cases: tuple[Case, ...] | Absent = UNSET


class LicenseDocument(Document, frozen=True, kw_only=True):
    """``osslever license``: the project license, its history and its dependencies."""

    repository: Scanned
    license: LicenseFinding
    history: tuple[LicenseChange, ...]
    dependencies: tuple[Dependency, ...]
    conflicts: tuple[Conflict, ...]
    dependency_check: DependencyCheck
    obligations: tuple[Obligation, ...]
    problems: tuple[Note, ...]
    implications: tuple[Implication, ...]
