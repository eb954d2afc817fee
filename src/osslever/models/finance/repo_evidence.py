"""Measured top of the funnel for ``forecast --repo``: stars from the stored GitHub events.

The repository's ``origin`` remote names it on GitHub (owner/name); the store's
``gh_events`` (GH Archive or the API, ingested by ``osslever events``) gives its
WatchEvents (a WatchEvent is a star). What the store holds is a lower bound of all
stars, so the figures are labelled as measured from the stored events only (counted
by the one ``stars`` metric, ``metrics/events/stars.py``):

* ``funnel.stars.initial`` — stars recorded in the store;
* ``funnel.stars.monthly_growth`` — stars of the last 3 stored months ÷ 3 ÷ the
  stars before them (the observed monthly growth rate).
"""

from __future__ import annotations

from pathlib import Path

from osslever.engines import Engine


def repo_slug(repo: Path) -> str | None:
    """owner/name of the repository's remote on GitHub, as ingest names it (lower-case)."""
    from osslever.sources.git.repository import open_repository

    slug = open_repository(str(repo)).slug
    return slug.lower() if slug else None


def funnel_evidence(repo: Path, engine: Engine) -> dict[str, float]:
    """Evidence paths → measured values; empty when nothing is measured.

    New stars per month are the ``stars`` event metric (distinct users who starred,
    ``osslever.metrics.events.stars``), so the forecast counts stars exactly as
    ``osslever metrics`` does.
    """
    from osslever.metrics.events import available_metrics

    slug = repo_slug(repo)
    if slug is None or not engine.query("SELECT 1 AS x FROM gh_events WHERE lower(repo_name) = ? LIMIT 1", [slug]):
        return {}
    monthly = available_metrics()["stars"](engine, slug, "month")
    return stars_evidence([int(monthly[key]) for key in sorted(monthly)])


def stars_evidence(monthly_new_stars: list[int]) -> dict[str, float]:
    total = sum(monthly_new_stars)
    if total == 0:
        return {}
    out = {"funnel.stars.initial": float(total)}
    before = sum(monthly_new_stars[:-3])
    if len(monthly_new_stars) > 3 and before > 0:
        out["funnel.stars.monthly_growth"] = round(sum(monthly_new_stars[-3:]) / 3 / before, 6)
    return out
