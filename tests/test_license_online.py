"""``--online`` lookups against a fake registry on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from osslever.models.license import license_document

ANSWERS = {
    "/pypi/requests/2.31.0/json": {"info": {"license": "Apache 2.0", "classifiers": []}},
    "/pypi/attrs/23.2.0/json": {"info": {"license_expression": "MIT", "license": ""}},
    "/pypi/oldpkg/1.0/json": {
        "info": {
            "license": "UNKNOWN",
            "classifiers": ["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"],
        }
    },
    "/lodash/4.17.21": {"name": "lodash", "version": "4.17.21", "license": "MIT"},
    "/api/v1/crates/serde/1.0.195": {"version": {"license": "MIT OR Apache-2.0"}},
    "/v3/systems/go/packages/github.com%2Fspf13%2Fcobra/versions/v1.8.0": {"licenses": ["Apache-2.0"]},
    "/v3/systems/maven/packages/com.google.guava%3Aguava/versions/33.0.0-jre": {"licenses": ["Apache-2.0"]},
}


class _Registry(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits.append(self.path)
        if self.path.startswith("/pypi/broken/"):
            self.send_response(500)
            self.end_headers()
            return
        body = ANSWERS.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def registry():
    _Registry.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"pypi": base, "npm": base, "crates": base, "depsdev": base}
    server.shutdown()
    server.server_close()


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "requirements.txt").write_text("requests==2.31.0\nattrs==23.2.0\noldpkg==1.0\nbroken==0.1\nmissing==9.9\n")
    (root / "yarn.lock").write_text('lodash@^4.17.21:\n  version "4.17.21"\n')
    (root / "Cargo.lock").write_text('[[package]]\nname = "serde"\nversion = "1.0.195"\nsource = "registry+x"\n')
    (root / "go.mod").write_text("module x\nrequire github.com/spf13/cobra v1.8.0\n")
    (root / "pom.xml").write_text(
        "<project><dependencies><dependency><groupId>com.google.guava</groupId>"
        "<artifactId>guava</artifactId><version>33.0.0-jre</version></dependency>"
        "</dependencies></project>"
    )
    return root


def test_online_lookups_fill_licenses_and_are_cached(tmp_path, registry, monkeypatch) -> None:
    monkeypatch.setenv("OSSLEVER_HOME", str(tmp_path / "home"))
    project = _project(tmp_path / "p")
    doc = license_document(project, online=True, registry_urls=registry)
    found = {d["name"]: (d["license"], d["source"]) for d in doc["dependencies"]}
    assert found == {
        "requests": ("Apache-2.0", "registry"),
        "attrs": ("MIT", "registry"),
        "oldpkg": ("GPL-3.0-only", "registry"),
        "broken": (None, "manifest"),
        "missing": (None, "manifest"),
        "lodash": ("MIT", "registry"),
        "serde": ("MIT OR Apache-2.0", "registry"),
        "github.com/spf13/cobra": ("Apache-2.0", "registry"),
        "com.google.guava:guava": ("Apache-2.0", "registry"),
    }
    failed = [p for p in doc["problems"] if p["key"] == "license.registry.failed"]
    assert [p["params"]["name"] for p in failed] == ["broken"]
    first = len(_Registry.hits)
    assert first == 9
    again = license_document(project, online=True, registry_urls=registry)
    assert {d["name"]: d["license"] for d in again["dependencies"]} == {k: v[0] for k, v in found.items()}
    assert len(_Registry.hits) == first + 1  # only the failed lookup is retried


def test_offline_by_default_sends_nothing(tmp_path, registry, monkeypatch) -> None:
    monkeypatch.setenv("OSSLEVER_HOME", str(tmp_path / "home"))
    doc = license_document(_project(tmp_path / "p"), registry_urls=registry)
    assert _Registry.hits == []
    assert all(d["license"] is None for d in doc["dependencies"])
