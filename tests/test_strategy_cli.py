"""The commands: assess (json/md/html, --rules, --scenario, --interactive) and rules."""

import json

import yaml
from click.testing import CliRunner

from osslever.cli import cli
from tests._strategy_helpers import PROFILES


def _run(args, **kwargs):
    return CliRunner().invoke(cli, args, catch_exceptions=True, **kwargs)


def test_assess_json_follows_contract():
    result = _run(["assess", str(PROFILES / "mongodb.yaml"), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["schema_version"] == 2 and doc["name"] == "MongoDB"  # 2: issue 12
    assert doc["stance"]["value"] in ("open", "closed", "hybrid")
    assert doc["stance"]["status_quo"] in ("open", "closed", "hybrid", None)
    assert doc["coherence"]["coherent"] is True
    assert doc["investor"]["verdict"] in ("investable", "conditional", "not_yet")
    assert len(doc["business_models"]) == 11  # issue 12 added proprietary_product, cloud_partnership
    first = doc["business_models"][0]
    assert set(first) >= {"id", "score", "fit", "reasons", "missing_preconditions", "examples"}
    assert set(first["reasons"][0]) >= {"rule", "text", "evidence"}
    assert set(doc["license"]) >= {"current", "recommended", "notes"}
    assert set(doc["readiness"]) >= {"stage", "checks"}
    assert all(set(r) >= {"id", "severity", "text"} for r in doc["risks"])
    assert isinstance(doc["unknowns"], list)
    assert all(set(w) >= {"id", "name", "changes", "text"} for w in doc["what_would_change"])


def test_assess_markdown_and_html_in_both_languages(tmp_path):
    md = _run(["assess", str(PROFILES / "gitlab.yaml"), "--lang", "zh"])
    assert md.exit_code == 0 and "开源立场" in md.output and "open_core" in md.output
    out = tmp_path / "r.html"
    html = _run(
        [
            "assess",
            str(PROFILES / "gitlab.yaml"),
            "--format",
            "html",
            "--lang",
            "en",
            "-o",
            str(out),
        ]
    )
    assert html.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "http://" not in page and "https://" not in page.split("<body>")[0]
    assert "Business-model fit" in page


def test_html_escapes_untrusted_text(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: '<script>alert(1)</script>'\n", encoding="utf-8")
    result = _run(["assess", str(profile), "--format", "html"])
    assert result.exit_code == 0
    assert "<script>alert(1)</script>" not in result.output
    assert "&lt;script&gt;" in result.output


def test_scenario_overrides_profile(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("market: {stage: early}\n", encoding="utf-8")
    base = json.loads(_run(["assess", str(PROFILES / "mongodb.yaml"), "--format", "json"]).output)
    alt = json.loads(
        _run(
            [
                "assess",
                str(PROFILES / "mongodb.yaml"),
                "--format",
                "json",
                "--scenario",
                str(scenario),
            ]
        ).output
    )
    assert alt["inputs"]["provenance"]["market.stage"] == "scenario"
    # issue 12: no decision tree any more; an early market is evidence for opening
    assert alt["stance"]["points"]["open"] > base["stance"]["points"]["open"]


def test_bad_profile_is_one_line_error(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: x\nmarket: {stage: late}\n", encoding="utf-8")
    result = _run(["assess", str(profile)])
    assert result.exit_code != 0
    assert result.exception.key == "strategy.profile.bad_enum"


def test_repo_evidence_is_measured_and_overrides_declared(builder, tmp_path):
    """--repo measures the repository (git report + license scan) and those values win."""
    from importlib import resources

    mit = (resources.files("licensedcode") / "data" / "licenses" / "mit.LICENSE").read_text().split("---", 2)[2]
    builder.commit("A", "a@example.org", "2026-01-01T00:00:00", {"LICENSE": mit})
    builder.commit("B", "b@example.org", "2026-02-01T00:00:00", {"x": "x\n"})
    builder.commit("C", "c@example.org", "2026-03-01T00:00:00", {"y": "y\n"})
    repo = builder.build()
    result = _run(["assess", str(PROFILES / "mysql.yaml"), "--repo", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    measured = doc["inputs"]["measured"]
    assert measured["project.license"]["value"] == "MIT"
    assert measured["project.contributors"]["value"] == 3
    assert measured["project.active_contributors"]["value"] == 3
    assert doc["inputs"]["declared"]["project.license"] != "MIT"  # the profile said otherwise
    assert doc["license"]["current"] == "MIT"


def test_interactive_writes_valid_profile(tmp_path):
    from osslever.models.strategy import load_profile
    from osslever.models.strategy.schema import profile_fields

    asked = [p for p, f in profile_fields().items() if f.ask]
    answers = {
        "name": "Demo DB",
        "org.size": "startup",
        "org.region": "cn",
        "product.enterprise_needs": "sso, audit",
        "product.mission_critical": "yes",
        "goals.horizon_years": "5",
        "finance.nrr": "1.1",
    }
    lines = []
    for path in asked:
        if path == "market.stage":
            lines += ["later", "mature"]  # invalid first: must be asked again
        elif path == "goals.horizon_years":
            lines += ["99", "5"]  # out of range first
        else:
            lines.append(answers.get(path, ""))
    target = tmp_path / "profile.yaml"
    result = _run(["assess", "--interactive", "--lang", "en", str(target)], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "allowed values: early, growth, mature" in result.output
    doc = load_profile(target)
    assert doc == {
        "name": "Demo DB",
        "org": {"size": "startup", "region": "cn"},
        "product": {"mission_critical": True, "enterprise_needs": ["sso", "audit"]},
        "market": {"stage": "mature"},
        "goals": {"horizon_years": 5},
        "finance": {"nrr": 1.1},
    }
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["name"] == "Demo DB"


def test_interactive_asks_in_chinese(tmp_path):
    target = tmp_path / "p.yaml"
    result = _run(
        ["assess", "--interactive", "--lang", "zh", str(target)], input="项目甲\n" + "\n" * 80
    )  # more questions since profile v2
    assert result.exit_code == 0, result.output
    assert "组织规模" in result.output


def test_rules_list_show_check(tmp_path):
    listed = _run(["rules", "list", "--format", "json"])
    ids = {r["id"] for r in json.loads(listed.output)["rules"]}
    # issue 12 moved the stance and model rules into the joint decision (decision.yaml)
    assert {"license.note.permissive_cloud_risk", "investor.single_customer_1m"} <= ids
    shown = _run(["rules", "show", "license.note.permissive_cloud_risk"])
    assert shown.exit_code == 0 and "market.cloud_provider_threat" in shown.output and "zh:" in shown.output
    missing = _run(["rules", "show", "license.note.permissive_cloud_ris"])
    assert missing.exception.key == "strategy.rules_cmd.not_found"
    assert missing.exception.params["nearest"] == "license.note.permissive_cloud_risk"
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "r.yaml").write_text(
        "rules:\n  - id: x.y\n    when: {field: market.stag, eq: early}\n"
        "    effect: {score: model.open_core, points: 1}\n"
        "    text: {en: a, zh: b}\n    source: s\n",
        encoding="utf-8",
    )
    checked = _run(["rules", "check", str(broken)])
    assert checked.exit_code == 1
    assert "market.stag" in checked.output and "market.stage" in checked.output
    from osslever.models.strategy.data import builtin_rules_dir

    ok = _run(["rules", "check", str(builtin_rules_dir())])
    assert ok.exit_code == 0


def test_chinese_evidence_names_fields_and_values_not_paths_or_ids():
    """Rule 7 in the assessment: every fact a reason rests on reads "市场阶段 = 成熟期", not
    ``market.stage=mature`` — checked on every example profile against the glossary file."""
    import re

    glossary = yaml.safe_load((PROFILES.parents[1] / "src/osslever/data/glossary.yaml").read_text(encoding="utf-8"))
    checked = 0
    for profile in sorted(PROFILES.glob("*.yaml")):
        doc = json.loads(_run(["assess", str(profile), "--format", "json", "--lang", "zh"]).output)
        md = _run(["assess", str(profile), "--lang", "zh"]).output
        html = _run(["assess", str(profile), "--format", "html", "--lang", "zh"]).output
        evidence = {
            p: v for r in doc["stance"]["reasons"] + doc["stance"]["counter_evidence"] for p, v in r["evidence"].items()
        }
        checked += bool(evidence)
        for m in doc["business_models"]:  # a precondition nobody answered is named, not a path
            assert not any(re.search(r"\b[a-z]+\.[a-z_]+\b", p) for p in m["missing_preconditions"]), m["id"]
        for path, value in evidence.items():
            name = glossary["fields"][path]["zh"]
            for page in (md, html):
                assert f"{path}=" not in page and f"<code>{path}</code>" not in page, (profile.name, path)
                assert name in page, (profile.name, path)
            if isinstance(value, str) and "_" in value:  # an enum id: never in the Chinese evidence
                spans = re.findall(r'<span class="ev">(.*?)</span>', html)
                assert all(value not in s for s in spans), (profile.name, path, value)
    assert checked >= 20  # all the example profiles but the minimal one have reasons
