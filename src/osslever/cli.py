"""The ``osslever`` command line: one group, commands discovered from ``osslever.commands``.

Each module in ``osslever/commands/`` exposes ``command`` (a click command or
group); adding a command means adding a file, never editing this one. Errors a
user can fix (``UserError``) print as one line in the chosen language; a
traceback means a bug.
"""

from __future__ import annotations

import errno
import importlib
import os
import pkgutil
import signal
import sys
import threading
import traceback
import types

import click

from osslever import __version__
from osslever.errors import ExitCode, UserError
from osslever.i18n import t


class _Commands(click.Group):
    """Loads command modules lazily so ``osslever report`` never imports Spark."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        import osslever.commands as pkg

        names = [m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
        return sorted(n.replace("_", "-") for n in names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        try:
            module = importlib.import_module(f"osslever.commands.{name.replace('-', '_')}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("osslever.commands."):
                return None
            raise
        return getattr(module, "command", None)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osslever")
def cli() -> None:
    """osslever — measure an open-source project and reason about its business.

    osslever —— 度量开源项目，推理其商业化路径。
    """


def main(argv: list[str] | None = None) -> None:
    # OpenBLAS starts a thread per core when numpy loads, and each spins ~0.1 s of
    # CPU before it sleeps; nothing here multiplies dense matrices (OpenRank's
    # products are scipy.sparse), so the command line keeps BLAS on one thread.
    # Commands load lazily, so numpy is not imported yet; a value the user chose wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    global _AS_PROGRAM
    _AS_PROGRAM = argv is None  # the process's own entry point (console script, python -m)
    interrupts = _watch_interrupts()
    try:
        try:
            # standalone_mode=False makes click *return* the code of ctx.exit(n) instead of exiting
            code = cli.main(args=argv, prog_name="osslever", standalone_mode=False)
            sys.stdout.flush()
        except Exception as exc:
            if interrupts.is_set():  # a library's own error for the Ctrl-C (see _watch_interrupts)
                raise KeyboardInterrupt from exc
            raise
    except UserError as exc:
        click.echo(f"osslever: {t('error.prefix')}: {exc.render()}", err=True)
        _exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo(f"osslever: {t('error.interrupted')}", err=True)
        _exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo(f"osslever: {t('error.interrupted')}", err=True)
        _exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        _exit(exc.exit_code)  # usage errors: 2, as ExitCode.USER_ERROR
    except click.exceptions.Exit as exc:
        _exit(exc.exit_code)
    except BrokenPipeError:
        _exit(ExitCode.OK)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            traceback.print_exc()
            _exit(ExitCode.INTERNAL_ERROR)
        _silence_stdout()  # else the interpreter's flush at exit prints the same error again
        click.echo(f"osslever: {t('error.prefix')}: {t('error.no_space', detail=exc.strerror or str(exc))}", err=True)
        _exit(ExitCode.USER_ERROR)
    except Exception:
        traceback.print_exc()
        _exit(ExitCode.INTERNAL_ERROR)
    _exit(code if isinstance(code, int) else ExitCode.OK)  # ctx.exit(n): e.g. rules check's 1


def _watch_interrupts() -> threading.Event:
    """An event set by every SIGINT of this run, which then raises ``KeyboardInterrupt``.

    Why not Python's default handler:

    * a library that polls for signals inside native code can turn the Ctrl-C into an
      error of its own and drop the ``KeyboardInterrupt``: DuckDB's Python client calls
      ``PyErr_CheckSignals`` between the tasks of a query and raises ``RuntimeError("Query
      interrupted")``, which printed a traceback and exit 70 for a Ctrl-C during
      ``finance``. With the event, a failure after a SIGINT is reported as what it is,
      the interruption (one line, exit 130);
    * a ``KeyboardInterrupt`` raised inside the import system (the commands import
      pyarrow, DuckDB and numpy lazily, ~0.5 s) aborts a C extension's initialisation
      (exit -6), is swallowed by an import lock's callback (the run went on to exit 0)
      or left the process killed by the signal after its message (exit -2). So while a
      module is being imported the signal is only noted and delivered again 50 ms
      later, until it lands outside the import system.

    Only Python's own default handler is replaced (a program that embeds ``main`` keeps
    its handler), and only from the main thread, where ``signal`` can be used.
    """
    seen = threading.Event()

    def on_sigint(signum: int, frame: types.FrameType | None) -> None:
        seen.set()
        if _importing(frame):
            later = threading.Timer(0.05, os.kill, (os.getpid(), signum))
            later.daemon = True
            later.start()
            return
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)
    return seen


def _importing(frame: types.FrameType | None) -> bool:
    """True when ``frame`` runs inside the import machinery (a module is being loaded)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith(("<frozen importlib", "<frozen zipimport")):
            return True
        frame = frame.f_back
    return False


def _exit(code: int) -> None:
    """Exit with ``code``, the work done (or refused) and said.

    From here on a Ctrl-C has nothing left to interrupt; left to Python, the interpreter's
    own shutdown puts back the default SIGINT action, and a Ctrl-C in that window killed the
    process without a word (exit -2) after a completed, committed ingest.
    """
    if threading.current_thread() is threading.main_thread():  # signal() works there only
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _AS_PROGRAM:
        # The interpreter's shutdown ends with a garbage collection over every object
        # still alive — all of pyarrow's, DuckDB's, numpy's and click's modules: 0.1–0.15 s
        # after each command, measured. Frozen objects are left out of it; atexit handlers,
        # module teardown and every object freed by its last reference run as before,
        # and the store is already closed by the command.
        import gc

        gc.freeze()
    sys.exit(code)


_AS_PROGRAM = False


def _silence_stdout() -> None:
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
