"""``osslever ingest downloads``: package downloads from npm, PyPI, crates.io, Docker Hub, Homebrew.

Registered on the ``ingest`` group (its own module so the source stays one file to read).
"""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import db_option, lang_option, parse_day, quiet_option
from osslever.errors import UserError
from osslever.i18n import t


def _urls(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise UserError("downloads.bad_url", value=value)
        out[name.strip().lower()] = url.strip()
    return out


@click.command(name="downloads")
@click.argument("targets", nargs=-1, metavar="ECOSYSTEM:NAME... | PATH")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day (default: a year before --to). 起始日期。")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day (default: yesterday, UTC). 结束日期。")
@click.option("--project", metavar="OWNER/NAME", help="Link the packages to this project. 关联到该项目。")
@click.option(
    "--file",
    "export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A BigQuery export of PyPI downloads (CSV or JSON lines). PyPI 下载的 BigQuery 导出文件。",
)
@click.option(
    "--pypi-history",
    type=click.Choice(["pypistats", "clickpy"]),
    default="pypistats",
    show_default=True,
    help="pypistats keeps 180 days; ClickPy has the whole history. PyPI 数据来源。",
)
@click.option("--url", "urls", multiple=True, metavar="REGISTRY=URL", help="Another base URL for a registry.")
@db_option
@quiet_option
@lang_option
def downloads(
    targets: tuple[str, ...],
    start: str | None,
    end: str | None,
    project: str | None,
    export: Path | None,
    pypi_history: str,
    urls: tuple[str, ...],
    db: Path | None,
    quiet: bool,
    lang: str,
) -> None:
    """Daily downloads of packages (npm:NAME, pypi:NAME, crates:NAME, docker:NS/NAME, homebrew:NAME),
    or of a repository's own packages found in its manifests (PATH).

    导入软件包下载量；给出仓库路径时，从其清单文件中找出项目自己的包。
    """
    from osslever.sources.downloads import ingest, ingest_export, packages_of, parse_spec
    from osslever.store import open_store

    specs = []
    found_in = "user"
    for target in targets:
        if ":" in target and not Path(target).exists():
            specs.append(parse_spec(target))
            continue
        path = Path(target)
        if not path.is_dir():
            raise UserError("downloads.bad_target", target=target)
        own = packages_of(path)
        if not own:
            raise UserError("downloads.no_packages", path=str(path))
        specs.extend(own)
        if project is None:
            from osslever.sources.git.repository import open_repository

            project = open_repository(str(path)).slug
        found_in = "manifest"
    if not specs and export is None:
        raise UserError("downloads.nothing", hint="npm:react pypi:requests .")
    if project is not None and project.count("/") != 1:
        raise UserError("events.bad_repo", repo=project)
    with open_store(db) as store:
        if export is not None:
            report = ingest_export(store, export)
            if not quiet:
                click.echo(
                    t("downloads.export_summary", packages=report.packages, days=report.days, lang=lang), err=True
                )

        def progress(spec: object) -> None:
            if not quiet:
                click.echo(t("downloads.reading", spec=str(spec), lang=lang), err=True)

        report = ingest(
            store,
            specs,
            parse_day(start, "--from"),
            parse_day(end, "--to"),
            urls=_urls(urls),
            pypi_history=pypi_history,
            on_package=progress,
        )
        if project:
            with store.transaction() as con:
                for spec in specs:
                    con.execute(
                        "INSERT OR REPLACE INTO project_packages VALUES (?, ?, ?, ?)",
                        [project.lower(), spec.ecosystem, spec.name, found_in],
                    )
    for spec, reason in report.failed:
        click.echo(t("downloads.failed", spec=spec, reason=reason, lang=lang), err=True)
    if not quiet:
        click.echo(
            t(
                "downloads.summary",
                packages=report.packages,
                days=report.days,
                samples=report.samples,
                failed=len(report.failed),
                lang=lang,
            ),
            err=True,
        )
    if report.failed and not report.packages:
        raise SystemExit(1)
