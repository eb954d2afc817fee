"""Organizational diversity (CHAOSS "Organizational Diversity"): each organization's
share of the window's commits by non-bot authors, "independent" and "unknown" included.
https://chaoss.community/kb/metric-organizational-diversity/
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.windows import Window


def organization_shares(engine: Engine, window: Window) -> list[dict]:
    rows = engine.query(
        "SELECT organization AS name, count(*) AS commits, count(DISTINCT identity) AS contributors"
        " FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ?"
        " GROUP BY organization ORDER BY commits DESC, name",
        [window.start, window.end],
    )
    total = sum(r["commits"] for r in rows)
    return [
        {
            "name": r["name"],
            "share": round(r["commits"] / total, 4),
            "commits": r["commits"],
            "contributors": r["contributors"],
        }
        for r in rows
    ]
