"""License facts a founder reads first, each checked against a hand-known answer.

Every case here failed before issue 11: the Redis 2024 notice read as AND, a first
license counted as a relicensing, "no conflicts" printed when nothing could be
checked, development tools judged as shipped code, sub-folders under the root's own
license listed as "another license", and one failing registry stopping every other.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from osslever.models.license import license_document, spdx
from osslever.models.license.detect import detect_license
from osslever.models.license.history import change_kind
from osslever.models.strategy.evidence import evidence_from_documents
from osslever.outputs.license_render import render_markdown, render_table
from tests.license_helpers import commit_all, init_repo, license_text

# The opening words of Redis's LICENSE.txt (redis/redis, 7.4, March 2024), followed in
# the real file by the full RSALv2 and SSPLv1 texts.
REDIS_PREAMBLE = """Starting on March 20th, 2024, Redis follows a dual-licensing model with all Redis project code
contributions under version 7.4 and subsequent releases governed by the Redis Software Grant and
Contributor License Agreement. After this date, contributions are subject to the user's choice of
the Redis Source Available License v2 (RSALv2) or the Server Side Public License v1 (SSPLv1), as
follows:

1. Redis Source Available License 2.0 (RSALv2) Agreement
========================================================

"""


def _redis_like(root: Path) -> Path:
    root.mkdir()
    text = (
        REDIS_PREAMBLE
        + license_text("rsalv2")
        + "\n\n2. Server Side Public License v1 (SSPL)\n====================\n\n"
        + license_text("mongodb-sspl-1.0")
    )
    (root / "LICENSE.txt").write_text(text)
    return root


def test_a_choice_between_two_licenses_is_or(tmp_path) -> None:
    found = detect_license(_redis_like(tmp_path / "redis"))
    assert " OR " in found["spdx"] and " AND " not in found["spdx"]
    assert set(spdx.license_ids(found["spdx"])) == {"SSPL-1.0", "LicenseRef-scancode-rsalv2"}
    combination = found["details"][0]["combination"]
    assert combination["operator"] == "OR"
    assert combination["phrase"]  # the words that offered the choice are shown


def test_two_texts_without_words_of_choice_stay_cumulative(tmp_path) -> None:
    root = tmp_path / "both"
    root.mkdir()
    (root / "LICENSE").write_text(license_text("mit") + "\n\n" + license_text("gpl-3.0"))
    found = detect_license(root)
    assert found["spdx"] == "MIT AND GPL-3.0-only"
    assert found["details"][0]["combination"] == {"operator": "AND", "phrase": None}


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("NONE", "MIT", "first_license"),
        ("MIT", "NONE", "removed"),
        ("Apache-2.0", "BUSL-1.1", "relicensing"),
        ("SSPL-1.0 AND LicenseRef-x", "LicenseRef-x OR SSPL-1.0", "restated"),
        ("NOASSERTION", "MIT", "uncertain"),
    ],
)
def test_change_kinds(before: str, after: str, kind: str) -> None:
    assert change_kind(before, after) == kind


def test_a_first_license_is_not_a_relicensing(tmp_path) -> None:
    repo = init_repo(tmp_path / "young")
    (repo / "main.py").write_text("print('hi')\n")
    commit_all(repo, "start", "2024-01-01T00:00:00Z")
    (repo / "LICENSE").write_text(license_text("mit"))
    commit_all(repo, "add a license", "2024-02-01T00:00:00Z")
    doc = license_document(repo)
    assert [(e["from"], e["to"], e["kind"]) for e in doc["history"]] == [("NONE", "MIT", "first_license")]
    assert "license.relicensed" not in {i["rule"] for i in doc["implications"]}
    evidence = evidence_from_documents(license=doc)
    assert evidence["license.relicensed"]["value"] is False


def test_a_real_relicensing_is_one(tmp_path) -> None:
    repo = init_repo(tmp_path / "moved")
    (repo / "LICENSE").write_text(license_text("apache-2.0"))
    commit_all(repo, "apache", "2020-01-01T00:00:00Z")
    (repo / "LICENSE").write_text(license_text("mongodb-sspl-1.0"))
    commit_all(repo, "sspl", "2021-01-01T00:00:00Z")
    doc = license_document(repo)
    assert [e["kind"] for e in doc["history"]] == ["first_license", "relicensing"]
    assert "license.relicensed" in {i["rule"] for i in doc["implications"]}
    assert evidence_from_documents(license=doc)["license.relicensed"]["value"] is True


def test_unknown_dependency_licenses_are_not_checked(tmp_path) -> None:
    root = tmp_path / "offline"
    root.mkdir()
    (root / "LICENSE").write_text(license_text("mit"))
    (root / "requirements.txt").write_text("nosuchpkg-osslever-a==1.0\nnosuchpkg-osslever-b==2.0\n")
    doc = license_document(root, lang="en")
    check = doc["dependency_check"]
    assert (check["status"], check["shipped"], check["known"], check["conflicts"]) == ("not_checked", 2, 0, 0)
    assert "not checked" in check["text"]
    assert "no conflicts" not in render_table(doc, "en")
    assert "not checked" in render_markdown(doc, "en")
    zh = license_document(root, lang="zh")
    assert "未检查" in zh["dependency_check"]["text"]
    # Nothing was measured, so the strategy gets no conflict count either.
    assert "license.conflict_count" not in evidence_from_documents(license=license_document(root))


def _npm_project(root: Path) -> Path:
    root.mkdir()
    (root / "LICENSE").write_text(license_text("mit"))
    (root / "package.json").write_text(
        json.dumps(
            {
                "name": "app",
                "license": "MIT",
                "dependencies": {"shipped-gpl": "1.0.0"},
                "devDependencies": {"test-gpl": "2.0.0", "build-gpl": "3.0.0"},
            }
        )
    )
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"shipped-gpl": "1.0.0"}, "devDependencies": {"test-gpl": "2.0.0"}},
            "node_modules/shipped-gpl": {"version": "1.0.0", "license": "GPL-3.0-only"},
            "node_modules/test-gpl": {"version": "2.0.0", "license": "GPL-3.0-only", "dev": True},
            "node_modules/helper-of-test": {"version": "0.1.0", "license": "AGPL-3.0-only", "dev": True},
        },
    }
    (root / "package-lock.json").write_text(json.dumps(lock))
    return root


def test_development_dependencies_are_not_distribution_conflicts(tmp_path) -> None:
    doc = license_document(_npm_project(tmp_path / "npm"))
    scopes = {d["name"]: d["scope"] for d in doc["dependencies"]}
    assert scopes == {
        "shipped-gpl": "runtime",
        "test-gpl": "development",
        "helper-of-test": "development",
        "build-gpl": "development",  # only in package.json: its section says so
    }
    conflicting = {c["dependency"].split(":")[1].split("@")[0] for c in doc["conflicts"]}
    assert conflicting == {"shipped-gpl"}  # GPL in a closed product: the one real conflict
    assert doc["dependency_check"]["not_shipped"] == 3


def test_scopes_from_cargo_maven_and_python(tmp_path) -> None:
    root = tmp_path / "poly"
    root.mkdir()
    (root / "Cargo.toml").write_text(
        '[package]\nname = "x"\nversion = "0.1.0"\n'
        '[dependencies]\nserde = "1"\nfancy = { version = "1", optional = true }\n'
        '[dev-dependencies]\ncriterion = "0.5"\n[build-dependencies]\ncc = "1"\n'
    )
    (root / "pom.xml").write_text(
        "<project><dependencies>"
        "<dependency><groupId>g</groupId><artifactId>core</artifactId><version>1</version></dependency>"
        "<dependency><groupId>g</groupId><artifactId>junit</artifactId><version>4</version><scope>test</scope>"
        "</dependency>"
        "<dependency><groupId>g</groupId><artifactId>servlet</artifactId><version>3</version>"
        "<scope>provided</scope></dependency>"
        "</dependencies></project>"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["httpx"]\n'
        '[project.optional-dependencies]\nfast = ["orjson"]\ntest = ["pytest"]\n'
        '[dependency-groups]\nlint = ["ruff"]\n'
    )
    (root / "requirements-dev.txt").write_text("black==24.1.0\n")
    doc = license_document(root)
    scopes = {d["name"]: d["scope"] for d in doc["dependencies"]}
    assert scopes == {
        "serde": "runtime",
        "fancy": "optional",
        "criterion": "development",
        "cc": "build",
        "g:core": "runtime",
        "g:junit": "development",
        "g:servlet": "build",
        "httpx": "runtime",
        "orjson": "optional",
        "pytest": "development",
        "ruff": "development",
        "black": "development",
    }


def test_only_folders_under_another_license_are_listed(tmp_path) -> None:
    root = tmp_path / "core"
    (root / "ee").mkdir(parents=True)
    (root / "packages" / "ui").mkdir(parents=True)
    (root / "LICENSE").write_text(license_text("mit"))
    (root / "packages" / "ui" / "LICENSE").write_text(license_text("mit"))
    (root / "ee" / "LICENSE").write_text(license_text("mongodb-sspl-1.0"))
    found = detect_license(root)
    assert [s["path"] for s in found["scoped"]] == ["ee"]


class _HalfDown(BaseHTTPRequestHandler):
    """npm answers 500 to everything; PyPI answers."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits.append(self.path)
        if self.path.startswith("/pypi/"):
            data = json.dumps({"info": {"license_expression": "MIT"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_one_registry_down_does_not_stop_the_others(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OSSLEVER_HOME", str(tmp_path / "home"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HalfDown)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        root = tmp_path / "mixed"
        root.mkdir()
        npm = {f"npm-pkg-{i}": "1.0.0" for i in range(8)}
        (root / "package.json").write_text(json.dumps({"name": "m", "dependencies": npm}))
        # PyPI packages sort after npm ones, so they are asked for after npm has failed.
        (root / "requirements.txt").write_text("".join(f"py-pkg-{i}==1.0\n" for i in range(3)))
        _HalfDown.hits = []
        doc = license_document(root, online=True, registry_urls={"pypi": base, "npm": base})
    finally:
        server.shutdown()
        server.server_close()
    licenses = {d["name"]: d["license"] for d in doc["dependencies"]}
    assert all(licenses[f"py-pkg-{i}"] == "MIT" for i in range(3))
    npm_hits = [h for h in _HalfDown.hits if not h.startswith("/pypi/")]
    assert len(npm_hits) == 5  # the failure budget of one registry
    gave_up = [p for p in doc["problems"] if p["key"] == "license.registry.gave_up"]
    assert [(p["params"]["registry"], p["params"]["count"]) for p in gave_up] == [("npm", "3")]
