"""Release frequency (CHAOSS "Release Frequency"), from git tags.

A release is a tag that points at a commit (annotated tags use the tagger's
date, lightweight ones the commit date). Reported: releases in the window, the
median days between consecutive releases over the whole history, the last one.
https://chaoss.community/kb/metric-release-frequency/
"""

from __future__ import annotations

import datetime as dt
from statistics import median

from osslever.engines import Engine
from osslever.metrics.windows import Window


def release_cadence(engine: Engine, history_id: int, window: Window) -> dict:
    rows = engine.query(
        "SELECT name, tagged_at FROM git_tags t WHERE history_id = ?"
        " AND sha IN (SELECT sha FROM commit_facts) ORDER BY tagged_at",
        [history_id],
    )
    days = [dt.datetime.fromtimestamp(r["tagged_at"], dt.UTC).date() for r in rows]
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    in_window = [d for d in days if window.start <= d < window.end]
    return {
        "releases_total": len(days),
        "releases_12m": len(in_window),
        "median_days_between_releases": median(gaps) if gaps else None,
        "last_release": rows[-1]["name"] if rows else None,
        "last_release_date": days[-1].isoformat() if days else None,
    }
