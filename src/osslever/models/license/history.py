"""When the project's license changed, and from what to what (relicensing events).

One ``git log`` over the root license paths lists the commits that touched
them, oldest first, following the first-parent line (the project's own
history: a license change made on a branch counts when it is merged). For each
such commit only the changed files are read (``git cat-file --batch``); the
set of root license files is carried forward, so the cost is one read per
change, not one per commit.

Events are recorded when the combined expression changes, including the first
license ever added (from ``NONE``) and a removal (to ``NONE``). Each event says
which kind of change it is (``change_kind``): only a change from one identified
license to another is a *relicensing*; a project's first license is not one.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
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
_ROOT_GLOBS = ("licen?e*", "copying*", "unlicense*")  # the root pathspecs below, lower-cased
_PATHSPECS = [
    ":(glob,icase)licen?e*",
    ":(glob,icase)copying*",
    ":(glob,icase)unlicense*",
    ":(glob)LICENSES/*",
]


def _git(git_dir: Path, *args: str) -> bytes:
    return command.run(git_dir, args).stdout


def _analyse(blobs: command.BlobReader, commit: str, path: str) -> FileFinding | None:
    _, data = blobs.read(f"{commit}:{path}")
    text = decode_text(data) if data else None
    return analyse_text(path, text) if text and text.strip() else None


def _resume_point(git_dir: Path, ref: str, known: Mapping[str, list[dict]]) -> tuple[str, list[dict]] | None:
    """The newest commit on ``ref``'s first-parent line whose history is already known."""
    try:
        line = _git(git_dir, "rev-list", "--first-parent", "--end-of-options", ref).split()
    except command.GitFailed:
        return None
    for sha in line:
        hit = known.get(sha.decode())
        if hit is not None:
            return sha.decode(), hit
    return None


def _state_at(git_dir: Path, blobs: command.BlobReader, commit: str) -> dict[str, FileFinding | None]:
    """What the walk below carries forward, read directly at ``commit``: the root license
    files the pathspecs select (and ``LICENSES/*``), each analysed."""
    state: dict[str, FileFinding | None] = {}
    for args in (["ls-tree", "-z", commit], ["ls-tree", "-z", commit, "--", "LICENSES/"]):
        for entry in _git(git_dir, *args).split(b"\0"):
            meta, _, name = entry.partition(b"\t")
            if not name or meta.split()[1:2] != [b"blob"]:
                continue
            path = name.decode("utf-8", "surrogateescape")
            if "/" in path:
                if not (path.startswith("LICENSES/") and path.count("/") == 1):
                    continue
            elif not any(fnmatch.fnmatchcase(path.lower(), g) for g in _ROOT_GLOBS):
                continue
            if is_license_candidate(path):
                state[path] = _analyse(blobs, commit, path)
    return state


def license_history(git_dir: Path, ref: str = "HEAD", known: Mapping[str, list[dict]] | None = None) -> list[dict]:
    """``[{"date", "commit", "from", "to", "files"}]``, oldest first.

    ``known`` maps commits to their already computed history (e.g. from the cached
    report of an earlier tip): the walk then starts at the newest of them on the
    first-parent line and reads only the commits after it.
    """
    start = _resume_point(git_dir, ref, known) if known else None
    since = [f"^{start[0]}"] if start else []
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
            "--end-of-options",
            ref,
            *since,
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
        if start:
            events = [dict(e) for e in start[1]]
            state = _state_at(git_dir, blobs, start[0])
            previous = events[-1]["to"] if events else spdx.NONE
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
            touched = []  # the license files this commit changed: what the event names
            for status, path in changed:
                if "/" in path and not path.startswith("LICENSES/"):
                    continue
                if not is_license_candidate(path):
                    continue
                touched.append(path)
                if status == "D":
                    state.pop(path, None)
                    continue
                state[path] = _analyse(blobs, commit, path)
            current = _state_expression(state)
            if current != previous:
                when = datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%d")
                events.append(
                    {
                        "date": when,
                        "commit": commit,
                        "from": previous,
                        "to": current,
                        "kind": change_kind(previous, current),
                        "files": sorted(touched),
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


def change_kind(before: str, after: str) -> str:
    """What one license change is.

    ``first_license`` (nothing → a license), ``removed`` (a license → nothing),
    ``relicensing`` (one identified set of licenses → another), ``restated``
    (the same licenses, written differently, e.g. AND corrected to OR) and
    ``uncertain`` (an unidentified text on either side: it may or may not be a
    relicensing). Relicensing needs two licenses: that is what forks and users
    react to (Elastic 2021, HashiCorp 2023, Redis 2024); adding a first license
    to a young project is not a change of terms anyone relied on.
    """
    if before == spdx.NONE:
        return "first_license" if after != spdx.NONE else "restated"
    if after == spdx.NONE:
        return "removed"
    if spdx.NOASSERTION in (before, after):
        return "uncertain"
    if set(spdx.license_ids(before)) == set(spdx.license_ids(after)):
        return "restated"
    return "relicensing"


def relicensings(history: list[dict]) -> list[dict]:
    """The events of ``history`` that changed one identified license into another."""
    return [e for e in history if (e.get("kind") or change_kind(e["from"], e["to"])) == "relicensing"]
