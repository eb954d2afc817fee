"""Gitee API v5, and AtomGit (GitCode) which publishes the same v5 shapes → event records.

Endpoints (https://gitee.com/api/v5/swagger): ``/repos/{owner}/{repo}``,
``/stargazers`` (``star_at``), ``/issues?state=all`` (``number`` is a string ident such as
``I4ABCD``; ``finished_at`` when done), ``/pulls?state=all`` (integer ``number``,
``closed_at``, ``merged_at``), ``/issues/comments`` (``target.issue.number``),
``/pulls/comments`` (``pull_request_url``), ``/forks`` (``sort=newest``). Pages:
``page``/``per_page`` with a ``total_page`` header. The token goes in the Authorization
header. Issues, pulls and both comment lists take ``since`` (ISO 8601, "updated at or
after"), used for what changed since the last run; ``/stargazers`` takes only
``page``/``per_page`` and its order is not documented, so a second run reads it with
``Forge.newer_pages``, which finds the order from the first page.

AtomGit's open API (GitCode, https://docs.atomgit.com) follows Gitee's v5 paths and
fields; it is read with the same mapping and its own base URL. Differences found on
a real instance should become a subclass here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import ClassVar

from osslever.sources.forges import Forge, Resource, _user, complete, record, since_param, stable_number

_PULL = re.compile(r"/pulls/(\d+)$")


class Gitee(Forge):
    name: ClassVar[str] = "gitee"
    default_url: ClassVar[str] = "https://gitee.com/api/v5"

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"Authorization": f"token {token}"}

    def resources(self, repo: str, since: Callable[[str], str | None]) -> Iterator[Resource]:
        path = f"/repos/{repo}"
        meta = self.meta(path)
        rid = meta.get("id") if isinstance(meta, dict) else None
        p = self.name

        stars, items = Resource("stars"), []
        for page in self.newer_pages(f"{path}/stargazers", None, "star_at", since("stars"), newest_first=False):
            items += page
            for item in page:
                user = _user(item)
                if user:
                    stars.records.append(
                        record(
                            repo,
                            f"{p}:star:{repo}:{user['login']}",
                            "WatchEvent",
                            item.get("star_at"),
                            user,
                            {"action": "started"},
                            rid,
                        )
                    )
        yield complete(stars, items, "star_at")

        # Issues, pull requests and both comment lists take ``since`` (updated at or
        # after); read in creation order, where an item edited mid-walk keeps its place.
        issues, items = Resource("issues"), []
        for page in self.pages(f"{path}/issues", _since({"state": "all"}, since("issues"))):
            items += page
            for item in page:
                number = stable_number(item.get("number"))
                author = _user(item.get("user"))
                closed = item.get("finished_at") or (item.get("updated_at") if item.get("state") == "closed" else None)
                base = {"number": number, "user": author, "created_at": item.get("created_at"), "closed_at": closed}
                issues.records.append(
                    record(
                        repo,
                        f"{p}:issue:{repo}:{item.get('number')}:opened",
                        "IssuesEvent",
                        item.get("created_at"),
                        author,
                        {"action": "opened", "issue": base},
                        rid,
                    )
                )
                if closed:
                    issues.records.append(
                        record(
                            repo,
                            f"{p}:issue:{repo}:{item.get('number')}:closed",
                            "IssuesEvent",
                            closed,
                            None,
                            {"action": "closed", "issue": base},
                            rid,
                        )
                    )
        yield complete(issues, items, "updated_at")

        pulls, items = Resource("pulls"), []
        for page in self.pages(f"{path}/pulls", _since({"state": "all"}, since("pulls"))):
            items += page
            for item in page:
                number = stable_number(item.get("number"))
                if number is None:
                    continue
                author = _user(item.get("user"))
                merged_at = item.get("merged_at")
                closed = item.get("closed_at") or merged_at
                base = {"number": number, "user": author, "created_at": item.get("created_at"), "closed_at": closed}
                pulls.records.append(
                    record(
                        repo,
                        f"{p}:pr:{repo}:{number}:opened",
                        "PullRequestEvent",
                        item.get("created_at"),
                        author,
                        {"action": "opened", "number": number, "pull_request": dict(base, merged=False)},
                        rid,
                    )
                )
                if closed:
                    body = dict(base, merged=merged_at is not None, merged_at=merged_at)
                    pulls.records.append(
                        record(
                            repo,
                            f"{p}:pr:{repo}:{number}:closed",
                            "PullRequestEvent",
                            closed,
                            None,
                            {"action": "closed", "number": number, "pull_request": body},
                            rid,
                        )
                    )
        yield complete(pulls, items, "updated_at")

        # One resource, one cursor, for both comment lists (one ``api:gitee:comments`` source).
        comments, items = Resource("comments"), []
        cursor = since("comments")
        for page in self.pages(f"{path}/issues/comments", _since({}, cursor)):
            items += page
            for item in page:
                target = ((item.get("target") or {}).get("issue") or {}) if isinstance(item.get("target"), dict) else {}
                issue = {"number": stable_number(target.get("number"))}
                comments.records.append(
                    record(
                        repo,
                        f"{p}:comment:{item.get('id')}",
                        "IssueCommentEvent",
                        item.get("created_at"),
                        _user(item.get("user")),
                        {"action": "created", "issue": issue, "comment": {"id": item.get("id")}},
                        rid,
                    )
                )
        for page in self.pages(f"{path}/pulls/comments", _since({}, cursor)):
            items += page
            for item in page:
                match = _PULL.search(str(item.get("pull_request_url") or ""))
                number = int(match.group(1)) if match else None
                issue = {"number": number, "pull_request": {}}
                comments.records.append(
                    record(
                        repo,
                        f"{p}:pr-comment:{item.get('id')}",
                        "IssueCommentEvent",
                        item.get("created_at"),
                        _user(item.get("user")),
                        {"action": "created", "issue": issue, "comment": {"id": item.get("id")}},
                        rid,
                    )
                )
        yield complete(comments, items, "updated_at")

        forks, items = Resource("forks"), []
        for page in self.newer_pages(
            f"{path}/forks", {"sort": "newest"}, "created_at", since("forks"), newest_first=True
        ):
            items += page
            for item in page:
                owner = _user(item.get("owner"))
                if owner:
                    forks.records.append(
                        record(
                            repo,
                            f"{p}:fork:{item.get('full_name')}",
                            "ForkEvent",
                            item.get("created_at"),
                            owner,
                            {"forkee": {"full_name": item.get("full_name")}},
                            rid,
                        )
                    )
        yield complete(forks, items, "created_at")


def _since(params: dict[str, str], cursor: str | None) -> dict[str, str]:
    """Creation order, oldest first; with a cursor, only what was updated since (``since``)."""
    out = {**params, "sort": "created", "direction": "asc"}
    if cursor:
        out["since"] = since_param(cursor)
    return out


class AtomGit(Gitee):
    name: ClassVar[str] = "atomgit"
    default_url: ClassVar[str] = "https://api.atomgit.com/api/v5"
