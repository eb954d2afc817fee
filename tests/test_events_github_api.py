"""GitHub API ingest against a fake API on 127.0.0.1: mapping, rate limits, caching, token."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from osslever.engines import get_engine
from osslever.metrics.events import available_metrics
from osslever.sources.github_api.client import GitHubClient
from osslever.sources.github_api.ingest import ingest_repository
from osslever.store import Store

TOKEN = "ghp_s3cretTOKENvalue"
R = "acme/widget"


def _u(login: str, uid: int) -> dict:
    return {"login": login, "id": uid}


class FakeGitHub:
    """Just enough of the REST API; records every request."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.rate_limit_once = True  # first stargazers call: 403 + X-RateLimit-Remaining 0
        self.retry_after_once = True  # first issues call: 429 + Retry-After
        self.now = 1_700_000_000.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(
                    {
                        "path": url.path,
                        "query": q,
                        "auth": self.headers.get("Authorization"),
                        "accept": self.headers.get("Accept"),
                        "etag": self.headers.get("If-None-Match"),
                    }
                )
                status, headers, body = fake.route(url.path, q, self.headers)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def route(self, path: str, q: dict, headers) -> tuple[int, dict, object]:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {}, {"message": "Bad credentials"}
        base = f"/repos/{R}"
        if path == base:
            return 200, {}, {"id": 42, "full_name": R}
        if path == f"{base}/stargazers":
            if self.rate_limit_once:
                self.rate_limit_once = False
                return (
                    403,
                    {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(self.now) + 30)},
                    {"message": "API rate limit exceeded"},
                )
            if headers.get("If-None-Match") == '"stars-v1"':
                return 304, {}, None
            if q.get("page") == "2":
                return 200, {}, [{"starred_at": "2024-02-01T00:00:00Z", "user": _u("frank", 6)}]
            return (
                200,
                {
                    "ETag": '"stars-v1"',
                    "Link": f'<{self.url}{base}/stargazers?page=2&per_page=100>; rel="next"',
                },
                [{"starred_at": "2024-01-07T00:00:00Z", "user": _u("erin", 5)}],
            )
        if path == f"{base}/issues":
            if self.retry_after_once:
                self.retry_after_once = False
                return 429, {"Retry-After": "7"}, {"message": "slow down"}
            if q.get("since"):
                return 200, {}, []
            return (
                200,
                {},
                [
                    {
                        "number": 1,
                        "user": _u("alice", 1),
                        "created_at": "2024-01-02T10:00:00Z",
                        "closed_at": "2024-02-02T00:00:00Z",
                        "updated_at": "2024-02-02T00:00:00Z",
                    },
                    {
                        "number": 2,
                        "user": _u("carol", 3),
                        "created_at": "2024-01-03T00:00:00Z",
                        "closed_at": "2024-01-05T00:00:00Z",
                        "updated_at": "2024-01-05T00:00:00Z",
                        "pull_request": {"url": "x", "merged_at": "2024-01-05T00:00:00Z"},
                    },
                ],
            )
        if path == f"{base}/issues/comments":
            if q.get("since"):
                return 200, {}, []
            return (
                200,
                {},
                [
                    {
                        "id": 101,
                        "user": _u("bob", 2),
                        "created_at": "2024-01-02T16:00:00Z",
                        "updated_at": "2024-01-02T16:00:00Z",
                        "issue_url": f"{self.url}{base}/issues/1",
                    },
                ],
            )
        if path == f"{base}/pulls/comments":
            return (
                200,
                {},
                []
                if q.get("since")
                else [
                    {
                        "id": 201,
                        "user": _u("dave", 4),
                        "created_at": "2024-01-04T00:00:00Z",
                        "updated_at": "2024-01-04T00:00:00Z",
                        "pull_request_url": f"{self.url}{base}/pulls/2",
                    }
                ],
            )
        if path == f"{base}/pulls/2/reviews":
            return (
                200,
                {},
                [
                    {
                        "id": 301,
                        "user": _u("dave", 4),
                        "state": "APPROVED",
                        "submitted_at": "2024-01-04T01:00:00Z",
                    }
                ],
            )
        return 404, {}, {"message": "Not Found"}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def fake():
    f = FakeGitHub()
    yield f
    f.close()


