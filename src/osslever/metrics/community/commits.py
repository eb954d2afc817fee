"""Commits (CHAOSS "Code Changes: Commits"): commits in the history, merges included.

History is what ``git rev-list REF`` lists, so merges count as commits; bots'
commits count too (they are changes to the code), but bots are never contributors.
"""

from __future__ import annotations

from osslever.engines import Engine


def commits_total(engine: Engine) -> int:
    return engine.query("SELECT count(*) AS n FROM commit_facts")[0]["n"]


def commits_monthly(engine: Engine) -> dict[str, int]:
    rows = engine.query("SELECT strftime(month, '%Y-%m') AS m, count(*) AS n FROM commit_facts GROUP BY 1")
    return {r["m"]: r["n"] for r in rows}
