"""``osslever sbom PATH --format spdx-json|cyclonedx-json -o FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import emit, lang_option, location_argument, output_option, quiet_option
from osslever.i18n import t


@click.command(name="sbom")
@location_argument(default=None)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["spdx-json", "cyclonedx-json"]),
    default="spdx-json",
    show_default=True,
    help="SBOM format. SBOM 格式。",
)
@click.option("--online", is_flag=True, help="Look up missing licenses online. 在线查询许可证。")
@click.option("--ref", default=None, help="Read files from this git commit. 读取指定提交。")
@lang_option
@output_option
@quiet_option
def command(
    location: str, fmt: str, online: bool, ref: str | None, lang: str, output: Path | None, quiet: bool
) -> None:
    """Software bill of materials of a project's dependencies, with their licenses.

    导出项目依赖及其许可证的软件物料清单（SBOM）。
    """
    from osslever.models.license.document import license_document, resolve_location
    from osslever.outputs.sbom import sbom

    doc = license_document(location, online=online, ref=ref, lang="en")
    root, _ = resolve_location(location)
    name = root.resolve().name or "project"
    text = sbom(doc, fmt, name)
    emit(text, output)
    if output is not None and not quiet:
        click.echo(t("license.sbom.written", format=fmt, count=len(doc["dependencies"]), path=str(output)), err=True)
