"""Builders of GH Archive-shaped events for the events tests (hand-made, small)."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "gharchive"

_ids = itertools.count(1_000_000)


def event(
    etype: str,
    actor: str,
    when: str,
    repo: str = "acme/widget",
    payload: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    owner = repo.split("/")[0]
    return {
        "id": event_id or str(next(_ids)),
        "type": etype,
        "actor": {"id": abs(hash(actor)) % 10**8, "login": actor},
        "repo": {"id": 42, "name": repo, "url": f"https://api.github.com/repos/{repo}"},
        "payload": payload or {},
        "public": True,
        "created_at": when,
        "org": {"id": 7, "login": owner},
    }


def user(login: str) -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**8}


def issue(number: int, author: str, created: str, is_pr: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"number": number, "user": user(author), "created_at": created}
    if is_pr:
        out["pull_request"] = {"url": "x"}
    return out


def pull(
    number: int, author: str, created: str, merged: bool | None = None, closed: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": number,
        "user": user(author),
        "created_at": created,
        "additions": 3,
        "deletions": 1,
    }
    if merged is not None:
        out["merged"] = merged
        out["merged_at"] = closed if merged else None
        out["closed_at"] = closed
    return out


def write_gz(path: Path, records: list[Any], raw_lines: list[bytes] | None = None) -> Path:
    with gzip.open(path, "wb") as fh:
        for r in records:
            fh.write(json.dumps(r).encode() + b"\n")
        for line in raw_lines or []:
            fh.write(line + b"\n")
    return path
