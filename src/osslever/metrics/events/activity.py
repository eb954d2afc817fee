"""activity — OpenDigger's developer activity index, summed over developers.

Per developer, per repository, per month (OpenDigger ``basicActivitySqlComponent`` in
https://github.com/X-lab2017/open-digger/blob/master/src/metrics/indices.ts,
weights since PR #1443):

    sqrt(0.5252·issue comments + 2.2235·opened issues + 4.0679·opened PRs
         + 0.7427·PR review comments + 2.0339·merged PRs)

Each term counts distinct ids (comment ids, issue/PR numbers). A merged PR is
credited to the PR's author, not to whoever merged it. Repository activity is the
sum over developers; a quarter or a year is the sum of its months, because the
square root is taken per month. Bots are not excluded (OpenDigger does not
exclude them here either). Developers are identified by login.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from osslever.metrics.events._meta import MERGED_UNKNOWN, OPEN_DIGGER, SUM_OF_MONTHS, MetricInfo
from osslever.metrics.events._query import CONTRIBUTION_TYPES, Scope, keyed

INFO = MetricInfo("activity", f"{OPEN_DIGGER}/metrics/indices.ts (getRepoActivity)", SUM_OF_MONTHS, MERGED_UNKNOWN)


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The weights from data/events/activity_weights.yaml (each with its source)."""
    text = (resources.files("osslever") / "data" / "events" / "activity_weights.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {name: float(entry["weight"]) for name, entry in data["weights"].items()}


def developer_counts_sql(scope: Scope, period_column: str) -> str:
    """Per (period, developer): the five counts the index is made of."""
    return f"""
SELECT {period_column} AS period,
       CASE WHEN type = 'PullRequestEvent' AND action = 'closed' AND pr_merged
            THEN issue_author_login ELSE actor_login END AS developer,
       COUNT(DISTINCT CASE WHEN type = 'IssueCommentEvent' AND action = 'created'
                           THEN comment_id END) AS issue_comment,
       COUNT(DISTINCT CASE WHEN type = 'IssuesEvent' AND action = 'opened'
                           THEN number END) AS open_issue,
       COUNT(DISTINCT CASE WHEN type = 'PullRequestEvent' AND action = 'opened'
                           THEN number END) AS open_pull,
       COUNT(DISTINCT CASE WHEN type = 'PullRequestReviewCommentEvent'
                                AND action IN ('created', 'added')
                           THEN comment_id END) AS review_comment,
       COUNT(DISTINCT CASE WHEN type = 'PullRequestEvent' AND action = 'closed' AND pr_merged
                           THEN number END) AS merged_pull
FROM gh_events
WHERE {scope.where()} AND type IN ({CONTRIBUTION_TYPES})
GROUP BY 1, 2"""


def index_sql() -> str:
    w = weights()
    return (
        f"SQRT({w['issue_comment']} * issue_comment + {w['open_issue']} * open_issue"
        f" + {w['open_pull']} * open_pull + {w['review_comment']} * review_comment"
        f" + {w['merged_pull']} * merged_pull)"
    )


def series(scope: Scope) -> dict[str, float]:
    sql = f"""
WITH d AS ({developer_counts_sql(scope, "DATE_TRUNC('month', created_at)")})
SELECT DATE_TRUNC('{scope.grain}', period) AS period, SUM({index_sql()}) AS value
FROM d WHERE developer IS NOT NULL
GROUP BY 1"""
    return {k: round(float(v), 2) for k, v in keyed(scope, scope.rows(sql)).items()}
