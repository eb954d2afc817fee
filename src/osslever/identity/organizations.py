"""Organization from an e-mail domain, from the table in ``data/identity/organizations.yaml``.

A person's organization is a claim about employment, so it is only ever
derived from data (the domain table, or the user's affiliation file) — never
guessed from names.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

INDEPENDENT = "independent"
UNKNOWN = "unknown"

# Second-level labels under which registrable names have three labels (example.com.cn).
_SECOND_LEVEL = {"com", "net", "org", "edu", "gov", "ac", "co", "ne", "or", "go"}


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    text = (resources.files("osslever") / "data" / "identity" / "organizations.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    table = {d.lower(): INDEPENDENT for d in data["independent"]["domains"]}
    table.update({d.lower(): UNKNOWN for d in data["unknown"]["domains"]})
    for org, domains in data["organizations"].items():
        table.update({d.lower(): org for d in domains})
    return table


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


def organization_of(email: str) -> str:
    """The organization an e-mail belongs to, "independent", or "unknown"."""
    domain = domain_of(email)
    if not domain or "." not in domain:
        return UNKNOWN
    table = _table()
    for candidate in parents(domain):
        if candidate in table:
            return table[candidate]
    return registrable(domain)
