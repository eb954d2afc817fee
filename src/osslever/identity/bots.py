"""Bot detection with a reason: name and e-mail patterns, known service accounts, behaviour.

Knowledge lives in ``data/identity/bots.yaml`` (each entry with its source). The
reason is returned so that ``osslever identities`` can say *why* an account is
counted as automation, and the user can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from osslever import safe_yaml
from osslever.identity import names as name_keys


@dataclass(frozen=True)
class _Rules:
    by_name: list[tuple[re.Pattern[str], str]]
    by_email: list[tuple[re.Pattern[str], str]]
    known: dict[str, str]  # compact name / login → source
    min_commits: int


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    text = (resources.files("osslever") / "data" / "identity" / "bots.yaml").read_text("utf-8")
    data = safe_yaml.packaged(text)

    def compiled(entries: list[dict[str, str]]) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(e["pattern"], re.IGNORECASE), e["pattern"]) for e in entries]

    return _Rules(
        by_name=compiled(data["name_patterns"]),
        by_email=compiled(data["email_patterns"]),
        known={name_keys.compact(e["name"]): e["source"] for e in data.get("known_accounts", [])},
        min_commits=int(data.get("behaviour", {}).get("min_commits", 50)),
    )


def bot_reason(name: str, email: str, commits: int = 0, merges: int = 0) -> tuple[str, str] | None:
    """Why this identity is a bot, as (kind, detail): known_account, name_pattern, email_pattern, behaviour."""
    rules = _rules()
    name, email = name.strip(), email.strip().lower()
    login = name_keys.noreply(email)
    for key in (name_keys.compact(name), login[1] if login else None):
        if key and key in rules.known:
            return ("known_account", rules.known[key])
    for pattern, text in rules.by_name:
        if pattern.search(name):
            return ("name_pattern", text)
    for pattern, text in rules.by_email:
        if pattern.search(email):
            return ("email_pattern", text)
    if commits >= rules.min_commits and merges == commits:
        return ("behaviour", f"{commits} merge commits, nothing else")
    return None


def is_bot(name: str, email: str) -> bool:
    return bot_reason(name, email) is not None
