"""PDF printing with the real headless Chromium, checked page by page with a real PDF library.

Needs Debian's ``chromium`` and a CJK font (``fonts-noto-cjk``); ``.ci/run`` installs
both from ``.ci/apt-packages``. Without them these tests fail (with that instruction),
they never skip. Every PDF is opened with PDFium (``pypdfium2``, the PDF engine of
Chromium itself but a separate build): page count, page size, the text of each page and
each page rendered to a bitmap — so "the PDF shows Chinese" is seen, not assumed.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from osslever.errors import UserError
from osslever.outputs.pdf import html_to_pdf
from osslever.outputs.styles import font_css, print_css
from tests.pdf_helpers import differing, gray, ink_share, page_text

A4 = (595.28, 841.89)  # ISO 216: 210 mm x 297 mm in PostScript points (1/72 in)
ROWS = 90  # rows of the long table: more than one A4 page at 10.5 pt


@pytest.fixture(autouse=True)
def _require_tools():
    if shutil.which("chromium") is None and not os.environ.get("OSSLEVER_CHROMIUM"):
        pytest.fail("the PDF tests need Chromium: apt-get install chromium fonts-noto-cjk")
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    if not listed.strip():
        pytest.fail("the PDF tests need a Chinese font: apt-get install fonts-noto-cjk")


def _page(body: str, extra_css: str = "") -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>'
        f"<style>{font_css()}body{{font-size:10.5pt}}{extra_css}{print_css()}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


# --- a bilingual document of several pages -----------------------------------------------


def _bilingual() -> str:
    rows = "".join(f"<tr><td>第{n}行</td><td>row{n}</td><td>{n * 7}</td></tr>" for n in range(1, ROWS + 1))
    return _page(
        "<h1>开源战略档案 Open-source strategy dossier</h1>"
        "<p>本档案汇总社区健康、许可证与收入预测。This dossier gathers community health, license and revenue.</p>"
        "<table><thead><tr><th>指标 Metric</th><th>数值 Value</th></tr></thead><tbody>"
        "<tr><td>活跃贡献者 Active contributors</td><td>42</td></tr>"
        "<tr><td>巴士系数 Bus factor</td><td>3</td></tr></tbody></table>"
        '<h2 style="break-before:page">第二章 许可证 Chapter two: license</h2>'
        "<p>项目采用 Apache-2.0 许可证，允许闭源的商业发行。The project is licensed under Apache-2.0.</p>"
        '<h2 style="break-before:page">第三章 明细 Chapter three: details</h2>'
        "<table><thead><tr><th>序号 Index</th><th>英文 English</th><th>值 Value</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


@pytest.fixture(scope="module")
def bilingual_pdf(tmp_path_factory) -> pdfium.PdfDocument:
    out = tmp_path_factory.mktemp("pdf") / "dossier.pdf"
    html_to_pdf(_bilingual(), out)
    assert out.read_bytes().startswith(b"%PDF-")
    return pdfium.PdfDocument(out)


def test_every_page_is_a4_and_has_ink(bilingual_pdf, tmp_path):
    assert len(bilingual_pdf) >= 4  # two forced breaks, then a table longer than a page
    for index, page in enumerate(bilingual_pdf):
        width, height = page.get_size()
        assert abs(width - A4[0]) < 1.5 and abs(height - A4[1]) < 1.5, (index, width, height)
        ink = ink_share(gray(page, png=tmp_path / f"page-{index + 1}.png"))
        assert 0.002 < ink < 0.5, (index, ink)  # not blank, not a black page


def test_each_page_holds_its_own_chinese_and_english_text(bilingual_pdf):
    pages = [page_text(page) for page in bilingual_pdf]
    first, second, rest = pages[0], pages[1], pages[2:]
    for expected in ("开源战略档案", "Open-source strategy dossier", "本档案汇总社区健康", "This dossier gathers"):
        assert expected in first
    for expected in ("指标 Metric", "活跃贡献者 Active contributors 42", "巴士系数 Bus factor 3"):
        assert expected in first
    assert "第二章" not in first and "第三章" not in first
    assert "第二章 许可证 Chapter two: license" in second
    assert "允许闭源的商业发行" in second and "licensed under Apache-2.0" in second
    assert "开源战略档案" not in second and "第三章" not in second
    assert "第三章 明细 Chapter three: details" in rest[0]
    assert all("第三章" not in text for text in rest[1:])


def test_a_long_table_breaks_between_rows_and_repeats_its_header(bilingual_pdf):
    rest = [page_text(page) for page in bilingual_pdf][2:]
    assert len(rest) >= 2
    where = {}
    for index, text in enumerate(rest):
        assert "序号 Index 英文 English 值 Value" in text, index  # the header on every page of the table
        for n in map(int, re.findall(r"第(\d+)行", text)):
            assert f"第{n}行 row{n} {n * 7}" in text, (index, n)  # a whole row on one page
            assert n not in where, n  # ... and on one page only
            where[n] = index
    assert sorted(where) == list(range(1, ROWS + 1))
    assert [where[n] for n in sorted(where)] == sorted(where.values())  # in order, page after page


# --- the CJK font really draws -------------------------------------------------------------


def test_chinese_characters_are_drawn_with_their_own_glyphs(tmp_path):
    """Without a CJK font Chromium draws every Chinese character as the same empty box.

    Three pages, one big character each: 永, 国 and 永 again. The two 永 pages must be
    the same (up to a few anti-aliased edge pixels: a difference means something) and the
    国 page must differ from them in a share of pixels twenty times larger. With fonts-noto-cjk hidden
    from fontconfig, 永 and 国 come out byte-for-byte identical and this test fails.
    """
    glyph = "<div class='g'>{}</div>"
    html = _page("".join(glyph.format(c) for c in "永国永"), ".g{font-size:220pt;line-height:1;break-after:page}")
    out = tmp_path / "glyphs.pdf"
    html_to_pdf(html, out)
    doc = pdfium.PdfDocument(out)
    assert len(doc) == 3
    assert [page_text(page) for page in doc] == ["永", "国", "永"]
    yong, guo, yong_again = (gray(page) for page in doc)
    assert all(ink_share(p) > 0.01 for p in (yong, guo))
    same, other = differing(yong, yong_again), differing(yong, guo)
    assert same < 0.001, same  # anti-aliasing may shift a few edge pixels, no more
    assert other > 0.02, f"永 and 国 drew the same shape ({other:.4f} of the pixels differ): no CJK font"


# --- offline: the page loads nothing -------------------------------------------------------


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        type(self).hits.append(self.path)
        body = b"body{color:red}"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _remote_page(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return _page(
        f"<style>@import url({base}/import.css);</style>"
        f'<link rel="stylesheet" href="{base}/link.css"><img src="{base}/img.png" alt="">'
        f'<script src="{base}/script.js"></script><iframe src="{base}/frame.html"></iframe>'
        f'<p style="background:url({base}/bg.png)">远程资源 remote resources</p>'
    )


def test_the_page_fetches_nothing_not_even_from_loopback(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = _remote_page(server.server_address[1])
        # Control: plain headless Chromium on the same page does fetch (so the counter works).
        page = tmp_path / "control.html"
        page.write_text(html, encoding="utf-8")
        plain = ["chromium", "--headless", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
        plain += ["--no-sandbox"] if os.geteuid() == 0 else []
        subprocess.run(
            [*plain, f"--print-to-pdf={tmp_path / 'control.pdf'}", page.as_uri()], capture_output=True, timeout=120
        )
        assert _Counting.hits, "the control run fetched nothing: the counter cannot see a fetch"
        _Counting.hits.clear()
        html_to_pdf(html, tmp_path / "offline.pdf")
        assert _Counting.hits == []
        assert "远程资源 remote resources" in page_text(pdfium.PdfDocument(tmp_path / "offline.pdf")[0])
    finally:
        server.shutdown()
        server.server_close()


# --- errors: one line, both languages ------------------------------------------------------


def _one_line(exc: UserError) -> tuple[str, str]:
    en, zh = exc.render("en"), exc.render("zh")
    assert "\n" not in en and "\n" not in zh
    return en, zh


def test_a_missing_browser_is_one_line_saying_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("OSSLEVER_CHROMIUM", "/nonexistent")
    with pytest.raises(UserError) as caught:
        html_to_pdf(_page("<p>x</p>"), tmp_path / "x.pdf")
    en, zh = _one_line(caught.value)
    assert "OSSLEVER_CHROMIUM=/nonexistent" in en and "apt-get install chromium" in en
    assert "OSSLEVER_CHROMIUM=/nonexistent" in zh and "apt-get install chromium" in zh and "浏览器" in zh
    assert not (tmp_path / "x.pdf").exists()

    monkeypatch.delenv("OSSLEVER_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser anywhere on PATH
    with pytest.raises(UserError) as caught:
        html_to_pdf(_page("<p>x</p>"), tmp_path / "x.pdf")
    en, zh = _one_line(caught.value)
    assert "chromium, chromium-browser, google-chrome" in en and "apt-get install chromium" in en
    assert "apt-get install chromium" in zh and "找不到" in zh


def test_a_failing_browser_reports_its_exit_code(tmp_path, monkeypatch):
    monkeypatch.setenv("OSSLEVER_CHROMIUM", shutil.which("false") or "/bin/false")  # a real program that exits 1
    with pytest.raises(UserError) as caught:
        html_to_pdf(_page("<p>x</p>"), tmp_path / "x.pdf")
    en, zh = _one_line(caught.value)
    assert "exit code 1" in en and "退出码 1" in zh


def test_a_timeout_stops_every_browser_process_and_keeps_the_old_file(tmp_path, monkeypatch):
    """A 3000-row table takes this machine about 3.5 s to print; stopped after 1 s, mid-work.

    Every browser process carries its profile folder (under ``tmp_path``) on its command
    line, so none may be left alive (zombies have no command line: they are dead).
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the browser's profile lives under tmp_path
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"%PDF-old")
    rows = "".join(f"<tr><td>{n}</td><td>第{n}行</td></tr>" for n in range(3000))
    with pytest.raises(UserError) as caught:
        html_to_pdf(_page(f"<table>{rows}</table>"), out, timeout=1)
    en, zh = _one_line(caught.value)
    assert "within 1 s" in en and "1 秒" in zh
    assert out.read_bytes() == b"%PDF-old"
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if str(tmp_path).encode() in (proc / "cmdline").read_bytes():
                left.append(proc.name)
        except OSError:
            continue
    assert left == [], f"browser processes outlived the timeout: {left}"
    assert not list(tmp_path.glob("osslever-pdf-*"))  # the private folder is gone too


