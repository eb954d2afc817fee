"""OpenRank iterated on Spark: ``openrank.solve``'s Pregel as DataFrame joins, for when one
machine is not enough.

``openrank.solve`` pulls a month's edges to the driver and runs two sparse
matrix-vector products per superstep; a month of all GitHub fits there (a few
million edges), but a longer history, a bigger definition or a small driver may
not. Here the same superstep is two joins of the edge table with the node values
and two ``groupBy`` sums, on the executors; only scalars (the background node's
value, the sum of all values, the count of nodes still running) come back to the
driver, so nothing of size O(nodes) or O(edges) has to fit there.

One definition, not two: the parameters are ``openrank.load_params()``, the edges
are ``openrank.edge_sql`` (run by the Spark engine), the prior rule's numbers
(attenuation per month since, minimum value, the sigmoid of a user's activity)
come from the same parameters, and tests/test_openrank_spark.py checks the values
against ``solve`` (to 1e-9) on hand-checkable graphs, a random graph and a chain.
The superstep rules are those of ``solve`` (its docstring): superstep 0 sets the
initial values, superstep 1 sees no messages, retention per node type, the
background node is a scalar, a node votes to halt once it changed by less than
the tolerance and never un-votes, at most ``max_iterations`` supersteps, the
background's final value spread evenly at the end.

Lineage: every superstep's node values are checkpointed (``checkpoint`` when the
SparkContext has a checkpoint directory — a cluster that may lose an executor
should set one — else ``localCheckpoint``), so superstep 60's plan is one join
deep, not sixty.

Two ways in:

* ``run_chain``: months in order, each month's values written as Parquet under a
  history folder (any URI Spark writes), the next month's priors read back from
  it — the whole chain stays on the cluster;
* ``compute_month_on_spark``: the hook ``ensure_openrank(..., compute=...)`` calls
  for ``--openrank-on spark``; the store stays the record (as for every other
  metric), so the month's priors go to Spark from the store and its values come
  back to be written there — O(nodes) through the driver once a month, while the
  edges and the supersteps stay on the cluster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from osslever.metrics import openrank as orank
from osslever.store import Store

REPO, USER = 0, 1  # node type codes in the iteration's frames
VALUE_COLUMNS = ("period", "node_type", "node", "value", "node_key")


def _f() -> Any:
    from pyspark.sql import functions

    return functions


@dataclass
class SparkMonth:
    """One month solved on Spark: its values (a DataFrame) and what ``gh_openrank_runs`` keeps."""

    period: str
    values: Any  # DataFrame: period, node_type, node, value (background spread in), node_key
    repos: int
    users: int
    edges: int
    background: float  # before being spread
    supersteps: int
    converged: bool

    def summary(self, events: int = 0) -> dict[str, Any]:
        return {
            "period": self.period,
            "events": int(events),
            "repos": self.repos,
            "users": self.users,
            "edges": self.edges,
            "iterations": self.supersteps,
            "converged": self.converged,
        }


def _cut(frame: Any) -> Any:
    """Materialise ``frame`` and drop its lineage (reliable checkpoint when a dir is set).

    A checkpointed frame still carries its origin plan for statistics (Spark 3.4+),
    and the optimiser walks that chain back through every superstep — each step
    reads the previous one three times, so the walk grows exponentially (a minute
    at superstep 5, a stack overflow later). Rebuilding the frame over the
    checkpoint's rows leaves a plan of one leaf.
    """
    from pyspark.sql import DataFrame

    spark = frame.sparkSession
    reliable = bool(spark.sparkContext.getCheckpointDir())
    done = frame.checkpoint(eager=True) if reliable else frame.localCheckpoint(eager=True)
    jdf = spark._jsparkSession.createDataFrame(done._jdf.rdd(), done._jdf.schema())
    return DataFrame(jdf, spark)


def _release(frame: Any) -> None:
    """Let Spark drop a superseded superstep's blocks (unpersist, then the JVM's cleaner)."""
    with contextlib.suppress(Exception):  # a checkpointed frame may not be "persisted"
        frame.unpersist()


def spark_priors(history: Any, period: str, params: orank.OpenRankParams | None = None) -> Any:
    """The prior rule of ``openrank._priors`` on a DataFrame of earlier months' values.

    ``history``: period, node_type, node_key, value (one row per node and month).
    Each node's last value before ``period`` × attenuation^(months since), kept when
    above the minimum — the numbers are the parameters', the rule the same.
    """
    F = _f()
    p = params or orank.load_params()
    target = orank.month_index(period)
    month = F.substring("period", 1, 4).cast("int") * 12 + F.substring("period", 6, 2).cast("int") - 1
    last = (
        history.where(F.col("period") < F.lit(period))
        .groupBy("node_type", "node_key")
        .agg(F.max_by("value", "period").alias("last_value"), F.max(month).alias("month_index"))
    )
    decayed = F.col("last_value") * F.pow(F.lit(p.attenuation), (F.lit(target) - F.col("month_index")).cast("double"))
    return last.select("node_type", "node_key", decayed.alias("value")).where(F.col("value") > F.lit(p.prior_min_value))


def solve_month(
    edges: Any,
    priors: Any | None,
    period: str,
    params: orank.OpenRankParams | None = None,
) -> SparkMonth:
    """Iterate one month on Spark, as ``build_graph`` + ``solve`` do on the driver.

    ``edges``: the DataFrame of ``edge_sql(period)`` (repo_key, repo_name, user_key,
    user_login, activity, last_at); ``priors``: node_type ('repo'/'user'), node_key,
    value — already decayed (``spark_priors``, or ``_priors`` of a store), or None.
    """
    F = _f()
    p = params or orank.load_params()
    spark = edges.sparkSession
    e = edges.select(
        "repo_key",
        "repo_name",
        "user_key",
        "user_login",
        F.col("activity").cast("double").alias("activity"),
        F.col("last_at").cast("timestamp").alias("last_at"),
    )
    # A node's name: that of its newest edge; among equals the last row of edge_sql's
    # ORDER BY repo_key, user_key (``_nodes``), i.e. the largest other key.
    repos = e.groupBy("repo_key").agg(
        F.sum("activity").alias("total"),
        F.max_by("repo_name", F.struct("last_at", "user_key")).alias("node"),
    )
    users = e.groupBy("user_key").agg(
        F.sum("activity").alias("total"),
        F.max_by("user_login", F.struct("last_at", "repo_key")).alias("node"),
    )
    nodes = repos.select(F.lit(REPO).alias("t"), F.col("repo_key").alias("node_key"), "node", "total").unionByName(
        users.select(F.lit(USER).alias("t"), F.col("user_key").alias("node_key"), "node", "total")
    )
    # ids are drawn once and frozen by the checkpoint (monotonically_increasing_id is not
    # stable across recomputation); every later join is on (t, id), not on strings
    nodes = _cut(nodes.withColumn("id", F.monotonically_increasing_id()))
    if priors is not None:
        prior = priors.select(
            F.when(F.col("node_type") == "repo", F.lit(REPO)).otherwise(F.lit(USER)).alias("t"),
            "node_key",
            F.col("value").cast("double").alias("prior"),
        )
        nodes_init = nodes.join(prior, ["t", "node_key"], "left")
    else:
        nodes_init = nodes.withColumn("prior", F.lit(None).cast("double"))
    new_user = F.lit(1.0) / (F.lit(1.0) + F.exp(F.lit(p.sigmoid_slope) * (F.lit(p.sigmoid_midpoint) - F.col("total"))))
    base = F.when(F.col("t") == USER, new_user).otherwise(F.lit(0.0))
    init = base + F.coalesce(F.col("prior"), F.lit(0.0))
    retention = F.when(F.col("t") == USER, F.lit(p.retention_user)).otherwise(F.lit(p.retention_repo))
    one_minus = F.when(F.col("t") == USER, F.lit(1 - p.retention_user)).otherwise(F.lit(1 - p.retention_repo))
    state = _cut(
        nodes_init.select(
            "t",
            "id",
            (retention * init).alias("keep"),
            one_minus.alias("step"),
            init.alias("x"),
            F.lit(False).alias("done"),
        )
    )
    ids = nodes.select("t", "id", "node_key")
    w = (
        e.select("repo_key", "user_key", "activity")
        .join(
            ids.where(F.col("t") == REPO).select(F.col("node_key").alias("repo_key"), F.col("id").alias("rid")),
            "repo_key",
        )
        .join(
            ids.where(F.col("t") == USER).select(F.col("node_key").alias("user_key"), F.col("id").alias("uid")),
            "user_key",
        )
        .join(nodes.where(F.col("t") == REPO).select(F.col("id").alias("rid"), F.col("total").alias("rt")), "rid")
        .join(nodes.where(F.col("t") == USER).select(F.col("id").alias("uid"), F.col("total").alias("ut")), "uid")
        # as solve: diag(share/total) · A, i.e. (share/total)·activity
        .select(
            "rid",
            "uid",
            ((F.lit(p.activity_share) / F.col("rt")) * F.col("activity")).alias("w_ru"),
            ((F.lit(p.activity_share) / F.col("ut")) * F.col("activity")).alias("w_ur"),
        )
    )
    weights = _cut(w)
    counts = (
        nodes.groupBy()
        .agg(
            F.sum(F.when(F.col("t") == REPO, 1).otherwise(0)).alias("repos"),
            F.sum(F.when(F.col("t") == USER, 1).otherwise(0)).alias("users"),
        )
        .first()
    )
    n_repos, n_users = int(counts["repos"] or 0), int(counts["users"] or 0)
    n_edges = weights.count()
    n = n_repos + n_users
    if n == 0:
        empty = spark.createDataFrame([], "period string, node_type string, node string, value double, node_key string")
        return SparkMonth(period, empty, 0, 0, 0, 0.0, 0, True)

    from_background = 1.0 / n
    r_bg, tol = p.retention_background, p.tolerance
    x_bg, done_bg, step, converged = 0.0, False, 0, False
    total_x = 0.0  # the sum of the previous superstep's node values
    for step in range(1, max(p.max_iterations, 1)):
        if step == 1:  # messages sent in superstep 0: none
            msg = F.lit(0.0)
            new_bg = (1 - r_bg) * 0.0
            frame = state
        else:
            bg_share = x_bg * from_background
            x_repo = state.where(F.col("t") == REPO).select(F.col("id").alias("rid"), "x")
            x_user = state.where(F.col("t") == USER).select(F.col("id").alias("uid"), "x")
            to_users = (
                weights.join(x_repo, "rid")
                .groupBy("uid")
                .agg(F.sum(F.col("w_ru") * F.col("x")).alias("m"))
                .select(F.lit(USER).alias("t"), F.col("uid").alias("id"), "m")
            )
            to_repos = (
                weights.join(x_user, "uid")
                .groupBy("rid")
                .agg(F.sum(F.col("w_ur") * F.col("x")).alias("m"))
                .select(F.lit(REPO).alias("t"), F.col("rid").alias("id"), "m")
            )
            frame = state.join(to_users.unionByName(to_repos), ["t", "id"], "left")
            msg = F.coalesce(F.col("m"), F.lit(0.0)) + F.lit(bg_share)
            new_bg = (1 - r_bg) * (p.to_background * total_x)
        new_x = F.col("keep") + F.col("step") * msg
        following = _cut(
            frame.select(
                "t",
                "id",
                "keep",
                "step",
                new_x.alias("x"),
                (F.col("done") | (F.abs(new_x - F.col("x")) < F.lit(tol))).alias("done"),
            )
        )
        if state is not following:
            _release(state)
        state = following
        agg = (
            state.groupBy()
            .agg(F.sum("x").alias("total"), F.sum(F.when(F.col("done"), 0).otherwise(1)).alias("running"))
            .first()
        )
        total_x, running = float(agg["total"]), int(agg["running"])
        done_bg = done_bg or abs(new_bg - x_bg) < tol
        x_bg = new_bg
        if done_bg and running == 0:
            converged = True
            break
        if step % 10 == 0:  # superseded supersteps' blocks go once the JVM has collected them
            spark.sparkContext._jvm.System.gc()
    spread = x_bg / n
    values = state.join(nodes, ["t", "id"]).select(
        F.lit(period).alias("period"),
        F.when(F.col("t") == REPO, F.lit("repo")).otherwise(F.lit("user")).alias("node_type"),
        "node",
        (F.col("x") + F.lit(spread)).alias("value"),
        "node_key",
    )
    return SparkMonth(period, values, n_repos, n_users, n_edges, float(x_bg), step + 1, converged)


# --------------------------------------------------------------------------- the chain on Parquet


def _fs(spark: Any, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def month_folder(history: str, period: str) -> str:
    """Where ``run_chain`` keeps one month's values (no ``k=v`` name: no partition guessing)."""
    return f"{history.rstrip('/')}/openrank-{period}"


