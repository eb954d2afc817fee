"""change_requests_accepted — distinct pull requests merged in the period.

CHAOSS Change Requests Accepted.

Source: ``chaossChangeRequestsAccepted`` in https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts.
Computed over the period: a quarter or a year is counted over its whole span, so
a distinct count there is not the sum of its months.
"""

from __future__ import annotations

from osslever.metrics.events._meta import MERGED_UNKNOWN, OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import Scope, count_series

INFO = MetricInfo(
    "change_requests_accepted",
    f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossChangeRequestsAccepted)",
    OVER_PERIOD,
    MERGED_UNKNOWN,
)


def series(scope: Scope) -> dict[str, int]:
    return count_series(
        scope,
        "type = 'PullRequestEvent' AND action = 'closed' AND pr_merged",
        "COUNT(DISTINCT number)",
    )
