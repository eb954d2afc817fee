"""The library API: the same documents the CLI prints, as Python dictionaries.

    >>> from osslever.api import report_document
    >>> doc = report_document(".")            # doctest: +SKIP
    >>> doc["community"]["bus_factor_12m"]     # doctest: +SKIP

Each function returns the JSON document of its contract in ``shared/contracts``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from osslever.progress import Progress
from osslever.store import Store
from osslever.workspace import Workspace


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
    """Ingest (incrementally) and measure a repository; the ``report`` JSON document.

    Exactly ``osslever report LOCATION --format json``: ``Workspace.refresh_report``
    then ``Workspace.report``.
    """
    with Workspace(db, lang=lang, store=store) as ws:
        history = ws.refresh_report(location, ref=ref, quiet=quiet, progress=progress)
        return ws.report(history, affiliations=affiliations, as_of=as_of)


def metrics_document(
    repo: str,
    period: str,
    db: Path | str | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    parquet: Path | str | None = None,
    store: Store | None = None,
) -> dict:
    """The ``metrics`` document, exactly ``osslever metrics REPO --period P --format json``:
    on DuckDB, OpenRank up to the period is computed first (``Workspace.refresh_openrank``).

    The engine-level builder is ``osslever.metrics.events.metrics_document(engine, repo, period)``.
    """
    from osslever.metrics.events._query import check_repo
    from osslever.metrics.events.periods import parse_period

    check_repo(repo)
    period = parse_period(period).key  # the same validation, in the same order, as the command
    with Workspace(db, engine=engine, spark_master=spark_master, parquet=parquet, store=store) as ws:
        ws.refresh_openrank(period)
        return ws.metrics(repo, period)


# The other areas' documents, re-exported lazily so that ``report`` never imports
# Spark, SciPy or the license index it does not need.
_EXPORTS = {
    "license_document": "osslever.models.license",
    "detect_license": "osslever.models.license",
    "assess_document": "osslever.models.strategy",
    "load_profile": "osslever.models.strategy",
    "evidence_from_documents": "osslever.models.strategy",
    "finance_document": "osslever.models.finance",
    "forecast_document": "osslever.models.finance",
    "events_summary": "osslever.metrics.events",
    "rank_repos": "osslever.metrics.ranking",
    "identities_document": "osslever.identity.document",
}

__all__ = ["Workspace", "metrics_document", "report_document", *_EXPORTS]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'osslever.api' has no attribute {name!r}")
