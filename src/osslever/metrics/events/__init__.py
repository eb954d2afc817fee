"""Event metrics: OpenDigger's published definitions over ``gh_events``, on any engine.

One module per metric, named as OpenDigger exports it; each has ``INFO`` (its
source, its period rule, the fields it needs) and ``series(scope)`` returning
``{period key: value}``. The SQL is DuckDB's dialect; the Spark engine
translates it. Public entry points:

* ``available_metrics()`` — name → callable(engine, repo, grain) → {key: value}
  (the DuckDB-vs-Spark parity tests iterate it);
* ``metrics_document(engine, repo, period)`` — the ``osslever metrics`` JSON;
* ``events_summary(engine, repo)`` — monthly series for ``report``;
* ``export_series(engine, repo)`` — every metric at every grain for ``export``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

from osslever.engines import Engine
from osslever.errors import UserError
from osslever.i18n import t
from osslever.metrics.events._query import Scope, as_moment, check_repo
from osslever.metrics.events.periods import GRAINS, Period, parse_period, period_of

SCHEMA_VERSION = 1

# Output order (OpenDigger's export order where it has the metric).
METRIC_NAMES: tuple[str, ...] = (
    "activity",
    "openrank",
    "attention",
    "stars",
    "participants",
    "issues_new",
    "issues_closed",
    "issue_comments",
    "change_requests",
    "change_requests_accepted",
    "change_requests_reviews",
    "bus_factor",
    "new_contributors",
    "inactive_contributors",
    "issue_response_time",
    "change_request_resolution_duration",
)

# Computed from gh_events (openrank is read from gh_openrank, filled by `rank`).
EVENT_METRICS = tuple(n for n in METRIC_NAMES if n != "openrank")


def metric_module(name: str) -> ModuleType:
    return importlib.import_module(f"osslever.metrics.events.{name}")


def available_metrics() -> dict[str, Callable[..., dict[str, Any]]]:
    """Name → ``f(engine, repo, grain="month", start=None, end=None) -> {key: value}``.

    Only metrics computed from ``gh_events`` (not openrank, which is an input).
    """

    def bind(module: ModuleType) -> Callable[..., dict[str, Any]]:
        def run(
            engine: Engine,
            repo: str,
            grain: str = "month",
            start: date | None = None,
            end: date | None = None,
        ) -> dict[str, Any]:
            return module.series(Scope(engine, check_repo(repo), grain, start, end))

        run.__name__ = module.__name__.rsplit(".", 1)[-1]
        run.__doc__ = module.__doc__
        return run

    return {name: bind(metric_module(name)) for name in EVENT_METRICS}


def _unsupported(scope: Scope, condition: str) -> dict[str, int]:
    """Periods with rows that lack a needed field → how many such rows."""
    sql = (
        f"SELECT {scope.trunc('created_at')} AS period, COUNT(*) AS value FROM gh_events "
        f"WHERE {scope.where()} AND ({condition}) GROUP BY 1"
    )
    from osslever.metrics.events._query import keyed

    return {k: int(v) for k, v in keyed(scope, scope.rows(sql)).items()}


def _event_periods(scope: Scope) -> set[str]:
    from osslever.metrics.events._query import keyed

    sql = (
        f"SELECT {scope.trunc('created_at')} AS period, COUNT(*) AS value FROM gh_events "
        f"WHERE {scope.where()} GROUP BY 1"
    )
    return set(keyed(scope, scope.rows(sql)))


def compute(
    engine: Engine,
    repo: str,
    grain: str,
    start: date | None,
    end: date | None,
    names: tuple[str, ...] = METRIC_NAMES,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """Every metric's series over [start, end) and the notes of the values that are null.

    Returns ``(values, notes)``: ``values[name][key]`` (None = unsupported) and
    ``notes[name][key]`` = why.
    """
    scope = Scope(engine, check_repo(repo), grain, start, end)
    values: dict[str, dict[str, Any]] = {}
    notes: dict[str, dict[str, str]] = {}
    for name in names:
        module = metric_module(name)
        notes[name] = {}
        if name == "openrank":
            try:
                values[name] = module.series(scope)
            except Exception:  # table absent on this engine/store: not computed yet
                values[name] = {}
            continue
        series = module.series(scope)
        needs = module.INFO.needs
        if needs is not None:
            for key, count in _unsupported(scope, needs[0]).items():
                series[key] = None
                notes[name][key] = t("metrics.unsupported_trimmed", count=count, field=needs[1])
        values[name] = series
    return values, notes


def _zero(name: str) -> Any:
    if name in ("issue_response_time", "change_request_resolution_duration"):
        return None
    return 0.0 if name == "activity" else 0


def metrics_document(engine: Engine, repo: str, period: str | Period) -> dict[str, Any]:
    """The ``osslever metrics --format json`` document (contracts/cli-json.md).

    A metric the data cannot support is null with the reason in ``notes``, never 0;
    a period without any event of the repository is all nulls with one note.
    """
    repo_key = check_repo(repo)
    p = parse_period(period) if isinstance(period, str) else period
    scope = Scope(engine, repo_key, p.grain, p.start, p.end)
    if not engine.query(f"SELECT 1 AS x FROM gh_events WHERE {scope.repo_sql} LIMIT 1"):
        raise UserError("events.no_events", repo=repo)
    values, notes = compute(engine, repo_key, p.grain, p.start, p.end)
    has_events = p.key in _event_periods(scope)
    metrics: dict[str, Any] = {}
    out_notes: dict[str, str] = {}
    for name in METRIC_NAMES:
        if name == "openrank":
            value = values[name].get(p.key)
            if value is None:
                out_notes[name] = t("metrics.openrank_missing", period=p.key)
            metrics[name] = value
            continue
        if not has_events:
            metrics[name] = None
            out_notes[name] = t("metrics.no_data_period", period=p.key)
            continue
        if p.key in notes[name]:
            metrics[name] = None
            out_notes[name] = notes[name][p.key]
            continue
        metrics[name] = values[name].get(p.key, _zero(name))
        if metrics[name] is None:
            out_notes[name] = t("metrics.nothing_to_measure", period=p.key)
    from osslever.metrics.downloads import project_downloads
    from osslever.metrics.hard_fork import hard_fork_risk
    from osslever.metrics.star_quality import star_quality

    on_store = engine.name == "duckdb"  # download tables live in the store only (not in a Parquet lake)
    return {
        "schema_version": SCHEMA_VERSION,
        "repo": repo,
        "period": p.key,
        "metrics": metrics,
        "notes": out_notes,
        # Packages linked to the repository (``ingest downloads``); [] when none were read.
        "downloads": project_downloads(engine, repo) if on_store else [],
        # Screening signals over the whole store (data/events/signals.yaml), with their counts.
        "signals": {
            "star_quality": star_quality(engine, repo),
            "hard_fork": hard_fork_risk(engine, repo),
        },
    }


def _bounds(engine: Engine, repo_key: str) -> tuple[date, date] | None:
    rows = engine.query(
        f"SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM gh_events WHERE lower(repo_name) = '{repo_key}'"
    )
    if not rows or rows[0]["lo"] is None:
        return None
    return as_moment(rows[0]["lo"]), as_moment(rows[0]["hi"])


SUMMARY_METRICS = (
    "activity",
    "openrank",
    "attention",
    "stars",
    "participants",
    "issues_new",
    "issues_closed",
    "change_requests",
    "change_requests_accepted",
    "bus_factor",
)


def events_summary(engine: Engine, repo: str) -> dict[str, Any] | None:
    """A compact monthly series of the main event metrics, or None without events.

    ``{"repo", "first_month", "last_month", "monthly": [{"month": "2024-01",
    "activity": 1.2, ...}], "notes": {...}}`` — months without events are listed
    with zeros only between the first and last month that have events.
    """
    repo_key = check_repo(repo)
    bounds = _bounds(engine, repo_key)
    if bounds is None:
        return None
    lo, hi = bounds
    start, end = period_of("month", lo).start, period_of("month", hi).end
    values, notes = compute(engine, repo_key, "month", start, end, SUMMARY_METRICS)
    from osslever.metrics.events.periods import periods_between

    monthly = []
    for p in periods_between("month", lo, hi):
        row: dict[str, Any] = {"month": p.key}
        for name in SUMMARY_METRICS:
            if p.key in notes[name]:
                row[name] = None
            elif name == "openrank":
                row[name] = values[name].get(p.key)
            else:
                row[name] = values[name].get(p.key, _zero(name))
        monthly.append(row)
    flat_notes = {f"{n}:{k}": v for n, by in notes.items() for k, v in by.items()}
    return {
        "repo": repo,
        "first_month": monthly[0]["month"],
        "last_month": monthly[-1]["month"],
        "monthly": monthly,
        "notes": flat_notes,
    }


def export_series(engine: Engine, repo: str) -> dict[str, dict[str, Any]]:
    """Every metric at month, quarter and year grain: ``{name: {key: value}}``.

    The OpenDigger layout: zero values are omitted; nulls (unsupported) too.
    """
    repo_key = check_repo(repo)
    if _bounds(engine, repo_key) is None:
        raise UserError("events.no_events", repo=repo)
    merged: dict[str, dict[str, Any]] = {name: {} for name in METRIC_NAMES}
    for grain in GRAINS:
        values, _notes = compute(engine, repo_key, grain, None, None)
        for name, series in values.items():
            for key, value in series.items():
                if value is None or value == 0:
                    continue
                merged[name][key] = value
    return merged
