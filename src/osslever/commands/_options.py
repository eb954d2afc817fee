"""Options every command shares, so ``--db``/``--lang``/``-o`` mean the same everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from osslever import i18n
from osslever.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    i18n.use(value)
    return i18n.default_lang()


def lang_option(f: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(list(i18n.LANGUAGES)),
        default=None,
        callback=_set_lang,
        is_eager=True,
        help="Language of the output: zh or en (default: from the locale). 输出语言。",
    )(f)


def db_option(f: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="DuckDB store file (default: in the user cache dir, or $OSSLEVER_DB). 数据库文件。",
    )(f)


def quiet_option(f: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress output. 不显示进度。")(f)


def output_option(f: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE instead of standard output. 输出到文件。",
    )(f)


def emit(text: str, output: Path | None) -> None:
    """Print, or write the file atomically (a crash never leaves half a report)."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    from osslever.outputs.files import write_atomic

    folder = output.resolve().parent
    if not folder.is_dir():
        raise UserError("output.no_folder", path=str(folder))
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise UserError("output.write_failed", path=str(output), detail=exc.strerror or str(exc)) from exc


def engine_option(help: str) -> Callable[[F], F]:
    """``--engine duckdb|spark``; what the engine does (store, query) is the command's to say."""

    def decorate(f: F) -> F:
        return click.option(
            "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True, help=help
        )(f)

    return decorate
