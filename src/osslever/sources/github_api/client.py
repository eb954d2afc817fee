"""A small GitHub REST client: pagination, ETags, and patience with rate limits.

The token is sent in the ``Authorization`` header only, and only to the API
origin the client was made for (scheme, host and port of ``api_url``): a
``Link: rel="next"`` naming another host is refused, never followed with the
token. It never appears in a URL, a log line, an exception or the output.
Pagination is bounded (``MAX_PAGES``) and a page that links back to a page
already read is an error, not an endless loop. A body that is not JSON (an HTML
error page from a proxy) and an HTTP-date ``Retry-After`` are handled, not
tracebacks. Rate limits follow GitHub's
documented headers (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api):
``Retry-After`` on a 403/429 is waited out; ``X-RateLimit-Remaining: 0`` means
waiting until ``X-RateLimit-Reset``. ``sleep`` and ``clock`` are injectable so
tests never wait.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from osslever.errors import UserError

log = logging.getLogger(__name__)
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
MAX_WAIT = 3600.0
MAX_PAGES = 10_000  # 1M items at 100 a page: more than any list endpoint GitHub serves


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


@dataclass
class Page:
    items: list[Any]
    etag: str | None
    not_modified: bool = False


class GitHubClient:
    def __init__(
        self,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        token_env: str = "GITHUB_TOKEN",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[float], None] | None = None,
        timeout: float = 30.0,
        retries: int = 5,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.token_env = token_env
        self.sleep, self.clock, self.on_wait = sleep, clock, on_wait
        self.retries = retries
        self.requests = 0
        self.not_modified = 0
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "osslever",
        }
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._origin = _origin(self.api_url)
        self._http = httpx.Client(headers=headers, timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _retry_after(self, value: str) -> float:
        """Seconds to wait: ``Retry-After`` is delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
        value = value.strip()
        try:
            return float(value)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return 60.0  # unreadable: wait as for a secondary limit
        return when.timestamp() - self.clock()

    def json(self, response: httpx.Response, what: str) -> Any:
        """The decoded body, or a clear error naming the request (HTML error pages do happen)."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "?"
            raise UserError("events.api_not_json", what=what, kind=kind) from None

    def _wait(self, seconds: float) -> None:
        seconds = max(0.0, min(MAX_WAIT, seconds))
        if self.on_wait:
            self.on_wait(seconds)
        log.info("rate limited; waiting %.0f s", seconds)
        self.sleep(seconds)

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        accept: str | None = None,
        etag: str | None = None,
        what: str = "",
    ) -> httpx.Response:
        """One request, waiting out rate limits and retrying transient failures."""
        headers = dict(self._auth) if _origin(url) == self._origin else {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        for attempt in range(1, self.retries + 1):
            try:
                response = self._http.get(url, params=params, headers=headers)
            except httpx.HTTPError as exc:
                if attempt == self.retries:
                    raise UserError(
                        "events.api_failed",
                        what=what or url,
                        detail=self._scrub(type(exc).__name__),
                    ) from None
                self.sleep(min(60.0, 2.0**attempt))
                continue
            self.requests += 1
            status = response.status_code
            if status in (403, 429):
                retry_after = response.headers.get("Retry-After")
                remaining = response.headers.get("X-RateLimit-Remaining")
                if retry_after is not None:
                    self._wait(self._retry_after(retry_after))
                    continue
                if remaining == "0":
                    self._wait(self._reset(response) - self.clock() + 1)
                    continue
                if "rate limit" in response.text.lower():  # secondary limit: wait a minute
                    self._wait(60.0)
                    continue
            if status in (401,) or (status == 403 and "rate limit" not in response.text.lower()):
                raise UserError("events.api_unauthorized", env=self.token_env, status=status)
            if status == 404:
                raise UserError("events.api_not_found", repo=what or url)
            if status >= 500:
                if attempt == self.retries:
                    raise UserError("events.api_failed", what=what or url, detail=f"HTTP {status}")
                self.sleep(min(60.0, 2.0**attempt))
                continue
            if status not in (200, 304):
                raise UserError("events.api_failed", what=what or url, detail=f"HTTP {status}")
            if response.headers.get("X-RateLimit-Remaining") == "0":
                self._wait(self._reset(response) - self.clock() + 1)
            return response
        raise UserError("events.api_failed", what=what or url, detail="rate limit")

    def _reset(self, response: httpx.Response) -> float:
        try:
            return float(response.headers.get("X-RateLimit-Reset", ""))
        except ValueError:
            return self.clock() + 60

    def pages(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        accept: str | None = None,
        etag: str | None = None,
        what: str = "",
    ) -> Iterator[Page]:
        """All pages of a list endpoint; ``etag`` applies to the first page (304 = unchanged)."""
        url: str | None = f"{self.api_url}{path}"
        query = dict(params or {})
        query.setdefault("per_page", 100)
        first = True
        seen: set[str] = set()
        while url:
            if len(seen) >= MAX_PAGES:
                raise UserError("events.api_too_many_pages", what=what or path, limit=MAX_PAGES)
            seen.add(str(httpx.URL(url, params=query) if first else httpx.URL(url)))
            response = self.get(url, query if first else None, accept, etag if first else None, what)
            if response.status_code == 304:
                self.not_modified += 1
                yield Page([], etag, not_modified=True)
                return
            yield Page(self.json(response, what or path), response.headers.get("ETag") if first else None)
            match = _NEXT.search(response.headers.get("Link", ""))
            url = urljoin(str(response.url), match.group(1)) if match else None
            first = False
            if url is None:
                break
            if _origin(url) != self._origin:
                raise UserError("events.api_foreign_link", what=what or path, host=urlsplit(url).hostname or "?")
            if str(httpx.URL(url)) in seen:
                raise UserError("events.api_link_loop", what=what or path)
