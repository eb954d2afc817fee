"""What every event metric shares: the scope of a query and how rows become a series.

Metric SQL is written once in DuckDB's dialect over the ``gh_events`` table and
must translate to Spark SQL with sqlglot: plain aggregates, CASE, DATE_TRUNC,
window functions; no DuckDB-only functions or Python UDFs. Repository names are
validated against a strict pattern and inlined as literals (one literal works on
every engine, where positional parameters would differ between them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from osslever.engines import Engine
from osslever.errors import UserError
from osslever.metrics.events.periods import key_of

REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# Repositories of other forges carry the forge's name (sources/forges): gitee:owner/name,
# atomgit:owner/name, gitlab:group/sub/project (GitLab groups nest).
FORGE_REPO_NAME = re.compile(
    r"^(?:gitee:|atomgit:)[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$|^gitlab:[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$"
)

# OpenDigger marks GitHub Apps by the login suffix "[bot]" (src/metrics/chaoss.ts).
BOT_SQL = "LIKE '%[bot]'"

# The activity weights live in data/events/activity_weights.yaml; see activity.py.
CONTRIBUTION_TYPES = "'IssuesEvent', 'IssueCommentEvent', 'PullRequestEvent', 'PullRequestReviewCommentEvent'"


def check_repo(repo: str) -> str:
    """``owner/name`` lower-cased, or a user error (also keeps SQL literals safe)."""
    if not (REPO_NAME.match(repo or "") or FORGE_REPO_NAME.match(repo or "")):
        raise UserError("events.bad_repo", repo=repo)
    return repo.lower()


def ts(moment: date | datetime) -> str:
    """A timestamp literal both engines read the same way."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S") if isinstance(moment, datetime) else f"{moment.isoformat()} 00:00:00"
    return f"CAST('{text}' AS TIMESTAMP)"


@dataclass(frozen=True)
class Scope:
    """One repository, one grain, an optional [start, end) window of event time."""

    engine: Engine
    repo: str
    grain: str = "month"
    start: date | None = None
    end: date | None = None

    @property
    def repo_sql(self) -> str:
        return f"lower(repo_name) = '{check_repo(self.repo)}'"

    def window(self, column: str = "created_at") -> str:
        parts = []
        if self.start is not None:
            parts.append(f"{column} >= {ts(self.start)}")
        if self.end is not None:
            parts.append(f"{column} < {ts(self.end)}")
        return " AND ".join(parts) if parts else "TRUE"

    def where(self, column: str = "created_at") -> str:
        return f"{self.repo_sql} AND {self.window(column)}"

    def trunc(self, column: str) -> str:
        return f"DATE_TRUNC('{self.grain}', {column})"

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return self.engine.query(sql)


def as_moment(value: Any) -> date:
    if isinstance(value, datetime | date):
        return value
    return datetime.fromisoformat(str(value))


def keyed(scope: Scope, rows: list[dict[str, Any]], column: str = "value") -> dict[str, Any]:
    """Rows with a ``period`` column → {period key: value}."""
    out: dict[str, Any] = {}
    for row in rows:
        if row.get("period") is None:
            continue
        out[key_of(scope.grain, as_moment(row["period"]))] = row[column]
    return out


def count_series(scope: Scope, condition: str, counted: str) -> dict[str, int]:
    """The shape of most OpenDigger counts: ``counted`` over rows matching ``condition``."""
    sql = (
        f"SELECT {scope.trunc('created_at')} AS period, {counted} AS value "
        f"FROM gh_events WHERE {scope.where()} AND {condition} GROUP BY 1"
    )
    return {k: int(v) for k, v in keyed(scope, scope.rows(sql)).items()}