def read_history(spark: Any, history: str) -> Any | None:
    """Every month's values written under ``history`` so far, or None when there are none."""
    fs, root = _fs(spark, history)
    if not fs.exists(root):
        return None
    months = [s.getPath().getName() for s in fs.listStatus(root) if s.isDirectory()]
    if not any(name.startswith("openrank-") for name in months):
        return None
    schema = "period string, node_type string, node string, value double, node_key string"
    return spark.read.schema(schema).parquet(f"{history.rstrip('/')}/openrank-*")


def run_chain(
    spark: Any,
    months: Sequence[str],
    edges_of: Callable[[str], Any],
    history: str,
    params: orank.OpenRankParams | None = None,
) -> list[dict[str, Any]]:
    """Months in order on Spark, each one's priors decayed from the values under ``history``.

    ``edges_of(period)`` gives the month's edge DataFrame (``edge_sql`` through the
    Spark engine, or generated); each month's values are written as Parquet to
    ``month_folder(history, period)`` (replacing what was there) before the next
    month reads its priors from them. Returns the months' summaries.
    """
    p = params or orank.load_params()
    out = []
    for period in months:
        past = read_history(spark, history)
        priors = spark_priors(past, period, p) if past is not None else None
        month = solve_month(edges_of(period), priors, period, p)
        month.values.write.mode("overwrite").parquet(month_folder(history, period))
        out.append(month.summary())
    return out