# --- the existing report prints in Chinese -------------------------------------------------


def test_the_chinese_report_prints_with_its_chinese_headings(tmp_path):
    from osslever.cli import cli
    from tests.gitrepo import RepoBuilder

    repo = RepoBuilder(tmp_path / "demo")
    repo.commit("张伟", "zhang@example.cn", "2025-01-05T10:00:00", {"README.md": "# 演示\n"}, message="初始提交")
    repo.commit("Alice Smith", "alice@example.org", "2025-02-10T10:00:00", {"a.py": "print(1)\n"})
    repo.commit("张伟", "zhang@example.cn", "2025-03-15T10:00:00", {"a.py": "print(2)\n"})
    path = repo.build()
    result = CliRunner().invoke(
        cli, ["report", str(path), "--format", "html", "--lang", "zh", "--db", str(tmp_path / "s.duckdb"), "-q"]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "report.pdf"
    html_to_pdf(result.output, out)
    doc = pdfium.PdfDocument(out)
    assert len(doc) >= 1
    for index, page in enumerate(doc):
        width, height = page.get_size()
        assert abs(width - A4[0]) < 1.5 and abs(height - A4[1]) < 1.5
        assert ink_share(gray(page, png=tmp_path / f"page-{index + 1}.png")) > 0.0005  # one line of text at least
    text = " ".join(page_text(page) for page in doc)
    for heading in ("社区健康报告：demo", "核心指标", "数字说明了什么", "每月提交数", "近 12 个月各组织的提交占比"):
        assert heading in text, heading
    assert "张伟" in text and "Alice Smith" in text
    assert "Community health report" not in text


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("args", "headings"),
    [
        (["assess", str(EXAMPLES / "profiles" / "gitlab.yaml"), "--format", "html"], ["战略评估——GitLab", "开源立场"]),
        (
            ["forecast", str(EXAMPLES / "scenario.yaml"), "--paths", "200", "--seed", "5", "--format", "html"],
            ["按商业模式的收入预测"],
        ),
        (["finance", "metrics", "BILLING", "--as-of", "2024-03", "--format", "html"], ["收入指标"]),
    ],
    ids=["assess", "forecast", "finance-metrics"],
)
def test_the_other_chinese_reports_print_on_a4_with_their_headings(args, headings, tmp_path):
    from osslever import i18n
    from osslever.cli import cli
    from tests.finance_helpers import billing_csv

    billing = billing_csv(tmp_path, ["甲公司,s1,p,2024-01-01,,100,USD,month,1", "B,s2,p,2024-02-01,,50,USD,month,1"])
    args = [str(billing) if a == "BILLING" else a for a in args]
    try:
        result = CliRunner().invoke(cli, [*args, "--lang", "zh"])
    finally:
        i18n.use(None)
    assert result.exit_code == 0, result.output
    out = tmp_path / "page.pdf"
    html_to_pdf(result.output, out)
    doc = pdfium.PdfDocument(out)
    for index, page in enumerate(doc):
        width, height = page.get_size()
        assert abs(width - A4[0]) < 1.5 and abs(height - A4[1]) < 1.5
        assert ink_share(gray(page, png=tmp_path / f"page-{index + 1}.png")) > 0.0005  # one line of text at least
    text = " ".join(page_text(page) for page in doc)
    for heading in headings:
        assert heading in text, heading
