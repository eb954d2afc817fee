"""Options every command shares, so ``--db``/``--lang``/``-o`` mean the same everywhere."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
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
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".osslever-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if info is not None:
            mode = stat.S_IMODE(info.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp makes 0600; a report is an ordinary file
        os.chmod(tmp, mode)
        os.replace(tmp, output)
        tmp = None
    except OSError as exc:
        raise UserError("output.write_failed", path=str(output), detail=exc.strerror or str(exc)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


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
