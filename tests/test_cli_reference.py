"""docs/cli.md is generated from the commands and is current (as sqlite-utils checks its docs with cog)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from osslever.cli import cli
from osslever.commands._reference import DEFAULT_FILE, WIDTH, render

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_reference_is_current():
    assert DEFAULT_FILE.read_text(encoding="utf-8") == render(), "run: python -m osslever.commands._reference"


def test_each_section_is_what_the_command_prints_for_help():
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (osslever[a-z -]*)\n\n```\n(.*?)\n```$", text, flags=re.S | re.M))
    assert {"osslever report", "osslever ingest gharchive", "osslever finance metrics", "osslever rules check"} <= set(
        sections
    )
    for path, body in sections.items():
        words = path.split()[1:]
        shown = CliRunner().invoke(cli, [*words, "--help"], terminal_width=WIDTH, prog_name="osslever")
        assert shown.exit_code == 0, path
        assert shown.output.rstrip() == body, path


def test_the_check_mode_names_a_stale_file(tmp_path):
    target = tmp_path / "cli.md"
    target.write_text("# old\n", encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    script = [sys.executable, "-m", "osslever.commands._reference"]
    stale = subprocess.run([*script, "--check", str(target)], capture_output=True, text=True, env=env)
    assert stale.returncode == 1 and "cli.md: out of date" in stale.stderr
    assert subprocess.run([*script, str(target)], capture_output=True, env=env).returncode == 0
    assert subprocess.run([*script, "--check", str(target)], capture_output=True, env=env).returncode == 0
    assert target.read_text(encoding="utf-8") == DEFAULT_FILE.read_text(encoding="utf-8")
