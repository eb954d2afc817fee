"""``osslever ingest gitee|gitlab|atomgit OWNER/NAME``: another forge's repository into the event store."""

from __future__ import annotations

import os
from pathlib import Path

import click

from osslever.commands._options import db_option, lang_option, quiet_option
from osslever.i18n import t


def _forge_command(forge: str, default_url: str, token_env: str) -> click.Command:
    @click.command(name=forge)
    @click.argument("repo", metavar="OWNER/NAME")
    @click.option("--url", default=default_url, show_default=True, help="API base URL (self-managed instances).")
    @click.option(
        "--token-env",
        default=token_env,
        show_default=True,
        help="Environment variable holding the token (never printed). 存放令牌的环境变量。",
    )
    @click.option(
        "--full",
        is_flag=True,
        help="Re-read every resource from its first page, ignoring what the last run saw. "
        "忽略上次读取的位置，全部重新读取。",
    )
    @db_option
    @quiet_option
    @lang_option
    def run(repo: str, url: str, token_env: str, full: bool, db: Path | None, quiet: bool, lang: str) -> None:
        from osslever.sources.forges import ingest_forge
        from osslever.store import open_store

        token = os.environ.get(token_env) or None
        with open_store(db) as store:
            report = ingest_forge(store, forge, repo, url=url, token=token, full=full)
        if not quiet:
            click.echo(
                t(
                    "forges.summary",
                    lang=lang,
                    repo=f"{forge}:{repo}",
                    events=report.events,
                    new=report.new_events,
                    requests=report.requests,
                ),
                err=True,
            )

    run.help = (
        f"Ingest one repository from {forge} (stars, issues, pull/merge requests, comments, forks). "
        "A second run asks only for what changed since the last one.\n\n"
        f"导入 {forge} 上的一个仓库（星标、议题、合并请求、评论、分叉）。再次运行时只读取上次之后的变化。"
    )
    return run


def commands() -> list[click.Command]:
    from osslever.sources.forges import forges

    envs = {"gitlab": "GITLAB_TOKEN", "gitee": "GITEE_TOKEN", "atomgit": "ATOMGIT_TOKEN"}
    return [_forge_command(name, kind.default_url, envs[name]) for name, kind in forges().items()]
