"""Package downloads from the registries that publish them, stored with their coverage.

``ingest(store, specs, ...)`` reads each ``ecosystem:name`` from its registry
(``registries``) and writes, per package and in one transaction, the counts it
measured and the day ranges it answered for. A re-run over the same range replaces
that range (counts for recent days are revised by some registries), so running
twice never double counts; a package that fails is reported on one line and the
others go on. The project's own packages can be found from its manifests
(``packages_of``), so ``osslever ingest downloads PATH`` needs no names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from osslever.errors import UserError
from osslever.sources.downloads.registries import (
    ECOSYSTEMS,
    READERS,
    Counts,
    Samples,
    read_bigquery_export,
)
from osslever.sources.http import FetchError, JsonClient

__all__ = ["PackageSpec", "parse_spec", "packages_of", "ingest", "ingest_export", "IngestReport", "FetchError"]

_NAME = {
    "npm": re.compile(r"^(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*$", re.IGNORECASE),
    "pypi": re.compile(r"^[a-z0-9]([\w.-]*[a-z0-9])?$", re.IGNORECASE),
    "crates": re.compile(r"^[a-z0-9][\w-]*$", re.IGNORECASE),
    "docker": re.compile(r"^([a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*$", re.IGNORECASE),
    "homebrew": re.compile(r"^[a-z0-9][\w.+@-]*$", re.IGNORECASE),
}


@dataclass(frozen=True)
class PackageSpec:
    ecosystem: str
    name: str

    def __str__(self) -> str:
        return f"{self.ecosystem}:{self.name}"


def parse_spec(text: str) -> PackageSpec:
    """``npm:@scope/name`` → ``PackageSpec``; a bad spec is a one-line user error."""
    ecosystem, sep, name = text.partition(":")
    ecosystem = ecosystem.strip().lower()
    name = name.strip()
    if not sep or ecosystem not in ECOSYSTEMS:
        raise UserError("downloads.bad_spec", spec=text, allowed=", ".join(ECOSYSTEMS))
    if not _NAME[ecosystem].match(name):
        raise UserError("downloads.bad_name", spec=text, ecosystem=ecosystem)
    if ecosystem == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()  # PEP 503 normalised name
    return PackageSpec(ecosystem, name)


def packages_of(path: Path) -> list[PackageSpec]:
    """The project's own published packages, from its root manifests (name fields only)."""
    import json
    import tomllib

    found: list[PackageSpec] = []
    root = Path(path)
    package_json = root / "package.json"
    if package_json.is_file():
        try:
            data = json.loads(package_json.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict) and isinstance(data.get("name"), str) and not data.get("private"):
            found.append(PackageSpec("npm", data["name"]))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        name = (data.get("project") or {}).get("name") or ((data.get("tool") or {}).get("poetry") or {}).get("name")
        if isinstance(name, str):
            found.append(PackageSpec("pypi", re.sub(r"[-_.]+", "-", name).lower()))
    cargo = root / "Cargo.toml"
    if cargo.is_file():
        try:
            data = tomllib.loads(cargo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        package = data.get("package") or {}
        if isinstance(package.get("name"), str) and package.get("publish", True) is not False:
            found.append(PackageSpec("crates", package["name"]))
    valid = []
    for spec in found:
        if _NAME[spec.ecosystem].match(spec.name):
            valid.append(spec)
    return valid


@dataclass
class IngestReport:
    packages: int = 0
    days: int = 0
    samples: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (spec, reason)


# Packages written per transaction: a killed run loses at most this many, which a re-run reads
# again; one transaction per package cost ~30 ms each in DuckDB's commit (bench/downloads_ingest.py).
BATCH_PACKAGES = 100


def _write(store, results: list[tuple[PackageSpec, Counts | Samples]]) -> tuple[int, int]:
    """One transaction for a batch of packages: counts, coverage and readings, all or nothing."""
    import pyarrow as pa

    now = datetime.now(UTC).replace(tzinfo=None)
    columns: dict[str, list] = {"ecosystem": [], "package": [], "day": [], "downloads": [], "source": []}
    coverage: list[tuple] = []
    samples: list[tuple] = []
    replace: list[tuple] = []
    for spec, result in results:
        if isinstance(result, Samples):
            read_at = result.read_at.astimezone(UTC).replace(tzinfo=None)
            samples.extend((spec.ecosystem, spec.name, read_at, k, v, result.source) for k, v in result.values)
            continue
        for first, last in result.coverage:
            coverage.append((spec.ecosystem, spec.name, result.source, first, last, now))
            replace.append((spec.ecosystem, spec.name, result.source, first, last))
        days = sorted(result.days)
        columns["ecosystem"] += [spec.ecosystem] * len(days)
        columns["package"] += [spec.name] * len(days)
        columns["day"] += days
        columns["downloads"] += [result.days[d] for d in days]
        columns["source"] += [result.source] * len(days)
    with store.transaction() as con:
        if replace:
            # A re-read range replaces what was stored for it (registries revise recent days, and a
            # day measured before but absent now is a zero now). Only packages measured before
            # can have such rows: the others skip the delete.
            keys = pa.table(
                {
                    "ecosystem": [r[0] for r in replace],
                    "package": [r[1] for r in replace],
                    "source": [r[2] for r in replace],
                    "first_day": pa.array([r[3] for r in replace], pa.date32()),
                    "last_day": pa.array([r[4] for r in replace], pa.date32()),
                }
            )
            con.register("_downloads_ranges", keys)
            try:
                con.execute(
                    "DELETE FROM download_counts c USING _downloads_ranges r WHERE c.ecosystem = r.ecosystem"
                    " AND c.package = r.package AND c.source = r.source AND c.day BETWEEN r.first_day AND r.last_day"
                )
            finally:
                con.unregister("_downloads_ranges")
            con.executemany("INSERT INTO download_coverage VALUES (?, ?, ?, ?, ?, ?)", coverage)
        if columns["day"]:
            table = pa.table(
                {
                    "ecosystem": columns["ecosystem"],
                    "package": columns["package"],
                    "day": pa.array(columns["day"], pa.date32()),
                    "downloads": pa.array(columns["downloads"], pa.int64()),
                    "source": columns["source"],
                }
            )
            con.register("_downloads_batch", table)
            try:
                con.execute("INSERT INTO download_counts SELECT * FROM _downloads_batch")
            finally:
                con.unregister("_downloads_batch")
        if samples:
            con.executemany("INSERT OR REPLACE INTO download_samples VALUES (?, ?, ?, ?, ?, ?)", samples)
    return len(columns["day"]), len(samples)


def ingest(
    store,
    specs: Iterable[PackageSpec],
    first: date | None = None,
    last: date | None = None,
    urls: dict[str, str] | None = None,
    pypi_history: str | None = None,
    client: JsonClient | None = None,
    on_package: Callable[[PackageSpec], None] | None = None,
) -> IngestReport:
    """Read every package from its registry into the store (default range: the last 365 days).

    ``pypi_history="clickpy"`` reads PyPI from ClickPy (any range) instead of
    pypistats (180 days).
    """
    last = last or (datetime.now(UTC).date() - timedelta(days=1))
    first = first or (last - timedelta(days=364))
    if first > last:
        raise UserError("downloads.bad_range", first=first.isoformat(), last=last.isoformat())
    urls = urls or {}
    own = client is None
    client = client or JsonClient()
    report = IngestReport()
    pending: list[tuple[PackageSpec, Counts | Samples]] = []
    try:
        for spec in dict.fromkeys(specs):  # a package named twice is read once
            if on_package:
                on_package(spec)
            reader_name = "clickpy" if spec.ecosystem == "pypi" and pypi_history == "clickpy" else spec.ecosystem
            reader = READERS[reader_name](client, urls.get(reader_name))
            try:
                result = reader.read(spec.name, first, last)
            except FetchError as exc:
                report.failed.append((str(spec), exc.detail))
                continue
            except (KeyError, TypeError, ValueError) as exc:
                report.failed.append((str(spec), f"unexpected answer ({exc.__class__.__name__})"))
                continue
            report.packages += 1
            pending.append((spec, result))
            if len(pending) >= BATCH_PACKAGES:
                days, samples = _write(store, pending)
                report.days, report.samples = report.days + days, report.samples + samples
                pending.clear()
        if pending:
            days, samples = _write(store, pending)
            report.days, report.samples = report.days + days, report.samples + samples
    finally:
        if own:
            client.close()
    return report


def ingest_export(store, path: Path, package: str | None = None) -> IngestReport:
    """A BigQuery export of PyPI downloads (see ``registries.read_bigquery_export``)."""
    if not Path(path).is_file():
        raise UserError("downloads.no_file", path=str(path))
    try:
        by_project = read_bigquery_export(Path(path), package)
    except FetchError as exc:
        raise UserError("downloads.bad_file", path=str(path), detail=exc.detail) from exc
    if not by_project:
        raise UserError("downloads.empty_file", path=str(path))
    report = IngestReport()
    for project, counts in sorted(by_project.items()):
        report.packages += 1
        report.days += _write(store, [(PackageSpec("pypi", re.sub(r"[-_.]+", "-", project)), counts)])[0]
    return report
