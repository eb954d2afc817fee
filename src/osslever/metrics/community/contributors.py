"""Contributors (CHAOSS "Contributors", "New Contributors"), bots set apart.

* contributor: a non-bot identity with at least one commit in the history;
* active in a period: at least one commit authored in it;
* new in a period: its first commit in the whole history falls in it.
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.windows import Window


def contributors_total(engine: Engine) -> int:
    sql = "SELECT count(DISTINCT identity) AS n FROM commit_facts WHERE NOT is_bot"
    return engine.query(sql)[0]["n"]


def bots_total(engine: Engine) -> int:
    return engine.query("SELECT count(DISTINCT identity) AS n FROM commit_facts WHERE is_bot")[0]["n"]


def active_monthly(engine: Engine) -> dict[str, int]:
    rows = engine.query(
        "SELECT strftime(month, '%Y-%m') AS m, count(DISTINCT identity) AS n"
        " FROM commit_facts WHERE NOT is_bot GROUP BY 1"
    )
    return {r["m"]: r["n"] for r in rows}


def new_monthly(engine: Engine) -> dict[str, int]:
    rows = engine.query(
        "SELECT strftime(first_month, '%Y-%m') AS m, count(*) AS n FROM"
        " (SELECT identity, min(month) AS first_month FROM commit_facts WHERE NOT is_bot"
        "  GROUP BY identity) GROUP BY 1"
    )
    return {r["m"]: r["n"] for r in rows}


def active_in(engine: Engine, window: Window) -> int:
    return engine.query(
        "SELECT count(DISTINCT identity) AS n FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ?",
        [window.start, window.end],
    )[0]["n"]


def new_in(engine: Engine, window: Window) -> int:
    return engine.query(
        "SELECT count(*) AS n FROM (SELECT identity, min(day) AS first FROM commit_facts"
        " WHERE NOT is_bot GROUP BY identity) WHERE first >= ? AND first < ?",
        [window.start, window.end],
    )[0]["n"]


def top(engine: Engine, window: Window | None, limit: int = 10) -> list[dict]:
    """The contributors with most commits (in the window, or all time)."""
    where, params = ("AND day >= ? AND day < ?", [window.start, window.end]) if window else ("", [])
    return engine.query(
        "SELECT identity, any_value(name) AS name, any_value(organization) AS organization,"
        " count(*) AS commits, sum(lines_added) AS lines_added, sum(lines_deleted) AS lines_deleted,"
        " strftime(min(day), '%Y-%m-%d') AS first_commit, strftime(max(day), '%Y-%m-%d') AS last_commit"
        f" FROM commit_facts WHERE NOT is_bot {where}"
        " GROUP BY identity ORDER BY commits DESC, identity LIMIT ?",
        [*params, limit],
    )
