"""Name and handle keys for merging identities: case, accents, spacing and order ignored.

"Bai Jiangjie", "Jiangjie Bai", "Jiangjie.Bai", "BaiJiangJie" and "baijiangjie" all
give the key ``baijiangjie`` (family-name-first order and pinyin written together
are how the same Chinese name appears in git histories). A key only merges people
when it is specific (``data/identity/resolution.yaml``): long enough, not a role
account, not a common given name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from osslever import safe_yaml

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9a-z]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NOREPLY = re.compile(r"^(?:(\d+)\+)?([^@+]+)@users\.noreply\.github\.com$")


@dataclass(frozen=True)
class Rules:
    confidence: dict[str, float]
    min_key_letters: int
    min_cjk_chars: int
    single_token_min: int
    max_group: int
    common: frozenset[str]


@lru_cache(maxsize=1)
def rules() -> Rules:
    text = (resources.files("osslever") / "data" / "identity" / "resolution.yaml").read_text("utf-8")
    data = safe_yaml.packaged(text)
    common = frozenset(compact(n) for n in data["common_names"]["names"])
    return Rules(
        confidence={k: float(v) for k, v in data["confidence"].items()},
        min_key_letters=int(data["min_key_letters"]),
        min_cjk_chars=int(data["min_cjk_chars"]),
        single_token_min=int(data["single_token_min"]),
        max_group=int(data["max_group"]),
        common=common,
    )


def fold(text: str) -> str:
    """Accents and compatibility forms removed (Matěj Černý → Matej Cerny), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(name: str) -> list[str]:
    """Lower-case word tokens; camel case and punctuation split words ("Jiangjie.Bai", "BaiJiangJie")."""
    return list(_tokens(name))


@lru_cache(maxsize=1 << 16)
def _tokens(name: str) -> tuple[str, ...]:
    text = fold(name.strip().strip("\"'“”‘’"))
    if "@" in text:  # a name that is an e-mail address: its local part is the handle
        text = text.split("@", 1)[0]
    text = _CAMEL.sub(" ", text)
    return tuple(t for t in _SPLIT.split(text.lower()) if t)


def compact(name: str) -> str:
    return "".join(_tokens(name))


def is_cjk(name: str) -> bool:
    return bool(_CJK.search(name))


def cjk_key(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", name) if _CJK.match(ch))


def specific(key: str, n_tokens: int) -> bool:
    """Is a Latin key specific enough to merge two identities on its own?"""
    r = rules()
    if key in r.common or sum(ch.isalnum() for ch in key) < r.min_key_letters:
        return False
    if n_tokens == 1 and not any(ch.isdigit() for ch in key):
        return len(key) >= r.single_token_min
    return True


@lru_cache(maxsize=1 << 16)
def _name_keys(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(_compute_name_keys(name))


def name_keys(name: str) -> list[tuple[str, str]]:
    return list(_name_keys(name))


def _compute_name_keys(name: str) -> list[tuple[str, str]]:
    """(rule, key) pairs a name contributes: its own order, and reversed (family name first)."""
    if is_cjk(name):
        key = cjk_key(name)
        return [("name", "cjk:" + key)] if len(key) >= rules().min_cjk_chars else []
    parts = tokens(name)
    if not parts:
        return []
    forward = "".join(parts)
    if not specific(forward, len(parts)):
        return []
    out = [("name", forward)]
    if len(parts) > 1:
        reverse = "".join(reversed(parts))
        if reverse != forward:
            out.append(("name_reversed", reverse))
    return out


def loose_key(name: str) -> str:
    """A name key without the specificity rule (for name + local part co-occurrence)."""
    return "cjk:" + cjk_key(name) if is_cjk(name) else compact(name)


def noreply(email: str) -> tuple[str | None, str] | None:
    """(numeric id or None, login) of a GitHub noreply address, else None."""
    match = _NOREPLY.match(email)
    return (match.group(1), match.group(2).lower()) if match else None


def mailbox(email: str) -> str:
    """The mailbox an address delivers to: +suffix dropped; gmail ignores dots, googlemail is gmail."""
    local, _, domain = email.lower().rpartition("@")
    if not local:
        return email.lower()
    local = local.split("+", 1)[0] if not domain.endswith("users.noreply.github.com") else local
    if domain in ("gmail.com", "googlemail.com"):
        return local.replace(".", "") + "@gmail.com"
    return f"{local}@{domain}"


def local_part(email: str) -> str:
    local, at, _ = email.lower().rpartition("@")
    return local if at else email.lower()
