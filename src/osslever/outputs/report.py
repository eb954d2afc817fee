"""The ``report`` document: git community health (+ license, + events when present).

Building it only reads the store: the license findings come from the per-commit
cache (or a scan that is not kept) and OpenRank from ``gh_openrank`` as stored;
``Workspace.refresh_report`` fills both before the CLI builds (see docs/architecture.md).
The JSON shape is the contract in ``shared/contracts/cli-json.md``; Markdown
and HTML are renderings of this same dictionary, so the three never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from osslever import __version__
from osslever.engines import Engine
from osslever.engines.duckdb import DuckDBEngine
from osslever.identity.affiliations import Affiliation
from osslever.metrics.community import (
    bus_factor,
    commits,
    contributor_segments,
    contributors,
    elephant_factor,
    facts,
    lines,
    maintained,
    organizations,
    release_cadence,
    retention,
)
from osslever.metrics.windows import Window, add_months, month_start
from osslever.models.license.summary import stored_summary
from osslever.models.readings import readings
from osslever.sources.git.ingest import IngestResult
from osslever.sources.git.repository import Repository

SCHEMA_VERSION = 1


def _monthly(engine: Engine, first: dt.date, last: dt.date) -> list[dict]:
    n_commits = commits.commits_monthly(engine)
    active = contributors.active_monthly(engine)
    new = contributors.new_monthly(engine)
    changed = lines.lines_monthly(engine)
    out, cur = [], month_start(first)
    while cur <= last:
        key = cur.strftime("%Y-%m")
        added, deleted = changed.get(key, (0, 0))
        out.append(
            {
                "month": key,
                "commits": n_commits.get(key, 0),
                "active_contributors": active.get(key, 0),
                "new_contributors": new.get(key, 0),
                "lines_added": added,
                "lines_deleted": deleted,
            }
        )
        cur = add_months(cur, 1)
    return out


def community_section(
    engine: Engine,
    history_id: int,
    as_of: dt.date | None = None,
) -> dict:
    """All git-history metrics of one history (``commit_facts`` must be built)."""
    span = facts.span(engine)
    if span is None:
        return {"commits_total": 0}
    first, last = span
    # The 12 months up to the "as of" date the caller asked for; without one, up to the
    # month of the last commit (so a report on an old history still describes its
    # last year) — the document says which, and the maintained check is as of today.
    ends_with = "as_of" if as_of else "last_commit"
    window = Window.months_ending(as_of or last, 12)
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    shares = organizations.organization_shares(engine, window)
    top_org = organizations.top_organization(engine, window)
    active_12m = contributors.active_in(engine, window)
    new_12m = contributors.new_in(engine, window)
    return {
        "commits_total": commits.commits_total(engine),
        "contributors_total": contributors.contributors_total(engine),
        "bots_total": contributors.bots_total(engine),
        "first_commit": first.isoformat(),
        "last_commit": last.isoformat(),
        "as_of": as_of.isoformat(),
        "window_12m": {
            "start": window.start.isoformat(),
            "end": (window.end - dt.timedelta(days=1)).isoformat(),
            "ends_with": ends_with,
        },
        "active_contributors_12m": active_12m,
        "new_contributors_12m": new_12m,
        "new_contributors_share_12m": round(new_12m / active_12m, 4) if active_12m else None,
        "bus_factor_12m": bus_factor.bus_factor(engine, window),
        "elephant_factor_12m": elephant_factor.elephant_factor(engine, window),
        "organizations_12m": shares,
        "organization_top": top_org["name"],
        "organization_top_share": top_org["share"],
        "organization_top_evidence": top_org,
        "contributor_segments_12m": contributor_segments.contributor_segments(engine, window),
        "retention": retention.retention(engine),
        "retention_cohorts": retention.cohorts(engine),
        "releases": release_cadence.release_cadence(engine, history_id, window),
        "maintained": maintained.maintained(engine, as_of),
        "top_contributors_12m": contributors.top(engine, window),
        "top_contributors_all": contributors.top(engine, None),
        "monthly": _monthly(engine, first, last),
    }


def events_section(engine: Engine, slug: str | None) -> dict | None:
    """GitHub event metrics beside the git metrics, when the store has events for this repository.

    OpenRank is read as stored (``Workspace.refresh_openrank`` computes it); reading never writes.
    """
    if not slug:
        return None
    from osslever.metrics.events import events_summary

    return events_summary(engine, slug)


def downloads_section(engine: DuckDBEngine, repo: Repository) -> list[dict]:
    """Downloads of the project's own packages (linked by ``ingest downloads`` or named in its
    root manifests) that the store has measured; [] when none."""
    from osslever.metrics.downloads import package_downloads, project_downloads
    from osslever.sources.downloads import packages_of

    docs = project_downloads(engine, repo.slug) if repo.slug else []
    seen = {(d["ecosystem"], d["package"]) for d in docs}
    for spec in packages_of(Path(repo.work_tree)) if repo.work_tree else []:
        if (spec.ecosystem, spec.name) in seen:
            continue
        doc = package_downloads(engine, spec.ecosystem, spec.name)
        if doc["monthly"] or doc["samples"]:
            docs.append(doc)
    return docs


def build_report(
    engine: DuckDBEngine,
    repo: Repository,
    result: IngestResult,
    ref: str = "HEAD",
    lang: str = "en",
    affiliations: Sequence[Affiliation] = (),
    affiliation_file: str | None = None,
    as_of: dt.date | None = None,
) -> dict:
    facts.build(engine, result.history_id, affiliations)
    document: dict = {
        "schema_version": SCHEMA_VERSION,
        "repository": {
            "name": repo.name,
            "path": repo.location,
            "ref": ref,
            "head": result.tip,
            "shallow": result.shallow,
            "slug": repo.slug,
        },
        "license": stored_summary(engine.store, repo, result.tip, lang),
        "community": community_section(engine, result.history_id, as_of),
    }
    document["community"]["identity"] = {
        "key": "lower-cased e-mail after .mailmap",
        "affiliation_file": affiliation_file,
        "affiliation_entries": len(affiliations),
    }
    events = events_section(engine, repo.slug)
    if events is not None:
        document["events"] = events
    downloads = downloads_section(engine, repo)
    if downloads:
        document["downloads"] = downloads
    document["readings"] = readings("community", document, lang)
    document["generated"] = {
        "tool": "osslever",
        "version": __version__,
        "lang": lang,
        "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    return document
