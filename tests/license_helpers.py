"""Helpers shared by the license tests: real license texts and tiny git repositories."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

from osslever.models.license import licensedb


def license_text(key: str) -> str:
    """The real text of a LicenseDB license as shipped in licensedcode-data (no header)."""
    raw = (licensedb.data_dir() / "licenses" / f"{key}.LICENSE").read_text(encoding="utf-8")
    if raw.startswith("---"):
        raw = raw[raw.index("\n---", 3) + 4 :]
    return raw.lstrip("-\n")


def reformat(text: str, width: int = 52, holder: str = "Example Corp") -> str:
    """The same license as a person would paste it: rewrapped paragraphs, odd
    indentation and spacing, and a copyright line of its own at the top."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    wrapped = [textwrap.fill(p, width=width, initial_indent="  ", subsequent_indent=" ") for p in paragraphs]
    body = "\n\n\n".join(w.replace(". ", ".   ") for w in wrapped)
    return f"Copyright (c) 2031-2032 {holder} and contributors\nAll rights reserved.\n\n{body}\n"


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    env.update(
        {
            "GIT_AUTHOR_NAME": "Tester",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "Tester",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def commit_all(repo: Path, message: str, date: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def init_repo(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return repo
