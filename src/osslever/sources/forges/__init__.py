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

Incremental, with the GitHub source's state table (``gh_api_state``, one row per
repository and resource, written by its ``_write`` in the same transaction as the
events): each resource keeps a cursor, the newest ``updated_at``/``created_at`` seen
in its last complete walk, capped at the server's clock when the run began (an item
changed while the walk was under way is then asked for again next time). A run asks
only for what changed after it — the forge's own filter where one exists
(``since``, ``updated_after``, ``after``), otherwise a walk that stops at the first
page older than the cursor. A walk that fails part-way writes nothing and leaves its
cursor where it was; event ids are stable, so re-reading never counts twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

if TYPE_CHECKING:  # imported when a forge is read, not when the CLI lists its commands
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


@dataclass
class Resource:
    """One resource read completely: its records and the newest time seen (UTC, ISO), if any."""

    name: str
    records: list[dict] = field(default_factory=list)
    newest: str | None = None


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


def moment(value: Any) -> datetime | None:
    """An API timestamp (``Z``, ``+08:00``, fractions, or none: UTC) as an aware UTC datetime."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def stamp(when: datetime) -> str:
    """The stored form of a cursor: UTC, microseconds kept, so stored cursors compare exactly."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def newest(items: list[Any], key: str) -> str | None:
    """The latest ``item[key]`` of a walk, as a cursor; None when no item carries one."""
    times = [m for m in (moment(i.get(key)) for i in items if isinstance(i, dict)) if m]
    return stamp(max(times)) if times else None


def complete(resource: Resource, items: list[Any], key: str) -> Resource:
    """A walk's resource once every page was read: records without a time dropped, its newest ``key``."""
    resource.records = [r for r in resource.records if r]
    resource.newest = newest(items, key)
    return resource


