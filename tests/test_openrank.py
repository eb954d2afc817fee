"""OpenRank against hand-solved graphs, the published weights and the Pregel schedule.

Expected values come from the fixed-point equations written out here (solved by
substitution or by numpy.linalg.solve on a dense matrix built independently of
the code under test), or from the published constants of OpenDigger's
globalOpenrank.ts — never from osslever's own output.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import scipy.sparse as sp

from osslever.errors import UserError
from osslever.metrics import openrank as orank
from osslever.store import Store

PARAMS = orank.load_params()
# Tolerance 0 never lets a node vote to halt: the iteration runs to the fixed point.
EXACT = PARAMS.replace(tolerance=0.0, max_iterations=600)
_ids = itertools.count(1)


def sigmoid(activity: float) -> float:
    return 1.0 / (1.0 + math.exp(0.10425 * (44.08 - activity)))


def add_events(store: Store, *events: dict) -> None:
    """Insert normalised events; ids, source and repo/actor ids are filled in."""
    for ev in events:
        row = {
            "event_id": f"t{next(_ids)}",
            "action": None,
            "number": None,
            "comment_id": None,
            "actor_id": None,
            "repo_id": None,
            "source": "test",
            **ev,
        }
        cols = ", ".join(row)
        store.execute(
            f"INSERT INTO gh_events ({cols}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )


def ev(kind: str, repo: str, user: str, day: str = "2024-01-10", **extra) -> dict:
    """A shorthand: kind is e.g. 'IssuesEvent/opened'."""
    etype, _, action = kind.partition("/")
    repo_id = extra.pop("repo_id", abs(hash(repo)) % 10**9)
    actor_id = extra.pop("actor_id", abs(hash(user)) % 10**9)
    return {
        "type": etype,
        "action": action or None,
        "repo_name": repo,
        "actor_login": user,
        "created_at": f"{day} 12:00:00",
        "repo_id": repo_id,
        "actor_id": actor_id,
        **extra,
    }


@pytest.fixture
def store():
    s = Store(":memory:")
    yield s
    s.close()


# --------------------------------------------------------------------------- the solver


def exact_fixed_point(a: np.ndarray, repo_init, user_init, p=PARAMS):
    """Dense independent check: x = r·init + (1−r)·Wᵀx over repos, users and background.

    W is written node by node from the definition (0.95·act/act_total, 0.05 to the
    background, 1/(n) from it), then (I − diag(1−r)·Wᵀ) x = r·init is solved.
    """
    n_r, n_u = a.shape
    n = n_r + n_u + 1
    bg = n - 1
    w = np.zeros((n, n))
    for i in range(n_r):
        for j in range(n_u):
            if a[i, j]:
                w[i, n_r + j] = 0.95 * a[i, j] / a[i, :].sum()
                w[n_r + j, i] = 0.95 * a[i, j] / a[:, j].sum()
    for k in range(n - 1):
        w[k, bg] = 0.05
        w[bg, k] = 1 / (n - 1)
    r = np.array([0.3] * n_r + [0.5] * n_u + [0.15])
    init = np.concatenate([repo_init, user_init, [0.0]])
    x = np.linalg.solve(np.eye(n) - np.diag(1 - r) @ w.T, r * init)
    spread = x[bg] / (n - 1)
    return x[:n_r] + spread, x[n_r:bg] + spread, x[bg]


def test_one_repo_one_user_solved_on_paper():
    # Nodes: repo p, user u (initial value 1), background b. Weights: p→u = u→p = 0.95,
    # p→b = u→b = 0.05, b→p = b→u = 1/2. Fixed point:
    #   u = 0.5·1 + 0.5·(0.95p + 0.5b)
    #   p = 0.3·0 + 0.7·(0.95u + 0.5b)
    #   b = 0.15·0 + 0.85·(0.05u + 0.05p) = 0.0425(u + p)
    # Substituting b into p: p(1 − 0.014875) = 0.679875u  →  p = (0.679875/0.985125)u
    # and into u: u(1 − 0.010625) − (0.475 + 0.010625)p = 0.5.
    f = Fraction
    k = f("0.679875") / f("0.985125")
    u = f("0.5") / (f("0.989375") - f("0.485625") * k)
    p = k * u
    b = f("0.0425") * (u + p)
    expected_user, expected_repo = float(u + b / 2), float(p + b / 2)

    result = orank.solve(sp.csr_matrix([[7.0]]), np.zeros(1), np.ones(1), EXACT)
    assert result.user_values[0] == pytest.approx(expected_user, rel=1e-10)
    assert result.repo_values[0] == pytest.approx(expected_repo, rel=1e-10)
    assert result.background == pytest.approx(float(b), rel=1e-10)


def test_two_repos_three_users_match_a_dense_solve():
    a = np.array([[10.0, 5.0, 0.0], [0.0, 20.0, 40.0]])
    repo_init = np.array([2.0, 0.0])
    user_init = np.array([0.3, 1.2, 0.05])
    want_r, want_u, want_b = exact_fixed_point(a, repo_init, user_init)
    got = orank.solve(sp.csr_matrix(a), repo_init, user_init, EXACT)
    np.testing.assert_allclose(got.repo_values, want_r, rtol=1e-10)
    np.testing.assert_allclose(got.user_values, want_u, rtol=1e-10)
    assert got.background == pytest.approx(want_b, rel=1e-10)


def test_superstep_one_sees_no_messages_as_in_pregel():
    # OpenRankPregel: superstep 0 only sets init; superstep 1 gets no messages, so
    # value = r·init; superstep 2 uses superstep 1's values.
    a = sp.csr_matrix([[7.0]])
    one = orank.solve(a, np.array([2.0]), np.array([1.0]), PARAMS.replace(max_iterations=2))
    assert one.repo_values[0] == pytest.approx(0.3 * 2.0)
    assert one.user_values[0] == pytest.approx(0.5 * 1.0)
    two = orank.solve(a, np.array([2.0]), np.array([1.0]), PARAMS.replace(max_iterations=3, tolerance=1e-12))
    # superstep 2: b = 0.85·0.05·(0.6 + 0.5); p = 0.6 + 0.7·0.95·0.5; u = 0.5 + 0.5·0.95·0.6
    b = 0.85 * 0.05 * 1.1
    assert two.repo_values[0] == pytest.approx(0.6 + 0.7 * 0.95 * 0.5 + b / 2)
    assert two.user_values[0] == pytest.approx(0.5 + 0.5 * 0.95 * 0.6 + b / 2)
    assert two.supersteps == 3 and not two.converged


def test_converges_with_the_published_tolerance_on_a_random_graph():
    rng = np.random.default_rng(7)
    a = sp.random(60, 150, density=0.05, random_state=rng, format="csr") * 50
    keep_r = np.asarray(a.sum(axis=1)).ravel() > 0
    a = a[keep_r][:, np.asarray(a[keep_r].sum(axis=0)).ravel() > 0]
    repo_init = rng.uniform(0, 20, a.shape[0])
    user_init = rng.uniform(0, 5, a.shape[1])
    got = orank.solve(a, repo_init, user_init, PARAMS)
    assert got.converged and got.supersteps < 100
    want_r, want_u, _ = exact_fixed_point(a.toarray(), repo_init, user_init)
    # stopping at |Δ| < 0.01 per node leaves the values near (not at) the fixed point
    assert np.max(np.abs(got.repo_values - want_r)) < 0.05
    assert np.max(np.abs(got.user_values - want_u)) < 0.05
    tight = orank.solve(a, repo_init, user_init, EXACT)
    np.testing.assert_allclose(tight.repo_values, want_r, rtol=1e-9)
    np.testing.assert_allclose(tight.user_values, want_u, rtol=1e-9)


def test_two_core_supersteps_match_the_dense_solve(monkeypatch):
    # Graphs of 500k+ edges run each side's superstep on its own core; forced here on a
    # small graph given as unsorted COO with a repeated (repo, user) pair (summed).
    monkeypatch.setattr(orank, "PARALLEL_MIN_EDGES", 0)
    monkeypatch.setattr(orank, "_cores", lambda: 2)
    rows = np.array([2, 0, 1, 0, 2, 1, 0, 2])
    cols = np.array([3, 1, 0, 2, 0, 3, 1, 2])
    vals = np.array([4.0, 1.5, 9.0, 3.0, 2.0, 6.0, 2.5, 7.0])
    a = sp.csr_matrix((vals, (rows, cols)), shape=(3, 4))
    dense = np.zeros((3, 4))
    np.add.at(dense, (rows, cols), vals)  # (0, 1) appears twice: 1.5 + 2.5
    repo_init = np.array([1.0, 0.0, 3.0])
    user_init = np.array([0.2, 0.7, 0.0, 1.1])
    want_r, want_u, want_b = exact_fixed_point(dense, repo_init, user_init)
    got = orank.solve(a, repo_init, user_init, EXACT)
    np.testing.assert_allclose(got.repo_values, want_r, rtol=1e-10)
    np.testing.assert_allclose(got.user_values, want_u, rtol=1e-10)
    assert got.background == pytest.approx(want_b, rel=1e-10)
    two_cores = orank.solve(a, repo_init, user_init, PARAMS)
    monkeypatch.setattr(orank, "_cores", lambda: 1)
    assert orank.solve(a, repo_init, user_init, PARAMS).repo_values.tolist() == two_cores.repo_values.tolist()


def test_stops_after_max_iterations_when_not_converged():
    got = orank.solve(
        sp.csr_matrix([[1.0]]), np.array([100.0]), np.array([100.0]), PARAMS.replace(tolerance=0.0, max_iterations=100)
    )
    assert got.supersteps == 100 and not got.converged


# --------------------------------------------------------------------------- edges from events


def test_edge_activity_uses_published_weights_and_distinct_items(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/r", "ann", number=1),
        ev("IssuesEvent/opened", "o/r", "ann", number=2),
        ev("IssuesEvent/closed", "o/r", "ann", number=1),
        ev("IssueCommentEvent/created", "o/r", "ann", number=1, comment_id=11),
        ev("IssueCommentEvent/created", "o/r", "ann", number=1, comment_id=12),
        ev("IssueCommentEvent/created", "o/r", "ann", number=1, comment_id=12),  # same comment
        ev("PullRequestReviewCommentEvent/created", "o/r", "ann", number=3, comment_id=21),
        ev("PullRequestEvent/opened", "o/r", "ann", number=3),
        ev("PushEvent", "o/r", "ann"),
        ev("PushEvent", "o/r", "ann"),
        ev("WatchEvent/started", "o/r", "ann"),  # not an OpenRank event
        ev("IssuesEvent/opened", "o/r", "ann", number=9, day="2024-02-01"),  # next month
    )
    rows = store.rows(orank.edge_sql("2024-01"))
    assert len(rows) == 1
    expected = 2 * 22.235 + 2 * 5.252 + 1 * 9.712 + 1 * 7.427 + 1 * 40.679 + 2 * 14.695
    assert rows[0]["activity"] == pytest.approx(round(expected, 3), abs=1e-9)
    assert rows[0]["repo_name"] == "o/r" and rows[0]["user_login"] == "ann"


def test_push_only_pairs_bots_and_unlisted_types_are_not_edges(store):
    add_events(
        store,
        ev("PushEvent", "o/pushed", "pat"),  # no valid action
        ev("IssuesEvent/opened", "o/r", "dependabot[bot]", number=1),  # bot by suffix
        ev("IssuesEvent/opened", "o/r", "renovate-bot", number=2, actor_id=25180681),  # listed bot
        ev("PullRequestEvent/closed", "o/r", "cat", number=4),  # valid, but activity 0
        ev("IssueCommentEvent/created", "o/r", "dan", number=1, comment_id=5),
    )
    rows = store.rows(orank.edge_sql("2024-01"))
    assert [(r["repo_name"], r["user_login"]) for r in rows] == [("o/r", "dan")]


def test_users_linked_to_more_than_300_repos_are_removed_with_their_only_repos(store):
    heavy = [ev("IssueCommentEvent/created", f"o/h{i}", "heavy", comment_id=i, actor_id=1) for i in range(301)]
    limit = [ev("IssueCommentEvent/created", f"o/l{i}", "limit", comment_id=1000 + i, actor_id=2) for i in range(300)]
    shared = ev("IssueCommentEvent/created", "o/h0", "eve", comment_id=5000, actor_id=3)
    add_events(store, *heavy, *limit, shared)
    rows = store.rows(orank.edge_sql("2024-01"))
    users = {r["user_login"] for r in rows}
    assert users == {"limit", "eve"}  # 301 repos: out; exactly 300: kept
    repos = {r["repo_name"] for r in rows}
    assert "o/h0" in repos and "o/h1" not in repos  # o/h0 keeps eve's edge
    assert len(repos) == 301


# --------------------------------------------------------------------------- months and priors


def test_first_month_matches_the_dense_solve_from_events(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/a", "ann", number=1),  # ann–a: 22.235
        ev("PullRequestEvent/opened", "o/a", "bob", number=2),  # bob–a: 40.679
        ev("PullRequestEvent/opened", "o/b", "bob", number=1),  # bob–b: 40.679
    )
    orank.ensure_openrank(store, params=EXACT)
    a = np.array([[22.235, 40.679], [0.0, 40.679]])
    want_r, want_u, _ = exact_fixed_point(a, np.zeros(2), np.array([sigmoid(22.235), sigmoid(81.358)]))
    got = {
        (r["node_type"], r["node"]): r["value"]
        for r in store.rows("SELECT * FROM gh_openrank WHERE period = '2024-01'")
    }
    assert got[("repo", "o/a")] == pytest.approx(want_r[0], rel=1e-9)
    assert got[("repo", "o/b")] == pytest.approx(want_r[1], rel=1e-9)
    assert got[("user", "ann")] == pytest.approx(want_u[0], rel=1e-9)
    assert got[("user", "bob")] == pytest.approx(want_u[1], rel=1e-9)


def test_prior_values_decay_by_085_per_month_since_last_value(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2024-01-05"),
        ev("IssuesEvent/opened", "o/a", "ann", number=2, day="2024-04-05"),  # 3 months later
    )
    orank.ensure_openrank(store, params=EXACT)
    jan = {r["node"]: r["value"] for r in store.rows("SELECT node, value FROM gh_openrank WHERE period = '2024-01'")}
    # Recompute April with two supersteps only: the value is then exactly r·init.
    one_step = EXACT.replace(max_iterations=2)
    orank.compute_month(store, "2024-04", params=one_step)
    apr = {r["node"]: r["value"] for r in store.rows("SELECT node, value FROM gh_openrank WHERE period = '2024-04'")}
    assert apr["o/a"] == pytest.approx(0.3 * jan["o/a"] * 0.85**3)
    assert apr["ann"] == pytest.approx(0.5 * (jan["ann"] * 0.85**3 + sigmoid(22.235)))


def test_prior_values_at_or_below_001_are_dropped(store):
    add_events(store, ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2020-01-05"))
    orank.ensure_openrank(store, params=EXACT)
    jan = store.rows("SELECT value FROM gh_openrank WHERE node = 'ann'")[0]["value"]
    months = math.ceil(math.log(0.01 / jan) / math.log(0.85))  # first month at or below 0.01
    later = months + 1
    year, month = divmod(2020 * 12 + later, 12)
    day = f"{year}-{month + 1:02d}-05"
    add_events(store, ev("IssuesEvent/opened", "o/a", "ann", number=2, day=day))
    orank.ensure_openrank(store, params=EXACT)
    orank.compute_month(store, day[:7], params=EXACT.replace(max_iterations=2))
    value = store.rows(f"SELECT value FROM gh_openrank WHERE node = 'ann' AND period = '{day[:7]}'")
    assert value[0]["value"] == pytest.approx(0.5 * sigmoid(22.235))  # no prior left


def test_new_events_in_an_earlier_month_recompute_it_and_the_later_ones(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2024-01-05"),
        ev("IssuesEvent/opened", "o/a", "ann", number=2, day="2024-02-05"),
    )
    assert [s["period"] for s in orank.ensure_openrank(store)] == ["2024-01", "2024-02"]
    assert orank.ensure_openrank(store) == []  # up to date
    feb_before = orank.openrank_values(store, "2024-02")["o/a"]
    add_events(store, ev("PullRequestEvent/opened", "o/a", "bob", number=3, day="2024-01-20"))
    assert [s["period"] for s in orank.ensure_openrank(store)] == ["2024-01", "2024-02"]
    assert orank.openrank_values(store, "2024-02")["o/a"] != feb_before


def test_quarter_and_year_values_are_sums_of_months(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2024-01-05"),
        ev("IssuesEvent/opened", "o/a", "ann", number=2, day="2024-03-05"),
        ev("IssuesEvent/opened", "o/a", "ann", number=3, day="2024-05-05"),
    )
    orank.ensure_openrank(store)
    months = {p: orank.openrank_values(store, p)["o/a"] for p in ("2024-01", "2024-03", "2024-05")}
    assert orank.openrank_values(store, "2024Q1")["o/a"] == pytest.approx(months["2024-01"] + months["2024-03"])
    assert orank.openrank_values(store, "2024")["o/a"] == pytest.approx(sum(months.values()))
    assert orank.repo_openrank(store, "O/A", "2024-02") is None  # no activity that month


@pytest.mark.parametrize(
    "period,months",
    [
        ("2024-02", ["2024-02"]),
        ("2023Q4", ["2023-10", "2023-11", "2023-12"]),
        ("2022", [f"2022-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_periods(period, months):
    assert orank.months_of(period) == months


@pytest.mark.parametrize("bad", ["2024-13", "2024Q5", "24", "2024-1", "last month"])
def test_bad_periods_are_user_errors(bad):
    with pytest.raises(UserError) as info:
        orank.months_of(bad)
    assert bad in info.value.render("en")


def test_a_node_that_once_changed_less_than_the_tolerance_stays_halted():
    # OpenRankPregel sets vote_to_halt and never clears it; the run stops when all set it.
    # Repo and background start at 0: superstep 1 leaves them at 0 (halted). The user goes
    # 1 → 0.5 (superstep 1) → 0.5 (superstep 2: its neighbours still sent 0): all halted.
    got = orank.solve(sp.csr_matrix([[7.0]]), np.zeros(1), np.ones(1), PARAMS)
    assert got.converged and got.supersteps == 3
    b = 0.85 * 0.05 * 0.5  # superstep 2: background from the user's 0.5 and the repo's 0
    assert got.background == pytest.approx(b)
    assert got.user_values[0] == pytest.approx(0.5 + b / 2)
    assert got.repo_values[0] == pytest.approx(0.7 * 0.95 * 0.5 + b / 2)


def test_a_renamed_repository_keeps_its_prior_value_by_id(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/old", "ann", number=1, day="2024-01-05", repo_id=5),
        ev("IssuesEvent/opened", "o/new", "ann", number=2, day="2024-02-05", repo_id=5),
    )
    orank.ensure_openrank(store, until="2024-01", params=EXACT)
    jan = orank.openrank_values(store, "2024-01")["o/old"]
    orank.compute_month(store, "2024-02", params=EXACT.replace(max_iterations=2))
    assert orank.openrank_values(store, "2024-02") == {"o/new": pytest.approx(0.3 * jan * 0.85)}


def test_edges_carry_the_github_id_each_key_was_made_of(store):
    add_events(
        store,
        ev("IssuesEvent/opened", "o/r", "ann", number=1, repo_id=42, actor_id=7),
        ev("IssuesEvent/opened", "o/r", "old", number=2, repo_id=42, actor_id=None),  # a pre-2012 actor: no id
    )
    rows = sorted(store.rows(orank.edge_sql("2024-01")), key=lambda r: r["user_login"])
    assert [(r["repo_key"], r["repo_id"], r["user_key"], r["user_id"]) for r in rows] == [
        ("id:42", 42, "id:7", 7),
        ("id:42", 42, "name:old", None),
    ]


def test_nodes_indexed_by_id_are_the_nodes_indexed_by_key():
    """First appearance order, one index per row: hand-written, and pyarrow's own encoding of the keys."""
    keys = pa.chunked_array([["id:5", "id:3"], ["id:5", "id:7", "id:3"]])
    ids = pa.chunked_array([[5, 3], [5, 7, 3]])
    distinct, index = orank._encode(keys, ids)
    assert distinct.to_pylist() == ["id:5", "id:3", "id:7"]
    assert index.tolist() == [0, 1, 0, 2, 1]
    by_key = pc.dictionary_encode(keys).combine_chunks()
    assert distinct.equals(by_key.dictionary) and index.tolist() == by_key.indices.to_pylist()
    # one row without an id (a name key): the keys themselves are indexed
    mixed = pa.chunked_array([["id:5", "name:old", "id:5"]])
    distinct, index = orank._encode(mixed, pa.chunked_array([[5, None, 5]]))
    assert distinct.to_pylist() == ["id:5", "name:old"] and index.tolist() == [0, 1, 0]
