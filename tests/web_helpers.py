"""Stores with known projects for the web tests, and a real server in a subprocess.

``alpha``: 5 commits by 3 people in 2024-01..2024-03; ``beta``: 3 commits by 2
people in 2024-02..2024-03. Counts in the tests are read off these lists.
``delta`` (``build_delta``): a repository whose files say what it is, for the profile
form's inferred values; its README, Dockerfile, CLA and license are listed there.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.gitrepo import RepoBuilder

ROOT = Path(__file__).resolve().parents[1]

ALPHA = [
    ("Ada", "ada@example.org", "2024-01-05T10:00:00", {"a.txt": "1\n"}),
    ("Ada", "ada@example.org", "2024-01-20T10:00:00", {"a.txt": "1\n2\n"}),
    ("Bob", "bob@corp.example", "2024-02-03T10:00:00", {"b.txt": "x\n"}),
    ("Cy", "cy@corp.example", "2024-03-01T10:00:00", {"c.txt": "y\n"}),
    ("Ada", "ada@example.org", "2024-03-15T10:00:00", {"a.txt": "1\n2\n3\n"}),
]
BETA = [
    ("Dee", "dee@example.net", "2024-02-10T10:00:00", {"d.txt": "d\n"}),
    ("Eve", "eve@example.net", "2024-03-02T10:00:00", {"e.txt": "e\n"}),
    ("Dee", "dee@example.net", "2024-03-20T10:00:00", {"d.txt": "d\nd\n"}),
]


DELTA_README = "# Delta\n\nDelta is a time series database. Start it with docker run delta.\n"
DELTA = [
    ("Ada", "ada@acme-db.com", "2024-01-05T10:00:00", {"README.md": DELTA_README, "Dockerfile": "FROM scratch\n"}),
    ("Bob", "bob@other-co.com", "2024-02-03T10:00:00", {"CLA.md": "Sign the CLA before your first pull request.\n"}),
    ("Ada", "ada@acme-db.com", "2024-03-15T10:00:00", {"a.txt": "1\n"}),
]


def build_delta(path: Path) -> Path:
    """``delta``: a README calling it a time series database run with ``docker run``, a
    Dockerfile, a CLA file and the Apache-2.0 text; 3 commits (2 by acme-db.com, 1 by
    other-co.com) and two version tags, v1.0.0 on the second commit and v1.1.0 on the last."""
    from tests.license_helpers import license_text

    builder = RepoBuilder(path)
    for i, (name, email, when, files) in enumerate(DELTA):
        if i == 0:
            files = {**files, "LICENSE": license_text("apache-2.0")}
        builder.commit(name, email, when, files, message="change")
        if i == 1:
            builder.tag("v1.0.0", when)
    builder.tag("v1.1.0", DELTA[-1][2])
    return builder.build()


def build_repo(path: Path, commits: list[tuple], message: str = "change") -> Path:
    builder = RepoBuilder(path)
    for name, email, when, files in commits:
        builder.commit(name, email, when, files, message=message)
    return builder.build()


def ingest(db: Path, *repos: Path) -> None:
    """What `osslever report REPO --db DB` stores, for each repository."""
    from osslever.api import report_document

    for repo in repos:
        report_document(str(repo), db=db)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT / "src"),
            "OSSLEVER_HOME": str(home),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def running_server(
    db: Path, home: Path, log: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """``osslever serve`` on 127.0.0.1 and a free port, stopped (by its pid) afterwards."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "osslever", "serve", "--db", str(db), "--port", str(port), *args],
            env=server_env(home, **(extra_env or {})),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                headers = (
                    {"authorization": f"Bearer {extra_env['OSSLEVER_TOKEN']}"}
                    if extra_env and "OSSLEVER_TOKEN" in extra_env
                    else {}
                )
                if httpx.get(base + "/api/health", headers=headers, timeout=1).status_code in (200, 401):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
