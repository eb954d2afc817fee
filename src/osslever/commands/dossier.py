"""``osslever dossier``: from a repository to the whole case in one command.

It refreshes the store from the repository (as ``report`` does), infers the profile from
the repository's own files, and prints the dossier: verdict, what would change it, the
profile with each fact's source, sensitivity to what nobody confirmed, the sections and a
revenue forecast. ``FILE.profile.yaml`` is written beside ``-o FILE``: correct it and pass
it back with ``--profile``.
"""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import (
    billing_option,
    db_option,
    emit,
    lang_option,
    location_argument,
    output_option,
    quiet_option,
    ref_option,
)
from osslever.errors import UserError

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".json": "json", ".pdf": "pdf"}


def profile_beside(output: Path) -> Path:
    """``report.html`` → ``report.profile.yaml`` (never the user's own ``--profile`` file)."""
    return output.with_name(f"{output.stem}.profile.yaml")


@click.command("dossier")
@location_argument()
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Profile whose declared values win over what is inferred. 声明的画像（优先于推断）。",
)
@billing_option("Billing CSV: finance evidence and the forecast's starting customers. 计费数据文件。")
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "json", "pdf"]),
    default=None,
    help="Output format (default: from the -o suffix — .html, .md, .json, .pdf; md on the terminal). 输出格式。",
)
@click.option(
    "--interactive",
    is_flag=True,
    help="Ask only the facts the repository cannot show, then build the dossier. 只询问仓库无法显示的事实。",
)
@lang_option
@ref_option
@db_option
@quiet_option
def command(
    location: str,
    profile: Path | None,
    billing: Path | None,
    output: Path | None,
    fmt: str | None,
    interactive: bool,
    lang: str,
    ref: str,
    db: Path | None,
    quiet: bool,
) -> None:
    """The whole case for a repository: open or closed, model, license, investability, revenue.

    一个仓库的完整档案：开源还是闭源、商业模式、许可证、能否获得投资、收入预测。
    """
    from osslever.i18n import t
    from osslever.models.strategy import load_profile
    from osslever.outputs import dossier as render
    from osslever.progress import make_progress
    from osslever.workspace import Workspace

    if fmt is None:
        fmt = FORMATS.get(output.suffix.lower(), "html") if output else "md"
    if fmt == "pdf" and output is None:
        raise UserError("dossier.pdf_needs_file")
    declared = load_profile(profile) if profile else None
    with Workspace(db, lang=lang) as ws:
        history = ws.refresh_report(location, ref=ref, quiet=quiet, progress=make_progress(quiet))
        doc = ws.dossier(history, location, profile=declared, billing=billing)
        if interactive and doc["profile"]["unanswered"]:
            from osslever.commands.assess import ask

            answers = ask([u["path"] for u in doc["profile"]["unanswered"]], lang)
            if answers:
                from osslever.models.strategy.profile import flatten, unflatten

                merged = {**flatten(declared or {"name": doc["name"]}), **flatten(answers)}
                doc = ws.dossier(history, location, profile=unflatten(merged), billing=billing)
    if fmt == "pdf":
        from osslever.outputs.pdf import html_to_pdf

        html_to_pdf(render.render_html(doc), output)
    else:
        text = {"html": render.render_html, "md": render.render_markdown, "json": render.render_json}[fmt](doc)
        emit(text, output)
    if output is not None:
        beside = profile_beside(output)
        if profile is None or beside.resolve() != profile.resolve():
            emit(doc["profile"]["file"], beside)
        if not quiet:
            click.echo(str(output), err=True)
            click.echo(t("dossier.written_profile", lang, path=str(beside)), err=True)
