"""Forges beyond GitHub — GitLab (REST v4), Gitee (API v5), AtomGit — into the same event rows.

Each forge's answers are mapped to the Events-API record GH Archive would hold
(``WatchEvent``, ``IssuesEvent``, ``PullRequestEvent``, ``IssueCommentEvent``,
``ForkEvent``, ``PushEvent``) and written through the GitHub API source's writer,
which normalises them with the one ``normalize``; so every event metric (activity,
participants, response times, change requests …) works unchanged. Repositories are
named ``FORGE:owner/name`` (``gitee:openharmony/docs``, ``gitlab:group/sub/project``):
a Gitee project and a GitHub project of the same name never mix, and OpenRank
stays per forge.

Pagination follows page numbers on the host the user named only (a token is never
sent to another host, a page that repeats ends the walk, at most ``MAX_PAGES``);
rate limits are waited out by ``sources.http``. Tokens come from an environment
variable and travel in a header, never in a URL or a message.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from osslever.errors import UserError
from osslever.sources.http import FetchError, JsonClient

MAX_PAGES = 1000
PER_PAGE = 100


@dataclass
class ForgeReport:
    events: int = 0
    new_events: int = 0
    requests: int = 0


def stable_number(ident: Any) -> int | None:
    """An integer for an issue identifier: numbers as they are, Gitee's ``I4ABCD`` idents hashed.

    Gitee numbers issues with short strings; the event row has an integer column, so
    a string ident becomes a stable 31-bit CRC (the same ident always gives the same
    number, on every run and machine).
    """
    if ident is None:
        return None
    if isinstance(ident, int) or str(ident).isdigit():
        return int(ident)
    return zlib.crc32(str(ident).encode()) & 0x7FFFFFFF


def record(
    repo: str, event_id: str, etype: str, when: Any, actor: dict | None, payload: dict, repo_id: Any = None
) -> dict | None:
    if not when:
        return None
    return {
        "id": event_id,
        "type": etype,
        "created_at": str(when),
        "actor": actor or {},
        "repo": {"id": repo_id if isinstance(repo_id, int) else None, "name": repo},
        "payload": payload,
    }


class Forge:
    """What a forge adapter provides: its name, default API base, auth header and the resources."""

    name: ClassVar[str]
    default_url: ClassVar[str]

    def __init__(self, client: JsonClient, base: str) -> None:
        self.client = client
        self.base = base.rstrip("/")

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def pages(self, path: str, params: dict[str, str] | None = None) -> Iterator[list[Any]]:
        """Page-numbered lists until a short or empty page; a repeated page ends the walk."""
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            query = {**(params or {}), "page": str(page), "per_page": str(PER_PAGE)}
            body, headers = self.client.get_with_headers(f"{self.base}{path}", query)
            if not isinstance(body, list):
                raise FetchError(None, f"{path}: the answer is not a list")
            marker = repr(body[:1]) + repr(body[-1:]) + str(len(body))
            if not body or marker in seen:
                return
            seen.add(marker)
            yield body
            if len(body) < PER_PAGE or _last_page(headers, page):
                return

    def records(self, repo: str) -> dict[str, list[dict]]:
        """Records per resource, ``{"stars": [...], "issues": [...], ...}``."""
        raise NotImplementedError


def _last_page(headers: httpx.Headers, page: int) -> bool:
    """GitLab's ``X-Total-Pages`` / ``X-Next-Page`` and Gitee's ``total_page`` say when to stop."""
    for key in ("x-total-pages", "total_page"):
        value = headers.get(key)
        if value and value.isdigit():
            return page >= int(value)
    nxt = headers.get("x-next-page")
    return nxt is not None and nxt.strip() == ""


def _user(obj: Any, login_key: str = "login") -> dict | None:
    if isinstance(obj, dict) and obj.get(login_key):
        return {"id": obj.get("id") if isinstance(obj.get("id"), int) else None, "login": str(obj[login_key])}
    return None


def forges() -> dict[str, type[Forge]]:
    from osslever.sources.forges.gitee import AtomGit, Gitee
    from osslever.sources.forges.gitlab import GitLab

    return {f.name: f for f in (GitLab, Gitee, AtomGit)}


def ingest_forge(
    store: Any,
    forge_name: str,
    repo: str,
    url: str | None = None,
    token: str | None = None,
    client: JsonClient | None = None,
) -> ForgeReport:
    """Read one repository of a forge into ``gh_events`` as ``FORGE:owner/name``; one transaction per resource."""
    from osslever.sources.github_api.ingest import _write

    kinds = forges()
    if forge_name not in kinds:
        raise UserError("forges.unknown", forge=forge_name, allowed=", ".join(kinds))
    parts = repo.strip("/").split("/")
    if len(parts) < 2 or any(not p or p in {".", ".."} for p in parts) or (forge_name != "gitlab" and len(parts) != 2):
        raise UserError("forges.bad_repo", repo=repo, forge=forge_name)
    kind = kinds[forge_name]
    base = (url or kind.default_url).rstrip("/")
    host = httpx.URL(base).host
    own = client is None
    client = client or JsonClient(headers=kind.auth_headers(token) if token else None, only_host=host)
    report = ForgeReport()
    try:
        adapter = kind(client, base)
        name = f"{forge_name}:{repo.strip('/')}"
        try:
            by_resource = adapter.records(repo.strip("/"))
        except FetchError as exc:
            if exc.status == 404:
                raise UserError("forges.not_found", repo=repo, forge=forge_name) from exc
            raise UserError("forges.failed", repo=repo, forge=forge_name, detail=exc.detail) from exc
        for resource, records in by_resource.items():
            for rec in records:
                rec["repo"]["name"] = name
            report.events += len(records)
            report.new_events += _write(store, name, f"{forge_name}:{resource}", records, None, None)
    finally:
        report.requests = client.requests
        if own:
            client.close()
    return report


def quoted(path: str) -> str:
    return quote(path, safe="")
