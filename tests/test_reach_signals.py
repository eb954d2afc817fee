"""Hard-fork and star-quality signals on event histories built with known answers."""

from __future__ import annotations

from datetime import date

import pytest

from osslever.engines import get_engine
from osslever.metrics.hard_fork import hard_fork_risk
from osslever.metrics.star_quality import star_quality
from osslever.sources.gharchive.ingest import ingest_files
from osslever.store import Store
from tests.events_fixtures import event, write_gz


def _engine(tmp_path, events: list[dict]):
    folder = tmp_path / "hours"
    folder.mkdir()
    write_gz(folder / "2024-01-01-0.json.gz", events)
    store = Store(tmp_path / "e.duckdb")
    ingest_files(store, [folder], workers=1)
    return store, get_engine("duckdb", store)


def _pushes(actor: str, repo: str, month: str, count: int) -> list[dict]:
    return [event("PushEvent", actor, f"{month}-{day + 1:02d}T10:00:00Z", repo=repo) for day in range(count)]


def _relicensing_history(with_fork: bool) -> list[dict]:
    """Modelled on Redis → Valkey (2024): ten core people; six of them move; ordinary forks around."""
    ev: list[dict] = []
    core = [f"core{i}" for i in range(10)]
    for person in core:
        ev += _pushes(person, "redis/redis", "2023-06", 4)  # the year before the recent window
    for person in core[6:] + ["r1", "r2"]:
        ev += _pushes(person, "redis/redis", "2024-06", 2)  # who stays: 6 active people
    if with_fork:
        for person in core[:6] + ["n1", "n2", "n3", "n4"]:
            ev += _pushes(person, "valkey-io/valkey", "2024-07", 5)  # 10 active people
    for i in range(30):  # ordinary personal forks: one person each
        ev.append(event("ForkEvent", f"user{i}", "2024-05-01T00:00:00Z", repo="redis/redis"))
        ev += _pushes(f"user{i}", f"user{i}/redis", "2024-05", 2)
    ev += _pushes("core7", "core7/redis", "2024-08", 3)  # a core member's own fork
    for person in core[:2]:
        ev += _pushes(person, "antirez/linenoise", "2024-05", 3)  # a related project: two people
    ev += _pushes("core0", "redis/redis-doc", "2024-05", 3)  # the project's own satellite
    return ev


def test_a_community_fork_of_the_core_is_a_hard_fork_risk(tmp_path) -> None:
    store, engine = _engine(tmp_path, _relicensing_history(with_fork=True))
    out = hard_fork_risk(engine, "redis/redis", as_of=date(2024, 9, 15))
    store.close()
    assert out["window"] == {"core_from": "2023-04-01", "recent_from": "2024-04-01", "until": "2024-10-01"}
    assert (out["core_contributors"], out["active_contributors"]) == (10, 6)
    assert out["candidates"] == [
        {
            "repo": "valkey-io/valkey",
            "shared_core_contributors": 6,
            "active_contributors": 10,
            "ratio_to_parent": round(10 / 6, 3),
            "level": "overtakes",
        }
    ]
    assert out["risk"]["repo"] == "valkey-io/valkey"
    assert out["forks"] == {"total": 30, "recent": 30}


def test_ordinary_forks_raise_nothing(tmp_path) -> None:
    store, engine = _engine(tmp_path, _relicensing_history(with_fork=False))
    out = hard_fork_risk(engine, "redis/redis", as_of=date(2024, 9, 15))
    store.close()
    assert out["candidates"] == [] and out["risk"] is None
    assert out["forks"]["total"] == 30  # many forks, no risk: forks alone mean nothing


def _stars(with_other_repos: bool) -> list[dict]:
    ev: list[dict] = []
    for i in range(40):  # organic: one star an hour over 40 hours, people who also do other things
        ev.append(
            event(
                "WatchEvent", f"fan{i}", f"2024-01-{1 + i // 24:02d}T{i % 24:02d}:10:00Z", payload={"action": "started"}
            )
        )
        if with_other_repos:
            ev.append(event("IssueCommentEvent", f"fan{i}", "2024-01-20T10:00:00Z", repo="other/project"))
    for i in range(30):  # a burst: thirty accounts in one hour, with no other activity
        ev.append(event("WatchEvent", f"fake{i}", f"2024-02-01T03:{i:02d}:00Z", payload={"action": "started"}))
        if with_other_repos and i < 25:
            ev.append(event("WatchEvent", f"fake{i}", f"2024-02-01T03:{i:02d}:30Z", repo="spam/one"))
        if with_other_repos and i < 20:
            ev.append(event("WatchEvent", f"fake{i}", f"2024-02-01T04:{i:02d}:00Z", repo="spam/two"))
    ev.append(event("WatchEvent", "renovate[bot]", "2024-01-05T00:00:00Z"))  # bots are not stargazers
    return ev


def test_star_quality_signals(tmp_path) -> None:
    store, engine = _engine(tmp_path, _stars(with_other_repos=True))
    out = star_quality(engine, "acme/widget")
    store.close()
    assert out["stars"] == 70
    assert out["no_other_activity"]["count"] == 30
    assert out["no_other_activity"]["share"] == round(30 / 70, 4)
    assert out["lockstep"]["median_stars_per_starred_hour"] == 1
    [burst] = out["lockstep"]["bursts"]
    assert (burst["hour"], burst["stars"]) == ("2024-02-01T03:00:00", 30)
    assert burst["lockstep_repos"] == [
        {"repo": "spam/one", "shared_accounts": 25},
        {"repo": "spam/two", "shared_accounts": 20},
    ]
    assert out["lockstep"]["share"] == round(30 / 70, 4)
    assert out["account_age"]["share_new_accounts"] is None  # not in the data: said, not guessed


def test_star_quality_with_one_repository_only(tmp_path) -> None:
    store, engine = _engine(tmp_path, [e for e in _stars(with_other_repos=False)])
    out = star_quality(engine, "acme/widget")
    store.close()
    assert out["no_other_activity"] == {
        "share": None,
        "count": None,
        "note": "only_this_repository",
        "repos_in_data": 1,
    }
    assert out["lockstep"]["bursts"][0]["lockstep_repos"] == []
    assert out["lockstep"]["share"] == 0.0


@pytest.mark.parametrize("fn", [hard_fork_risk, star_quality])
def test_bad_repo_names_are_refused(tmp_path, fn) -> None:
    from osslever.errors import UserError

    store, engine = _engine(tmp_path, _stars(with_other_repos=False))
    with pytest.raises(UserError):
        fn(engine, "x'; DROP TABLE gh_events; --")
    store.close()
