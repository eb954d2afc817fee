"""GitHub event records (any GH Archive era, or the REST API) → normalised ``gh_events`` columns.

This module is the single definition of every ``gh_events`` column: the DuckDB
ingest, the Spark ingest (``mapPartitions`` over ``read_file``) and the GitHub API
adapter all call ``normalize``, so a column never means two things.

Three record shapes exist in GH Archive (https://www.gharchive.org/):

* 2015 onwards, the Events API: ``{"id", "type", "actor": {...}, "repo": {...},
  "org": {...}, "payload": {...}, "created_at"}``.
* 2011–2014, the Timeline API: no ``id``, ``actor`` is a login string,
  ``repository: {"name", "owner", "organization", ...}``, ``created_at`` may carry
  a UTC offset (or be written ``2012/03/10 15:23:12 -0800``). Rows get a stable
  hash id so duplicates still collapse.
* From 2025-10-07 GitHub trims payloads (PushEvent loses ``size``/``commits``,
  PR events keep a minimal ``pull_request`` without ``user``/``merged``; see
  https://github.blog/changelog/2025-08-08-upcoming-changes-to-github-events-api-payloads/).
  Missing fields become NULL and ``payload_trimmed`` is true, so metrics that need
  them can say so instead of counting NULL as 0.

Decoding goes straight into typed ``msgspec`` structs that name only the fields a
column needs: the parser skips the rest of each (often 20 KB) payload without
building Python objects for it.
The structs are ``gc=False`` (not tracked by the cyclic collector): they hold
only strings, numbers, times and other such structs, so they can form no cycle,
and untracked objects are cheaper to create and free (~6% of decoding).

Validation happens while decoding, in C: integers outside the range of their
store column (``INTEGER``: 32 bits, ``BIGINT``: 64 bits) and timestamps that are
not RFC 3339 (``2024-02-30T…``) make the line a "bad line" whose message names
the JSON path, instead of a value that aborts the whole file's transaction when
DuckDB casts it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

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
_ISSUE_TYPES = frozenset({"IssuesEvent", "IssueCommentEvent"})

# Ranges of the store columns (store/schema/020_events.sql): INTEGER and BIGINT.
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]

# Timestamps: ``datetime`` when decoding strictly (RFC 3339, checked in C), ``str``
# in the lenient fallback for Timeline-era spellings (``decode_lenient``).
T = TypeVar("T")


class User(msgspec.Struct, gc=False):
    id: Int64 | None = None
    login: str | None = None


class Repo(msgspec.Struct, gc=False):
    id: Int64 | None = None
    name: str | None = None


class TimelineRepo(msgspec.Struct, gc=False):
    """``repository`` of the Timeline era: owner and name are separate fields."""

    id: Int64 | None = None
    name: str | None = None
    owner: User | str | None = None
    organization: str | None = None


class Marker(msgspec.Struct, gc=False):
    """An object whose presence is the information (its fields are skipped unread)."""


class Issue(msgspec.Struct, Generic[T], gc=False):
    number: Int32 | None = None
    user: User | None = None
    created_at: T | None = None
    closed_at: T | None = None
    pull_request: Marker | None = None  # present (even empty) ⇔ the issue is a PR


class PullRequest(msgspec.Struct, Generic[T], gc=False):
    number: Int32 | None = None
    user: User | None = None
    created_at: T | None = None
    closed_at: T | None = None
    merged: bool | None = None
    merged_at: T | None = None
    additions: Int64 | None = None
    deletions: Int64 | None = None


class Comment(msgspec.Struct, gc=False):
    id: Int64 | None = None


class Review(msgspec.Struct, gc=False):
    id: Int64 | None = None
    state: str | None = None


class Payload(msgspec.Struct, Generic[T], gc=False):
    action: str | None = None
    number: Int32 | None = None
    size: Int32 | None = None
    distinct_size: Int32 | None = None
    issue: Issue[T] | Int64 | None = None  # Timeline-era IssuesEvent carried an id here
    pull_request: PullRequest[T] | None = None
    comment: Comment | None = None
    comment_id: Int64 | None = None  # Timeline-era comment events
    review: Review | None = None


class Event(msgspec.Struct, Generic[T], gc=False):
    """The fields of a GH Archive / Events API record that any column needs."""

    id: str | Int64 | None = None
    type: str | None = None
    created_at: T | None = None
    actor: User | str | None = None
    actor_attributes: User | None = None
    repo: Repo | None = None
    repository: TimelineRepo | None = None
    org: User | None = None
    payload: Payload[T] | None = None


StrictEvent = Event[datetime]
_DECODER = msgspec.json.Decoder(StrictEvent)
_LENIENT = msgspec.json.Decoder(Event[str])
DecodeError = msgspec.DecodeError  # invalid JSON, or a known field of an unexpected type / range
_BAD_JSON = (msgspec.DecodeError, RecursionError)  # RecursionError: nesting deeper than the parser goes


class NotAnEvent(ValueError):
    """The record is valid JSON but not a GitHub event (no type / created_at)."""


def decode(raw: bytes) -> Event:
    """One JSON line → ``Event`` (strict); raises ``DecodeError`` (with the JSON path) when bad."""
    return _DECODER.decode(raw)


def decode_lines(block: bytes | memoryview) -> list[Event]:
    """Many JSON lines in one call (blank lines skipped); raises if any line is bad."""
    return _DECODER.decode_lines(block)


def decode_line(raw: bytes) -> Event:
    """One line, with the Timeline-era timestamp spellings accepted; raises ``DecodeError``/``NotAnEvent``.

    The strict decoder runs first; only a line it rejects at a timestamp is decoded
    again with string timestamps, which ``parse_time`` then reads (UTC offsets,
    ``2012/03/10 15:23:12 -0800``). An unreadable ``created_at`` is ``NotAnEvent``;
    an unreadable secondary time (issue/PR dates) becomes NULL, as it always did.
    """
    try:
        return _DECODER.decode(raw)
    except RecursionError as exc:
        raise DecodeError("JSON nested too deeply") from exc
    except msgspec.ValidationError as exc:
        if "datetime" not in str(exc):
            raise
    try:
        loose = _LENIENT.decode(raw)
    except RecursionError as exc:  # pragma: no cover - the strict pass would have raised first
        raise DecodeError("JSON nested too deeply") from exc
    created = parse_time(loose.created_at)
    if created is None:
        if not loose.created_at:
            raise NotAnEvent("no type or created_at")
        raise NotAnEvent(f"unreadable created_at {str(loose.created_at)[:40]!r}")
    loose.created_at = created
    payload = loose.payload
    if payload is not None:
        issue = payload.issue
        if type(issue) is Issue:
            issue.created_at, issue.closed_at = parse_time(issue.created_at), parse_time(issue.closed_at)
        pr = payload.pull_request
        if pr is not None:
            pr.created_at, pr.closed_at = parse_time(pr.created_at), parse_time(pr.closed_at)
            pr.merged_at = parse_time(pr.merged_at)
    return loose  # now shaped like a strict Event


def from_dict(record: dict[str, Any]) -> Event:
    """A record already in memory (e.g. built by the GitHub API adapter) → ``Event``."""
    return msgspec.convert(record, StrictEvent)


_SLASHED = re.compile(r"^(\d{4})/(\d\d)/(\d\d) (\d\d:\d\d:\d\d) ?([+-]\d\d):?(\d\d)$")


def parse_time(value: Any) -> datetime | None:
    """A timestamp in any spelling GH Archive used → aware ``datetime``; None when absent or unreadable.

    Events API times end in ``Z``; Timeline-era times carry offsets
    (``2012-03-10T15:23:12-08:00``) or slashes (``2012/03/10 15:23:12 -0800``);
    they are instants, shifted to UTC where they land, never truncated.
    """
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    match = _SLASHED.match(value)
    if match:
        y, m, d, hms, oh, om = match.groups()
        value = f"{y}-{m}-{d}T{hms}{oh}:{om}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_text(value: Any) -> str | None:
    """A timestamp (text or ``datetime``) as naive-UTC text ``YYYY-MM-DDTHH:MM:SS``; None when absent."""
    moment = parse_time(value)
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def stable_id(raw: bytes) -> str:
    """A content hash for Timeline-era records, which carry no event id."""
    return "h" + hashlib.sha1(raw.strip()).hexdigest()[:31]


def normalize(event: Event, raw: bytes = b"") -> tuple[Any, ...]:
    """One decoded event → a tuple in ``COLUMNS`` order (times: aware datetimes). Raises ``NotAnEvent``.

    The one definition of the columns: the file readers (DuckDB and Spark ingest)
    and the GitHub API adapter all call it.

    ``raw`` (the line's bytes) is only used to hash an id for id-less records.
    """
    etype = event.type
    created_at = event.created_at  # an aware datetime: decoding checked it (``decode_line``)
    if not etype or created_at is None:
        raise NotAnEvent("no type or created_at")

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
        issue_created = issue.created_at
        issue_closed = issue.closed_at
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
                issue_created = pr.created_at
                issue_closed = pr.closed_at
            else:
                trimmed = True  # 2025-10 minimal pull_request: no author, no dates
            if etype == "PullRequestEvent":
                merged = pr.merged
                merged_at = pr.merged_at
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
    return normalize(decode_line(raw), raw)


@functools.cache
def arrow_schema() -> Any:
    """The Arrow schema of a normalised table: ``COLUMNS``, timestamps as naive UTC ``timestamp[us]``."""
    import pyarrow as pa

    kinds = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_()}
    return pa.schema([(c, pa.timestamp("us") if c in TIMESTAMP_COLUMNS else kinds[COLUMN_TYPES[c]]) for c in COLUMNS])


def rows_to_table(rows: list[tuple[Any, ...]]) -> Any:
    """``normalize`` tuples → a pyarrow Table of ``arrow_schema()``.

    Converting the tuples as one struct array is ~3× faster than transposing
    them into per-column lists first. Times are aware datetimes: pyarrow applies
    their offset when it stores them as naive UTC (checked in the tests with a
    ``-08:00`` Timeline time).
    """
    import pyarrow as pa

    schema = arrow_schema()
    if not rows:
        # Not through ``pa.array``: converting any Python list makes pyarrow import
        # pandas when it is installed (~0.13 s of a reader's time, for no rows).
        return schema.empty_table()
    return pa.Table.from_struct_array(pa.array(rows, type=pa.struct(list(schema))))
