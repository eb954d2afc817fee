"""The dossier in the dashboard: ``/api/dossier`` and ``/dossier`` for a project in the store.

The web door must give the document ``Workspace.dossier`` gives for the same stored history
(the parity the other documents have, tests/test_core_parity.py), build it without writing
(it works on a store opened read-only), take the declared values of a saved profile linked
to the project, and show the CLI's page in the site's language: in Chinese the verdict
tiles carry the glossary's Chinese names (data/glossary.yaml, read here with yaml), never
an English id.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import yaml
from starlette.testclient import TestClient

from osslever.models.strategy import load_profile
from osslever.web import create_app
from osslever.workspace import Workspace
from tests.test_web_api import BILLING
from tests.web_helpers import ALPHA, BETA, build_repo, ingest

DATA = Path(__file__).resolve().parents[1] / "src" / "osslever" / "data"
# seeds/002 decision tree (as tests/test_web_api.py): mature market + high policy risk -> hybrid
MATURE = "name: Demo\nmarket:\n  stage: mature\n  technical_barrier: low\n  policy_risk: high\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("web-dossier")
    alpha, beta = build_repo(root / "alpha", ALPHA), build_repo(root / "beta", BETA)
    db = root / "store.duckdb"
    ingest(db, alpha, beta)
    return {"root": root, "db": db, "alpha": alpha, "beta": beta}


def _timeless(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc, default=str))
    doc["documents"]["report"]["generated"].pop("at")
    return doc


def _verdict(doc: dict) -> tuple:
    v = doc["verdict"]
    return (v["stance"], v["model"], v["license"]["action"], v["license"]["recommended"], v["investor"])


class _Parts(HTMLParser):
    """Text of every element with a ``data-part`` attribute, and every ``<script>`` start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        if found.get("data-part"):
            self._open = found["data-part"]
            self.parts[self._open] = ""

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.parts[self._open] += data


def _parse(html: str) -> _Parts:
    parser = _Parts()
    parser.feed(html)
    return parser


def test_api_dossier_is_workspace_dossier_on_a_read_only_store(world):
    """No profile linked: the web's document is the library's, and a read-only store suffices."""
    with Workspace(world["db"], read_only=True, lang="en") as ws:
        library = ws.dossier(1, str(world["alpha"]))
    with TestClient(create_app(world["db"], read_only=True)) as c:
        response = c.get("/api/dossier", params={"project": "git:1", "lang": "en"})
        assert response.status_code == 200, response.text
        served = response.json()
    assert _verdict(served) == _verdict(library)
    assert _timeless(served) == _timeless(library)
    # the facts are alpha's (5 commits by 3 people), and nothing was declared
    assert served["documents"]["report"]["community"]["commits_total"] == 5
    assert served["documents"]["report"]["community"]["contributors_total"] == 3
    assert not [f for f in served["profile"]["fields"] if f["provenance"] == "declared"]


def test_linked_profile_and_billing_are_the_declared_values(world, tmp_path):
    """A saved profile linked to the project is ``profile=``; its upload is ``billing=``."""
    csv = tmp_path / "billing.csv"
    csv.write_text(BILLING, encoding="utf-8")
    written = tmp_path / "profile.yaml"
    written.write_text(MATURE, encoding="utf-8")
    db = tmp_path / "store.duckdb"
    shutil.copyfile(world["db"], db)  # the module's store stays without profiles
    with TestClient(create_app(db)) as c:
        upload = c.put("/api/billing/b.csv", content=BILLING.encode(), headers={"content-type": "text/csv"})
        assert upload.status_code == 201
        saved = c.put("/api/profiles/mature", json={"body": MATURE, "project": "git:1", "billing": "b.csv"})
        assert saved.status_code == 200, saved.text
        served = c.get("/api/dossier", params={"project": "git:1", "lang": "en"}).json()
        page = c.get("/dossier", params={"project": "git:1", "lang": "en"}).text
        with c.app.state.backend.reading() as store:
            library = Workspace(store=store, lang="en").dossier(
                1, str(world["alpha"]), profile=load_profile(written), billing=csv
            )
        other = c.get("/api/dossier", params={"project": "git:2", "lang": "en"}).json()
    assert _verdict(served) == _verdict(library)
    assert served["documents"]["finance"]["source"]["file"] == "b.csv"  # the upload's name, not a temp path
    library["documents"]["finance"]["source"]["file"] = "b.csv"
    assert _timeless(served) == _timeless(library)
    assert served["verdict"]["stance"] == "hybrid"
    fields = {f["path"]: f for f in served["profile"]["fields"]}
    assert (fields["market.stage"]["value"], fields["market.stage"]["provenance"]) == ("mature", "declared")
    # BILLING without --as-of is read as of its last event, B's end (2025-02): only A's 100/month is left
    finance = served["documents"]["finance"]
    assert (finance["as_of"], finance["mrr"], finance["customers"]) == ("2025-02", 100.0, 1)
    assert 'href="/assess?profile=mature"' in page and "b.csv" in page
    # beta is not linked: its dossier declares nothing
    assert not [f for f in other["profile"]["fields"] if f["provenance"] == "declared"]


