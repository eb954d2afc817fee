"""Measured top of the funnel for ``forecast --repo``: stars from the stored GitHub events.

The repository's ``origin`` remote names it on GitHub (owner/name); the store's
``gh_events`` (GH Archive or the API, ingested by ``osslever events``) gives its
WatchEvents (a WatchEvent is a star). What the store holds is a lower bound of all
stars, so the figures are labelled as measured from the stored events only:

* ``funnel.stars.initial`` — stars recorded in the store;
* ``funnel.stars.monthly_growth`` — stars of the last 3 stored months ÷ 3 ÷ the
  stars before them (the observed monthly growth rate).
"""

from __future__ import annotations

import re
from pathlib import Path

_SLUG = re.compile(r"github\.com[:/]+([^/]+)/([^/]+?)(?:\.git)?/?$")


def repo_slug(repo: Path) -> str | None:
    from osslever.errors import UserError
    from osslever.sources.git import command

    try:
        proc = command.run(None, ["-C", str(repo), "remote", "get-url", "origin"], check=False)
        url = proc.stdout.decode("utf-8", "replace").strip()
    except (OSError, UserError):
        return None
    match = _SLUG.search(url)
    return f"{match.group(1)}/{match.group(2)}".lower() if match else None


def funnel_evidence(repo: Path, db: Path | None = None) -> dict[str, float]:
    """Evidence paths → measured values; empty when nothing is measured."""
    from osslever.paths import default_db

    slug = repo_slug(repo)
    path = Path(db) if db else default_db()
    if slug is None or not path.exists():
        return {}
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute(
            "SELECT date_trunc('month', created_at) AS m, count(*) FROM gh_events "
            "WHERE type = 'WatchEvent' AND lower(repo_name) = ? GROUP BY m ORDER BY m",
            [slug],
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return stars_evidence([int(n) for _, n in rows])


def stars_evidence(monthly_new_stars: list[int]) -> dict[str, float]:
    total = sum(monthly_new_stars)
    if total == 0:
        return {}
    out = {"funnel.stars.initial": float(total)}
    before = sum(monthly_new_stars[:-3])
    if len(monthly_new_stars) > 3 and before > 0:
        out["funnel.stars.monthly_growth"] = round(sum(monthly_new_stars[-3:]) / 3 / before, 6)
    return out
