"""GitLab REST API v4 (gitlab.com or a self-managed instance) → event records.

Endpoints (https://docs.gitlab.com/api/): ``/projects/:id`` (``:id`` = the URL-encoded
path), ``/starrers`` (``starred_since``), ``/issues`` and ``/merge_requests``
(``scope=all``/``state=all``; ``iid``, ``author``, ``created_at``, ``closed_at``,
``merged_at``; ``updated_after`` for what changed), ``/events`` (``after=YYYY-MM-DD``;
comments: ``action_name`` "commented on" with ``note.noteable_type`` and
``noteable_iid``; pushes: "pushed to"/"pushed new" with
``push_data.commit_count``), ``/forks`` (``order_by=created_at``). The token goes in
``PRIVATE-TOKEN``. The starrers list takes no order or date filter (``search`` only);
GitLab pages it by id, oldest first (its paginator's default order), so a second run
reads it from the last page back (``Forge.newer_pages``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, ClassVar

from osslever.sources.forges import Forge, Resource, _user, complete, moment, quoted, record, since_param


class GitLab(Forge):
    name: ClassVar[str] = "gitlab"
    default_url: ClassVar[str] = "https://gitlab.com/api/v4"

    @classmethod
    def auth_headers(cls, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token}

    def resources(self, repo: str, since: Callable[[str], str | None]) -> Iterator[Resource]:
        project = f"/projects/{quoted(repo)}"
        meta = self.meta(project)
        pid = meta.get("id") if isinstance(meta, dict) else None
        name = repo

        stars, items = Resource("stars"), []
        for page in self.newer_pages(f"{project}/starrers", None, "starred_since", since("stars"), newest_first=False):
            items += page
            for item in page:
                user = _user(item.get("user"), "username")
                if user:
                    stars.records.append(
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
        yield complete(stars, items, "starred_since")

        # Issues and merge requests changed since the cursor ("updated on or after"),
        # in creation order: an item edited during the walk keeps its place in the list.
        for resource, pull in (("issues", False), ("merge_requests", True)):
            params = {"scope": "all", "order_by": "created_at", "sort": "asc"}
            if pull:
                params["state"] = "all"
            cursor = since(resource)
            if cursor:
                params["updated_after"] = since_param(cursor)
            found, items = Resource(resource), []
            for page in self.pages(f"{project}/{resource}", params):
                items += page
                for item in page:
                    found.records += _opened_closed(name, repo, item, pid, pull=pull)
            yield complete(found, items, "updated_at")

        # Events: ``after`` is a date, and GitLab keeps events created after the END of
        # that day in the instance's time zone (EventsFinder). Two days before the
        # cursor's UTC date re-reads its day under any zone from UTC-12 to UTC+14.
        params = {"sort": "asc"}
        cursor = since("events")
        if cursor:
            day = moment(cursor)
            assert day is not None
            params["after"] = (day.date() - timedelta(days=2)).isoformat()
        events, items = Resource("events"), []
        for page in self.pages(f"{project}/events", params):
            items += page
            for item in page:
                rec = _event(name, item, pid)
                if rec:
                    events.records.append(rec)
        yield complete(events, items, "created_at")

        forks, items = Resource("forks"), []
        params = {"order_by": "created_at", "sort": "desc"}
        for page in self.newer_pages(f"{project}/forks", params, "created_at", since("forks"), newest_first=True):
            items += page
            for item in page:
                owner = _user(item.get("owner"), "username") or _user(item.get("namespace"), "path")
                if owner:
                    forks.records.append(
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
        yield complete(forks, items, "created_at")


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
