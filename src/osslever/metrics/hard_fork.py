"""Hard-fork risk: another repository that the project's own core contributors moved to,
and whose activity now rivals the project's.

Method (events in the store): the *core contributors* of the repository are the
people with at least ``core_min_events`` contribution events (pushes, issues, pull
requests, reviews, comments) in it during the twelve months before the recent
window (the last ``recent_months`` months of data). A *candidate* is any other
repository of another owner in which at least ``min_shared`` of them (and
``min_shared_share`` of the core) contributed during the recent window. For each
candidate the output gives the shared people, and both repositories' active
contributors in the recent window; a candidate whose count reaches ``rivals_ratio``
of the project's is a hard-fork risk ("rivals"), one that passes it "overtakes".

Why contributors and not fork counts: a community fork is usually a new
repository, not a GitHub fork (Valkey, OpenTofu), and ordinary GitHub forks are
one person's copy — many forks mean nothing on their own, which is why the
personal forks of a project never raise this signal. Same-owner repositories
(a project's own satellites) are not candidates. Settings: data/events/signals.yaml.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from osslever.engines import Engine
from osslever.metrics.events._query import BOT_SQL, check_repo, ts
from osslever.metrics.star_quality import settings
from osslever.metrics.windows import add_months, month_start

CONTRIBUTIONS = (
    "'PushEvent', 'IssuesEvent', 'IssueCommentEvent', 'PullRequestEvent', "
    "'PullRequestReviewEvent', 'PullRequestReviewCommentEvent'"
)


def _active(repo_sql: str, start: date, end: date) -> str:
    return (
        "SELECT actor_login, lower(repo_name) AS repo, COUNT(*) AS events FROM gh_events"
        f" WHERE type IN ({CONTRIBUTIONS}) AND {repo_sql} AND actor_login IS NOT NULL"
        f" AND NOT (actor_login {BOT_SQL}) AND created_at >= {ts(start)} AND created_at < {ts(end)}"
        " GROUP BY actor_login, lower(repo_name)"
    )


def hard_fork_risk(engine: Engine, repo: str, as_of: date | None = None) -> dict[str, Any] | None:
    """``{"repo", "window", "core_contributors", "candidates": [...], "risk"}`` or None without events."""
    key = check_repo(repo)
    conf = settings()["hard_fork"]
    if as_of is None:
        rows = engine.query("SELECT MAX(created_at) AS hi FROM gh_events")
        if not rows or rows[0]["hi"] is None:
            return None
        as_of = rows[0]["hi"].date()
    end = add_months(month_start(as_of), 1)
    recent = add_months(end, -int(conf["recent_months"]))
    before = add_months(recent, -12)
    owner = key.split("/")[0]
    this = f"lower(repo_name) = '{key}'"
    core_sql = (
        f"SELECT actor_login FROM ({_active(this, before, recent)}) c WHERE events >= {int(conf['core_min_events'])}"
    )
    core = [r["actor_login"] for r in engine.query(core_sql)]
    window = _window(before, recent, end)
    if not core:
        return {
            "repo": repo,
            "window": window,
            "core_contributors": 0,
            "active_contributors": None,
            "forks": None,
            "candidates": [],
            "risk": None,
            "source": " ".join(conf["source"].split()),
        }
    active_here = _count_active(engine, this, recent, end)
    everywhere = _active("repo_name IS NOT NULL", recent, end)
    shared_rows = engine.query(
        "SELECT a.repo AS repo, COUNT(DISTINCT a.actor_login) AS shared"
        f" FROM ({everywhere}) a JOIN ({core_sql}) c ON a.actor_login = c.actor_login"
        f" WHERE a.repo <> '{key}' AND SUBSTRING(a.repo, 1, {len(owner) + 1}) <> '{owner}/'"
        " GROUP BY a.repo ORDER BY shared DESC, repo"
    )
    need = max(int(conf["min_shared"]), conf["min_shared_share"] * len(core))
    candidates = []
    for row in shared_rows:
        if row["shared"] < need:
            continue
        other = row["repo"]
        active_there = _count_active(engine, f"lower(repo_name) = '{check_repo(other)}'", recent, end)
        ratio = active_there / active_here if active_here else None
        level = None
        if ratio is None or ratio >= 1.0:
            level = "overtakes"
        elif ratio >= conf["rivals_ratio"]:
            level = "rivals"
        candidates.append(
            {
                "repo": other,
                "shared_core_contributors": int(row["shared"]),
                "active_contributors": active_there,
                "ratio_to_parent": round(ratio, 3) if ratio is not None else None,
                "level": level,
            }
        )
    risky = [c for c in candidates if c["level"]]
    forks = engine.query(
        "SELECT COUNT(DISTINCT actor_login) AS total,"
        f" COUNT(DISTINCT CASE WHEN created_at >= {ts(recent)} THEN actor_login END) AS recent"
        f" FROM gh_events WHERE type = 'ForkEvent' AND {this} AND created_at < {ts(end)}"
    )[0]
    return {
        "repo": repo,
        "window": window,
        "core_contributors": len(core),
        "active_contributors": active_here,
        "forks": {"total": int(forks["total"] or 0), "recent": int(forks["recent"] or 0)},
        "candidates": candidates,
        "risk": max(risky, key=lambda c: c["active_contributors"]) if risky else None,
        "source": " ".join(conf["source"].split()),
    }


def _count_active(engine: Engine, repo_sql: str, start: date, end: date) -> int:
    rows = engine.query(f"SELECT COUNT(DISTINCT actor_login) AS n FROM ({_active(repo_sql, start, end)}) a")
    return int(rows[0]["n"])


def _window(before: date, recent: date, end: date) -> dict[str, str]:
    return {"core_from": before.isoformat(), "recent_from": recent.isoformat(), "until": end.isoformat()}
