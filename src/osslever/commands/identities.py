"""``osslever identities``: who is who in a repository, and why identities were merged."""

from __future__ import annotations

import json
from pathlib import Path

import click

from osslever.commands._options import (
    affiliations_option,
    db_option,
    emit,
    lang_option,
    output_option,
    quiet_option,
    ref_option,
)


@click.command("identities")
@click.argument("location", default=".", required=False)
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "affiliations", "mailmap"]),
    default="text",
    show_default=True,
    help="text: people and reasons; json: the document; affiliations: a file to correct and pass back"
    " with --affiliations; mailmap: .mailmap lines. 输出格式。",
)
@lang_option
@ref_option
@db_option
@affiliations_option("Your corrected affiliation file (people:, identities:, domains:). 归属文件。")
@quiet_option
def command(
    location: str,
    output: Path | None,
    fmt: str,
    lang: str,
    ref: str,
    db: Path | None,
    affiliations: Path | None,
    quiet: bool,
) -> None:
    """List the people of a repository with their e-mails, bots with the reason, and why
    identities were merged; write an affiliation file or .mailmap to correct.

    列出仓库中的参与者、各自的邮箱、机器人及判定理由、合并理由；可生成归属文件或 .mailmap 供修正。
    """
    from osslever.identity.document import affiliation_yaml, identities_document, mailmap_text, render_text

    doc = identities_document(location, ref=ref, db=db, lang=lang, affiliations=affiliations, quiet=quiet)
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    elif fmt == "affiliations":
        text = affiliation_yaml(doc)
    elif fmt == "mailmap":
        text = mailmap_text(doc)
    else:
        text = render_text(doc, lang)
    emit(text, output)
    if output is not None and not quiet:
        from osslever.i18n import t

        click.echo(t("identity.written", lang, path=str(output)), err=True)
