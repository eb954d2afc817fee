"""The ``identities`` document: people with their identities, and why they were merged.

Also writes what the user corrects and feeds back: an affiliation file (the
``people:`` section makes merges reversible; ``identities:`` carries the
affiliation periods found) and, optionally, a ``.mailmap``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import yaml

from osslever.engines.duckdb import DuckDBEngine
from osslever.i18n import t
from osslever.identity import affiliations as affiliation_file
from osslever.identity.affiliations import Affiliation
from osslever.identity.resolve import Resolution
from osslever.metrics.community import facts
from osslever.sources.git.ingest import ingest
from osslever.sources.git.repository import open_repository
from osslever.store import open_store

SCHEMA_VERSION = 1


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


def build(result: Resolution, name: str, lang: str = "en") -> dict:
    """The document from a resolution (``facts.resolution``)."""
    people = []
    for person in result.people.values():
        ids = [result.identities[e] for e in person.emails]
        commits = sum(i.commits for i in ids)
        entry = {
            "key": person.key,
            "name": person.name,
            "commits": commits,
            "first_commit": _day(min(i.first for i in ids)),
            "last_commit": _day(max(i.last for i in ids)),
            "confidence": round(person.confidence, 2),
            "bot": (
                {
                    "kind": person.bot[0],
                    "detail": person.bot[1],
                    "text": t(f"identity.bot.{person.bot[0]}", lang, detail=person.bot[1]),
                }
                if person.bot
                else None
            ),
            "identities": [
                {
                    "email": i.email,
                    "names": [n for n, _ in i.names.most_common()],
                    "commits": i.commits,
                    "first_commit": _day(i.first),
                    "last_commit": _day(i.last),
                    "evidence": i.evidence.kind if i.evidence else None,
                    "organization": i.evidence.organization if i.evidence else None,
                }
                for i in ids
            ],
            "merges": [
                {
                    "left": m.left,
                    "right": m.right,
                    "rule": m.rule,
                    "key": m.key,
                    "confidence": m.confidence,
                    "why": t(f"identity.rule.{m.rule}", lang, what=m.key),
                }
                for m in person.merges
            ],
            "periods": [
                {
                    "organization": p.organization,
                    "from": p.start.isoformat(),
                    "until": p.end.isoformat(),
                    "evidence": list(p.evidence),
                }
                for p in result.periods
                if p.person == person.key
            ],
        }
        people.append(entry)
    people.sort(key=lambda p: (-p["commits"], p["key"]))
    return {
        "schema_version": SCHEMA_VERSION,
        "repository": {"name": name},
        "summary": {
            "identities": len(result.identities),
            "people": sum(1 for p in people if not p["bot"]),
            "bots": sum(1 for p in people if p["bot"]),
            "commits": sum(p["commits"] for p in people),
            "merges": sum(len(p["merges"]) for p in people),
        },
        "too_common": result.too_common,
        "people": people,
    }


def identities_document(
    location: str,
    ref: str = "HEAD",
    db: Path | str | None = None,
    lang: str = "en",
    affiliations: Path | None = None,
    quiet: bool = True,
) -> dict:
    """Ingest (incrementally) and list who is who in a repository."""
    entries: Sequence[Affiliation] = affiliation_file.load(affiliations) if affiliations else []
    repo = open_repository(location, quiet=quiet)
    store = open_store(db)
    try:
        result = ingest(store, repo, ref)
        resolution = facts.resolution(DuckDBEngine(store), result.history_id, entries)
    finally:
        store.close()
    return build(resolution, repo.name, lang)


def render_text(doc: dict, lang: str) -> str:
    s = doc["summary"]
    out = [t("identity.title", lang, name=doc["repository"]["name"], **s), ""]
    for p in doc["people"]:
        if p["bot"]:
            out.append(t("identity.bot_line", lang, name=p["name"], reason=p["bot"]["text"], commits=p["commits"]))
        else:
            out.append(
                t(
                    "identity.person",
                    lang,
                    name=p["name"],
                    n=len(p["identities"]),
                    commits=p["commits"],
                    confidence=f"{p['confidence']:.2f}",
                )
            )
        for i in p["identities"]:
            evidence = (
                t(f"identity.evidence.{i['evidence']}", lang, organization=i["organization"] or "")
                if i["evidence"]
                else ""
            )
            out.append(
                t(
                    "identity.identity_line",
                    lang,
                    email=i["email"],
                    names=", ".join(i["names"]),
                    commits=i["commits"],
                    first=i["first_commit"],
                    last=i["last_commit"],
                    evidence=evidence,
                )
            )
        for m in p["merges"]:
            out.append(
                t(
                    "identity.merge_line",
                    lang,
                    left=m["left"],
                    right=m["right"],
                    why=m["why"],
                    confidence=f"{m['confidence']:.2f}",
                )
            )
        for period in p["periods"]:
            out.append(
                t(
                    "identity.period_line",
                    lang,
                    organization=period["organization"],
                    start=period["from"],
                    end=period["until"],
                    evidence=", ".join(period["evidence"]),
                )
            )
    if doc["too_common"]:
        out += ["", t("identity.too_common", lang, keys=", ".join(doc["too_common"]))]
    out += ["", t("identity.footer", lang)]
    return "\n".join(out) + "\n"


def affiliation_yaml(doc: dict) -> str:
    """An affiliation file the user can correct and pass back with ``--affiliations``.

    ``people:`` lists every person with more than one e-mail (split one by moving
    an e-mail under a new name); ``identities:`` gives each no-evidence e-mail the
    periods found from the person's company addresses (edit or delete freely).
    """
    people: dict[str, list[str]] = {}
    identities: dict[str, list[dict]] = {}
    for p in doc["people"]:
        if p["bot"]:
            continue
        label = p["name"]
        while label in people:
            label += " "
        if len(p["identities"]) > 1:
            people[label.strip() if label.strip() not in people else label] = [i["email"] for i in p["identities"]]
        for i in p["identities"]:
            if i["evidence"] in ("public_provider", "project_domain", "placeholder") and p["periods"]:
                identities[i["email"]] = [
                    {
                        "organization": q["organization"],
                        "from": dt.date.fromisoformat(q["from"]),
                        "until": dt.date.fromisoformat(q["until"]),
                    }
                    for q in p["periods"]
                ]
    header = (
        "# Written by `osslever identities`: who is who, as found automatically.\n"
        "# Correct it and pass it back: osslever report PATH --affiliations THIS_FILE\n"
        "# people: e-mails of one person (move an e-mail under another name to split a wrong merge)\n"
        "# identities: e-mail -> organization, with date ranges (from inclusive, until exclusive)\n"
        "# 由 `osslever identities` 生成：自动识别的“谁是谁”。修正后用 --affiliations 传回。\n"
    )
    body = yaml.safe_dump({"people": people, "identities": identities}, allow_unicode=True, sort_keys=False)
    return header + body


def mailmap_text(doc: dict) -> str:
    """``.mailmap`` lines mapping each person's other e-mails to their main one (git's format)."""
    lines = ["# Written by `osslever identities`; see gitmailmap(5)."]
    for p in doc["people"]:
        main = p["identities"][0]["email"]
        name = p["name"].replace("<", "").replace(">", "")
        for i in p["identities"][1:]:
            lines.append(f"{name} <{main}> <{i['email']}>")
    return "\n".join(lines) + "\n"
