"""Benchmark: OpenRank on a month-sized graph, against networkx's pagerank in the same run.

A month of GH Archive gives a few million (repo, user) edges with heavy skew: most
users touch one or two repositories, a few touch hundreds; most repositories see
one developer, a few see thousands. This script draws such a graph (Zipf-like
degrees on both sides, edge activity from OpenRank's weights), stores it as an
edge table in DuckDB, and times osslever's OpenRank from that table: Arrow fetch,
graph build, iteration with the published parameters (tolerance 0.01, at most
100 supersteps), prior values for a third of the nodes, and the write of the
results to a store.

networkx's pagerank runs on the same edges (both directions, weighted). Building
a networkx graph of millions of edges takes minutes and gigabytes, so it runs on
growing prefixes of the edge list until ``--nx-cap`` seconds are spent, and its
time for the full graph is extrapolated linearly from the largest prefix (its
cost is linear in edges per iteration). osslever also runs on that largest
prefix, so one ratio is measured like for like and one is extrapolated.

Then a chain of ``--chain`` months (default 12) with decay, through
``ensure_openrank`` on one store: each month's graph is drawn afresh over the same
node space (popular repositories and users recur, the long tail changes — the
report says how many of a month's nodes were also in the month before), so most
nodes start from a prior value: the latest stored value, attenuated by 0.85 per
month, read from the carried table. Only the edge SQL is left out: a stand-in
engine hands ``ensure_openrank`` the generated edges for the month it asks.
Everything else — runs, priors, graph, iteration, write, cache release — is the
production path, timed per month. The baseline in the same run is networkx,
measured on a prefix and extrapolated per edge to the whole chain (with
``--only-chain`` on a 400,000-edge month). Target: at most 15 s a month, under
4 GB, on 2 cores.

Run:  PYTHONPATH=src python bench/openrank.py [--edges 8000000] [--chain 12] [--nx-cap 60] [--only-chain]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from osslever.metrics import openrank as orank


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def zipf_indices(rng: np.random.Generator, n_items: int, size: int, exponent: float) -> np.ndarray:
    """Indices in [0, n_items) drawn with probability ∝ 1/(rank^exponent)."""
    weights = 1.0 / np.arange(1, n_items + 1) ** exponent
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(size)).astype(np.int64)


def make_edges(n_edges: int, seed: int) -> pa.Table:
    """Distinct (repo, user) pairs with skewed degrees and OpenRank-weighted activity."""
    rng = np.random.default_rng(seed)
    n_users = int(n_edges * 0.45)
    n_repos = int(n_edges * 0.6)
    draw = int(n_edges * 1.3)
    users = zipf_indices(rng, n_users, draw, 0.75)
    repos = zipf_indices(rng, n_repos, draw, 0.85)
    pair = np.unique(users * n_repos + repos)
    # as the edge SQL does: users linked to more than 300 repositories are left out
    degree = np.bincount(pair // n_repos, minlength=n_users)
    pair = pair[degree[pair // n_repos] <= 300]
    pair = rng.permutation(pair)[:n_edges]
    users, repos = pair // n_repos, pair % n_repos
    n = len(pair)
    # activity: a few issue comments, sometimes an issue, a PR, pushes (published weights)
    activity = (
        5.252 * rng.geometric(0.5, n)
        + 22.235 * (rng.random(n) < 0.2)
        + 40.679 * (rng.random(n) < 0.25)
        + 14.695 * (rng.geometric(0.6, n) - 1)
        + 7.427 * (rng.random(n) < 0.1) * rng.geometric(0.5, n)
    ).round(3)
    last_at = np.datetime64("2024-01-01") + rng.integers(0, 31 * 86400, n).astype("timedelta64[s]")
    con = duckdb.connect()
    con.register("raw", pa.table({"r": repos, "u": users, "a": activity, "t": last_at.astype("datetime64[us]")}))
    table = con.sql(
        "SELECT 'id:' || r AS repo_key, 'org' || (r % 50000) || '/repo' || r AS repo_name, "
        "'id:' || (u + 1000000000) AS user_key, 'user' || u AS user_login, "
        "a AS activity, t AS last_at, r AS repo_id, u + 1000000000 AS user_id FROM raw"
    ).to_arrow_table()
    con.close()
    return table


def make_priors(edges: pa.Table, seed: int) -> pa.Table:
    """Last month's values for a third of the nodes (log-normal, like real OpenRank)."""
    rng = np.random.default_rng(seed + 1)
    repos = pc.unique(edges["repo_key"]).to_numpy(zero_copy_only=False)
    users = pc.unique(edges["user_key"]).to_numpy(zero_copy_only=False)
    repos = repos[rng.random(len(repos)) < 1 / 3]
    users = users[rng.random(len(users)) < 1 / 3]
    return pa.table(
        {
            "node_type": ["repo"] * len(repos) + ["user"] * len(users),
            "node_key": np.concatenate([repos, users]),
            "value": np.concatenate([rng.lognormal(-1, 1.5, len(repos)), rng.lognormal(-1.5, 1.2, len(users))]),
        }
    )


