"""``osslever export opendigger OWNER/NAME -o DIR``: metrics as OpenDigger's JSON files.

The layout is ``osslever.outputs.opendigger``; the numbers come from ``Workspace.opendigger``.
"""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import db_option, lang_option, quiet_option, repo_argument
from osslever.errors import UserError


@click.group(name="export")
def command() -> None:
    """Export metrics in other tools' formats. 以其他工具的格式导出指标。"""


@command.command(name="opendigger")
@repo_argument
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the JSON files into. 输出目录。",
)
@db_option
@quiet_option
@lang_option
def opendigger(repo: str, out_dir: Path, db: Path | None, quiet: bool, lang: str) -> None:
    """One JSON per metric, keys YYYY / YYYYQn / YYYY-MM, as OpenDigger publishes.

    每个指标一个 JSON 文件，键为 YYYY / YYYYQn / YYYY-MM，与 OpenDigger 一致。
    """
    from osslever.metrics.events._query import check_repo
    from osslever.outputs.opendigger import write_files
    from osslever.workspace import Workspace

    check_repo(repo)
    with Workspace(db, read_only=bool(db and db.exists()), lang=lang) as ws:
        files = ws.opendigger(repo)
    try:
        write_files(out_dir, files)
    except OSError as exc:
        raise UserError("events.export_folder", path=str(out_dir), detail=str(exc)) from exc
    if not quiet:
        click.echo(f"{len(files)} → {out_dir}", err=True)
