"""Where osslever keeps its files: the store and the clone cache.

Defaults live in the user's cache directory so a first run needs no setup;
``OSSLEVER_HOME`` moves everything (handy for CI and tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir


def home() -> Path:
    root = os.environ.get("OSSLEVER_HOME")
    return Path(root) if root else Path(user_cache_dir("osslever"))


def default_db() -> Path:
    return Path(os.environ.get("OSSLEVER_DB") or home() / "osslever.duckdb")


def clone_cache() -> Path:
    return home() / "repos"


def index_cache() -> Path:
    """Indexes built from shipped data (e.g. the license text index): safe to share
    between stores and users of one installation; ``OSSLEVER_CACHE`` moves them."""
    root = os.environ.get("OSSLEVER_CACHE")
    return Path(root) if root else home() / "cache"
