"""``ingest gharchive --engine spark``: GH Archive files → Parquet partitions, on Spark.

For years of all-GitHub data: Spark distributes the files (one task per file)
and each task runs the very same ``read_file`` → ``normalize`` as the DuckDB
ingest (``mapPartitions``), so there is one definition of every column. The
result is ``OUT/gh_events/month=YYYY-MM/<file>.parquet`` (month of the file's
first event), which ``SparkEngine(parquet=OUT)`` and ``osslever metrics
--engine spark --parquet OUT`` read.

Deduplication is the DuckDB path's: an event id is kept once, by the first
file in input order, and never again once the lake has it (a later run, an
overlapping file under another name). Three steps, all on the cluster:

1. each task reads one file and stages its rows (``OUT/_staging/<file>.parquet``,
   with the file's position in the input);
2. one Spark SQL job finds the staged ids already in the lake or staged by an
   earlier file (an anti-join and a ``row_number`` per id): the duplicates;
3. each task writes its file's rows minus its duplicates to the lake (to a
   temporary name, then renamed: a file is all there or absent, and a re-run
   skips files already written), then drops the staged copy.

Input paths must be readable by every executor, and ``OUT`` shared by the
driver and the executors (a shared or object file system); on ``local[*]`` or
a one-machine cluster that is the local disk.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.sources.gharchive.ingest import IngestReport, expand_inputs, source_key
from osslever.sources.gharchive.normalize import TIMESTAMP_COLUMNS
from osslever.sources.gharchive.reader import FileResult, Filter, read_file

TABLE = "gh_events"
STAGING = "_staging"
MASTER_ENV = "OSSLEVER_SPARK_MASTER"  # same variable as the Spark engine
_ORDER, _KEY = "_osslever_order", "_osslever_key"  # staging-only columns


def _target(out_dir: str, name: str, month: str) -> str:
    return os.path.join(out_dir, TABLE, f"month={month}", name + ".parquet")


def _staged(out_dir: str, key: str) -> str:
    return os.path.join(out_dir, STAGING, key + ".parquet")


def _atomic_write(table: Any, target: str) -> None:
    import pyarrow.parquet as pq

    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, target)


def convert_file(path: str, out_dir: str, flt: Filter, order: int = 0) -> dict[str, Any]:
    """Step 1 in a task: read one file, stage its rows; a stats dict for the driver."""
    import pyarrow as pa
    import pyarrow.compute as pc

    result = read_file(path, flt)
    key = source_key(Path(path), flt)
    stats = {
        "path": path,
        "key": key,
        "order": order,
        "events": result.events,
        "bad_lines": result.bad_lines,
        "bad_examples": result.bad_examples,
        "error": result.error,
        "detail": result.detail,
    }
    if result.error or result.table is None:
        return stats
    table = result.table
    for column in TIMESTAMP_COLUMNS:
        index = table.schema.get_field_index(column)
        if pa.types.is_timestamp(table.schema.field(index).type):
            continue  # read_file already gives timestamps
        parsed = pc.strptime(table.column(column), format="%Y-%m-%dT%H:%M:%S", unit="us")
        table = table.set_column(index, column, parsed)
    n = table.num_rows
    table = table.append_column("source", pa.array([Path(path).name] * n, pa.string()))
    first = pc.min(table.column("created_at")).as_py() if n else None
    stats["month"] = first.strftime("%Y-%m") if first else "empty"
    table = table.append_column(_ORDER, pa.array([order] * n, pa.int64()))
    table = table.append_column(_KEY, pa.array([key] * n, pa.string()))
    stats["staged"] = _staged(out_dir, key)
    _atomic_write(table, stats["staged"])
    return stats


def publish_file(staged: str, target: str, duplicates: Iterable[str]) -> int:
    """Step 3 in a task: the staged rows minus ``duplicates`` into the lake; rows written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(staged)
    table = table.drop_columns([_ORDER, _KEY])
    drop = list(duplicates)
    if drop:
        table = table.filter(pc.invert(pc.is_in(table.column("event_id"), value_set=pa.array(drop, pa.string()))))
    _atomic_write(table, target)
    os.unlink(staged)
    return table.num_rows


