"""Every GET route of a real server, crawled over a store full of hostile strings.

Two promises are checked here, over real HTTP against ``osslever serve``:

* **a GET never writes** (RFC 9110 §9.2.1: safe methods): once the server's startup
  work is done, the store's bytes and every table's content are the same before and
  after a crawl of every GET (and HEAD) route with hostile query strings;
* **no raw payload**: project, author, event, profile and billing data carrying
  script and attribute payloads, template syntax, bidi/zero-width characters and
  10,000-character names come back as inert text in every HTML page, and exactly
  as stored in every JSON answer.

The routes come from the application itself (``osslever.web.app.routes``), so a new
route is crawled without editing this file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import duckdb
import httpx
import pytest
from starlette.routing import Mount, Route

from osslever.web.app import routes
from tests.events_fixtures import SHARED, event, issue, write_gz
from tests.gitrepo import RepoBuilder
from tests.hostile._cli import run_inproc
from tests.web_helpers import ingest, running_server

pytestmark = pytest.mark.long  # ~40 s for the module: `pytest -m long` (README, .ci/run)

# -- the payloads ------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}${7*7}"
BIDI = "\u202eexe.txt\u200b\u2066x\u2069\ufeff"  # RTL override, zero-width space, isolates, BOM
TEXTAREA = "</textarea><script>alert(2)</script>"
LONG = "L" * 10_000 + IMG
PAYLOADS = (SCRIPT, IMG, TEMPLATE, BIDI, TEXTAREA)
# Markup a page may only ever carry because the template wrote it: data never adds these.
ACTIVE_ATTRS = ("onerror", "onload", "onclick", "onmouseover", "onfocus", "formaction", "srcdoc")

# git idents cannot hold '<' or '>' (git refuses them), so author names attack attributes
AUTHORS = [f'Mallory" onmouseover="alert(1)" x="{BIDI}', TEMPLATE, "Zed\u200b\u202e" + "z" * 300]
MESSAGE = "</script><script>alert(3)</script>"
# a folder name may hold anything but '/' and NUL (255 bytes at most)
FOLDER = IMG + TEMPLATE + BIDI
# a bare repository in a generic folder is named after its manifest: any string, any length
MANIFEST_NAME = BIDI + LONG
EVIL_REPO = "evil-org/evil-repo"
EVIL_ACTORS = [SCRIPT, IMG, TEMPLATE + BIDI]

PROFILE_NAME = "hostile (1)@x"
PROFILE_BODY = f"""# {TEXTAREA} {SCRIPT}
name: {json.dumps(SCRIPT + IMG + TEMPLATE + BIDI)}
market:
  stage: early
"""
BILLING_NAME = "hostile-billing.csv"
CUSTOMERS = [SCRIPT, IMG, TEMPLATE, BIDI, '=HYPERLINK("http://x","y")', LONG]


def _billing_csv() -> bytes:
    """A valid generic export (csv-quoted): hostile customer ids and plan names, 100 US$ apart."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["customer_id", "subscription_id", "plan", "start_date", "end_date", "amount", "currency", "interval"]
    )
    for i, name in enumerate(CUSTOMERS):
        writer.writerow([name, f"s{i}", TEXTAREA + IMG, f"2024-0{i + 1}-01", "", 100 * (i + 1), "USD", "month"])
    return out.getvalue().encode()


# -- the site ----------------------------------------------------------------------------


