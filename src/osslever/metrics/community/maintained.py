"""Is the project maintained? Activity in each of the last 12 weeks and months.

In the spirit of OpenSSF Scorecard's "Maintained" check (activity in the last
90 days) and CHAOSS "Activity Dates and Times": count the weeks and calendar
months, up to ``as_of``, that have at least one commit by a non-bot author.
Maintained = commits in at least ``MIN_MONTHS`` of the last 12 months and at
least one commit in the last 13 weeks (90 days). A project whose first commit is
less than ``YOUNG_DAYS`` old cannot be judged that way: it is "young" and
``is_maintained`` is None (Scorecard likewise gives no score to repositories
created in the last 90 days).
https://github.com/ossf/scorecard/blob/main/docs/checks.md#maintained
"""

from __future__ import annotations

import datetime as dt

from osslever.engines import Engine
from osslever.metrics.windows import Window

MIN_MONTHS = 6
YOUNG_DAYS = 90


def maintained(engine: Engine, as_of: dt.date) -> dict:
    months = Window.months_ending(as_of, 12)
    weeks_start = as_of - dt.timedelta(weeks=12) + dt.timedelta(days=1)
    row = engine.query(
        "SELECT count(DISTINCT month) FILTER (WHERE day >= ? AND day <= ?) AS months,"
        " count(DISTINCT floor(datediff('day', ?, day) / 7)) FILTER (WHERE day >= ? AND day <= ?) AS weeks,"
        " count(*) FILTER (WHERE day > ? AND day <= ?) AS last_90_days, min(day) AS first"
        " FROM commit_facts WHERE NOT is_bot",
        [months.start, as_of, weeks_start, weeks_start, as_of, as_of - dt.timedelta(days=90), as_of],
    )[0]
    age = (as_of - row["first"]).days if row["first"] else None
    young = age is not None and age < YOUNG_DAYS
    maintained_now = row["months"] >= MIN_MONTHS and row["last_90_days"] > 0
    return {
        "as_of": as_of.isoformat(),
        "age_days": age,
        "status": "young" if young else "maintained" if maintained_now else "unmaintained",
        "months_with_commits_12": row["months"],
        "weeks_with_commits_12": row["weeks"],
        "commits_last_90_days": row["last_90_days"],
        "is_maintained": None if young else maintained_now,
    }
