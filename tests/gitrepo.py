"""Build git repositories for tests with ``git fast-import``: exact authors, dates and bytes.

Dates are given as ISO strings in UTC; names and e-mails may be raw bytes (to
test non-UTF-8 histories).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


def ts(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).replace(tzinfo=dt.UTC).timestamp())


@dataclass
class RepoBuilder:
    path: Path
    branch: str = "main"
    _stream: list[bytes] = field(default_factory=list)
    _mark: int = 0
    _last: int | None = None
    _marks_by_name: dict[str, int] = field(default_factory=dict)

    def commit(
        self,
        name: str | bytes,
        email: str | bytes,
        when: str,
        files: dict[str, str | bytes] | None = None,
        message: str = "change",
        merge: list[str] | None = None,
        label: str | None = None,
        parent: str | None = None,
        delete: list[str] | None = None,
    ) -> int:
        """Add a commit on top of the previous one (or ``parent``); returns its mark."""
        self._mark += 1
        mark = self._mark
        nm = name.encode() if isinstance(name, str) else name
        em = email.encode() if isinstance(email, str) else email
        when_ts = ts(when)
        msg = message.encode()
        out = [
            b"commit refs/heads/" + self.branch.encode(),
            b"mark :%d" % mark,
            b"author " + nm + b" <" + em + b"> %d +0000" % when_ts,
            b"committer " + nm + b" <" + em + b"> %d +0000" % when_ts,
            b"data %d" % len(msg),
            msg,
        ]
        base = self._marks_by_name[parent] if parent else self._last
        if base is not None:
            out.append(b"from :%d" % base)
        for other in merge or []:
            out.append(b"merge :%d" % self._marks_by_name[other])
        for path, content in (files or {}).items():
            data = content.encode() if isinstance(content, str) else content
            out += [b"M 100644 inline " + path.encode(), b"data %d" % len(data), data]
        for path in delete or []:
            out.append(b"D " + path.encode())
        self._stream.append(b"\n".join(out) + b"\n")
        self._last = mark
        if label:
            self._marks_by_name[label] = mark
        return mark

    def tag(self, name: str, when: str, target: str | None = None) -> None:
        mark = self._marks_by_name[target] if target else self._last
        msg = name.encode()
        self._stream.append(
            b"tag "
            + name.encode()
            + b"\nfrom :%d\n" % mark
            + b"tagger T <t@example.org> %d +0000\n" % ts(when)
            + b"data %d\n" % len(msg)
            + msg
            + b"\n"
        )

    def build(self, bare: bool = False) -> Path:
        """Write everything added so far (can be called again after more commits)."""
        if not (self.path / ("HEAD" if bare else ".git")).exists():
            args = ["git", "init", "-q", "-b", self.branch] + (["--bare"] if bare else []) + [str(self.path)]
            subprocess.run(args, check=True)
        stream = b"".join(self._stream)
        self._stream.clear()
        git_dir = self.path if bare else self.path / ".git"
        marks = self.path.parent / (self.path.name + ".marks")
        subprocess.run(
            [
                "git",
                "--git-dir",
                str(git_dir),
                "fast-import",
                "--quiet",
                "--force",
                f"--import-marks-if-exists={marks}",
                f"--export-marks={marks}",
            ],
            input=stream,
            check=True,
        )
        if not bare:
            subprocess.run(["git", "-C", str(self.path), "checkout", "-q", "-f", self.branch], check=True)
        return self.path
