"""Options every command shares: one vocabulary for the whole CLI (docs/cli.md).

* the thing to measure is positional: ``LOCATION`` (a path or clone URL) for git
  commands, ``OWNER/NAME`` for event commands;
* filters say so: ``--only-repo OWNER/NAME``, ``--only-org NAME``;
* inputs that are not the measured thing are named for what they feed:
  ``--evidence-repo``, ``--billing``, ``--scenario``, ``--rules``, ``--parquet-in``;
* outputs: ``-o/--output`` (a file, or the folder of a command that writes many),
  ``--parquet-out``;
* everywhere they apply: ``--db``, ``--lang``, ``--quiet``, ``--format``,
  ``--engine``, ``--spark-master``.

Old spellings (``--repo``, ``--org``, ``--parquet``) keep working as hidden,
deprecated aliases (``renamed_option``). An option a command's body does not take
yet (``--db`` on ``assess``, ``--spark-master`` on ``metrics``) is applied around
the call through the environment variable it stands for, restored afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import stat
import sys
from collections.abc import Callable, Iterator
from datetime import date
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


def _takes(f: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(f).parameters


@contextlib.contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """``$name`` set to ``value`` for one call, then restored (unset if it was unset)."""
    if value is None:
        yield
        return
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _through_env(f: F, name: str, variable: str | None) -> F:
    """Take option ``name`` off the call; with ``variable``, set ``$variable`` to it meanwhile."""

    @functools.wraps(f)
    def call(*args: Any, **kwargs: Any) -> Any:
        value = kwargs.pop(name, None)
        if variable is None:
            return f(*args, **kwargs)
        with _environ(variable, None if value is None else str(value)):
            return f(*args, **kwargs)

    return call  # type: ignore[return-value]


def db_option(f: F) -> F:
    option = click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="DuckDB store file (default: in the user cache dir, or $OSSLEVER_DB). 数据库文件。",
    )
    return option(f if _takes(f, "db") else _through_env(f, "db", "OSSLEVER_DB"))


def quiet_option(f: F) -> F:
    option = click.option("--quiet", "-q", is_flag=True, help="No progress output. 不显示进度。")
    return option(f if _takes(f, "quiet") else _through_env(f, "quiet", None))


def ref_option(f: F) -> F:
    """``--ref``: the commit a git history is read up to (commands that ingest or measure history)."""
    return click.option(
        "--ref", default="HEAD", show_default=True, help="Branch, tag or commit to analyse. 分析的引用。"
    )(f)


def affiliations_option(help: str) -> Callable[[F], F]:
    """``--affiliations FILE``: the user's affiliation file (identities, domains, people)."""
    return click.option(
        "--affiliations", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help=help
    )


def spark_master_option(f: F) -> F:
    """``--spark-master URL`` beside every ``--engine``; ``$OSSLEVER_SPARK_MASTER`` otherwise."""
    option = click.option(
        "--spark-master",
        default=None,
        metavar="URL",
        help="Spark master URL for --engine spark (default: $OSSLEVER_SPARK_MASTER or local[*]). Spark 地址。",
    )
    return option(f if _takes(f, "spark_master") else _through_env(f, "spark_master", "OSSLEVER_SPARK_MASTER"))


