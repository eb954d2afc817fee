"""issue_response_time — days from opening an issue to its first response (CHAOSS).

CHAOSS "Issue Response Time" / OpenDigger ``chaossIssueResponseTime`` in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/chaoss.ts
(exported until 2026-01, PR #1765): for each issue (not PR) opened in the period,
the time from the ``opened`` event to the first comment or close by someone other
than the issue's author. Bots (logins ending in ``[bot]``) are left out entirely:
their issues and their replies. Reported as ``avg`` and ``quantile_0..4`` in days
(fractional, from timestamps) with the number of issues. Differences from
OpenDigger, both as CHAOSS defines the metric: a close by the author is not a
response, and issues without any response yet are left out instead of being
counted as 15 days. Computed over the period (by opening time).
"""

from __future__ import annotations

from typing import Any

from osslever.metrics.events._durations import days_between, duration_stats
from osslever.metrics.events._meta import OPEN_DIGGER, OVER_PERIOD, MetricInfo
from osslever.metrics.events._query import BOT_SQL, Scope

INFO = MetricInfo(
    "issue_response_time",
    f"{OPEN_DIGGER}/metrics/chaoss.ts (chaossIssueResponseTime)",
    OVER_PERIOD,
)


def series(scope: Scope) -> dict[str, Any]:
    cte = f"""
ev AS (
  SELECT number, type, action, created_at, actor_login
  FROM gh_events
  WHERE {scope.repo_sql} AND type IN ('IssuesEvent', 'IssueCommentEvent')
    AND COALESCE(is_pull_request, FALSE) = FALSE AND number IS NOT NULL
    AND actor_login IS NOT NULL AND NOT (actor_login {BOT_SQL})
),
o AS (
  SELECT number, MIN(created_at) AS opened_at, MIN(actor_login) AS author
  FROM ev WHERE type = 'IssuesEvent' AND action = 'opened'
  GROUP BY number
),
x AS (
  SELECT o.number AS number, o.opened_at AS opened_at, MIN(ev.created_at) AS responded_at
  FROM o JOIN ev ON ev.number = o.number AND ev.created_at >= o.opened_at
       AND ev.actor_login <> o.author
       AND ((ev.type = 'IssueCommentEvent' AND ev.action = 'created')
            OR (ev.type = 'IssuesEvent' AND ev.action = 'closed'))
  GROUP BY o.number, o.opened_at
)"""
    return duration_stats(scope, cte, "opened_at", days_between("opened_at", "responded_at"))
