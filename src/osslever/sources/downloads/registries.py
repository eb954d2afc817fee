"""One reader per registry, all behind one base class (as httpx has transports).

A reader turns a package name and a day range into what the registry *measured*:
daily counts with the ranges it answered for (``Counts``), or dated readings of a
total (``Samples``: Docker Hub's cumulative pulls, Homebrew's 30/90/365-day installs).
Where a registry keeps only recent days (pypistats 180, crates.io 90), the coverage
says so; nothing outside it is ever reported as zero.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import yaml

from osslever.sources.http import FetchError, JsonClient


@lru_cache(maxsize=1)
def settings() -> dict:
    ref = resources.files("osslever") / "data" / "downloads" / "registries.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


@dataclass
class Counts:
    """Daily counts and the inclusive day ranges they cover."""

    source: str
    days: dict[date, int] = field(default_factory=dict)
    coverage: list[tuple[date, date]] = field(default_factory=list)


@dataclass
class Samples:
    """Dated readings of totals: ``[(kind, value)]`` read at ``read_at``."""

    source: str
    read_at: datetime
    values: list[tuple[str, int]] = field(default_factory=list)


def _day(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])


def _count(value: Any) -> int:
    """A registry's count: a non-negative integer, or the answer is malformed."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != value:
        raise FetchError(None, f"not a download count: {str(value)[:40]!r}")
    return int(value)


class Registry:
    """What every registry reader provides."""

    name: ClassVar[str]

    def __init__(self, client: JsonClient, url: str | None = None) -> None:
        self.client = client
        self.url = (url or settings()[self.name]["url"]).rstrip("/")

    def read(self, package: str, first: date, last: date) -> Counts | Samples:
        raise NotImplementedError


class Npm(Registry):
    """npm's range API, asked in pieces shorter than its 18-month limit."""

    name = "npm"

    def read(self, package: str, first: date, last: date) -> Counts:
        conf = settings()["npm"]
        first = max(first, _day(conf["first_day"]))
        out = Counts("npm-api")
        step = timedelta(days=int(conf["max_days_per_request"]) - 1)
        start = first
        while start <= last:
            end = min(last, start + step)
            body = self.client.get(f"{self.url}/downloads/range/{start}:{end}/{quote(package, safe='@/')}")
            if not isinstance(body, dict) or not isinstance(body.get("downloads"), list):
                raise FetchError(None, "the answer has no downloads list")
            for row in body["downloads"]:
                out.days[_day(row["day"])] = _count(row["downloads"])
            answered_first = _day(body.get("start", start))
            answered_last = _day(body.get("end", end))
            out.coverage.append((max(start, answered_first), min(end, answered_last)))
            start = end + timedelta(days=1)
        return out


class PyPIStats(Registry):
    """pypistats.org: the last 180 days, without mirrors."""

    name = "pypi"

    def read(self, package: str, first: date, last: date) -> Counts:
        body = self.client.get(
            f"{self.url}/api/packages/{quote(package.lower(), safe='')}/overall", {"mirrors": "false"}
        )
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchError(None, "the answer has no data list")
        out = Counts("pypistats")
        for row in body["data"]:
            if row.get("category") not in (None, "without_mirrors"):
                continue
            day = _day(row["date"])
            if first <= day <= last:
                out.days[day] = out.days.get(day, 0) + _count(row["downloads"])
        if body["data"]:
            answered = [_day(r["date"]) for r in body["data"]]
            lo, hi = max(first, min(answered)), min(last, max(answered))
            if lo <= hi:
                out.coverage.append((lo, hi))
        return out


class ClickPy(Registry):
    """ClickHouse's public ClickPy database over ClickHouse's HTTP interface.

    The package name and the days travel as typed query parameters, never inside the SQL.
    """

    name = "clickpy"

    def read(self, package: str, first: date, last: date) -> Counts:
        conf = settings()["clickpy"]
        query = (
            f"SELECT toString(date) AS day, sum(count) AS downloads FROM {conf['table']} "
            "WHERE project = {p:String} AND date >= {a:Date} AND date <= {b:Date} "
            "GROUP BY date ORDER BY date FORMAT JSON"
        )
        body = self.client.get(
            f"{self.url}/",
            {
                "user": conf["user"],
                "query": query,
                "param_p": package.lower(),
                "param_a": first.isoformat(),
                "param_b": last.isoformat(),
            },
        )
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchError(None, "the answer has no data list")
        out = Counts("clickpy")
        for row in body["data"]:
            out.days[_day(row["day"])] = _count(int(row["downloads"]))
        out.coverage.append((first, last))  # the query covers the whole range; days absent are zeros
        return out


