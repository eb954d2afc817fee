"""``osslever infer PATH``: the strategy profile the repository itself shows, as a profile.yaml to correct."""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import emit, lang_option, output_option, quiet_option


@click.command(name="infer")
@click.argument("location", default=".", required=False)
@click.option(
    "--report",
    "report_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A report document (osslever report --format json) to take the measured fields from. 报告文档。",
)
@output_option
@quiet_option
@lang_option
def command(location: str, report_file: Path | None, output: Path | None, quiet: bool, lang: str) -> None:
    """Infer a profile from the repository's own files (delivery, category, enterprise edition,
    CLA/DCO, operational complexity) and, with --report, the measured community, vendor,
    age and release facts; every line says where it came from.

    从仓库自身的文件推断项目画像（交付方式、类别、企业版、CLA/DCO、运维复杂度），并可用 --report
    取实测的社区、厂商依赖、项目年龄与发布节奏；每一行都注明来源。
    """
    from osslever.errors import UserError
    from osslever.models.profile_inference import infer_profile, profile_yaml
    from osslever.sources.git.repository import open_repository

    path = Path(location).resolve()
    report = _read_report(report_file) if report_file else None
    inferred = infer_profile(path, report=report)
    try:
        name = open_repository(str(path)).name  # from the remote or the manifest, as the report names it
    except UserError:
        name = path.name  # a folder that is not a git repository
    emit(profile_yaml(inferred, name, lang), output)


def _read_report(path: Path) -> dict:
    """The report document in ``path``, checked against its type (a user's file, so its
    faults are user errors, named in one line)."""
    import json

    from osslever.documents import OffSchema, typed
    from osslever.errors import UserError

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError("inference.bad_report", path=str(path), detail=str(exc).splitlines()[0]) from None
    if not isinstance(doc, dict):
        raise UserError("inference.bad_report", path=str(path), detail=type(doc).__name__)
    try:
        typed("report", doc)
    except OffSchema as exc:
        raise UserError("inference.bad_report", path=str(path), detail=str(exc).splitlines()[0][-200:]) from None
    return doc
