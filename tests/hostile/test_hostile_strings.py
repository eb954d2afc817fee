"""Hostile names in every rendered output: script payloads, Markdown links, formula prefixes.

Package names come from the scanned repository's manifests, profile and scenario
names from a colleague's YAML, customer names from a billing export. Markdown
renderers pass HTML through, so a raw ``<script>`` in a Markdown report runs in the
reader's browser; a ``[x](javascript:…)`` becomes a link. Each output must carry the
payload as inert text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.hostile._cli import run

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://evil.example","click")'
PAYLOADS = [SCRIPT, IMG, LINK, FORMULA, "+1+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def assert_inert_markdown(text: str) -> None:
    assert "<script" not in text.lower(), text
    assert "<img" not in text.lower(), text
    assert "[x](javascript:" not in text, text  # an unescaped "[" would make a link


def assert_inert_html(text: str) -> None:
    assert "<script>alert(1)" not in text, "raw script payload in HTML"
    assert "<img src=x" not in text, "raw img payload in HTML"


@pytest.fixture
def hostile_manifest(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    deps = {name: "1.0.0" for name in PAYLOADS}
    deps["plain"] = IMG  # a hostile version string too
    (folder / "package.json").write_text(json.dumps({"name": "x", "license": "MIT", "dependencies": deps}))
    return folder


def test_license_markdown_escapes_package_names(hostile_manifest):
    proc = run("license", str(hostile_manifest), "--format", "md", "-q")
    assert proc.returncode == 0, proc.stderr
    assert_inert_markdown(proc.stdout)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in proc.stdout
    # every dependency row keeps exactly the table's five cells (no "|" from a name splits one)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| npm ")]
    assert len(rows) == len(PAYLOADS) + 1
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row


def _canonical(purl: str) -> bool:
    from packageurl import PackageURL

    return PackageURL.from_string(purl).to_string() == purl


def test_sbom_purls_of_hostile_names_are_canonical_or_absent(hostile_manifest, tmp_path):
    from packageurl import PackageURL

    for fmt in ("spdx-json", "cyclonedx-json"):
        out = tmp_path / f"sbom-{fmt}.json"
        proc = run("sbom", str(hostile_manifest), "--format", fmt, "-o", str(out), "-q")
        assert proc.returncode == 0, proc.stderr
        text = out.read_text()
        purls = re.findall(r'"(pkg:[^"]+)"', text)
        assert purls, "the plain dependency must still get a purl"
        for purl in purls:
            assert _canonical(purl), purl
            parsed = PackageURL.from_string(purl)
            assert parsed.name in ("plain", "x") or parsed.name not in PAYLOADS, purl


def test_assess_markdown_and_html_escape_profile_name(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(json.dumps({"name": f"{SCRIPT} {LINK} {FORMULA}"}))
    md = run("assess", str(profile), "--format", "md")
    assert md.returncode == 0, md.stderr
    assert_inert_markdown(md.stdout)
    assert "&lt;script&gt;" in md.stdout
    html = run("assess", str(profile), "--format", "html")
    assert html.returncode == 0, html.stderr
    assert_inert_html(html.stdout)


def test_assess_markdown_escapes_a_hostile_rule_pack(tmp_path):
    """Rule texts and ids of a user pack are untrusted too."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "r.yaml").write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "id": "evil.rule",
                        "when": {"field": "market.stage", "eq": "growth"},
                        "effect": {"note": "risk.evil", "severity": "high"},
                        "text": {"en": f"{SCRIPT} {LINK}", "zh": SCRIPT},
                        "source": IMG,
                        "priority": 99,
                    }
                ]
            }
        )
    )
    # A whole profile (JumpServer's, stage growth), so every section of the assessment is written.
    profile = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "jumpserver.yaml"
    md = run("assess", str(profile), "--rules", str(pack), "--format", "md")
    assert md.returncode == 0, md.stderr
    assert "`evil`" in md.stdout  # the risk the hostile rule raised is shown, its text inert
    assert_inert_markdown(md.stdout)


def test_forecast_markdown_and_html_escape_scenario_name(tmp_path):
    from pathlib import Path

    example = (Path(__file__).resolve().parents[2] / "examples" / "scenario.yaml").read_text()
    scenario = tmp_path / "s.yaml"
    scenario.write_text(example.replace("name: Example workflow-automation project", f"name: '{SCRIPT} {LINK}'"))
    for fmt, check in (("md", assert_inert_markdown), ("html", assert_inert_html)):
        proc = run("forecast", str(scenario), "--paths", "200", "--seed", "1", "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        check(proc.stdout)
    md = run("forecast", str(scenario), "--paths", "200", "--seed", "1", "--format", "md")
    assert "&lt;script&gt;" in md.stdout


HEADER = "customer_id,subscription_id,plan,start_date,end_date,amount,currency,interval,quantity"


def test_finance_outputs_escape_customer_and_plan_names(tmp_path):
    rows = [
        f'"{FORMULA.replace(chr(34), chr(34) * 2)}",s1,"{SCRIPT}",2024-01-01,,100,USD,month,1',
        f'"{IMG}",s2,"{LINK}",2024-02-01,,50,USD,month,1',
        '"@SUM(1+1)",s3,p,2024-03-01,,bad,USD,month,1',  # a skipped row shows its raw value
    ]
    billing = tmp_path / "b.csv"
    billing.write_text("\n".join([HEADER, *rows]) + "\n")
    for fmt, check in (("md", assert_inert_markdown), ("html", assert_inert_html)):
        proc = run("finance", "metrics", str(billing), "--format", fmt, "--skip-bad-rows")
        assert proc.returncode == 0, proc.stderr
        check(proc.stdout)


def test_csv_cells_neutralise_formula_prefixes():
    from osslever.outputs.escape import csv_cell

    for payload in ("=1+1", "+1+1", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(payload) == "'" + payload
    assert csv_cell("-5") == "-5" and csv_cell("1e3") == "1e3" and csv_cell(-5) == -5
    assert csv_cell("Acme") == "Acme"


def test_markdown_escape_is_inert_for_every_payload():
    from osslever.outputs.escape import md, md_code

    for payload in PAYLOADS:
        out = md(payload)
        assert "<" not in out and ">" not in out and "\n" not in out
        assert not re.search(r"(?<!\\)\[", out)
        assert not re.search(r"(?<!\\)\|", out)
    assert md_code("a`b") == "``a`b``"
    assert md_code("x|y") == "`x\\|y`"
