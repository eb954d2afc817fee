"""OpenRank's carried table of latest values (migration 096) against the full history.

Each month's prior values used to be read from every stored month; they now come
from ``gh_openrank_carried``, each node's latest value and its month. These tests
check that the chain gives the values of the published definition (expected
values from dense numpy solves written here, independently of the code under
test, with priors taken by hand from the earlier months), that deleting or
recomputing months rebuilds the carried table, and that a store written before
096 is upgraded with its history and gives the same priors.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest

from osslever.metrics import openrank as orank
from osslever.store import Store
from tests.test_openrank import exact_fixed_point

PARAMS = orank.load_params()
EXACT = PARAMS.replace(tolerance=0.0, max_iterations=600)  # run to the fixed point
ISSUE = 22.235  # weight of an opened issue (data/events/openrank.yaml)
PR = 40.679  # weight of an opened pull request
FIXTURES = Path(__file__).parent / "fixtures" / "store_5cce212"
_ids = itertools.count(1)


def sigmoid(activity: float) -> float:
    return 1.0 / (1.0 + math.exp(0.10425 * (44.08 - activity)))


def dense(a: np.ndarray, repo_init: np.ndarray, user_init: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixed point of the published definition, solved densely (background spread)."""
    repo, user, _ = exact_fixed_point(a, repo_init, user_init)
    return repo, user


REPO_IDS = {"o/a": 1, "o/b": 2, "o/c": 3}
USER_IDS = {"ann": 11, "bob": 12, "cat": 13}


def opened(store: Store, kind: str, repo: str, user: str, day: str) -> None:
    """One opened issue or pull request (a distinct number each time)."""
    store.execute(
        "INSERT INTO gh_events (event_id, type, action, number, created_at, actor_id, actor_login, repo_id, "
        "repo_name, source) VALUES (?, ?, 'opened', ?, ?, ?, ?, ?, ?, 'test')",
        [f"l{next(_ids)}", kind, next(_ids), f"{day} 12:00:00", USER_IDS[user], user, REPO_IDS[repo], repo],
    )


def month_values(store: Store, period: str) -> dict[str, float]:
    rows = store.rows("SELECT node, value FROM gh_openrank WHERE period = ?", [period])
    return {str(r["node"]): float(r["value"]) for r in rows}


def carried(store: Store) -> dict[str, tuple[str, float]]:
    rows = store.rows("SELECT node_key, period, value FROM gh_openrank_carried")
    assert len({r["node_key"] for r in rows}) == len(rows), "one row per node"
    return {str(r["node_key"]): (str(r["period"]), float(r["value"])) for r in rows}


def latest_from_history(store: Store) -> dict[str, tuple[str, float]]:
    """Each node's latest stored month and value, straight from gh_openrank."""
    rows = store.rows(
        "SELECT node_key, period, value FROM gh_openrank o WHERE period = "
        "(SELECT max(period) FROM gh_openrank i WHERE i.node_key = o.node_key AND i.node_type = o.node_type)"
    )
    return {str(r["node_key"]): (str(r["period"]), float(r["value"])) for r in rows}


@pytest.fixture
def store():
    s = Store(":memory:")
    yield s
    s.close()


def three_months(store: Store) -> None:
    # January: ann opens an issue on a; bob a pull request on a and one on b.
    opened(store, "IssuesEvent", "o/a", "ann", "2024-01-05")
    opened(store, "PullRequestEvent", "o/a", "bob", "2024-01-06")
    opened(store, "PullRequestEvent", "o/b", "bob", "2024-01-07")
    # February: ann an issue on a, cat an issue on c. (No March.)
    opened(store, "IssuesEvent", "o/a", "ann", "2024-02-05")
    opened(store, "IssuesEvent", "o/c", "cat", "2024-02-06")
    # April: ann and cat issues on a, bob an issue on b.
    opened(store, "IssuesEvent", "o/a", "ann", "2024-04-05")
    opened(store, "IssuesEvent", "o/a", "cat", "2024-04-06")
    opened(store, "IssuesEvent", "o/b", "bob", "2024-04-07")


