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
