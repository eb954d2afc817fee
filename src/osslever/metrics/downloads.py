"""Package downloads per month, with how much of each month was measured.

Definition: the sum of a registry's daily download counts over the days of the
month that a source answered for (``download_coverage``). ``coverage`` is the share
of the month's days that were measured; a month with no measured day has
``downloads: null`` — never 0 — and a partly measured month says how partly.
When two sources cover the same day (pypistats and a BigQuery export), the one
listed first in ``SOURCE_PREFERENCE`` counts, so a day is never counted twice.

Registries that publish only totals are shown as readings: Docker Hub's cumulative
pulls (growth per day between two readings, never interpolated) and Homebrew's
30/90/365-day installs. Sources: data/downloads/registries.yaml.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import duckdb

SOURCE_PREFERENCE = ("npm-api", "crates-api", "bigquery-export", "clickpy", "pypistats")


def _merged_days(intervals: list[tuple[date, date]]) -> set[date]:
    days: set[date] = set()
    for first, last in intervals:
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def _rows(engine: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """An engine, or a bare Store (tests, the CLI before an engine exists), answers the same way."""
    if hasattr(engine, "query"):
        return engine.query(sql, params)
    return engine.rows(sql, params)


def package_downloads(engine: Any, ecosystem: str, package: str) -> dict[str, Any]:
    """``{"ecosystem", "package", "sources", "monthly": [...], "last_30_days", "samples", "growth"}``."""
    where = "WHERE ecosystem = ? AND package = ?"
    by_source: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for row in _rows(
        engine, f"SELECT source, first_day, last_day FROM download_coverage {where}", [ecosystem, package]
    ):
        by_source[row["source"]].append((row["first_day"], row["last_day"]))
    # Each day belongs to the most preferred source that measured it.
    owner: dict[date, str] = {}
    ranked = sorted(by_source, key=lambda s: SOURCE_PREFERENCE.index(s) if s in SOURCE_PREFERENCE else 99)
    for source in ranked:
        for day in _merged_days(by_source[source]):
            owner.setdefault(day, source)
    counts: dict[date, int] = {}
    for row in _rows(engine, f"SELECT source, day, downloads FROM download_counts {where}", [ecosystem, package]):
        if owner.get(row["day"]) == row["source"]:
            counts[row["day"]] = row["downloads"]
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"downloads": 0, "days": 0})
    for day in owner:
        key = f"{day.year:04d}-{day.month:02d}"
        months[key]["days"] += 1
        months[key]["downloads"] += counts.get(day, 0)  # a measured day without a row is a measured zero
    monthly = []
    if months:
        keys = sorted(months)
        year, month = map(int, keys[0].split("-"))
        end_year, end_month = map(int, keys[-1].split("-"))
        while (year, month) <= (end_year, end_month):
            key = f"{year:04d}-{month:02d}"
            length = calendar.monthrange(year, month)[1]
            got = months.get(key)
            monthly.append(
                {
                    "month": key,
                    "downloads": got["downloads"] if got else None,
                    "coverage": round(got["days"] / length, 4) if got else 0.0,
                }
            )
            month += 1
            if month == 13:
                year, month = year + 1, 1
    last_30 = None
    if owner:
        newest = max(owner)
        window = [newest - timedelta(days=i) for i in range(30)]
        if all(d in owner for d in window):
            last_30 = {"downloads": sum(counts.get(d, 0) for d in window), "through": newest.isoformat()}
    samples = [
        {"kind": r["kind"], "value": r["value"], "read_at": r["read_at"].isoformat(), "source": r["source"]}
        for r in _rows(
            engine,
            f"SELECT kind, value, read_at, source FROM download_samples {where} ORDER BY read_at, kind",
            [ecosystem, package],
        )
    ]
    return {
        "ecosystem": ecosystem,
        "package": package,
        "sources": ranked + sorted({s["source"] for s in samples}),
        "monthly": monthly,
        "last_30_days": last_30,
        "samples": samples,
        "growth": _growth(samples),
    }


def _growth(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-day growth of a cumulative count between consecutive readings."""
    cumulative = [s for s in samples if s["kind"] == "cumulative"]
    out = []
    for before, after in zip(cumulative, cumulative[1:], strict=False):
        days = (date.fromisoformat(after["read_at"][:10]) - date.fromisoformat(before["read_at"][:10])).days
        if days <= 0:
            continue
        out.append(
            {
                "from": before["read_at"],
                "to": after["read_at"],
                "increase": after["value"] - before["value"],
                "per_day": round((after["value"] - before["value"]) / days, 1),
            }
        )
    return out


def project_downloads(engine: Any, project: str) -> list[dict[str, Any]]:
    """Downloads of every package linked to ``project`` (owner/name), the measured ones only."""
    try:
        rows = _rows(
            engine,
            "SELECT ecosystem, package FROM project_packages WHERE project = ? ORDER BY ecosystem, package",
            [project.lower()],
        )
    except duckdb.CatalogException:  # a store opened read-only before its first upgrade
        return []
    out = []
    for row in rows:
        doc = package_downloads(engine, row["ecosystem"], row["package"])
        if doc["monthly"] or doc["samples"]:
            out.append(doc)
    return out


def latest_full_month(documents: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Downloads summed over packages for the newest month every one of them measured whole.

    The evidence a strategy may use: a month half measured would understate adoption.
    """
    full: dict[str, list[int]] = defaultdict(list)
    for doc in documents:
        for month in doc["monthly"]:
            if month["coverage"] >= 1.0 and month["downloads"] is not None:
                full[month["month"]].append(month["downloads"])
    complete = [m for m, values in full.items() if len(values) == len(documents)]
    if not documents or not complete:
        return None
    month = max(complete)
    return {"month": month, "downloads": sum(full[month]), "packages": len(documents)}
