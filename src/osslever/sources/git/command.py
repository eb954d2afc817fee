"""Running git itself: argument lists only (never a shell string), errors as UserError.

git is the fastest correct reader of git history there is (see FIELD-NOTES:
libgit2 via pygit2 is ~4x slower for line stats), so osslever streams its output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from osslever.errors import UserError

# Settings that would change what git prints, pinned so user config cannot break parsing.
_PINNED = [
    "-c",
    "core.quotePath=false",
    "-c",
    "diff.renames=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
    "-c",
    "color.ui=false",
]


def git_binary() -> str:
    found = shutil.which("git")
    if not found:
        raise UserError("git.not_installed")
    return found


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat"})
    return env


def argv(git_dir: Path | None, args: Sequence[str]) -> list[str]:
    base = [git_binary(), *_PINNED]
    if git_dir is not None:
        base += ["--git-dir", str(git_dir)]
    return base + list(args)


def run(
    git_dir: Path | None,
    args: Sequence[str],
    *,
    input: bytes | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run git to completion and capture its output."""
    proc = subprocess.run(argv(git_dir, args), input=input, cwd=cwd, capture_output=True, env=_env(), check=False)
    if check and proc.returncode != 0:
        raise GitFailed(args, proc.stderr)
    return proc


def popen(git_dir: Path | None, args: Sequence[str], stdin: bool = False) -> subprocess.Popen[bytes]:
    """Start git with its stdout as a pipe, for streaming large output."""
    return subprocess.Popen(
        argv(git_dir, args),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        bufsize=1 << 20,
    )


def first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "git failed"


class GitFailed(Exception):
    """git exited non-zero; callers turn it into a UserError naming what they asked."""

    def __init__(self, args: Sequence[str], stderr: bytes) -> None:
        super().__init__(first_line(stderr))
        self.detail = first_line(stderr)
