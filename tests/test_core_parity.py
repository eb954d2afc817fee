"""One core, three doors: the library, the CLI (``--format json``) and the REST API give the
same document for the same question on the same store (issue 10), and reading never writes.

The store holds a git repository built here (5 commits by 3 people, origin on GitHub as
``kubernetes/kubernetes.github.io``) and the shared GH Archive sample with that
repository's events, so ``report`` carries an ``events`` section with OpenRank.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from osslever import api
from osslever.cli import cli
from osslever.web import create_app
from osslever.workspace import Workspace
from tests.events_fixtures import SHARED
from tests.finance_helpers import billing_csv
from tests.license_helpers import license_text
from tests.web_helpers import ALPHA, build_repo

SLUG = "kubernetes/kubernetes.github.io"
PERIOD = "2016-07"
PROFILE = Path(__file__).resolve().parents[1] / "examples" / "profiles" / "mysql.yaml"
# A: 100/month from 2024-01-10; B: annual 1,200 from 2024-02-01 -> 100/month (hand-computed:
# as of 2024-03 MRR 200, ARR 2,400, 2 customers)
ROWS = ["A,a1,basic,2024-01-10,,100,USD,month,1", "B,b1,annual,2024-02-01,2025-02-01,1200,USD,year,1"]


def _cli(*args: str, env: dict[str, str] | None = None) -> dict:
    result = CliRunner().invoke(cli, [*args, "--lang", "en"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _timeless(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc, default=str))
    doc.get("generated", {}).pop("at", None)
    return doc


@pytest.fixture(scope="module")
def events_store(tmp_path_factory) -> Path:
    """A store with the shared GH Archive sample and no OpenRank computed yet (a fresh store)."""
    folder = tmp_path_factory.mktemp("events")
    db = folder / "events.duckdb"
    result = CliRunner().invoke(cli, ["ingest", "gharchive", str(SHARED), "--db", str(db), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    with Workspace(db, read_only=True) as ws:
        assert ws.store.rows("SELECT count(*) AS n FROM gh_openrank")[0]["n"] == 0
    return db


def _fresh(events_store: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(events_store, target)
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory, events_store) -> dict:
    folder = tmp_path_factory.mktemp("world")
    # ALPHA, with the MIT license (LicenseDB's text) added in the last commit
    name, email, when, files = ALPHA[-1]
    commits = [*ALPHA[:-1], (name, email, when, {**files, "LICENSE": license_text("mit")})]
    repo = build_repo(folder / "alpha", commits)
    subprocess.run(
        ["git", "-C", str(repo), "remote", "add", "origin", f"https://github.com/{SLUG}.git"],
        check=True,
        capture_output=True,
    )
    db = _fresh(events_store, folder, "store.duckdb")
    report = _cli("report", str(repo), "--db", str(db), "--format", "json", "-q")
    billing = billing_csv(folder, ROWS)
    return {"folder": folder, "repo": repo, "db": db, "report": report, "billing": billing}


def test_report_is_one_document(world):
    printed = world["report"]
    library = api.report_document(str(world["repo"]), db=world["db"], lang="en")
    with TestClient(create_app(world["db"])) as client:
        served = client.get("/api/report", params={"project": "git:1", "lang": "en"}).json()
    assert _timeless(library) == _timeless(printed) == _timeless(served)
    # the numbers are the repository's (ALPHA: 5 commits, 3 authors) and its events joined by slug
    assert printed["community"]["commits_total"] == 5 and printed["community"]["contributors_total"] == 3
    assert printed["repository"]["slug"] == SLUG and printed["license"]["spdx"] == "MIT"
    assert printed["events"]["repo"] == SLUG and printed["events"]["last_month"] == PERIOD
    assert printed["events"]["monthly"][-1]["openrank"] > 0


def test_metrics_on_a_fresh_store_is_one_document_with_openrank(events_store, tmp_path):
    # three fresh copies: no door may rely on another having computed OpenRank first
    cli_db, lib_db, web_db = (_fresh(events_store, tmp_path, f"{n}.duckdb") for n in ("cli", "lib", "web"))
    printed = _cli("metrics", SLUG, "--period", PERIOD, "--format", "json", "--db", str(cli_db))
    library = api.metrics_document(SLUG, PERIOD, db=lib_db)
    with TestClient(create_app(web_db)) as client:
        served = client.get("/api/metrics", params={"repo": SLUG, "period": PERIOD}).json()
    assert library == printed == served
    assert printed["metrics"]["openrank"] > 0 and "openrank" not in printed["notes"]


def test_license_is_one_document(world):
    printed = _cli("license", str(world["repo"]), "--format", "json")
    library = api.license_document(str(world["repo"]), lang="en")
    with TestClient(create_app(world["db"])) as client:
        served = client.get("/api/license", params={"project": "git:1", "lang": "en"}).json()
    assert library == printed == served
    assert printed["license"]["spdx"] == "MIT"


def test_finance_is_one_document(world):
    billing = world["billing"]
    printed = _cli("finance", "metrics", str(billing), "--as-of", "2024-03", "--format", "json")
    library = api.finance_document(billing, as_of="2024-03")
    with TestClient(create_app(world["db"])) as client:
        put = client.put("/api/billing/billing.csv", content=billing.read_bytes(), headers={"content-type": "text/csv"})
        assert put.status_code == 201
        served = client.get("/api/finance", params={"billing": "billing.csv", "as_of": "2024-03"}).json()
    assert served["source"]["file"] == "billing.csv"  # the upload's name, not a temporary path
    for doc in (printed, library, served):
        doc["source"].pop("file")
    assert library == printed == served
    assert (printed["mrr"], printed["arr"], printed["customers"]) == (200.0, 2400.0, 2)


def test_assess_is_one_document(world):
    env = {**os.environ, "OSSLEVER_DB": str(world["db"])}  # assess measures into the default store
    printed = _cli("assess", str(PROFILE), "--repo", str(world["repo"]), "--format", "json", env=env)
    with Workspace(world["db"], lang="en") as ws:
        history = ws.refresh_report(str(world["repo"]))
        library = ws.assess(api.load_profile(PROFILE), ws.measured(history, location=str(world["repo"])))
    with TestClient(create_app(world["db"])) as client:
        body = PROFILE.read_text(encoding="utf-8")
        assert client.put("/api/profiles/mysql", json={"body": body, "project": "git:1"}).status_code == 200
        served = client.post("/api/profiles/mysql/assess", params={"lang": "en"}).json()
        latest = client.get("/api/assessments/latest", params={"profile": "mysql"}).json()
    assert _timeless(library) == _timeless(printed) == _timeless(served)
    # evidence came from all three measured documents, on every door
    assert latest["evidence_sources"] == ["events", "license", "report"]
    measured = printed["inputs"]["measured"]
    assert measured["project.contributors"]["value"] == 3


def test_dossier_is_one_document(world):
    """``osslever dossier --profile``, ``Workspace.dossier`` and ``/api/dossier`` of the project a
    saved profile is linked to: one document (the web passes the saved profile as ``profile=``)."""
    repo = str(world["repo"])
    printed = _cli("dossier", repo, "--profile", str(PROFILE), "--format", "json", "--db", str(world["db"]), "-q")
    with Workspace(world["db"], read_only=True, lang="en") as ws:
        library = ws.dossier(1, repo, profile=api.load_profile(PROFILE))
    with TestClient(create_app(world["db"])) as client:
        body = PROFILE.read_text(encoding="utf-8")
        assert client.put("/api/profiles/mysql", json={"body": body, "project": "git:1"}).status_code == 200
        served = client.get("/api/dossier", params={"project": "git:1", "lang": "en"}).json()
        by_slug = client.get("/api/dossier", params={"project": f"gh:{SLUG}", "lang": "en"}).json()

    def timeless(doc: dict) -> dict:
        doc = _timeless(doc)
        doc["documents"]["report"]["generated"].pop("at")
        return doc

    verdicts = [
        {k: d["verdict"][k] for k in ("stance", "model", "license", "investor")} for d in (printed, library, served)
    ]
    assert verdicts[0] == verdicts[1] == verdicts[2]
    assert timeless(printed) == timeless(library) == timeless(served) == timeless(by_slug)
    # built from the measured documents of this store and the profile's own words
    assert served["name"] == "MySQL"  # examples/profiles/mysql.yaml
    fields = {f["path"]: f for f in served["profile"]["fields"]}
    assert (fields["product.category"]["value"], fields["product.category"]["provenance"]) == ("database", "declared")
    documents = served["documents"]
    assert documents["report"]["community"]["commits_total"] == 5 and documents["license"]["license"]["spdx"] == "MIT"
    assert documents["events"]["repo"] == SLUG and documents["events"]["period"] == PERIOD


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reading_never_writes(world):
    """Documents and pages from a store opened read-only (DuckDB ``read_only=True``)."""
    db = world["db"]
    api.metrics_document(SLUG, PERIOD, db=db)  # refresh steps done: OpenRank and license cache stored
    before = _digest(db)
    with Workspace(db, read_only=True, lang="en") as ws:
        report = ws.report(1)
        metrics = ws.metrics(SLUG, PERIOD)
        license_doc = ws.license(str(world["repo"]))
        finance = ws.finance(world["billing"], as_of="2024-03")
        rank = ws.rank(period=PERIOD, top=3)
        dossier = ws.dossier(1, str(world["repo"]))
        with pytest.raises(Exception, match="read-only"):
            ws.refresh_openrank()
    assert _timeless(report) == _timeless(world["report"])
    assert metrics["metrics"]["openrank"] > 0 and license_doc["license"]["spdx"] == "MIT"
    assert finance["mrr"] == 200.0 and rank["items"][0]["rank"] == 1
    with TestClient(create_app(db, read_only=True)) as client:
        for url in (
            "/",
            "/project?id=git:1",
            f"/project?id=gh:{SLUG}",
            f"/compare?id=git:1&id=gh:{SLUG}",
            "/rankings",
            "/finance",
            "/assess",
            "/dossier?project=git:1",
            f"/dossier?project=gh:{SLUG}",
        ):
            page = client.get(url)
            assert page.status_code == 200, url
        served = client.get("/api/dossier", params={"project": "git:1", "lang": "en"}).json()
        # the same stored history (a linked profile may change the verdict, not the measurements)
        assert _timeless(served["documents"]["report"]) == _timeless(dossier["documents"]["report"])
        assert dossier["documents"]["report"]["community"]["commits_total"] == 5
        assert "alpha" in client.get("/project?id=git:1").text
        assert client.get("/api/report", params={"project": "git:1"}).json()["community"]["commits_total"] == 5
        assert client.get("/api/metrics", params={"repo": SLUG, "period": PERIOD}).json() == metrics
        assert client.get("/api/rankings/events", params={"period": PERIOD}).status_code == 200
        refused = client.put("/api/billing/x.csv", content=b"a\n", headers={"content-type": "text/csv"})
        assert refused.status_code == 409 and "read-only" in refused.json()["error"]["message"]
    assert _digest(db) == before


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_opendigger_export_files_get_the_umask_permissions(events_store, tmp_path, umask):
    """An export is an ordinary file: mode 0666 minus the umask, as ``open()`` would make it."""
    old = os.umask(umask)
    try:
        result = CliRunner().invoke(
            cli, ["export", "opendigger", SLUG, "-o", str(tmp_path / "od"), "--db", str(events_store)]
        )
        report = tmp_path / "r.json"
        report_result = CliRunner().invoke(
            cli,
            [
                "metrics",
                SLUG,
                "--period",
                PERIOD,
                "--format",
                "json",
                "--db",
                str(_fresh(events_store, tmp_path, "m.duckdb")),
                "-o",
                str(report),
            ],
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert report_result.exit_code == 0, report_result.output
    files = sorted((tmp_path / "od").iterdir())
    assert files and all(f.stat().st_mode & 0o777 == 0o666 & ~umask for f in files)
    assert report.stat().st_mode & 0o777 == 0o666 & ~umask
    assert not [f for f in (tmp_path / "od").iterdir() if f.name.startswith(".osslever-")]  # no temporaries left