def _client(fake: FakeGitHub, waits: list[float]) -> GitHubClient:
    return GitHubClient(fake.url, TOKEN, sleep=waits.append, clock=lambda: fake.now)


def test_api_events_feed_the_same_metrics(fake, tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    store = Store(tmp_path / "api.duckdb")
    waits: list[float] = []
    report = ingest_repository(store, R, client=_client(fake, waits))
    # Rate limits: waited until reset (+1 s), then the Retry-After; never the real time.
    assert waits == [31.0, 7.0]
    types = {r["type"]: r["n"] for r in store.rows("SELECT type, count(*) AS n FROM gh_events GROUP BY type")}
    assert types == {
        "WatchEvent": 2,
        "IssuesEvent": 2,
        "PullRequestEvent": 2,
        "IssueCommentEvent": 1,
        "PullRequestReviewCommentEvent": 1,
        "PullRequestReviewEvent": 1,
    }
    assert report.new_events == 9
    assert fake.requests[1]["accept"] == "application/vnd.github.star+json"
    engine = get_engine("duckdb", store)
    m = available_metrics()
    assert m["stars"](engine, R) == {"2024-01": 1, "2024-02": 1}
    assert m["change_requests_accepted"](engine, R) == {"2024-01": 1}
    assert m["issue_response_time"](engine, R)["2024-01"]["avg"] == round(6 / 24, 2)
    assert m["change_request_resolution_duration"](engine, R)["2024-01"]["avg"] == 2.0
    assert TOKEN not in caplog.text
    store.close()


def test_second_run_is_incremental_and_cached(fake, tmp_path: Path):
    store = Store(tmp_path / "api.duckdb")
    ingest_repository(store, R, client=_client(fake, []))
    fake.requests.clear()
    report = ingest_repository(store, R, client=_client(fake, []))
    assert report.new_events == 0 and report.not_modified == 1
    by_path = {r["path"]: r for r in fake.requests}
    assert by_path[f"/repos/{R}/stargazers"]["etag"] == '"stars-v1"'
    assert by_path[f"/repos/{R}/issues"]["query"]["since"] == "2024-02-02T00:00:00Z"
    assert by_path[f"/repos/{R}/issues/comments"]["query"]["since"] == "2024-01-02T16:00:00Z"
    assert store.rows("SELECT count(*) AS n FROM gh_events")[0]["n"] == 9
    store.close()


def _ingest_args(fake, tmp_path: Path) -> list[str]:
    """`osslever ingest github` against the fake API, token from $MY_TOKEN."""
    return [
        "ingest",
        "github",
        R,
        "--token-env",
        "MY_TOKEN",
        "--api-url",
        fake.url,
        "--db",
        str(tmp_path / "c.duckdb"),
        "--lang",
        "en",
    ]


def test_cli_never_prints_the_token(fake, tmp_path: Path, monkeypatch, capsys):
    from osslever.cli import main

    monkeypatch.setenv("MY_TOKEN", TOKEN)
    monkeypatch.setattr("osslever.sources.github_api.client.time.sleep", lambda s: None)
    fake.rate_limit_once = fake.retry_after_once = False
    with pytest.raises(SystemExit) as done:
        main(_ingest_args(fake, tmp_path))
    out = capsys.readouterr()
    assert done.value.code == 0
    assert "9 events" in out.err
    assert TOKEN not in out.out + out.err


def test_a_refused_token_is_a_one_line_error_without_the_token(fake, tmp_path, monkeypatch, capsys):
    from osslever.cli import main

    monkeypatch.setenv("MY_TOKEN", "wrong-" + TOKEN)
    with pytest.raises(SystemExit) as done:
        main(_ingest_args(fake, tmp_path))
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "MY_TOKEN" in err and "401" in err and TOKEN not in err
    assert "Traceback" not in err


class ScriptedAPI:
    """A loopback HTTP server answering each path from a script; records every request."""

    def __init__(self, script) -> None:
        self.script = script  # (path, query, count) -> (status, headers, body bytes)
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                api.requests.append({"path": self.path, "auth": self.headers.get("Authorization")})
                status, headers, body = api.script(url.path, url.query, len(api.requests))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _json(body: object) -> bytes:
    return json.dumps(body).encode()


def test_next_link_to_another_host_gets_no_token_and_is_not_followed():
    from osslever.errors import UserError

    other = ScriptedAPI(lambda path, query, n: (200, {"Content-Type": "application/json"}, _json([{"id": 2}])))
    api = ScriptedAPI(
        lambda path, query, n: (
            200,
            {"Content-Type": "application/json", "Link": f'<{other.url}/steal?page=2>; rel="next"'},
            _json([{"id": 1}]),
        )
    )
    try:
        client = GitHubClient(api.url, TOKEN, sleep=lambda s: None)
        with pytest.raises(UserError) as info:
            list(client.pages("/repos/acme/widget/stargazers", what="stars"))
        assert info.value.key == "events.api_foreign_link"
        assert api.requests[0]["auth"] == f"Bearer {TOKEN}"  # the API host itself does get it
        assert other.requests == []  # the other host was never asked, so it never saw the token
        assert TOKEN not in info.value.render("en") and TOKEN not in info.value.render("zh")
    finally:
        api.close()
        other.close()


def test_token_only_goes_to_the_api_origin_even_for_a_direct_request():
    other = ScriptedAPI(lambda path, query, n: (200, {"Content-Type": "application/json"}, _json({})))
    try:
        client = GitHubClient("http://127.0.0.1:9", TOKEN, sleep=lambda s: None)
        client.get(f"{other.url}/anything", what="x")
        assert other.requests[0]["auth"] is None
    finally:
        other.close()


def test_next_link_back_to_the_same_page_stops_instead_of_looping():
    from osslever.errors import UserError

    def script(path, query, n):
        headers = {"Content-Type": "application/json"}
        if n < 50:  # today's code would follow this for ever; the server gives up after 50
            headers["Link"] = f'<{api.url}/repos/acme/widget/issues?per_page=100&page=2>; rel="next"'
        return 200, headers, _json([{"n": n}])

    api = ScriptedAPI(script)
    try:
        client = GitHubClient(api.url, TOKEN, sleep=lambda s: None)
        with pytest.raises(UserError) as info:
            list(client.pages("/repos/acme/widget/issues", what="issues"))
        assert info.value.key == "events.api_link_loop"
        assert len(api.requests) == 2  # page 1, page 2, then page 2 again is refused
    finally:
        api.close()


def test_an_html_body_is_a_one_line_error(tmp_path: Path):
    from osslever.errors import UserError

    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    api = ScriptedAPI(lambda path, query, n: (200, {"Content-Type": "text/html; charset=utf-8"}, html))
    try:
        client = GitHubClient(api.url, TOKEN, sleep=lambda s: None)
        with pytest.raises(UserError) as info:
            ingest_repository(Store(tmp_path / "s.duckdb"), R, client=client)
        assert info.value.key == "events.api_not_json"
        assert "text/html" in info.value.render("en")
        with pytest.raises(UserError) as info:
            list(client.pages("/repos/acme/widget/issues", what="issues"))
        assert info.value.key == "events.api_not_json"
    finally:
        api.close()


def test_retry_after_as_an_http_date_is_waited_out():
    import email.utils

    now = 1_700_000_000.0
    when = email.utils.formatdate(now + 30, usegmt=True)  # RFC 9110: Retry-After may be an HTTP-date

    def script(path, query, n):
        if n == 1:
            return 429, {"Retry-After": when}, _json({"message": "slow down"})
        return 200, {"Content-Type": "application/json"}, _json([{"ok": True}])

    api = ScriptedAPI(script)
    waits: list[float] = []
    try:
        client = GitHubClient(api.url, TOKEN, sleep=waits.append, clock=lambda: now)
        pages = list(client.pages("/repos/acme/widget/issues", what="issues"))
        assert [p.items for p in pages] == [[{"ok": True}]]
        assert waits == [30.0]
    finally:
        api.close()
