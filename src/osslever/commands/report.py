"""``osslever report``: the main job — a community-health report on one repository."""

from __future__ import annotations

import json
from pathlib import Path

import click

from osslever.commands._options import (
    affiliations_option,
    db_option,
    emit,
    lang_option,
    location_argument,
    output_option,
    quiet_option,
    ref_option,
)
from osslever.progress import make_progress


@click.command("report")
@location_argument()
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "json"]),
    default=None,
    help="Output format (default: html when -o ends in .html, md for .md, else json). 输出格式。",
)
@lang_option
@ref_option
@db_option
@affiliations_option("YAML file: identity or domain → organization, with optional date ranges. 归属文件。")
@quiet_option
def command(
    location: str,
    output: Path | None,
    fmt: str | None,
    lang: str,
    ref: str,
    db: Path | None,
    affiliations: Path | None,
    quiet: bool,
) -> None:
    """Report on a repository (path, bare repository or clone URL).

    分析一个仓库（路径、裸仓库或克隆地址）并生成社区健康报告。
    """
    from osslever.workspace import Workspace

    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = {".html": "html", ".htm": "html", ".md": "md"}.get(suffix, "json")
    with Workspace(db, lang=lang) as ws:
        history = ws.refresh_report(location, ref=ref, quiet=quiet, progress=make_progress(quiet))
        document = ws.report(history, affiliations=affiliations)
    if fmt == "json":
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    elif fmt == "md":
        from osslever.outputs.markdown import render_report

        text = render_report(document, lang)
    else:
        from osslever.outputs.html import render_report

        text = render_report(document, lang)
    emit(text, output)
    if output is not None and not quiet:
        click.echo(str(output), err=True)
