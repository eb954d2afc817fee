"""Identity resolution with zero setup: which e-mails are one person, which are bots,
and what organization each commit's author belonged to at the time.

Input: one row per (mailmapped e-mail, mailmapped name) with commit counts and
dates — ``.mailmap`` has already been applied by git, so it always wins. Then, in
the spirit of SortingHat's matchers and CNCF gitdm's per-person e-mail lists:

* **merge** identities that share a mailbox, a GitHub noreply account (numeric
  id or login), a specific name (case, accents, spacing, camel case and reversed
  Chinese order ignored), or the same name together with the same e-mail local
  part; every merge keeps its rule, key and confidence
  (``data/identity/resolution.yaml``). Bots never merge with people. The user's
  file (``people:``) wins: its e-mails are one person, and two of its people are
  never merged;
* **bots** by name/e-mail patterns, known service accounts and behaviour
  (``identity.bots``), each with its reason;
* **organizations**: each address's evidence (``identity.organizations``), and
  affiliation over time — a person's company address affiliates their other
  no-evidence addresses for the surrounding period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from osslever import safe_yaml
from osslever.identity import bots, names, organizations


@dataclass
class Identity:
    """One mailmapped e-mail and what the history says about it."""

    email: str
    names: Counter[str] = field(default_factory=Counter)
    commits: int = 0
    merges: int = 0
    first: int = 0  # unix seconds of the first and last commit
    last: int = 0
    bot: tuple[str, str] | None = None
    evidence: organizations.Evidence | None = None

    @property
    def name(self) -> str:
        return self.names.most_common(1)[0][0] if self.names else ""


@dataclass(frozen=True)
class Merge:
    """Why two identities are one person."""

    left: str
    right: str
    rule: str  # mailbox, github_id, github_login, name_and_local, handle, name, name_reversed, user_file
    key: str
    confidence: float


@dataclass(frozen=True)
class Period:
    """A person affiliated to an organization from ``start`` (inclusive) to ``end`` (exclusive)."""

    person: str
    organization: str
    start: dt.date
    end: dt.date
    evidence: tuple[str, ...]  # the company addresses it comes from


@dataclass
class Person:
    key: str  # the e-mail with most commits (the identity key metrics count)
    name: str
    emails: list[str]
    merges: list[Merge]
    bot: tuple[str, str] | None
    label: str | None = None  # the user's name for this person, when their file lists it

    @property
    def confidence(self) -> float:
        """The weakest merge that made this person (1.0 for a single identity)."""
        return min((m.confidence for m in self.merges), default=1.0)


@dataclass
class Resolution:
    identities: dict[str, Identity]
    person_of: dict[str, str]  # e-mail → person key
    people: dict[str, Person]
    periods: list[Period]
    too_common: list[str]  # keys shared by too many identities to merge anyone


@lru_cache(maxsize=1)
def _margin_days() -> int:
    text = (resources.files("osslever") / "data" / "identity" / "resolution.yaml").read_text("utf-8")
    return int(safe_yaml.packaged(text).get("affiliation_margin_days", 183))


def collect(rows: Iterable[Mapping]) -> dict[str, Identity]:
    """Rows (email, name, commits, merges, first, last) → one Identity per e-mail."""
    out: dict[str, Identity] = {}
    for r in rows:
        email = str(r["email"])
        ident = out.get(email)
        if ident is None:
            ident = out[email] = Identity(email, first=int(r["first"]), last=int(r["last"]))
        ident.names[str(r["name"])] += int(r["commits"])
        ident.commits += int(r["commits"])
        ident.merges += int(r.get("merges") or 0)
        ident.first = min(ident.first, int(r["first"]))
        ident.last = max(ident.last, int(r["last"]))
    return out


def _keys(ident: Identity) -> list[tuple[str, str]]:
    """(rule, key) pairs under which this identity may meet another."""
    email = ident.email
    out: list[tuple[str, str]] = []
    box = names.mailbox(email)
    if box != email:
        out.append(("mailbox", "box:" + box))
    account = names.noreply(email)
    local = names.local_part(email)
    if account:
        number, login = account
        if number:
            out.append(("github_id", f"gh:{number}"))
        login_key = names.compact(login)
        if login_key and login_key not in names.rules().common and len(login_key) >= 3:
            out.append(("github_login", "k:" + login_key))
    else:
        out += [("handle", "k:" + key) for _, key in names.name_keys(local)]
    for name in ident.names:
        out += [(rule, "k:" + key) for rule, key in names.name_keys(name)]
        loose = names.loose_key(name)
        local_key = names.compact(local.split("+", 1)[-1] if account else local)
        if loose and local_key and loose not in names.rules().common and local_key not in names.rules().common:
            out.append(("name_and_local", f"nl:{loose}|{local_key}"))
    return out


class _Forest:
    """Union-find that refuses to join two different people of the user's file."""

    def __init__(self, items: Iterable[str], groups: Mapping[str, str]):
        self.parent = {i: i for i in items}
        self.groups: dict[str, set[str]] = {i: ({groups[i]} if i in groups else set()) for i in self.parent}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        ga, gb = self.groups[ra], self.groups[rb]
        if ga and gb and ga != gb:
            return False
        self.parent[rb] = ra
        self.groups[ra] = ga | gb
        return True


