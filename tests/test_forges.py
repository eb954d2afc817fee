"""GitLab, Gitee and AtomGit from loopback servers that answer in each API's documented shapes.

One small history is told three times — through GitHub's API shapes, Gitee's and
GitLab's — and the metrics documents must agree: the forges feed the same event rows.

The history (March 2024): alice and bob star; carol opens issue 1 (closed on the 5th),
dave comments on it; erin opens pull request 2 (merged on the 6th), alice comments on
it; frank forks.

Incremental runs are told with a second, larger history in two states (see below): the
fake server honours each API's documented filters and orders and records every query,
so the tests check what a second run asks for, how many pages it reads, and that the
store ends as one full run over the final state leaves it.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
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


def _t(value: str) -> datetime:
    """The fake server's own reading of a timestamp (offsets kept), to filter and sort as the forges do."""
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _select(path: str, query: dict, items: list) -> list:
    """The filters and orders each API documents, applied to a list held in storage (id) order.

    GitLab: ``updated_after`` (on or after), ``order_by``/``sort``; events ``after=DAY``
    keeps events created after the end of that day (EventsFinder, a UTC instance) and
    ``sort`` orders by id; starrers take no order and come by id, oldest first (the
    paginator's default). Gitee: ``since`` (updated at or after), ``sort``/``direction``,
    forks ``sort=newest|oldest``; stargazers take no order (not documented: this fake
    keeps the list as stored, which the tests give newest first).
    """
    items = list(items)
    gitlab = path.startswith("/api/v4/")
    since = query.get("updated_after" if gitlab else "since")
    if since:
        items = [i for i in items if _t(i["updated_at"]) >= _t(since)]
    if gitlab and path.endswith("/events") and "after" in query:
        start = datetime.fromisoformat(query["after"]).replace(tzinfo=UTC) + timedelta(days=1)
        items = [i for i in items if _t(i["created_at"]) >= start]
    key, desc = None, False
    if gitlab and "order_by" in query:
        key, desc = query["order_by"], query.get("sort", "desc") == "desc"
    elif gitlab and path.endswith("/events") and "sort" in query:
        key, desc = "id", query["sort"] == "desc"
    elif not gitlab and path.endswith("/forks") and "sort" in query:
        key, desc = "created_at", query["sort"] == "newest"
    elif not gitlab and query.get("sort") in ("created", "updated", "updated_at"):
        key, desc = ("created_at" if query["sort"] == "created" else "updated_at"), query.get("direction") == "desc"
    if key == "id":
        items.sort(key=lambda i: i["id"], reverse=desc)
    elif key:
        items.sort(key=lambda i: _t(i[key]), reverse=desc)
    return items


