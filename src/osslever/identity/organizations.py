"""What an e-mail address says about its author's organization, from ``data/identity/organizations.yaml``.

A person's organization is a claim about employment, so it is only ever
derived from evidence: a company domain, the same person's company address in
the surrounding period (``identity.resolve``), or the user's affiliation file.
Public mail providers and noreply addresses are *no* evidence ("unknown"); a
person's own domain is evidence of a personal address ("independent"); the
project's own domain (vuejs.org for Vue) is no evidence about an employer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from osslever import safe_yaml
from osslever.identity import names

INDEPENDENT = "independent"
UNKNOWN = "unknown"

# kinds of evidence an address gives
COMPANY = "company"
PUBLIC = "public_provider"
PLACEHOLDER = "placeholder"
PERSONAL = "personal_domain"
PROJECT = "project_domain"

# Second-level labels under which registrable names have three labels (example.com.cn).
_SECOND_LEVEL = {"com", "net", "org", "edu", "gov", "ac", "co", "ne", "or", "go"}


@dataclass(frozen=True)
class _Table:
    domains: dict[str, str]  # domain → organization, or PUBLIC / PLACEHOLDER marker
    placeholder_tlds: frozenset[str]
    personal_tlds: frozenset[str]
    public_labels: frozenset[str]
    personal_locals: frozenset[str]


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = (resources.files("osslever") / "data" / "identity" / "organizations.yaml").read_text("utf-8")
    data = safe_yaml.packaged(text)
    table = {d.lower(): PUBLIC for d in data["public_providers"]["domains"]}
    table.update({d.lower(): PLACEHOLDER for d in data["unknown"]["domains"]})
    for org, domains in data["organizations"].items():
        table.update({d.lower(): org for d in domains})
    return _Table(
        domains=table,
        placeholder_tlds=frozenset(str(t).lower() for t in data["unknown"].get("tlds", [])),
        personal_tlds=frozenset(str(t).lower() for t in data["personal_tlds"]["tlds"]),
        public_labels=frozenset(str(t).lower() for t in data["public_provider_labels"]["labels"]),
        personal_locals=frozenset(str(t).lower() for t in data["personal_local_parts"]["local_parts"]),
    )


@dataclass(frozen=True)
class Evidence:
    """What one address says: ``kind`` (COMPANY, PUBLIC, …) and, for a company, its name."""

    kind: str
    organization: str | None
    domain: str

    @property
    def category(self) -> str:
        """The bucket a commit falls in when nothing better is known."""
        if self.kind == COMPANY:
            return self.organization or UNKNOWN
        return INDEPENDENT if self.kind == PERSONAL else UNKNOWN


def domain_of(email: str) -> str:
    _, at, domain = email.strip().lower().rpartition("@")
    return domain.strip(".") if at else ""


def parents(domain: str) -> list[str]:
    """The domain and each parent: a.b.example.com → [a.b.example.com, b.example.com, example.com]."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [domain]


def registrable(domain: str) -> str:
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _is_placeholder(domain: str) -> bool:
    if not domain or "." not in domain:
        return True
    try:
        ipaddress.ip_address(domain.strip("[]"))
        return True
    except ValueError:
        pass
    tld = domain.rsplit(".", 1)[-1]
    return tld in _table().placeholder_tlds or not tld.isalpha() or len(tld) < 2


def domain_evidence(email: str) -> Evidence:
    """Evidence from the address alone (no knowledge of the project or its people)."""
    domain = domain_of(email)
    if _is_placeholder(domain):
        return Evidence(PLACEHOLDER, None, domain)
    table = _table().domains
    for candidate in parents(domain):
        if candidate in table:
            value = table[candidate]
            if value in (PUBLIC, PLACEHOLDER):
                return Evidence(value, None, domain)
            return Evidence(COMPANY, value, domain)
    if registrable(domain).split(".", 1)[0] in _table().public_labels:
        return Evidence(PUBLIC, None, domain)
    return Evidence(COMPANY, registrable(domain), domain)


def _label(domain: str) -> str:
    return names.compact(registrable(domain).split(".", 1)[0])


def classify(
    email: str,
    person_keys: Iterable[str],
    people_on_domain: int,
    project_keys: Iterable[str],
) -> Evidence:
    """Evidence from the address in its project: personal and project domains are not companies.

    * project domain: the registrable label names the project (vuejs.org for vuejs/core);
    * personal domain: the label is the person's handle or part of their name
      (roe.dev for Daniel Roe, sxzz@sxzz.moe), or only this person uses the
      domain and it sits under a TLD sold to individuals (``personal_tlds``).
    Domains in the organizations table are always companies.
    """
    evidence = domain_evidence(email)
    if evidence.kind != COMPANY or _listed(evidence.domain):
        return evidence
    label = _label(evidence.domain)
    own = {names.compact(k) for k in project_keys if k}
    own |= {t for k in project_keys for t in names.tokens(k) if len(t) >= 3}
    if len(label) >= 3 and label in own:
        return Evidence(PROJECT, None, evidence.domain)
    if people_on_domain > 1:
        return evidence
    keys = {k for k in person_keys if k}
    if len(label) >= 3 and any(label in k or (len(k) >= 4 and k in label) for k in keys):
        return Evidence(PERSONAL, None, evidence.domain)
    tld = evidence.domain.rsplit(".", 1)[-1]
    if tld in _table().personal_tlds or names.local_part(email) in _table().personal_locals:
        return Evidence(PERSONAL, None, evidence.domain)
    return evidence


def _listed(domain: str) -> bool:
    table = _table().domains
    return any(c in table for c in parents(domain))


def organization_of(email: str) -> str:
    """The organization an address alone names, or "unknown" (no project context)."""
    return domain_evidence(email).category
