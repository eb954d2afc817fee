"""Bus factor — CHAOSS "Contributor Absence Factor".

The smallest number of contributors whose commits add up to at least 50% of
all commits in the window (bots excluded).
https://chaoss.community/kb/metric-contributor-absence-factor/
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.community.shares import smallest_majority
from osslever.metrics.windows import Window


def bus_factor(engine: Engine, window: Window) -> int:
    rows = engine.query(
        "SELECT count(*) AS n FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ? GROUP BY identity",
        [window.start, window.end],
    )
    return smallest_majority(r["n"] for r in rows)
