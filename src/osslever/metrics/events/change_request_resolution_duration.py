"""change_request_resolution_duration — days from opening a PR to closing it (CHAOSS).

``chaossChangeRequestResolutionDuration`` (default ``by: 'open'``) in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts:
for each pull request opened in the period whose last open/close/reopen event is
a close, the time from its creation (``pull_request.created_at``) to its last
close, merged or not. PRs authored by bots (logins ending in ``[bot]``) are
left out. Reported as ``avg`` and ``quantile_0..4`` in days (fractional, from
timestamps; OpenDigger uses whole days) with the number of PRs. Trimmed payloads
(2025-10 on) carry no creation time: such periods are reported as unsupported.
"""

from __future__ import annotations

from typing import Any

from osslever.metrics.events._durations import days_between, duration_stats
from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, PR_AUTHOR_UNKNOWN, MetricInfo
from osslever.metrics.events._query import BOT_SQL, Scope

INFO = MetricInfo(
    "change_request_resolution_duration",
    f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossChangeRequestResolutionDuration)",
    OVER_PERIOD,
    PR_AUTHOR_UNKNOWN,
)


def series(scope: Scope) -> dict[str, Any]:
    cte = f"""
p AS (
  SELECT number,
         MIN(COALESCE(issue_created_at,
                      CASE WHEN action = 'opened' THEN created_at END)) AS opened_at,
         MAX(CASE WHEN action = 'closed' THEN created_at END) AS closed_at,
         MAX(CASE WHEN action IN ('opened', 'reopened') THEN created_at END) AS last_open,
         MAX(issue_author_login) AS author
  FROM gh_events
  WHERE {scope.repo_sql} AND type = 'PullRequestEvent' AND number IS NOT NULL
  GROUP BY number
),
x AS (
  SELECT number, opened_at, closed_at FROM p
  WHERE closed_at IS NOT NULL AND opened_at IS NOT NULL
    AND (last_open IS NULL OR closed_at >= last_open)
    AND (author IS NULL OR NOT (author {BOT_SQL}))
)"""
    return duration_stats(scope, cte, "opened_at", days_between("opened_at", "closed_at"))