def time_openrank(con: duckdb.DuckDBPyConnection, limit: int | None, priors: pa.Table) -> tuple[float, dict]:
    """Edge table → stored results, as ``compute_month`` does, with the stage times."""
    params = orank.load_params()
    stages: dict[str, float] = {}
    start = time.perf_counter()
    sql = "SELECT * FROM edges" + (f" LIMIT {limit}" if limit else "")
    edges = con.sql(sql).to_arrow_table()
    stages["fetch"] = time.perf_counter() - start
    t0 = time.perf_counter()
    graph = orank.build_graph(edges, priors, "2024-01", params)
    stages["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = orank.solve(graph.activity, graph.repo_init, graph.user_init, params)
    stages["iterate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = orank._result_table(graph, result)
    con.execute("DELETE FROM results")
    con.register("res", table)
    con.execute("INSERT INTO results SELECT * FROM res")
    con.unregister("res")
    stages["store"] = time.perf_counter() - t0
    total = time.perf_counter() - start
    info = {
        "edges": graph.activity.nnz,
        "repos": len(graph.repo_keys),
        "users": len(graph.user_keys),
        "supersteps": result.supersteps,
        "converged": result.converged,
        **stages,
    }
    return total, info


def time_networkx(edges: pa.Table, n: int) -> tuple[float, float]:
    """networkx: build a weighted DiGraph of the first n edges (both ways) and pagerank it."""
    import networkx as nx

    repos = edges["repo_key"].slice(0, n).to_pylist()
    users = edges["user_key"].slice(0, n).to_pylist()
    weight = edges["activity"].slice(0, n).to_pylist()
    t0 = time.perf_counter()
    g = nx.DiGraph()
    g.add_weighted_edges_from(zip(repos, users, weight, strict=True))
    g.add_weighted_edges_from(zip(users, repos, weight, strict=True))
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    nx.pagerank(g, alpha=0.85, tol=1e-6, weight="weight")
    ranked = time.perf_counter() - t0
    return built, ranked


def networkx_rate(edges: pa.Table) -> float:
    """networkx seconds per edge (build + pagerank) on a small month, for extrapolation."""
    built, ranked = time_networkx(edges, edges.num_rows)
    print(f"networkx, {edges.num_rows:,} edges: build {built:.2f} s + pagerank {ranked:.2f} s")
    return (built + ranked) / edges.num_rows


class GeneratedEvents:
    """An engine for ``ensure_openrank`` whose months are generated edge tables.

    ``ensure_openrank`` asks an engine two things: the event count of each month (its
    fingerprint for recomputation) and each month's edges (``edge_sql``, fetched as
    Arrow). Here the counts are made up and the edges are the generator's, handed over
    as they are; everything else — the runs, the prior values from the store, the graph,
    the iteration, the write, the cache release — is ``ensure_openrank``'s own.
    """

    def __init__(self) -> None:
        self.months: dict[str, pa.Table] = {}
        self.counts: dict[str, int] = {}

    def add(self, period: str, edges: pa.Table) -> None:
        self.months[period] = edges
        self.counts[period] = edges.num_rows

    def query(self, sql: str) -> list[dict]:
        assert "GROUP BY strftime" in sql, "only the event counts are asked as rows"
        return [{"period": p, "events": n} for p, n in sorted(self.counts.items())]

    def arrow(self, sql: str) -> pa.Table:
        start = sql.split("created_at >= TIMESTAMP '", 1)[1][:7]  # the month of the edge SQL
        return self.months.pop(start)  # handed over once: the engine keeps no copy


def chain_period(i: int) -> str:
    return f"{2024 + i // 12}-{i % 12 + 1:02d}"


def node_keys(edges: pa.Table) -> pa.Array:
    """The month's distinct node keys (repository and user keys never coincide here)."""
    return pa.concat_arrays(
        [pc.unique(edges["repo_key"].combine_chunks()), pc.unique(edges["user_key"].combine_chunks())]
    )


def run_chain(db: str, n_edges: int, months: int, seed: int) -> int:
    """The measured chain, in its own process (peak memory includes the generator).

    Month i's edges are drawn before its clock starts; then ``ensure_openrank`` runs
    up to that month on the one store and appends it (the months before are up to date).
    """
    from osslever.store import Store

    store = Store(db)
    engine = GeneratedEvents()
    previous: pa.Array | None = None
    for i in range(months):
        period = chain_period(i)
        edges = make_edges(n_edges, seed + 17 * i)
        keys = node_keys(edges)
        seen = int(pc.sum(pc.is_in(keys, value_set=previous)).as_py() or 0) if previous is not None else 0
        previous = keys
        engine.add(period, edges)
        del edges
        t0 = time.perf_counter()
        computed = orank.ensure_openrank(store, until=period, engine=engine)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        assert [c["period"] for c in computed] == [period], computed
        out = {**computed[0], "seen_last_month": seen, "seconds": seconds, "rss_mb": rss_mb()}
        print(json.dumps(out, default=str), flush=True)
    rows = store.rows("SELECT count(*) AS n FROM gh_openrank_carried")[0]["n"]
    store.close()
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "carried_rows": rows}), flush=True)
    return 0


