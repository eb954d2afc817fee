"""``osslever forecast SCENARIO.yaml``: Monte Carlo revenue by business model."""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import db_option, emit, evidence_repo_option, lang_option, output_option, quiet_option
from osslever.errors import UserError

FORMATS = ("table", "json", "md", "html")


@click.command(name="forecast")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@evidence_repo_option(
    "Repository whose measured funnel (stars from stored events) overrides the scenario. 用仓库实测数据覆盖情景。",
    path_type=True,
)
@click.option(
    "--paths",
    type=click.IntRange(1, 1_000_000),
    default=10000,
    show_default=True,
    help="Monte Carlo paths. 模拟路径数。",
)
@click.option("--seed", type=int, default=None, help="Random seed (reproducible runs). 随机种子。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
@quiet_option
@lang_option
@output_option
def command(
    scenario: Path,
    repo: Path | None,
    paths: int,
    seed: int | None,
    fmt: str,
    db: Path | None,
    lang: str,
    output: Path | None,
) -> None:
    """P10/P50/P90 ARR, customers and cash for every business model of SCENARIO.

    按商业模式预测 ARR、客户数与现金（P10/P50/P90）。
    """
    from osslever.outputs.finance import render
    from osslever.workspace import Workspace

    if repo is not None and not repo.is_dir():
        raise UserError("finance.scenario.repo_missing", path=str(repo))
    with Workspace(db, read_only=True, lang=lang) as ws:  # reads stored stars only
        doc = ws.forecast(scenario, paths=paths, seed=seed, repo=repo)
    text = {
        "json": render.to_json,
        "table": render.forecast_text,
        "md": lambda d: render.forecast_text(d, markdown=True),
        "html": render.forecast_html,
    }[fmt](doc)
    emit(text, output)
