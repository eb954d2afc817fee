"""Contributor retention and drift (CHAOSS "Contributor Retention"/"Inactive Contributors"
family): of the contributors who first committed in a cohort, the share still
active N months later.

*Retained after N months*: at least one commit in a month that is N or more
months after the month of the first commit. Only cohorts whose first month is at
least N months before the last month of the history are counted (otherwise the
answer is not yet known). Drift = 1 − retention.
"""

from __future__ import annotations

from osslever.engines import Engine

HORIZONS = (1, 3, 6, 12)


def _lifetimes(engine: Engine) -> list[dict]:
    return engine.query(
        "WITH spans AS (SELECT identity, min(month) AS first, max(month) AS last"
        "  FROM commit_facts WHERE NOT is_bot GROUP BY identity),"
        " ends AS (SELECT max(month) AS end_month FROM commit_facts)"
        " SELECT strftime(first, '%Y') AS cohort, first, "
        " datediff('month', first, last) AS lived, datediff('month', first, end_month) AS observed"
        " FROM spans, ends"
    )


def retention(engine: Engine) -> dict[str, float | None]:
    """Share retained after each horizon, over all contributors observable that long."""
    lives = _lifetimes(engine)
    out: dict[str, float | None] = {}
    for n in HORIZONS:
        eligible = [r for r in lives if r["observed"] >= n]
        kept = sum(1 for r in eligible if r["lived"] >= n)
        out[f"{n}m"] = round(kept / len(eligible), 4) if eligible else None
    return out


def cohorts(engine: Engine) -> list[dict]:
    """Retention per yearly cohort (year of first commit), for the report's table."""
    table: dict[str, list[dict]] = {}
    for row in _lifetimes(engine):
        table.setdefault(row["cohort"], []).append(row)
    out = []
    for cohort in sorted(table):
        members = table[cohort]
        entry: dict = {"cohort": cohort, "contributors": len(members)}
        for n in HORIZONS:
            eligible = [r for r in members if r["observed"] >= n]
            kept = sum(1 for r in eligible if r["lived"] >= n)
            entry[f"{n}m"] = round(kept / len(eligible), 4) if eligible else None
        out.append(entry)
    return out
