"""participants — Distinct users who opened, closed or commented on issues or PRs, or commented on
reviews.

Source: ``repoParticipants`` in https://github.com/X-lab2017/open-digger/blob/master/src/metrics/metrics.ts.
Computed over the period: a quarter or a year is counted over its whole span, so
a distinct count there is not the sum of its months.
"""

from __future__ import annotations

from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import CONTRIBUTION_TYPES, Scope, count_series

INFO = MetricInfo("participants", f"{OPEN_DIGGER}/metrics/metrics.ts (repoParticipants)", OVER_PERIOD)


def series(scope: Scope) -> dict[str, int]:
    return count_series(scope, f"type IN ({CONTRIBUTION_TYPES})", "COUNT(DISTINCT actor_login)")
