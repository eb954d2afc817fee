"""``osslever metrics OWNER/NAME``: OpenDigger-compatible event metrics for one period."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import click

from osslever.commands._options import db_option, emit, engine_option, lang_option, output_option


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
@click.argument("repo", metavar="OWNER/NAME")
@click.option(
    "--period",
    default=None,
    metavar="2024-01|2024Q1|2024",
    help="Month, quarter or year (default: last complete month). 统计周期。",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@engine_option("Query engine (spark: OSSLEVER_SPARK_MASTER). 查询引擎。")
@click.option(
    "--parquet",
    "parquet_dir",
    default=None,
    metavar="DIR",
    help="With --engine spark: the folder written by `ingest gharchive --engine spark` "
    "(default: the store). Parquet 事件目录。",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help="With --engine spark: the master (default: $OSSLEVER_SPARK_MASTER or local[*]). Spark 地址。",
)
@db_option
@output_option
@lang_option
def command(
    repo: str,
    period: str | None,
    fmt: str,
    engine: str,
    parquet_dir: str | None,
    spark_master: str | None,
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
    from osslever.metrics.openrank import months_of, openrank_on
    from osslever.store import open_store

    check_repo(repo)
    chosen = parse_period(period or _default_period())
    until = months_of(chosen.key)[-1]
    options = {"master": spark_master, "parquet": parquet_dir} if engine == "spark" else {}
    # OpenRank of a month depends on all earlier months: compute what is missing first
    # (edges from the engine's events, values kept in the store, on either engine).
    with open_store(db) as store, get_engine(engine, store, **options) as eng:
        openrank_on(eng, store, until=until)
        doc = metrics_document(eng, repo, chosen)
    if fmt == "json":
        emit(json.dumps(doc, ensure_ascii=False, indent=2), output)
    else:
        emit(render_table(doc, lang), output)