# --------------------------------------------------------------------------- the store's chain (CLI)


def compute_month_on_spark(
    store: Store,
    period: str,
    engine: Any,
    params: orank.OpenRankParams | None = None,
    events: int | None = None,
) -> dict[str, Any]:
    """``openrank.compute_month`` with the iteration on ``engine``'s Spark session.

    The edges are ``edge_sql`` on the engine's events and never leave Spark; the
    priors come from the store (the record of earlier months, ``_priors``) and the
    values go back to it (``write_month``), so ``metrics``/``rank`` read them as
    they read every month computed on the driver.
    """
    p = params or orank.load_params()
    spark = getattr(engine, "spark", None)
    frame = getattr(engine, "frame", None)
    if spark is None or not callable(frame):
        from osslever.errors import UserError

        raise UserError("openrank.spark_needs_spark", engine=getattr(engine, "name", "?"))
    edges = frame(orank.edge_sql(period, p))
    prior_table = orank._priors(store, period, p)
    priors = _arrow_frame(spark, prior_table) if prior_table.num_rows else None
    month = solve_month(edges, priors, period, p)
    summary = month.summary(events or 0)
    orank.write_month(store, _to_arrow(month.values), summary)
    return summary


def _arrow_frame(spark: Any, table: pa.Table) -> Any:
    return spark.createDataFrame(table.select(["node_type", "node_key", "value"]))


def _to_arrow(frame: Any) -> pa.Table:
    to_arrow = getattr(frame, "toArrow", None)
    table = to_arrow() if callable(to_arrow) else pa.Table.from_pylist([r.asDict() for r in frame.collect()])
    if table.num_rows == 0:
        return pa.table({c: pa.array([], pa.float64() if c == "value" else pa.string()) for c in VALUE_COLUMNS})
    return table.select(list(VALUE_COLUMNS))
