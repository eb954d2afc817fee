"""inactive_contributors — past PR authors with no merged PR in the last 6 months.

``chaossInactiveContributors`` (defaults: ``by: 'change request'``,
``timeInterval: 6`` months, ``minCount: 0``) in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts:
at the end ``T`` of the period (the first instant of the next one), the authors
(logins ending in ``[bot]`` excluded) whose first merged PR is before ``T`` and
who have no merged PR in ``[T − 6 months, T)``. A state at the period's end, so
a quarter is not the sum of its months.
"""

from __future__ import annotations

from datetime import date

from osslever.metrics.events._meta import AT_PERIOD_END, MERGED_UNKNOWN, OPEN_DIGGER, MetricInfo
from osslever.metrics.events._query import BOT_SQL, Scope, as_moment, ts
from osslever.metrics.events.periods import add_months, periods_between

INFO = MetricInfo(
    "inactive_contributors",
    f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossInactiveContributors)",
    AT_PERIOD_END,
    MERGED_UNKNOWN,
)
MONTHS = 6


def _periods(scope: Scope) -> list:
    if scope.start is not None and scope.end is not None:
        return periods_between(scope.grain, scope.start, add_months(scope.end, -1))
    bounds = scope.rows(f"SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM gh_events WHERE {scope.repo_sql}")
    if not bounds or bounds[0]["lo"] is None:
        return []
    lo, hi = as_moment(bounds[0]["lo"]), as_moment(bounds[0]["hi"])
    return periods_between(scope.grain, lo, hi)


def series(scope: Scope) -> dict[str, int]:
    periods = _periods(scope)
    if not periods:
        return {}
    ends = " UNION ALL ".join(
        f"SELECT '{p.key}' AS period_key, {ts(p.end)} AS t, {ts(add_months(p.end, -MONTHS))} AS since" for p in periods
    )
    last_end: date = periods[-1].end
    sql = f"""
WITH m AS (
  SELECT issue_author_login AS author, created_at
  FROM gh_events
  WHERE {scope.repo_sql} AND type = 'PullRequestEvent' AND action = 'closed' AND pr_merged
    AND issue_author_login IS NOT NULL AND NOT (issue_author_login {BOT_SQL})
    AND created_at < {ts(last_end)}
),
e AS ({ends}),
a AS (
  SELECT e.period_key AS period_key, m.author AS author,
         SUM(CASE WHEN m.created_at >= e.since THEN 1 ELSE 0 END) AS recent
  FROM e JOIN m ON m.created_at < e.t
  GROUP BY e.period_key, m.author
)
SELECT period_key, SUM(CASE WHEN recent = 0 THEN 1 ELSE 0 END) AS value
FROM a GROUP BY period_key"""
    return {row["period_key"]: int(row["value"]) for row in scope.rows(sql)}
