"""The commands as a user runs them: JSON contract, views, SBOM files, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from osslever.models.license import textindex
from tests.license_helpers import commit_all, init_repo, license_text

ROOT = Path(__file__).resolve().parents[1]


_HOME: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def cli_home(tmp_path_factory) -> Path:
    """One osslever home for every command of this module, with the license index
    already saved in it, so each subprocess loads the index instead of building it."""
    home = tmp_path_factory.mktemp("cli-home")
    textindex._save(textindex.get_index(), home / "cache" / textindex._cache_file().name)
    _HOME[:] = [home]
    return home


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OSSLEVER_LANG": "en",
        "OSSLEVER_HOME": str(_HOME[0]),
        "HOME": os.environ.get("HOME", "/tmp"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "osslever", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    repo = init_repo(tmp_path_factory.mktemp("cli") / "proj")
    (repo / "LICENSE").write_text(license_text("apache-2.0"))
    (repo / "package.json").write_text(json.dumps({"name": "p", "license": "Apache-2.0"}))
    (repo / "package-lock.json").write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": "p"},
                    "node_modules/gpl-lib": {"version": "1.0.0", "license": "GPL-2.0-only"},
                    "node_modules/@scope/ok": {"version": "2.0.0", "license": "MIT"},
                },
            }
        )
    )
    commit_all(repo, "init", "2024-01-01T00:00:00+00:00")
    return repo


def test_json_follows_the_contract(project: Path) -> None:
    out = run("license", str(project), "--format", "json", "--lang", "zh")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["schema_version"] == 1
    assert (doc["license"]["spdx"], doc["license"]["files"][0]) == ("Apache-2.0", "LICENSE")
    assert 0.9 <= doc["license"]["confidence"] <= 1.0
    assert doc["history"][0]["from"] == "NONE" and doc["history"][0]["to"] == "Apache-2.0"
    assert doc["history"][0]["date"] == "2024-01-01" and len(doc["history"][0]["commit"]) == 40
    dep = next(d for d in doc["dependencies"] if d["name"] == "gpl-lib")
    assert {k: dep[k] for k in ("ecosystem", "name", "version", "license", "source")} == {
        "ecosystem": "npm",
        "name": "gpl-lib",
        "version": "1.0.0",
        "license": "GPL-2.0-only",
        "source": "lockfile",
    }
    modes = {c["mode"] for c in doc["conflicts"] if c["dependency"] == "npm:gpl-lib@1.0.0"}
    assert modes == {"distributed-closed", "binaries"}  # Apache-2.0 work ← GPL-2.0: OSADL "No"
    assert all(isinstance(c["reason"], str) for c in doc["conflicts"])
    rules = {i["rule"]: i for i in doc["implications"]}
    assert "license.permissive_cloud_risk" in rules
    assert isinstance(rules["license.permissive_cloud_risk"]["text"], str)
    assert "云" in rules["license.permissive_cloud_risk"]["text"]


def test_table_and_markdown_views(project: Path, tmp_path: Path) -> None:
    table = run("license", str(project), "--lang", "en")
    assert table.returncode == 0, table.stderr
    assert "Apache-2.0" in table.stdout and "gpl-lib" in table.stdout
    target = tmp_path / "report.md"
    md = run("license", str(project), "--format", "md", "--lang", "zh", "-o", str(target))
    assert md.returncode == 0, md.stderr
    text = target.read_text()
    assert text.startswith("# ") and "| npm | gpl-lib | 1.0.0 | GPL-2.0-only | 锁文件 |" in text
    assert "## 冲突" in text
    # Chinese prose names the ways of shipping, the sources and "no license" (rule 7):
    # the JSON's conflicts for gpl-lib are in the two shipping modes (test above)
    assert "| 随闭源产品分发 |" in text and "| 以二进制分发 |" in text
    assert "| 无 → Apache-2.0 |" in text
    for english_id in ("distributed-closed", "binaries", "lockfile", "NONE"):
        assert english_id not in text, english_id
    table_zh = run("license", str(project), "--lang", "zh").stdout
    assert "类别: 宽松型" in table_zh and "Permissive" not in table_zh


def test_sbom_spdx_and_cyclonedx(project: Path, tmp_path: Path) -> None:
    spdx_file, cdx_file = tmp_path / "s.json", tmp_path / "c.json"
    assert run("sbom", str(project), "--format", "spdx-json", "-o", str(spdx_file)).returncode == 0
    assert run("sbom", str(project), "--format", "cyclonedx-json", "-o", str(cdx_file)).returncode == 0
    spdx_doc = json.loads(spdx_file.read_text())
    assert spdx_doc["spdxVersion"] == "SPDX-2.3"
    declared = {p["name"]: p["licenseDeclared"] for p in spdx_doc["packages"]}
    assert declared == {"proj": "Apache-2.0", "gpl-lib": "GPL-2.0-only", "@scope/ok": "MIT"}
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    assert validate_full_spdx_document(parse_file(str(spdx_file))) == []
    cdx = json.loads(cdx_file.read_text())
    assert (cdx["bomFormat"], cdx["specVersion"]) == ("CycloneDX", "1.6")
    purls = sorted(c["purl"] for c in cdx["components"])
    assert purls == ["pkg:npm/%40scope/ok@2.0.0", "pkg:npm/gpl-lib@1.0.0"]


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    out = run("license", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "does not exist" in out.stderr
    assert "Traceback" not in out.stderr


def test_report_and_license_agree_on_the_checkout_s_installed_packages(tmp_path: Path) -> None:
    """The report reads the commit from git, ``license`` the work tree; both look up the
    packages installed in the checkout's ``.venv`` (untracked, as a virtualenv is), so
    the same dependency has the same license in both — not "unknown" in the report."""
    repo = init_repo(tmp_path / "proj")
    (repo / "LICENSE").write_text(license_text("mit"))
    (repo / "requirements.txt").write_text("flask==3.0.0\n")
    commit_all(repo, "init", "2024-01-01T00:00:00+00:00")
    info = repo / ".venv" / "lib" / "python3.11" / "site-packages" / "Flask-3.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\nClassifier: License :: OSI Approved :: BSD License\n"
    )
    lic = run("license", str(repo), "--format", "json")
    assert lic.returncode == 0, lic.stderr
    flask = [d for d in json.loads(lic.stdout)["dependencies"] if d["name"] == "flask"]
    assert [(d["license"], d["source"]) for d in flask] == [("BSD-3-Clause", "installed")]
    rep = run("report", str(repo), "--db", str(tmp_path / "s.duckdb"), "-q")
    assert rep.returncode == 0, rep.stderr
    check = json.loads(rep.stdout)["license"]["dependency_check"]
    assert (check["total"], check["known"], check["unknown"]) == (1, 1, 0)
