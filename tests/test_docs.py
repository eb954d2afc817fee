"""The documentation is tested with the code: every command the README shows exists,
every document it links exists, and the first two commands are what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from osslever.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    """`osslever X [Y]` as the README's command table writes them (subcommand words only)."""
    found = set()
    for match in re.finditer(r"`osslever ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", README):
        words = match.group(1).split()
        found.add(tuple(words))
    return [list(w) for w in sorted(found)]


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_readme_commands_exist(words):
    # the second word may be an argument (`report PATH`): accept the longest prefix that is a command
    result = CliRunner().invoke(cli, [*words, "--help"])
    if result.exit_code != 0:
        result = CliRunner().invoke(cli, [words[0], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_readme_links_exist():
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).is_file(), link


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    setup, tests = blocks[0].strip(), blocks[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
    assert "pip install -q -e '.[dev]'" in setup and "pip install -q -e '.[dev]'" in ci
    assert "osslever dossier . -o dossier.html" in setup
