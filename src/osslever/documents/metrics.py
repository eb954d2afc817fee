"""The ``metrics`` document (``osslever metrics OWNER/NAME --period P --format json``)."""

from __future__ import annotations

from osslever.documents._base import Document, Part
from osslever.documents.reach import PackageDownloads, Signals


class Duration(Part, frozen=True, kw_only=True):
    """Hours: mean and the 0/25/50/75/100% quantiles, over ``count`` items."""

    avg: float | None
    quantile_0: float | None
    quantile_1: float | None
    quantile_2: float | None
    quantile_3: float | None
    quantile_4: float | None
    count: int


class Metrics(Part, frozen=True, kw_only=True):
    """Every metric of one period; ``null`` when the data cannot support it (see ``notes``)."""

    activity: float | None
    openrank: float | None
    attention: int | None
    stars: int | None
    participants: int | None
    issues_new: int | None
    issues_closed: int | None
    issue_comments: int | None
    change_requests: int | None
    change_requests_accepted: int | None
    change_requests_reviews: int | None
    bus_factor: int | None
    new_contributors: int | None
    inactive_contributors: int | None
    issue_response_time: Duration | None
    change_request_resolution_duration: Duration | None


class MetricsDocument(Document, frozen=True, kw_only=True):
    """``osslever metrics``: one repository, one period (month, quarter or year)."""

    repo: str
    period: str
    metrics: Metrics
    notes: dict[str, str]
    downloads: tuple[PackageDownloads, ...]  # the repository's linked packages; [] when none
    signals: Signals
