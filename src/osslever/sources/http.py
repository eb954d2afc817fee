"""JSON over HTTP for the sources that read public APIs: bounded answers, patient with rate limits.

Used by the download registries and the forges (GitLab, Gitee, AtomGit). Servers
answer 429 or 5xx when busy; ``Retry-After`` may be seconds or an HTTP date (RFC
9110 §10.2.3). Waits are capped and the number of tries is bounded, so a server
that keeps refusing ends in one clear error, never a hang. A token travels only in
a header given at construction, is sent only to the host the client was made for,
and never appears in an error. ``sleep`` is injectable so tests never wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a client is made: ~60 ms every command would pay
    import httpx

MAX_WAIT = 60.0
MAX_BYTES = 64 * 1024 * 1024  # a year of daily counts is ~20 KB; anything near this is not an answer


class FetchError(Exception):
    """One resource could not be read (for downloads: one package; the others go on)."""

    def __init__(self, status: int | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class JsonClient:
    """``get(url, params) -> parsed JSON``; raises :class:`FetchError`."""

    def __init__(
        self,
        timeout: float = 30.0,
        retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        headers: dict[str, str] | None = None,
        only_host: str | None = None,
    ) -> None:
        self.retries = retries
        self.sleep = sleep
        self.requests = 0
        self.only_host = only_host  # with a token: the one host it may be sent to
        import httpx

        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": "osslever", "Accept": "application/json", **(headers or {})},
            follow_redirects=only_host is None,  # a redirect must not carry a token elsewhere
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        return self.get_with_headers(url, params)[0]

    def get_with_headers(self, url: str, params: dict[str, str] | None = None) -> tuple[Any, httpx.Headers]:
        """``(parsed JSON, response headers)``; headers carry pagination on the forges."""
        import httpx

        if self.only_host is not None and httpx.URL(url).host != self.only_host:
            raise FetchError(None, "a link to another host was not followed")
        last = "no answer"
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                with self._http.stream("GET", url, params=params) as response:
                    status = response.status_code
                    if status == 429 or status >= 500:
                        wait = retry_after(response.headers.get("Retry-After"))
                        last = f"HTTP {status}"
                        if attempt < self.retries:
                            self.sleep(min(MAX_WAIT, wait if wait is not None else 2.0**attempt))
                            continue
                        raise FetchError(status, last)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            raise FetchError(status, f"answer larger than {MAX_BYTES // 2**20} MB")
            except httpx.HTTPError as exc:
                last = exc.__class__.__name__
                if attempt < self.retries:
                    self.sleep(min(MAX_WAIT, 2.0**attempt))
                    continue
                raise FetchError(None, last) from exc
            if status == 404:
                raise FetchError(404, "not found")
            if status >= 400:
                raise FetchError(status, f"HTTP {status}")
            try:
                return json.loads(bytes(body)), response.headers
            except (ValueError, UnicodeDecodeError) as exc:
                raise FetchError(status, "the answer is not JSON") from exc
        raise FetchError(None, last)
