"""``osslever metrics OWNER/NAME``: OpenDigger-compatible event metrics for one period."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import click

from osslever.commands._options import (
    db_option,
    emit,
    engine_option,
    lang_option,
    output_option,
    parquet_in_option,
    quiet_option,
    repo_argument,
    spark_master_option,
)


def _default_period() -> str:
    """The last complete month (what OpenDigger's monthly export would show)."""
    now = datetime.now(UTC)
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def render_table(doc: dict, lang: str) -> str:
    from rich.console import Console
    from rich.table import Table

    from osslever.i18n import t

    table = Table(title=t("metrics.title", lang=lang, repo=doc["repo"], period=doc["period"]))
    table.add_column(t("metrics.metric", lang=lang))
    table.add_column(t("metrics.value", lang=lang), justify="right")
    table.add_column(t("metrics.note", lang=lang))
    for name, value in doc["metrics"].items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            shown = "—" if value is None else str(value)
        table.add_row(name, shown, doc["notes"].get(name, ""))
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(table)
    return console.export_text()


@click.command(name="metrics")
@repo_argument
@click.option(
    "--period",
    default=None,
    metavar="2024-01|2024Q1|2024",
    help="Month, quarter or year (default: last complete month). 统计周期。",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@engine_option("Query engine (spark: OSSLEVER_SPARK_MASTER). 查询引擎。")
@spark_master_option
@parquet_in_option(
    "parquet_dir",
    "With --engine spark: the folder written by `ingest gharchive --engine spark` "
    "(default: the store). Parquet 事件目录。",
)
@db_option
@output_option
@quiet_option
@lang_option
def command(
    repo: str,
    period: str | None,
    fmt: str,
    engine: str,
    parquet_dir: str | None,
    db: Path | None,
    output: Path | None,
    lang: str,
) -> None:
    """OpenDigger-compatible metrics of one repository from GitHub events.

    一个仓库的 OpenDigger 兼容事件指标（活跃度、关注度、OpenRank 等）。
    """
    from osslever.engines import get_engine
    from osslever.metrics.events import metrics_document
    from osslever.metrics.events._query import check_repo
    from osslever.metrics.events.periods import parse_period
    from osslever.store import open_store

    check_repo(repo)
    chosen = parse_period(period or _default_period())
    if engine == "spark":
        from osslever.engines.spark import SparkEngine  # type: ignore[import-not-found]

        with contextlib.ExitStack() as stack:
            if parquet_dir:
                spark = SparkEngine(parquet=parquet_dir)
            else:
                store = stack.enter_context(open_store(db, read_only=bool(db and db.exists())))
                spark = SparkEngine(store=store)
            stack.callback(spark.close)  # also removes the temporary Parquet export
            doc = metrics_document(spark, repo, chosen)
    else:
        from osslever.metrics.openrank import ensure_openrank, months_of

        with open_store(db) as store:
            # OpenRank of a month depends on all earlier months: compute what is missing first.
            ensure_openrank(store, until=months_of(chosen.key)[-1])
            doc = metrics_document(get_engine("duckdb", store), repo, chosen)
    if fmt == "json":
        emit(json.dumps(doc, ensure_ascii=False, indent=2), output)
    else:
        emit(render_table(doc, lang), output)
