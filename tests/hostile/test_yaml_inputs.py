"""Hostile YAML: alias bombs, Python tags, deep nesting, wrong types, unknown keys, symlinks.

Every YAML file a user hands osslever (rule packs, profiles, scenarios, affiliation
files) goes through one safe loader; each case must end in one translated line (or,
for ``rules check``, a listed error and exit 1) within seconds, never a hang or a
traceback.
"""

from __future__ import annotations

import pytest

from tests.hostile._cli import one_line_error, run

# "Billion laughs": 9 levels of 9 aliases each, ~1 KB of text, 9**9 leaves when expanded.
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)
PYTHON_TAG = "name: !!python/object/apply:os.system ['touch /tmp/osslever-pwned']\n"
DEEP_FLOW = "name: x\nextra: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = "name: x\nextra:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(3000))
RULES_OK = """\
rules:
  - id: hostile.ok
    when: {field: market.stage, eq: early}
    effect: {decide: readiness.stage, value: growth}
    text: {en: ok, zh: 好}
    source: test
"""


def _pack(tmp_path, text: str):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "r.yaml").write_text(text)
    return folder


def test_bomb_is_about_one_kilobyte():
    assert len(BOMB) < 1100


@pytest.mark.parametrize("text", [BOMB, PYTHON_TAG, DEEP_FLOW, DEEP_BLOCK], ids=["bomb", "tag", "flow", "block"])
def test_rules_check_reports_hostile_pack_and_exits_1(tmp_path, text):
    proc = run("rules", "check", str(_pack(tmp_path, text)), "--no-builtin", timeout=20)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "r.yaml" in proc.stdout + proc.stderr


def test_rules_check_exits_1_on_a_rule_error(tmp_path):
    """docs: "exit 1 when there are errors" — also when the only error is inside one rule."""
    bad = RULES_OK.replace("eq: early", "eq: sideways")
    proc = run("rules", "check", str(_pack(tmp_path, bad)), timeout=20)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)


def test_rules_check_of_a_good_pack_exits_0(tmp_path):
    proc = run("rules", "check", str(_pack(tmp_path, RULES_OK)), timeout=20)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)


@pytest.mark.parametrize("text", [BOMB, PYTHON_TAG, DEEP_FLOW], ids=["bomb", "tag", "flow"])
def test_assess_with_hostile_rule_pack_is_one_line(tmp_path, text):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: P\n")
    err = one_line_error(run("assess", str(profile), "--rules", str(_pack(tmp_path, text)), timeout=20))
    assert "r.yaml" in err


def test_rule_file_symlinked_out_of_the_pack_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(RULES_OK)
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "r.yaml").symlink_to(outside)
    proc = run("rules", "check", str(folder), "--no-builtin", timeout=20)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "symlink" in (proc.stdout + proc.stderr).lower() or "symbolic" in (proc.stdout + proc.stderr).lower()
    profile = tmp_path / "p.yaml"
    profile.write_text("name: P\n")
    one_line_error(run("assess", str(profile), "--rules", str(folder), timeout=20))


@pytest.mark.parametrize(
    "text",
    [BOMB, PYTHON_TAG, DEEP_FLOW, DEEP_BLOCK, "- just\n- a list\n", "name: [1, 2]\n", "name: P\nstage: 12\n"],
    ids=["bomb", "tag", "flow", "block", "list", "name-type", "stage-type"],
)
def test_assess_profile_is_one_line(tmp_path, text):
    profile = tmp_path / "p.yaml"
    profile.write_text(text)
    err = one_line_error(run("assess", str(profile), timeout=20))
    assert "p.yaml" in err


@pytest.mark.parametrize("text", [BOMB, PYTHON_TAG, DEEP_FLOW, DEEP_BLOCK], ids=["bomb", "tag", "flow", "block"])
def test_assess_scenario_is_one_line(tmp_path, text):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: P\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text)
    err = one_line_error(run("assess", str(profile), "--scenario", str(scenario), timeout=20))
    assert "s.yaml" in err


@pytest.mark.parametrize(
    "text",
    [BOMB, PYTHON_TAG, DEEP_FLOW, DEEP_BLOCK, "- a\n", "name: x\nhorizon_months: many\n"],
    ids=["bomb", "tag", "flow", "block", "list", "horizon-type"],
)
def test_forecast_scenario_is_one_line(tmp_path, text):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text)
    err = one_line_error(run("forecast", str(scenario), "--paths", "100", timeout=20))
    assert "s.yaml" in err or "horizon_months" in err


AFFILIATIONS = {
    "bomb": BOMB,
    "tag": PYTHON_TAG,
    "flow": "identities: " + "[" * 5000 + "]" * 5000 + "\n",
    "block": "identities:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(3000)),
    "unknown-top": "identities: {}\nteams: {}\n",
    "unknown-int-key": "identities: {}\n1: {}\n",
    "unknown-entry-key": "identities:\n  a@x.org:\n    - {organization: X, from: 2020-01-01, colour: red}\n",
    "mixed-entry-keys": "identities:\n  a@x.org:\n    - {organization: X, 7: 1, z: 2}\n",
    "section-list": "identities: [a, b]\n",
    "entry-number": "identities:\n  a@x.org: 12\n",
}


@pytest.mark.parametrize("text", AFFILIATIONS.values(), ids=AFFILIATIONS.keys())
def test_affiliation_file_is_one_line(tmp_path, builder, text):
    builder.commit("A", "a@x.org", "2025-01-01T00:00:00", {"a": "a\n"})
    repo = builder.build()
    aff = tmp_path / "aff.yaml"
    aff.write_text(text)
    err = one_line_error(
        run("report", str(repo), "--affiliations", str(aff), "--db", str(tmp_path / "s.duckdb"), "-q", timeout=30)
    )
    assert "aff.yaml" in err
    assert not (tmp_path.parent / "osslever-pwned").exists()
