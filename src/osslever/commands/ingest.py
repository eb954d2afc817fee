"""``osslever ingest``: bring data into the store (GH Archive, the GitHub API, ...).

A group, so each source is one subcommand (``ingest git``, ``ingest gharchive``,
``ingest github``) with the shared ``--db`` / ``--quiet`` / ``--lang``.
"""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import (
    db_option,
    engine_option,
    lang_option,
    location_argument,
    parquet_out_option,
    parse_day,
    quiet_option,
    ref_option,
    renamed_option,
    repo_argument,
    spark_master_option,
)
from osslever.errors import UserError
from osslever.i18n import t

INGEST_MEMORY_LIMIT = "768MB"


class _Sources(click.Group):
    """The subcommands of this file, and the others' (forges, downloads) made on first need.

    Making the forge commands imports the forge clients (HTTP, e-mail dates: ~12 ms),
    which ``ingest gharchive`` and ``ingest git`` never use.
    """

    _more_added = False

    def _add_more(self) -> None:
        if not self._more_added:
            self._more_added = True
            _register_more_sources()

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_more()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is None and not self._more_added:
            self._add_more()
            found = super().get_command(ctx, name)
        return found


@click.group(name="ingest", cls=_Sources)
def command() -> None:
    """Load data into the store. 将数据导入数据库。"""


def _echo(message: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)


@command.command(name="git")
@location_argument()
@ref_option
@db_option
@quiet_option
@lang_option
def git(location: str, ref: str, db: Path | None, quiet: bool, lang: str) -> None:
    """Git history of a repository (path, bare repository or clone URL), incrementally.

    增量导入仓库（路径、裸仓库或克隆地址）的 git 历史。
    """
    from osslever.progress import make_progress
    from osslever.workspace import Workspace

    with Workspace(db, lang=lang) as ws:
        # The license scan too, so a report on this commit needs no scan (it overlaps the ingest).
        repo, result = ws.ingest_git_and_license(location, ref, quiet=quiet, progress=make_progress(quiet))
    _echo(t("git.ingested", name=repo.name, added=result.added, removed=result.removed, total=result.total), quiet)


@command.command(name="gharchive")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day to download. 起始日期。")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day to download (inclusive). 结束日期。")
@renamed_option(
    "--only-repo",
    dest="repos",
    old=("--repo",),
    multiple=True,
    metavar="OWNER/NAME",
    help="Keep only these repositories (repeatable). 只保留这些仓库。",
)
@renamed_option(
    "--only-org",
    dest="orgs",
    old=("--org",),
    multiple=True,
    metavar="NAME",
    help="Keep only repositories of these owners (repeatable). 只保留这些组织的仓库。",
)
@engine_option("duckdb: into the store; spark: into Parquet partitions. 存储方式。")
@spark_master_option
@parquet_out_option(
    "parquet_dir", "Output folder of --engine spark (default: OSSLEVER_HOME/events-parquet). Parquet 输出目录。"
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="GH Archive mirror (default https://data.gharchive.org).",
)
@click.option("--workers", type=int, default=None, help="Parallel readers (default: up to 2).")
@db_option
@quiet_option
@lang_option
def gharchive(
    inputs: tuple[Path, ...],
    start: str | None,
    end: str | None,
    repos: tuple[str, ...],
    orgs: tuple[str, ...],
    engine: str,
    parquet_dir: Path | None,
    spark_master: str | None,
    base_url: str | None,
    workers: int | None,
    db: Path | None,
    quiet: bool,
    lang: str,
) -> None:
    """Ingest GH Archive hourly files: download --from/--to, or read FILES_OR_DIRS.

    导入 GH Archive 每小时事件文件：按日期下载，或读取本地文件/目录。
    """
    from osslever.progress import make_progress
    from osslever.sources.gharchive.reader import Filter

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if inputs and (first or last):
        raise UserError("events.inputs_and_dates")
    if not inputs and not first:
        raise UserError("events.nothing_to_ingest")
    for repo in repos:
        if repo.count("/") != 1 or repo.startswith("/") or repo.endswith("/"):
            raise UserError("events.bad_repo", repo=repo)
    flt = Filter.of(repos, orgs)
    progress = make_progress(quiet)

    downloader = None
    files: list[Path] = list(inputs)
    if first:
        from osslever.sources.gharchive.download import DEFAULT_BASE_URL, Downloader, hour_names

        last = last or first
        if last < first:
            raise UserError("events.bad_range", start=str(first), end=str(last))
        downloader = Downloader(base_url=base_url or DEFAULT_BASE_URL)
        results = downloader.fetch_all(hour_names(first, last), progress)
        missing = [r.name for r in results if r.error == "missing"]
        failed = [r for r in results if r.path is None and r.error != "missing"]
        if missing:
            _echo(t("events.hours_missing", count=len(missing), first=missing[0]), quiet)
        for r in failed:
            _echo(t("events.download_failed", name=r.name, detail=r.error or ""), quiet)
        files = [r.path for r in results if r.path is not None]
        if not files:
            raise UserError("events.nothing_downloaded")

    if engine == "spark":
        from osslever.paths import home
        from osslever.sources.gharchive.spark_ingest import ingest_to_parquet

        out = parquet_dir or home() / "events-parquet"
        report = ingest_to_parquet(files, out, flt, master=spark_master)
        _summary(report, quiet)
        _echo(t("events.parquet_written", path=str(out)), quiet)
        click.get_current_context().exit(1 if report.failed else 0)

    from osslever.sources.gharchive.ingest import cap_workers
    from osslever.workspace import Workspace

    if workers is not None and cap_workers(workers) != workers:
        _echo(t("events.workers_capped", asked=workers, used=cap_workers(workers)), False)
        workers = cap_workers(workers)

    with Workspace(db, lang=lang) as ws:
        report = ws.ingest_gharchive(
            files, flt, progress, workers=workers, downloader=downloader, memory_limit=INGEST_MEMORY_LIMIT
        )
    _summary(report, quiet)
    click.get_current_context().exit(1 if report.failed else 0)