def _hostile_hour(path: Path) -> Path:
    """One GH Archive hour: hostile actor logins on a valid repository, plus issues."""
    records = [
        event("WatchEvent", actor, f"2016-07-07T01:0{i}:00Z", repo=EVIL_REPO) for i, actor in enumerate(EVIL_ACTORS)
    ]
    records += [
        event(
            "IssuesEvent",
            actor,
            f"2016-07-07T01:1{i}:00Z",
            repo=EVIL_REPO,
            payload={"action": "opened", "issue": issue(i + 1, actor, "2016-07-07T01:10:00Z")},
        )
        for i, actor in enumerate(EVIL_ACTORS)
    ]
    return write_gz(path, records)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawl")
    db = root / "s.duckdb"
    home = root / "home"
    # a work tree named with payloads, authors and messages with payloads
    evil = RepoBuilder(root / FOLDER)
    for i, name in enumerate(AUTHORS):
        evil.commit(name, f"m{i}@evil.example", f"2024-0{i + 1}-02T10:00:00", {f"f{i}": str(i)}, message=MESSAGE)
    # a bare repository in a folder called "repo": named by its package.json
    bare = RepoBuilder(root / "mirror" / "repo")
    bare.commit("Ann", "ann@example.org", "2024-02-01T10:00:00", {"package.json": json.dumps({"name": MANIFEST_NAME})})
    bare.commit("Ann", "ann@example.org", "2024-03-01T10:00:00", {"LICENSE": "MIT License\n"})
    ingest(db, evil.build(), bare.build(bare=True))
    hours = root / "hours"
    hours.mkdir()
    for src in sorted(SHARED.glob("*.json.gz")):
        shutil.copy(src, hours / src.name)
    _hostile_hour(hours / "2016-07-07-1.json.gz")
    proc = run_inproc("ingest", "gharchive", str(hours), "--db", str(db), "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    log = root / "server.log"
    with running_server(db, home, log) as base, httpx.Client(base_url=base, timeout=60) as client:
        # the writes a user makes from the pages, before anything is measured
        put = client.put(f"/api/profiles/{quote(PROFILE_NAME)}", json={"body": PROFILE_BODY, "project": "git:1"})
        assert put.status_code == 200, put.text
        up = client.put(f"/api/billing/{BILLING_NAME}", content=_billing_csv(), headers={"content-type": "text/csv"})
        assert up.status_code == 201, up.text
        assessed = client.post(f"/api/profiles/{quote(PROFILE_NAME)}/assess")
        assert assessed.status_code == 200, assessed.text
        projects = client.get("/api/projects").json()["projects"]
        yield {"base": base, "db": db, "log": log, "client": client, "projects": projects, "root": root}


# -- the crawl ---------------------------------------------------------------------------

HOSTILE_VALUES = [
    SCRIPT,
    IMG,
    TEMPLATE,
    BIDI,
    LONG,
    "' OR 1=1 --",
    "../../../../etc/passwd",
    "%00\x00",
    "-1",
    "9" * 40,
    "9999-12",
    "",
]
# names the handlers read (request.query_params); a name a route ignores costs nothing
PARAMS = ("q", "id", "project", "repo", "period", "by", "git_by", "top", "billing", "as_of", "profile", "lang")


def _legit(site: dict[str, Any]) -> dict[str, list[str]]:
    ids = [p["id"] for p in site["projects"]]
    gh = next(p["id"] for p in site["projects"] if p["kind"] == "events")
    return {
        "q": ["repo"],
        "id": ids[:2],
        "project": [ids[0]],
        "repo": [gh.removeprefix("gh:")],
        "period": ["2016-07"],
        "by": ["openrank"],
        "git_by": ["commits_total"],
        "top": ["5"],
        "billing": [BILLING_NAME],
        "as_of": ["2024-06"],
        "profile": [PROFILE_NAME],
        "lang": ["zh"],
    }


def _static_files() -> list[str]:
    folder = resources.files("osslever.web") / "static"
    return sorted(f"/static/{entry.name}" for entry in folder.iterdir() if entry.is_file())


def get_paths(site: dict[str, Any]) -> list[str]:
    """Every path a GET can reach: each GET route, its path parameters filled in several ways."""
    fills = {
        "name": [PROFILE_NAME, BILLING_NAME, *HOSTILE_VALUES[:5], "..", "%2e%2e%2fs.duckdb"],
        "job": ["0123456789abcdef", SCRIPT, "../../s.duckdb"],
    }
    paths: list[str] = []
    for route in routes():
        if isinstance(route, Mount):
            paths += _static_files() + [route.path + "/../s.duckdb", route.path + "/%2e%2e/s.duckdb"]
            continue
        assert isinstance(route, Route)
        if "GET" not in (route.methods or ()):
            continue
        variants = [route.path]
        for key, values in fills.items():
            if "{" + key + "}" in route.path:
                variants = [v.replace("{" + key + "}", quote(value, safe="")) for v in variants for value in values]
        assert all("{" not in v for v in variants), f"a path parameter without values: {route.path}"
        paths += variants
    return paths


def query_strings(site: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """No query; all legitimate; all one hostile value; each name hostile in turn."""
    legit = _legit(site)
    plain = [(k, v) for k in PARAMS for v in legit[k]]
    out = [[], plain]
    # (LONG in every name at once would be a 120 KB URL: over the server's request-line limit)
    out += [[(k, value) for k in PARAMS] for value in HOSTILE_VALUES if value is not LONG]
    for i, name in enumerate(PARAMS):
        for value in (LONG, HOSTILE_VALUES[i % len(HOSTILE_VALUES)], HOSTILE_VALUES[(i + 5) % len(HOSTILE_VALUES)]):
            out.append([(k, v) for k, v in plain if k != name] + [(name, value)])
    return out


def crawl(site: dict[str, Any], visit: Callable[[str, list, httpx.Response], None]) -> int:
    """GET (and HEAD) every path with every query string; ``visit`` sees each GET's answer."""
    client: httpx.Client = site["client"]
    count = 0
    for path in get_paths(site):
        for query in query_strings(site):
            resp = client.get(path, params=query)
            assert resp.status_code < 500, (path, query, resp.status_code, resp.text[:300])
            visit(path, query, resp)
            count += 1
        head = client.head(path)
        assert head.status_code < 500, (path, head.status_code)
        count += 1
    return count


# -- the store's state -------------------------------------------------------------------


def _bytes_digest(db: Path) -> str:
    """SHA-256 over the store file and its write-ahead log (what a write changes first)."""
    digest = hashlib.sha256()
    for part in (db, db.with_name(db.name + ".wal")):
        digest.update(part.name.encode())
        digest.update(part.read_bytes() if part.exists() else b"<absent>")
    return digest.hexdigest()


def _table_digests(db: Path, scratch: Path) -> dict[str, tuple[int, int]]:
    """Rows and an order-independent checksum of every table, read from a copy.

    The server holds the store's write lock, so DuckDB cannot open the file itself;
    a copy of the file and its WAL opened read-only shows the same committed data.
    """
    scratch.mkdir(exist_ok=True)
    copy = scratch / "copy.duckdb"
    for stale in (copy, copy.with_name(copy.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copy(db, copy)
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    con = duckdb.connect(str(copy), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {
            name: tuple(con.execute(f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{name}" t').fetchone())
            for name in tables
        }
    finally:
        con.close()


def wait_until_quiet(db: Path, settle: float = 1.0, timeout: float = 60) -> str:
    """The store's digest once it has stopped changing for ``settle`` seconds (checked, not assumed)."""
    deadline = time.monotonic() + timeout
    last, since = _bytes_digest(db), time.monotonic()
    while time.monotonic() - since < settle:
        assert time.monotonic() < deadline, "the store kept changing with no request running"
        time.sleep(0.1)
        now = _bytes_digest(db)
        if now != last:
            last, since = now, time.monotonic()
    return last


# -- what a response may carry -------------------------------------------------------------


def _template_tags() -> set[str]:
    """Every element some template writes: an element of any other kind came from data."""
    found: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.add(tag)

    # the site's own templates, and the report templates it serves whole (the dossier page)
    folders = (resources.files("osslever.web") / "templates", resources.files("osslever.outputs") / "templates")
    for folder in folders:
        for template in folder.iterdir():
            if template.name.endswith(".j2"):
                Tags().feed(template.read_text(encoding="utf-8"))
    return found


class _Page(HTMLParser):
    """The markup of one page: elements, attributes, script blocks, textarea and text content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.textareas: list[str] = []
        self.text: list[str] = []
        self._open: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "textarea"):
            self._open, self._buffer = tag, []

    def handle_endtag(self, tag):
        if tag == self._open:
            content = "".join(self._buffer)
            if tag == "script":
                self.scripts.append((self.elements[-1][1] if self.elements else {}, content))
            else:
                self.textareas.append(content)
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._buffer.append(data)
        if self._open != "script":
            self.text.append(data)


# Where data-borne strings show up in JSON: each such string must hold one of these intact.
MARKERS = ("alert(", "{{7*7}}", "\u202e", "LLLLLLLLLL")
INTACT = (SCRIPT, IMG, TEMPLATE, BIDI, TEXTAREA, MESSAGE, LONG, *AUTHORS, *EVIL_ACTORS, *CUSTOMERS)
RAW_NEVER = (SCRIPT, IMG, TEXTAREA, MESSAGE, "<img", "<svg", "<iframe", "javascript:")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def json_problems(doc: Any, sent: list[str]) -> list[str]:
    """Strings that carry a payload fragment but no payload intact (escaped, cut or mangled)."""
    problems = []
    for text in _strings(doc):
        if any(m in text for m in MARKERS) and not any(p in text for p in (*INTACT, *sent)):
            problems.append(f"payload altered in JSON: {text[:120]!r}")
    return problems


def html_problems(html: str, allowed_tags: set[str], sent: list[str]) -> list[str]:
    problems = [f"raw {needle[:30]!r} in the HTML source" for needle in RAW_NEVER if needle.lower() in html.lower()]
    page = _Page()
    page.feed(html)
    page.close()
    for tag, attrs in page.elements:
        if tag not in allowed_tags:
            problems.append(f"<{tag}> is written by no template")
        for name, value in attrs.items():
            if name.startswith("on") or name in ACTIVE_ATTRS:
                problems.append(f"<{tag} {name}=...> from data")
            link = (value or "").strip().lower()
            if name in ("href", "src", "action") and link.startswith(("javascript:", "data:", "vbscript:")):
                if (tag, name, link) == ("link", "href", "data:,"):
                    continue  # base.html.j2's empty favicon: no request for /favicon.ico
                problems.append(f"<{tag} {name}={value[:40]!r}>")
    for attrs, content in page.scripts:
        if attrs.get("type") == "application/json" and attrs.get("id") == "osl-data":
            problems += json_problems(json.loads(content), sent)
        elif not ((attrs.get("src") or "").startswith("/static/") and not content.strip()):
            problems.append(f"an inline <script> {attrs} {content[:60]!r}")
    return problems


# -- the crawl, once for both tests ----------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """Wait for a quiet store, digest it, crawl every GET route, digest it again.

    Startup work (the OpenRank refresh, ``Backend.refresh``) runs before the server
    listens, so ``/api/health`` answering (``running_server``) is the signal it is over;
    the uploads in ``site`` are synchronous. The digest must also have stopped moving
    before it counts (``wait_until_quiet``). Every answer is checked as it comes.
    """
    db = site["db"]
    scratch = tmp_path_factory.mktemp("digests")
    assert site["client"].get("/api/health").status_code == 200
    before = (wait_until_quiet(db), _table_digests(db, scratch / "before"))
    allowed = _template_tags()
    problems: list[str] = []
    kinds = {"html": 0, "json": 0}

    def visit(path: str, query: list, resp: httpx.Response) -> None:
        sent = [v for _, v in query if len(v) > 3] + [unquote(p) for p in path.split("/") if len(p) > 3]
        kind = resp.headers.get("content-type", "").split(";")[0]
        where = f"{path}?{urlencode(query)[:80]}"
        if kind == "text/html":
            kinds["html"] += 1
            problems.extend(f"{where}: {p}" for p in html_problems(resp.text, allowed, sent))
        elif kind == "application/json":
            kinds["json"] += 1
            problems.extend(f"{where}: {p}" for p in json_problems(resp.json(), sent))

    started = time.monotonic()
    requests = crawl(site, visit)
    seconds = time.monotonic() - started
    after = (wait_until_quiet(db), _table_digests(db, scratch / "after"))
    return {"before": before, "after": after, "requests": requests, "seconds": seconds, "problems": problems, **kinds}


# -- the tests ---------------------------------------------------------------------------


def test_a_get_never_writes_the_store(crawled):
    """Safe methods must be safe: a crawler following every link must not change the store."""
    (bytes_before, tables_before), (bytes_after, tables_after) = crawled["before"], crawled["after"]
    assert tables_before.get("gh_events", (0,))[0] > 0 and tables_before["git_commits"][0] > 0
    assert tables_before["web_profiles"][0] == 1 and tables_before["web_billing"][0] == 1
    assert tables_before["web_assessments"][0] == 1 and tables_before["gh_openrank"][0] > 0
    assert crawled["requests"] > 1000
    changed = sorted(n for n in set(tables_before) | set(tables_after) if tables_before.get(n) != tables_after.get(n))
    assert changed == [], f"GET requests changed the tables {changed}"
    assert bytes_after == bytes_before, "GET requests changed the store file or its WAL"


def test_no_page_or_answer_carries_a_raw_payload(crawled, site):
    print({k: v for k, v in crawled.items() if k in ("requests", "seconds", "html", "json")})
    assert crawled["html"] > 250 and crawled["json"] > 300
    assert crawled["problems"] == [], "\n".join(crawled["problems"][:20])
    assert "Traceback" not in site["log"].read_text()


def test_payloads_are_shown_as_typed(site):
    """Inert is not enough: the names are on the pages as text, the JSON holds them exactly."""
    client: httpx.Client = site["client"]

    def text(url: str, **params: str) -> _Page:
        page = _Page()
        page.feed(client.get(url, params=params).text)
        return page

    listing = "".join(text("/").text)
    assert FOLDER in listing and MANIFEST_NAME in listing
    evil = "".join(text("/project", id="git:1").text)
    assert FOLDER in evil and all(name in evil for name in AUTHORS)  # {{7*7}} shown, not 49
    assert MANIFEST_NAME in "".join(text("/project", id="git:2").text)
    assert text("/assess", profile=PROFILE_NAME).textareas == [PROFILE_BODY]  # no </textarea> break-out
    search = [a for tag, a in text("/", q=SCRIPT).elements if tag == "input" and a.get("name") == "q"]
    assert [a["value"] for a in search] == [SCRIPT]  # the search box echoes the query, as a value

    names = {p["name"] for p in client.get("/api/projects").json()["projects"]}
    assert {FOLDER, MANIFEST_NAME} <= names
    report = client.get("/api/report", params={"project": "git:1"}).json()
    assert report["repository"]["name"] == FOLDER
    assert {p["name"] for p in report["community"]["top_contributors_all"]} == set(AUTHORS)
    assert client.get(f"/api/profiles/{quote(PROFILE_NAME)}").json()["body"] == PROFILE_BODY
    latest = client.get("/api/assessments/latest", params={"profile": PROFILE_NAME}).json()
    assert latest["document"]["name"] == SCRIPT + IMG + TEMPLATE + BIDI
    finance = client.get("/api/finance", params={"billing": BILLING_NAME}).json()
    assert {c["customer_id"] for c in finance["top_customers"]} == set(CUSTOMERS)
    assert finance["mrr"] == sum(100 * (i + 1) for i in range(len(CUSTOMERS)))
