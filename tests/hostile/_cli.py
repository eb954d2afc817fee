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
