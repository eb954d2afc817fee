"""How a metric is described: its public source, its period rule, the fields it needs."""

from __future__ import annotations

from dataclasses import dataclass

OPEN_DIGGER = "https://github.com/X-lab2017/open-digger/blob/master/src"

SUM_OF_MONTHS = "sum_of_months"  # quarter/year = sum of the monthly values (as OpenDigger)
OVER_PERIOD = "over_period"  # computed over the whole period (distinct counts, medians...)
AT_PERIOD_END = "at_period_end"  # a state measured at the end of the period

# Rows that lack a field a metric needs (GH Archive trimmed payloads, 2025-10-07 on).
MERGED_UNKNOWN = (
    "type = 'PullRequestEvent' AND action = 'closed' AND pr_merged IS NULL",
    "pull_request.merged",
)
PR_AUTHOR_UNKNOWN = (
    "type = 'PullRequestEvent' AND issue_created_at IS NULL AND payload_trimmed",
    "pull_request.user / created_at",
)


@dataclass(frozen=True)
class MetricInfo:
    name: str
    source: str
    period_rule: str
    needs: tuple[str, str] | None = None  # (SQL condition of rows missing the field, field)
