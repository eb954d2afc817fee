"""When the project's license changed, and from what to what (relicensing events).

One ``git log`` over the root license paths lists the commits that touched
them, oldest first, following the first-parent line (the project's own
history: a license change made on a branch counts when it is merged). For each
such commit only the changed files are read (``git cat-file --batch``); the
set of root license files is carried forward, so the cost is one read per
change, not one per commit.

Events are recorded when the combined expression changes, including the first
license ever added (from ``NONE``) and a removal (to ``NONE``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from osslever.models.license import spdx
from osslever.models.license.detect import (
    FileFinding,
    _combine,
    analyse_text,
    is_license_candidate,
)
from osslever.sources.filetree import decode_text
from osslever.sources.git import command

# git ignores [..] classes under icase, so "?" stands for the c/s of licence/license;
# every path is checked against the candidate patterns afterwards anyway.
_PATHSPECS = [
    ":(glob,icase)licen?e*",
    ":(glob,icase)copying*",
    ":(glob,icase)unlicense*",
    ":(glob)LICENSES/*",
]


def _git(git_dir: Path, *args: str) -> bytes:
    return command.run(git_dir, args).stdout


def license_history(git_dir: Path, ref: str = "HEAD") -> list[dict]:
    """``[{"date", "commit", "from", "to", "files"}]``, oldest first."""
    try:
        out = _git(
            git_dir,
            "log",
            "--first-parent",
            "--reverse",
            "--no-renames",
            "--diff-merges=first-parent",
            "--format=%x1e%H%x1f%at",
            "--name-status",
            "-z",
            ref,
            "--",
            *_PATHSPECS,
        )
    except command.GitFailed:
        return []  # empty repository or unknown ref: no history to tell
    events: list[dict] = []
    state: dict[str, FileFinding | None] = {}  # path → what that file says (None: nothing)
    previous = spdx.NONE
    blobs = command.BlobReader(git_dir)
    try:
        for record in out.split(b"\x1e"):
            if not record.strip(b"\0\n"):
                continue
            # -z layout: "<sha>\x1f<time>\0\n<status>\0<path>\0<status>\0<path>\0..."
            head, _, body = record.partition(b"\0")
            commit, _, stamp = head.decode().partition("\x1f")
            fields = [f for f in body.lstrip(b"\n").split(b"\0") if f != b""]
            changed: list[tuple[str, str]] = []
            for i in range(0, len(fields) - 1, 2):
                status = fields[i].decode().strip()
                path = fields[i + 1].decode("utf-8", "surrogateescape")
                changed.append((status[:1], path))
            for status, path in changed:
                if "/" in path and not path.startswith("LICENSES/"):
                    continue
                if not is_license_candidate(path):
                    continue
                if status == "D":
                    state.pop(path, None)
                    continue
                _, data = blobs.read(f"{commit}:{path}")
                text = decode_text(data) if data else None
                if not text or not text.strip():
                    state[path] = None
                    continue
                state[path] = analyse_text(path, text)
            current = _state_expression(state)
            if current != previous:
                when = datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%d")
                events.append(
                    {
                        "date": when,
                        "commit": commit,
                        "from": previous,
                        "to": current,
                        "files": sorted(p for p, _ in changed),
                    }
                )
                previous = current
    finally:
        blobs.close()
    return events


def _state_expression(state: dict[str, FileFinding | None]) -> str:
    findings = [f for _, f in sorted(state.items()) if f is not None]
    expression, _ = _combine(findings)
    if expression:
        return expression
    return spdx.NOASSERTION if state else spdx.NONE
