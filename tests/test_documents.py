"""The typed documents: every document the CLI prints fits its type and its generated schema.

The documents are produced by the real commands on small inputs (a repository built
with ``git fast-import``, the shared GH Archive sample, a billing file, the example
profiles and scenario). Two independent checks: ``msgspec`` strict conversion to the
type, and the ``jsonschema`` package validating the committed schema file. The typed
document converted back must equal the original, so no key is ever dropped or
invented by the type.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import msgspec
import pytest
from click.testing import CliRunner

from osslever import documents
from osslever.cli import cli
from osslever.documents.__main__ import DEFAULT_FOLDER, render, stale
from tests.events_fixtures import SHARED
from tests.finance_helpers import billing_csv
from tests.gitrepo import RepoBuilder
from tests.license_helpers import commit_all, init_repo, license_text

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "examples" / "profiles"
SLUG = "kubernetes/kubernetes.github.io"  # a repository of the shared GH Archive sample


def _invoke(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> dict[str, list[dict]]:
    """kind → documents printed by the CLI commands on small, varied inputs."""
    root = tmp_path_factory.mktemp("documents")
    out: dict[str, list[dict]] = {k: [] for k in documents.KINDS}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSSLEVER_HOME", str(root / "home"))
        mp.delenv("OSSLEVER_DB", raising=False)
        mp.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        # A git history with a license, a tag, two organisations and a bot; its origin names
        # a repository of the GH Archive sample, so the report carries an events section.
        builder = RepoBuilder(root / "repo")
        mit = license_text("mit")
        builder.commit("A", "a@example.org", "2025-01-01T00:00:00", {"LICENSE": mit})
        builder.commit("B", "b@corp.example", "2025-02-01T00:00:00", {"x": "x\n"})
        builder.tag("v1", "2025-02-02T00:00:00")
        builder.commit("dependabot[bot]", "bot@users.noreply.github.com", "2025-03-01T00:00:00", {"y": "y\n"})
        repo = builder.build()
        empty = RepoBuilder(root / "empty-history")
        empty.commit("A", "a@example.org", "2025-01-01T00:00:00", {"a": "a\n"})
        one_commit = empty.build()
        events_db = str(root / "events.duckdb")
        result = CliRunner().invoke(cli, ["ingest", "gharchive", str(SHARED), "--db", events_db, "--workers", "1"])
        assert result.exit_code == 0, result.output
        out["metrics"].append(_invoke(["metrics", SLUG, "--period", "2016-07", "--format", "json", "--db", events_db]))
        out["metrics"].append(_invoke(["metrics", SLUG, "--period", "2016", "--format", "json", "--db", events_db]))
        out["metrics"].append(_invoke(["metrics", SLUG, "--period", "2016-08", "--format", "json", "--db", events_db]))
        for args in (["--top", "3"], ["--by", "activity", "--period", "2016"], ["--period", "2019-01"]):
            out["rank"].append(_invoke(["rank", *args, "--format", "json", "--db", events_db, "-q"]))
        assert out["rank"][0]["computed"] and not out["rank"][2]["items"] and out["rank"][2]["notes"]
        out["report"].append(_invoke(["report", str(repo), "--format", "json", "--db", str(root / "r.duckdb"), "-q"]))
        out["report"].append(
            _invoke(["report", str(one_commit), "--format", "json", "--db", str(root / "r.duckdb"), "-q"])
        )
        subprocess.run(
            ["git", "-C", str(repo), "remote", "add", "origin", f"https://github.com/{SLUG}.git"], check=True
        )
        out["report"].append(
            _invoke(["report", str(repo), "--format", "json", "--db", events_db, "-q", "--lang", "zh"])
        )
        assert "events" in out["report"][-1]
        # The dossier of the same repository: events measured (a stars funnel), in both languages.
        for lang in ("en", "zh"):
            out["dossier"].append(
                _invoke(["dossier", str(repo), "--format", "json", "--db", events_db, "-q", "--lang", lang])
            )
        assert out["dossier"][0]["documents"]["events"] is not None
        # A project with a dependency whose license conflicts with the project's.
        project = init_repo(root / "proj")
        (project / "LICENSE").write_text(license_text("apache-2.0"))
        (project / "package.json").write_text(json.dumps({"name": "p", "license": "Apache-2.0"}))
        lock = {
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "p"},
                "node_modules/gpl-lib": {"version": "1.0.0", "license": "GPL-2.0-only"},
                "node_modules/@scope/ok": {"version": "2.0.0", "license": "MIT"},
            },
        }
        (project / "package-lock.json").write_text(json.dumps(lock))
        commit_all(project, "init", "2024-01-01T00:00:00+00:00")
        for lang in ("en", "zh"):
            out["license"].append(_invoke(["license", str(project), "--format", "json", "--lang", lang]))
        out["license"].append(_invoke(["license", str(repo), "--format", "json", "--lang", "en"]))
        out["report"].append(
            _invoke(["report", str(project), "--format", "json", "--db", str(root / "p.duckdb"), "-q"])
        )
        for profile in sorted(PROFILES.glob("*.yaml")):
            out["assess"].append(_invoke(["assess", str(profile), "--format", "json", "--lang", "zh"]))
        out["assess"].append(
            _invoke(["assess", str(PROFILES / "mysql.yaml"), "--repo", str(repo), "--format", "json", "--lang", "en"])
        )
        billing = billing_csv(
            root,
            [
                "A,s1,p,2023-01-01,,100,USD,month,1",
                "B,s2,p,2023-02-01,2023-09-01,50,USD,month,1",
                "C,s3,p,2023-03-01,,1200000,USD,year,1",
                "D,d1,p,2023-04-01,,-3,USD,month,1",
            ],
        )
        for as_of in ("2023-01", "2024-03"):
            out["finance-metrics"].append(
                _invoke(["finance", "metrics", str(billing), "--as-of", as_of, "--format", "json", "--skip-bad-rows"])
            )
        scenario = ROOT / "examples" / "scenario.yaml"
        out["forecast"].append(_invoke(["forecast", str(scenario), "--paths", "50", "--seed", "5", "--format", "json"]))
    return out


def test_the_committed_schemas_are_the_generated_ones():
    assert stale(DEFAULT_FOLDER) == [], "run: python -m osslever.documents"
    for kind in documents.KINDS:
        assert json.loads(render(kind)) == documents.json_schema(kind)


def test_the_generator_writes_and_checks_a_folder(tmp_path):
    script = [sys.executable, "-m", "osslever.documents"]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    check = subprocess.run([*script, "--check", str(tmp_path)], capture_output=True, text=True, env=env)
    assert check.returncode == 1 and "report.schema.json: out of date" in check.stderr
    assert subprocess.run([*script, str(tmp_path)], env=env, capture_output=True).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.schema.json" for k in documents.KINDS)
    assert subprocess.run([*script, "--check", str(tmp_path)], env=env).returncode == 0
    (tmp_path / "metrics.schema.json").write_text("{}\n")
    assert subprocess.run([*script, "--check", str(tmp_path)], env=env, capture_output=True).returncode == 1


@pytest.mark.parametrize("kind", list(documents.KINDS))
def test_every_document_the_cli_prints_fits_its_type_and_schema(produced, kind):
    docs = produced[kind]
    assert docs, kind
    schema = json.loads((DEFAULT_FOLDER / f"{kind}.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for doc in docs:
        assert doc["schema_version"] == (2 if kind == "assess" else 1)  # assess 2: issue 12
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == []
        typed = documents.typed(kind, doc)
        assert documents.plain(typed) == doc  # nothing dropped, nothing invented


def test_the_report_type_covers_both_shapes_of_the_community_section(produced):
    full = documents.typed("report", produced["report"][0])
    assert full.community.monthly is not msgspec.UNSET and full.community.commits_total == 3
    assert full.events is msgspec.UNSET
    with_events = documents.typed("report", produced["report"][2])
    assert with_events.events.repo == SLUG


def test_an_off_schema_document_is_named_precisely(produced):
    doc = json.loads(json.dumps(produced["metrics"][0]))
    doc["metrics"]["stars"] = "five"
    with pytest.raises(documents.OffSchema, match=r"metrics document .*`\$\.metrics\.stars`"):
        documents.typed("metrics", doc)
    doc = json.loads(json.dumps(produced["finance-metrics"][0]))
    doc["surprise"] = 1
    with pytest.raises(documents.OffSchema, match="surprise"):
        documents.typed("finance-metrics", doc)
    doc = json.loads(json.dumps(produced["assess"][0]))
    del doc["stance"]["value"]
    with pytest.raises(documents.OffSchema, match=r"stance"):
        documents.typed("assess", doc)
    for kind in documents.KINDS:
        assert "schema_version" in documents.json_schema(kind)["$defs"][documents.KINDS[kind].__name__]["required"]


def test_typed_documents_are_read_only(produced):
    typed = documents.typed("metrics", produced["metrics"][0])
    with pytest.raises(AttributeError):
        typed.repo = "other/repo"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        typed.metrics.stars = 0  # type: ignore[misc]


def test_an_unknown_kind_is_a_user_error():
    from osslever.errors import UserError

    with pytest.raises(UserError) as caught:
        documents.json_schema("nope")
    assert "nope" in caught.value.render("en") and "report" in caught.value.render("en")


def test_the_openapi_document_serves_the_generated_schemas():
    from osslever.web.api import DOCUMENT_SCHEMAS, openapi_schema

    schemas = openapi_schema()["components"]["schemas"]
    for name, kind in DOCUMENT_SCHEMAS.items():
        target = schemas[name]["$ref"].rsplit("/", 1)[1]
        assert target == documents.COMPONENT_PREFIX + documents.KINDS[kind].__name__
        assert "schema_version" in schemas[target]["required"]
    # Every $ref in the served document resolves (generated parts included).
    text = json.dumps(openapi_schema())
    for ref in {r.split('"')[0] for r in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref
