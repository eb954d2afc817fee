"""The one table every community metric reads: ``commit_facts``.

One row per commit of the analysed history with who (identity after
.mailmap), whether a bot, which organization (domain table, overridden by the
user's affiliation file for the commit's date), when (author date, UTC) and
how many lines. Classification runs in Python over the few thousand distinct
identities; the per-commit join runs in the engine (any engine: the lookup
tables go in with ``register_rows``, the join with ``create_table``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from osslever.engines import Engine
from osslever.identity import bots, organizations
from osslever.identity.affiliations import Affiliation

Columns = dict[str, tuple[str, list]]


def _identity_table(engine: Engine, history_id: int, affiliations: Sequence[Affiliation]) -> Columns:
    rows = engine.query(
        "SELECT identity, arg_max(i.name, c.author_time) AS name"
        " FROM git_commits c JOIN git_identities i ON i.history_id = c.history_id"
        " AND i.raw_name = c.author_name AND i.raw_email = c.author_email"
        " WHERE c.history_id = ? GROUP BY identity",
        [history_id],
    )
    affiliated_domains = {a.key for a in affiliations if a.kind == "domain"}
    identity, name, is_bot, organization, domain_key = [], [], [], [], []
    for row in rows:
        email = row["identity"]
        domain = organizations.domain_of(email)
        identity.append(email)
        name.append(row["name"])
        is_bot.append(bots.is_bot(row["name"], email))
        organization.append(organizations.organization_of(email))
        domain_key.append(next((d for d in organizations.parents(domain) if d in affiliated_domains), None))
    return {
        "identity": ("VARCHAR", identity),
        "name": ("VARCHAR", name),
        "is_bot": ("BOOLEAN", is_bot),
        "organization": ("VARCHAR", organization),
        "domain_key": ("VARCHAR", domain_key),
    }


def _affiliation_table(affiliations: Sequence[Affiliation]) -> Columns:
    return {
        "kind": ("VARCHAR", [a.kind for a in affiliations]),
        "key": ("VARCHAR", [a.key for a in affiliations]),
        "organization": ("VARCHAR", [a.organization for a in affiliations]),
        "valid_from": ("DATE", [a.start for a in affiliations]),
        "valid_until": ("DATE", [a.end for a in affiliations]),
    }


def build(engine: Engine, history_id: int, affiliations: Sequence[Affiliation] = ()) -> None:
    """Create the temporary table ``commit_facts`` for one history."""
    engine.register_rows("identity_facts", _identity_table(engine, history_id, affiliations))
    engine.register_rows("affiliation_ranges", _affiliation_table(affiliations))
    engine.create_table(
        "commit_facts",
        """
        SELECT c.sha,
               make_timestamp(c.author_time * 1000000) AS ts,
               CAST(make_timestamp(c.author_time * 1000000) AS DATE) AS day,
               CAST(date_trunc('month', make_timestamp(c.author_time * 1000000)) AS DATE) AS month,
               f.identity, f.name, f.is_bot,
               coalesce(a_id.organization, a_dom.organization, f.organization) AS organization,
               c.parents > 1 AS is_merge,
               c.lines_added, c.lines_deleted
        FROM git_commits c
        JOIN git_identities i ON i.history_id = c.history_id
             AND i.raw_name = c.author_name AND i.raw_email = c.author_email
        JOIN identity_facts f ON f.identity = i.identity
        LEFT JOIN affiliation_ranges a_id ON a_id.kind = 'identity' AND a_id.key = f.identity
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) >= a_id.valid_from
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) < a_id.valid_until
        LEFT JOIN affiliation_ranges a_dom ON a_dom.kind = 'domain' AND a_dom.key = f.domain_key
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) >= a_dom.valid_from
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) < a_dom.valid_until
        WHERE c.history_id = ?
        """,
        [history_id],
    )


def span(engine: Engine) -> tuple[dt.date, dt.date] | None:
    """First and last author day of the history (None when it is empty)."""
    row = engine.query("SELECT min(day) AS first, max(day) AS last FROM commit_facts")[0]
    return (row["first"], row["last"]) if row["first"] else None