def _convert_partition(items: Iterable[tuple[int, str]], out_dir: str, flt: Filter) -> Iterator[dict]:
    for order, path in items:
        yield convert_file(path, out_dir, flt, order)


def _publish_partition(items: Iterable[tuple[str, str, list[str]]]) -> Iterator[tuple[str, int]]:
    for staged, target, duplicates in items:
        yield target, publish_file(staged, target, duplicates)


def _already_written(out_dir: Path, key: str) -> bool:
    root = out_dir / TABLE
    return root.is_dir() and any(root.glob(f"month=*/{key}.parquet"))


def _duplicates(spark: Any, out_dir: Path, staged: list[str]) -> dict[str, list[str]]:
    """Step 2: staged file key → ids to leave out (in the lake already, or staged by an
    earlier file of this run). One Spark SQL job; only the duplicates reach the driver."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    rows = spark.read.parquet(*staged).select("event_id", _ORDER, _KEY)
    lake = out_dir / TABLE
    if lake.is_dir() and any(lake.glob("month=*/*.parquet")):
        stored = spark.read.parquet(str(lake)).select("event_id").distinct()
        in_lake = rows.join(stored, "event_id", "left_semi")
    else:
        in_lake = rows.limit(0)
    first = Window.partitionBy("event_id").orderBy(_ORDER)
    repeated = rows.withColumn("_n", F.row_number().over(first)).where("_n > 1").drop("_n")
    dupes = in_lake.unionByName(repeated).groupBy(_KEY).agg(F.collect_set("event_id").alias("ids"))
    return {row[_KEY]: list(row["ids"]) for row in dupes.collect()}


def _session(master: str | None) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UserError("events.spark_missing") from exc
    builder = (
        SparkSession.builder.master(master or os.environ.get(MASTER_ENV) or "local[*]")
        .appName("osslever-ingest")
        .config("spark.sql.session.timeZone", "UTC")
    )
    # Executors must run this interpreter (it has osslever, msgspec, isal) unless
    # PYSPARK_PYTHON names the workers' interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.getOrCreate()


def ingest_to_parquet(
    inputs: Iterable[str | Path],
    out_dir: Path,
    flt: Filter | None = None,
    master: str | None = None,
    session: Any = None,
) -> IngestReport:
    """Files → the Parquet lake at ``out_dir``; what was done, as ``ingest_files`` reports it."""
    flt = flt or Filter()
    report = IngestReport()
    files = expand_inputs(inputs)
    todo: list[tuple[int, str]] = []
    seen: set[str] = set()
    for order, path in enumerate(files):
        key = source_key(path, flt)
        if key in seen or _already_written(out_dir, key):
            report.files_skipped += 1
        else:
            seen.add(key)
            todo.append((order, str(path.resolve())))
    if not todo:
        return report
    spark = session if session is not None else _session(master)
    out = str(out_dir.resolve())
    shutil.rmtree(os.path.join(out, STAGING), ignore_errors=True)  # left by an interrupted run
    sc = spark.sparkContext
    stats_all = (
        sc.parallelize(todo, numSlices=len(todo)).mapPartitions(lambda it: _convert_partition(it, out, flt)).collect()
    )
    good = sorted((s for s in stats_all if not s["error"]), key=lambda s: s["order"])
    for stats in stats_all:
        if stats["error"]:
            report.failed.append(FileResult(stats["path"], error=stats["error"], detail=stats["detail"]))
    if good:
        dupes = _duplicates(spark, Path(out), [s["staged"] for s in good])
        jobs = [
            (
                s["staged"],
                os.path.join(out, TABLE, f"month={s['month']}", s["key"] + ".parquet"),
                dupes.get(s["key"], []),
            )
            for s in good
        ]
        written = dict(sc.parallelize(jobs, numSlices=len(jobs)).mapPartitions(_publish_partition).collect())
        for s, job in zip(good, jobs, strict=True):
            report.files_ingested += 1
            report.events += s["events"]
            report.new_events += written[job[1]]
            report.bad_lines += s["bad_lines"]
            report.bad_examples += [(s["path"], n, why) for n, why in s["bad_examples"]]
    shutil.rmtree(os.path.join(out, STAGING), ignore_errors=True)
    return report
