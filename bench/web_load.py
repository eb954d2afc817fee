"""Benchmark: a bounded load test of `osslever serve` on loopback.

    python bench/web_load.py [--repo PATH] [--commits 3000] [--requests 300] [--clients 4] [--time-cap 20]
                             [--burst 2000] [--burst-clients 20]

Builds a store (a synthetic repository made with git fast-import, or --repo),
starts the real server (`python -m osslever serve`) on 127.0.0.1 and a free
port, then sends a fixed number of GET requests per endpoint from a few
concurrent httpx clients, each endpoint stopped early at --time-cap seconds.
Prints per endpoint: requests, errors (non-2xx or transport errors), p50 and
p99 latency, and the ratio of p50 to the baseline measured in the same run
(/static/style.css: a file served from the package, no store access), plus the
first (cold, uncached) request of each endpoint and the server's peak RSS
(VmHWM of its process).

Then a bounded burst (issue 16): ``--burst`` requests spread round-robin over
every endpoint, ``--burst-clients`` at once, on loopback only; it prints the
error count (non-2xx or transport errors) and p50/p99 against the baseline p50.
``--requests 0`` runs the burst alone.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

ENDPOINTS = [
    ("baseline: static file", "/static/style.css"),
    ("api health", "/api/health"),
    ("api projects", "/api/projects"),
    ("api report", "/api/report?project=git:1"),
    ("api overview", "/api/overview?project=git:1"),
    ("api compare", "/api/compare?project=git:1&project=git:2"),
    ("api rank git", "/api/rankings/git"),
    ("api openapi", "/api/openapi.json"),
    ("page projects", "/"),
    ("page project", "/project?id=git:1"),
    ("page compare", "/compare?id=git:1&id=git:2"),
]


def synthetic_repo(path: Path, commits: int, authors: int = 60, months: int = 36) -> Path:
    """A repository with ``commits`` commits by ``authors`` people over ``months`` months."""
    from tests.gitrepo import RepoBuilder

    builder = RepoBuilder(path)
    start = time.mktime((2023, 1, 1, 0, 0, 0, 0, 0, 0))
    span = months * 30 * 86400
    for i in range(commits):
        who = (i * 7919) % authors
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + span * i / commits))
        builder.commit(
            f"Dev {who}", f"dev{who}@org{who % 5}.example", when, {f"src/m{i % 50}.py": f"v{i}\n" * (1 + i % 7)}
        )
    return builder.build()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def load(base: str, path: str, requests: int, clients: int, cap: float) -> tuple[list[float], int, float]:
    """Latencies (s) of successful requests, error count, wall seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.perf_counter() + cap

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with lock:
                    if remaining[0] <= 0 or time.perf_counter() > deadline:
                        return
                    remaining[0] -= 1
                t0 = time.perf_counter()
                try:
                    ok = client.get(path).is_success
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        errors += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - start


def burst(base: str, paths: list[str], requests: int, clients: int) -> tuple[list[float], int, float]:
    """``requests`` GETs spread round-robin over ``paths`` by ``clients`` threads: latencies, errors, wall s."""
    assert base.startswith("http://127.0.0.1:"), "the burst is for loopback only"
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = [0]

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with lock:
                    if issued[0] >= requests:
                        return
                    path = paths[issued[0] % len(paths)]
                    issued[0] += 1
                t0 = time.perf_counter()
                try:
                    ok = client.get(path).is_success
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    errors += 0 if ok else 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=None, help="repository to serve (default: synthetic)")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--time-cap", type=float, default=20.0, help="seconds per endpoint at most")
    parser.add_argument("--burst", type=int, default=2000, help="requests in the mixed burst (0: none)")
    parser.add_argument("--burst-clients", type=int, default=20, help="concurrent clients of the burst")
    args = parser.parse_args()

    from osslever.api import report_document

    with tempfile.TemporaryDirectory(prefix="osslever-web-bench-") as folder:
        work = Path(folder)
        os.environ["OSSLEVER_HOME"] = str(work / "home")
        first = args.repo or synthetic_repo(work / "big", args.commits)
        second = synthetic_repo(work / "small", max(50, args.commits // 10), authors=12)
        db = work / "store.duckdb"
        t0 = time.perf_counter()
        for repo in (first, second):
            report_document(str(repo), db=db)
        print(f"store built in {time.perf_counter() - t0:.1f}s ({first.name}, {second.name})")

        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        server = subprocess.Popen(
            [sys.executable, "-m", "osslever", "serve", "--db", str(db), "--port", str(port), "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/api/health", timeout=1).is_success:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            rows = []
            for label, path in ENDPOINTS if args.requests > 0 else ENDPOINTS[:1]:
                t1 = time.perf_counter()
                cold_ok = httpx.get(base + path, timeout=60).is_success
                cold = time.perf_counter() - t1
                latencies, errors, wall = load(base, path, max(args.requests, 200), args.clients, args.time_cap)
                rows.append(
                    (
                        label,
                        path,
                        len(latencies),
                        errors + (0 if cold_ok else 1),
                        cold,
                        pct(latencies, 0.5),
                        pct(latencies, 0.99),
                        len(latencies) / wall if wall else 0,
                    )
                )
            burst_result = (
                burst(base, [p for _, p in ENDPOINTS], args.burst, args.burst_clients) if args.burst else None
            )
            rss = peak_rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)

    baseline = rows[0][5]
    print(f"{args.clients} clients, {args.requests} requests per endpoint (cap {args.time_cap:.0f}s), loopback\n")
    print(f"{'endpoint':<24}{'ok':>6}{'errors':>8}{'cold ms':>9}{'p50 ms':>9}{'p99 ms':>9}{'x base':>8}{'req/s':>8}")
    for label, _path, n, errors, cold, p50, p99, rate in rows:
        print(
            f"{label:<24}{n:>6}{errors:>8}{cold * 1000:>9.1f}{p50 * 1000:>9.2f}{p99 * 1000:>9.2f}"
            f"{p50 / baseline:>8.1f}{rate:>8.0f}"
        )
    total_errors = sum(r[3] for r in rows)
    if burst_result is not None:
        latencies, errors, wall = burst_result
        total_errors += errors
        print(
            f"\nburst: {len(latencies)} requests over {len(ENDPOINTS)} endpoints, {args.burst_clients} concurrent, "
            f"loopback: errors {errors}, p50 {pct(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {pct(latencies, 0.99) * 1000:.1f} ms "
            f"(p50 {pct(latencies, 0.5) / baseline:.1f}x base), {len(latencies) / wall:.0f} req/s, {wall:.1f} s"
        )
    print(f"\nserver peak RSS: {rss / 1024:.0f} MiB")
    print(f"errors in total: {total_errors}")


if __name__ == "__main__":
    main()
