"""Package downloads from a loopback server that answers in each registry's documented shapes.

Counts are made so totals can be added up by hand: on npm, a day's count is its day of
the month (January 2024 = 1 + 2 + … + 31 = 496); on pypistats, 10 a day; on crates.io,
3 per version per day plus 1 from the "extra" versions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from osslever.errors import UserError
from osslever.metrics.downloads import package_downloads
from osslever.sources.downloads import PackageSpec, ingest, ingest_export, packages_of, parse_spec
from osslever.sources.http import JsonClient, retry_after
from osslever.store import Store

PYPI_LAST = date(2024, 12, 31)
PYPI_DAYS = 180


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class _Registry(BaseHTTPRequestHandler):
    hits: list[str] = []
    throttle_once: set[str] = set()
    pulls = 1000

    def _send(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        url = urlparse(self.path)
        path = unquote(url.path)
        type(self).hits.append(path)
        if path in type(self).throttle_once:
            type(self).throttle_once.discard(path)
            # An HTTP-date Retry-After, one second from now (RFC 9110 §10.2.3).
            self._send(429, {"error": "slow down"}, {"Retry-After": formatdate(usegmt=True)})
            return
        if path.startswith("/downloads/range/"):
            span, _, package = path[len("/downloads/range/") :].partition("/")
            if package == "missing":
                self._send(404, {"error": "package missing not found"})
                return
            first, last = (date.fromisoformat(x) for x in span.split(":"))
            if (last - first).days > 547:
                self._send(400, {"error": "range too long"})
                return
            rows = [{"downloads": d.day, "day": d.isoformat()} for d in _days(first, last)]
            self._send(200, {"start": str(first), "end": str(last), "package": package, "downloads": rows})
            return
        if path.startswith("/api/packages/") and path.endswith("/overall"):
            days = _days(PYPI_LAST - timedelta(days=PYPI_DAYS - 1), PYPI_LAST)
            rows = [{"category": "with_mirrors", "date": d.isoformat(), "downloads": 99} for d in days]
            rows += [{"category": "without_mirrors", "date": d.isoformat(), "downloads": 10} for d in days]
            self._send(200, {"data": rows, "package": path.split("/")[3], "type": "overall_downloads"})
            return
        if path.startswith("/api/v1/crates/") and path.endswith("/downloads"):
            days = _days(date(2024, 10, 3), date(2024, 12, 31))
            versions = [{"version": v, "downloads": 3, "date": d.isoformat()} for v in (1, 2) for d in days]
            extra = [{"date": d.isoformat(), "downloads": 1} for d in days]
            self._send(200, {"version_downloads": versions, "meta": {"extra_downloads": extra}})
            return
        if path.startswith("/v2/repositories/"):
            type(self).pulls += 500
            self._send(200, {"name": "redis", "namespace": "library", "pull_count": type(self).pulls})
            return
        if path.startswith("/api/formula/"):
            installs = {"30d": {"wget": 300, "wget --HEAD": 5}, "90d": {"wget": 900}, "365d": {"wget": 3600}}
            self._send(200, {"name": "wget", "analytics": {"install": installs}})
            return
        if path == "/" and "query" in parse_qs(url.query):
            params = parse_qs(url.query)
            assert "{p:String}" in params["query"][0]  # the name travels as a parameter, not in the SQL
            first = date.fromisoformat(params["param_a"][0])
            last = date.fromisoformat(params["param_b"][0])
            rows = [{"day": d.isoformat(), "downloads": "7"} for d in _days(first, last) if d.day != 15]
            self._send(200, {"data": rows})
            return
        self._send(404, {"errors": [{"detail": "Not Found"}]})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def registry():
    _Registry.hits = []
    _Registry.throttle_once = set()
    _Registry.pulls = 1000
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {name: base for name in ("npm", "pypi", "clickpy", "crates", "docker", "homebrew")}
    server.shutdown()
    server.server_close()


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    yield s
    s.con.close()


def _client() -> tuple[JsonClient, list[float]]:
    waits: list[float] = []
    return JsonClient(sleep=waits.append), waits


def _month(doc: dict, key: str) -> dict:
    return next(m for m in doc["monthly"] if m["month"] == key)


def test_npm_is_read_in_pieces_shorter_than_its_limit(registry, store) -> None:
    client, _ = _client()
    report = ingest(
        store, [parse_spec("npm:@scope/x")], date(2023, 1, 1), date(2024, 12, 31), urls=registry, client=client
    )
    assert (report.packages, report.days, report.failed) == (1, 731, [])
    spans = [h.split("/")[3] for h in _Registry.hits if h.startswith("/downloads/range/")]
    assert len(spans) == 2 and all(h.endswith("/@scope/x") for h in _Registry.hits)
    doc = package_downloads(store, "npm", "@scope/x")
    assert _month(doc, "2024-01") == {"month": "2024-01", "downloads": 496, "coverage": 1.0}
    assert _month(doc, "2024-02")["downloads"] == 435  # 1 + … + 29, a leap year
    assert len(doc["monthly"]) == 24
    # The last 30 days end on 2024-12-31: 2 + 3 + … + 31.
    assert doc["last_30_days"] == {"downloads": sum(range(2, 32)), "through": "2024-12-31"}


def test_a_rerun_replaces_and_never_double_counts(registry, store) -> None:
    spec = [parse_spec("npm:left-pad"), parse_spec("npm:left-pad")]  # named twice: read once
    for _ in range(2):
        ingest(store, spec, date(2024, 1, 1), date(2024, 1, 31), urls=registry, client=_client()[0])
    assert _month(package_downloads(store, "npm", "left-pad"), "2024-01")["downloads"] == 496


def test_unmeasured_months_are_null_never_zero(registry, store) -> None:
    # pypistats keeps 180 days (2024-07-05 … 2024-12-31); a whole year is asked for.
    ingest(store, [parse_spec("pypi:Requests")], date(2024, 1, 1), PYPI_LAST, urls=registry, client=_client()[0])
    doc = package_downloads(store, "pypi", "requests")
    assert [m["month"] for m in doc["monthly"]][0] == "2024-07"
    assert _month(doc, "2024-07") == {"month": "2024-07", "downloads": 270, "coverage": round(27 / 31, 4)}
    assert _month(doc, "2024-12")["downloads"] == 310  # without mirrors only: 31 × 10
    store.con.execute(
        "INSERT INTO download_coverage VALUES ('pypi', 'requests', 'pypistats', ?, ?, now())",
        [date(2024, 3, 1), date(2024, 3, 31)],
    )  # a measured March with no downloads at all
    doc = package_downloads(store, "pypi", "requests")
    assert _month(doc, "2024-03") == {"month": "2024-03", "downloads": 0, "coverage": 1.0}
    assert _month(doc, "2024-04") == {"month": "2024-04", "downloads": None, "coverage": 0.0}


def test_crates_sums_versions_and_extra_downloads(registry, store) -> None:
    ingest(
        store, [parse_spec("crates:serde")], date(2024, 1, 1), date(2024, 12, 31), urls=registry, client=_client()[0]
    )
    doc = package_downloads(store, "crates", "serde")
    assert _month(doc, "2024-11") == {"month": "2024-11", "downloads": 30 * 7, "coverage": 1.0}
    assert _month(doc, "2024-10")["coverage"] == round(29 / 31, 4)


def test_cumulative_pulls_are_readings_with_growth_between_them(registry, store) -> None:
    client = _client()[0]
    ingest(store, [parse_spec("docker:library/redis")], urls=registry, client=client)
    # A second reading, dated two days later.
    store.con.execute("UPDATE download_samples SET read_at = read_at - INTERVAL 2 DAY")
    ingest(store, [parse_spec("docker:library/redis")], urls=registry, client=client)
    doc = package_downloads(store, "docker", "library/redis")
    assert [s["value"] for s in doc["samples"]] == [1500, 2000]
    assert doc["monthly"] == []  # Docker Hub publishes no daily counts: none are invented
    assert [(g["increase"], g["per_day"]) for g in doc["growth"]] == [(500, 250.0)]


def test_homebrew_windows(registry, store) -> None:
    ingest(store, [parse_spec("homebrew:wget")], urls=registry, client=_client()[0])
    doc = package_downloads(store, "homebrew", "wget")
    assert {s["kind"]: s["value"] for s in doc["samples"]} == {
        "window_30d": 305,
        "window_90d": 900,
        "window_365d": 3600,
    }


def test_clickpy_history_uses_query_parameters(registry, store) -> None:
    ingest(
        store,
        [parse_spec("pypi:requests")],
        date(2020, 1, 1),
        date(2020, 1, 31),
        urls=registry,
        pypi_history="clickpy",
        client=_client()[0],
    )
    doc = package_downloads(store, "pypi", "requests")
    assert _month(doc, "2020-01") == {"month": "2020-01", "downloads": 30 * 7, "coverage": 1.0}


def test_rate_limits_are_waited_out_and_failures_stay_per_package(registry, store) -> None:
    _Registry.throttle_once = {"/downloads/range/2024-01-01:2024-01-31/react"}
    client, waits = _client()
    report = ingest(
        store,
        [parse_spec("npm:missing"), parse_spec("npm:react")],
        date(2024, 1, 1),
        date(2024, 1, 31),
        urls=registry,
        client=client,
    )
    assert report.packages == 1
    assert report.failed == [("npm:missing", "not found")]
    assert len(waits) == 1 and 0 <= waits[0] <= 60
    assert _month(package_downloads(store, "npm", "react"), "2024-01")["downloads"] == 496


def test_retry_after_forms() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("<html>busy</html>") is None


def test_bigquery_export(tmp_path, store) -> None:
    export = tmp_path / "pypi.csv"
    export.write_text("\ufeffday,project,downloads\n2019-05-01,foo,4\n2019-05-03,foo,6\n2019-05-01,bar,1\n")
    report = ingest_export(store, export)
    assert (report.packages, report.days) == (2, 3)
    doc = package_downloads(store, "pypi", "foo")
    assert _month(doc, "2019-05") == {"month": "2019-05", "downloads": 10, "coverage": round(3 / 31, 4)}
    bad = tmp_path / "bad.csv"
    bad.write_text("day,project,downloads\n2019-05-01,foo,-3\n")
    with pytest.raises(UserError) as err:
        ingest_export(store, bad)
    assert "row 2" in str(err.value.params)


@pytest.mark.parametrize("spec", ["npm", "maven:junit", "npm:../../etc", "pypi:", "docker:a/b/c"])
def test_bad_specs(spec: str) -> None:
    with pytest.raises(UserError):
        parse_spec(spec)


def test_own_packages_from_manifests(tmp_path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"name": "@acme/widget", "version": "1.0.0"}))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "Acme_Widget"\nversion = "1"\n')
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "acme"\nversion = "0.1.0"\npublish = false\n')
    assert packages_of(tmp_path) == [PackageSpec("npm", "@acme/widget"), PackageSpec("pypi", "acme-widget")]


def test_cli_reads_a_projects_own_packages(tmp_path, registry) -> None:
    project = tmp_path / "widget"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "widget", "version": "1.0.0"}))
    db = tmp_path / "cli.duckdb"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "osslever",
            "ingest",
            "downloads",
            str(project),
            "--project",
            "acme/widget",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "--url",
            f"npm={registry['npm']}",
            "--db",
            str(db),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "1 packages read: 31 daily counts" in run.stderr
    from osslever.metrics.downloads import project_downloads

    store = Store(db, read_only=True)
    docs = project_downloads(store, "acme/widget")
    store.con.close()
    assert [(d["ecosystem"], d["package"], _month(d, "2024-01")["downloads"]) for d in docs] == [("npm", "widget", 496)]
    bad = subprocess.run(
        [sys.executable, "-m", "osslever", "ingest", "downloads", "maven:x", "--db", str(db), "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "ECOSYSTEM:NAME" in bad.stderr


def test_report_and_strategy_evidence_carry_downloads(tmp_path, registry) -> None:
    from click.testing import CliRunner

    from osslever.cli import cli
    from osslever.metrics.downloads import latest_full_month, project_downloads
    from osslever.models.strategy.evidence import evidence_from_documents
    from tests.gitrepo import RepoBuilder

    builder = RepoBuilder(tmp_path / "widget")
    builder.commit("Ann", "ann@example.com", "2024-01-05T10:00:00", files={"package.json": '{"name": "widget"}'})
    root = builder.build()
    db = tmp_path / "r.duckdb"
    store = Store(db)
    ingest(store, [parse_spec("npm:widget")], date(2024, 1, 1), date(2024, 2, 10), urls=registry, client=_client()[0])
    store.con.close()
    result = CliRunner().invoke(cli, ["report", str(root), "--format", "json", "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    [package] = doc["downloads"]
    assert (package["ecosystem"], package["package"]) == ("npm", "widget")
    assert _month(package, "2024-02") == {"month": "2024-02", "downloads": 55, "coverage": round(10 / 29, 4)}
    markdown = CliRunner().invoke(cli, ["report", str(root), "--format", "md", "--db", str(db), "-q", "--lang", "zh"])
    assert "下载量" in markdown.output and "| 2024-01 | 496 | 100% |" in markdown.output
    # February is measured for 10 of 29 days: the evidence uses the last whole month, January.
    assert latest_full_month([package]) == {"month": "2024-01", "downloads": 496, "packages": 1}
    evidence = evidence_from_documents(events={"metrics": {}, "downloads": [package]})
    assert evidence["project.monthly_downloads"] == {"value": 496, "source": "events:downloads@2024-01"}
    store = Store(db, read_only=True)
    assert project_downloads(store, "nobody/else") == []
    store.con.close()
