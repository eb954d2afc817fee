"""The library API: the same documents the CLI prints, as Python dictionaries.

    >>> from osslever.api import report_document
    >>> doc = report_document(".")            # doctest: +SKIP
    >>> doc["community"]["bus_factor_12m"]     # doctest: +SKIP

Each function returns the JSON document of its contract in ``shared/contracts``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from osslever.engines import get_engine
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
            get_engine("duckdb", store),
            repo,
            result,
            ref=ref,
            lang=lang,
            affiliations=entries,
            affiliation_file=str(affiliations) if affiliations else None,
            as_of=as_of,
        )
    finally:
        if own:
            store.close()


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
    "metrics_document": "osslever.metrics.events",
    "events_summary": "osslever.metrics.events",
    "rank_repos": "osslever.metrics.ranking",
}

__all__ = ["report_document", *_EXPORTS]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'osslever.api' has no attribute {name!r}")
