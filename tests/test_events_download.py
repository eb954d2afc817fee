"""GH Archive downloads against a loopback HTTP server: resume with Range, retries, 404."""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from osslever.sources.gharchive.download import Downloader, hour_names


class _Server:
    """Serves ``files``; the first GET of a name in ``cut_once`` stops halfway."""

    def __init__(
        self,
        files: dict[str, bytes],
        cut_once: set[str] = frozenset(),
        fail_first: dict[str, int] | None = None,
    ) -> None:
        self.files, self.cut_once = files, set(cut_once)
        self.fail_first = dict(fail_first or {})
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                name = self.path.lstrip("/")
                rng = self.headers.get("Range")
                server.requests.append((name, rng))
                if server.fail_first.get(name, 0) > 0:
                    server.fail_first[name] -= 1
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if name not in server.files:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.files[name]
                start = int(rng.split("=")[1].rstrip("-")) if rng else 0
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if name in server.cut_once:
                    server.cut_once.discard(name)
                    self.wfile.write(body[start : start + (len(body) - start) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _gz(n: int) -> bytes:
    lines = b"".join(
        b'{"id":"%d","type":"WatchEvent","created_at":"2024-01-01T00:00:00Z","repo":{"name":"a/b"},'
        b'"actor":{"login":"u%d"},"payload":{"blob":"%s"}}\n' % (i, i, str(i * 7919).encode() * 20)
        for i in range(n)
    )
    return gzip.compress(lines)


def test_hour_names_have_no_leading_zero():
    from datetime import date

    names = hour_names(date(2024, 1, 1), date(2024, 1, 2))
    assert len(names) == 48
    assert names[0] == "2024-01-01-0.json.gz" and names[23] == "2024-01-01-23.json.gz"


def test_cut_connection_is_resumed_with_range(tmp_path: Path):
    body = _gz(20000)
    name = "2024-01-01-0.json.gz"
    waits: list[float] = []
    with _Server({name: body}, cut_once={name}) as srv:
        dl = Downloader(srv.url, tmp_path, workers=1, sleep=waits.append)
        [result] = dl.fetch_all([name])
    assert result.error is None and result.path == tmp_path / name
    assert result.path.read_bytes() == body
    assert not (tmp_path / (name + ".part")).exists()
    assert srv.requests[0] == (name, None)
    assert srv.requests[1][1] == f"bytes={len(body) // 2}-"  # resumed, not restarted
    assert len(waits) == 1  # one backoff between the two attempts


def test_missing_hour_is_reported_without_retry(tmp_path: Path):
    with _Server({}) as srv:
        [result] = Downloader(srv.url, tmp_path, sleep=lambda s: None).fetch_all(["x.json.gz"])
    assert result.error == "missing" and result.path is None
    assert len(srv.requests) == 1


def test_server_errors_are_retried_with_backoff(tmp_path: Path):
    body = _gz(100)
    waits: list[float] = []
    with _Server({"h.json.gz": body}, fail_first={"h.json.gz": 2}) as srv:
        [result] = Downloader(srv.url, tmp_path, sleep=waits.append, backoff=1.0).fetch_all(["h.json.gz"])
    assert result.path is not None and result.attempts == 3
    assert waits == [1.0, 2.0]


def test_a_file_that_does_not_decompress_never_counts(tmp_path: Path):
    body = _gz(2000)
    bad = body[: len(body) - 40]  # the server itself has a truncated copy
    with _Server({"h.json.gz": bad}) as srv:
        [result] = Downloader(srv.url, tmp_path, retries=2, sleep=lambda s: None).fetch_all(["h.json.gz"])
    assert result.path is None and "incomplete gzip" in (result.error or "")
    assert not (tmp_path / "h.json.gz").exists()
    assert not (tmp_path / "h.json.gz.part").exists()


@pytest.mark.parametrize("workers", [3])
def test_parallel_downloads(tmp_path: Path, workers: int):
    files = {f"2024-01-01-{h}.json.gz": _gz(50 + h) for h in range(6)}
    with _Server(files) as srv:
        results = Downloader(srv.url, tmp_path, workers=workers).fetch_all(sorted(files))
    assert all(r.error is None for r in results)
    assert {r.path.name: r.path.read_bytes() for r in results} == files


def test_cli_downloads_a_day_and_ingests_what_exists(tmp_path: Path, monkeypatch, capsys):
    from osslever.cli import main

    monkeypatch.setenv("OSSLEVER_HOME", str(tmp_path / "home"))
    files = {"2024-01-01-0.json.gz": _gz(30), "2024-01-01-13.json.gz": _gz(40)}
    with _Server(files, cut_once={"2024-01-01-13.json.gz"}) as srv:
        monkeypatch.setattr("osslever.sources.gharchive.download.time.sleep", lambda s: None)
        with pytest.raises(SystemExit) as done:
            main(
                [
                    "ingest",
                    "gharchive",
                    "--from",
                    "2024-01-01",
                    "--base-url",
                    srv.url,
                    "--db",
                    str(tmp_path / "d.duckdb"),
                    "--lang",
                    "en",
                ]
            )
    err = capsys.readouterr().err
    assert done.value.code == 0
    assert "22 hour(s) are not on the server" in err
    assert "70 events kept" in err
    assert sorted(p.name for p in (tmp_path / "home" / "gharchive").iterdir()) == sorted(files)
