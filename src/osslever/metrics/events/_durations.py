"""Average and quantiles of durations in days, as OpenDigger exports them.

OpenDigger's time metrics export ``avg`` and ``quantile_0`` … ``quantile_4``
(levels 0, .25, .5, .75, 1; ``timeDurationConstants`` in src/metrics/basic.ts).
Quantiles interpolate linearly between order statistics (``QUANTILE_CONT``).
"""

from __future__ import annotations

from typing import Any

from osslever.metrics.events._query import Scope, keyed

LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)


def duration_stats(scope: Scope, cte: str, start_col: str, days_expr: str) -> dict[str, Any]:
    """``cte`` defines table ``x`` with ``start_col`` and the columns ``days_expr`` reads."""
    quantiles = ", ".join(f"QUANTILE_CONT(days, {level}) AS quantile_{i}" for i, level in enumerate(LEVELS))
    sql = f"""
WITH {cte},
y AS (SELECT {scope.trunc(start_col)} AS period, {days_expr} AS days
      FROM x WHERE {scope.window(start_col)})
SELECT period, AVG(days) AS avg, {quantiles}, COUNT(*) AS n
FROM y GROUP BY period"""
    rows = scope.rows(sql)
    out: dict[str, Any] = {}
    for key, row in keyed(scope, [{"period": r["period"], "value": r} for r in rows]).items():
        stats = {"avg": round(float(row["avg"]), 2)}
        for i in range(len(LEVELS)):
            stats[f"quantile_{i}"] = round(float(row[f"quantile_{i}"]), 2)
        stats["count"] = int(row["n"])
        out[key] = stats
    return out


def days_between(start: str, end: str) -> str:
    return f"(EPOCH({end}) - EPOCH({start})) / 86400.0"
