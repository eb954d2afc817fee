"""GitLab, Gitee and AtomGit from loopback servers that answer in each API's documented shapes.

One small history is told three times — through GitHub's API shapes, Gitee's and
GitLab's — and the metrics documents must agree: the forges feed the same event rows.

The history (March 2024): alice and bob star; carol opens issue 1 (closed on the 5th),
dave comments on it; erin opens pull request 2 (merged on the 6th), alice comments on
it; frank forks.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest

import osslever.sources.forges as forges_module
from osslever.engines import get_engine
from osslever.errors import UserError
from osslever.metrics.events import metrics_document
from osslever.sources.forges import ingest_forge, stable_number
from osslever.sources.github_api.ingest import _write, comment_records, issue_records, star_records
from osslever.sources.http import JsonClient
from osslever.store import Store


def _u(login: str, key: str = "login") -> dict:
    return {key: login, "id": sum(map(ord, login))}


GITEE = {
    "/api/v5/repos/acme/widget": {"id": 11, "full_name": "acme/widget"},
    "/api/v5/repos/acme/widget/stargazers": [
        dict(_u("alice"), star_at="2024-03-01T08:00:00+08:00"),
        dict(_u("bob"), star_at="2024-03-02T08:00:00+08:00"),
    ],
    "/api/v5/repos/acme/widget/issues": [
        {
            "number": "I9XYZ1",
            "user": _u("carol"),
            "state": "closed",
            "created_at": "2024-03-03T18:00:00+08:00",
            "finished_at": "2024-03-05T18:00:00+08:00",
        }
    ],
    "/api/v5/repos/acme/widget/pulls": [
        {
            "number": 2,
            "user": _u("erin"),
            "state": "merged",
            "created_at": "2024-03-04T17:00:00+08:00",
            "closed_at": "2024-03-06T17:00:00+08:00",
            "merged_at": "2024-03-06T17:00:00+08:00",
        }
    ],
    "/api/v5/repos/acme/widget/issues/comments": [
        {
            "id": 501,
            "user": _u("dave"),
            "created_at": "2024-03-03T20:00:00+08:00",
            "target": {"issue": {"number": "I9XYZ1"}},
        }
    ],
    "/api/v5/repos/acme/widget/pulls/comments": [
        {
            "id": 601,
            "user": _u("alice"),
            "created_at": "2024-03-04T18:00:00+08:00",
            "pull_request_url": "https://gitee.com/api/v5/repos/acme/widget/pulls/2",
        }
    ],
    "/api/v5/repos/acme/widget/forks": [
        {"full_name": "frank/widget", "owner": _u("frank"), "created_at": "2024-03-07T08:00:00+08:00"}
    ],
}

GITLAB = {
    "/api/v4/projects/acme/widget": {"id": 22, "path_with_namespace": "acme/widget"},
    "/api/v4/projects/acme/widget/starrers": [
        {"starred_since": "2024-03-01T00:00:00.000Z", "user": _u("alice", "username")},
        {"starred_since": "2024-03-02T00:00:00.000Z", "user": _u("bob", "username")},
    ],
    "/api/v4/projects/acme/widget/issues": [
        {
            "iid": 1,
            "author": _u("carol", "username"),
            "created_at": "2024-03-03T10:00:00.000Z",
            "closed_at": "2024-03-05T10:00:00.000Z",
        }
    ],
    "/api/v4/projects/acme/widget/merge_requests": [
        {
            "iid": 2,
            "author": _u("erin", "username"),
            "created_at": "2024-03-04T09:00:00.000Z",
            "closed_at": None,
            "merged_at": "2024-03-06T09:00:00.000Z",
        }
    ],
    "/api/v4/projects/acme/widget/events": [
        {
            "id": 9001,
            "action_name": "commented on",
            "author": _u("dave", "username"),
            "created_at": "2024-03-03T12:00:00.000Z",
            "note": {"id": 501, "noteable_type": "Issue", "noteable_iid": 1, "system": False},
        },
        {
            "id": 9002,
            "action_name": "commented on",
            "author": _u("alice", "username"),
            "created_at": "2024-03-04T10:00:00.000Z",
            "note": {"id": 601, "noteable_type": "MergeRequest", "noteable_iid": 2, "system": False},
        },
        {
            "id": 9003,
            "action_name": "commented on",
            "author": _u("ci-bot", "username"),
            "created_at": "2024-03-04T10:05:00.000Z",
            "note": {"id": 602, "noteable_type": "MergeRequest", "noteable_iid": 2, "system": True},
        },
    ],
    "/api/v4/projects/acme/widget/forks": [
        {
            "id": 77,
            "path_with_namespace": "frank/widget",
            "owner": _u("frank", "username"),
            "created_at": "2024-03-07T00:00:00Z",
        }
    ],
}


class _Forge(BaseHTTPRequestHandler):
    answers: dict = {}
    hits: list[tuple[str, dict, dict]] = []
    throttle: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        url = urlparse(self.path)
        path = unquote(url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).hits.append((path, query, dict(self.headers)))
        if path in type(self).throttle:
            type(self).throttle.discard(path)
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        body = type(self).answers.get(path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        headers = {}
        if isinstance(body, list):  # page-numbered lists, as both forges paginate
            per_page, page = int(query.get("per_page", 100)), int(query.get("page", 1))
            total = max(1, -(-len(body) // per_page))
            body = body[(page - 1) * per_page : page * per_page]
            headers = {"X-Total-Pages": str(total), "total_page": str(total)}
        data = json.dumps(body).encode()
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server():
    _Forge.hits = []
    _Forge.throttle = set()
    _Forge.answers = {**GITEE, **GITLAB}
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Forge)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _github_reference(store: Store) -> None:
    """The same history through the GitHub API source's own mapping (and a ForkEvent as GH Archive has it)."""
    repo = "acme/widget"
    stars = [
        {"user": _u("alice"), "starred_at": "2024-03-01T00:00:00Z"},
        {"user": _u("bob"), "starred_at": "2024-03-02T00:00:00Z"},
    ]
    issues = [
        {"number": 1, "user": _u("carol"), "created_at": "2024-03-03T10:00:00Z", "closed_at": "2024-03-05T10:00:00Z"},
        {
            "number": 2,
            "user": _u("erin"),
            "created_at": "2024-03-04T09:00:00Z",
            "closed_at": "2024-03-06T09:00:00Z",
            "pull_request": {"merged_at": "2024-03-06T09:00:00Z"},
        },
    ]
    comments = [
        {"id": 501, "user": _u("dave"), "created_at": "2024-03-03T12:00:00Z", "issue_url": ".../issues/1"},
        {"id": 601, "user": _u("alice"), "created_at": "2024-03-04T10:00:00Z", "issue_url": ".../issues/2"},
    ]
    fork = [
        {
            "id": "gh-fork",
            "type": "ForkEvent",
            "created_at": "2024-03-07T00:00:00Z",
            "actor": _u("frank"),
            "repo": {"id": 1, "name": repo},
            "payload": {"forkee": {"full_name": "frank/widget"}},
        }
    ]
    _write(store, repo, "stargazers", star_records(repo, 1, stars), None, None)
    _write(store, repo, "issues", issue_records(repo, 1, issues), None, None)
    _write(store, repo, "comments", comment_records(repo, 1, comments, {2}), None, None)
    _write(store, repo, "forks", fork, None, None)


