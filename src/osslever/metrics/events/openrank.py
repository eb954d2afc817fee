"""openrank — the repository's OpenRank, read from ``gh_openrank``.

OpenRank itself is computed by ``osslever rank`` (OpenDigger's global OpenRank,
src/cron/tasks/globalOpenrank.ts) into ``gh_openrank(period, node_type, node,
value)`` with monthly periods; this metric only reads it. A quarter or a year is
the sum of its months, as OpenDigger's ``getRepoOpenrank`` sums per period.
Absent table or no value for the period → null with a note (never 0).
"""

from __future__ import annotations

from datetime import date

from osslever.metrics.events._meta import OPEN_DIGGER, SUM_OF_MONTHS, MetricInfo
from osslever.metrics.events._query import Scope, check_repo
from osslever.metrics.events.periods import key_of, period_of

INFO = MetricInfo("openrank", f"{OPEN_DIGGER}/metrics/indices.ts (getRepoOpenrank)", SUM_OF_MONTHS)


def series(scope: Scope) -> dict[str, float]:
    """{period key: value}; raises when the table is absent (caller turns it into a note)."""
    rows = scope.rows(
        f"SELECT period, value FROM gh_openrank WHERE node_type = 'repo' AND lower(node) = '{check_repo(scope.repo)}'"
    )
    out: dict[str, float] = {}
    for row in rows:
        month = str(row["period"])[:7]
        try:
            year, mon = int(month[:4]), int(month[5:7])
        except ValueError:
            continue
        first = period_of("month", date(year, mon, 1)).start
        if scope.start is not None and first < scope.start:
            continue
        if scope.end is not None and first >= scope.end:
            continue
        key = key_of(scope.grain, first)
        out[key] = out.get(key, 0.0) + float(row["value"])
    return {k: round(v, 2) for k, v in out.items()}
