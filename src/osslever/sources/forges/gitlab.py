"""GitLab REST API v4 (gitlab.com or a self-managed instance) → event records.

Endpoints (https://docs.gitlab.com/api/): ``/projects/:id`` (``:id`` = the URL-encoded
path), ``/starrers`` (``starred_since``), ``/issues`` and ``/merge_requests``
(``scope=all``/``state=all``; ``iid``, ``author``, ``created_at``, ``closed_at``,
``merged_at``), ``/events`` (comments: ``action_name`` "commented on" with
``note.noteable_type`` and ``noteable_iid``; pushes: "pushed to"/"pushed new" with
``push_data.commit_count``), ``/forks``. The token goes in ``PRIVATE-TOKEN``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from osslever.sources.forges import Forge, _user, quoted, record


class GitLab(Forge):
    name: ClassVar[str] = "gitlab"
    default_url: ClassVar[str] = "https://gitlab.com/api/v4"

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token}

    def records(self, repo: str) -> dict[str, list[dict]]:
        project = f"/projects/{quoted(repo)}"
        meta = self.client.get(f"{self.base}{project}")
        pid = meta.get("id") if isinstance(meta, dict) else None
        name = repo
        out: dict[str, list[dict]] = {"stars": [], "issues": [], "merge_requests": [], "events": [], "forks": []}
        for page in self.pages(f"{project}/starrers"):
            for item in page:
                user = _user(item.get("user"), "username")
                if user:
                    out["stars"].append(
                        record(
                            name,
                            f"gitlab:star:{repo}:{user['login']}",
                            "WatchEvent",
                            item.get("starred_since"),
                            user,
                            {"action": "started"},
                            pid,
                        )
                    )
        for page in self.pages(f"{project}/issues", {"scope": "all", "order_by": "created_at", "sort": "asc"}):
            for item in page:
                out["issues"] += _opened_closed(name, repo, item, pid, pull=False)
        for page in self.pages(f"{project}/merge_requests", {"state": "all", "scope": "all", "sort": "asc"}):
            for item in page:
                out["merge_requests"] += _opened_closed(name, repo, item, pid, pull=True)
        for page in self.pages(f"{project}/events", {"sort": "asc"}):
            for item in page:
                rec = _event(name, item, pid)
                if rec:
                    out["events"].append(rec)
        for page in self.pages(f"{project}/forks"):
            for item in page:
                owner = _user(item.get("owner"), "username") or _user(item.get("namespace"), "path")
                if owner:
                    out["forks"].append(
                        record(
                            name,
                            f"gitlab:fork:{item.get('id')}",
                            "ForkEvent",
                            item.get("created_at"),
                            owner,
                            {"forkee": {"full_name": item.get("path_with_namespace")}},
                            pid,
                        )
                    )
        return {k: [r for r in v if r] for k, v in out.items()}


def _opened_closed(name: str, repo: str, item: dict, pid: Any, pull: bool) -> list[dict | None]:
    number = item.get("iid")
    author = _user(item.get("author"), "username")
    base = {"number": number, "user": author, "created_at": item.get("created_at"), "closed_at": item.get("closed_at")}
    kind = "PullRequestEvent" if pull else "IssuesEvent"
    slug = "mr" if pull else "issue"
    merged_at = item.get("merged_at")
    closed_at = item.get("closed_at") or merged_at
    key = "pull_request" if pull else "issue"
    opened = {"action": "opened", "number": number, key: dict(base, merged=False) if pull else base}
    out = [record(name, f"gitlab:{slug}:{repo}:{number}:opened", kind, item.get("created_at"), author, opened, pid)]
    if closed_at:
        closed_body = dict(base, closed_at=closed_at)
        if pull:
            closed_body.update(merged=merged_at is not None, merged_at=merged_at)
        payload = {"action": "closed", "number": number, key: closed_body}
        out.append(record(name, f"gitlab:{slug}:{repo}:{number}:closed", kind, closed_at, None, payload, pid))
    return out


def _event(name: str, item: dict, pid: Any) -> dict | None:
    action = str(item.get("action_name") or "")
    author = _user(item.get("author"), "username")
    if action.startswith("commented"):
        note = item.get("note") or {}
        noteable = note.get("noteable_type")
        if noteable not in ("Issue", "MergeRequest") or note.get("system"):
            return None
        issue: dict[str, Any] = {"number": note.get("noteable_iid")}
        if noteable == "MergeRequest":
            issue["pull_request"] = {}
        return record(
            name,
            f"gitlab:note:{note.get('id') or item.get('id')}",
            "IssueCommentEvent",
            item.get("created_at"),
            author,
            {"action": "created", "issue": issue, "comment": {"id": note.get("id")}},
            pid,
        )
    if action.startswith("pushed"):
        commits = (item.get("push_data") or {}).get("commit_count")
        size = commits if isinstance(commits, int) and commits >= 0 else None
        return record(
            name,
            f"gitlab:push:{item.get('id')}",
            "PushEvent",
            item.get("created_at"),
            author,
            {"size": size, "distinct_size": size},
            pid,
        )
    return None
