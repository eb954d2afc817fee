"""Download GH Archive hours: parallel, resumable, retried, verified.

An hour lives at ``{base}/YYYY-MM-DD-H.json.gz`` (hour without a leading zero).
Bytes go to ``NAME.part``; a dropped connection leaves the ``.part`` in place and
the next attempt asks for the rest with ``Range: bytes=N-`` (a server that
answers 200 instead of 206 gets a fresh start). Only a file that decompresses to
its gzip end-of-stream marker is renamed to its final name, so a file in the
cache without ``.part`` is complete. 404 means GH Archive has no such hour (known
gaps, e.g. 2021-10-22..25) and is reported, not retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from osslever import paths
from osslever.progress import Progress, Silent

DEFAULT_BASE_URL = "https://data.gharchive.org"


@dataclass
class Download:
    name: str
    path: Path | None  # the verified file, or None
    error: str | None = None  # "missing" (404) | "failed: <why>"
    attempts: int = 0


def hour_names(start: date, end: date) -> list[str]:
    """Every hour file of the days ``start``..``end`` inclusive, in time order."""
    names: list[str] = []
    day = start
    while day <= end:
        names.extend(f"{day.isoformat()}-{h}.json.gz" for h in range(24))
        day += timedelta(days=1)
    return names


def cache_dir() -> Path:
    return paths.home() / "gharchive"


def verify_gzip(path: Path) -> bool:
    """True when the whole file decompresses up to its end-of-stream marker.

    Within the reader's ``MAX_DECOMPRESSED``: a gzip bomb served as an hour is
    rejected here (after that many bytes, not after terabytes) like a cut file.
    """
    from osslever.sources.gharchive import reader

    try:
        from isal import igzip as gz
    except ImportError:  # pragma: no cover
        import gzip as gz  # type: ignore[no-redef]
    limit, total = reader.MAX_DECOMPRESSED, 0
    try:
        with gz.open(path, "rb") as fh:
            while chunk := fh.read(4 << 20):
                total += len(chunk)
                if total > limit:
                    return False
    except (EOFError, OSError, ValueError):
        return False
    except Exception:  # isal_zlib.error and friends: a damaged stream
        return False
    return True


class _Retry(Exception):
    pass


class Downloader:
    """Fetch hours into a cache folder; ``sleep`` is injectable so tests never wait."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        folder: Path | None = None,
        workers: int = 4,
        retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.folder = folder or cache_dir()
        self.workers = workers
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep or time.sleep
        self.timeout = timeout

    def fetch_all(self, names: Iterable[str], progress: Progress | None = None) -> list[Download]:
        names = list(names)
        progress = progress or Silent()
        self.folder.mkdir(parents=True, exist_ok=True)
        progress.start("download", len(names))
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=True) as client,
                ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool,
            ):
                results = []
                for result in pool.map(lambda n: self.fetch(client, n), names):
                    progress.advance(1)
                    results.append(result)
        finally:
            progress.finish()
        return results

    def fetch(self, client: httpx.Client, name: str) -> Download:
        final = self.folder / name
        if final.exists():
            return Download(name, final)
        part = final.with_name(name + ".part")
        result = Download(name, None)
        for attempt in range(1, self.retries + 1):
            result.attempts = attempt
            try:
                status = self._get(client, name, part)
            except _Retry as exc:
                result.error = f"failed: {exc}"
                self.sleep(min(60.0, self.backoff * 2 ** (attempt - 1)))
                continue
            if status == 404:
                part.unlink(missing_ok=True)
                result.error = "missing"
                return result
            if verify_gzip(part):
                part.replace(final)
                result.path, result.error = final, None
                return result
            # Complete by length but not decompressible: start over, not resume.
            part.unlink(missing_ok=True)
            result.error = "failed: incomplete gzip stream"
            self.sleep(min(60.0, self.backoff * 2 ** (attempt - 1)))
        return result

    def _get(self, client: httpx.Client, name: str, part: Path) -> int:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        url = f"{self.base_url}/{name}"
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 404:
                    return 404
                if response.status_code == 416 and have:
                    return 206  # nothing left to fetch: the .part is whole; verify decides
                if response.status_code in (429, 500, 502, 503, 504):
                    raise _Retry(f"HTTP {response.status_code}")
                if response.status_code not in (200, 206):
                    raise _Retry(f"HTTP {response.status_code}")
                mode = "ab" if response.status_code == 206 and have else "wb"
                expected = response.headers.get("content-length")
                got = 0
                with part.open(mode) as out:
                    for chunk in response.iter_raw():  # as received: a cut keeps what came
                        out.write(chunk)
                        got += len(chunk)
                if expected is not None and got < int(expected):
                    raise _Retry(f"connection closed after {got} of {expected} bytes")
                return response.status_code
        except httpx.HTTPError as exc:
            raise _Retry(type(exc).__name__) from exc
