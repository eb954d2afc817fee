"""The ``forecast`` document (``osslever forecast SCENARIO --format json``): Monte Carlo revenue."""

from __future__ import annotations

from typing import Any

from osslever.documents._base import UNSET, Absent, Document, Part, Share

Distribution = float | dict[str, Any]
"""A fixed value, or ``{"triangular": [...]}``, ``{"uniform": [...]}``, ``{"lognormal": {...}}``."""


class Param(Part, frozen=True, kw_only=True):
    value: Distribution
    origin: str
    source: str | Absent = UNSET


class Stage(Part, frozen=True, kw_only=True):
    initial: Param
    monthly_growth: Param


class Quantiles(Part, frozen=True, kw_only=True):
    """P10/P50/P90 over the simulated paths."""

    p10: float
    p50: float
    p90: float


class Crossing(Part, frozen=True, kw_only=True):
    threshold: float
    probability: Share
    median_month: int | None
    median_month_if_crossed: int | None


class Thresholds(Part, frozen=True, kw_only=True):
    arr_1m: Crossing
    customer_1m: Crossing | Absent = UNSET


class TornadoRow(Part, frozen=True, kw_only=True):
    input: str
    low: float
    high: float
    arr_low: float
    arr_high: float
    swing: float
    base_arr: float


class ModelInput(Part, frozen=True, kw_only=True):
    path: str
    value: Distribution
    origin: str
    source: str | Absent = UNSET


class ForecastMonth(Part, frozen=True, kw_only=True):
    month: int
    arr: Quantiles
    customers: Quantiles
    cash: Quantiles


class ModelForecast(Part, frozen=True, kw_only=True):
    id: str
    recurring: bool
    basis: str | None
    motion: str | None
    arr: Quantiles
    customers: Quantiles
    cash: Quantiles
    mean_arr: float
    arr_standard_error: float
    thresholds: Thresholds
    tornado: tuple[TornadoRow, ...]
    inputs: tuple[ModelInput, ...]
    monthly: tuple[ForecastMonth, ...]


class DefaultUsed(Part, frozen=True, kw_only=True):
    path: str
    value: Distribution
    source: str | None


class ForecastDocument(Document, frozen=True, kw_only=True):
    """``osslever forecast``: ARR, customers and cash per business model over the horizon."""

    scenario: str
    currency: str
    horizon_months: int
    start: str
    paths: int
    seed: int | None
    customer_noise: str
    funnel: dict[str, Stage]
    models: tuple[ModelForecast, ...]
    defaults_used: tuple[DefaultUsed, ...]
    notes: tuple[str, ...]
