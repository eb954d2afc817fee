"""Run the real CLI in a real process, as a user (or a hostile colleague) would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def run(*args: str, timeout: float = 60, stdin: str | None = None, **kw) -> subprocess.CompletedProcess[str]:
    """``python -m osslever ARGS`` with this worktree's source first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    if "stdout" not in kw:
        kw["stdout"] = subprocess.PIPE
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "osslever", *args],
        text=True,
        timeout=timeout,
        env=env,
        input=stdin,
        **kw,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed run must be one 'osslever: ...' line, never a traceback."""
    assert proc.returncode != 0, proc
    err = proc.stderr.strip()
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("osslever: "), err
    return err


def run_inproc(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    """The same CLI entry point (``osslever.cli.main``) in this process: 20× faster than a new
    interpreter. An exception that escapes ``main`` is what a user would see as a traceback,
    so it is returned as one in ``stderr`` rather than raised.
    """
    import contextlib
    import io
    import signal
    import traceback

    from osslever.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    old = os.getcwd()
    sigint = signal.getsignal(signal.SIGINT)  # main ignores SIGINT at its end (cli._exit)
    try:
        if cwd:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code
            except BaseException:  # noqa: BLE001 - the point is to see it
                err.write(traceback.format_exc())
                code = 1
    finally:
        os.chdir(old)
        signal.signal(signal.SIGINT, sigint)  # else every later child inherits an ignored SIGINT
    code = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["osslever", *args], code, out.getvalue(), err.getvalue())
