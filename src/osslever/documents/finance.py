"""The ``finance metrics`` document (``osslever finance metrics BILLING --format json``)."""

from __future__ import annotations

from osslever.documents._base import Document, Month, Part, Share


class Concentration(Part, frozen=True, kw_only=True):
    """Share of ARR held by the largest 1/5/10 customers (``null`` without revenue)."""

    top1: Share | None
    top5: Share | None
    top10: Share | None


class Movement(Part, frozen=True, kw_only=True):
    """One month's MRR movements (positive magnitudes) and the month-end totals."""

    month: Month
    new: float
    expansion: float
    contraction: float
    churn: float
    reactivation: float
    mrr_end: float
    customers_end: int


class RetentionBase(Part, frozen=True, kw_only=True):
    month: Month
    mrr: float
    customers: int


class Band(Part, frozen=True, kw_only=True):
    band: str
    min: float
    max: float | None
    customers: int
    arr: float


class AcvDistribution(Part, frozen=True, kw_only=True):
    mean: float | None
    p10: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None
    max: float | None
    bands: tuple[Band, ...]


class TopCustomer(Part, frozen=True, kw_only=True):
    customer_id: str
    arr: float
    share: Share


class BillingCohort(Part, frozen=True, kw_only=True):
    cohort: Month
    customers: int
    mrr: float
    customer_retention: tuple[float | None, ...]
    revenue_retention: tuple[float | None, ...]


class Source(Part, frozen=True, kw_only=True):
    file: str
    format: str
    rows_read: int
    rows_used: int
    converted_to_usd: bool


class SkippedRow(Part, frozen=True, kw_only=True):
    row: int
    column: str
    problem: str
    value: str


class FinanceMetricsDocument(Document, frozen=True, kw_only=True):
    """``osslever finance metrics``: MRR, ARR, retention and concentration at ``as_of``."""

    as_of: Month
    currency: str
    mrr: float
    arr: float
    customers: int
    nrr_12m: float | None
    grr_12m: float | None
    logo_churn_12m: float | None
    customers_arr_1m_plus: int | None
    concentration: Concentration
    movements: tuple[Movement, ...]
    retention_base_12m: RetentionBase
    largest_customer_acv: float | None
    acv_distribution: AcvDistribution
    top_customers: tuple[TopCustomer, ...]
    cohorts: tuple[BillingCohort, ...]
    source: Source
    skipped_rows_total: int
    skipped_rows: tuple[SkippedRow, ...]
    notes: tuple[str, ...]
