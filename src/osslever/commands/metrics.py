"""``osslever metrics OWNER/NAME``: OpenDigger-compatible event metrics for one period."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from osslever.commands._options import (
    db_option,
    emit,
    engine_option,
    lang_option,
    openrank_on_option,
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
@openrank_on_option
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
    spark_master: str | None,
    openrank_on: str,
    db: Path | None,
    output: Path | None,
    lang: str,
) -> None:
    """OpenDigger-compatible metrics of one repository from GitHub events.

    一个仓库的 OpenDigger 兼容事件指标（活跃度、关注度、OpenRank 等）。
    """
    from osslever.metrics.events._query import check_repo
    from osslever.metrics.events.periods import parse_period
    from osslever.outputs.tables import metrics_table
    from osslever.workspace import Workspace

    check_repo(repo)
    chosen = parse_period(period or _default_period()).key
    with Workspace(
        db, engine=engine, spark_master=spark_master, parquet=parquet_dir, lang=lang, openrank_on=openrank_on
    ) as ws:
        # OpenRank of a month depends on all earlier months: compute what is missing first
        # (edges from the engine's events, values kept in the store, on either engine).
        ws.refresh_openrank(chosen)
        doc = ws.metrics(repo, chosen)
    if fmt == "json":
        emit(json.dumps(doc, ensure_ascii=False, indent=2), output)
    else:
        emit(metrics_table(doc, lang), output)
