"""``osslever license PATH_OR_GIT_URL``: license, history, dependencies, conflicts, implications."""

from __future__ import annotations

import json
from pathlib import Path

import click

from osslever import i18n
from osslever.commands._options import emit, lang_option, location_argument, output_option, quiet_option
from osslever.errors import UserError


def _registry_urls(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url:
            raise click.BadParameter(f"expected NAME=URL, got {value!r}")
        out[name.strip()] = url.strip()
    return out


@click.command(name="license")
@location_argument(default=None)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "md"]),
    default="table",
    show_default=True,
    help="Output format. 输出格式。",
)
@click.option(
    "--online",
    is_flag=True,
    help="Look up missing dependency licenses in the package registries (cached). "
    "在包仓库在线查询缺失的依赖许可证（有缓存）。",
)
@click.option("--ref", default=None, help="Read files from this git commit/branch/tag. 读取指定提交。")
@click.option(
    "--registry-url",
    "registry_url",
    multiple=True,
    metavar="NAME=URL",
    help="Override a registry base URL (pypi, npm, crates, depsdev). 覆盖仓库地址。",
)
@lang_option
@output_option
@quiet_option
def command(
    location: str,
    fmt: str,
    online: bool,
    ref: str | None,
    registry_url: tuple[str, ...],
    lang: str,
    output: Path | None,
    quiet: bool,
) -> None:
    """What license a project is under, how it changed, what its dependencies
    allow, and what that means for the business.

    项目的许可证、变更历史、依赖许可证、冲突及其商业含义。
    """
    from osslever.outputs.license_render import render_markdown, render_table
    from osslever.workspace import Workspace

    lang = lang or i18n.default_lang()
    if not location:
        raise UserError("license.no_such_path", path=location)
    # the license reads files, not the store: the workspace never opens one here
    doc = Workspace(lang=lang).license(location, ref=ref, online=online, registry_urls=_registry_urls(registry_url))
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    elif fmt == "md":
        text = render_markdown(doc, lang)
    else:
        text = render_table(doc, lang)
    emit(text, output)