def renamed_option(*names: str, dest: str, old: tuple[str, ...], **kwargs: Any) -> Callable[[F], F]:
    """An option under its new ``names``; each of ``old`` still works, hidden and deprecated.

    Both spellings fill the same parameter ``dest``; with ``multiple=True`` their
    values are joined (old ones first). Help and docs/cli.md show only the new name.
    """
    multiple = bool(kwargs.get("multiple"))

    def key(ctx: click.Context) -> tuple[str, str, str]:  # ctx.meta is shared with subcommands
        return ("osslever.alias", ctx.command_path, dest)

    def empty(value: Any) -> bool:
        return value is None or value == ()

    def new_value(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        earlier = ctx.meta.get(key(ctx))
        if earlier is None:
            return value
        if multiple:
            return tuple(earlier) + tuple(value or ())
        return earlier if empty(value) else value

    def old_value(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if empty(value):
            return
        if dest in ctx.params:  # the new spelling was processed first
            current = ctx.params[dest]
            ctx.params[dest] = (
                tuple(value) + tuple(current or ()) if multiple else (current if not empty(current) else value)
            )
        else:
            ctx.meta[key(ctx)] = value

    def decorate(f: F) -> F:
        option_kwargs = {k: v for k, v in kwargs.items() if k != "help"}
        for spelling in old:
            f = click.option(
                spelling,
                f"_old_{dest}_{spelling.strip('-')}",
                hidden=True,
                expose_value=False,
                callback=old_value,
                **option_kwargs,
            )(f)
        return click.option(*names, dest, callback=new_value, **kwargs)(f)

    return decorate


def location_argument(default: str | None = ".") -> Callable[[F], F]:
    """The positional ``LOCATION`` to measure: a working tree, a bare repository or a clone URL."""
    if default is None:
        return click.argument("location", metavar="LOCATION")
    return click.argument("location", metavar="[LOCATION]", default=default, required=False)


def repo_argument(f: F) -> F:
    """The positional ``OWNER/NAME`` of a GitHub repository (event commands)."""
    return click.argument("repo", metavar="OWNER/NAME")(f)


def evidence_repo_option(help: str, path_type: bool = False) -> Callable[[F], F]:
    """``--evidence-repo``: a repository measured to feed another input (old: ``--repo``)."""
    extra: dict[str, Any] = {"type": click.Path(path_type=Path)} if path_type else {}
    return renamed_option(
        "--evidence-repo", dest="repo", old=("--repo",), default=None, metavar="LOCATION", help=help, **extra
    )


def parquet_in_option(dest: str, help: str) -> Callable[[F], F]:
    """``--parquet-in DIR``: Parquet event partitions to read (old: ``--parquet``).

    A string, not a ``Path``: Spark reads URIs too (``s3a://bucket/x``), which a
    ``Path`` would mangle.
    """
    return renamed_option(
        "--parquet-in", dest=dest, old=("--parquet",), default=None, metavar="DIR", type=str, help=help
    )


def parquet_out_option(dest: str, help: str) -> Callable[[F], F]:
    """``--parquet-out DIR``: where Parquet event partitions are written (old: ``--parquet``)."""
    return renamed_option(
        "--parquet-out",
        dest=dest,
        old=("--parquet",),
        default=None,
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


def billing_option(help: str) -> Callable[[F], F]:
    """``--billing FILE``: the billing export whose finance metrics are evidence (assess, dossier)."""
    return click.option("--billing", type=click.Path(dir_okay=False, path_type=Path), default=None, help=help)


def output_option(f: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE instead of standard output. 输出到文件。",
    )(f)


def emit(text: str, output: Path | None) -> None:
    """Print, or write ``-o`` the way its target needs.

    A regular file (or a new one) is written atomically: a temporary file renamed over
    it, so a crash or a full disk never leaves half a report and the old file's mode is
    kept. Renaming over anything else would destroy it, so FIFOs and character devices
    (``/dev/null``, ``/dev/stdout``) are written through like a shell redirection, a
    symlink is refused (the rename would cut the link, following it writes elsewhere
    than asked) and block devices and sockets are refused.
    """
    if output is None:
        write_stdout(text if text.endswith("\n") else text + "\n")
        return
    try:
        info = os.lstat(output)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UserError("output.write_failed", path=str(output), detail=exc.strerror or str(exc)) from exc
    if info is not None and stat.S_ISLNK(info.st_mode):
        if _is_stream_link(output):  # -o /dev/stdout, /dev/fd/3: the caller's own descriptor
            _write_through(text, output, follow=True)
            return
        raise UserError("output.symlink", path=str(output), target=os.readlink(output))
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        _write_through(text, output)
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UserError("output.special", path=str(output))
    folder = output.absolute().parent
    if not folder.is_dir():
        raise UserError("output.no_folder", path=str(folder))
    from osslever.outputs.files import write_atomic

    try:
        # An existing report keeps its mode; a new one gets the umask's ordinary mode.
        write_atomic(output, text, mode=stat.S_IMODE(info.st_mode) if info is not None else None)
    except OSError as exc:
        raise UserError("output.write_failed", path=str(output), detail=exc.strerror or str(exc)) from exc


def _is_stream_link(output: Path) -> bool:
    """A symlink to an open descriptor (/dev/stdout → /proc/self/fd/1) or to a FIFO or device."""
    try:
        mode = os.stat(output).st_mode
        hop = str(output)
        for _ in range(8):  # /dev/stdout → /proc/self/fd/1 → whatever fd 1 is
            if hop.startswith(("/proc/", "/dev/fd/")):
                return True
            if not os.path.islink(hop):
                break
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _write_through(text: str, output: Path, follow: bool = False) -> None:
    """Write into an existing FIFO, device or descriptor without creating, renaming or (for
    devices and FIFOs) truncating it."""
    data = text.encode("utf-8")
    try:
        flags = os.O_WRONLY | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
        if follow and stat.S_ISREG(os.stat(output).st_mode):
            flags |= os.O_TRUNC  # `-o /dev/stdout > file`: what the shell's redirection would give
        fd = os.open(output, flags)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        raise UserError("output.write_failed", path=str(output), detail=exc.strerror or str(exc)) from exc


def write_stdout(text: str) -> None:
    """Write to standard output; a full disk or a closed pipe is one line, not a traceback.

    After a failed write, stdout is pointed at /dev/null so the interpreter's own flush
    at exit cannot print a second error ("Exception ignored ...").
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise
    except OSError as exc:
        _silence_stdout()
        raise UserError("output.stdout_failed", detail=exc.strerror or str(exc)) from exc


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def engine_option(help: str) -> Callable[[F], F]:
    """``--engine duckdb|spark``; what the engine does (store, query) is the command's to say."""

    def decorate(f: F) -> F:
        return click.option(
            "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True, help=help
        )(f)

    return decorate


def openrank_on_option(f: F) -> F:
    """``--openrank-on driver|spark``: where OpenRank's iteration runs (spark needs --engine spark)."""
    return click.option(
        "--openrank-on",
        "openrank_on",
        type=click.Choice(["driver", "spark"]),
        default="driver",
        show_default=True,
        help="Where OpenRank iterates: driver (numpy) or spark (on --engine spark's cluster). OpenRank 迭代位置。",
    )(f)


def parse_day(value: str | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option value (``--from``, ``--to``), or a one-line user error naming it."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UserError("events.bad_date", option=option, value=value) from exc
