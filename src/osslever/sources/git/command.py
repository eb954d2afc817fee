"""Running git itself: the one wrapper every git call in osslever goes through.

git is the fastest correct reader of git history there is (see FIELD-NOTES:
libgit2 via pygit2 is ~4x slower for line stats), so osslever streams its output.
Every call pins the settings that change what git prints, drops the environment
variables that would point git at another repository or rewrite pathspecs, and
passes arguments as a list (never a shell string). Errors become ``GitFailed``;
callers turn them into a ``UserError`` naming what they asked.

A git directory is always opened with ``--bare``: osslever reads objects and
refs, never a work tree. Without it, ``--git-dir`` on a bare repository that has
no ``config`` file makes git take the current directory for a work tree, so it
ignores ``HEAD:.mailmap`` (and would read a ``.mailmap`` lying in the caller's
current directory instead).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

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
    "-c",
    "log.decorate=false",
]

# Environment that would make git read another repository, other objects or other
# configuration than the one named, or reinterpret pathspecs (git help git, "ENVIRONMENT").
_DROPPED_ENV = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_SHALLOW_FILE",
        "GIT_GRAFT_FILE",
        "GIT_REPLACE_REF_BASE",
        "GIT_QUARANTINE_PATH",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_LITERAL_PATHSPECS",
        "GIT_GLOB_PATHSPECS",
        "GIT_NOGLOB_PATHSPECS",
        "GIT_ICASE_PATHSPECS",
        "GIT_DIFF_OPTS",
        "GIT_EXTERNAL_DIFF",
        "GIT_PAGER",
    }
)


def git_binary() -> str:
    found = shutil.which("git")
    if not found:
        raise UserError("git.not_installed")
    return found


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git child: the caller's, minus what redirects git."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _DROPPED_ENV and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    env.pop("GIT_CONFIG_COUNT", None)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat"})
    if extra:
        env.update(extra)
    return env


def argv(git_dir: Path | None, args: Sequence[str]) -> list[str]:
    base = [git_binary(), *_PINNED]
    if git_dir is not None:
        base += ["--bare", "--git-dir", str(git_dir)]
    return base + list(args)


def run(
    git_dir: Path | None,
    args: Sequence[str],
    *,
    input: bytes | None = None,
    cwd: Path | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run git to completion and capture its output."""
    proc = subprocess.run(
        argv(git_dir, args), input=input, cwd=cwd, capture_output=True, env=environment(env), check=False
    )
    if check and proc.returncode != 0:
        raise GitFailed(args, proc.stderr)
    return proc


def popen(
    git_dir: Path | None,
    args: Sequence[str],
    stdin: bool = False,
    stderr: IO[bytes] | int = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """Start git with its stdout as a pipe, for streaming large output.

    Long runs whose stderr is read only at the end should pass a temporary file
    as ``stderr``: a full stderr pipe would block git.
    """
    return subprocess.Popen(
        argv(git_dir, args),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=environment(),
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


class BlobReader:
    """Reads ``<commit>:<path>`` objects through one long-lived ``git cat-file --batch``.

    The one owner of the batch protocol (``<oid> blob <size>\\n<bytes>\\n``), shared
    by the license history and the git file tree: one process per reader, not one
    per file. ``read`` answers ``(size, data)``; ``data`` is None for a missing
    object, a non-blob, or a blob larger than ``limit`` (whose bytes are skipped
    without being kept).
    """

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                argv(self.git_dir, ["cat-file", "--batch"]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=environment(),
            )
        return self._proc

    def read(self, spec: str, limit: int = 1_000_000) -> tuple[int | None, bytes | None]:
        """(size or None when missing/not a blob, bytes or None when too large)."""
        if "\n" in spec:
            return None, None  # the batch protocol is line-based: such a name cannot be asked for
        proc = self._start()
        assert proc.stdin and proc.stdout
        proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) == 2 and header[1] == b"missing":
            return None, None
        if len(header) < 3:
            return None, None
        size = int(header[2])
        if header[1] != b"blob" or size > limit:
            remaining = size + 1  # skip the object in bounded reads, then its newline
            while remaining > 0:
                got = proc.stdout.read(min(remaining, 1 << 20))
                if not got:
                    break
                remaining -= len(got)
            return (size if header[1] == b"blob" else None), None
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after every object
        return size, data

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
