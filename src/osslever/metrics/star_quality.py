"""Star quality: how many of a repository's stars look like real users, as far as the data shows.

Two signals from the events in the store (GH Archive or the API), each with its
method, counts and caveats — stars are never a measure of value on their own:

* **no other activity**: the share of the repository's stargazers (bots excluded)
  with no public event other than stars anywhere in the store. Meaningful only when
  the store holds other repositories' events too (an unfiltered GH Archive ingest);
  with one repository's events alone the signal is null, with that reason.
* **lockstep bursts**: hours with many times the usual stars, in which most of the
  same accounts starred other repositories within two hours — the pattern of bought
  stars described by He et al. (arXiv 2412.13459).

Account age at starring needs each account's creation date, which neither GH
Archive events nor the stored API rows carry: not measured (said in the output).
Thresholds: data/events/signals.yaml.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from osslever.engines import Engine
from osslever.metrics.events._query import BOT_SQL, check_repo


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    ref = resources.files("osslever") / "data" / "events" / "signals.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _stars_sql(repo: str) -> str:
    return (
        "SELECT actor_login, MIN(created_at) AS starred_at FROM gh_events"
        f" WHERE type = 'WatchEvent' AND lower(repo_name) = '{repo}' AND actor_login IS NOT NULL"
        f" AND NOT (actor_login {BOT_SQL}) GROUP BY actor_login"
    )


def star_quality(engine: Engine, repo: str) -> dict[str, Any] | None:
    """``{"stars", "no_other_activity", "lockstep", "account_age"}`` or None without stars."""
    key = check_repo(repo)
    conf = settings()["star_quality"]
    stars = engine.query(_stars_sql(key))
    if not stars:
        return None
    total = len(stars)
    repos_in_data = engine.query("SELECT COUNT(DISTINCT lower(repo_name)) AS n FROM gh_events")[0]["n"]
    if repos_in_data < 2:
        inactive: dict[str, Any] = {"share": None, "count": None, "note": "only_this_repository"}
    else:
        rows = engine.query(
            f"SELECT COUNT(*) AS n FROM ({_stars_sql(key)}) s WHERE NOT EXISTS ("
            "SELECT 1 FROM gh_events e WHERE e.actor_login = s.actor_login AND e.type <> 'WatchEvent')"
        )
        count = int(rows[0]["n"])
        inactive = {"share": round(count / total, 4), "count": count, "note": None}
    inactive["repos_in_data"] = int(repos_in_data)

    hourly = engine.query(
        f"SELECT DATE_TRUNC('hour', starred_at) AS hour, COUNT(*) AS n FROM ({_stars_sql(key)}) s GROUP BY 1"
    )
    median = statistics.median(r["n"] for r in hourly)
    threshold = max(conf["burst_min_stars"], conf["burst_factor"] * median)
    bursts = []
    in_lockstep = 0
    for row in sorted(hourly, key=lambda r: r["hour"]):
        if row["n"] < threshold:
            continue
        hour: datetime = row["hour"]
        stamp = hour.strftime("%Y-%m-%d %H:%M:%S")
        window = int(conf["lockstep_hours"])
        shared = engine.query(
            "SELECT lower(e.repo_name) AS repo, COUNT(DISTINCT e.actor_login) AS n"
            f" FROM ({_stars_sql(key)}) s JOIN gh_events e ON e.actor_login = s.actor_login"
            f" WHERE DATE_TRUNC('hour', s.starred_at) = CAST('{stamp}' AS TIMESTAMP)"
            f" AND e.type = 'WatchEvent' AND lower(e.repo_name) <> '{key}'"
            f" AND e.created_at >= CAST('{stamp}' AS TIMESTAMP) - INTERVAL {window} HOUR"
            f" AND e.created_at < CAST('{stamp}' AS TIMESTAMP) + INTERVAL {window + 1} HOUR"
            " GROUP BY 1 ORDER BY n DESC, repo"
        )
        together = [r for r in shared if r["n"] >= conf["lockstep_share"] * row["n"]]
        if together:
            in_lockstep += int(row["n"])
        bursts.append(
            {
                "hour": hour.isoformat(),
                "stars": int(row["n"]),
                "lockstep_repos": [{"repo": r["repo"], "shared_accounts": int(r["n"])} for r in together[:10]],
            }
        )
    return {
        "repo": repo,
        "stars": total,
        "no_other_activity": inactive,
        "lockstep": {
            "share": round(in_lockstep / total, 4),
            "stars": in_lockstep,
            "median_stars_per_starred_hour": median,
            "burst_threshold": threshold,
            "bursts": bursts,
        },
        "account_age": {"share_new_accounts": None, "note": "not_in_data"},
        "source": " ".join(conf["source"].split()),
    }
