"""Benchmark: a year of daily npm download series for 1,000 packages from a loopback server.

The baseline, measured in the same run against the same server, is the least any
client must do: the same 1,000 HTTP requests with one keep-alive httpx client and a
``json.loads`` of each answer, nothing stored. osslever's ingest adds validation,
coverage and one DuckDB transaction per package. Prints both times, their ratio,
throughput (daily counts per second) and peak memory.

    PYTHONPATH=src python bench/downloads_ingest.py [--packages 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from osslever.sources.downloads import PackageSpec, ingest
from osslever.sources.http import JsonClient
from osslever.store import Store

FIRST, LAST = date(2024, 1, 1), date(2024, 12, 31)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API

    def do_GET(self) -> None:  # noqa: N802
        span, _, package = self.path[len("/downloads/range/") :].partition("/")
        first, last = (date.fromisoformat(x) for x in span.split(":"))
        rows = [
            {"downloads": (hash(package) + d.toordinal()) % 5000, "day": d.isoformat()}
            for d in DAYS
            if first <= d <= last
        ]
        data = json.dumps({"start": str(first), "end": str(last), "package": package, "downloads": rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=1000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    names = [f"pkg-{i}" for i in range(args.packages)]

    started = time.perf_counter()
    with httpx.Client() as client:
        for name in names:
            json.loads(client.get(f"{base}/downloads/range/{FIRST}:{LAST}/{name}").content)
    baseline = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        with JsonClient() as client:
            report = ingest(
                store, [PackageSpec("npm", n) for n in names], FIRST, LAST, urls={"npm": base}, client=client
            )
        elapsed = time.perf_counter() - started
        stored = store.con.execute("SELECT count(*) FROM download_counts").fetchone()[0]
        store.con.close()
    server.shutdown()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.failed == [] and stored == args.packages * len(DAYS), (report.failed, stored)
    print(f"packages {args.packages}, daily counts stored {stored:,}")
    print(f"baseline (HTTP + json.loads, nothing stored): {baseline:.2f} s")
    print(f"osslever ingest downloads:                    {elapsed:.2f} s  ratio {elapsed / baseline:.2f}x")
    print(f"throughput {stored / elapsed:,.0f} daily counts/s, {args.packages / elapsed:.0f} packages/s")
    print(f"peak memory (whole process, server included): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