def expected_chain(feb_bob_on_c: bool = False) -> dict[str, dict[str, float]]:
    """January, February and April by hand: each month's graph and priors, solved densely."""
    jan_r, jan_u = dense(np.array([[ISSUE, PR], [0.0, PR]]), np.zeros(2), np.array([sigmoid(ISSUE), sigmoid(2 * PR)]))
    jan = {"o/a": jan_r[0], "o/b": jan_r[1], "ann": jan_u[0], "bob": jan_u[1]}
    if feb_bob_on_c:  # repos a, c; users ann, bob, cat
        a = np.array([[ISSUE, 0.0, 0.0], [0.0, PR, ISSUE]])
        users_init = np.array([jan["ann"] * 0.85 + sigmoid(ISSUE), jan["bob"] * 0.85 + sigmoid(PR), sigmoid(ISSUE)])
        feb_r, feb_u = dense(a, np.array([jan["o/a"] * 0.85, 0.0]), users_init)
        feb = {"o/a": feb_r[0], "o/c": feb_r[1], "ann": feb_u[0], "bob": feb_u[1], "cat": feb_u[2]}
    else:  # repos a, c; users ann, cat
        a = np.array([[ISSUE, 0.0], [0.0, ISSUE]])
        users_init = np.array([jan["ann"] * 0.85 + sigmoid(ISSUE), sigmoid(ISSUE)])
        feb_r, feb_u = dense(a, np.array([jan["o/a"] * 0.85, 0.0]), users_init)
        feb = {"o/a": feb_r[0], "o/c": feb_r[1], "ann": feb_u[0], "cat": feb_u[1]}
    # April's priors: each node's latest month, 0.85 per month since (bob: January or February)
    last = {**jan, **feb}
    since = {k: (2 if k in feb else 3) for k in last}
    prior = {k: v * 0.85 ** since[k] for k, v in last.items()}
    a = np.array([[ISSUE, 0.0, ISSUE], [0.0, ISSUE, 0.0]])  # repos a, b; users ann, bob, cat
    apr_r, apr_u = dense(
        a,
        np.array([prior["o/a"], prior["o/b"]]),
        np.array([prior["ann"] + sigmoid(ISSUE), prior["bob"] + sigmoid(ISSUE), prior["cat"] + sigmoid(ISSUE)]),
    )
    apr = {"o/a": apr_r[0], "o/b": apr_r[1], "ann": apr_u[0], "bob": apr_u[1], "cat": apr_u[2]}
    return {"2024-01": jan, "2024-02": feb, "2024-04": apr}


def assert_months(store: Store, want: dict[str, dict[str, float]]) -> None:
    for period, values in want.items():
        got = month_values(store, period)
        assert set(got) == set(values), period
        for node, value in values.items():
            assert got[node] == pytest.approx(value, rel=1e-9), (period, node)


def test_a_chain_with_the_carried_table_gives_the_values_of_the_full_history(store):
    three_months(store)
    assert [s["period"] for s in orank.ensure_openrank(store, params=EXACT)] == ["2024-01", "2024-02", "2024-04"]
    assert_months(store, expected_chain())
    assert carried(store) == latest_from_history(store)
    # the carried table holds April's value for April's nodes and February's for o/c
    assert carried(store)["id:3"][0] == "2024-02" and carried(store)["id:1"][0] == "2024-04"


def test_priors_from_the_carried_table_equal_priors_from_the_history(store):
    three_months(store)
    orank.ensure_openrank(store, params=EXACT)
    # what the history says for a month after April: latest value before it, decayed
    history = store.rows(
        "SELECT node_type, node_key, arg_max(value, period) AS value, max(period) AS period "
        "FROM gh_openrank GROUP BY node_type, node_key"
    )
    want = {}
    for r in history:
        months = 2024 * 12 + 6 - (int(r["period"][:4]) * 12 + int(r["period"][5:7]) - 1)  # to 2024-07
        value = r["value"] * 0.85**months
        if value > 0.01:
            want[(r["node_type"], r["node_key"])] = value
    got = orank._priors(store, "2024-07", EXACT).to_pylist()
    assert {(r["node_type"], r["node_key"]): r["value"] for r in got} == pytest.approx(want, rel=1e-15)
    assert len(got) == len(want) == 6