def test_gitee_and_gitlab_give_the_same_metrics_as_github(tmp_path, server, monkeypatch) -> None:
    monkeypatch.setattr(forges_module, "PER_PAGE", 1)  # every list is read across pages
    store = Store(tmp_path / "f.duckdb")
    _github_reference(store)
    gitee = ingest_forge(store, "gitee", "acme/widget", url=f"{server}/api/v5")
    gitlab = ingest_forge(store, "gitlab", "acme/widget", url=f"{server}/api/v4")
    assert (gitee.events, gitlab.events) == (9, 9)
    engine = get_engine("duckdb", store)
    docs = {
        r: metrics_document(engine, r, "2024-03") for r in ("acme/widget", "gitee:acme/widget", "gitlab:acme/widget")
    }
    store.close()
    reference = docs["acme/widget"]["metrics"]
    assert reference["stars"] == 2 and reference["issues_new"] == 1 and reference["change_requests_accepted"] == 1
    for name in ("gitee:acme/widget", "gitlab:acme/widget"):
        assert docs[name]["metrics"] == reference, name
        assert set(docs[name]) == set(docs["acme/widget"])
    pages = [q for p, q, _ in _Forge.hits if p.endswith("/stargazers")]
    assert [q["page"] for q in pages] == ["1", "2"]


def test_tokens_go_in_a_header_to_the_named_host_only(tmp_path, server) -> None:
    store = Store(tmp_path / "t.duckdb")
    ingest_forge(store, "gitlab", "acme/widget", url=f"{server}/api/v4", token="glpat-secret-123")
    store.close()
    for path, query, headers in _Forge.hits:
        assert headers.get("PRIVATE-TOKEN") == "glpat-secret-123"
        assert "glpat-secret-123" not in path + json.dumps(query)
    client = JsonClient(headers={"PRIVATE-TOKEN": "x"}, only_host="127.0.0.1")
    from osslever.sources.http import FetchError

    with pytest.raises(FetchError):
        client.get("http://example.invalid/steal")
    client.close()


def test_rate_limits_are_waited_out(tmp_path, server) -> None:
    _Forge.throttle = {"/api/v5/repos/acme/widget/pulls"}
    waits: list[float] = []
    store = Store(tmp_path / "r.duckdb")
    client = JsonClient(sleep=waits.append, only_host="127.0.0.1")
    report = ingest_forge(store, "gitee", "acme/widget", url=f"{server}/api/v5", client=client)
    client.close()
    store.close()
    assert report.events == 9 and waits == [1.0]


def test_atomgit_reads_the_same_shapes(tmp_path, server) -> None:
    store = Store(tmp_path / "a.duckdb")
    report = ingest_forge(store, "atomgit", "acme/widget", url=f"{server}/api/v5")
    rows = store.rows("SELECT DISTINCT repo_name FROM gh_events")
    store.close()
    assert report.events == 9 and rows == [{"repo_name": "atomgit:acme/widget"}]


@pytest.mark.parametrize(
    ("forge", "repo", "key"),
    [
        ("gitee", "acme/missing", "forges.not_found"),
        ("gitee", "acme/../x", "forges.bad_repo"),
        ("gitee", "a/b/c", "forges.bad_repo"),
        ("sourceforge", "a/b", "forges.unknown"),
    ],
)
def test_clear_errors(tmp_path, server, forge: str, repo: str, key: str) -> None:
    store = Store(tmp_path / "e.duckdb")
    with pytest.raises(UserError) as err:
        ingest_forge(store, forge, repo, url=f"{server}/api/v5")
    store.close()
    assert err.value.key == key


def test_gitee_string_idents_become_stable_numbers() -> None:
    assert stable_number("I9XYZ1") == stable_number("I9XYZ1") and stable_number("12") == 12
    assert stable_number("I9XYZ1") != stable_number("I9XYZ2")
