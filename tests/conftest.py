"""Shared fixtures: repositories built with ``git fast-import`` whose answers are known by hand."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import RepoBuilder

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Every document the core builds during the tests is checked against its type
# (workspace._finish): the generated schemas are the contracts, so they must never lag.
os.environ["OSSLEVER_STRICT_DOCUMENTS"] = "1"


@pytest.fixture(scope="session")
def _index_cache(tmp_path_factory):
    """Indexes built from shipped data (license texts) are built once per test session."""
    return tmp_path_factory.mktemp("osslever-index-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, _index_cache):
    """Never touch the user's cache: every test gets its own osslever home."""
    home = tmp_path_factory.mktemp("osslever-home")
    monkeypatch.setenv("OSSLEVER_HOME", str(home))
    monkeypatch.setenv("OSSLEVER_CACHE", str(_index_cache))
    monkeypatch.delenv("OSSLEVER_DB", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield home


@pytest.fixture
def builder(tmp_path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "repo")


@pytest.fixture
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"../shared not found beside the repository at {SHARED}"
    return SHARED


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout.decode()
