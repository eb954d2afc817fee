"""Security of the dashboard: headers, token, sessions, cross-site writes, hosts, escaping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from osslever.cli import main
from osslever.web import create_app
from osslever.web.security import LOOPBACK_NAMES, is_loopback
from tests.web_helpers import ALPHA, build_repo, ingest

TOKEN = "s3cret-token-0123456789abcdef"
PAYLOAD_DIR = "<img src=x onerror=alert(1)>"
# git idents cannot hold < or >, so the author payloads attack attributes and templates instead
AUTHORS = ['Mallory" onmouseover="alert(1)', "&lt;script&gt;alert(2)&lt;/script&gt;", "{{7*7}}${7*7}"]
MESSAGE = "</script><script>alert(3)</script>"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    ingest(path, build_repo(tmp_path / "alpha", ALPHA))
    return path


class _Scripts(HTMLParser):
    """Collects what CSP would have to allow: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self.json_blocks = 0
        self._in_inline = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.handlers += [k for k in names if k.startswith("on")]
        if "style" in names:
            self.styles.append(tag)
        if tag == "style":
            self.styles.append("<style>")
        if tag == "script":
            if names.get("type") == "application/json":
                self.json_blocks += 1
            elif "src" not in names:
                self._in_inline = True
                self.inline.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline = False


PAGES = [
    "/",
    "/compare",
    "/rankings",
    "/finance",
    "/assess",
    "/project?id=git:1",
    "/compare?id=git:1&id=git:1",
    "/login",
]


def test_every_response_has_strict_headers(db):
    with TestClient(create_app(db)) as c:
        for url in [*PAGES, "/api/health", "/api/projects", "/static/app.js", "/no/such/page"]:
            headers = c.get(url).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_handlers_or_styles(db):
    with TestClient(create_app(db)) as c:
        for url in PAGES:
            html = c.get(url).text
            found = _Scripts()
            found.feed(html)
            assert found.inline == [] and found.handlers == [] and found.styles == [], url
            assert found.json_blocks <= 1


def test_token_is_required_when_configured(db):
    with TestClient(create_app(db, token=TOKEN)) as c:
        denied = c.get("/api/projects")
        assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/api/projects", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/projects", headers={"Authorization": TOKEN}).status_code == 401
        assert c.get("/api/projects", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        page = c.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        assert c.get("/static/style.css").status_code == 200  # the login page needs its CSS


def test_login_exchanges_the_token_for_a_session_that_is_not_the_token(db):
    with TestClient(create_app(db, token=TOKEN)) as c:
        wrong = c.post("/login", data={"token": "guess-" + TOKEN[:5]}, follow_redirects=False)
        assert wrong.status_code == 401 and "guess-" not in wrong.text
        right = c.post("/login", data={"token": TOKEN}, follow_redirects=False)
        assert right.status_code == 303
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert TOKEN not in cookie
        assert c.get("/api/projects").status_code == 200  # the cookie now authenticates
        for url in PAGES:
            response = c.get(url)
            assert TOKEN not in response.text and TOKEN not in str(response.headers)


def test_cross_site_writes_are_refused(db):
    with TestClient(create_app(db)) as c:
        evil = c.put("/api/profiles/x", json={"body": "name: x"}, headers={"Origin": "http://evil.example"})
        assert evil.status_code == 403
        fetch_site = c.put("/api/profiles/x", json={"body": "name: x"}, headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch_site.status_code == 403
        same = c.put("/api/profiles/x", json={"body": "name: x"}, headers={"Origin": "http://testserver"})
        assert same.status_code == 200


def test_loopback_server_refuses_other_host_headers(db):
    with TestClient(create_app(db, allowed_hosts=[*LOOPBACK_NAMES]), base_url="http://127.0.0.1:8765") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"Host": "rebind.evil.example"}).status_code == 400


def test_serve_refuses_public_bind_without_token(monkeypatch, capsys):
    monkeypatch.delenv("OSSLEVER_TOKEN", raising=False)
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--host", "0.0.0.0", "--lang", "en"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "$OSSLEVER_TOKEN" in err and "0.0.0.0" in err


def test_serve_refuses_short_token_without_printing_it(monkeypatch, capsys):
    monkeypatch.setenv("MY_TOKEN", "short-xyz")
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--host", "0.0.0.0", "--token-env", "MY_TOKEN", "--lang", "en"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "MY_TOKEN" in err and "short-xyz" not in err


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def build_payload_repo(tmp_path: Path) -> Path:
    from tests.gitrepo import RepoBuilder

    builder = RepoBuilder(tmp_path / PAYLOAD_DIR)
    for i, name in enumerate(AUTHORS):
        builder.commit(name, f"m{i}@evil.example", f"2024-0{i + 1}-02T10:00:00", {f"f{i}": str(i)}, message=MESSAGE)
    return builder.build()


def test_payloads_in_names_render_as_text(tmp_path):
    db = tmp_path / "xss.duckdb"
    ingest(db, build_payload_repo(tmp_path))
    with TestClient(create_app(db)) as c:
        html = c.get("/project?id=git:1").text
        listing = c.get("/").text
    for page in (html, listing):
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'onmouseover="alert' not in html and "Mallory&#34; onmouseover=&#34;alert(1)" in html
    assert "&amp;lt;script&amp;gt;" in html  # the literal entity text, escaped once more
    assert "{{7*7}}${7*7}" in html  # shown as typed, never evaluated
    block = html.split('<script type="application/json" id="osl-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block  # tojson escapes them as \u003c / \u003e


def test_cli_json_and_api_agree_on_payload_names(tmp_path):
    repo = build_payload_repo(tmp_path)
    db = tmp_path / "x.duckdb"
    result = CliRunner().invoke(
        __import__("osslever.cli", fromlist=["cli"]).cli,
        ["report", str(repo), "--db", str(db), "--format", "json", "-q"],
    )
    assert result.exit_code == 0, result.output
    with TestClient(create_app(db)) as c:
        names = {
            p["name"]
            for p in c.get("/api/report", params={"project": "git:1"}).json()["community"]["top_contributors_all"]
        }
    assert names == set(AUTHORS)


def test_real_server_never_logs_the_token(db, tmp_path):
    import httpx

    from tests.web_helpers import running_server

    log = tmp_path / "server.log"
    with running_server(db, tmp_path / "home", log, extra_env={"OSSLEVER_TOKEN": TOKEN}) as base:
        assert httpx.get(base + "/api/projects").status_code == 401
        good = httpx.get(base + "/api/projects", headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200
        httpx.post(base + "/login", data={"token": TOKEN + "x"})
        httpx.post(base + "/login", data={"token": TOKEN})
    text = log.read_text()
    assert '"GET /api/projects HTTP/1.1" 200' in text  # the access log is on
    assert TOKEN not in text
