"""attention — stars + 2 × forks, distinct users over the period (OpenDigger).

``getAttention`` in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/indices.ts:
distinct actors of WatchEvent plus twice the distinct actors of ForkEvent,
counted over the period (a quarter is not the sum of its months: one user
starring twice counts once).
"""

from __future__ import annotations

from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import Scope, count_series

INFO = MetricInfo("attention", f"{OPEN_DIGGER}/metrics/indices.ts (getAttention)", OVER_PERIOD)


def series(scope: Scope) -> dict[str, int]:
    return count_series(
        scope,
        "type IN ('WatchEvent', 'ForkEvent')",
        "COUNT(DISTINCT CASE WHEN type = 'WatchEvent' THEN actor_login END)"
        " + 2 * COUNT(DISTINCT CASE WHEN type = 'ForkEvent' THEN actor_login END)",
    )
