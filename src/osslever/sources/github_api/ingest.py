"""GitHub API → ``gh_events``: one repository, incremental, one transaction per resource.

Each resource is mapped to the Events-API record GH Archive would hold, then goes
through ``normalize`` like any archived event; event ids are ``api:...`` strings
derived from the GitHub object (star: user; issue: number + action; comment: id),
so re-reading a page never duplicates a row. Incremental: list endpoints that
accept ``since`` get the newest ``updated_at`` seen before; stargazers (no
``since``) use the ETag of the first page (a 304 costs no rate limit).
Limits of this source, stated in docs/events.md: who closed or merged is not in
the list endpoints (closing events carry no actor), and forks are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from osslever.progress import Progress, Silent
from osslever.sources.gharchive.normalize import from_dict, normalize
from osslever.sources.gharchive.reader import rows_to_table
from osslever.sources.github_api.client import GitHubClient
from osslever.store import Store

_NUMBER = re.compile(r"/(?:issues|pulls)/(\d+)$")


@dataclass
class ApiReport:
    events: int = 0
    new_events: int = 0
    requests: int = 0
    not_modified: int = 0


def _user(obj: Any) -> dict[str, Any] | None:
    if isinstance(obj, dict) and obj.get("login"):
        return {"id": obj.get("id"), "login": obj["login"]}
    return None


def _record(
    repo: str,
    repo_id: int | None,
    event_id: str,
    etype: str,
    when: str | None,
    actor: dict[str, Any] | None,
    payload: dict[str, Any],
) -> dict[str, Any] | None:
    if not when:
        return None
    return {
        "id": event_id,
        "type": etype,
        "created_at": when,
        "actor": actor or {},
        "repo": {"id": repo_id, "name": repo},
        "payload": payload,
    }


def star_records(repo: str, repo_id: int | None, items: Iterable[Any]) -> list[dict]:
    out = []
    for item in items:
        user = _user(item.get("user"))
        if user is None:
            continue
        rec = _record(
            repo,
            repo_id,
            f"api:star:{repo}:{user['id'] or user['login']}",
            "WatchEvent",
            item.get("starred_at"),
            user,
            {"action": "started"},
        )
        if rec:
            out.append(rec)
    return out


def issue_records(repo: str, repo_id: int | None, items: Iterable[Any]) -> list[dict]:
    """Issues list (PRs included) → opened / closed events (merged from pull_request)."""
    out: list[dict | None] = []
    for item in items:
        number, author = item.get("number"), _user(item.get("user"))
        base = {
            "number": number,
            "user": author,
            "created_at": item.get("created_at"),
            "closed_at": item.get("closed_at"),
        }
        pr = item.get("pull_request")
        if isinstance(pr, dict):
            merged_at = pr.get("merged_at")
            pull = dict(base, merged=merged_at is not None, merged_at=merged_at)
            out.append(
                _record(
                    repo,
                    repo_id,
                    f"api:pr:{repo}:{number}:opened",
                    "PullRequestEvent",
                    item.get("created_at"),
                    author,
                    {
                        "action": "opened",
                        "number": number,
                        "pull_request": dict(base, merged=False),
                    },
                )
            )
            if item.get("closed_at"):
                out.append(
                    _record(
                        repo,
                        repo_id,
                        f"api:pr:{repo}:{number}:closed",
                        "PullRequestEvent",
                        item.get("closed_at"),
                        None,
                        {"action": "closed", "number": number, "pull_request": pull},
                    )
                )
        else:
            out.append(
                _record(
                    repo,
                    repo_id,
                    f"api:issue:{repo}:{number}:opened",
                    "IssuesEvent",
                    item.get("created_at"),
                    author,
                    {"action": "opened", "issue": base},
                )
            )
            if item.get("closed_at"):
                out.append(
                    _record(
                        repo,
                        repo_id,
                        f"api:issue:{repo}:{number}:closed",
                        "IssuesEvent",
                        item.get("closed_at"),
                        None,
                        {"action": "closed", "issue": base},
                    )
                )
    return [r for r in out if r]


def _number(url: Any) -> int | None:
    match = _NUMBER.search(str(url or ""))
    return int(match.group(1)) if match else None


def comment_records(repo: str, repo_id: int | None, items: Iterable[Any], pr_numbers: set[int]) -> list[dict]:
    out = []
    for item in items:
        number = _number(item.get("issue_url"))
        issue: dict[str, Any] = {"number": number}
        if number in pr_numbers:
            issue["pull_request"] = {}
        rec = _record(
            repo,
            repo_id,
            f"api:comment:{item.get('id')}",
            "IssueCommentEvent",
            item.get("created_at"),
            _user(item.get("user")),
            {"action": "created", "issue": issue, "comment": {"id": item.get("id")}},
        )
        if rec:
            out.append(rec)
    return out


def review_comment_records(repo: str, repo_id: int | None, items: Iterable[Any]) -> list[dict]:
    out = []
    for item in items:
        number = _number(item.get("pull_request_url"))
        rec = _record(
            repo,
            repo_id,
            f"api:review-comment:{item.get('id')}",
            "PullRequestReviewCommentEvent",
            item.get("created_at"),
            _user(item.get("user")),
            {
                "action": "created",
                "comment": {"id": item.get("id")},
                "pull_request": {"number": number, "user": {}},
            },
        )
        if rec:
            out.append(rec)
    return out


def review_records(repo: str, repo_id: int | None, number: int, items: Iterable[Any]) -> list:
    out = []
    for item in items:
        rec = _record(
            repo,
            repo_id,
            f"api:review:{item.get('id')}",
            "PullRequestReviewEvent",
            item.get("submitted_at"),
            _user(item.get("user")),
            {
                "action": "created",
                "review": {"id": item.get("id"), "state": item.get("state")},
                "pull_request": {"number": number, "user": {}},
            },
        )
        if rec:
            out.append(rec)
    return out


class _State:
    def __init__(self, store: Store, repo: str) -> None:
        self.store, self.repo = store, repo.lower()

    def get(self, resource: str) -> tuple[str | None, str | None]:
        rows = self.store.rows(
            "SELECT etag, since FROM gh_api_state WHERE repo = ? AND resource = ?",
            [self.repo, resource],
        )
        return (rows[0]["etag"], rows[0]["since"]) if rows else (None, None)


def _write(store: Store, repo: str, resource: str, records: list[dict], etag: str | None, since: str | None) -> int:
    """One resource's events and its cache state, all or nothing; returns rows added."""
    from osslever.sources.gharchive.ingest import insert_events

    by_id: dict[str, tuple[Any, ...]] = {}
    for record in records:  # a page read twice must not add a row twice
        row = normalize(from_dict(record))
        by_id.setdefault(row[0], row)
    table = rows_to_table(list(by_id.values()))
    with store.transaction() as con:
        added = insert_events(con, table, f"api:{resource}")
        con.execute(
            "INSERT OR REPLACE INTO gh_api_state VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
            [repo.lower(), resource, etag, since],
        )
    return added


