"""OpenRank's supersteps on Spark (osslever.metrics.openrank_spark) against the driver's.

The references are independent of the code under test: hand computations of the
first supersteps and of the one-edge fixed point (worked on paper, as in
tests/test_openrank.py), and ``openrank.solve`` — scipy on the driver, a separate
implementation — on a random graph of a few thousand edges and on a 3-month chain
whose priors go through a real store (``_priors``/``write_month``). All run on the
local Spark session of tests/conftest.py; the standalone cluster case is in
tests/test_spark_cluster.py (its cluster starts once per test session).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest

from osslever.errors import UserError
from osslever.metrics import openrank as orank
from osslever.metrics import openrank_spark as ors
from osslever.store import Store
from tests.test_openrank import add_events, ev, sigmoid

PARAMS = orank.load_params()
JAN = dt.datetime(2024, 1, 10, 12)


def edge_table(rows: list[tuple[str, str, float]], at: dt.datetime = JAN) -> pa.Table:
    """Edges as ``edge_sql`` returns them: (repo, user, activity); names are the keys."""
    return pa.table(
        {
            "repo_key": [f"id:{r}" for r, _, _ in rows],
            "repo_name": [r for r, _, _ in rows],
            "user_key": [f"id:{u}" for _, u, _ in rows],
            "user_login": [u for _, u, _ in rows],
            "activity": pa.array([a for _, _, a in rows], pa.float64()),
            "last_at": pa.array([at] * len(rows), pa.timestamp("us")),
        }
    )


def spark_values(spark, edges: pa.Table, priors: pa.Table | None, params=PARAMS, period="2024-01"):
    frame = spark.createDataFrame(edges)
    prior_frame = spark.createDataFrame(priors) if priors is not None and priors.num_rows else None
    month = ors.solve_month(frame, prior_frame, period, params)
    values = {(r["node_type"], r["node_key"]): r["value"] for r in month.values.collect()}
    return month, values


def driver_values(edges: pa.Table, priors: pa.Table | None, params=PARAMS, period="2024-01"):
    graph = orank.build_graph(edges, priors, period, params)
    result = orank.solve(graph.activity, graph.repo_init, graph.user_init, params)
    values = {("repo", k): v for k, v in zip(graph.repo_keys.to_pylist(), result.repo_values, strict=True)}
    values.update({("user", k): v for k, v in zip(graph.user_keys.to_pylist(), result.user_values, strict=True)})
    return result, values


def assert_same(got: dict, want: dict, tol: float = 1e-9) -> None:
    assert got.keys() == want.keys()
    worst = max(abs(got[k] - want[k]) for k in want)
    assert worst < tol, worst


# --------------------------------------------------------------------------- by hand


def test_superstep_one_sees_no_messages_and_superstep_two_by_hand(spark_session):
    # one repo (prior 2), one user (sigmoid of 7 + prior 1 - sigmoid(7)): init 2 and 1
    edges = edge_table([("o/a", "ann", 7.0)])
    priors = pa.table({"node_type": ["repo", "user"], "node_key": ["id:o/a", "id:ann"], "value": [2.0, 1 - sigmoid(7)]})
    one, got = spark_values(spark_session, edges, priors, PARAMS.replace(max_iterations=2))
    assert got[("repo", "id:o/a")] == pytest.approx(0.3 * 2.0, abs=1e-12)
    assert got[("user", "id:ann")] == pytest.approx(0.5 * 1.0, abs=1e-12)
    assert one.supersteps == 2 and one.background == 0.0
    two, got = spark_values(spark_session, edges, priors, PARAMS.replace(max_iterations=3, tolerance=1e-12))
    # superstep 2: b = 0.85·0.05·(0.6 + 0.5); p = 0.6 + 0.7·0.95·0.5; u = 0.5 + 0.5·0.95·0.6
    b = 0.85 * 0.05 * 1.1
    assert got[("repo", "id:o/a")] == pytest.approx(0.6 + 0.7 * 0.95 * 0.5 + b / 2, abs=1e-12)
    assert got[("user", "id:ann")] == pytest.approx(0.5 + 0.5 * 0.95 * 0.6 + b / 2, abs=1e-12)
    assert two.supersteps == 3 and not two.converged
    assert (two.repos, two.users, two.edges) == (1, 1, 1)


def test_one_repo_one_user_reaches_the_fixed_point_solved_on_paper(spark_session):
    # As tests/test_openrank.py: p = (0.679875/0.985125)·u, u = 0.5/(0.989375 − 0.485625·k),
    # b = 0.0425(u + p); values include b/2. User init 1 (sigmoid + prior), repo 0.
    f = Fraction
    k = f("0.679875") / f("0.985125")
    u = f("0.5") / (f("0.989375") - f("0.485625") * k)
    p = k * u
    b = f("0.0425") * (u + p)
    edges = edge_table([("o/a", "ann", 7.0)])
    priors = pa.table({"node_type": ["user"], "node_key": ["id:ann"], "value": [1 - sigmoid(7)]})
    # tolerance 0: no node ever votes to halt (with a tolerance, the repo, 0 → 0 in
    # superstep 1, and the user, 0.5 → 0.5 in superstep 2, would stop it there); 40
    # supersteps of this contraction (about 0.6 a step) leave an error of about 2e-9
    month, got = spark_values(spark_session, edges, priors, PARAMS.replace(tolerance=0.0, max_iterations=40))
    assert month.supersteps == 40 and not month.converged
    assert got[("user", "id:ann")] == pytest.approx(float(u + b / 2), abs=1e-8)
    assert got[("repo", "id:o/a")] == pytest.approx(float(p + b / 2), abs=1e-8)
    assert month.background == pytest.approx(float(b), abs=1e-8)


# --------------------------------------------------------------------------- against solve


def test_two_repos_three_users_with_priors_equal_solve(spark_session):
    edges = edge_table([("o/a", "ann", 22.235), ("o/a", "bob", 40.679), ("o/b", "bob", 40.679), ("o/b", "cat", 5.252)])
    priors = pa.table(
        {"node_type": ["repo", "user", "user"], "node_key": ["id:o/b", "id:ann", "id:zed"], "value": [3.5, 0.7, 9.0]}
    )
    month, got = spark_values(spark_session, edges, priors)
    result, want = driver_values(edges, priors)
    assert_same(got, want)
    assert (month.supersteps, month.converged) == (result.supersteps, result.converged)
    assert month.background == pytest.approx(result.background, abs=1e-12)


def test_stops_after_max_iterations_like_solve(spark_session):
    edges = edge_table([("o/a", "ann", 1.0), ("o/b", "ann", 3.0)])
    priors = pa.table({"node_type": ["repo"], "node_key": ["id:o/a"], "value": [100.0]})
    capped = PARAMS.replace(tolerance=0.0, max_iterations=6)
    month, got = spark_values(spark_session, edges, priors, capped)
    result, want = driver_values(edges, priors, capped)
    assert month.supersteps == result.supersteps == 6 and not month.converged and not result.converged
    assert_same(got, want)


def random_edges(seed: int, n_edges: int, n_repos: int, n_users: int, day: int = 10) -> pa.Table:
    """Distinct (repo, user) pairs, skewed, with activity from the published weights."""
    rng = np.random.default_rng(seed)
    # u² and u^1.5 of uniform draws: a few popular repositories and users, a long tail
    repos = (n_repos * rng.random(n_edges * 2) ** 2).astype(np.int64)
    users = (n_users * rng.random(n_edges * 2) ** 1.5).astype(np.int64)
    pairs = np.unique(repos * n_users + users)[:n_edges]
    rng.shuffle(pairs)
    activity = (5.252 * rng.geometric(0.5, len(pairs)) + 40.679 * (rng.random(len(pairs)) < 0.2)).round(3)
    seconds = rng.integers(0, 5 * 86400, len(pairs))  # ties in last_at, and renames below
    at = np.datetime64(f"2024-01-{day:02d}") + seconds.astype("timedelta64[s]")
    r, u = pairs // n_users, pairs % n_users
    return pa.table(
        {
            "repo_key": [f"id:{i}" for i in r],
            "repo_name": [f"org{i % 7}/repo{i}{'-old' if s % 3 == 0 else ''}" for i, s in zip(r, seconds, strict=True)],
            "user_key": [f"id:{1000000 + i}" for i in u],
            "user_login": [f"user{i}{'x' if s % 5 == 0 else ''}" for i, s in zip(u, seconds, strict=True)],
            "activity": activity,
            "last_at": pa.array(at.astype("datetime64[us]")),
        }
    ).sort_by([("repo_key", "ascending"), ("user_key", "ascending")])


def test_a_random_graph_of_thousands_of_edges_equals_solve(spark_session):
    edges = random_edges(11, 4000, 1500, 2500)
    assert edges.num_rows > 3000
    rng = np.random.default_rng(3)
    repos = sorted(set(edges["repo_key"].to_pylist()))
    users = sorted(set(edges["user_key"].to_pylist()))
    chosen_r = [k for k in repos if rng.random() < 1 / 3]
    chosen_u = [k for k in users if rng.random() < 1 / 3]
    priors = pa.table(
        {
            "node_type": ["repo"] * len(chosen_r) + ["user"] * len(chosen_u),
            "node_key": chosen_r + chosen_u,
            "value": np.concatenate([rng.lognormal(-1, 1.5, len(chosen_r)), rng.lognormal(-1.5, 1.2, len(chosen_u))]),
        }
    )
    month, got = spark_values(spark_session, edges, priors)
    result, want = driver_values(edges, priors)
    assert result.converged and result.supersteps > 5  # halting, not the cap, ended it
    assert (month.supersteps, month.converged) == (result.supersteps, result.converged)
    assert_same(got, want)
    # names: the newest edge's, ties to the last row (``_nodes``), as the driver stores them
    graph = orank.build_graph(edges, priors, "2024-01", PARAMS)
    want_names = dict(zip(graph.repo_keys.to_pylist(), graph.repo_names.to_pylist(), strict=True))
    want_names.update(zip(graph.user_keys.to_pylist(), graph.user_names.to_pylist(), strict=True))
    got_names = {r["node_key"]: r["node"] for r in month.values.select("node_key", "node").collect()}
    assert got_names == want_names


def test_a_three_month_chain_with_priors_equals_the_driver_chain(spark_session, tmp_path):
    # January, February, then April (two months since: attenuation squared), the same
    # node space so priors carry over; the driver chain keeps them in a real store.
    months = {"2024-01": 21, "2024-02": 22, "2024-04": 23}
    tables = {m: random_edges(seed, 2500, 900, 1400) for m, seed in months.items()}
    with Store(":memory:") as store:
        want: dict = {}
        for m, edges in tables.items():
            priors = orank._priors(store, m, PARAMS)
            if m != "2024-01":
                assert priors.num_rows > 0
            graph = orank.build_graph(edges, priors, m, PARAMS)
            result = orank.solve(graph.activity, graph.repo_init, graph.user_init, PARAMS)
            orank.write_month(
                store,
                orank._result_table(graph, result),
                {
                    "period": m,
                    "events": 0,
                    "repos": 0,
                    "users": 0,
                    "edges": 0,
                    "iterations": result.supersteps,
                    "converged": True,
                },
            )
            want[m] = result.supersteps
        rows = store.rows(
            "SELECT o.period, o.node_type, k.node_key, o.value FROM gh_openrank o JOIN gh_openrank_keys k "
            "USING (period, node_type, node)"
        )
    want_values = {(r["period"], r["node_type"], r["node_key"]): r["value"] for r in rows}

    history = str(tmp_path / "openrank")
    summaries = ors.run_chain(
        spark_session, list(months), lambda m: spark_session.createDataFrame(tables[m]), history, PARAMS
    )
    assert [s["iterations"] for s in summaries] == list(want.values())
    got = ors.read_history(spark_session, history).collect()
    got_values = {(r["period"], r["node_type"], r["node_key"]): r["value"] for r in got}
    assert_same(got_values, want_values)
    # the priors were read back from Parquet: April's are February's × 0.85², not January's
    feb = {k[1:]: v for k, v in want_values.items() if k[0] == "2024-02"}
    priors = ors.spark_priors(ors.read_history(spark_session, history), "2024-04", PARAMS).collect()
    assert priors and all(r["value"] > PARAMS.prior_min_value for r in priors)
    some = next(r for r in priors if (r["node_type"], r["node_key"]) in feb)
    assert some["value"] == pytest.approx(feb[(some["node_type"], some["node_key"])] * 0.85**2, rel=1e-12)


# --------------------------------------------------------------------------- through the store (CLI path)


def test_the_store_chain_on_spark_writes_what_the_driver_writes(spark_session):
    from osslever.engines.spark import SparkEngine

    events = [
        ev("IssuesEvent/opened", "o/a", "ann", number=1, day="2024-01-05"),
        ev("PullRequestEvent/opened", "o/a", "bob", number=2, day="2024-01-06"),
        ev("PullRequestEvent/opened", "o/b", "bob", number=1, day="2024-02-07"),
        ev("IssueCommentEvent/created", "o/a", "cat", comment_id=9, day="2024-02-08"),
        ev("IssuesEvent/opened", "o/a", "ann", number=3, day="2024-03-09"),
    ]
    with Store(":memory:") as driver, Store(":memory:") as on_spark:
        add_events(driver, *events)
        add_events(on_spark, *events)
        want = orank.ensure_openrank(driver)
        engine = SparkEngine(store=on_spark, session=spark_session)
        try:
            got = orank.openrank_on(engine, on_spark, compute=ors.compute_month_on_spark)
        finally:
            engine.close()
        assert [s["period"] for s in got] == ["2024-01", "2024-02", "2024-03"]
        assert got == want
        sql = "SELECT period, node_type, node, value FROM gh_openrank ORDER BY ALL"
        a, b = driver.rows(sql), on_spark.rows(sql)
    assert [(r["period"], r["node_type"], r["node"]) for r in a] == [
        (r["period"], r["node_type"], r["node"]) for r in b
    ]
    assert max(abs(x["value"] - y["value"]) for x, y in zip(a, b, strict=True)) < 1e-9


def test_openrank_on_spark_needs_the_spark_engine():
    from osslever.workspace import Workspace

    with pytest.raises(UserError) as err:
        Workspace(":memory:", engine="duckdb", openrank_on="spark")
    assert err.value.key == "openrank.spark_needs_spark"
    assert "--engine spark" in err.value.render("en") and "--engine spark" in err.value.render("zh")
