"""Rank repositories by OpenRank or by activity over a month, quarter or year.

Both rankings read definitions that live elsewhere (``openrank`` here, activity in
``osslever.metrics.events``); this module only orders them, so a ranking can never
disagree with the per-repository metric of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from osslever.engines import Engine
from osslever.errors import UserError
from osslever.i18n import t
from osslever.metrics import openrank as orank
from osslever.store import Store

RANK_BY = ("openrank", "activity")
SCHEMA_VERSION = 1


def _openrank_values(store: Store, engine: Engine, period: str, refresh: bool) -> tuple[dict[str, float], list]:
    months = orank.months_of(period)
    computed = orank.ensure_openrank(store, until=months[-1], engine=engine) if refresh else []
    return orank.openrank_values(store, period, "repo"), computed


def _activity_values(store: Store, engine: Engine, period: str, refresh: bool) -> tuple[dict[str, float], list]:
    """Each active repository's ``activity`` metric (osslever.metrics.events), one by one.

    The metric is defined per repository; ranking asks it for every repository with
    contribution events in the period rather than restating its SQL here.
    """
    try:
        from osslever.metrics.events import available_metrics
        from osslever.metrics.events._query import CONTRIBUTION_TYPES, REPO_NAME, ts
        from osslever.metrics.events.periods import parse_period
    except ImportError as exc:
        raise UserError("openrank.no_activity_metric") from exc
    p = parse_period(period)
    activity = available_metrics()["activity"]
    rows = engine.query(
        f"SELECT DISTINCT repo_name FROM gh_events WHERE type IN ({CONTRIBUTION_TYPES}) "
        f"AND created_at >= {ts(p.start)} AND created_at < {ts(p.end)} "
        "AND repo_name IS NOT NULL"
    )
    values: dict[str, float] = {}
    for row in rows:
        name = str(row["repo_name"])
        if not REPO_NAME.match(name):
            continue
        value = activity(engine, name, p.grain, p.start, p.end).get(p.key)
        if value:
            values[name] = float(value)
    return values, []


_SOURCES: dict[str, Callable[[Store, Engine, str, bool], tuple[dict[str, float], list]]] = {
    "openrank": _openrank_values,
    "activity": _activity_values,
}


def rank_repos(
    store: Store,
    by: str = "openrank",
    period: str | None = None,
    top: int = 50,
    engine: Engine | None = None,
    refresh: bool = True,
) -> dict[str, Any]:
    """The ``rank`` document: the top repositories by ``by`` in ``period``.

    ``period`` is ``YYYY-MM``, ``YYYYQn`` or ``YYYY`` (default: the last month with
    events). OpenRank months not computed yet (or stale) are computed first, unless
    ``refresh`` is False (``Workspace.rank``: readers never write; stored values only).
    """
    if by not in RANK_BY:
        raise UserError("openrank.bad_rank_by", by=by, allowed=", ".join(RANK_BY))
    from osslever.engines import get_engine

    eng = engine or get_engine("duckdb", store)
    counts = eng.query(orank.event_count_sql())
    if not counts:
        raise UserError("openrank.no_events", db=str(store.path))
    chosen = period or str(counts[-1]["period"])
    months = orank.months_of(chosen)
    values, computed = _SOURCES[by](store, eng, chosen, refresh)
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    items = [
        {"rank": i, "repo": name, "value": round(value, 6)}
        for i, (name, value) in enumerate(ordered[: max(top, 0)], start=1)
    ]
    notes = []
    if not items:
        params = {"by": by, "period": chosen, "first": str(counts[0]["period"]), "last": str(counts[-1]["period"])}
        notes.append({"key": "openrank.nothing_in_period", "text": t("openrank.nothing_in_period", **params), **params})
    return {
        "schema_version": SCHEMA_VERSION,
        "by": by,
        "period": chosen,
        "months": months,
        "engine": getattr(eng, "name", "duckdb"),
        "repositories": len(values),
        "items": items,
        "computed": computed,
        "notes": notes,
    }
