"""Lines of code changed (CHAOSS "Code Changes: Lines"): numstat additions and deletions.

Counted on non-merge commits (a merge's lines were already counted on its
parents); binary files count 0 lines, as ``git log --numstat`` prints "-".
"""

from __future__ import annotations

from osslever.engines import Engine


def lines_monthly(engine: Engine) -> dict[str, tuple[int, int]]:
    rows = engine.query(
        "SELECT strftime(month, '%Y-%m') AS m, sum(lines_added) AS a, sum(lines_deleted) AS d"
        " FROM commit_facts WHERE NOT is_merge GROUP BY 1"
    )
    return {r["m"]: (int(r["a"] or 0), int(r["d"] or 0)) for r in rows}
