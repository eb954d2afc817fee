"""The dashboard under hostile clients: job floods, huge and broken bodies, killed uploads.

In-process cases use Starlette's TestClient; the socket-level cases (a Content-Length
far over the limit, a client that disappears mid-upload) need the real server.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from starlette.testclient import TestClient

from osslever.web.app import create_app
from tests.hostile._cli import one_line_error, run_inproc
from tests.web_helpers import ALPHA, build_repo, ingest, running_server


def _ingest_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("ingest"))


def test_queued_ingest_jobs_are_bounded_and_extra_ones_get_429(tmp_path):
    """While the store is busy every job waits; the server must not start a thread per job."""
    repo = build_repo(tmp_path / "r", ALPHA[:1])
    with TestClient(create_app(tmp_path / "s.duckdb")) as c:
        backend = c.app.state.backend
        before = _ingest_threads()
        with backend.writing():  # an ingest holds the store
            codes = [c.post("/api/ingest", json={"location": str(repo)}).status_code for _ in range(60)]
            assert _ingest_threads() - before <= 2, "one thread per queued job"
            assert 202 in codes and 429 in codes, codes
            assert codes.index(429) <= 20, "the queue bound is small"
            refused = c.post("/api/ingest", json={"location": str(repo)})
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "queue_full"
            assert refused.headers.get("retry-after")
        # the store is free again: the accepted jobs finish
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = {j["state"] for j in c.get("/api/jobs").json()["jobs"]}
            if states <= {"done", "failed"}:
                break
            time.sleep(0.1)
        assert states <= {"done", "failed"}, states


@pytest.mark.parametrize(
    "body", [b"{", b"[1, 2]", b"\xff\xfe", b'{"location": 5}', b"null", b'{"location": "' + b"a" * 300_000 + b'"}']
)
def test_malformed_or_oversized_json_bodies_are_clear_4xx(tmp_path, body):
    with TestClient(create_app(tmp_path / "s.duckdb")) as c:
        resp = c.post("/api/ingest", content=body, headers={"content-type": "application/json"})
        assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)
        assert resp.json()["error"]["message"]
        if len(body) > 256 * 1024:
            assert resp.status_code == 413


def _raw(base: str, request: bytes, then_close: bool = False, timeout: float = 10) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        if then_close:
            return b""
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except TimeoutError:
            pass
        return b"".join(chunks)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    db = tmp / "s.duckdb"
    ingest(db, build_repo(tmp / "alpha", ALPHA))
    log = tmp / "server.log"
    with running_server(db, tmp / "home", log) as base:
        yield base, log


def test_a_declared_body_far_over_the_limit_is_refused_without_reading_it(server):
    base, log = server
    started = time.monotonic()
    reply = _raw(
        base,
        b"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000000000\r\nConnection: close\r\n\r\n{",
        timeout=10,
    )
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert time.monotonic() - started < 5
    for route in (b"PUT /api/profiles/p", b"PUT /api/billing/b.csv", b"POST /api/profiles/p/assess"):
        reply = _raw(base, route + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 413"), (route, reply[:200])
    assert "Traceback" not in log.read_text()


def test_a_client_killed_mid_upload_leaves_the_server_healthy(server):
    import httpx

    base, log = server
    for _ in range(5):
        _raw(
            base,
            b"PUT /api/billing/b.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" + b"a,b\n" * 1000,
            then_close=True,
        )
    time.sleep(0.5)
    assert httpx.get(base + "/api/health", timeout=5).status_code == 200
    assert httpx.get(base + "/api/billing", timeout=5).json().get("billing", []) == []  # nothing half-saved
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("token", [None, "Xq7zKp"])
def test_serve_on_all_interfaces_needs_a_long_token(monkeypatch, tmp_path, token):
    if token is None:
        monkeypatch.delenv("OSSLEVER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("OSSLEVER_TOKEN", token)
    err = one_line_error(run_inproc("serve", "--host", "0.0.0.0", "--db", str(tmp_path / "s.duckdb")))
    assert "OSSLEVER_TOKEN" in err
    assert token is None or token not in err  # the token itself is never echoed


# A GET never writes the store: tests/hostile/test_web_crawl.py crawls every GET route of a
# real server and compares the store's bytes and table checksums before and after.


@pytest.mark.parametrize(
    "body",
    [
        b'{"fields": {"name": {"nested": [1, {"x": null}]}}}',
        b'{"fields": {"name": "x", "product.delivery": [["saas"], {"a": 1}]}}',
        b'{"fields": {"name": "x", "org.size": ["startup"], "goals.primary": 3}}',
        b'{"fields": {"name": "x", "finance.arr_usd": NaN}}',
        b'{"fields": {"name": "x", "finance.nrr": -Infinity}}',
        b'{"fields": {"name": "x", "finance.arr_usd": 1e400}}',
        b'{"fields": {"": 1, "\\u0000": 2, "org.org.org.org": 3, "name": "x"}}',
        b'{"fields": {' + b", ".join(b'"k%d": %d' % (i, i) for i in range(600)) + b"}}",
        b'{"fields": {"name": "' + b"x" * 200_000 + b'"}}',
        b'{"fields": "name: x"}',
        b'{"fields": {"name": "x"}, "project": "git:1; rm -rf /"}',
    ],
)
def test_hostile_profile_form_answers_are_refused_and_nothing_is_saved(tmp_path, body):
    """The form's JSON from a client that is not the page: odd types, non-finite numbers,
    hundreds of keys, a huge text, bad links — each a 4xx with a message, never a save."""
    with TestClient(create_app(tmp_path / "s.duckdb")) as c:
        resp = c.put("/api/profiles/p", content=body, headers={"content-type": "application/json"})
        assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
        assert resp.json()["error"]["message"]
        assert c.get("/api/profiles/p").status_code == 404