def test_carried_rows_that_moved_since_the_priors_were_read_are_found_by_key(store, monkeypatch):
    """The write deletes the month's carried rows by the row ids the priors join found; if
    DuckDB had moved rows in between (a vacuum), those ids point elsewhere — simulated
    here by shifting every id — and the keys must be joined instead."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = orank._add_carried_priors

    def moved(*args, **kwargs):
        table = found(*args, **kwargs)
        if table is None or table.num_rows == 0:
            return table
        return table.set_column(0, "rid", pc.add(table["rid"], pa.scalar(1, pa.int64())))

    monkeypatch.setattr(orank, "_add_carried_priors", moved)
    three_months(store)
    orank.ensure_openrank(store, params=EXACT)
    assert_months(store, expected_chain())
    assert carried(store) == latest_from_history(store)


def test_new_events_in_a_middle_month_recompute_it_and_rebuild_the_carried_table(store):
    three_months(store)
    orank.ensure_openrank(store, params=EXACT)
    opened(store, "PullRequestEvent", "o/c", "bob", "2024-02-20")  # February changes
    assert [s["period"] for s in orank.ensure_openrank(store, params=EXACT)] == ["2024-02", "2024-04"]
    assert_months(store, expected_chain(feb_bob_on_c=True))
    assert carried(store) == latest_from_history(store)


def test_a_month_that_lost_its_events_is_dropped_from_the_carried_table(store):
    three_months(store)
    orank.ensure_openrank(store, params=EXACT)
    store.execute(
        "DELETE FROM gh_events WHERE created_at >= TIMESTAMP '2024-02-01' AND created_at < TIMESTAMP '2024-03-01'"
    )
    assert [s["period"] for s in orank.ensure_openrank(store, params=EXACT)] == ["2024-04"]
    assert month_values(store, "2024-02") == {}
    jan = expected_chain()["2024-01"]
    # April again, its priors from January only (3 months), cat without one
    a = np.array([[ISSUE, 0.0, ISSUE], [0.0, ISSUE, 0.0]])
    k = 0.85**3
    apr_r, apr_u = dense(
        a,
        np.array([jan["o/a"] * k, jan["o/b"] * k]),
        np.array([jan["ann"] * k + sigmoid(ISSUE), jan["bob"] * k + sigmoid(ISSUE), sigmoid(ISSUE)]),
    )
    want = {"o/a": apr_r[0], "o/b": apr_r[1], "ann": apr_u[0], "bob": apr_u[1], "cat": apr_u[2]}
    assert_months(store, {"2024-01": jan, "2024-04": want})
    assert carried(store) == latest_from_history(store)
    assert "id:3" not in carried(store)  # o/c was only in the deleted February


def test_a_month_recomputed_out_of_order_reads_the_history_and_rebuilds(store):
    three_months(store)
    orank.ensure_openrank(store, params=EXACT)
    # February again, by hand, while April is stored: its priors are January's only
    orank.compute_month(store, "2024-02", params=EXACT)
    assert_months(store, expected_chain())
    assert carried(store) == latest_from_history(store)


def legacy_openrank_store(path: Path) -> Path:
    """A store as release 5cce212 wrote it (its schema files, plain DuckDB), with history
    written by hand: a renamed repository (same id), a user in two months, a row whose key
    was never recorded, and a value that has decayed away."""
    con = duckdb.connect(str(path))
    for sql in sorted(FIXTURES.glob("*.sql")):
        con.execute(sql.read_text(encoding="utf-8"))
    rows = [
        ("2024-01", "repo", "o/old", 2.0, "id:5"),
        ("2024-02", "repo", "o/new", 3.0, "id:5"),
        ("2024-01", "user", "ann", 1.0, "id:9"),
        ("2024-03", "user", "ann", 0.5, "id:9"),
        ("2024-02", "user", "NoKey", 0.4, None),
        ("2023-01", "user", "gone", 0.011, "id:77"),
    ]
    for period, node_type, node, value, key in rows:
        con.execute("INSERT INTO gh_openrank VALUES (?, ?, ?, ?)", [period, node_type, node, value])
        if key:
            con.execute("INSERT INTO gh_openrank_keys VALUES (?, ?, ?, ?)", [period, node_type, node, key])
    con.close()
    return path


def test_a_store_from_before_096_is_upgraded_with_its_history_and_gives_the_same_priors(tmp_path):
    db = legacy_openrank_store(tmp_path / "old.duckdb")
    with Store(db) as store:
        got = {(r["node_type"], r["node_key"]): r["value"] for r in orank._priors(store, "2024-04", PARAMS).to_pylist()}
        assert got == pytest.approx(
            {
                ("repo", "id:5"): 3.0 * 0.85**2,  # latest: February, under its new name
                ("user", "id:9"): 0.5 * 0.85,  # March's value, not January's
                ("user", "name:nokey"): 0.4 * 0.85**2,  # no key recorded: its lower-cased name
            },  # 'gone': 0.011 · 0.85^15 is below 0.01
            rel=1e-15,
        )
        assert carried(store)["id:77"] == ("2023-01", 0.011)  # kept, only filtered when read
        # readers of the old layout see the same rows
        assert orank.openrank_values(store, "2024-02", "repo") == {"o/new": 3.0}
        assert orank.openrank_values(store, "2024Q1", "user") == pytest.approx({"ann": 1.5, "NoKey": 0.4})
        keys = store.rows("SELECT node, node_key FROM gh_openrank_keys WHERE period = '2024-02' ORDER BY node")
        assert keys == [{"node": "NoKey", "node_key": "name:nokey"}, {"node": "o/new", "node_key": "id:5"}]