class Crates(Registry):
    """crates.io: the last 90 days, summed over versions."""

    name = "crates"

    def read(self, package: str, first: date, last: date) -> Counts:
        body = self.client.get(f"{self.url}/api/v1/crates/{quote(package, safe='')}/downloads")
        if not isinstance(body, dict):
            raise FetchError(None, "the answer is not an object")
        rows = list(body.get("version_downloads") or []) + list((body.get("meta") or {}).get("extra_downloads") or [])
        out = Counts("crates-api")
        seen: list[date] = []
        for row in rows:
            day = _day(row["date"])
            seen.append(day)
            if first <= day <= last:
                out.days[day] = out.days.get(day, 0) + _count(row["downloads"])
        if seen:
            lo, hi = max(first, min(seen)), min(last, max(seen))
            if lo <= hi:
                out.coverage.append((lo, hi))
        return out


class DockerHub(Registry):
    """Docker Hub: one reading of the cumulative pull count."""

    name = "docker"

    def read(self, package: str, first: date, last: date) -> Samples:
        namespace, _, image = package.rpartition("/")
        path = f"{quote(namespace or 'library', safe='')}/{quote(image, safe='')}"
        body = self.client.get(f"{self.url}/v2/repositories/{path}/")
        if not isinstance(body, dict) or "pull_count" not in body:
            raise FetchError(None, "the answer has no pull_count")
        return Samples("docker-hub", datetime.now(UTC), [("cumulative", _count(body["pull_count"]))])


class Homebrew(Registry):
    """Homebrew: install counts over the last 30, 90 and 365 days, read today."""

    name = "homebrew"

    def read(self, package: str, first: date, last: date) -> Samples:
        body = self.client.get(f"{self.url}/api/formula/{quote(package, safe='@')}.json")
        installs = ((body or {}).get("analytics") or {}).get("install") if isinstance(body, dict) else None
        if not isinstance(installs, dict):
            raise FetchError(None, "the answer has no analytics.install")
        values = []
        for window in ("30d", "90d", "365d"):
            counts = installs.get(window) or {}
            if isinstance(counts, dict) and counts:
                values.append((f"window_{window}", sum(_count(v) for v in counts.values())))
        return Samples("homebrew-api", datetime.now(UTC), values)


EXPORT_MAX_CHARS = 200_000_000  # daily totals of every PyPI project for a decade fit well below this

READERS: dict[str, type[Registry]] = {r.name: r for r in (Npm, PyPIStats, ClickPy, Crates, DockerHub, Homebrew)}
ECOSYSTEMS = ("npm", "pypi", "crates", "docker", "homebrew")


def read_bigquery_export(path: Path, package: str | None = None) -> dict[str, Counts]:
    """Daily PyPI counts from a user's BigQuery export of ``bigquery-public-data.pypi.file_downloads``.

    Accepted: CSV or newline-delimited JSON (optionally gzipped), one row per day (and
    project), with a day column (``day``/``date``/``download_date``, or a ``timestamp``
    truncated to its day), a count column (``downloads``/``count``/``num_downloads``) and,
    when several projects are in the file, ``project``/``file.project``. The file is taken
    to cover every day from its first to its last row (an export of a GROUP BY query
    lists only days with downloads; days between them are zeros).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:  # type: ignore[operator]
            text = handle.read(EXPORT_MAX_CHARS + 1)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise FetchError(None, f"cannot be read ({exc.__class__.__name__})") from exc
    if len(text) > EXPORT_MAX_CHARS:
        raise FetchError(None, f"larger than {EXPORT_MAX_CHARS // 10**6} MB; export daily totals, not rows")
    try:
        if text.lstrip()[:1] == "[":
            rows = json.loads(text)
        elif text.lstrip()[:1] == "{":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            rows = None
    except ValueError as exc:
        raise FetchError(None, f"not valid JSON ({exc})") from exc
    if rows is None:
        rows = list(csv.DictReader(io.StringIO(text)))
    out: dict[str, Counts] = {}
    for number, row in enumerate(rows, start=2):
        if not isinstance(row, dict):
            raise FetchError(None, f"row {number} is not a record")
        lowered = {str(k).lower(): v for k, v in row.items()}
        name = str(lowered.get("project") or lowered.get("file.project") or package or "").lower()
        day_value = next((lowered[k] for k in ("day", "date", "download_date", "timestamp") if lowered.get(k)), None)
        count_value = next((lowered[k] for k in ("downloads", "count", "num_downloads") if k in lowered), None)
        if not name or day_value is None or count_value is None:
            raise FetchError(None, f"row {number} needs a project, a day and a count column")
        try:
            day, count = _day(day_value), _count(int(float(count_value)))
        except (ValueError, TypeError, OverflowError, FetchError) as exc:
            raise FetchError(
                None, f"row {number}: a bad day or count ({str(day_value)[:20]}, {str(count_value)[:20]})"
            ) from exc
        counts = out.setdefault(name, Counts("bigquery-export"))
        counts.days[day] = counts.days.get(day, 0) + count
    for counts in out.values():
        if counts.days:
            counts.coverage.append((min(counts.days), max(counts.days)))
    return out