def since_param(cursor: str) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` one second before the cursor: the item at the cursor is read again.

    Both forges document "updated on or after" for these filters; one second earlier
    also covers a server that reads it as "after", or drops the fraction.
    """
    when = moment(cursor)
    assert when is not None
    return (when - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Forge:
    """What a forge adapter provides: its name, default API base, auth header and the resources."""

    name: ClassVar[str]
    default_url: ClassVar[str]

    def __init__(self, client: JsonClient, base: str) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self.began: datetime | None = None  # the server's clock at the first answer of the run

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def meta(self, path: str) -> Any:
        """The repository itself; its ``Date`` header starts the run's clock (the cursors' cap)."""
        body, headers = self.client.get_with_headers(f"{self.base}{path}")
        try:
            self.began = parsedate_to_datetime(headers.get("date", "")).astimezone(UTC)
        except (TypeError, ValueError):
            self.began = None
        return body

    def _page(self, path: str, params: dict[str, str] | None, page: int) -> tuple[list[Any], httpx.Headers]:
        query = {**(params or {}), "page": str(page), "per_page": str(PER_PAGE)}
        body, headers = self.client.get_with_headers(f"{self.base}{path}", query)
        if not isinstance(body, list):
            raise FetchError(None, f"{path}: the answer is not a list")
        return body, headers

    def pages(self, path: str, params: dict[str, str] | None = None) -> Iterator[list[Any]]:
        """Page-numbered lists until the last page; a repeated page ends the walk."""
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            body, headers = self._page(path, params, page)
            if body:
                marker = repr(body[:1]) + repr(body[-1:]) + str(len(body))
                if marker in seen:
                    return
                seen.add(marker)
                yield body
            if _done(headers, page, body):
                return

    def newer_pages(
        self, path: str, params: dict[str, str] | None, key: str, cursor: str | None, newest_first: bool
    ) -> Iterator[list[Any]]:
        """The pages holding entries newer than ``cursor`` (by ``key``), for lists without a filter.

        ``newest_first``: the list is asked for in that order, so the walk stops after
        the first page whose entries are all older than the cursor. Otherwise the order
        is the forge's own (GitLab's starrers: by id, oldest first; Gitee's stargazers:
        undocumented): when page 1 holds nothing newer, the walk goes back from the last
        page (``X-Total-Pages``/``total_page``) and stops the same way; when page 1 does
        hold newer entries the list is newest first after all and the walk goes forward.
        Without a cursor, or without a page count to go back from, every page is read.
        """
        since = moment(cursor)
        if since is None:
            yield from self.pages(path, params)
            return

        def old(body: list[Any]) -> bool:
            times = [moment(i.get(key)) if isinstance(i, dict) else None for i in body]
            return bool(times) and all(t is not None and t < since for t in times)

        first, headers = self._page(path, params, 1)
        yield first
        total = _total_pages(headers)
        if _done(headers, 1, first) or (old(first) and newest_first):
            return
        if old(first) and total is not None:  # oldest first: back from the last page
            for page in range(min(total, MAX_PAGES), 1, -1):
                body, _ = self._page(path, params, page)
                yield body
                if old(body):
                    return
            return
        stop_at_old = not old(first)  # else: oldest first with no page count, so read on to the end
        for page in range(2, MAX_PAGES + 1):
            body, headers = self._page(path, params, page)
            yield body
            if (stop_at_old and old(body)) or _done(headers, page, body):
                return

    def cursor(self, seen: str | None, before: str | None) -> str | None:
        """The cursor to keep after a complete walk: the newest time seen, capped at the run's start.

        The cap: an item changed while the walk was under way, on a page already read,
        has a later time than the start, so the next run asks for it again. A cursor
        never goes back (``before`` is the one the walk started from; None with ``--full``).
        """
        new, old = moment(seen), moment(before)
        if new is None:
            return before
        if self.began is not None and new > self.began:
            new = self.began
        return stamp(max(new, old) if old else new)

    def resources(self, repo: str, since: Callable[[str], str | None]) -> Iterator[Resource]:
        """Each resource once its walk is complete, read from the cursor ``since(resource)`` on (None: all)."""
        raise NotImplementedError


def _last_page(headers: httpx.Headers, page: int) -> bool | None:
    """GitLab's ``X-Total-Pages`` / ``X-Next-Page`` and Gitee's ``total_page`` say when to stop.

    None when the answer carries none of them.
    """
    total = _total_pages(headers)
    if total is not None:
        return page >= total
    nxt = headers.get("x-next-page")
    return None if nxt is None else nxt.strip() == ""


def _done(headers: httpx.Headers, page: int, body: list[Any]) -> bool:
    """The last page: as the headers say where they say it, else a short page."""
    last = _last_page(headers, page)
    return last if last is not None else len(body) < PER_PAGE


def _total_pages(headers: httpx.Headers) -> int | None:
    for key in ("x-total-pages", "total_page"):
        value = headers.get(key)
        if value and value.strip().isdigit():
            return int(value)
    return None


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
    full: bool = False,
) -> ForgeReport:
    """Read one repository of a forge into ``gh_events`` as ``FORGE:owner/name``; one transaction per resource.

    ``full`` ignores the saved cursors and re-reads every resource from its first page
    (the cursors are then set from what that walk saw).
    """
    from osslever.sources.github_api.ingest import _State, _write

    kinds = forges()
    if forge_name not in kinds:
        raise UserError("forges.unknown", forge=forge_name, allowed=", ".join(kinds))
    parts = repo.strip("/").split("/")
    if len(parts) < 2 or any(not p or p in {".", ".."} for p in parts) or (forge_name != "gitlab" and len(parts) != 2):
        raise UserError("forges.bad_repo", repo=repo, forge=forge_name)
    kind = kinds[forge_name]
    base = (url or kind.default_url).rstrip("/")
    import httpx

    host = httpx.URL(base).host
    own = client is None
    client = client or JsonClient(headers=kind.auth_headers(token) if token else None, only_host=host)
    report = ForgeReport()
    name = f"{forge_name}:{repo.strip('/')}"
    state = _State(store, name)

    def saved(resource: str) -> str | None:
        return None if full else state.get(f"{forge_name}:{resource}")[1]

    try:
        adapter = kind(client, base)
        try:
            for resource in adapter.resources(repo.strip("/"), saved):
                for rec in resource.records:
                    rec["repo"]["name"] = name
                key = f"{forge_name}:{resource.name}"
                cursor = adapter.cursor(resource.newest, saved(resource.name))
                report.events += len(resource.records)
                report.new_events += _write(store, name, key, resource.records, None, cursor)
        except FetchError as exc:
            if exc.status == 404:
                raise UserError("forges.not_found", repo=repo, forge=forge_name) from exc
            raise UserError("forges.failed", repo=repo, forge=forge_name, detail=exc.detail) from exc
    finally:
        report.requests = client.requests
        if own:
            client.close()
    return report


def quoted(path: str) -> str:
    return quote(path, safe="")