def rss_mb() -> float:
    """Resident memory now (Linux), to see whether it grows over the chain."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def report_chain(args: argparse.Namespace, nx_seconds_per_edge: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="osslever-bench-chain-"))
    db = str(workdir / "chain.duckdb")
    cmd = [sys.executable, __file__, "--chain-child", db, "--edges", str(args.edges), "--chain", str(args.chain)]
    cmd += ["--seed", str(args.seed)]
    child = subprocess.run(cmd, check=True, capture_output=True, text=True)
    lines = [json.loads(line) for line in child.stdout.strip().splitlines()]
    months, last = lines[:-1], lines[-1]
    peak = last["peak_rss_mb"]
    print(
        f"chain of {len(months)} months with decay, {args.edges:,} generated edges a month, "
        "ensure_openrank on one store:"
    )
    for m in months:
        print(
            f"  {m['period']}: {m['seconds']:.2f} s, {m['edges']:,} edges, {m['repos'] + m['users']:,} nodes "
            f"({m['seen_last_month']:,} also last month), {m['iterations']} supersteps, RSS after {m['rss_mb']:,.0f} MB"
        )
    total = sum(m["seconds"] for m in months)
    worst = max(m["seconds"] for m in months)
    nx_total = nx_seconds_per_edge * sum(m["edges"] for m in months)
    print(
        f"  total {total:.1f} s, {total / len(months):.2f} s a month (worst {worst:.2f} s); "
        f"networkx extrapolated {nx_total:.0f} s -> ratio {nx_total / total:.1f}x"
    )
    print(f"  carried table at the end: {last['carried_rows']:,} rows")
    print(f"  peak memory of that process (generator included): {peak:,.0f} MB")
    print(
        f"  target <= 15 s a month and < 4 GB: "
        f"{'met' if worst <= 15 and peak < 4096 else 'MISSED'} (worst month {worst:.1f} s, {peak:,.0f} MB)"
    )
    print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for leftover in workdir.iterdir():
        leftover.unlink()
    workdir.rmdir()


def run_child(db: str) -> int:
    """The measured run, in its own process so its peak memory is its own."""
    con = duckdb.connect(db)
    priors = con.sql("SELECT * FROM priors").to_arrow_table()
    total, info = time_openrank(con, None, priors)
    info.update(total=total, peak_rss_mb=peak_rss_mb())
    print(json.dumps(info))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=8_000_000)
    ap.add_argument("--chain", "--months", type=int, default=12, help="months in the chain with decay (0: none)")
    ap.add_argument("--nx-cap", type=float, default=60.0, help="seconds of networkx at most")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--chain-child", help=argparse.SUPPRESS)
    ap.add_argument("--only-chain", action="store_true", help="skip the single month and networkx")
    args = ap.parse_args(argv)
    if args.child:
        return run_child(args.child)
    if args.chain_child:
        return run_chain(args.chain_child, args.edges, args.chain, args.seed)
    if args.only_chain:
        report_chain(args, networkx_rate(make_edges(min(args.edges, 400_000), args.seed)))
        return 0

    t0 = time.perf_counter()
    edges = make_edges(args.edges, args.seed)
    priors = make_priors(edges, args.seed)
    user_deg = pc.value_counts(edges["user_key"]).field("counts").to_numpy()
    repo_deg = pc.value_counts(edges["repo_key"]).field("counts").to_numpy()
    print(
        f"graph: {edges.num_rows:,} edges, {len(repo_deg):,} repos, {len(user_deg):,} users "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    print(
        f"  degree  users: median {np.median(user_deg):.0f}, max {user_deg.max():,}"
        f" | repos: median {np.median(repo_deg):.0f}, max {repo_deg.max():,}"
    )

    workdir = Path(tempfile.mkdtemp(prefix="osslever-bench-"))
    db = str(workdir / "bench.duckdb")
    con = duckdb.connect(db)
    con.register("edges_arrow", edges)
    con.register("priors_arrow", priors)
    con.execute("CREATE TABLE edges AS SELECT * FROM edges_arrow")
    con.execute("CREATE TABLE priors AS SELECT * FROM priors_arrow")
    con.unregister("edges_arrow")
    con.unregister("priors_arrow")
    con.execute(
        "CREATE TABLE results (period VARCHAR, node_type VARCHAR, node VARCHAR, value DOUBLE, node_key VARCHAR)"
    )
    con.close()

    child = subprocess.run([sys.executable, __file__, "--child", db], check=True, capture_output=True, text=True)
    info = json.loads(child.stdout.strip().splitlines()[-1])
    full_time = info["total"]
    print(
        f"osslever OpenRank, full graph (own process): {full_time:.2f} s  "
        f"(fetch {info['fetch']:.2f}, build {info['build']:.2f}, "
        f"iterate {info['iterate']:.2f} in {info['supersteps']} supersteps, "
        f"store {info['store']:.2f}; converged={info['converged']})"
    )
    print(f"  peak memory of that process: {info['peak_rss_mb']:,.0f} MB")
    con = duckdb.connect(db)
    target = 15.0
    print(f"  target <= {target:.0f} s on 2 cores: {'met' if full_time <= target else 'MISSED'}")

    # networkx on growing prefixes, within the time cap
    spent, n, largest = 0.0, 50_000, None
    while n <= edges.num_rows:
        built, ranked = time_networkx(edges, n)
        spent += built + ranked
        largest = (n, built, ranked)
        print(f"networkx, {n:,} edges: build {built:.2f} s + pagerank {ranked:.2f} s")
        if spent * 3 > args.nx_cap or n == edges.num_rows:  # next (2×) would exceed the cap
            break
        n = min(n * 2, edges.num_rows)
    assert largest is not None
    n, built, ranked = largest
    same_size, _ = time_openrank(con, n, priors)
    nx_total = built + ranked
    scale = edges.num_rows / n
    print(
        f"like for like at {n:,} edges: networkx {nx_total:.2f} s vs osslever "
        f"{same_size:.3f} s -> ratio {nx_total / same_size:.1f}x"
    )
    print(
        f"full graph ({edges.num_rows:,} edges): networkx extrapolated "
        f"{nx_total * scale:.0f} s (pagerank alone {ranked * scale:.0f} s) vs osslever "
        f"{full_time:.1f} s -> ratio {nx_total * scale / full_time:.1f}x "
        f"(pagerank alone {ranked * scale / full_time:.1f}x)"
    )
    print(f"peak memory of this (generator + networkx) process: {peak_rss_mb():,.0f} MB")
    con.close()
    for leftover in workdir.iterdir():
        leftover.unlink()
    workdir.rmdir()
    if args.chain:
        report_chain(args, nx_total / n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
