"""Apply ``.mailmap`` with git itself (``git check-mailmap``), for raw identities only.

History stores raw author fields; identities are resolved afterwards, so a
``.mailmap`` edit re-resolves a few thousand identities in about a second
instead of forcing a re-read of the whole history.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from osslever.errors import UserError
from osslever.sources.git import command

_LINE = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")


def fingerprint(git_dir: Path, work_tree: Path | None) -> str:
    """A key that changes whenever the mailmap git would use changes."""
    digest = hashlib.sha256()
    if work_tree is not None and (work_tree / ".mailmap").is_file():
        digest.update((work_tree / ".mailmap").read_bytes())
    else:
        blob = command.run(git_dir, ["rev-parse", "-q", "--verify", "HEAD:.mailmap"], check=False)
        digest.update(blob.stdout)
    for key in ("mailmap.file", "mailmap.blob"):
        value = command.run(git_dir, ["config", "--get", key], check=False).stdout.strip()
        digest.update(value)
        if key == "mailmap.file" and value:
            path = Path(value.decode("utf-8", "replace")).expanduser()
            if path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _contact(name: str, email: str) -> str:
    clean = name.replace("<", "").replace(">", "").replace("\n", " ").strip()
    return f"{clean} <{email.replace('>', '').strip()}>"


def resolve(git_dir: Path, work_tree: Path | None, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(raw name, raw e-mail) → (mailmapped name, lower-cased mailmapped e-mail), in order."""
    if not pairs:
        return []
    cwd = work_tree if work_tree is not None else None
    payload = "".join(_contact(n, e) + "\n" for n, e in pairs).encode("utf-8", "replace")
    args = ["check-mailmap", "--stdin"]
    proc = command.run(None if cwd else git_dir, args, input=payload, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise UserError("git.mailmap_failed", location=str(git_dir), detail=command.first_line(proc.stderr))
    out = []
    lines = proc.stdout.decode("utf-8", "replace").split("\n")
    for (raw_name, raw_email), line in zip(pairs, lines, strict=False):
        match = _LINE.match(line)
        name, email = (match.group(1), match.group(2)) if match else (raw_name, raw_email)
        out.append((name.strip() or raw_name, email.strip().lower()))
    if len(out) != len(pairs):
        raise UserError("git.mailmap_failed", location=str(git_dir), detail="unexpected output")
    return out
