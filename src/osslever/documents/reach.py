"""Parts about adoption and reach: package downloads, hard-fork risk, star quality (docs/reach.md)."""

from __future__ import annotations

import msgspec

from osslever.documents._base import Date, Month, Part, Share


class MonthDownloads(Part, frozen=True, kw_only=True):
    """One month of one package: ``downloads`` is null when no day of it was measured."""

    month: Month
    downloads: int | None
    coverage: Share


class Last30(Part, frozen=True, kw_only=True):
    downloads: int
    through: Date


class Sample(Part, frozen=True, kw_only=True):
    """A dated reading of a total (Docker Hub cumulative pulls, Homebrew install windows)."""

    kind: str
    value: int
    read_at: str
    source: str


class Growth(Part, frozen=True, kw_only=True):
    from_: str = msgspec.field(name="from")
    to: str
    increase: int
    per_day: float


class PackageDownloads(Part, frozen=True, kw_only=True):
    ecosystem: str
    package: str
    sources: tuple[str, ...]
    monthly: tuple[MonthDownloads, ...]
    last_30_days: Last30 | None
    samples: tuple[Sample, ...]
    growth: tuple[Growth, ...]


class ForkCandidate(Part, frozen=True, kw_only=True):
    repo: str
    shared_core_contributors: int
    active_contributors: int
    ratio_to_parent: float | None
    level: str | None  # rivals | overtakes | None


class ForkWindow(Part, frozen=True, kw_only=True):
    core_from: Date
    recent_from: Date
    until: Date


class ForkCounts(Part, frozen=True, kw_only=True):
    total: int
    recent: int


class HardFork(Part, frozen=True, kw_only=True):
    repo: str
    window: ForkWindow
    core_contributors: int
    active_contributors: int | None
    forks: ForkCounts | None
    candidates: tuple[ForkCandidate, ...]
    risk: ForkCandidate | None
    source: str


class Inactive(Part, frozen=True, kw_only=True):
    share: Share | None
    count: int | None
    note: str | None
    repos_in_data: int


class Burst(Part, frozen=True, kw_only=True):
    hour: str
    stars: int
    lockstep_repos: tuple[dict[str, str | int], ...]


class Lockstep(Part, frozen=True, kw_only=True):
    share: Share
    stars: int
    median_stars_per_starred_hour: float
    burst_threshold: float
    bursts: tuple[Burst, ...]


class AccountAge(Part, frozen=True, kw_only=True):
    share_new_accounts: Share | None
    note: str | None


class StarQuality(Part, frozen=True, kw_only=True):
    repo: str
    stars: int
    no_other_activity: Inactive
    lockstep: Lockstep
    account_age: AccountAge
    source: str


class Signals(Part, frozen=True, kw_only=True):
    star_quality: StarQuality | None
    hard_fork: HardFork | None
