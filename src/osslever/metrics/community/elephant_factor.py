"""Elephant factor — CHAOSS "Elephant Factor".

The smallest number of organizations whose commits add up to at least 50% of
the commits made by authors who have an organization, in the window.
"independent" (public mail providers) and "unknown" are not organizations and
are left out of this figure; bots are excluded.
https://chaoss.community/kb/metric-elephant-factor/
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.community.shares import smallest_majority
from osslever.metrics.windows import Window


def elephant_factor(engine: Engine, window: Window) -> int:
    rows = engine.query(
        "SELECT count(*) AS n FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ?"
        " AND organization NOT IN ('independent', 'unknown') GROUP BY organization",
        [window.start, window.end],
    )
    return smallest_majority(r["n"] for r in rows)
