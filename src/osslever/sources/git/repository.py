"""Open what the user named — a working tree, a bare repository or a clone URL.

URLs are cloned once (bare, full history) into the cache folder and fetched on
later runs, so a report on a remote project costs one clone, then deltas. A URL's
userinfo (``https://user:token@host/...``) never goes further than the clone
itself: ``Repository.location``, ``name`` and ``slug``, the cache folder's name,
progress and error lines all use ``remote.redact`` (see ``remote``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from osslever.errors import UserError
from osslever.progress import make_progress
from osslever.sources.git import command, remote
from osslever.sources.git.command import GitFailed

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
_FORGE = re.compile(r"(?:github\.com|gitlab\.com|gitee\.com|codeberg\.org)[:/]+([^/\s]+)/([^/\s]+?)(?:\.git)?/?$")


def is_url(location: str) -> bool:
    return bool(_URL.match(location))


@dataclass(frozen=True)
class Repository:
    """A git repository osslever can read: where it lives and what to call it."""

    location: str  # what the user gave (absolute path or URL)
    git_dir: Path
    work_tree: Path | None  # None for bare repositories
    name: str
    slug: str | None  # owner/name on a known forge, for joining with event data

    def head(self, ref: str) -> str:
        """Resolve ``ref`` to a commit id, or say clearly why not."""
        if ref.startswith("-"):
            raise UserError("git.unknown_ref", ref=ref, location=self.location)
        proc = command.run(
            self.git_dir,
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
            check=False,
        )
        if proc.returncode != 0:
            if ref == "HEAD" and not self.has_commits():
                raise UserError("git.empty", location=self.location)
            raise UserError("git.unknown_ref", ref=ref, location=self.location)
        return proc.stdout.decode().strip()

    def has_commits(self) -> bool:
        proc = command.run(self.git_dir, ["rev-list", "-n", "1", "--all"], check=False)
        return proc.returncode == 0 and bool(proc.stdout.strip())

    def is_shallow(self) -> bool:
        proc = command.run(self.git_dir, ["rev-parse", "--is-shallow-repository"], check=False)
        return proc.stdout.strip() == b"true"

    def remote_url(self) -> str | None:
        proc = command.run(self.git_dir, ["config", "--get", "remote.origin.url"], check=False)
        return proc.stdout.decode("utf-8", "replace").strip() or None


def slug_from_url(url: str | None) -> str | None:
    if not url:
        return None
    match = _FORGE.search(url.strip())
    return f"{match.group(1)}/{match.group(2)}".lower() if match else None


def _cache_dir_for(url: str) -> Path:
    from osslever.paths import clone_cache

    url = remote.redact(url)
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://")[-1]).strip("_")[-60:]
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return clone_cache() / f"{readable}-{digest}.git"


def _clone_or_fetch(url: str, quiet: bool) -> Path:
    source = remote.clone_source(url)
    target = _cache_dir_for(source.display)
    progress = make_progress(quiet)
    try:
        if (target / "HEAD").exists():
            progress.start(f"fetch {source.display}", None)
            command.run(
                target,
                ["fetch", "--quiet", "--prune", "--tags", "--", source.address, "+refs/heads/*:refs/heads/*"],
                env=source.env,
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            if partial.exists():
                import shutil

                shutil.rmtree(partial)
            progress.start(f"clone {source.display}", None)
            command.run(None, ["clone", "--bare", "--quiet", "--", source.address, str(partial)], env=source.env)
            partial.rename(target)
    except GitFailed as exc:
        raise UserError("git.clone_failed", url=source.display, detail=remote.scrub(exc.detail, url)) from exc
    except OSError as exc:
        detail = remote.scrub(exc.strerror or str(exc), url)
        raise UserError("git.clone_failed", url=source.display, detail=detail) from exc
    finally:
        progress.finish()
    return target


def open_repository(location: str, quiet: bool = True) -> Repository:
    """Open a path (working tree or bare) or clone/update a URL into the cache."""
    if is_url(location):
        git_dir = _clone_or_fetch(location, quiet)
        shown = remote.redact(location)
        name = shown.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or shown
        return Repository(shown, git_dir, None, name, slug_from_url(shown))

    path = Path(location).expanduser()
    if not path.exists():
        raise UserError("git.no_such_path", path=location)
    path = path.resolve()
    # One answer per line, the path last: a path may itself hold newlines (or end in
    # spaces), so only git's own final newline is removed, nothing is split out of it.
    proc = command.run(None, ["-C", str(path), "rev-parse", "--is-bare-repository", "--absolute-git-dir"], check=False)
    if proc.returncode != 0:
        raise UserError("git.not_a_repository", path=str(path))
    bare_line, _, dir_text = proc.stdout.decode("utf-8", "surrogateescape").partition("\n")
    git_dir, bare = Path(dir_text.removesuffix("\n")), bare_line.strip() == "true"
    work_tree = None
    if not bare:
        top = command.run(None, ["-C", str(path), "rev-parse", "--show-toplevel"], check=False)
        work_tree = Path(top.stdout.decode("utf-8", "surrogateescape").removesuffix("\n") or path)
    root = work_tree or git_dir
    name = root.name.removesuffix(".git") if root.name != ".git" else root.parent.name
    repo = Repository(str(path), git_dir, work_tree, name, None)
    slug = slug_from_url(repo.remote_url())
    if work_tree is None:
        name = _bare_name(git_dir, name, slug)
    return Repository(str(path), git_dir, work_tree, name, slug)


# Folder names that say nothing about the project (a mirror kept at …/vuejs+core/repo).
_GENERIC_DIRS = {"repo", "repos", "repository", "git", "mirror", "bare", "src", "source", "code", "clone"}


def _bare_name(git_dir: Path, folder: str, slug: str | None) -> str:
    """A bare repository's name: the remote's, else its manifest's, else a telling folder name."""
    if slug:
        return slug.split("/", 1)[1]
    from_manifest = _manifest_name(git_dir)
    if from_manifest:
        return from_manifest
    if folder.lower() in _GENERIC_DIRS and git_dir.parent.name:
        return git_dir.parent.name.removesuffix(".git")
    return folder


def _manifest_name(git_dir: Path) -> str | None:
    """The package name in HEAD's package.json, pyproject.toml, Cargo.toml or go.mod, if any."""
    import json
    import tomllib

    for path in ("package.json", "pyproject.toml", "Cargo.toml", "go.mod"):
        proc = command.run(git_dir, ["cat-file", "blob", f"HEAD:{path}"], check=False)
        if proc.returncode != 0 or not proc.stdout:
            continue
        text = proc.stdout.decode("utf-8", "replace")
        try:
            if path == "package.json":
                value = json.loads(text).get("name")
            elif path == "go.mod":
                match = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
                value = match.group(1).rstrip("/").rsplit("/", 1)[-1] if match else None
            else:
                data = tomllib.loads(text)
                value = (data.get("project") or data.get("package") or {}).get("name")
                value = value or data.get("tool", {}).get("poetry", {}).get("name")
        except (ValueError, AttributeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(value, str) and value.strip():
            return value.strip().rsplit("/", 1)[-1]  # "@vue/core" → "core"
    return None
