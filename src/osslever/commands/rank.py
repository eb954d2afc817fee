"""``osslever rank``: the top repositories by OpenRank or activity for a period."""

from __future__ import annotations

import json
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
    spark_master_option,
)
from osslever.i18n import t


@click.command("rank")
@click.option(
    "--by",
    type=click.Choice(["openrank", "activity"]),
    default="openrank",
    show_default=True,
    help="What to rank by. 排名依据。",
)
@click.option("--period", default=None, help="2024-01, 2024Q1 or 2024 (default: the last month with events). 时间段。")
@click.option(
    "--top", type=click.IntRange(min=1), default=50, show_default=True, help="How many repositories. 显示数量。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format. 输出格式。",
)
@engine_option("Query engine. 查询引擎。")
@spark_master_option
@openrank_on_option
@parquet_in_option("parquet", "Folder of Parquet event partitions (gh_events/...) for Spark. Parquet 目录。")
@db_option
@lang_option
@quiet_option
@output_option
def command(
    by: str,
    period: str | None,
    top: int,
    fmt: str,
    engine: str,
    spark_master: str | None,
    openrank_on: str,
    parquet: Path | None,
    db: Path | None,
    lang: str,
    quiet: bool,
    output: Path | None,
) -> None:
    """Rank repositories by OpenRank or activity. 按 OpenRank 或活跃度为仓库排名。"""
    from osslever.outputs.tables import rank_table
    from osslever.workspace import Workspace

    with Workspace(
        db, engine=engine, spark_master=spark_master, parquet=parquet, lang=lang, openrank_on=openrank_on
    ) as ws:
        computed = ws.refresh_openrank(period) if by == "openrank" else []
        doc = ws.rank(by=by, period=period, top=top)
        doc["computed"] = computed
    if doc["computed"] and not quiet:
        detail = ", ".join(c["period"] for c in doc["computed"])
        click.echo(t("rank.computed", months=len(doc["computed"]), detail=detail), err=True)
    if fmt == "json":
        emit(json.dumps(doc, ensure_ascii=False, indent=2), output)
    else:
        emit(rank_table(doc), output)