def _glossary() -> dict:
    return yaml.safe_load((DATA / "glossary.yaml").read_text(encoding="utf-8"))


def _model_name(model: str, lang: str) -> str:
    """Business models are named in their catalogue (the glossary defers to it for ``model.top``)."""
    catalogue = yaml.safe_load((DATA / "strategy" / "catalogue.yaml").read_text(encoding="utf-8"))
    return catalogue["models"][model]["name"][lang]


def test_zh_page_tiles_are_glossary_names_not_ids(world):
    glossary = _glossary()
    english_ids = {key for values in glossary["values"].values() for key in values} | {
        *yaml.safe_load((DATA / "strategy" / "catalogue.yaml").read_text(encoding="utf-8"))["models"]
    }
    with TestClient(create_app(world["db"])) as c:
        zh = c.get("/dossier", params={"project": "git:1", "lang": "zh"})
        en = c.get("/dossier", params={"project": "git:1", "lang": "en"})
        doc = c.get("/api/dossier", params={"project": "git:1", "lang": "zh"}).json()
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and '<html lang="en">' in en.text
    tiles, english = _parse(zh.text).parts, _parse(en.text).parts
    assert set(tiles) == set(english) == {"stance", "model", "license", "investor"}
    stance, verdict = glossary["values"]["stance"], glossary["values"]["verdict"]
    assert tiles["stance"] == stance[doc["verdict"]["stance"]]["zh"]
    assert english["stance"] == stance[doc["verdict"]["stance"]]["en"]
    assert tiles["investor"] == verdict[doc["verdict"]["investor"]]["zh"]
    assert english["investor"] == verdict[doc["verdict"]["investor"]]["en"]
    model, candidates = doc["verdict"]["model"], doc["verdict"]["model_candidates"]
    if model is None and not candidates:
        assert (tiles["model"], english["model"]) == ("没有可行的商业模式", "no viable model")
    elif model is None:  # a tie, said as one, every candidate named in the page's language
        assert tiles["model"].startswith("尚未决定") and english["model"].startswith("undecided between")
        for candidate in candidates:
            assert _model_name(candidate, "zh") in tiles["model"]
            assert _model_name(candidate, "en") in english["model"]
    else:
        assert (tiles["model"], english["model"]) == (_model_name(model, "zh"), _model_name(model, "en"))
    for part in ("stance", "model", "investor"):
        assert re.search(r"[\u4e00-\u9fff]", tiles[part]), (part, tiles[part])  # Chinese words
        assert not re.search(r"[a-z]+_[a-z_]+", tiles[part]), (part, tiles[part])  # no snake_case id
    # the license tile: SPDX ids are proper names and stay; a family standing for a license
    # (the closed family's "proprietary") is named by the glossary, never shown as its id
    families = glossary["values"]["license_family"]
    recommended = doc["verdict"]["license"]["recommended"]
    assert recommended, doc["verdict"]["license"]
    assert tiles["license"].split(" / ") == [families[x]["zh"] if x in families else x for x in recommended]
    for shown in tiles["license"].split(" / "):
        assert shown not in english_ids
        assert re.search(r"[\u4e00-\u9fff]", shown) or re.fullmatch(r"[A-Za-z0-9.+-]+", shown), shown
    assert not set(tiles.values()) & english_ids
    # the bar back to the site follows the language too
    assert "项目档案" in zh.text and 'id="lang-switch" href="/dossier?project=git%3A1&amp;lang=en"' in zh.text
    assert 'href="/project?id=git%3A1"' in zh.text


