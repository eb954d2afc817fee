"""``osslever export opendigger OWNER/NAME -o DIR``: metrics as OpenDigger's JSON files.

OpenDigger publishes one file per metric and repository with keys ``YYYY``,
``YYYYQn`` and ``YYYY-MM`` and zero values omitted (src/cron/tasks/monthlyExport.ts);
duration metrics are one file with ``avg``, ``quantile_0..4`` sub-objects. Writing
the same layout lets existing OpenDigger consumers read osslever's numbers.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from osslever.commands._options import db_option, lang_option, quiet_option, repo_argument
from osslever.errors import UserError


@click.group(name="export")
def command() -> None:
    """Export metrics in other tools' formats. 以其他工具的格式导出指标。"""


def _write_json(path: Path, content: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".osslever-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(content, fh, ensure_ascii=False, sort_keys=False)
    os.replace(tmp, path)


def _sort_key(key: str) -> tuple[int, int, int]:
    """YYYY, YYYYQn, YYYY-MM in time order, a year after its quarters and months."""
    year = int(key[:4])
    if "Q" in key:
        return (year, int(key[5]) * 3, 1)
    if "-" in key:
        return (year, int(key[5:7]), 0)
    return (year, 13, 2)


def opendigger_files(series: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """{metric: {key: value}} → {file name: JSON content} in OpenDigger's layout."""
    files: dict[str, Any] = {}
    for name, values in series.items():
        if not values:
            continue
        keys = sorted(values, key=_sort_key)
        first = values[keys[0]]
        if isinstance(first, dict):  # duration metric: one object per statistic
            stats: dict[str, dict[str, Any]] = {}
            for key in keys:
                for stat, value in values[key].items():
                    if stat == "count" or value is None:
                        continue
                    stats.setdefault(stat, {})[key] = value
            files[f"{name}.json"] = stats
        else:
            files[f"{name}.json"] = {key: values[key] for key in keys}
    return files


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
    from osslever.engines import get_engine
    from osslever.metrics.events import export_series
    from osslever.metrics.events._query import check_repo
    from osslever.store import open_store

    check_repo(repo)
    with open_store(db, read_only=bool(db and db.exists())) as store:
        series = export_series(get_engine("duckdb", store), repo)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = opendigger_files(series)
        for name, content in files.items():
            _write_json(out_dir / name, content)
    except OSError as exc:
        raise UserError("events.export_folder", path=str(out_dir), detail=str(exc)) from exc
    if not quiet:
        click.echo(f"{len(files)} → {out_dir}", err=True)
