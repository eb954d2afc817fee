"""JSON over HTTP for the download registries: bounded answers, patient with rate limits.

Registries answer 429 (npm, crates.io) or 5xx when busy; ``Retry-After`` may be
seconds or an HTTP date (RFC 9110 §10.2.3). Waits are capped and the number of
tries is bounded, so a registry that keeps refusing ends in one clear error for
that package, never a hang. ``sleep`` is injectable so tests never wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

MAX_WAIT = 60.0
MAX_BYTES = 64 * 1024 * 1024  # a year of daily counts is ~20 KB; anything near this is not an answer


class DownloadError(Exception):
    """One package could not be read from its registry (the others go on)."""

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
    """``get(url, params) -> parsed JSON``; raises :class:`DownloadError`."""

    def __init__(
        self,
        timeout: float = 30.0,
        retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self.sleep = sleep
        self.requests = 0
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": "osslever (download statistics)", "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
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
                        raise DownloadError(status, last)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            raise DownloadError(status, f"answer larger than {MAX_BYTES // 2**20} MB")
            except httpx.HTTPError as exc:
                last = exc.__class__.__name__
                if attempt < self.retries:
                    self.sleep(min(MAX_WAIT, 2.0**attempt))
                    continue
                raise DownloadError(None, last) from exc
            if status == 404:
                raise DownloadError(404, "not found")
            if status >= 400:
                raise DownloadError(status, f"HTTP {status}")
            try:
                return json.loads(bytes(body))
            except (ValueError, UnicodeDecodeError) as exc:
                raise DownloadError(status, "the answer is not JSON") from exc
        raise DownloadError(None, last)
