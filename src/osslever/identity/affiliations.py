"""The user's affiliation file: who worked for whom, and when.

Domain tables are wrong for consultants, students and people who change jobs;
the affiliation file corrects them. Format (YAML)::

    identities:                      # mailmapped e-mail → organization
      alice@gmail.com: ACME          # always
      bob@example.org:               # or with date ranges (from inclusive, until exclusive)
        - {organization: ACME, from: 2019-01-01, until: 2022-07-01}
        - {organization: Initech, from: 2022-07-01}
    domains:                         # e-mail domain (and its subdomains) → organization
      example.org: Example Corp
    people:                          # who is who: these e-mails are one person, and
      Alice Liddell:                 # two people listed here are never merged
        - alice@gmail.com
        - alice@example.org

``osslever identities PATH -o FILE`` writes this file from what it found, for
the user to correct and pass back with ``--affiliations FILE``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from osslever import safe_yaml
from osslever.errors import UserError

_FAR_PAST = dt.date(1970, 1, 1)
_FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Affiliation:
    kind: str  # "identity", "domain", or "person" (key: an e-mail of the person named ``person``)
    key: str
    organization: str
    start: dt.date
    end: dt.date  # exclusive
    person: str = ""


def _date(value: object, where: str, path: Path) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise UserError("affiliation.bad_date", file=str(path), where=where, value=str(value)) from exc


def _ranges(kind: str, key: str, value: object, path: Path) -> list[Affiliation]:
    where = f"{kind}s.{key}"
    if isinstance(value, str):
        return [Affiliation(kind, key, value, _FAR_PAST, _FAR_FUTURE)]
    if not isinstance(value, list):
        raise UserError("affiliation.bad_entry", file=str(path), where=where)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "organization" not in item:
            raise UserError("affiliation.bad_entry", file=str(path), where=f"{where}[{i}]")
        unknown = set(item) - {"organization", "from", "until"}
        if unknown:
            raise UserError(
                "affiliation.unknown_key",
                file=str(path),
                where=f"{where}[{i}]",
                name=sorted(map(str, unknown))[0],  # not key=: UserError's own first argument
                allowed="organization, from, until",
            )
        start = _date(item["from"], f"{where}[{i}].from", path) if "from" in item else _FAR_PAST
        end = _date(item["until"], f"{where}[{i}].until", path) if "until" in item else _FAR_FUTURE
        if end <= start:
            raise UserError("affiliation.empty_range", file=str(path), where=f"{where}[{i}]")
        out.append(Affiliation(kind, key, str(item["organization"]), start, end))
    ordered = sorted(out, key=lambda a: a.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end:
            raise UserError("affiliation.overlap", file=str(path), where=where)
    return out


def load(path: Path) -> list[Affiliation]:
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"), str(path)) or {}
    except OSError as exc:
        raise UserError("affiliation.unreadable", file=str(path), detail=exc.strerror or str(exc)) from exc
    except yaml.YAMLError as exc:
        raise UserError("affiliation.not_yaml", file=str(path), detail=str(exc).splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise UserError("affiliation.bad_entry", file=str(path), where="(top level)")
    unknown = set(data) - {"identities", "domains", "people"}
    if unknown:
        raise UserError(
            "affiliation.unknown_key",
            file=str(path),
            where="(top level)",
            name=sorted(map(str, unknown))[0],  # not key=: UserError's own first argument
            allowed="identities, domains, people",
        )
    out: list[Affiliation] = []
    for kind, section in (("identity", "identities"), ("domain", "domains")):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise UserError("affiliation.bad_entry", file=str(path), where=section)
        for key, value in entries.items():
            out += _ranges(kind, str(key).strip().lower(), value, path)
    out += _people(data.get("people") or {}, path)
    return out


def _people(section: object, path: Path) -> list[Affiliation]:
    if not isinstance(section, dict):
        raise UserError("affiliation.bad_entry", file=str(path), where="people")
    out: list[Affiliation] = []
    seen: dict[str, str] = {}
    for label, emails in section.items():
        where = f"people.{label}"
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            raise UserError("affiliation.bad_entry", file=str(path), where=where)
        for email in emails:
            key = email.strip().lower()
            if key in seen and seen[key] != str(label):
                raise UserError("affiliation.overlap", file=str(path), where=where)
            seen[key] = str(label)
            out.append(Affiliation("person", key, "", _FAR_PAST, _FAR_FUTURE, str(label)))
    return out
