"""A project's files, from a working tree or from a git tree (bare repos, other refs).

License detection and dependency scanning need the same two things: the list
of paths (names only — 100k files must be listed in well under a second) and
the bytes of the few candidate files. ``WorkTree`` walks the disk with
``os.scandir`` and skips folders that hold other people's code (node_modules,
vendor, .git ...); ``GitTree`` lists ``git ls-tree -r -l -z REF`` once and reads
candidates through one ``git cat-file --batch`` process. Both answer a read
with bytes plus, for bad input, a reason instead of raising, so one broken file
never stops a scan.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from osslever.sources.git import command

# Folders whose content is someone else's code or generated output.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "third-party",
        "thirdparty",
        "3rdparty",
        "external",
        "externals",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "site-packages",
        "__pycache__",
        "target",
        "build",
        "dist",
        ".gradle",
        ".idea",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "Pods",
        ".cargo",
        ".next",
        ".nuxt",
        ".yarn",
        ".pnpm-store",
        "jspm_packages",
    }
)

MAX_READ = 1_000_000  # bytes: a license file or manifest larger than this is not read


@dataclass(frozen=True)
class Entry:
    path: str  # POSIX path relative to the tree root
    size: int  # bytes, or -1 when unknown until read (working trees skip the stat)


@dataclass
class ReadResult:
    data: bytes | None
    problem: str | None = None  # i18n key under license.file.* when data is None
    detail: str = ""


class WorkTree:
    """Files of a directory on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def folders(self) -> Iterator[tuple[str, list[str]]]:
        """(folder prefix such as ``"src/"``, names of its regular files), folder by folder.

        Folder-sized batches let callers filter 100k names with a few C-level
        calls instead of one Python call per file; no file is stat'ed (sizes
        are checked when a candidate is read).
        """
        stack = [("", str(self.root))]
        while stack:
            rel, folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    items = list(it)
            except OSError:
                continue
            files: list[str] = []
            for item in items:
                try:
                    if item.is_dir(follow_symlinks=False):
                        if item.name not in SKIP_DIRS:
                            stack.append((f"{rel}{item.name}/", item.path))
                    elif item.is_file(follow_symlinks=False):
                        files.append(item.name)
                except OSError:
                    continue
            yield rel, files

    def entries(self) -> Iterator[Entry]:
        for rel, files in self.folders():
            for name in files:
                yield Entry(rel + name, -1)

    def read(self, path: str, limit: int = MAX_READ) -> ReadResult:
        full = self.root / path
        try:
            size = full.stat().st_size
            if size > limit:
                return ReadResult(None, "license.file.too_large", f"{size / 1e6:.1f}")
            with full.open("rb") as fh:
                return ReadResult(fh.read(limit))
        except OSError as exc:
            return ReadResult(None, "license.file.unreadable", exc.strerror or str(exc))

    def close(self) -> None:
        pass


class GitTree:
    """Files of one commit of a git repository (works for bare repositories)."""

    def __init__(self, git_dir: Path, ref: str = "HEAD") -> None:
        self.git_dir = git_dir
        self.ref = ref
        self.label = f"{git_dir}@{ref}"
        self._sizes: dict[str, int] = {}
        self._blobs = command.BlobReader(git_dir)

    def _git(self, *args: str) -> bytes:
        return command.run(self.git_dir, args).stdout

    def entries(self) -> Iterator[Entry]:
        out = self._git("ls-tree", "-r", "-l", "-z", "--full-tree", self.ref)
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            parts = meta.split()
            if len(parts) < 4 or parts[1] != b"blob":
                continue
            path = name.decode("utf-8", errors="surrogateescape")
            if any(part in SKIP_DIRS for part in path.split("/")[:-1]):
                continue
            size = int(parts[3]) if parts[3].isdigit() else 0
            self._sizes[path] = size
            yield Entry(path, size)

    def folders(self) -> Iterator[tuple[str, list[str]]]:
        grouped: dict[str, list[str]] = {}
        for entry in self.entries():
            slash = entry.path.rfind("/") + 1
            grouped.setdefault(entry.path[:slash], []).append(entry.path[slash:])
        yield from grouped.items()

    def read(self, path: str, limit: int = MAX_READ) -> ReadResult:
        size = self._sizes.get(path)
        if size is not None and size > limit:
            return ReadResult(None, "license.file.too_large", f"{size / 1e6:.1f}")
        length, data = self._blobs.read(f"{self.ref}:{path}", limit)
        if length is None:
            return ReadResult(None, "license.file.unreadable", "not a blob")
        if data is None:
            return ReadResult(None, "license.file.too_large", f"{length / 1e6:.1f}")
        return ReadResult(data)

    def close(self) -> None:
        self._blobs.close()


def is_bare_repository(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def git_dir_of(path: Path) -> Path | None:
    """The git directory of a working tree or bare repository, if there is one."""
    if is_bare_repository(path):
        return path
    dot_git = path / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            return target if target.is_absolute() else (path / target).resolve()
    return None


def decode_text(data: bytes) -> str | None:
    """Text of a file, or None when it looks binary (a NUL byte early on)."""
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
