"""The finance commands end to end: formats, languages, one-line errors, safe HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osslever import i18n
from osslever.cli import main
from tests.finance_helpers import billing_csv

EXAMPLE = Path(__file__).parents[1] / "examples" / "scenario.yaml"


@pytest.fixture(autouse=True)
def _reset_lang():
    yield
    i18n.use(None)


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_metrics_json_and_html_escape_customer_ids(tmp_path, capsys):
    path = billing_csv(
        tmp_path,
        [
            "<script>alert(1)</script>,s1,p,2024-01-01,,100,USD,month,1",
            "B,s2,p,2024-02-01,,50,USD,month,1",
        ],
    )
    code, out, _ = run(["finance", "metrics", str(path), "--as-of", "2024-03", "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["mrr"] == 150.0 and [m["month"] for m in doc["movements"]] == ["2024-01", "2024-02", "2024-03"]
    html_file = tmp_path / "r.html"
    code, _, _ = run(
        [
            "finance",
            "metrics",
            str(path),
            "--as-of",
            "2024-03",
            "--format",
            "html",
            "--lang",
            "zh",
            "-o",
            str(html_file),
        ],
        capsys,
    )
    html = html_file.read_text(encoding="utf-8")
    assert code == 0 and "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<svg" in html and "收入指标" in html and "http" not in html.split("</style>")[0]


def test_metrics_markdown_lists_skipped_rows(tmp_path, capsys):
    path = billing_csv(tmp_path, ["A,a1,p,2024-01-01,,100,USD,month,1", "B,b1,p,2024-01-01,,-3,USD,month,1"])
    code, out, _ = run(
        ["finance", "metrics", str(path), "--as-of", "2024-01", "--format", "md", "--skip-bad-rows", "--lang", "en"],
        capsys,
    )
    assert code == 0 and "| 3 | amount |" in out and "negative" in out


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    path = billing_csv(tmp_path, ["A,a1,p,2024-05-01,2024-01-01,100,USD,month,1"])
    code, out, err = run(["finance", "metrics", str(path), "--lang", "en"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "row 2, column end_date" in err and "Traceback" not in err


def test_forecast_formats(tmp_path, capsys):
    code, out, _ = run(["forecast", str(EXAMPLE), "--paths", "200", "--seed", "5", "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["paths"] == 200 and doc["seed"] == 5
    assert {m["id"] for m in doc["models"]} >= {"managed_cloud", "usage_api", "open_core"}
    html_file = tmp_path / "f.html"
    code, _, _ = run(
        [
            "forecast",
            str(EXAMPLE),
            "--paths",
            "200",
            "--seed",
            "5",
            "--format",
            "html",
            "--lang",
            "en",
            "-o",
            str(html_file),
        ],
        capsys,
    )
    html = html_file.read_text(encoding="utf-8")
    assert code == 0 and html.count("<svg") >= 2 * len(doc["models"]) - 1
    code, out, _ = run(["forecast", str(EXAMPLE), "--paths", "200", "--seed", "5", "--lang", "zh"], capsys)
    assert code == 0 and "按商业模式的收入预测" in out


def test_forecast_unknown_key_message(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: x\nfunnel: {users: {initial: 10}}\nmodels:\n  open_core:\n    pricing: {price_yaer: 100}\n",
        encoding="utf-8",
    )
    code, _, err = run(["forecast", str(scenario), "--lang", "en"], capsys)
    assert code == 2
    assert "models.open_core.pricing.price_yaer" in err and "price_year" in err
