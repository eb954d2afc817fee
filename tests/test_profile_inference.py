"""The profile inferred from a repository's own files, on small repositories with known answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from osslever.models.profile_inference import infer_profile, profile_yaml
from osslever.models.strategy.profile import validate_profile


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def _repo(root: Path, files: dict[str, str], messages: list[str] | None = None) -> Path:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    _git(root, "add", "-A")
    for message in messages or ["start"]:
        _git(root, "commit", "-q", "--allow-empty", "-m", message)
    return root


COMPOSE = """
services:
  web: {image: acme/app:1}
  worker: {image: acme/app:1}
  db: {image: postgres:16}
  cache: {image: redis:7}
  search: {image: elasticsearch:8.12.0}
"""


def test_a_self_hosted_security_product_with_an_enterprise_edition(tmp_path) -> None:
    root = _repo(
        tmp_path / "bastion",
        {
            "README.md": "# Gatekeeper\n\nAn open-source bastion host and privileged access platform.\n",
            "Dockerfile": "FROM python:3.12\n",
            "docker-compose.yml": COMPOSE,
            "ee/README.md": "Enterprise features\n",
            "CONTRIBUTING.md": "Please sign the CLA (Contributor License Agreement) before we merge.\n",
        },
    )
    out = infer_profile(root)["fields"]
    assert out["product.delivery"]["value"] == ["self_hosted"]
    assert out["product.category"]["value"] == "security"
    assert out["product.enterprise_edition"]["value"] is True and out["product.enterprise_edition"]["evidence"] == [
        "ee/"
    ]
    assert out["project.contributor_agreement"]["value"] == "cla"
    assert out["project.owns_copyright"]["value"] is True
    # Five services, three stateful (postgres, redis, elasticsearch): high.
    assert out["product.operational_complexity"]["value"] == "high"
    assert all(spec["provenance"] == "inferred" for spec in out.values())


def test_a_library_signed_off_by_its_contributors(tmp_path) -> None:
    root = _repo(
        tmp_path / "lib",
        {
            "README.md": "# tinyparse\n\nA small library for parsing dates.\n",
            "package.json": json.dumps({"name": "tinyparse", "description": "A JavaScript library for dates"}),
        },
        messages=["one\n\nSigned-off-by: A <a@example.com>", "two\n\nSigned-off-by: B <b@example.com>", "three"],
    )
    out = infer_profile(root)["fields"]
    assert out["product.delivery"]["value"] == ["library"]
    assert out["product.category"]["value"] == "library"
    assert out["product.enterprise_edition"]["value"] is False
    # Two of three commits signed off (67% ≥ 50%): the DCO is practised.
    assert out["project.contributor_agreement"]["value"] == "dco"
    assert "product.operational_complexity" not in out


def test_model_weights_are_an_ai_model(tmp_path) -> None:
    root = _repo(
        tmp_path / "model",
        {
            "README.md": "# Tiny-7B\n\nA pretrained large language model.\n",
            "model.safetensors": "x",
            "config.json": "{}",
        },
    )
    out = infer_profile(root)["fields"]
    assert out["product.delivery"]["value"] == ["model_weights"]
    assert out["product.category"]["value"] == "ai_model"


def test_measured_fields_come_from_the_report_and_unknowns_are_listed(tmp_path) -> None:
    root = _repo(tmp_path / "p", {"README.md": "hello\n"})
    report = {
        "community": {"contributors_total": 12, "bus_factor_12m": 2},
        "license": {"spdx": "MIT", "files": ["LICENSE"]},
    }
    inferred = infer_profile(root, report=report)
    assert inferred["fields"]["project.contributors"] == {
        "value": 12,
        "provenance": "measured",
        "confidence": 1.0,
        "evidence": ["report: community.contributors_total"],
        "source": "git history",
    }
    assert inferred["fields"]["project.license"]["value"] == "MIT"
    assert "product.buyer" in inferred["unknown"] and "goals.primary" in inferred["unknown"]


def test_the_written_profile_loads_as_a_profile(tmp_path) -> None:
    root = _repo(
        tmp_path / "app",
        {"README.md": "A self-hosted web application.\n", "Dockerfile": "FROM x\n", "compose.yaml": COMPOSE},
    )
    for lang in ("en", "zh"):
        text = profile_yaml(infer_profile(root), "App <script>", lang)
        profile = validate_profile(yaml.safe_load(text), "profile.yaml")
        assert profile["name"] == "App <script>"
        assert profile["product"]["delivery"] == ["self_hosted"]
        assert profile["product"]["operational_complexity"] == "high"
    assert "推断" in text and "请填写" in text


def test_cli_writes_the_profile(tmp_path) -> None:
    from click.testing import CliRunner

    from osslever.cli import cli

    root = _repo(tmp_path / "cli", {"README.md": "An in-memory database.\n", "Dockerfile": "FROM x\n"})
    out = tmp_path / "profile.yaml"
    result = CliRunner().invoke(cli, ["infer", str(root), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    profile = validate_profile(yaml.safe_load(out.read_text()), "profile.yaml")
    assert profile["product"]["category"] == "database"
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    missing = subprocess.run(
        [sys.executable, "-m", "osslever", "infer", str(tmp_path / "nope"), "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_the_profile_is_named_like_the_report_names_the_repository(tmp_path) -> None:
    from click.testing import CliRunner

    from osslever.cli import cli

    work = _repo(tmp_path / "work", {"README.md": "A library.\n"})
    bare = tmp_path / "mirror" / "repo"  # a bare mirror, as fetched or cloned with --bare
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    subprocess.run(
        ["git", f"--git-dir={bare}", "remote", "set-url", "origin", "https://github.com/acme/widget.git"], check=True
    )
    result = CliRunner().invoke(cli, ["infer", str(bare), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["name"] == "widget"  # from the remote, not the folder "repo"


def _history(tmp_path: Path) -> Path:
    """A small history whose numbers are worked out by hand below.

    Ten commits by four people from 2022-03-01 to 2025-06-01, three releases. The report's
    12-month window ends with the month of the last commit: 2024-07 … 2025-06; the year
    before is 2023-07 … 2024-06.
    """
    from tests.gitrepo import RepoBuilder

    b = RepoBuilder(tmp_path / "history")
    alice, bob, carol, dan = (
        ("Alice", "alice@acme-robotics.com"),
        ("Bob", "bob@acme-robotics.com"),
        ("Carol", "carol@beta-analytics.io"),
        ("Dan", "dan@gmail.com"),  # a public mail provider: organization unknown
    )
    b.commit(*alice, "2022-03-01T10:00:00", {"README.md": "# history\n"})  # first commit
    # the year before the window: Alice in 2023-08 and 2023-09, Bob in 2023-10
    b.commit(*alice, "2023-08-01T10:00:00", {"a": "1\n"})
    b.commit(*alice, "2023-09-01T10:00:00", {"a": "2\n"}, label="v1.0.0")
    b.commit(*bob, "2023-10-01T10:00:00", {"b": "1\n"})
    # the window: 2024-08 Alice and Bob, 2024-11 Carol, 2025-02 Alice, 2025-03 Dan, 2025-06 Alice
    b.commit(*alice, "2024-08-01T10:00:00", {"a": "3\n"})
    b.commit(*bob, "2024-08-15T10:00:00", {"b": "2\n"})
    b.commit(*carol, "2024-11-01T10:00:00", {"c": "1\n"}, label="v1.1.0")
    b.commit(*alice, "2025-02-01T10:00:00", {"a": "4\n"})
    b.commit(*dan, "2025-03-01T10:00:00", {"d": "1\n"})
    b.commit(*alice, "2025-06-01T10:00:00", {"a": "5\n"}, label="v1.2.0")
    b.tag("v1.0.0", "2023-09-01T12:00:00", target="v1.0.0")
    b.tag("v1.1.0", "2024-11-01T12:00:00", target="v1.1.0")
    b.tag("v1.2.0", "2025-06-01T12:00:00", target="v1.2.0")
    return b.build()


def test_measured_fields_from_the_report_of_a_small_history(tmp_path) -> None:
    from click.testing import CliRunner

    from osslever.cli import cli

    repo = _history(tmp_path)
    report_file = tmp_path / "report.json"
    runner = CliRunner()
    made = runner.invoke(
        cli, ["report", str(repo), "--format", "json", "-o", str(report_file), "--db", str(tmp_path / "s.db"), "-q"]
    )
    assert made.exit_code == 0, made.output
    report = json.loads(report_file.read_text())
    fields = infer_profile(repo, report=report)["fields"]
    value = {path: spec["value"] for path, spec in fields.items() if spec["provenance"] == "measured"}

    # Community size: four people; all four committed in the window.
    assert value["project.contributors"] == 4
    assert value["project.active_contributors"] == 4
    # Copyright concentration (commits, the report has no blame): Alice made 6 of the 10 commits.
    assert value["observed.top_author_commit_share"] == 0.6
    assert "no blame" in fields["observed.top_author_commit_share"]["source"]
    # Vendor dependence: of the window's 6 commits, Dan's 1 has no known organization; of the
    # 5 known, acme-robotics made 4 (Alice 3, Bob 1): 4/5 = 0.8, known for 5/6 = 83% of them.
    assert value["community.top_org_share_12m"] == 0.8
    assert fields["community.top_org_share_12m"]["confidence"] == 0.83
    assert value["community.organizations_12m"] == 2  # acme-robotics and beta-analytics
    # Growth: monthly active contributors in the window 2+1+1+1+1 = 6 over 12 months = 0.5;
    # the year before 1+1+1 = 3 → 0.25; growth 0.5 / 0.25 - 1 = +100%.
    assert value["observed.monthly_active_contributors_growth_yoy"] == 1.0
    # New in the window: Carol and Dan (Bob first came in 2023-10).
    assert value["community.new_contributors_12m"] == 2
    # Age: 2022-03-01 → 2025-06-01 is 365 + 365 + 366 + 31 + 30 + 31 = 1188 days = 3.25 years.
    assert value["community.age_years"] == 3.25
    # Release rhythm: v1.1.0 (2024-11-01) and v1.2.0 (2025-06-01) fall in the window; the gaps
    # that end in it are 427 days (2023-09-01 → 2024-11-01) and 212 days (→ 2025-06-01), median 319.5.
    assert value["observed.releases_per_year"] == 2
    assert value["observed.median_days_between_releases_12m"] == 319.5
    assert value["observed.last_release_date"] == "2025-06-01"

    # The CLI takes the same report; the measured facts that are not profile fields are comments,
    # and the profile still loads.
    out = tmp_path / "profile.yaml"
    result = runner.invoke(cli, ["infer", str(repo), "--report", str(report_file), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    profile = validate_profile(yaml.safe_load(text), "profile.yaml")
    assert profile["project"]["contributors"] == 4 and profile["project"]["active_contributors"] == 4
    assert "# observed.top_author_commit_share: 0.6  # measured" in text
    assert "# community.top_org_share_12m: 0.8  # measured" in text


def test_growth_needs_the_year_before_in_the_history(tmp_path) -> None:
    from osslever.models.profile_inference import measured_fields

    # first commit 2024-03: the year before the 2024-07 … 2025-06 window is only partly history
    months = [{"month": f"2024-{m:02d}", "active_contributors": 1} for m in range(3, 13)]
    report = {
        "community": {
            "commits_total": 10,
            "first_commit": "2024-03-05",
            "window_12m": {"start": "2024-07-01", "end": "2025-06-30"},
            "monthly": months,
        }
    }
    assert "observed.monthly_active_contributors_growth_yoy" not in measured_fields(report)
    # First commit 2023-07: the year before is covered. Three people in 2023-07 and none until
    # 2024-07, then one a month to 2024-12: before 3/12 = 0.25, now 6/12 = 0.5, growth +100%.
    report["community"]["first_commit"] = "2023-07-20"
    report["community"]["monthly"] = [{"month": "2023-07", "active_contributors": 3}] + [
        {"month": f"2024-{m:02d}", "active_contributors": 1} for m in range(7, 13)
    ]
    assert measured_fields(report)["observed.monthly_active_contributors_growth_yoy"]["value"] == 1.0


def test_a_file_that_is_not_a_report_is_a_user_error(tmp_path) -> None:
    import os
    import sys

    root = _repo(tmp_path / "r", {"README.md": "A library.\n"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for name, text in (("broken.json", "{not json"), ("other.json", '{"community": {"commits_total": "many"}}')):
        bad = tmp_path / name
        bad.write_text(text)
        result = subprocess.run(
            [sys.executable, "-m", "osslever", "infer", str(root), "--report", str(bad), "--lang", "en"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert f"{bad} is not a report document" in result.stderr and "Traceback" not in result.stderr


def test_a_file_name_with_a_line_break_stays_inside_its_comment(tmp_path) -> None:
    # git allows a line break in a path; the evidence naming it must not start a YAML key
    root = _repo(tmp_path / "odd", {"README.md": "A library.\n", "cla/x\nname: evil": "sign\n"})
    text = profile_yaml(infer_profile(root), "odd", "en")
    loaded = yaml.safe_load(text)
    assert loaded["name"] == "odd" and loaded["project"]["contributor_agreement"] == "cla"
    assert "evil" not in loaded


def test_the_topics_a_manifest_declares(tmp_path) -> None:
    # No category word in the README: only the registries' categories speak.
    cargo = '[package]\nname = "seek"\ncategories = ["command-line-utilities"]\nkeywords = ["search"]\n'
    root = _repo(tmp_path / "rs", {"README.md": "# seek\n\nFinds things.\n", "Cargo.toml": cargo})
    out = infer_profile(root)["fields"]["product.category"]
    assert out["value"] == "devtool" and out["evidence"] == ["cargo.toml: command-line-utilities"]

    pyproject = (
        '[project]\nname = "kv"\nclassifiers = [\n  "Programming Language :: Python",\n'
        '  "Topic :: Database :: Database Engines/Servers",\n]\n'
    )
    root = _repo(tmp_path / "py", {"README.md": "# kv\n\nStores things.\n", "pyproject.toml": pyproject})
    out = infer_profile(root)["fields"]["product.category"]
    assert out["value"] == "database"
    assert out["evidence"] == ["pyproject.toml: Topic :: Database :: Database Engines/Servers"]

    # npm keywords are read with the category words ("key-value" is a database word).
    package = json.dumps({"name": "kvjs", "keywords": ["key-value", "store"]})
    root = _repo(tmp_path / "js", {"README.md": "# kvjs\n\nStores things.\n", "package.json": package})
    assert infer_profile(root)["fields"]["product.category"]["value"] == "database"


def test_links_to_model_pages_mean_model_weights(tmp_path) -> None:
    two = (
        "# Tiny\n\n| size | chat |\n|---|---|\n| 1B | [🤗](https://huggingface.co/acme/tiny-1b-chat) |\n"
        '| 7B | <a href="https://modelscope.cn/models/acme/tiny-7b-chat/summary">🤖</a> |\n'
    )
    root = _repo(tmp_path / "m", {"README.md": two, "Dockerfile": "FROM x\n"})
    delivery = infer_profile(root)["fields"]["product.delivery"]
    assert delivery["value"] == ["self_hosted", "model_weights"]
    assert "README: huggingface.co/acme/tiny-1b-chat" in delivery["evidence"]
    # One link, or links to the hub's documentation and datasets, are no model of one's own.
    others = (
        "# Lib\n\nSee [the docs](https://huggingface.co/docs/transformers/index), "
        "[a dataset](https://huggingface.co/datasets/acme/set) and [a model](https://huggingface.co/acme/one).\n"
    )
    root = _repo(tmp_path / "l", {"README.md": others, "Dockerfile": "FROM x\n"})
    assert infer_profile(root)["fields"]["product.delivery"]["value"] == ["self_hosted"]


def test_the_readme_a_visitor_sees_and_the_sentence_that_says_what_it_is(tmp_path) -> None:
    readme = (
        "# kvd\n\nThanks to our sponsors: a self-hosted dashboard company.\n\n"  # not the introduction
        "[Docs](https://x) · [Cloud](https://y) · kvd is a fast key-value database.\n\n"
        "kvd is a fast key-value database written in C.\n"
    )
    root = _repo(
        tmp_path / "kvd",
        {"README.md": readme, "README.cn.md": "# kvd\n\n一个基于浏览器的面板应用。\n"},  # sorts first
    )
    out = infer_profile(root)["fields"]["product.category"]
    # README.md, not the translation (面板, 应用 would make it an application). Its one
    # self-description (the link line is no sentence) gives database and key-value 5 points
    # each = 10; the sponsors' self-hosted and dashboard are body words, 1 point each = 2.
    # Confidence 0.4 + 0.5 × (10 − 2) / 10 = 0.8.
    assert out["value"] == "database" and out["evidence"][:2] == ["database", "key-value"]
    assert out["confidence"] == 0.8


def test_a_word_far_down_is_only_a_guess(tmp_path) -> None:
    body = "# tool\n\n" + "Some text.\n" * 100 + "Set a proxy with HTTPS_PROXY.\n"
    out = infer_profile(_repo(tmp_path / "t", {"README.md": body}))["fields"]["product.category"]
    # one body word (1 point) and nothing else: shown, but not with 0.9
    assert out["value"] == "infrastructure" and out["confidence"] == 0.4


def test_tests_examples_and_tool_folders_do_not_say_how_it_ships(tmp_path) -> None:
    root = _repo(
        tmp_path / "lib",
        {
            "README.md": "# lib\n\nA small library.\n",
            "pyproject.toml": '[project]\nname = "lib"\n',
            "tests/testdata/chart/Chart.yaml": "name: x\n",
            "examples/web/Dockerfile": "FROM x\n",
            ".devcontainer/Dockerfile": "FROM x\n",
        },
    )
    assert infer_profile(root)["fields"]["product.delivery"]["value"] == ["library"]
    # the same files outside those folders do
    root = _repo(tmp_path / "app", {"README.md": "# app\n", "deploy/chart/Chart.yaml": "name: x\n"})
    assert infer_profile(root)["fields"]["product.delivery"]["value"] == ["self_hosted"]


def test_a_chinese_knowledge_base_is_no_library(tmp_path) -> None:
    # 知识库 (knowledge base) holds 库, which is no word of the library category
    readme = (
        "# Site\n\nSite 是一款开源建站工具，从个人博客、知识库到企业官网。\n\n" + "更多说明。\n" * 200 + "管理面板\n"
    )
    out = infer_profile(_repo(tmp_path / "zh", {"README.md": readme}))["fields"]["product.category"]
    # only 面板 (application, in the body: 1 point) is a category word
    assert out["value"] == "application" and out["evidence"] == ["面板"] and out["confidence"] == 0.4


def test_an_agreement_far_down_a_long_contributing_guide(tmp_path) -> None:
    guide = "# Contributing\n\n" + "Run the tests before you open a pull request.\n" * 1000
    guide += "\n## CLA\n\nYou need to agree to the Contributor License Agreement.\n"
    assert len(guide) > 40_000
    root = _repo(tmp_path / "c", {"README.md": "x\n", "CONTRIBUTING.md": guide})
    out = infer_profile(root)["fields"]["project.contributor_agreement"]
    assert out["value"] == "cla" and out["evidence"] == ["contributor license agreement"]
