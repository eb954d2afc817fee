"""Benchmark: OpenRank's supersteps on Spark (openrank_spark) against ``solve`` in the same run.

The graph is bench/openrank.py's generator (Zipf-like degrees on both sides,
activity from the published weights, prior values for a third of the nodes),
imported, not copied. The same month goes

* through ``build_graph`` + ``solve`` on the driver (numpy/scipy: the baseline),
* through ``openrank_spark.solve_month`` on Spark: edges and priors read from
  Parquet, supersteps as DataFrame joins, values written to Parquet,

and the script prints both times, their ratio, the largest difference of the
values (they must agree to 1e-9) and the peak memory: this Python process (the
driver) and the Spark JVM (VmHWM of every java process under it). With
``--chain N`` it also runs N months in order — on the driver as ``ensure_openrank``
does (a real store, ``_priors``, ``write_month``) and on Spark with ``run_chain``
(the priors read back from the Parquet history) — and prints the same figures.

Spark is expected to be slower on one small machine: each superstep is a few
shuffles and jobs, not two sparse products in one address space. The point is
that nothing of size O(edges) or O(nodes) has to fit on the driver, and that a
cluster adds executors (``--master spark://HOST:7077``).

Run:  PYTHONPATH=src python bench/openrank_spark.py [--edges 1000000] [--chain 3] [--master local[2]]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from osslever.metrics import openrank as orank
from osslever.metrics import openrank_spark as ors


def _bench_openrank():
    """bench/openrank.py as a module (its generator), whatever the working directory."""
    path = Path(__file__).with_name("openrank.py")
    spec = importlib.util.spec_from_file_location("bench_openrank", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _bench_openrank()


def driver_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def jvm_peak_mb() -> float:
    """Peak RSS (VmHWM) of the java processes descended from this one: the Spark JVM."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0.0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            if Path(f"/proc/{pid}/comm").read_text().strip() != "java":
                continue
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def session(master: str, partitions: int):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master)
        .appName("osslever-bench-openrank")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("BENCH_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def driver_month(edges: pa.Table, priors: pa.Table | None, period: str, params) -> tuple[float, dict, int]:
    t0 = time.perf_counter()
    graph = orank.build_graph(edges, priors, period, params)
    result = orank.solve(graph.activity, graph.repo_init, graph.user_init, params)
    seconds = time.perf_counter() - t0
    values = dict(zip(graph.repo_keys.to_pylist(), result.repo_values.tolist(), strict=True))
    values.update({("u", k): v for k, v in zip(graph.user_keys.to_pylist(), result.user_values.tolist(), strict=True)})
    return seconds, values, result.supersteps


def spark_values(table: pa.Table) -> dict:
    out = {}
    for t, k, v in zip(
        table["node_type"].to_pylist(), table["node_key"].to_pylist(), table["value"].to_pylist(), strict=True
    ):
        out[k if t == "repo" else ("u", k)] = v
    return out


def max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys(), "the two runs have different nodes"
    return max(abs(a[k] - b[k]) for k in a)


def one_month(spark, args, work: Path) -> None:
    params = orank.load_params()
    t0 = time.perf_counter()
    edges = GEN.make_edges(args.edges, args.seed)
    priors = GEN.make_priors(edges, args.seed)
    took = time.perf_counter() - t0
    print(f"graph: {edges.num_rows:,} edges, {priors.num_rows:,} prior values (generated in {took:.1f} s)")
    pq.write_table(edges, work / "edges.parquet")
    pq.write_table(priors, work / "priors.parquet")

    seconds_np, want, steps_np = driver_month(edges, priors, "2024-01", params)
    print(f"  solve (numpy, driver): {seconds_np:.2f} s, {steps_np} supersteps")

    t0 = time.perf_counter()
    month = ors.solve_month(
        spark.read.parquet(str(work / "edges.parquet")),
        spark.read.parquet(str(work / "priors.parquet")),
        "2024-01",
        params,
    )
    month.values.write.mode("overwrite").parquet(str(work / "values"))
    seconds_spark = time.perf_counter() - t0
    got = spark_values(pq.read_table(work / "values"))
    print(
        f"  openrank_spark: {seconds_spark:.2f} s, {month.supersteps} supersteps "
        f"({seconds_spark / max(month.supersteps, 1):.2f} s a superstep); max |Δ| vs solve {max_diff(got, want):.1e}"
    )
    print(f"  ratio spark/numpy: {seconds_spark / seconds_np:.1f}x")


def chain(spark, args, work: Path) -> None:
    from osslever.store import Store

    params = orank.load_params()
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(args.chain)]
    tables = {}
    for i, m in enumerate(months):
        tables[m] = GEN.make_edges(args.edges, args.seed + 17 * i)
        pq.write_table(tables[m], work / f"edges-{m}.parquet")
    want: dict = {}
    seconds_np = 0.0
    with Store(str(work / "chain.duckdb")) as store:
        for m in months:
            t0 = time.perf_counter()
            priors = orank._priors(store, m, params)
            graph = orank.build_graph(tables[m], priors, m, params)
            result = orank.solve(graph.activity, graph.repo_init, graph.user_init, params)
            summary = {"period": m, "events": 0, "repos": 0, "users": 0, "edges": 0}
            orank.write_month(
                store, orank._result_table(graph, result), {**summary, "iterations": 0, "converged": True}
            )
            seconds_np += time.perf_counter() - t0
            values = dict(zip(graph.repo_keys.to_pylist(), result.repo_values.tolist(), strict=True))
            values.update(
                {("u", k): v for k, v in zip(graph.user_keys.to_pylist(), result.user_values.tolist(), strict=True)}
            )
            want[m] = values
    del tables
    history = str(work / "history")
    t0 = time.perf_counter()
    summaries = ors.run_chain(
        spark, months, lambda m: spark.read.parquet(str(work / f"edges-{m}.parquet")), history, params
    )
    seconds_spark = time.perf_counter() - t0
    worst = 0.0
    for m in months:
        got = spark_values(pq.read_table(ors.month_folder(history, m)))
        worst = max(worst, max_diff(got, want[m]))
    steps = ", ".join(str(s["iterations"]) for s in summaries)
    print(f"chain of {len(months)} months, {args.edges:,} generated edges a month (supersteps {steps}):")
    print(f"  driver (store, _priors, solve, write_month): {seconds_np:.2f} s")
    print(f"  run_chain on Spark (Parquet history): {seconds_spark:.2f} s; max |Δ| vs driver {worst:.1e}")
    print(f"  ratio spark/numpy: {seconds_spark / seconds_np:.1f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--chain", type=int, default=0, help="also a chain of N months (0: none)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=4, help="spark.sql.shuffle.partitions")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--skip-month", action="store_true", help="only the chain")
    args = ap.parse_args(argv)
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; master {args.master}"
    )
    work = Path(tempfile.mkdtemp(prefix="osslever-bench-spark-"))
    spark = session(args.master, args.partitions)
    try:
        spark.range(1).count()  # the JVM's start is not the iteration's cost
        if not args.skip_month:
            one_month(spark, args, work)
        if args.chain:
            chain(spark, args, work)
        print(f"peak memory: driver (Python) {driver_peak_mb():,.0f} MB + Spark JVM {jvm_peak_mb():,.0f} MB")
    finally:
        spark.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
