"""Bot detection from the patterns in ``data/identity/bots.yaml``."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    text = (resources.files("osslever") / "data" / "identity" / "bots.yaml").read_text("utf-8")
    data = yaml.safe_load(text)

    def join(entries: list[dict[str, str]]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{e['pattern']})" for e in entries), re.IGNORECASE)

    return join(data["name_patterns"]), join(data["email_patterns"])


def is_bot(name: str, email: str) -> bool:
    by_name, by_email = _patterns()
    return bool(by_name.search(name.strip()) or by_email.search(email.strip().lower()))
