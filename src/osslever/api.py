"""The library API: the same documents the CLI prints, as Python dictionaries.

    >>> from osslever.api import report_document
    >>> doc = report_document(".")            # doctest: +SKIP
    >>> doc["community"]["bus_factor_12m"]     # doctest: +SKIP

Each function returns the JSON document of its contract in ``shared/contracts``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from osslever.engines.duckdb import DuckDBEngine
from osslever.identity import affiliations as affiliation_file
from osslever.outputs.report import build_report
from osslever.progress import Progress
from osslever.sources.git.ingest import ingest
from osslever.sources.git.repository import open_repository
from osslever.store import Store, open_store


def report_document(
    location: str,
    ref: str = "HEAD",
    db: Path | str | None = None,
    lang: str = "en",
    affiliations: Path | None = None,
    quiet: bool = True,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
    store: Store | None = None,
) -> dict:
    """Ingest (incrementally) and measure a repository; the ``report`` JSON document."""
    entries = affiliation_file.load(affiliations) if affiliations else []
    repo = open_repository(location, quiet=quiet)
    own = store is None
    store = store or open_store(db)
    try:
        result = ingest(store, repo, ref, progress)
        return build_report(
            DuckDBEngine(store), repo, result, ref=ref, lang=lang, affiliations=entries,
            affiliation_file=str(affiliations) if affiliations else None, as_of=as_of,
        )
    finally:
        if own:
            store.close()


def finance_document(billing: Path | str, as_of: str | None = None, rates: Path | str | None = None,
                     skip_bad_rows: bool = False, source_format: str = "auto") -> dict:
    """Revenue metrics from billing data (the ``finance metrics`` JSON document)."""
    from osslever.models.finance import finance_document as build

    return build(billing, as_of=as_of, rates=rates, skip_bad_rows=skip_bad_rows, source_format=source_format)


def forecast_document(scenario: dict | Path | str, paths: int = 10000, seed: int | None = None,
                      evidence: dict | None = None) -> dict:
    """Monte Carlo revenue forecast per business model (the ``forecast`` JSON document)."""
    from osslever.models.finance import forecast_document as build

    return build(scenario, paths=paths, seed=seed, evidence=evidence)


def assess_document(profile: dict | Path | str, evidence: dict | None = None, rule_dirs: list[Path] | None = None,
                    lang: str = "en", scenario: dict | None = None) -> dict:
    """The strategy assessment (the ``assess`` JSON document) for a profile dict or file."""
    from osslever.models.strategy import assess_document as build
    from osslever.models.strategy import load_profile

    data = profile if isinstance(profile, dict) else load_profile(Path(profile))
    return build(data, evidence=evidence, rule_dirs=rule_dirs, lang=lang, scenario=scenario)


def license_document(path: Path | str, online: bool = False, ref: str | None = None,
                     registry_urls: dict | None = None, lang: str | None = None, facts: dict | None = None) -> dict:
    """The project's license, its history, dependencies, conflicts and business implications."""
    from osslever.models.license import license_document as build

    return build(path, online=online, ref=ref, registry_urls=registry_urls, lang=lang, facts=facts)


def detect_license(path: Path | str, ref: str | None = None) -> dict:
    """Only the project's own license: ``{"spdx", "confidence", "files", ...}``."""
    from osslever.models.license import detect_license as detect

    return detect(path, ref=ref)
