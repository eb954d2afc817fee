"""``osslever finance metrics BILLING.csv``: recurring-revenue metrics from billing data."""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import emit, lang_option, output_option, quiet_option

FORMATS = ("table", "json", "md", "html")


@click.group(name="finance")
def command() -> None:
    """Revenue metrics from billing data. 由账单数据计算收入指标。"""


@command.command(name="metrics")
@click.argument("billing", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rates",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="FX file: currency,rate (US$ per unit); converts everything to USD. 汇率文件。",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM",
    help="Month to measure at (default: the last month in the data). 统计月份。",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--source-format",
    type=click.Choice(("auto", "generic", "stripe")),
    default="auto",
    show_default=True,
    help="Layout of BILLING (auto-detected). 账单文件格式。",
)
@click.option("--skip-bad-rows", is_flag=True, help="Compute without bad rows and list them. 跳过有误的行并列出。")
@quiet_option
@lang_option
@output_option
def metrics(
    billing: Path,
    rates: Path | None,
    as_of: str | None,
    fmt: str,
    source_format: str,
    skip_bad_rows: bool,
    lang: str,
    output: Path | None,
) -> None:
    """MRR, ARR, movements, NRR/GRR, concentration and cohorts of BILLING.csv.

    MRR、ARR、变动、NRR/GRR、集中度与同期群留存。
    """
    from osslever.outputs.finance import render
    from osslever.workspace import Workspace

    # billing data is a file, not the store: the workspace never opens one here
    doc = Workspace(lang=lang).finance(
        billing, as_of=as_of, rates=rates, skip_bad_rows=skip_bad_rows, source_format=source_format
    )
    text = {
        "json": render.to_json,
        "table": render.metrics_text,
        "md": lambda d: render.metrics_text(d, markdown=True),
        "html": render.metrics_html,
    }[fmt](doc)
    emit(text, output)
