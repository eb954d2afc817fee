"""The ``report`` document (``osslever report --format json``): git community health."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from osslever.documents._base import UNSET, Absent, Date, Document, Month, Part, Share, Text
from osslever.documents.reach import PackageDownloads


class RepositoryRef(Part, frozen=True, kw_only=True):
    name: str
    path: str
    ref: str
    head: str | None
    shallow: bool
    slug: str | None


class Note(Part, frozen=True, kw_only=True):
    """A finding: its message key, parameters and text."""

    key: str
    params: dict[str, str]
    text: Text


class LicenseChange(Part, frozen=True, kw_only=True):
    date: Date
    commit: str
    from_: str | None = msgspec.field(name="from")
    to: str | None
    kind: str | Absent = UNSET  # first_license | removed | relicensing | restated | uncertain
    files: tuple[str, ...]


class Conflict(Part, frozen=True, kw_only=True):
    dependency: str
    license: str | None
    mode: str
    verdict: str
    rule: str
    reason: Text | None
    source: str
    scope: str | Absent = UNSET  # optional | development | build (runtime is left out)


class DependencyCheck(Part, frozen=True, kw_only=True):
    """How far the conflict check could look: ``not_checked`` when no shipped license is known."""

    status: str  # checked | partial | not_checked | no_dependencies
    total: int
    shipped: int
    not_shipped: int
    known: int
    unknown: int
    conflicts: int
    text: Text


class Scoped(Part, frozen=True, kw_only=True):
    """A license that covers one folder (``path``) rather than the project."""

    path: str
    spdx: str
    confidence: float
    files: tuple[str, ...]
    category: tuple[str, ...]


class ImplicationSummary(Part, frozen=True, kw_only=True):
    rule: str
    text: Text
    source: str | None


class LicenseSummary(Part, frozen=True, kw_only=True):
    spdx: str
    confidence: float
    files: tuple[str, ...]
    category: tuple[str, ...] | None
    scoped: tuple[Scoped, ...]
    notes: tuple[Note, ...]
    history: tuple[LicenseChange, ...]
    dependencies_total: int
    dependency_check: DependencyCheck | None | Absent = UNSET
    conflicts: tuple[Conflict, ...]
    implications: tuple[ImplicationSummary, ...]


class Window(Part, frozen=True, kw_only=True):
    start: Date
    end: Date
    ends_with: str | Absent = UNSET  # as_of (the date asked for) | last_commit


class OrganizationShare(Part, frozen=True, kw_only=True):
    name: str
    commits: int
    contributors: int
    share: Share
    evidence: dict[str, int] | Absent = UNSET  # commits per kind of evidence (address, period, file, none)


class TopOrganization(Part, frozen=True, kw_only=True):
    """The one definition of the top organization's share, with how much of it is evidence."""

    name: str | None
    commits: int
    share: Share | None  # of the commits whose organization is known
    commits_total: int
    commits_with_evidence: int
    evidence_share: Share | None
    unknown_share: Share | None
    share_of_all: Share | None  # if no unknown commit is theirs
    share_of_all_max: Share | None  # if every unknown commit is
    by_evidence: dict[str, int]


class Segments(Part, frozen=True, kw_only=True):
    core: int
    regular: int
    casual: int


class Retention(Part, frozen=True, kw_only=True):
    """Share of a month's new contributors still committing 1/3/6/12 months later."""

    m1: float | None = msgspec.field(name="1m")
    m3: float | None = msgspec.field(name="3m")
    m6: float | None = msgspec.field(name="6m")
    m12: float | None = msgspec.field(name="12m")


class Cohort(Part, frozen=True, kw_only=True):
    """Contributors whose first commit falls in one calendar year (``cohort``: YYYY)."""

    cohort: Annotated[str, msgspec.Meta(pattern=r"^\d{4}$")]
    contributors: int
    m1: float | None = msgspec.field(name="1m")
    m3: float | None = msgspec.field(name="3m")
    m6: float | None = msgspec.field(name="6m")
    m12: float | None = msgspec.field(name="12m")


