"""The one table every community metric reads: ``commit_facts``.

One row per commit of the analysed history with who (the person, after
.mailmap and ``identity.resolve``'s merges: the key is the person's e-mail with
most commits), whether a bot, which organization and on what evidence (the
user's affiliation file for the commit's date, else the address's company
domain, else the same person's company address in the surrounding period, else
"independent" for a personal domain or "unknown"), when (author date, UTC) and
how many lines. Classification runs in Python over the few thousand distinct
identities; the per-commit join runs in the engine (any engine: the lookup
tables go in with ``register_rows``, the join with ``create_table``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from osslever.engines import Engine
from osslever.identity import organizations, resolve
from osslever.identity.affiliations import Affiliation

Columns = dict[str, tuple[str, list]]


def _project_keys(engine: Engine, history_id: int) -> list[str]:
    """The project's own names (repository name, forge owner and name): their domains are not companies."""
    rows = engine.query("SELECT name, slug FROM git_histories WHERE history_id = ?", [history_id])
    keys: list[str] = []
    for row in rows:
        keys.append(row["name"] or "")
        keys += (row["slug"] or "").split("/")
    return [k for k in keys if k]


def resolution(engine: Engine, history_id: int, affiliations: Sequence[Affiliation] = ()) -> resolve.Resolution:
    """People, bots and affiliation periods of one history (``identity.resolve``)."""
    rows = engine.query(
        "SELECT i.identity AS email, i.name AS name, count(*) AS commits,"
        " count(*) FILTER (WHERE c.parents > 1) AS merges,"
        " min(c.author_time) AS first, max(c.author_time) AS last"
        " FROM git_commits c JOIN git_identities i ON i.history_id = c.history_id"
        " AND i.raw_name = c.author_name AND i.raw_email = c.author_email"
        " WHERE c.history_id = ? GROUP BY ALL",
        [history_id],
    )
    people = {a.key: a.person for a in affiliations if a.kind == "person"}
    return resolve.resolve(rows, _project_keys(engine, history_id), people)


def _identity_table(result: resolve.Resolution, affiliations: Sequence[Affiliation]) -> Columns:
    affiliated_domains = {a.key for a in affiliations if a.kind == "domain"}
    email, identity, name, is_bot, organization, fallback, domain_key = [], [], [], [], [], [], []
    for ident in result.identities.values():
        person = result.people[result.person_of[ident.email]]
        evidence = ident.evidence or organizations.domain_evidence(ident.email)
        email.append(ident.email)
        identity.append(person.key)
        name.append(person.name)
        is_bot.append(person.bot is not None)
        organization.append(evidence.organization if evidence.kind == organizations.COMPANY else None)
        fallback.append(evidence.category)
        domain = organizations.domain_of(ident.email)
        domain_key.append(next((d for d in organizations.parents(domain) if d in affiliated_domains), None))
    return {
        "email": ("VARCHAR", email),
        "identity": ("VARCHAR", identity),
        "name": ("VARCHAR", name),
        "is_bot": ("BOOLEAN", is_bot),
        "organization": ("VARCHAR", organization),
        "fallback": ("VARCHAR", fallback),
        "domain_key": ("VARCHAR", domain_key),
    }


def _period_table(result: resolve.Resolution) -> Columns:
    return {
        "person": ("VARCHAR", [p.person for p in result.periods]),
        "organization": ("VARCHAR", [p.organization for p in result.periods]),
        "valid_from": ("DATE", [p.start for p in result.periods]),
        "valid_until": ("DATE", [p.end for p in result.periods]),
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
    result = resolution(engine, history_id, affiliations)
    engine.register_rows("identity_facts", _identity_table(result, affiliations))
    engine.register_rows("person_periods", _period_table(result))
    engine.register_rows("affiliation_ranges", _affiliation_table([a for a in affiliations if a.kind != "person"]))
    engine.create_table(
        "commit_facts",
        """
        SELECT c.sha,
               make_timestamp(c.author_time * 1000000) AS ts,
               CAST(make_timestamp(c.author_time * 1000000) AS DATE) AS day,
               CAST(date_trunc('month', make_timestamp(c.author_time * 1000000)) AS DATE) AS month,
               f.identity, f.name, f.is_bot,
               coalesce(a_id.organization, a_dom.organization, f.organization, p.organization, f.fallback)
                   AS organization,
               CASE WHEN a_id.organization IS NOT NULL OR a_dom.organization IS NOT NULL THEN 'affiliation_file'
                    WHEN f.organization IS NOT NULL THEN 'email_domain'
                    WHEN p.organization IS NOT NULL THEN 'person_period'
                    WHEN f.fallback = 'independent' THEN 'personal_domain'
                    ELSE 'none' END AS org_evidence,
               c.parents > 1 AS is_merge,
               c.lines_added, c.lines_deleted
        FROM git_commits c
        JOIN git_identities i ON i.history_id = c.history_id
             AND i.raw_name = c.author_name AND i.raw_email = c.author_email
        JOIN identity_facts f ON f.email = i.identity
        LEFT JOIN affiliation_ranges a_id ON a_id.kind = 'identity' AND a_id.key = f.email
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) >= a_id.valid_from
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) < a_id.valid_until
        LEFT JOIN affiliation_ranges a_dom ON a_dom.kind = 'domain' AND a_dom.key = f.domain_key
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) >= a_dom.valid_from
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) < a_dom.valid_until
        LEFT JOIN person_periods p ON p.person = f.identity
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) >= p.valid_from
             AND CAST(make_timestamp(c.author_time * 1000000) AS DATE) < p.valid_until
        WHERE c.history_id = ?
        """,
        [history_id],
    )


def span(engine: Engine) -> tuple[dt.date, dt.date] | None:
    """First and last author day of the history (None when it is empty)."""
    row = engine.query("SELECT min(day) AS first, max(day) AS last FROM commit_facts")[0]
    return (row["first"], row["last"]) if row["first"] else None