def resolve(
    rows: Iterable[Mapping],
    project_keys: Sequence[str] = (),
    user_people: Mapping[str, str] | None = None,
) -> Resolution:
    """People, bots and affiliation periods of one history.

    ``user_people`` maps e-mails to the user's person labels (the ``people:``
    section of the affiliation file); ``project_keys`` are the project's own
    names (repository name, forge owner) whose domains are not companies.
    """
    user_people = {k.lower(): v for k, v in (user_people or {}).items()}
    identities = collect(rows)
    rules = names.rules()
    for ident in identities.values():
        for name in sorted(ident.names, key=lambda n: -ident.names[n]):
            ident.bot = bots.bot_reason(name, ident.email, ident.commits, ident.merges)
            if ident.bot:
                break
    forest = _Forest(identities, {e: g for e, g in user_people.items() if e in identities})
    merges: list[Merge] = []
    by_group: dict[str, list[str]] = defaultdict(list)
    for email, label in user_people.items():
        if email in identities:
            by_group[label].append(email)
    for label, emails in by_group.items():
        for other in emails[1:]:
            if forest.union(emails[0], other):
                merges.append(Merge(emails[0], other, "user_file", label, rules.confidence["user_file"]))
    index: dict[str, dict[str, str]] = defaultdict(dict)  # key → {email: rule}
    own_names = {"k:" + names.compact(k) for k in project_keys if k}
    for ident in identities.values():
        side = "bot|" if ident.bot else "person|"
        for rule, key in _keys(ident):
            if key in own_names:  # the project's own name used as an author name merges nobody
                continue
            seen = index[side + key]
            if ident.email not in seen or rules.confidence[rule] > rules.confidence[seen[ident.email]]:
                seen[ident.email] = rule
    too_common: list[str] = []
    edges: list[tuple[float, str, str, str, str]] = []
    for key, members in index.items():
        if len(members) < 2:
            continue
        if len(members) > rules.max_group:
            too_common.append(key.split("|", 1)[1].split(":", 1)[1])
            continue
        ordered = sorted(members, key=lambda e: (-identities[e].commits, e))
        head = ordered[0]
        for other in ordered[1:]:
            weakest = min((members[head], members[other]), key=lambda r: rules.confidence[r])
            edges.append((rules.confidence[weakest], weakest, key.split("|", 1)[1], head, other))
    for confidence, rule, key, a, b in sorted(edges, key=lambda e: (-e[0], e[2], e[3], e[4])):
        if forest.union(a, b):
            merges.append(Merge(a, b, rule, key.split(":", 1)[1], confidence))
    members_of: dict[str, list[str]] = defaultdict(list)
    for email in identities:
        members_of[forest.find(email)].append(email)
    people: dict[str, Person] = {}
    person_of: dict[str, str] = {}
    for emails in members_of.values():
        emails.sort(key=lambda e: (-identities[e].commits, e))
        key = emails[0]
        names_used: Counter[str] = Counter()
        for e in emails:
            names_used.update(identities[e].names)
        labels = {user_people[e] for e in emails if e in user_people}
        label = sorted(labels)[0] if labels else None
        bot = next((identities[e].bot for e in emails if identities[e].bot), None)
        in_person = {e for e in emails}
        person_merges = [m for m in merges if m.left in in_person]
        people[key] = Person(key, label or _display_name(names_used), emails, person_merges, bot, label)
        for e in emails:
            person_of[e] = key
    _classify(identities, people, person_of, project_keys)
    periods = _periods(identities, people)
    return Resolution(identities, person_of, people, periods, sorted(set(too_common)))


