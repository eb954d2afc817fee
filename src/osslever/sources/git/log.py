"""Stream commits out of git without holding the history in memory.

Output is read with ``-z``: every field and every numstat entry ends in a NUL,
the one byte git never prints inside a name, an e-mail or a path, so an author
called ``"E\x1evil"`` or a file name with a newline cannot break the framing.
(The former ``\x1e``/``\x1f`` separators made such a repository impossible to
ingest.)

Two readers produce the same commits in the same order:

* ``git log --numstat`` — one git process walks and diffs while this process
  parses the previous chunk;
* sharded — the commit list (``git rev-list``, cheap: metadata only) is cut into
  chunks (2,000 commits, or a quarter of each worker's share when longer), and up to
  ``workers`` ``git diff-tree --stdin --numstat`` processes
  diff them in parallel; chunks are parsed strictly in order, with at most
  ``AHEAD * workers`` chunks in flight, so memory stays bounded and the batch
  sequence is exactly the sequential one. Line stats dominate the cost of a history
  (FIELD-NOTES: metadata alone is ~40x faster), so this scales with cores.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from osslever.errors import UserError
from osslever.sources.git import command

FORMAT = "--format=%H%x00%P%x00%an%x00%ae%x00%at%x00%ct"
_DIFF = ["-z", "--numstat", "--no-renames", "--no-color", "--no-ext-diff", "--no-textconv", FORMAT]
_CHUNK = 1 << 20
SHARD_COMMITS = 2_000  # commits per diff-tree chunk: ~1-4 MB of output each
_SHA = re.compile(rb"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(slots=True)
class Commit:
    sha: str
    parents: int
    author_name: str
    author_email: str
    author_time: int
    committer_time: int
    lines_added: int
    lines_deleted: int
    files_changed: int


def _text(raw: bytes) -> str:
    # Old histories carry Latin-1 and other encodings without an encoding header;
    # keep what is readable rather than fail the whole ingest.
    return raw.decode("utf-8", "replace").replace("\x00", "")


class Malformed(ValueError):
    """git printed something the -z framing does not allow (never seen from git itself)."""


class _Parser:
    """Turns NUL-separated tokens into commits; feed it bytes in any chunking.

    Layout (``git log -z`` and ``git diff-tree -z --stdin`` alike): six header
    tokens (sha, parents, name, e-mail, author time, commit time), then, when
    the commit has a diff, numstat tokens ``added<TAB>deleted<TAB>path`` (the
    first one preceded by a newline). A token without a TAB starts the next
    commit: a sha never holds one, a numstat entry always does.
    """

    def __init__(self) -> None:
        self.pending = b""
        self.header: list[bytes] = []
        self.current: Commit | None = None

    def feed(self, data: bytes) -> list[Commit]:
        out: list[Commit] = []
        tokens = (self.pending + data).split(b"\0")
        self.pending = tokens.pop()
        header = self.header
        current = self.current
        for token in tokens:
            if len(header) < 6 and (header or current is None):
                header.append(token)
                if len(header) == 6:
                    current = self._start(header)
                    header = self.header = []
                continue
            if b"\t" in token:
                a, d, _path = token.split(b"\t", 2)
                current.files_changed += 1  # type: ignore[union-attr]
                if a.lstrip(b"\n") != b"-":  # binary files print "-<TAB>-": 0 lines
                    current.lines_added += int(a)  # type: ignore[union-attr]
                    current.lines_deleted += int(d)  # type: ignore[union-attr]
                continue
            if not token:
                continue
            out.append(current)  # type: ignore[arg-type]
            current = None
            header.append(token)
        self.current = current
        return out

    def finish(self) -> list[Commit]:
        out = self.feed(b"\0") if self.pending else []
        if self.header:
            raise Malformed("truncated commit header")
        if self.current is not None:
            out.append(self.current)
            self.current = None
        return out

    @staticmethod
    def _start(header: list[bytes]) -> Commit:
        sha, parents, name, email, at, ct = header
        sha = sha.lstrip(b"\n")
        if not _SHA.match(sha):
            raise Malformed(f"not a commit id: {sha[:60]!r}")
        return Commit(
            sha.decode("ascii"),
            len(parents.split()),
            _text(name),
            _text(email),
            int(at or 0),
            int(ct or 0),
            0,
            0,
            0,
        )


def parse(data: bytes) -> list[Commit]:
    """All commits in one complete ``-z`` output (tests and small reads)."""
    parser = _Parser()
    return parser.feed(data) + parser.finish()


def _failed(git_dir: Path, detail: str) -> UserError:
    return UserError("git.log_failed", location=str(git_dir), detail=detail)


def _sequential(git_dir: Path, revisions: list[str], stdin_commits: Iterable[str] | None) -> Iterator[Commit]:
    args = ["log", *_DIFF, "--no-show-signature"]
    if stdin_commits is not None:
        args += ["--no-walk=unsorted", "--stdin"]
    else:
        args += ["--end-of-options", *revisions]
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after git exits
    proc = command.popen(git_dir, args, stdin=stdin_commits is not None, stderr=errors)
    if stdin_commits is not None:

        def feed() -> None:
            assert proc.stdin is not None
            try:
                for sha in stdin_commits:
                    proc.stdin.write(sha.encode() + b"\n")
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass

        threading.Thread(target=feed, daemon=True).start()

    assert proc.stdout is not None
    parser = _Parser()
    try:
        while True:
            chunk = proc.stdout.read(_CHUNK)
            if not chunk:
                break
            yield from parser.feed(chunk)
        proc.wait()
        if proc.returncode == 0:
            yield from parser.finish()
    except Malformed as exc:
        raise _failed(git_dir, str(exc)) from None
    finally:
        if proc.poll() is None:
            proc.stdout.close()
            proc.kill()
        proc.wait()
        errors.seek(0)
        detail = command.first_line(errors.read())
        errors.close()
    if proc.returncode not in (0, -9):
        raise _failed(git_dir, detail)


class _Shards:
    """Runs ``diff-tree`` chunks on a thread pool, and can stop them all at once.

    On an error or an interrupt in the consumer, the git processes still running
    are killed rather than waited for (a ``kill -INT`` of osslever alone, unlike a
    terminal's Ctrl-C, does not reach them).
    """

    def __init__(self, git_dir: Path, workers: int) -> None:
        self.git_dir = git_dir
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="git-shard")
        self.live: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        self.stopped = False

    def submit(self, shas: list[str]) -> Future[bytes]:
        return self.pool.submit(self._diff, shas)

    def _diff(self, shas: list[str]) -> bytes:
        """One chunk's output, whole (``--always``: empty diffs keep their header)."""
        args = ["diff-tree", "--stdin", "-r", "--root", "--always", *_DIFF]
        with self.lock:
            if self.stopped:
                return b""
            proc = command.popen(self.git_dir, args, stdin=True)
            self.live.add(proc)
        try:
            out, err = proc.communicate("".join(s + "\n" for s in shas).encode())
        finally:
            with self.lock:
                self.live.discard(proc)
        if proc.returncode != 0:
            raise _failed(self.git_dir, command.first_line(err))
        return out

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            for proc in self.live:
                proc.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


AHEAD = 2  # chunks submitted per worker: finished ones wait their turn while the others run


def _sharded(git_dir: Path, shas: list[str], workers: int, chunk: int) -> Iterator[Commit]:
    # Chunks cost unevenly (redis: the newest 2,000 commits take 2-3x the others). With
    # only ``workers`` chunks submitted, a worker whose chunk finished early sat idle
    # until the slow head of the line was parsed; with ``AHEAD * workers`` submitted
    # (the pool still runs ``workers`` git processes), it starts the next chunk at once.
    chunks = iter([shas[i : i + chunk] for i in range(0, len(shas), chunk)])
    shards = _Shards(git_dir, workers)
    window: deque[Future[bytes]] = deque()
    try:
        for part in chunks:
            window.append(shards.submit(part))
            if len(window) >= AHEAD * workers:
                break
        while window:
            data = window.popleft().result()
            nxt = next(chunks, None)
            if nxt is not None:
                window.append(shards.submit(nxt))
            try:
                yield from parse(data)
            except Malformed as exc:
                raise _failed(git_dir, str(exc)) from None
    finally:
        shards.stop()


def default_workers() -> int:
    """Parallel git processes for line stats: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def stream(
    git_dir: Path,
    revisions: list[str],
    stdin_commits: Iterable[str] | None = None,
    *,
    commits: list[str] | None = None,
    workers: int = 1,
    chunk: int | None = None,
) -> Iterator[Commit]:
    """Yield every commit ``git log REVISIONS`` lists (or exactly ``stdin_commits``).

    Merges are included (their numstat is empty by default: lines count only
    non-merge commits); renames are off so each file's lines count once. With
    ``workers`` > 1 the line stats come from parallel ``diff-tree`` shards over
    ``commits`` (the list in ``git log`` order; read with ``rev-list`` when not
    given) — the same commits in the same order.
    """
    chunk = chunk or SHARD_COMMITS
    if workers <= 1:
        yield from _sequential(git_dir, revisions, stdin_commits)
        return
    if commits is None:
        commits = list(stdin_commits) if stdin_commits is not None else rev_list_of(git_dir, revisions)
    if len(commits) < 2 * chunk:
        yield from _sequential(git_dir, revisions, None if stdin_commits is None else commits)
        return
    # Each diff-tree process starts with cold caches (git/git: chunks of 2,000 cost ~10 %
    # more CPU than chunks of 10,000), so a long history gets longer chunks: 4 per worker,
    # enough for the window of AHEAD * workers to even out uneven chunks.
    yield from _sharded(git_dir, commits, workers, max(chunk, len(commits) // (workers * 4)))


def rev_list_of(git_dir: Path, revisions: list[str]) -> list[str]:
    proc = command.run(git_dir, ["rev-list", "--end-of-options", *revisions], check=False)
    if proc.returncode != 0:
        raise _failed(git_dir, command.first_line(proc.stderr))
    return proc.stdout.decode().split()


def rev_list(git_dir: Path, tip: str, exclude: str | None = None) -> list[str]:
    args = ["rev-list", "--end-of-options", tip] + ([f"^{exclude}"] if exclude else [])
    proc = command.run(git_dir, args, check=False)
    if proc.returncode != 0:
        raise UserError("git.log_failed", location=str(git_dir), detail=command.first_line(proc.stderr))
    return proc.stdout.decode().split()


def count(git_dir: Path, tip: str, exclude: str | None = None) -> int:
    args = ["rev-list", "--count", "--end-of-options", tip] + ([f"^{exclude}"] if exclude else [])
    proc = command.run(git_dir, args, check=False)
    if proc.returncode != 0:
        raise UserError("git.log_failed", location=str(git_dir), detail=command.first_line(proc.stderr))
    return int(proc.stdout.strip() or 0)


def is_ancestor(git_dir: Path, old: str, new: str) -> bool:
    proc = command.run(git_dir, ["merge-base", "--is-ancestor", old, new], check=False)
    return proc.returncode == 0


def tags(git_dir: Path) -> list[tuple[str, str, int]]:
    """(name, commit, date) of every tag pointing at a commit: tagger date, else commit date."""
    fmt = "%(refname:short)%1f%(objecttype)%1f%(objectname)%1f%(*objectname)%1f%(*objecttype)%1f%(creatordate:unix)"
    proc = command.run(git_dir, ["for-each-ref", f"--format={fmt}", "refs/tags"], check=False)
    out = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        name, kind, obj, peeled, peeled_kind, date = line.split("\x1f")
        if kind == "commit":
            out.append((name, obj, int(date or 0)))
        elif kind == "tag" and peeled_kind == "commit":
            out.append((name, peeled, int(date or 0)))
    return out