def _summary(report: object, quiet: bool) -> None:
    """Bad lines and the totals unless ``quiet``; failed files always.

    Messages are only formatted when printed: loading the catalogs costs ~25 ms.
    """
    r = report
    if not quiet:
        for file, line, why in r.bad_examples:  # type: ignore[attr-defined]
            _echo(t("events.bad_line", file=file, line=line, reason=why))
    for f in r.failed:  # type: ignore[attr-defined]
        _echo(t(f"events.file_{f.error}", file=f.path, detail=f.detail))
    if quiet:
        return
    _echo(
        t(
            "events.ingest_summary",
            files=r.files_ingested,  # type: ignore[attr-defined]
            skipped=r.files_skipped,  # type: ignore[attr-defined]
            events=r.events,  # type: ignore[attr-defined]
            new=r.new_events,  # type: ignore[attr-defined]
            bad=r.bad_lines,  # type: ignore[attr-defined]
            failed=len(r.failed),  # type: ignore[attr-defined]
        ),
    )


@command.command(name="github")
@repo_argument
@click.option(
    "--token-env",
    default="GITHUB_TOKEN",
    show_default=True,
    help="Environment variable holding the token (never printed). 存放令牌的环境变量。",
)
@click.option(
    "--api-url",
    default="https://api.github.com",
    show_default=True,
    help="GitHub API base URL (GitHub Enterprise: https://HOST/api/v3).",
)
@db_option
@quiet_option
@lang_option
def github(repo: str, token_env: str, api_url: str, db: Path | None, quiet: bool, lang: str) -> None:
    """Ingest one repository from the GitHub REST API (stars, issues, PRs, reviews, comments).

    通过 GitHub API 导入一个仓库的星标、议题、PR、评审和评论。
    """
    import os

    from osslever.progress import make_progress
    from osslever.sources.github_api.ingest import ingest_repository
    from osslever.store import open_store

    if repo.count("/") != 1 or repo.startswith("/") or repo.endswith("/"):
        raise UserError("events.bad_repo", repo=repo)
    token = os.environ.get(token_env) or None
    if token is None:
        _echo(t("events.api_no_token", env=token_env), quiet)
    with open_store(db) as store:
        report = ingest_repository(
            store,
            repo,
            token=token,
            api_url=api_url,
            progress=make_progress(quiet),
            token_env=token_env,
        )
    _echo(
        t(
            "events.api_summary",
            repo=repo,
            events=report.events,
            new=report.new_events,
            requests=report.requests,
            cached=report.not_modified,
        ),
        quiet,
    )


def _register_more_sources() -> None:
    from osslever.commands._downloads import downloads
    from osslever.commands._forges import commands as forge_commands

    command.add_command(downloads)
    for forge in forge_commands():
        command.add_command(forge)