def _display_name(used: Counter[str]) -> str:
    """The most used name that is specific enough to tell the person ("BaiJiangJie" over "Bai")."""
    ranked = [n for n, _ in used.most_common()]
    return next((n for n in ranked if names.name_keys(n)), ranked[0] if ranked else "")


def _person_keys(person: Person, identities: Mapping[str, Identity]) -> set[str]:
    keys: set[str] = set()
    for e in person.emails:
        keys.add(names.compact(names.local_part(e)))
        account = names.noreply(e)
        if account:
            keys.add(names.compact(account[1]))
        for n in identities[e].names:
            keys.add(names.compact(n))
            keys.add(names.compact(n.translate(_GERMAN)))  # Döllmann → doellmann
            keys.update(t for t in names.tokens(n) if len(t) >= 4)
    return {k for k in keys if k}


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _classify(
    identities: Mapping[str, Identity],
    people: Mapping[str, Person],
    person_of: Mapping[str, str],
    project_keys: Sequence[str],
) -> None:
    people_on: dict[str, set[str]] = defaultdict(set)
    for email, ident in identities.items():
        if not ident.bot:
            people_on[organizations.registrable(organizations.domain_of(email))].add(person_of[email])
    for person in people.values():
        keys = _person_keys(person, identities)
        for e in person.emails:
            domain = organizations.registrable(organizations.domain_of(e))
            identities[e].evidence = organizations.classify(e, keys, len(people_on.get(domain, ())), project_keys)


def _day(seconds: int) -> dt.date:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def _periods(identities: Mapping[str, Identity], people: Mapping[str, Person]) -> list[Period]:
    margin = dt.timedelta(days=_margin_days())
    out: list[Period] = []
    for person in people.values():
        if person.bot:
            continue
        spans: dict[str, list] = {}
        for e in person.emails:
            ev = identities[e].evidence
            if ev is None or ev.kind != organizations.COMPANY or not ev.organization:
                continue
            start, end = _day(identities[e].first), _day(identities[e].last)
            span = spans.setdefault(ev.organization, [start, end, []])
            span[0], span[1] = min(span[0], start), max(span[1], end)
            span[2].append(e)
        ordered = sorted(([s, t, org, tuple(ev)] for org, (s, t, ev) in spans.items()), key=lambda x: (x[0], x[2]))
        bounds = [[s - margin, t + margin + dt.timedelta(days=1)] for s, t, _, _ in ordered]
        for i in range(len(ordered) - 1):
            if bounds[i][1] > bounds[i + 1][0]:
                cut = ordered[i][1] + (ordered[i + 1][0] - ordered[i][1]) / 2
                cut = max(cut, ordered[i + 1][0]) if ordered[i][1] > ordered[i + 1][0] else cut
                bounds[i][1] = min(bounds[i][1], cut + dt.timedelta(days=1))
                bounds[i + 1][0] = max(bounds[i + 1][0], cut + dt.timedelta(days=1))
        previous_end = dt.date.min
        for (_, _, org, evidence), (start, end) in zip(ordered, bounds, strict=True):
            start = max(start, previous_end)
            if start < end:
                out.append(Period(person.key, org, start, end, evidence))
                previous_end = end
    return out
