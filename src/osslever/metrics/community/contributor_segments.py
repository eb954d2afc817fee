"""Core, regular and casual contributors (the 80/15/5 split used by CHAOSS
"Types of Contributions" discussions and Augur's contributor breakdown).

Sorted by commits in the window (ties by identity), a contributor is *core*
while the commits of those before it are below 80% of the total, *regular*
while below 95%, and *casual* after that. So core = the fewest people who
make 80% of the commits, regular the next 15%, casual the last 5%.
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.windows import Window

CORE, REGULAR = 0.80, 0.95


def contributor_segments(engine: Engine, window: Window) -> dict[str, int]:
    rows = engine.query(
        "SELECT identity, count(*) AS n FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ?"
        " GROUP BY identity ORDER BY n DESC, identity",
        [window.start, window.end],
    )
    total = sum(r["n"] for r in rows)
    out = {"core": 0, "regular": 0, "casual": 0}
    before = 0
    for r in rows:
        share_before = before / total
        segment = "core" if share_before < CORE else "regular" if share_before < REGULAR else "casual"
        out[segment] += 1
        before += r["n"]
    return out
