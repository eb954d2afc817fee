"""``osslever dossier``: one command from a repository to the whole case.

The repository is built here with known facts (three authors, a Dockerfile and a Compose
file with a database, an ``ee/`` folder, a CLA), so what the dossier must infer and
measure is known before it runs; the verdict is checked against ``osslever assess`` run
on the profile file the dossier wrote (the path a user takes by hand), and every claim of
the sensitivity section is checked by declaring the value it names and running again.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from osslever.cli import cli
from osslever.documents import typed
from osslever.models.strategy import load_profile
from tests.license_helpers import license_text

AUTHORS = [("Ann Lee", "ann@acme.example"), ("Bo Chen", "bo@acme.example"), ("Cy Ruiz", "cy@gmail.example")]
FILES = {
    "README.md": "# Vault\n\nA self-hosted secrets manager for teams. Deploy with Docker.\n",
    "Dockerfile": "FROM python:3.12\nCOPY . /app\n",
    "docker-compose.yml": (
        "services:\n  app: {image: acme/vault:1}\n  db: {image: postgres:16}\n  cache: {image: redis:7}\n"
    ),
    "ee/LICENSE": "Commercial license. All rights reserved by Acme Inc.\n",
    "ee/sso.py": "def login():\n    return True\n",
    "CLA.md": "# Contributor License Agreement\n\nBy contributing you grant Acme the rights...\n",
    "src/vault.py": "def get(key):\n    return key\n",
}


def _git(repo: Path, *args: str, author: tuple[str, str] = AUTHORS[0], date: str = "2024-01-01T12:00:00") -> str:
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("vault")
    _git(root, "init", "-q", "-b", "main")
    files = dict(FILES, LICENSE=license_text("apache-2.0"))
    for path, body in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start", date="2024-01-05T10:00:00")
    # Three authors over 2024-2025; Ann writes most.
    for i in range(12):
        author = AUTHORS[0] if i % 2 == 0 else AUTHORS[1 + (i // 2) % 2]
        (root / "src" / f"m{i}.py").write_text(f"X = {i}\n")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"change {i}", author=author, date=f"2025-{1 + i % 12:02d}-10T10:00:00")
    return root


def run(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def built(repo, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    db = out / "store.duckdb"
    run("dossier", str(repo), "-o", str(out / "case.json"), "--db", str(db), "--lang", "en", "-q")
    return {"doc": json.loads((out / "case.json").read_text()), "out": out, "db": db}


def _field(doc: dict, path: str) -> dict:
    return next(f for f in doc["profile"]["fields"] if f["path"] == path)


def test_the_document_is_typed_and_writes_a_profile_beside_it(built) -> None:
    typed("dossier", built["doc"])
    beside = built["out"] / "case.profile.yaml"
    assert beside.exists()
    profile = load_profile(beside)  # loads as a profile: the user can pass it back
    assert "self_hosted" in profile["product"]["delivery"]


def test_facts_are_inferred_or_measured_with_their_source(built, repo) -> None:
    doc = built["doc"]
    delivery = _field(doc, "product.delivery")
    assert delivery["provenance"] == "inferred" and "self_hosted" in delivery["value"]
    assert any("Dockerfile" in e or "docker-compose" in e for e in delivery["evidence"])
    agreement = _field(doc, "project.contributor_agreement")
    assert agreement["provenance"] == "inferred" and agreement["value"] == "cla"
    # Contributors counted by git itself: distinct author e-mails.
    authors = {line for line in _git(repo, "log", "--format=%ae").splitlines() if line}
    contributors = _field(doc, "project.contributors")
    assert contributors["provenance"] == "measured" and contributors["value"] == len(authors) == 3
    # Three databases in Compose (postgres, redis) → stateful services inferred.
    complexity = _field(doc, "product.operational_complexity")
    assert complexity["provenance"] == "inferred" and complexity["value"] in ("medium", "high")
    # What nobody can tell is listed as a question, not guessed.
    unanswered = {u["path"] for u in doc["profile"]["unanswered"]}
    assert "goals.primary" in unanswered and "market.position" in unanswered
    assert _field(doc, "goals.primary")["value"] is None


def test_the_verdict_is_what_assess_says_on_the_written_profile(built, repo, tmp_path) -> None:
    """The path a user walks by hand — infer, then assess --repo — gives the same answer."""
    out = tmp_path / "assess.json"
    beside = built["out"] / "case.profile.yaml"
    run("assess", str(beside), "--repo", str(repo), "--format", "json", "-o", str(out), "--lang", "en")
    assess = json.loads(out.read_text())
    verdict = built["doc"]["verdict"]
    assert verdict["stance"] == assess["stance"]["value"]
    viable = [m for m in assess["business_models"] if m["viable"]]
    best = [m["id"] for m in viable if m["total"] == viable[0]["total"]]
    assert verdict["model_candidates"] == best
    assert verdict["model"] == (best[0] if len(best) == 1 else None)
    assert verdict["license"]["action"] == assess["license"]["action"]
    assert verdict["investor"] == assess["investor"]["verdict"]


def test_an_open_core_shaped_repository_reads_as_hybrid(built) -> None:
    """seeds/001 模式二: a free edition plus a paid ``ee/`` tree under a commercial license, a
    CLA keeping the rights with the company — the open-core shape (GitLab, JumpServer)."""
    verdict = built["doc"]["verdict"]
    assert verdict["stance"] == "hybrid"
    # The paid edition in place is measured evidence for open core (the rule that says so).
    assert verdict["model"] == "open_core"
    reasons = {r["rule"] for r in built["doc"]["documents"]["assess"]["business_models"][0]["reasons"]}
    assert "model.enterprise_edition_in_place" in reasons


def test_every_sensitivity_claim_holds_when_the_value_is_declared(built, repo, tmp_path) -> None:
    doc = built["doc"]
    assert doc["sensitivity"], "an unconfirmed market and goals must move something"
    for claim in doc["sensitivity"][:4]:
        profile = load_profile(built["out"] / "case.profile.yaml")
        section, key = claim["path"].split(".", 1)
        field_value = claim["values"][0]
        if isinstance(_field(doc, claim["path"])["value"], list) or claim["path"] in (
            "product.delivery",
            "product.enterprise_needs",
            "product.buyer_kinds",
            "org.complementary_assets",
            "market.competitors",
            "project.open_artefacts",
        ):
            field_value = [field_value]
        profile.setdefault(section, {})[key] = field_value
        path = tmp_path / f"{section}.{key}.yaml"
        path.write_text(yaml.safe_dump(profile, allow_unicode=True))
        out = tmp_path / f"{section}.{key}.json"
        run("dossier", str(repo), "--profile", str(path), "-o", str(out), "--db", str(built["db"]), "-q")
        after = json.loads(out.read_text())
        assert _field(after, claim["path"])["provenance"] == "declared"
        got = after["verdict"]
        for part in claim["changes"]:
            expected = claim["after"][part]
            if part == "license":
                lic = got["license"]
                assert f"{lic['action']}:{lic['family'] or lic['current'] or '-'}" == expected
            elif part == "investor":
                assert got["investor"] == expected
            else:
                assert got[part] == expected, (claim["text"], got[part])


def test_revenue_is_forecast_from_a_declared_funnel(repo, tmp_path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("name: vault\nproject:\n  stars: 20000\n  monthly_downloads: 50000\n")
    out = tmp_path / "case.json"
    run("dossier", str(repo), "--profile", str(profile), "-o", str(out), "--db", str(tmp_path / "s.duckdb"), "-q")
    fc = json.loads(out.read_text())["forecast"]
    stages = {s["stage"]: s for s in fc["funnel"]}
    assert stages["stars"]["value"] == 20000 and stages["stars"]["provenance"] == "declared"
    assert stages["downloads"]["value"] == 50000
    assert fc["models"]
    for m in fc["models"]:
        assert 0 <= m["arr"]["p10"] <= m["arr"]["p50"] <= m["arr"]["p90"]
        assert 0 <= m["probability_arr_1m"] <= 1


ENGLISH_ID = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\b")


def test_chinese_prose_has_no_english_ids_or_field_paths(repo, tmp_path) -> None:
    out = tmp_path / "zh.json"
    run("dossier", str(repo), "-o", str(out), "--db", str(tmp_path / "s.duckdb"), "--lang", "zh", "-q")
    doc = json.loads(out.read_text())
    v = doc["verdict"]
    prose = [v["paragraph"], v["stance_name"], v["model_name"], v["investor_name"]]
    prose += [c["text"] for c in v["changes"]] + [s["text"] for s in doc["sensitivity"]]
    prose += [f["name"] + f["shown"] + f["provenance_name"] for f in doc["profile"]["fields"]]
    prose += [f"{fact['name']}{fact['value']}{fact['provenance']}" for d in v["drivers"] for fact in d["facts"]]
    # where each default price comes from: a citation, written in Chinese around its URLs
    assert doc["forecast"]["models"]
    assert all(re.search(r"[\u4e00-\u9fff]", m["pricing_source"]) for m in doc["forecast"]["models"])
    enum_ids = {"open", "closed", "hybrid", "open_core", "managed_cloud", "not_yet", "conditional", "inferred"}
    for text in prose:
        assert not ENGLISH_ID.search(text), text
        words = set(re.findall(r"[a-z_]+", text))
        assert not words & enum_ids, text
        assert re.search(r"[\u4e00-\u9fff]", text) or re.fullmatch(r"[\d.,%\s—A-Za-z\-]+", text), text


def test_the_evidence_column_names_documents_not_field_paths(repo, tmp_path) -> None:
    """Rule 7 for the evidence of each fact: a quote from the repository (a file name) stays
    as it is, a measurement names the document it came from in the reader's language, and
    the Compose count reads as a sentence — the reference itself is kept in ``source``."""
    out = tmp_path / "zh.json"
    run("dossier", str(repo), "-o", str(out), "--db", str(tmp_path / "s.duckdb"), "--lang", "zh", "-q")
    fields = {f["path"]: f for f in json.loads(out.read_text())["profile"]["fields"]}
    reference = re.compile(r"^(report|license|events|finance|git|compose): ?[a-z]")
    for f in fields.values():
        for item in f["evidence"]:
            assert not reference.match(item), (f["path"], item)
            assert not re.search(r"\b(services|stateful|Signed-off-by in)\b", item), (f["path"], item)
    # The fixture's Compose file: app, db (postgres), cache (redis) — three services, two stateful.
    complexity = fields["product.operational_complexity"]["evidence"]
    assert complexity == ["docker-compose.yml", "3 个服务", "有状态服务：cache, db"]
    bus = fields["project.bus_factor"]
    assert bus["evidence"] == ["健康报告（git 历史）"] and bus["source"] == "report:community.bus_factor_12m"
    assert fields["project.license"]["evidence"][-1] == "许可证扫描"
    assert "LICENSE" in fields["project.license"]["evidence"]


def test_markdown_and_html_carry_the_verdict_and_escape_the_repository(repo, tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    run("dossier", str(repo), "-o", str(tmp_path / "d.md"), "--db", db, "-q")
    run("dossier", str(repo), "-o", str(tmp_path / "d.html"), "--db", db, "-q")
    md = (tmp_path / "d.md").read_text()
    html = (tmp_path / "d.html").read_text()
    assert "## Verdict" in md and "Open core" in md
    assert 'data-part="stance">hybrid<' in html

    # Rule ids stay in the appendix: none appears before it.
    body, _, appendix = html.partition('id="appendix"')
    rules = re.findall(r'<td class="rule">([^<]+)</td>', appendix)
    assert rules
    assert not any(rule in body for rule in rules)


def test_the_pdf_is_a4_readable_chinese_page_by_page_with_rule_ids_only_in_the_appendix(repo, tmp_path) -> None:
    """Printed by the real Chromium, opened by PDFium: each page rendered to a PNG must carry
    ink, the verdict's Chinese words must be on the first page, and no rule id of the
    appendix may appear on a page before it."""
    import pypdfium2 as pdfium

    from tests.pdf_helpers import gray, ink_share, page_text

    pdf = tmp_path / "dossier.pdf"
    run("dossier", str(repo), "-o", str(pdf), "--db", str(tmp_path / "s.duckdb"), "--lang", "zh", "-q")
    assert pdf.read_bytes().startswith(b"%PDF-")
    run("dossier", str(repo), "-o", str(tmp_path / "d.json"), "--db", str(tmp_path / "s.duckdb"), "--lang", "zh", "-q")
    doc = json.loads((tmp_path / "d.json").read_text())
    document = pdfium.PdfDocument(str(pdf))
    texts = []
    assert len(document) >= 2
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
        assert 0.001 < ink_share(gray(page, png=tmp_path / f"page-{index + 1}.png")) < 0.5, index
        texts.append(page_text(page))
    first = texts[0].replace(" ", "")
    assert "项目档案" in first and "结论" in first
    assert doc["verdict"]["stance_name"] in first
    rules = [r["rule"] for r in doc["documents"]["assess"]["stance"]["reasons"]] + [
        r["rule"] for risk in doc["documents"]["assess"]["risks"] for r in risk["reasons"]
    ]
    assert rules
    where = next(i for i, text in enumerate(texts) if "附录" in text)
    assert where >= 1
    for text in texts[:where]:
        for rule in rules:
            assert rule not in text
    assert any(rule in "".join(texts[where:]) for rule in rules)


def test_a_weak_inference_is_asked_not_reasoned_on() -> None:
    """Below the confidence the accuracy bench justifies (signals.yaml ``use_at_confidence``),
    an inferred value stays a suggestion: the profile leaves the field unknown."""
    from osslever.models.dossier import merge_profile
    from osslever.models.profile_inference import signals

    floor = float(signals()["use_at_confidence"])

    def inference(confidence: float) -> dict:
        spec = {"value": "database", "provenance": "inferred", "confidence": confidence, "evidence": [], "source": ""}
        return {"fields": {"product.category": spec}, "unknown": [], "files_seen": 1}

    weak, origin = merge_profile(None, inference(floor - 0.01), "x")
    assert "category" not in weak.get("product", {})
    assert origin["product.category"]["provenance"] == "assumed"
    assert origin["product.category"]["suggested"] == "database"
    strong, origin = merge_profile(None, inference(floor), "x")
    assert strong["product"]["category"] == "database"
    assert origin["product.category"]["provenance"] == "inferred"
    declared, origin = merge_profile({"name": "x", "product": {"category": "library"}}, inference(0.99), "x")
    assert declared["product"]["category"] == "library" and origin["product.category"]["provenance"] == "declared"


def test_models_that_tie_on_the_known_facts_are_said_to_tie(tmp_path) -> None:
    """A plain library with nobody declared as buyer: several models score the same, and the
    dossier names none of them as the answer (an alphabetical first is not an argument)."""
    root = tmp_path / "lib"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# tinylib\n\nA small Python library for parsing dates.\n")
    (root / "pyproject.toml").write_text('[project]\nname = "tinylib"\ndescription = "A Python library"\n')
    (root / "LICENSE").write_text(license_text("mit"))
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start")
    out = tmp_path / "d.json"
    run("dossier", str(root), "-o", str(out), "--db", str(tmp_path / "s.duckdb"), "-q")
    doc = json.loads(out.read_text())
    verdict, assess = doc["verdict"], doc["documents"]["assess"]
    viable = [m for m in assess["business_models"] if m["viable"]]
    tied = [m["id"] for m in viable if m["total"] == viable[0]["total"]]
    assert len(tied) >= 2 and verdict["model"] is None and verdict["model_candidates"] == tied
    assert "undecided between" in verdict["model_name"] and "No business model is chosen yet" in verdict["paragraph"]


def test_the_last_release_is_the_newest_and_the_highest_version_is_named_beside_it(tmp_path) -> None:
    """A patch to an old line tagged after the newest line (express: 4.22.2 after 5.2.1)."""
    from osslever.metrics.community.release_cadence import latest_release

    root = tmp_path / "lines"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# lines\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start", date="2025-01-05T10:00:00")
    _git(root, "tag", "-a", "-m", "v2", "v2.0.0", date="2025-03-01T10:00:00")
    _git(root, "tag", "-a", "-m", "v1 patch", "v1.9.1", date="2025-06-01T10:00:00")
    db = str(tmp_path / "s.duckdb")
    for lang, row in (
        ("en", "<td>v1.9.1 (2025-06-01); highest version v2.0.0</td>"),
        ("zh", "<td>v1.9.1 (2025-06-01)；最高版本 v2.0.0</td>"),
    ):
        run("dossier", str(root), "-o", str(tmp_path / f"d-{lang}.html"), "--db", db, "--lang", lang, "-q")
        assert row in (tmp_path / f"d-{lang}.html").read_text()
    # one line only: nothing beside it; a report written before the newest-by-date field: the highest
    same = {"last_release": "v2.0.0", "last_release_date": "2025-03-01", "last_tagged_release": "v2.0.0"}
    same["last_tagged_release_date"] = "2025-03-01"
    assert latest_release(same) == ("v2.0.0", "2025-03-01", None)
    assert latest_release({"last_release": "v2.0.0", "last_release_date": "2025-03-01"}) == (
        "v2.0.0",
        "2025-03-01",
        None,
    )