class Releases(Part, frozen=True, kw_only=True):
    releases_total: int
    releases_12m: int
    median_days_between_releases: float | None
    median_days_between_releases_12m: float | None
    """Of the gaps that end in the 12-month window: the current rhythm."""
    last_release: str | None
    last_release_date: Date | None
    last_tagged_release: str | None | Absent = UNSET
    last_tagged_release_date: Date | None | Absent = UNSET
    releases_off_ref: int | Absent = UNSET
    prereleases_total: int | Absent = UNSET
    last_prerelease: str | None | Absent = UNSET
    tags_total: int | Absent = UNSET
    tags_not_versions: tuple[str, ...] | Absent = UNSET
    counted: str | Absent = UNSET


class Maintained(Part, frozen=True, kw_only=True):
    as_of: Date
    age_days: int | Absent = UNSET
    status: str | Absent = UNSET  # maintained | unmaintained | young
    months_with_commits_12: int
    weeks_with_commits_12: int
    commits_last_90_days: int
    is_maintained: bool | None  # None for a young project: too early to say


class Contributor(Part, frozen=True, kw_only=True):
    name: str
    identity: str
    organization: str
    commits: int
    lines_added: int
    lines_deleted: int
    first_commit: Date
    last_commit: Date


class CommunityMonth(Part, frozen=True, kw_only=True):
    month: Month
    commits: int
    active_contributors: int
    new_contributors: int
    lines_added: int
    lines_deleted: int


class IdentityRule(Part, frozen=True, kw_only=True):
    key: str
    affiliation_file: str | None
    affiliation_entries: int


class Community(Part, frozen=True, kw_only=True):
    """All git-history metrics (``commits_total`` alone for an empty history)."""

    commits_total: int
    contributors_total: int | Absent = UNSET
    bots_total: int | Absent = UNSET
    first_commit: Date | Absent = UNSET
    last_commit: Date | Absent = UNSET
    window_12m: Window | Absent = UNSET
    active_contributors_12m: int | Absent = UNSET
    new_contributors_12m: int | Absent = UNSET
    new_contributors_share_12m: Share | None | Absent = UNSET
    bus_factor_12m: int | None | Absent = UNSET
    elephant_factor_12m: int | None | Absent = UNSET
    organizations_12m: tuple[OrganizationShare, ...] | Absent = UNSET
    organization_top: str | None | Absent = UNSET
    organization_top_share: Share | None | Absent = UNSET
    organization_top_evidence: TopOrganization | Absent = UNSET
    as_of: Date | Absent = UNSET
    contributor_segments_12m: Segments | Absent = UNSET
    retention: Retention | Absent = UNSET
    retention_cohorts: tuple[Cohort, ...] | Absent = UNSET
    releases: Releases | Absent = UNSET
    maintained: Maintained | Absent = UNSET
    top_contributors_12m: tuple[Contributor, ...] | Absent = UNSET
    top_contributors_all: tuple[Contributor, ...] | Absent = UNSET
    monthly: tuple[CommunityMonth, ...] | Absent = UNSET
    identity: IdentityRule | Absent = UNSET


class EventsMonth(Part, frozen=True, kw_only=True):
    month: Month
    activity: float | None
    openrank: float | None
    attention: int | None
    stars: int | None
    participants: int | None
    issues_new: int | None
    issues_closed: int | None
    change_requests: int | None
    change_requests_accepted: int | None
    bus_factor: int | None


class Events(Part, frozen=True, kw_only=True):
    """GitHub event metrics of the repository, when the store has its events."""

    repo: str
    first_month: Month
    last_month: Month
    monthly: tuple[EventsMonth, ...]
    notes: dict[str, Any]


class Reading(Part, frozen=True, kw_only=True):
    """A plain-language reading of the numbers (rule id, level, text, source)."""

    id: str
    level: str
    text: str
    source: str


class Generated(Part, frozen=True, kw_only=True):
    tool: str
    version: str
    lang: str
    at: str


class ReportDocument(Document, frozen=True, kw_only=True):
    """``osslever report --format json``."""

    repository: RepositoryRef
    license: LicenseSummary | None
    community: Community
    events: Events | Absent = UNSET
    downloads: tuple[PackageDownloads, ...] | Absent = UNSET
    readings: tuple[Reading, ...]
    generated: Generated
