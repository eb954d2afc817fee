"""Stream commits out of ``git log --numstat`` without holding the history in memory.

One git process walks the history and computes line stats while this process
parses the previous chunk, so the two cores overlap and ingest runs at the
speed of git itself. Records are separated by \\x1e and fields by \\x1f, bytes
that cannot occur in names or e-mails, so no quoting is ever needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from osslever.errors import UserError
from osslever.sources.git import command

FORMAT = "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%ct"
_CHUNK = 1 << 20


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


def parse_record(record: bytes) -> Commit:
    """One record: the header line, then numstat lines "added<TAB>deleted<TAB>path"."""
    header, _, body = record.partition(b"\n")
    sha, parents, name, email, at, ct = header.split(b"\x1f")
    added = deleted = files = 0
    for line in body.split(b"\n"):
        if not line:
            continue
        a, d, _path = line.split(b"\t", 2)
        files += 1
        if a != b"-":  # binary files print "-<TAB>-": they count as 0 lines
            added += int(a)
            deleted += int(d)
    return Commit(
        sha.decode("ascii"),
        len(parents.split()),
        _text(name),
        _text(email),
        int(at or 0),
        int(ct or 0),
        added,
        deleted,
        files,
    )


def stream(git_dir: Path, revisions: list[str], stdin_commits: Iterable[str] | None = None) -> Iterator[Commit]:
    """Yield every commit ``git log REVISIONS`` lists (or exactly ``stdin_commits``).

    Merges are included (their numstat is empty by default: lines count only
    non-merge commits); renames are off so each file's lines count once.
    """
    args = ["log", "--numstat", "--no-renames", "--no-color", "--no-show-signature", FORMAT]
    if stdin_commits is not None:
        args += ["--no-walk=unsorted", "--stdin"]
    else:
        args += ["--end-of-options", *revisions]
    proc = command.popen(git_dir, args, stdin=stdin_commits is not None)
    if stdin_commits is not None:
        import threading

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
    pending = b""
    try:
        while True:
            chunk = proc.stdout.read(_CHUNK)
            if not chunk:
                break
            pending += chunk
            records = pending.split(b"\x1e")
            pending = records.pop()
            for record in records:
                if record:
                    yield parse_record(record)
        if pending:
            yield parse_record(pending)
    finally:
        if proc.poll() is None:
            proc.stdout.close()
            proc.kill()
        proc.wait()
    if proc.returncode not in (0, -9):
        assert proc.stderr is not None
        detail = command.first_line(proc.stderr.read())
        raise UserError("git.log_failed", location=str(git_dir), detail=detail)


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