class _Forge(BaseHTTPRequestHandler):
    answers: dict = {}
    hits: list[tuple[str, dict, dict]] = []
    throttle: set[str] = set()
    fail: set[tuple[str, str]] = set()  # (path, page) answered 500 until cleared: a walk cut off mid-way
    hidden: set[int] = set()  # event ids GitLab leaves off a page (not visible to the reader)

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
        if (path, query.get("page", "1")) in type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        body = type(self).answers.get(path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        headers = {}
        if isinstance(body, list):  # page-numbered lists, as both forges paginate
            body = _select(path, query, body)
            per_page, page = int(query.get("per_page", 100)), int(query.get("page", 1))
            total = max(1, -(-len(body) // per_page))
            body = body[(page - 1) * per_page : page * per_page]
            if path.endswith("/events"):
                body = [i for i in body if i.get("id") not in type(self).hidden]
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
    _Forge.fail = set()
    _Forge.hidden = set()
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


# --- Incremental runs ---------------------------------------------------------------
#
# One history (March 2024) in two states: what the forge held at the first run, and
# what it holds later (three more stars, issue 1 closed, issue 4 and pull 5 opened,
# three more comments, a push, a fork). Times are UTC; Gitee writes them at +08:00.
# Pages hold two entries (PER_PAGE = 2), so every list spans several pages.

STARS = ["alice", "bob", "carl", "dina", "eve", "fay", "gus", "hana", "ivan", "jay"]  # one a day from 03-01
FIRST_STARS = 7


def _day(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def _history(later: bool) -> dict:
    """Issues and pulls as (number, author, created, closed, merged, updated); comments, pushes, forks."""
    issues = [
        (7, "pia", _day(1, 8), None, None, _day(1, 8)),
        (8, "quin", _day(1, 9), None, None, _day(1, 9)),
        (6, "olga", _day(2, 8), None, None, _day(2, 8)),
        (1, "carol", _day(3, 10), _day(22, 10) if later else None, None, _day(22, 10) if later else _day(3, 12)),
        (3, "gina", _day(4, 8), _day(5, 8), None, _day(5, 8)),
    ]
    pulls = [
        (9, "ruth", _day(1, 9), _day(2, 9), None, _day(2, 9)),
        (2, "erin", _day(4, 9), _day(6, 9), _day(6, 9), _day(6, 9)),
    ]
    # (comment id, author, on, number, when, GitLab's id of the "commented on" event)
    comments = [(501, "dave", "issue", 1, _day(3, 12), 9001), (601, "alice", "pull", 2, _day(4, 10), 9002)]
    pushes = [(9004, "erin", _day(6, 8), 3)]
    forks = [(70, "nick", _day(1)), (71, "omar", _day(2)), (72, "pat", _day(3)), (73, "quin", _day(4))]
    forks.append((77, "frank", _day(7)))
    if later:
        issues.append((4, "judy", _day(21, 9), None, None, _day(21, 11)))
        pulls.append((5, "kim", _day(20, 9), None, None, _day(20, 9)))
        comments += [(602, "carol", "pull", 5, _day(20, 10), 9005), (502, "judy", "issue", 4, _day(21, 11), 9006)]
        comments.append((503, "erin", "issue", 1, _day(22, 9), 9007))
        pushes.append((9008, "kim", _day(23, 8), 2))
        forks.append((78, "leo", _day(24)))
    stars = [(login, _day(1 + n)) for n, login in enumerate(STARS[: len(STARS) if later else FIRST_STARS])]
    return {"stars": stars, "issues": issues, "pulls": pulls, "comments": comments, "pushes": pushes, "forks": forks}


def _z(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z") if when else None


def _cst(when: datetime | None) -> str | None:
    return when.astimezone(timezone(timedelta(hours=8))).isoformat() if when else None


def _gitlab(h: dict) -> dict:
    """The history in GitLab's REST v4 shapes, each list in storage (id) order."""
    base = "/api/v4/projects/acme/widget"

    def item(n: int, who: str, created, closed, merged, updated) -> dict:
        return {
            "iid": n,
            "author": _u(who, "username"),
            "created_at": _z(created),
            "closed_at": _z(closed) if not merged else None,
            "merged_at": _z(merged),
            "updated_at": _z(updated),
        }

    events = [
        {
            "id": eid,
            "action_name": "commented on",
            "author": _u(who, "username"),
            "created_at": _z(at),
            "note": {"id": cid, "noteable_type": "Issue" if kind == "issue" else "MergeRequest", "noteable_iid": n},
        }
        for cid, who, kind, n, at, eid in h["comments"]
    ]
    events.append(  # a system note (label change …) is not a comment
        {
            "id": 9003,
            "action_name": "commented on",
            "author": _u("ci-bot", "username"),
            "created_at": _z(_day(4, 11)),
            "note": {"id": 603, "noteable_type": "MergeRequest", "noteable_iid": 2, "system": True},
        }
    )
    events += [
        {"id": eid, "action_name": "pushed to", "author": _u(who, "username"), "created_at": _z(at)}
        | {"push_data": {"commit_count": size}}
        for eid, who, at, size in h["pushes"]
    ]
    return {
        base: {"id": 22, "path_with_namespace": "acme/widget"},
        f"{base}/starrers": [{"starred_since": _z(at), "user": _u(who, "username")} for who, at in h["stars"]],
        f"{base}/issues": sorted((item(*i) for i in h["issues"]), key=lambda i: i["iid"]),
        f"{base}/merge_requests": sorted((item(*p) for p in h["pulls"]), key=lambda i: i["iid"]),
        f"{base}/events": sorted(events, key=lambda e: e["id"]),
        f"{base}/forks": [
            {"id": fid, "path_with_namespace": f"{who}/widget", "owner": _u(who, "username"), "created_at": _z(at)}
            for fid, who, at in h["forks"]
        ],
    }


def _gitee(h: dict) -> dict:
    """The history in Gitee's v5 shapes; stargazers newest first (Gitee does not document the order)."""
    base = "/api/v5/repos/acme/widget"
    ident = {n: f"I9XY{n:02d}" for n, *_ in h["issues"]}
    issues = [
        {
            "number": ident[n],
            "user": _u(who),
            "state": "closed" if closed else "open",
            "created_at": _cst(created),
            "finished_at": _cst(closed),
            "updated_at": _cst(updated),
        }
        for n, who, created, closed, _, updated in h["issues"]
    ]
    pulls = [
        {
            "number": n,
            "user": _u(who),
            "state": "merged" if merged else ("closed" if closed else "open"),
            "created_at": _cst(created),
            "closed_at": _cst(closed),
            "merged_at": _cst(merged),
            "updated_at": _cst(updated),
        }
        for n, who, created, closed, merged, updated in h["pulls"]
    ]
    comments = {"issue": [], "pull": []}
    for cid, who, kind, n, at, _ in h["comments"]:
        one = {"id": cid, "user": _u(who), "created_at": _cst(at), "updated_at": _cst(at)}
        if kind == "issue":
            one["target"] = {"issue": {"number": ident[n]}}
        else:
            one["pull_request_url"] = f"https://gitee.com/api/v5/repos/acme/widget/pulls/{n}"
        comments[kind].append(one)
    return {
        base: {"id": 11, "full_name": "acme/widget"},
        f"{base}/stargazers": [dict(_u(who), star_at=_cst(at)) for who, at in reversed(h["stars"])],
        f"{base}/issues": issues,
        f"{base}/pulls": pulls,
        f"{base}/issues/comments": comments["issue"],
        f"{base}/pulls/comments": comments["pull"],
        f"{base}/forks": [
            {"full_name": f"{who}/widget", "owner": _u(who), "created_at": _cst(at)} for _, who, at in h["forks"]
        ],
    }


SHAPES = {"gitlab": (_gitlab, "/api/v4"), "gitee": (_gitee, "/api/v5"), "atomgit": (_gitee, "/api/v5")}


def _serve(forge: str, later: bool) -> None:
    _Forge.answers = SHAPES[forge][0](_history(later))
    _Forge.hits = []


def _run(store: Store, server: str, forge: str, **kw):
    return ingest_forge(store, forge, "acme/widget", url=f"{server}{SHAPES[forge][1]}", **kw)


def _pages(suffix: str) -> list[str]:
    return [q.get("page", "1") for p, q, _ in _Forge.hits if p.endswith(suffix)]


def _query(suffix: str) -> dict:
    """The query of the first request to the list ending in ``suffix`` (page and per_page aside)."""
    found = [q for p, q, _ in _Forge.hits if p.endswith(suffix)]
    assert found, suffix
    return {k: v for k, v in found[0].items() if k not in ("page", "per_page")}


def _requests() -> dict[str, int]:
    """Requests per path since the hits were last cleared."""
    out: dict[str, int] = {}
    for path, _, _ in _Forge.hits:
        out[path] = out.get(path, 0) + 1
    return out


def _doc(store: Store, forge: str) -> dict:
    return metrics_document(get_engine("duckdb", store), f"{forge}:acme/widget", "2024-03")


def _ids(store: Store) -> set[tuple[str, str]]:
    return {(r["event_id"], r["type"]) for r in store.rows("SELECT event_id, type FROM gh_events")}


def _cursors(store: Store) -> dict[str, str | None]:
    return {r["resource"]: r["since"] for r in store.rows("SELECT resource, since FROM gh_api_state")}


def _full_run(tmp_path, server: str, forge: str) -> tuple[dict, set, dict[str, int]]:
    """One run over the later history into a fresh store: the reference, and its pages per list."""
    _serve(forge, later=True)
    store = Store(tmp_path / f"full-{forge}.duckdb")
    _run(store, server, forge)
    pages = _requests()
    doc, ids = _doc(store, forge), _ids(store)
    store.close()
    return doc, ids, pages


# What the second run must ask for, from the first run's newest times (hand-computed):
# one second before the newest updated_at; events from two days before the newest
# event's date (GitLab keeps those created after the END of the given day).
SECOND_RUN = {
    "gitlab": {
        "/issues": {"scope": "all", "order_by": "created_at", "sort": "asc", "updated_after": "2024-03-05T07:59:59Z"},
        "/merge_requests": {
            "state": "all",
            "scope": "all",
            "order_by": "created_at",
            "sort": "asc",
            "updated_after": "2024-03-06T08:59:59Z",
        },
        "/events": {"sort": "asc", "after": "2024-03-04"},
        "/starrers": {},
        "/forks": {"order_by": "created_at", "sort": "desc"},
    },
    "gitee": {
        "/issues": {"state": "all", "sort": "created", "direction": "asc", "since": "2024-03-05T07:59:59Z"},
        "/pulls": {"state": "all", "sort": "created", "direction": "asc", "since": "2024-03-06T08:59:59Z"},
        "/issues/comments": {"sort": "created", "direction": "asc", "since": "2024-03-04T09:59:59Z"},
        "/pulls/comments": {"sort": "created", "direction": "asc", "since": "2024-03-04T09:59:59Z"},
        "/stargazers": {},
        "/forks": {"sort": "newest"},
    },
}
SECOND_RUN["atomgit"] = SECOND_RUN["gitee"]

# Pages the second run reads (hand-computed, two entries a page). GitLab's starrers are
# oldest first: page 1 is old, so 5 (new), 4 (gus old, hana new), 3 (all old) — stop.
# Gitee's stargazers here are newest first: 1, 2 (hana new), 3 (all old) — stop.
SECOND_PAGES = {
    "gitlab": {"/starrers": ["1", "5", "4", "3"], "/issues": ["1", "2"], "/merge_requests": ["1"]}
    | {"/events": ["1", "2", "3"], "/forks": ["1", "2"]},
    "gitee": {"/stargazers": ["1", "2", "3"], "/issues": ["1", "2"], "/pulls": ["1"]}
    | {"/issues/comments": ["1"], "/pulls/comments": ["1"], "/forks": ["1", "2"]},
}
SECOND_PAGES["atomgit"] = SECOND_PAGES["gitee"]
# Events the second run adds: 3 stars, issue 1 closed, issue 4, pull 5, the fork, and
# GitLab's 3 comment events and push (push 9004 is read again and not added) or Gitee's 3 comments.
SECOND_NEW = {"gitlab": 11, "gitee": 10, "atomgit": 10}


@pytest.mark.parametrize("forge", ["gitlab", "gitee", "atomgit"])
def test_a_second_run_asks_only_for_what_changed(tmp_path, server, monkeypatch, forge: str) -> None:
    monkeypatch.setattr(forges_module, "PER_PAGE", 2)
    reference, reference_ids, full_pages = _full_run(tmp_path, server, forge)

    store = Store(tmp_path / "inc.duckdb")
    _serve(forge, later=False)
    _run(store, server, forge)
    first_queries = [q for _, q, _ in _Forge.hits]
    assert not any({"since", "updated_after", "after"} & set(q) for q in first_queries)  # a first run reads all

    _serve(forge, later=True)
    second = _run(store, server, forge)
    for suffix, query in SECOND_RUN[forge].items():
        assert _query(suffix) == query, suffix
    for suffix, pages in SECOND_PAGES[forge].items():
        assert _pages(suffix) == pages, suffix
    second_pages = _requests()
    assert all(second_pages[p] <= full_pages[p] for p in second_pages)
    assert sum(second_pages.values()) < sum(full_pages.values())
    assert second.new_events == SECOND_NEW[forge]

    doc, ids = _doc(store, forge), _ids(store)
    store.close()
    assert ids == reference_ids
    assert doc == reference
    m = doc["metrics"]  # the reference itself, against the history above
    assert (m["stars"], m["issues_new"], m["issues_closed"], m["change_requests_accepted"]) == (10, 6, 2, 1)


@pytest.mark.parametrize(
    ("forge", "cut", "resource"),
    [
        ("gitlab", ("/api/v4/projects/acme/widget/events", "2"), "gitlab:events"),
        ("gitlab", ("/api/v4/projects/acme/widget/starrers", "4"), "gitlab:stars"),
        ("gitee", ("/api/v5/repos/acme/widget/issues", "2"), "gitee:issues"),
    ],
)
def test_an_interrupted_run_keeps_the_cursor_and_the_next_one_completes(
    tmp_path, server, monkeypatch, forge: str, cut: tuple[str, str], resource: str
) -> None:
    monkeypatch.setattr(forges_module, "PER_PAGE", 2)
    reference, reference_ids, _ = _full_run(tmp_path, server, forge)
    store = Store(tmp_path / "cut.duckdb")
    _serve(forge, later=False)
    _run(store, server, forge)
    before = _cursors(store)
    source = f"api:{resource}"
    rows_before = store.rows("SELECT count(*) AS n FROM gh_events WHERE source = ?", [source])[0]["n"]

    _serve(forge, later=True)
    _Forge.fail = {cut}
    client = JsonClient(sleep=lambda _: None, only_host="127.0.0.1")
    with pytest.raises(UserError) as err:
        _run(store, server, forge, client=client)
    client.close()
    assert err.value.key == "forges.failed"
    assert cut in {(p, q.get("page", "1")) for p, q, _ in _Forge.hits}  # the walk got there, then broke
    after = _cursors(store)
    assert after[resource] == before[resource]
    assert store.rows("SELECT count(*) AS n FROM gh_events WHERE source = ?", [source])[0]["n"] == rows_before
    walked = {
        "gitlab:events": ["gitlab:stars", "gitlab:issues", "gitlab:merge_requests"],
        "gitlab:stars": [],
        "gitee:issues": ["gitee:stars"],
    }
    for done in walked[resource]:  # resources walked completely before the break moved on
        assert after[done] > before[done], done
    asked = _query(cut[0])

    _Forge.fail = set()
    _Forge.hits = []
    _run(store, server, forge)
    assert _query(cut[0]) == asked  # the third run starts where the broken one did
    doc, ids = _doc(store, forge), _ids(store)
    store.close()
    assert ids == reference_ids
    assert doc == reference


def test_full_rereads_everything(tmp_path, server, monkeypatch) -> None:
    from click.testing import CliRunner

    from osslever.cli import cli

    monkeypatch.setattr(forges_module, "PER_PAGE", 2)
    _, reference_ids, full_pages = _full_run(tmp_path, server, "gitlab")
    db = tmp_path / "cli.duckdb"
    args = ["ingest", "gitlab", "acme/widget", "--url", f"{server}/api/v4", "--db", str(db), "-q"]
    _serve("gitlab", later=False)
    assert CliRunner().invoke(cli, args).exit_code == 0
    _serve("gitlab", later=True)
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert "updated_after" in _query("/issues")  # the second run was incremental
    _Forge.hits = []
    result = CliRunner().invoke(cli, [*args, "--full"])
    assert result.exit_code == 0, result.output
    assert not any({"updated_after", "after"} & set(q) for _, q, _ in _Forge.hits)
    assert _requests() == full_pages  # every page of every list, as a first run reads them
    assert _pages("/starrers") == ["1", "2", "3", "4", "5"]
    store = Store(db)
    ids = _ids(store)
    store.close()
    assert ids == reference_ids


def test_a_short_page_is_not_the_last_when_the_headers_say_more(tmp_path, server, monkeypatch) -> None:
    """GitLab drops events the reader may not see from a page; the page count still decides."""
    monkeypatch.setattr(forges_module, "PER_PAGE", 2)
    _serve("gitlab", later=True)
    _Forge.hidden = {9002}  # page 1 of the events (9001, 9002) comes back with one entry
    store = Store(tmp_path / "h.duckdb")
    _run(store, server, "gitlab")
    ids = _ids(store)
    store.close()
    assert _pages("/events") == ["1", "2", "3", "4"]
    assert ("gitlab:push:9008", "PushEvent") in ids and ("gitlab:note:601", "IssueCommentEvent") not in ids


def test_the_cursor_is_the_newest_time_seen_capped_at_the_start_of_the_run() -> None:
    from osslever.sources.forges.gitlab import GitLab

    forge = GitLab(JsonClient(), "http://127.0.0.1")
    forge.began = datetime(2024, 3, 10, 12, tzinfo=UTC)
    assert forge.cursor("2024-03-05T16:00:00+08:00", None) == "2024-03-05T08:00:00.000000Z"
    assert forge.cursor("2024-03-11T00:00:00Z", None) == "2024-03-10T12:00:00.000000Z"  # changed mid-walk
    assert forge.cursor(None, "2024-03-01T00:00:00.000000Z") == "2024-03-01T00:00:00.000000Z"  # nothing new
    assert forge.cursor("2024-02-01T00:00:00Z", "2024-03-01T00:00:00.000000Z") == "2024-03-01T00:00:00.000000Z"
    forge.client.close()
