"""``osslever rank``: order, periods, formats and errors, through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from osslever.cli import cli
from osslever.errors import UserError
from osslever.store import Store
from tests.test_openrank import add_events, ev


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        # o/star: three developers, each only there; o/solo: one developer; same activity
        # per pair. Every developer sends all its 0.95 share to its only repo, so o/star
        # collects three users' worth and must rank first.
        add_events(
            store,
            *(
                ev("PullRequestEvent/opened", "o/star", u, number=i, day="2024-01-10")
                for i, u in enumerate(["ann", "bob", "cat"], start=1)
            ),
            ev("PullRequestEvent/opened", "o/solo", "dan", number=1, day="2024-01-10"),
            ev("PullRequestEvent/opened", "o/solo", "dan", number=2, day="2024-02-10"),
            ev("PullRequestEvent/opened", "o/star", "ann", number=9, day="2024-03-10"),
        )
    return path


def run(*args: str):
    result = CliRunner().invoke(cli, ["rank", *args])
    return result


def stored_sum(db, repo: str, months: list[str]) -> float:
    with Store(db) as store:
        rows = store.rows(
            "SELECT SUM(value) AS v FROM gh_openrank WHERE node_type = 'repo' AND node = ? "
            "AND period IN (SELECT unnest(?::VARCHAR[]))",
            [repo, months],
        )
    return rows[0]["v"]


def test_rank_json_orders_by_openrank_and_computes_months_first(db):
    result = run("--db", str(db), "--period", "2024-01", "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [i["repo"] for i in doc["items"]] == ["o/star", "o/solo"]
    assert [i["rank"] for i in doc["items"]] == [1, 2]
    want = stored_sum(db, "o/star", ["2024-01"])
    assert doc["items"][0]["value"] == pytest.approx(want, abs=1e-6)
    assert [c["period"] for c in doc["computed"]] == ["2024-01"]


def test_quarter_is_the_sum_of_its_months_and_top_limits(db):
    result = run("--db", str(db), "--period", "2024Q1", "--format", "json", "--top", "1", "-q")
    doc = json.loads(result.output)
    assert doc["months"] == ["2024-01", "2024-02", "2024-03"]
    assert len(doc["items"]) == 1 and doc["repositories"] == 2
    top = doc["items"][0]
    assert top["value"] == pytest.approx(stored_sum(db, top["repo"], ["2024-01", "2024-02", "2024-03"]), abs=1e-6)


def test_default_period_is_the_last_month_with_events(db):
    doc = json.loads(run("--db", str(db), "--format", "json", "-q").output)
    assert doc["period"] == "2024-03"
    assert [i["repo"] for i in doc["items"]] == ["o/star"]  # only o/star is active in March


def test_table_output_in_both_languages(db):
    en = run("--db", str(db), "--period", "2024-01", "--lang", "en", "-q").output
    zh = run("--db", str(db), "--period", "2024-01", "--lang", "zh", "-q").output
    assert "o/star" in en and "repositories by OpenRank" in en
    assert "o/star" in zh and "仓库" in zh
    assert en.index("o/star") < en.index("o/solo")


def test_empty_period_says_where_the_data_is(db):
    out = run("--db", str(db), "--period", "2023", "--lang", "en", "-q").output
    assert "2023" in out and "2024-01" in out and "2024-03" in out


def test_bad_period_and_empty_store_are_user_errors(tmp_path, db):
    bad = run("--db", str(db), "--period", "2024-15")
    assert isinstance(bad.exception, UserError) and bad.exception.key == "events.bad_period"
    empty = run("--db", str(tmp_path / "empty.duckdb"))
    assert isinstance(empty.exception, UserError) and empty.exception.key == "openrank.no_events"


def test_rank_by_activity_uses_opendiggers_developer_index(tmp_path):
    path = tmp_path / "activity.duckdb"
    with Store(path) as store:
        add_events(
            store,
            ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2024-05-02"),
            ev("PullRequestEvent/opened", "o/a", "ann", number=2, day="2024-05-03"),
            ev("IssueCommentEvent/created", "o/b", "bob", number=1, comment_id=1, day="2024-05-04"),
            ev("IssueCommentEvent/created", "o/b", "bob", number=1, comment_id=2, day="2024-05-05"),
            ev("WatchEvent/started", "o/c", "cat", day="2024-05-05"),  # no activity
        )
    doc = json.loads(run("--db", str(path), "--by", "activity", "--period", "2024-05", "--format", "json", "-q").output)
    # per developer sqrt(weighted counts): ann 2.2235 + 4.0679, bob 2 × 0.5252
    assert [(i["repo"], i["value"]) for i in doc["items"]] == [
        ("o/a", pytest.approx(round((2.2235 + 4.0679) ** 0.5, 2))),
        ("o/b", pytest.approx(round((2 * 0.5252) ** 0.5, 2))),
    ]
    assert doc["by"] == "activity" and doc["computed"] == []
