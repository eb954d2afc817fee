"""One GitHub event record (any GH Archive era, or the REST API) → one normalised row.

This module is the single definition of every ``gh_events`` column: the DuckDB
ingest, the Spark ingest (``mapPartitions``) and the GitHub API adapter all call
``normalize``, so a column never means two things.

Three record shapes exist in GH Archive (https://www.gharchive.org/):

* 2015 onwards, the Events API: ``{"id", "type", "actor": {...}, "repo": {...},
  "org": {...}, "payload": {...}, "created_at"}``.
* 2011–2014, the Timeline API: no ``id``, ``actor`` is a login string,
  ``repository: {"name", "owner", "organization", ...}``, ``created_at`` may carry
  a UTC offset. Rows get a stable hash id so duplicates still collapse.
* From 2025-10-07 GitHub trims payloads (PushEvent loses ``size``/``commits``,
  PR events keep a minimal ``pull_request`` without ``user``/``merged``; see
  https://github.blog/changelog/2025-08-08-upcoming-changes-to-github-events-api-payloads/).
  Missing fields become NULL and ``payload_trimmed`` is true, so metrics that need
  them can say so instead of counting NULL as 0.

Decoding goes straight into typed ``msgspec`` structs that name only the fields a
column needs: the parser skips the rest of each (often 20 KB) payload without
building Python objects for it, which is what makes ingest faster than the
gzip floor on two cores (bench/gharchive_ingest.py). Unexpected types in a
known field make the line a "bad line" with the path in the message.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import msgspec

# Column order of gh_events (store/schema/020_events.sql), minus ``source``.
COLUMNS: tuple[str, ...] = (
    "event_id",
    "type",
    "action",
    "created_at",
    "actor_id",
    "actor_login",
    "repo_id",
    "repo_name",
    "org_login",
    "number",
    "is_pull_request",
    "issue_author_id",
    "issue_author_login",
    "issue_created_at",
    "issue_closed_at",
    "pr_merged",
    "pr_merged_at",
    "pr_additions",
    "pr_deletions",
    "comment_id",
    "review_state",
    "push_size",
    "push_distinct_size",
    "payload_trimmed",
)

# Arrow / Spark types of the columns above; timestamps travel as ISO text (UTC,
# no offset) and are cast where they land, so both engines parse them the same way.
COLUMN_TYPES: dict[str, str] = {
    "event_id": "string",
    "type": "string",
    "action": "string",
    "created_at": "string",
    "actor_id": "int64",
    "actor_login": "string",
    "repo_id": "int64",
    "repo_name": "string",
    "org_login": "string",
    "number": "int64",
    "is_pull_request": "bool",
    "issue_author_id": "int64",
    "issue_author_login": "string",
    "issue_created_at": "string",
    "issue_closed_at": "string",
    "pr_merged": "bool",
    "pr_merged_at": "string",
    "pr_additions": "int64",
    "pr_deletions": "int64",
    "comment_id": "int64",
    "review_state": "string",
    "push_size": "int64",
    "push_distinct_size": "int64",
    "payload_trimmed": "bool",
}

TIMESTAMP_COLUMNS = ("created_at", "issue_created_at", "issue_closed_at", "pr_merged_at")

_PR_TYPES = frozenset({"PullRequestEvent", "PullRequestReviewEvent", "PullRequestReviewCommentEvent"})


class User(msgspec.Struct):
    id: int | None = None
    login: str | None = None


class Repo(msgspec.Struct):
    id: int | None = None
    name: str | None = None


class TimelineRepo(msgspec.Struct):
    """``repository`` of the Timeline era: owner and name are separate fields."""

    id: int | None = None
    name: str | None = None
    owner: User | str | None = None
    organization: str | None = None


class Issue(msgspec.Struct):
    number: int | None = None
    user: User | None = None
    created_at: str | None = None
    closed_at: str | None = None
    pull_request: dict[str, Any] | None = None  # present (even empty) ⇔ the issue is a PR


class PullRequest(msgspec.Struct):
    number: int | None = None
    user: User | None = None
    created_at: str | None = None
    closed_at: str | None = None
    merged: bool | None = None
    merged_at: str | None = None
    additions: int | None = None
    deletions: int | None = None


class Comment(msgspec.Struct):
    id: int | None = None


class Review(msgspec.Struct):
    id: int | None = None
    state: str | None = None


class Payload(msgspec.Struct):
    action: str | None = None
    number: int | None = None
    size: int | None = None
    distinct_size: int | None = None
    issue: Issue | int | None = None  # Timeline-era IssuesEvent carried an id here
    pull_request: PullRequest | None = None
    comment: Comment | None = None
    comment_id: int | None = None  # Timeline-era comment events
    review: Review | None = None


class Event(msgspec.Struct):
    """The fields of a GH Archive / Events API record that any column needs."""

    id: str | int | None = None
    type: str | None = None
    created_at: str | None = None
    actor: User | str | None = None
    actor_attributes: User | None = None
    repo: Repo | None = None
    repository: TimelineRepo | None = None
    org: User | None = None
    payload: Payload | None = None


_DECODER = msgspec.json.Decoder(Event)
DecodeError = msgspec.DecodeError  # invalid JSON, or a known field of an unexpected type


class NotAnEvent(ValueError):
    """The record is valid JSON but not a GitHub event (no type / created_at)."""


def decode(raw: bytes) -> Event:
    """One JSON line → ``Event``; raises ``DecodeError`` (with the JSON path) when bad."""
    return _DECODER.decode(raw)


def decode_lines(block: bytes) -> list[Event]:
    """Many JSON lines in one call; raises ``DecodeError`` if any line is bad."""
    return _DECODER.decode_lines(block)


def from_dict(record: dict[str, Any]) -> Event:
    """A record already in memory (e.g. built by the GitHub API adapter) → ``Event``."""
    return msgspec.convert(record, Event)


def utc_text(value: str | None) -> str | None:
    """An ISO timestamp as naive-UTC text ``YYYY-MM-DDTHH:MM:SS``; None when absent.

    Events API times end in ``Z``; Timeline-era times carry offsets
    (``2012-03-10T15:23:12-08:00``) and must be shifted, not truncated.
    """
    if not value:
        return None
    if value[-1] == "Z":
        return value[:-1]
    try:
        moment = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def stable_id(raw: bytes) -> str:
    """A content hash for Timeline-era records, which carry no event id."""
    return "h" + hashlib.sha1(raw.strip()).hexdigest()[:31]


def normalize(event: Event, raw: bytes = b"") -> tuple[Any, ...]:
    """One decoded event → a tuple in ``COLUMNS`` order. Raises ``NotAnEvent``.

    ``raw`` (the line's bytes) is only used to hash an id for id-less records.
    """
    etype = event.type
    if not etype or not event.created_at:
        raise NotAnEvent("no type or created_at")
    created_at = utc_text(event.created_at)
    if created_at is None:
        raise NotAnEvent(f"unreadable created_at {event.created_at!r}")

    actor = event.actor
    org = event.org
    org_login = org.login if org is not None else None
    if event.repo is not None or type(actor) is User:
        repo = event.repo
        repo_id = repo.id if repo is not None else None
        repo_name = repo.name if repo is not None else None
        if type(actor) is User:
            actor_id, actor_login = actor.id, actor.login
        else:
            actor_id, actor_login = None, actor
    else:  # Timeline era (before 2015): repository{...} and a login string for actor.
        timeline = event.repository
        repo_id = repo_name = None
        if timeline is not None:
            repo_id = timeline.id
            owner = timeline.owner
            if type(owner) is User:
                owner = owner.login
            if owner and timeline.name:
                repo_name = f"{owner}/{timeline.name}"
            org_login = timeline.organization or org_login
        attributes = event.actor_attributes
        actor_id = attributes.id if attributes is not None else None
        actor_login = actor if type(actor) is str else None
        if actor_login is None and attributes is not None:
            actor_login = attributes.login

    raw_id = event.id
    if raw_id is None or raw_id == "":
        event_id = stable_id(raw) if raw else stable_id(msgspec.json.encode(event))
    else:
        event_id = str(raw_id)

    payload = event.payload
    if payload is None:
        return (
            event_id,
            etype,
            None,
            created_at,
            actor_id,
            actor_login,
            repo_id,
            repo_name,
            org_login,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            False,
        )

    number = payload.number
    is_pr: bool | None = None
    author_id = author_login = None
    issue_created = issue_closed = None
    merged: bool | None = None
    merged_at = None
    additions = deletions = None
    review_state = None
    push_size = push_distinct = None
    trimmed = False

    issue = payload.issue
    if type(issue) is Issue:
        if number is None:
            number = issue.number
        is_pr = issue.pull_request is not None
        user = issue.user
        if user is not None:
            author_id, author_login = user.id, user.login
        issue_created = utc_text(issue.created_at)
        issue_closed = utc_text(issue.closed_at)
    elif etype == "IssuesEvent" or etype == "IssueCommentEvent":
        is_pr = False

    if etype in _PR_TYPES:
        is_pr = True
        pr = payload.pull_request
        if pr is None:
            trimmed = True
        else:
            if number is None:
                number = pr.number
            user = pr.user
            if user is not None:
                author_id, author_login = user.id, user.login
                issue_created = utc_text(pr.created_at)
                issue_closed = utc_text(pr.closed_at)
            else:
                trimmed = True  # 2025-10 minimal pull_request: no author, no dates
            if etype == "PullRequestEvent":
                merged = pr.merged
                merged_at = utc_text(pr.merged_at)
                if merged is None and user is not None and pr.closed_at:
                    merged = merged_at is not None
                additions, deletions = pr.additions, pr.deletions

    comment = payload.comment
    comment_id = comment.id if comment is not None else payload.comment_id
    review = payload.review
    if review is not None:
        if comment_id is None:
            comment_id = review.id
        if review.state:
            review_state = review.state.lower()

    if etype == "PushEvent":
        push_size = payload.size
        push_distinct = payload.distinct_size
        if push_size is None:
            trimmed = True

    return (
        event_id,
        etype,
        payload.action,
        created_at,
        actor_id,
        actor_login,
        repo_id,
        repo_name,
        org_login,
        number,
        is_pr,
        author_id,
        author_login,
        issue_created,
        issue_closed,
        merged,
        merged_at,
        additions,
        deletions,
        comment_id,
        review_state,
        push_size,
        push_distinct,
        trimmed,
    )


def normalize_line(raw: bytes) -> tuple[Any, ...]:
    """Decode and normalise one JSON line (raises ``DecodeError`` / ``NotAnEvent``)."""
    return normalize(_DECODER.decode(raw), raw)