def _newest(items: list[Any], field: str, current: str | None) -> str | None:
    values = [i.get(field) for i in items if isinstance(i, dict) and i.get(field)]
    if current:
        values.append(current)
    return max(values) if values else None


def ingest_repository(
    store: Store,
    repo: str,
    token: str | None = None,
    api_url: str = "https://api.github.com",
    progress: Progress | None = None,
    client: GitHubClient | None = None,
    token_env: str = "GITHUB_TOKEN",
) -> ApiReport:
    """Read one repository's stars, issues, PRs, comments and reviews into ``store``."""
    progress = progress or Silent()
    own = client is None
    client = client or GitHubClient(api_url, token, token_env=token_env)
    state = _State(store, repo)
    report = ApiReport()
    progress.start(f"github {repo}", 5)
    try:
        meta = client.json(client.get(f"{client.api_url}/repos/{repo}", what=repo), repo)
        repo_id = meta.get("id")
        name = meta.get("full_name") or repo

        # 1. Stargazers, with dates (the star+json media type adds starred_at).
        etag, _ = state.get("stargazers")
        items: list[Any] = []
        new_etag, unchanged = etag, False
        for page in client.pages(
            f"/repos/{repo}/stargazers",
            accept="application/vnd.github.star+json",
            etag=etag,
            what=f"{repo} stargazers",
        ):
            if page.not_modified:
                unchanged = True
                break
            new_etag = page.etag or new_etag
            items.extend(page.items)
        if not unchanged:
            records = star_records(name, repo_id, items)
            report.events += len(records)
            report.new_events += _write(store, repo, "stargazers", records, new_etag, None)
        progress.advance(1)

        # 2. Issues and pull requests (the issues list holds both; merged_at for PRs).
        _, since = state.get("issues")
        params: dict[str, Any] = {"state": "all", "sort": "updated", "direction": "asc"}
        if since:
            params["since"] = since
        items = [i for page in client.pages(f"/repos/{repo}/issues", params, what=f"{repo} issues") for i in page.items]
        records = issue_records(name, repo_id, items)
        report.events += len(records)
        report.new_events += _write(store, repo, "issues", records, None, _newest(items, "updated_at", since))
        updated_prs = sorted({i["number"] for i in items if isinstance(i.get("pull_request"), dict)})
        progress.advance(1)

        # 3. Issue comments (PR conversation comments included).
        pr_numbers = set(updated_prs) | {
            r["number"]
            for r in store.rows(
                "SELECT DISTINCT number FROM gh_events WHERE lower(repo_name) = ? AND type = 'PullRequestEvent'",
                [repo.lower()],
            )
        }
        _, since = state.get("comments")
        params = {"sort": "updated", "direction": "asc"}
        if since:
            params["since"] = since
        items = [
            i
            for page in client.pages(f"/repos/{repo}/issues/comments", params, what=f"{repo} comments")
            for i in page.items
        ]
        records = comment_records(name, repo_id, items, pr_numbers)
        report.events += len(records)
        report.new_events += _write(store, repo, "comments", records, None, _newest(items, "updated_at", since))
        progress.advance(1)

        # 4. Review comments.
        _, since = state.get("review_comments")
        params = {"sort": "updated", "direction": "asc"}
        if since:
            params["since"] = since
        items = [
            i
            for page in client.pages(f"/repos/{repo}/pulls/comments", params, what=f"{repo} review comments")
            for i in page.items
        ]
        records = review_comment_records(name, repo_id, items)
        report.events += len(records)
        report.new_events += _write(store, repo, "review_comments", records, None, _newest(items, "updated_at", since))
        progress.advance(1)

        # 5. Reviews of the PRs updated since the last run.
        records = []
        for number in updated_prs:
            for page in client.pages(f"/repos/{repo}/pulls/{number}/reviews", what=f"{repo} #{number} reviews"):
                records.extend(review_records(name, repo_id, number, page.items))
        report.events += len(records)
        report.new_events += _write(store, repo, "reviews", records, None, None)
        progress.advance(1)
    finally:
        progress.finish()
        report.requests = client.requests
        report.not_modified = client.not_modified
        if own:
            client.close()
    return report
