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


UNAFFILIATED = ("independent", "unknown")


def top_organization(shares: list[dict]) -> tuple[str | None, float | None]:
    """The largest organization and its share of the *affiliated* commits of the window
    (those of authors with an organization: "independent"/"unknown" left out).

    The one definition of ``organization_top_share``: the report, its readings
    ("single vendor" at >= 50%) and the dashboard's comparison all read this number
    from the report document; the organizations table shows each one's share of
    *all* commits instead (``organization_shares``), and says so in its heading.
    """
    affiliated = [s for s in shares if s["name"] not in UNAFFILIATED]
    total = sum(s["commits"] for s in affiliated)
    return (affiliated[0]["name"], round(affiliated[0]["commits"] / total, 4)) if affiliated else (None, None)
