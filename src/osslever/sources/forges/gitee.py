"""Gitee API v5, and AtomGit (GitCode) which publishes the same v5 shapes → event records.

Endpoints (https://gitee.com/api/v5/swagger): ``/repos/{owner}/{repo}``,
``/stargazers`` (``star_at``), ``/issues?state=all`` (``number`` is a string ident such as
``I4ABCD``; ``finished_at`` when done), ``/pulls?state=all`` (integer ``number``,
``closed_at``, ``merged_at``), ``/issues/comments`` (``target.issue.number``),
``/pulls/comments`` (``pull_request_url``), ``/forks``. Pages: ``page``/``per_page`` with
a ``total_page`` header. The token goes in the Authorization header.

AtomGit's open API (GitCode, https://docs.atomgit.com) follows Gitee's v5 paths and
fields; it is read with the same mapping and its own base URL. Differences found on
a real instance should become a subclass here.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from osslever.sources.forges import Forge, _user, record, stable_number

_PULL = re.compile(r"/pulls/(\d+)$")


class Gitee(Forge):
    name: ClassVar[str] = "gitee"
    default_url: ClassVar[str] = "https://gitee.com/api/v5"

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"Authorization": f"token {token}"}

    def records(self, repo: str) -> dict[str, list[dict]]:
        path = f"/repos/{repo}"
        meta = self.client.get(f"{self.base}{path}")
        rid = meta.get("id") if isinstance(meta, dict) else None
        p = self.name
        out: dict[str, list[Any]] = {"stars": [], "issues": [], "pulls": [], "comments": [], "forks": []}
        for page in self.pages(f"{path}/stargazers"):
            for item in page:
                user = _user(item)
                if user:
                    out["stars"].append(
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
        for page in self.pages(f"{path}/issues", {"state": "all", "sort": "created", "direction": "asc"}):
            for item in page:
                number = stable_number(item.get("number"))
                author = _user(item.get("user"))
                closed = item.get("finished_at") or (item.get("updated_at") if item.get("state") == "closed" else None)
                base = {"number": number, "user": author, "created_at": item.get("created_at"), "closed_at": closed}
                out["issues"].append(
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
                    out["issues"].append(
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
        pulls: set[int] = set()
        for page in self.pages(f"{path}/pulls", {"state": "all", "sort": "created", "direction": "asc"}):
            for item in page:
                number = stable_number(item.get("number"))
                if number is None:
                    continue
                pulls.add(number)
                author = _user(item.get("user"))
                merged_at = item.get("merged_at")
                closed = item.get("closed_at") or merged_at
                base = {"number": number, "user": author, "created_at": item.get("created_at"), "closed_at": closed}
                out["pulls"].append(
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
                    out["pulls"].append(
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
        for page in self.pages(f"{path}/issues/comments", {"sort": "created", "direction": "asc"}):
            for item in page:
                target = ((item.get("target") or {}).get("issue") or {}) if isinstance(item.get("target"), dict) else {}
                issue = {"number": stable_number(target.get("number"))}
                out["comments"].append(
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
        for page in self.pages(f"{path}/pulls/comments"):
            for item in page:
                match = _PULL.search(str(item.get("pull_request_url") or ""))
                number = int(match.group(1)) if match else None
                issue = {"number": number, "pull_request": {}}
                out["comments"].append(
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
        for page in self.pages(f"{path}/forks"):
            for item in page:
                owner = _user(item.get("owner"))
                if owner:
                    out["forks"].append(
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
        return {k: [r for r in v if r] for k, v in out.items()}


class AtomGit(Gitee):
    name: ClassVar[str] = "atomgit"
    default_url: ClassVar[str] = "https://api.atomgit.com/api/v5"
