"""``ingest gharchive --engine spark``: GH Archive files → Parquet partitions, on Spark.

For years of all-GitHub data: Spark distributes the files (one task per file)
and each task runs the very same ``read_file`` → ``normalize`` as the DuckDB
ingest (``mapPartitions``), so there is one definition of every column. Each
task writes its file's rows to ``OUT/gh_events/month=YYYY-MM/<file>.parquet``
(written to a temporary name, then renamed: a file is all there or absent, and
a re-run skips files already written). ``SparkEngine(parquet=OUT)`` and
``osslever metrics --engine spark --parquet OUT`` read that layout.

Input paths must be readable by every executor (a shared or object file system);
on ``local[*]`` that is the local disk. Rows are deduplicated by event id within
a file; the Spark view deduplicates across files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.sources.gharchive.ingest import IngestReport, expand_inputs, source_key
from osslever.sources.gharchive.normalize import TIMESTAMP_COLUMNS
from osslever.sources.gharchive.reader import FileResult, Filter, read_file

TABLE = "gh_events"
MASTER_ENV = "OSSLEVER_SPARK_MASTER"  # same variable as the Spark engine


def _target(out_dir: str, name: str, month: str) -> str:
    return os.path.join(out_dir, TABLE, f"month={month}", name + ".parquet")


def convert_file(path: str, out_dir: str, flt: Filter) -> dict[str, Any]:
    """Read one file and write its Parquet partition file; a stats dict for the driver."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    result = read_file(path, flt)
    stats = {
        "path": path,
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
    table = table.append_column("source", pa.array([Path(path).name] * table.num_rows, pa.string()))
    first = pc.min(table.column("created_at")).as_py() if table.num_rows else None
    month = first.strftime("%Y-%m") if first else "empty"
    target = _target(out_dir, source_key(Path(path), flt), month)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, target)
    stats["target"] = target
    return stats


def _convert_partition(paths: Iterable[str], out_dir: str, flt: Filter) -> Iterator[dict]:
    for path in paths:
        yield convert_file(path, out_dir, flt)


def _already_written(out_dir: Path, key: str) -> bool:
    root = out_dir / TABLE
    return root.is_dir() and any(root.glob(f"month=*/{key}.parquet"))


def ingest_to_parquet(
    inputs: Iterable[str | Path],
    out_dir: Path,
    flt: Filter | None = None,
    master: str | None = None,
    session: Any = None,
) -> IngestReport:
    flt = flt or Filter()
    report = IngestReport()
    files = expand_inputs(inputs)
    todo = []
    for path in files:
        if _already_written(out_dir, source_key(path, flt)):
            report.files_skipped += 1
        else:
            todo.append(str(path.resolve()))
    if not todo:
        return report
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UserError("events.spark_missing") from exc
    spark = session
    if spark is None:
        builder = (
            SparkSession.builder.master(master or os.environ.get(MASTER_ENV) or "local[*]")
            .appName("osslever-ingest")
            .config("spark.sql.session.timeZone", "UTC")
        )
        # Local executors must run this interpreter (it has osslever, msgspec, isal);
        # on a cluster, PYSPARK_PYTHON names the workers' interpreter.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = builder.getOrCreate()
    out = str(out_dir.resolve())
    rdd = spark.sparkContext.parallelize(todo, numSlices=len(todo))
    for stats in rdd.mapPartitions(lambda it: _convert_partition(it, out, flt)).collect():
        if stats["error"]:
            report.failed.append(FileResult(stats["path"], error=stats["error"], detail=stats["detail"]))
            continue
        report.files_ingested += 1
        report.events += stats["events"]
        report.new_events += stats["events"]
        report.bad_lines += stats["bad_lines"]
        report.bad_examples += [(stats["path"], n, why) for n, why in stats["bad_examples"]]
    return report
