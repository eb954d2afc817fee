"""issue_comments — Comments created on issues and PR conversations in the period.

Source: ``repoIssueComments`` in https://github.com/X-lab2017/open-digger/blob/master/src/metrics/metrics.ts.
Computed over the period: a quarter or a year is counted over its whole span, so
a distinct count there is not the sum of its months.
"""

from __future__ import annotations

from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import Scope, count_series

INFO = MetricInfo("issue_comments", f"{OPEN_DIGGER}/metrics/metrics.ts (repoIssueComments)", OVER_PERIOD)


def series(scope: Scope) -> dict[str, int]:
    return count_series(scope, "type = 'IssueCommentEvent' AND action = 'created'", "COUNT(*)")
