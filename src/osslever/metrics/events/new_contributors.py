"""new_contributors — authors whose first merged pull request falls in the period.

``chaossNewContributors`` (default ``by: 'change request'``) in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts:
per author of merged PRs (logins ending in ``[bot]`` excluded), the time of the
first merge event in the whole stored history of the repository; counted in the
period that time falls in (so quarters and years are sums of months). The answer
is only as good as the history in the store: load earlier months first.
"""

from __future__ import annotations

from osslever.metrics.events._meta import MERGED_UNKNOWN, OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import BOT_SQL, Scope, keyed

INFO = MetricInfo(
    "new_contributors",
    f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossNewContributors)",
    OVER_PERIOD,
    MERGED_UNKNOWN,
)


def series(scope: Scope) -> dict[str, int]:
    sql = f"""
WITH f AS (
  SELECT issue_author_login AS author, MIN(created_at) AS first_time
  FROM gh_events
  WHERE {scope.repo_sql} AND type = 'PullRequestEvent' AND action = 'closed' AND pr_merged
    AND issue_author_login IS NOT NULL AND NOT (issue_author_login {BOT_SQL})
  GROUP BY issue_author_login
)
SELECT {scope.trunc("first_time")} AS period, COUNT(*) AS value
FROM f WHERE {scope.window("first_time")}
GROUP BY 1"""
    return {k: int(v) for k, v in keyed(scope, scope.rows(sql)).items()}
