"""bus_factor — OpenDigger's bus factor, computed from the activity index.

``chaossBusFactor`` (default ``by: 'activity'``) in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts:
for each developer (logins ending in ``[bot]`` excluded) take
``ceil(activity)`` over the period as their contribution ``c``; ``m`` is the
weighted median of the contributions, each weighted by itself — ClickHouse's
``quantileExactWeighted(0.5)(c, c)``: sort by ``c``, the first value whose
cumulative weight reaches ``ceil(total / 2)``. The bus factor is the number of
developers with ``c >= m``. Unlike CHAOSS's "fewest people making 50%", this
counts everybody at or above the weighted median. Computed over the period
(activity over the whole quarter/year, not a sum of months).
"""

from __future__ import annotations

from osslever.metrics.events._meta import MERGED_UNKNOWN, OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import BOT_SQL, Scope, keyed
from osslever.metrics.events.activity import developer_counts_sql, index_sql

INFO = MetricInfo("bus_factor", f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossBusFactor)", OVER_PERIOD, MERGED_UNKNOWN)


def series(scope: Scope) -> dict[str, int]:
    sql = f"""
WITH d AS ({developer_counts_sql(scope, scope.trunc("created_at"))}),
c AS (
  SELECT period, developer, CEIL({index_sql()}) AS c
  FROM d WHERE developer IS NOT NULL AND NOT (developer {BOT_SQL})
),
w AS (
  SELECT period, c,
         SUM(c) OVER (PARTITION BY period ORDER BY c
                      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
         SUM(c) OVER (PARTITION BY period) AS total
  FROM c WHERE c > 0
),
m AS (SELECT period, MIN(c) AS median FROM w WHERE cum >= CEIL(total * 0.5) GROUP BY period)
SELECT c.period AS period, COUNT(*) AS value
FROM c JOIN m ON c.period = m.period
WHERE c.c >= m.median
GROUP BY c.period"""
    return {k: int(v) for k, v in keyed(scope, scope.rows(sql)).items()}
