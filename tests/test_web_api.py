"""The REST API with Starlette's TestClient: same documents as the CLI, errors, jobs, profiles."""

from __future__ import annotations

import json
import sys
import time
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from osslever.cli import cli
from osslever.web import create_app
from tests.web_helpers import ALPHA, BETA, build_repo, ingest


@pytest.fixture
def repos(tmp_path) -> dict[str, Path]:
    return {"alpha": build_repo(tmp_path / "alpha", ALPHA), "beta": build_repo(tmp_path / "beta", BETA)}


@pytest.fixture
def db(tmp_path, repos) -> Path:
    path = tmp_path / "store.duckdb"
    ingest(path, repos["alpha"], repos["beta"])
    return path


@pytest.fixture
def client(db):
    with TestClient(create_app(db)) as c:
        yield c


def _ids(client) -> dict[str, str]:
    return {p["name"]: p["id"] for p in client.get("/api/projects").json()["projects"]}


def _without_time(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    doc["generated"].pop("at")
    return doc


def test_report_is_the_cli_document(tmp_path, repos):
    db = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(
        cli, ["report", str(repos["alpha"]), "--db", str(db), "--format", "json", "--lang", "en", "-q"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    with TestClient(create_app(db)) as c:
        served = c.get("/api/report", params={"project": _ids(c)["alpha"], "lang": "en"}).json()
    assert _without_time(served) == _without_time(printed)
    assert served["community"]["commits_total"] == 5


def test_projects_listed_and_searched(client):
    listed = client.get("/api/projects").json()["projects"]
    assert sorted((p["name"], p["commits"]) for p in listed) == [("alpha", 5), ("beta", 3)]
    assert [p["name"] for p in client.get("/api/projects", params={"q": "ALP"}).json()["projects"]] == ["alpha"]
    # LIKE wildcards are literal text, not patterns
    assert client.get("/api/projects", params={"q": "%"}).json()["projects"] == []
    assert client.get("/api/projects", params={"q": "a_p"}).json()["projects"] == []  # "_" would match "alp"


def test_overview_has_report_and_says_why_other_sections_are_missing(client):
    pid = _ids(client)["alpha"]
    doc = client.get("/api/overview", params={"project": pid}).json()
    community = doc["report"]["community"]
    assert (community["commits_total"], community["contributors_total"], community["bus_factor_12m"]) == (5, 3, 1)
    assert [(m["month"], m["commits"], m["active_contributors"]) for m in community["monthly"]] == [
        ("2024-01", 2, 1),
        ("2024-02", 1, 1),
        ("2024-03", 2, 2),
    ]
    # a local repository without a GitHub remote has no event data to join
    assert doc["events"] is None and "GitHub" in doc["unavailable"]["events"]
    assert doc["assessment"] is None and doc["unavailable"]["assessment"]
    assert doc["license"] is not None or doc["unavailable"]["license"]


def test_unknown_and_malformed_projects(client):
    missing = client.get("/api/report", params={"project": "git:999"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_project"
    bad = client.get("/api/overview", params={"project": "nonsense"})
    assert bad.status_code == 400 and "git:N" in bad.json()["error"]["message"]
    assert client.get("/api/report").status_code == 400


def test_compare_two_and_refuses_one_or_six(client):
    ids = _ids(client)
    doc = client.get("/api/compare", params=[("project", ids["alpha"]), ("project", ids["beta"])]).json()
    assert [p["report"]["community"]["commits_total"] for p in doc["projects"]] == [5, 3]
    one = client.get("/api/compare", params={"project": ids["alpha"]})
    assert one.status_code == 400 and "2" in one.json()["error"]["message"]
    six = client.get("/api/compare", params=[("project", f"git:{i}") for i in range(1, 7)])
    assert six.status_code == 400


def test_git_ranking_orders_by_the_report_numbers(client):
    doc = client.get("/api/rankings/git", params={"by": "commits_total"}).json()
    assert [(i["rank"], i["name"], i["value"]) for i in doc["items"]] == [(1, "alpha", 5), (2, "beta", 3)]
    assert client.get("/api/rankings/git", params={"by": "stars; drop table"}).status_code == 400


def test_language_of_errors_follows_the_request(client):
    zh = client.get("/api/report", params={"project": "git:999", "lang": "zh"}).json()
    en = client.get("/api/report", params={"project": "git:999", "lang": "en"}).json()
    assert zh["error"]["message"] != en["error"]["message"]
    assert "数据库" in zh["error"]["message"]


def _wait(client, job_id: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_ingest_job_runs_in_background_and_reports_progress(tmp_path):
    repo = build_repo(tmp_path / "gamma", ALPHA[:2])
    with TestClient(create_app(tmp_path / "jobs.duckdb")) as c:
        accepted = c.post("/api/ingest", json={"location": str(repo)})
        assert accepted.status_code == 202 and accepted.json()["state"] in ("queued", "running", "done")
        job = _wait(c, accepted.json()["id"])
        assert job["state"] == "done", job
        assert (job["done"], job["total"]) == (2, 2)
        report = c.get("/api/report", params={"project": job["project"]}).json()
        assert report["community"]["commits_total"] == 2
        failed = _wait(c, c.post("/api/ingest", json={"location": str(tmp_path / "nowhere")}).json()["id"])
        assert failed["state"] == "failed" and "nowhere" in failed["error"]


@pytest.mark.parametrize("location", ["-uhack", "ext::sh -c touch% /tmp/pwned", "a\nb", ""])
def test_ingest_refuses_options_and_helper_transports(client, location):
    response = client.post("/api/ingest", json={"location": location})
    assert response.status_code in (400, 422)


def test_profiles_round_trip_and_yaml_errors(client):
    body = "name: Demo\nmarket:\n  stage: early\n"
    saved = client.put("/api/profiles/demo one", json={"body": body, "project": None})
    assert saved.status_code == 200, saved.text
    assert client.get("/api/profiles/demo one").json()["body"] == body
    assert [p["name"] for p in client.get("/api/profiles").json()["profiles"]] == ["demo one"]
    broken = client.put("/api/profiles/broken", json={"body": "name: [unclosed"})
    assert broken.status_code == 422
    assert client.get("/api/profiles/broken").status_code == 404
    assert (
        client.put("/api/profiles/x", content=b"not json", headers={"content-type": "application/json"}).status_code
        == 400
    )


@pytest.fixture
def fake_strategy(monkeypatch):
    """A stand-in strategy area recording what the web layer hands it (the real one is tested there)."""
    seen: dict = {}
    module = types.ModuleType("osslever.models.strategy")

    def load_profile(path):
        import yaml

        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if "nme" in data:
            from osslever.errors import UserError

            raise UserError("store.failed", path=str(path), detail="unknown key 'nme'")
        return data

    def evidence_from_documents(report=None, license=None, finance=None, events=None):
        seen["report"] = report
        return {"project.contributors": report["community"]["contributors_total"]} if report else {}

    def assess_document(profile, evidence=None, rule_dirs=None, lang="en", scenario=None):
        seen["profile"], seen["evidence"], seen["lang"] = profile, evidence, lang
        stance = "open" if profile.get("market", {}).get("stage") == "early" else "hybrid"
        return {
            "schema_version": 1,
            "name": profile["name"],
            "stance": {"value": stance, "path": [f"stage={profile['market']['stage']}"], "endowment": "unknown"},
            "business_models": [],
            "what_would_change": [],
        }

    module.load_profile, module.evidence_from_documents, module.assess_document = (
        load_profile,
        evidence_from_documents,
        assess_document,
    )
    monkeypatch.setitem(sys.modules, "osslever.models.strategy", module)
    return seen


def test_assessment_uses_the_strategy_area_with_measured_evidence(client, fake_strategy, monkeypatch):
    # The stand-in returns a sketch of a document, not a whole one: this test is about the
    # plumbing (which evidence reaches the area), the document's type is tested elsewhere.
    monkeypatch.setenv("OSSLEVER_STRICT_DOCUMENTS", "0")
    pid = _ids(client)["alpha"]
    assert (
        client.put("/api/profiles/p1", json={"body": "name: P\nmarket:\n  stage: early\n", "project": pid}).status_code
        == 200
    )
    doc = client.post("/api/profiles/p1/assess", params={"lang": "zh"}).json()
    assert doc["stance"]["value"] == "open"
    assert fake_strategy["evidence"] == {"project.contributors": 3}
    assert fake_strategy["lang"] == "zh"
    latest = client.get("/api/assessments/latest", params={"profile": "p1"}).json()
    assert latest["document"] == doc and "report" in latest["evidence_sources"]
    assert client.get("/api/overview", params={"project": pid}).json()["assessment"]["profile"] == "p1"
    # editing the profile changes the answer
    client.put("/api/profiles/p1", json={"body": "name: P\nmarket:\n  stage: mature\n", "project": pid})
    assert client.post("/api/profiles/p1/assess").json()["stance"]["value"] == "hybrid"
    # the strategy area's own validation message comes back, without the temporary path
    bad = client.put("/api/profiles/p2", json={"body": "nme: typo\n"})
    assert bad.status_code == 422
    assert "unknown key 'nme'" in bad.json()["error"]["message"]
    assert "osslever-profile-" not in bad.json()["error"]["message"]


def test_billing_upload_is_stored_byte_for_byte(client):
    content = b"customer,start,end,amount\nacme,2024-01-01,,100\n"
    put = client.put("/api/billing/q1.csv", content=content, headers={"content-type": "text/csv"})
    assert put.status_code == 201 and put.json()["bytes"] == len(content)
    assert client.get("/api/billing").json()["billing"][0]["name"] == "q1.csv"
    assert client.put("/api/billing/empty.csv", content=b"", headers={"content-type": "text/csv"}).status_code == 400
    assert client.get("/api/finance", params={"billing": "nope.csv"}).status_code in (404, 501)


def test_finance_passes_the_upload_to_the_finance_area(client, monkeypatch):
    monkeypatch.setenv("OSSLEVER_STRICT_DOCUMENTS", "0")  # a stand-in document, as above
    module = types.ModuleType("osslever.models.finance")
    received = {}

    def finance_document(billing, as_of=None, rates=None, skip_bad_rows=False, source_format="auto"):
        received["text"], received["as_of"] = Path(billing).read_text(), as_of
        return {
            "schema_version": 1,
            "as_of": as_of,
            "currency": "USD",
            "mrr": 1.0,
            "arr": 12.0,
            "customers": 1,
            "movements": [],
        }

    module.finance_document = finance_document
    monkeypatch.setitem(sys.modules, "osslever.models.finance", module)
    client.put("/api/billing/b.csv", content=b"a,b\n1,2\n", headers={"content-type": "text/csv"})
    doc = client.get("/api/finance", params={"billing": "b.csv", "as_of": "2024-03"}).json()
    assert doc["arr"] == 12.0 and received == {"text": "a,b\n1,2\n", "as_of": "2024-03"}


def test_missing_area_is_501_with_a_reason(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "osslever.metrics.ranking", None)  # import fails
    response = client.get("/api/rankings/events")
    assert response.status_code == 501
    assert "not installed" in response.json()["error"]["message"]


BILLING = (
    "customer_id,subscription_id,plan,start_date,end_date,amount,currency,interval,quantity\n"
    # A: 100/month from 2024-01-10; B: annual 1,200 from 2024-02-01 -> 100/month
    # as of 2024-03: MRR 100 + 100 = 200, ARR 2,400, 2 customers
    "A,a1,basic,2024-01-10,,100,USD,month,1\n"
    "B,b1,annual,2024-02-01,2025-02-01,1200,USD,year,1\n"
)


def test_finance_document_is_the_cli_document(client, tmp_path):
    path = tmp_path / "billing.csv"
    path.write_text(BILLING, encoding="utf-8")
    result = CliRunner().invoke(cli, ["finance", "metrics", str(path), "--as-of", "2024-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    client.put("/api/billing/billing.csv", content=BILLING.encode(), headers={"content-type": "text/csv"})
    served = client.get("/api/finance", params={"billing": "billing.csv", "as_of": "2024-03"}).json()
    assert (served["mrr"], served["arr"], served["customers"]) == (200.0, 2400.0, 2)
    printed = json.loads(result.stdout)
    assert served["source"].pop("file") == "billing.csv"
    printed["source"].pop("file")
    assert served == printed
    bad = client.get("/api/finance", params={"billing": "billing.csv", "as_of": "March"})
    assert bad.status_code == 422 and "March" in bad.json()["error"]["message"]


def test_real_assessment_changes_when_the_profile_changes(client):
    pid = _ids(client)["alpha"]
    early = "name: Demo\nmarket:\n  stage: early\n  technical_barrier: low\n"
    # seeds/002 decision tree: low barrier + early market -> open; mature + high policy risk -> hybrid
    mature = "name: Demo\nmarket:\n  stage: mature\n  technical_barrier: low\n  policy_risk: high\n"
    assert client.put("/api/profiles/demo", json={"body": early, "project": pid}).status_code == 200
    first = client.post("/api/profiles/demo/assess").json()
    assert first["stance"]["value"] == "open"
    assert "lifecycle.market_early -> open" in first["stance"]["path"]  # issue 12: driver ids
    client.put("/api/profiles/demo", json={"body": mature, "project": pid})
    second = client.post("/api/profiles/demo/assess").json()
    assert second["stance"]["value"] == "hybrid"
    latest = client.get("/api/assessments/latest", params={"profile": "demo"}).json()
    assert latest["document"]["stance"]["value"] == "hybrid" and "report" in latest["evidence_sources"]
    # measured evidence from the project's report reached the engine
    assert latest["document"]["inputs"]["measured"]["project.contributors"]["value"] == 3
    typo = client.put("/api/profiles/demo", json={"body": "nme: Demo\n"})
    assert typo.status_code == 422 and "'name'" in typo.json()["error"]["message"]


def test_report_of_a_repository_that_was_moved_away(tmp_path):
    repo = build_repo(tmp_path / "gone", ALPHA)
    db = tmp_path / "gone.duckdb"
    ingest(db, repo)
    import shutil

    shutil.rmtree(repo)
    with TestClient(create_app(db)) as c:
        response = c.get("/api/overview", params={"project": "git:1"})
        doc = response.json()
    assert response.status_code == 200
    # the stored history still answers, or the page says why it cannot; it never crashes
    assert (doc["report"] or {}).get("community", {}).get("commits_total") == 5 or doc["unavailable"]["report"]
    assert doc["license"] is None and "no longer on this machine" in doc["unavailable"]["license"]


def test_uncached_report_is_read_while_a_writer_holds_the_store(db):
    # issue 10: reading never writes, so a page never waits for the single writer
    app = create_app(db)
    app.state.backend.write_timeout = 0.2
    with TestClient(app) as c:
        with app.state.backend.writing():
            served = c.get("/api/report", params={"project": "git:1"})
        assert served.status_code == 200 and served.json()["community"]["commits_total"] == 5
        busy = None
        with app.state.backend.writing():
            busy = c.put("/api/billing/b.csv", content=b"a,b\n1,2\n", headers={"content-type": "text/csv"})
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"


def _add_events(db: Path) -> None:
    """Three stars for octo/demo and one issue for octo/other in July 2021 (GH Archive shape)."""
    from osslever.store import open_store

    rows = [
        ("e1", "WatchEvent", "started", "2021-07-21 06:00:00", "ann", "octo/demo"),
        ("e2", "WatchEvent", "started", "2021-07-21 07:00:00", "ben", "Octo/Demo"),
        ("e3", "WatchEvent", "started", "2021-07-22 08:00:00", "cat", "octo/demo"),
        ("e4", "IssuesEvent", "opened", "2021-07-22 09:00:00", "dan", "octo/other"),
    ]
    with open_store(db) as store, store.transaction() as con:
        con.executemany(
            "INSERT INTO gh_events (event_id, type, action, created_at, actor_login, repo_name, source)"
            " VALUES (?, ?, ?, ?, ?, ?, 'test')",
            rows,
        )


def test_event_repositories_are_projects_too(db):
    _add_events(db)
    with TestClient(create_app(db)) as c:
        listed = {p["id"]: p for p in c.get("/api/projects").json()["projects"]}
        assert listed["gh:octo/demo"]["events"] == 3 and listed["gh:octo/other"]["events"] == 1
        assert [p["id"] for p in c.get("/api/projects", params={"q": "DEMO"}).json()["projects"]] == ["gh:octo/demo"]
        doc = c.get("/api/overview", params={"project": "gh:octo/demo"}).json()
        assert doc["project"]["events"] == 3 and doc["report"] is None and "git" in doc["unavailable"]["report"]
        if doc["events"] is not None:  # the events area is installed: its own summary, unchanged
            assert doc["events"]["monthly"][-1]["stars"] == 3
        else:
            assert doc["unavailable"]["events"]
        page = c.get("/project", params={"id": "gh:octo/demo"})
        assert page.status_code == 200 and "octo/demo" in page.text
        assert c.get("/api/overview", params={"project": "gh:octo/none"}).status_code == 404


def test_form_answers_are_saved_as_the_yaml_assess_reads(client, tmp_path):
    """Typed answers become YAML; unanswered ones ("" and []) are left out; the fields the
    form does not ask (as_of, revenue shares) keep what the saved text declared."""
    import yaml

    from osslever.models.strategy import load_profile

    first = "name: Old\nas_of: 2025\nrevenue:\n  support: 0.3\norg:\n  size: large\n"
    assert client.put("/api/profiles/f1", json={"body": first}).status_code == 200
    fields = {
        "name": "Demo <b>&",
        "org.size": "startup",
        "product.delivery": ["self_hosted", "saas"],
        "product.enterprise_needs": [],
        "product.mission_critical": False,
        "market.stage": "",
        "goals.horizon_years": 5,
        "project.outside_code_share": 0.25,
        "project.license": "Apache-2.0",
    }
    saved = client.put("/api/profiles/f1", json={"fields": fields})
    assert saved.status_code == 200, saved.text
    expected = {
        "name": "Demo <b>&",
        "as_of": 2025,
        "org": {"size": "startup"},
        "product": {"delivery": ["self_hosted", "saas"], "mission_critical": False},
        "goals": {"horizon_years": 5},
        "project": {"license": "Apache-2.0", "outside_code_share": 0.25},
        "revenue": {"support": 0.3},
    }
    assert yaml.safe_load(saved.json()["body"]) == expected
    target = tmp_path / "f1.yaml"
    target.write_text(saved.json()["body"], encoding="utf-8")
    assert load_profile(target) == expected  # what `osslever assess f1.yaml` reads


def test_form_errors_come_back_per_field_in_the_page_language(client):
    bad = {
        "name": "",
        "goals.horizon_years": 99,
        "finance.paying_customers": 2.5,
        "org.size": "huge",
        "product.mission_critical": "yes",
        "org.sise": "startup",
    }
    zh = client.put("/api/profiles/f2", params={"lang": "zh"}, json={"fields": bad})
    assert zh.status_code == 422
    error = zh.json()["error"]
    assert error["code"] == "bad_fields"
    # the schema: horizon 1..20, customers an integer >= 0, org.size one of four, name required
    assert error["fields"] == {
        "name": "请回答此问题。",
        "goals.horizon_years": "请输入 1 到 20 之间的值。",
        "finance.paying_customers": "请输入整数。",
        "org.size": "请从给出的选项中选择。",
        "product.mission_critical": "请选择是、否或不确定。",
        "org.sise": "这不是画像中的问题。",
    }
    assert error["message"] == "有 6 项回答需要更正，已在表单中标出"
    en = client.put("/api/profiles/f2", params={"lang": "en"}, json={"fields": {"name": "x", "project.stars": -1}})
    assert en.json()["error"]["fields"] == {"project.stars": "Enter 0 or more."}
    assert client.get("/api/profiles/f2").status_code == 404  # nothing saved
    assert client.put("/api/profiles/f2", json={"fields": ["name"]}).status_code == 400


def test_compare_carries_the_latest_assessment_of_each_project(client):
    ids = _ids(client)
    client.put("/api/profiles/pa", json={"fields": {"name": "A", "goals.primary": "adoption"}, "project": ids["alpha"]})
    assessed = client.post("/api/profiles/pa/assess").json()
    doc = client.get("/api/compare", params={"project": [ids["alpha"], ids["beta"]]}).json()
    alpha, beta = doc["projects"]
    assert alpha["assessment"]["profile"] == "pa" and alpha["assessment"]["document"] == assessed
    assert beta["assessment"] is None and beta["unavailable"]["assessment"]