def test_page_is_the_cli_file_with_the_site_bar_and_its_style_allowed_by_hash(world):
    import base64
    import hashlib

    from osslever.outputs.dossier import render_html

    with TestClient(create_app(world["db"])) as c:
        response = c.get("/dossier", params={"project": "git:1", "lang": "en"})
        doc = c.get("/api/dossier", params={"project": "git:1", "lang": "en"}).json()
    html = response.text
    cli_file = render_html(doc)
    # everything the CLI's file shows, in order, from <main> on
    assert html[html.index("<main>") :] == cli_file[cli_file.index("<main>") :]
    css = re.search(r"<style>(.*?)</style>", cli_file, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"


def test_project_page_and_list_link_to_the_dossier(world):
    with TestClient(create_app(world["db"])) as c:
        project = c.get("/project", params={"id": "git:1", "lang": "zh"}).text
        listing = c.get("/", params={"lang": "en"}).text
    assert re.search(
        r'<a class="dossier-link" id="dossier-link" href="/dossier\?project=git%3A1">项目档案</a>', project
    )
    assert len(re.findall(r'href="/dossier\?project=git%3A[12]"[^>]*>Dossier</a>', listing)) == 2


def test_unknown_project_is_the_site_404_in_both_languages(world):
    with TestClient(create_app(world["db"])) as c:
        en = c.get("/dossier", params={"project": "git:999", "lang": "en"})
        zh = c.get("/dossier", params={"project": "git:999", "lang": "zh"})
        bad = c.get("/dossier", params={"project": "<x>", "lang": "en"})
        none = c.get("/dossier", params={"lang": "en"})
        api = c.get("/api/dossier", params={"project": "git:999", "lang": "en"})
    assert en.status_code == zh.status_code == 404
    assert "<title>Not found · osslever</title>" in en.text and "<title>未找到 · osslever</title>" in zh.text
    assert re.search(r'id="error-message">no project git:999 in the store<', en.text)
    assert re.search(r'id="error-message">数据库中没有项目 git:999<', zh.text)
    assert 'href="/"' in en.text and "返回项目列表" in zh.text  # the site's layout, with its way back
    assert bad.status_code == 400 and "&lt;x&gt;" in bad.text and "<x>" not in bad.text
    assert none.status_code == 400 and "&#39;project&#39;" in none.text
    assert api.status_code == 404 and api.json()["error"]["code"] == "no_project"


def test_incomplete_history_is_a_clear_message(world, tmp_path):
    db = tmp_path / "half.duckdb"
    ingest(db, world["beta"])
    con = duckdb.connect(str(db))
    con.execute("UPDATE git_histories SET complete = false")
    con.close()
    with TestClient(create_app(db)) as c:
        page = c.get("/dossier", params={"project": "git:1", "lang": "en"})
        zh = c.get("/dossier", params={"project": "git:1", "lang": "zh"})
        api = c.get("/api/dossier", params={"project": "git:1", "lang": "en"})
    assert page.status_code == zh.status_code == api.status_code == 409
    assert re.search(r'id="error-message">the history of beta is still being read \(or was interrupted\)', page.text)
    assert "beta 的历史仍在读取" in zh.text
    assert api.json()["error"]["code"] == "incomplete"
    assert "Traceback" not in page.text + zh.text + api.text


def test_repository_gone_from_the_machine_says_so(world, tmp_path):
    repo = build_repo(tmp_path / "gone", ALPHA[:2])
    db = tmp_path / "gone.duckdb"
    ingest(db, repo)
    shutil.rmtree(repo)
    with TestClient(create_app(db)) as c:
        page = c.get("/dossier", params={"project": "git:1", "lang": "en"})
    assert page.status_code == 404
    assert f"the repository {repo} is no longer on this machine" in page.text


def test_markup_in_project_and_profile_names_renders_as_text(tmp_path):
    repo = build_repo(tmp_path / "<script>alert(1)", ALPHA[:2])
    db = tmp_path / "evil.duckdb"
    ingest(db, repo)
    declared = "name: '</script><script>alert(2)</script>'\n"
    with TestClient(create_app(db)) as c:
        before = c.get("/dossier", params={"project": "git:1", "lang": "en"}).text
        assert c.put("/api/profiles/x", json={"body": declared, "project": "git:1"}).status_code == 200
        after = c.get("/dossier", params={"project": "git:1", "lang": "zh"}).text
    # the repository's name is the project name (in the bar and the title)
    assert "← &lt;script&gt;alert(1)</a>" in before
    assert "&lt;script&gt;alert(1)" in before[before.index("<h1>") :]
    # the declared name is the dossier's name
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in after[after.index("<h1>") :]
    for html in (before, after):
        scripts = _parse(html).scripts
        # only the site's two: its JSON data block and its module
        assert [(s.get("type"), s.get("src")) for s in scripts] == [
            ("module", "/static/app.js"),
            ("application/json", None),
        ]
        assert "alert(1)</script>" not in html and "<script>alert" not in html
