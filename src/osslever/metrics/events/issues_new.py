"""issues_new — Distinct issues opened or reopened in the period (CHAOSS Issues New).

Source: ``chaossIssuesNew`` in https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts.
Computed over the period: a quarter or a year is counted over its whole span, so
a distinct count there is not the sum of its months.
"""

from __future__ import annotations

from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import Scope, count_series

INFO = MetricInfo("issues_new", f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossIssuesNew)", OVER_PERIOD)


def series(scope: Scope) -> dict[str, int]:
    return count_series(scope, "type = 'IssuesEvent' AND action IN ('opened', 'reopened')", "COUNT(DISTINCT number)")
