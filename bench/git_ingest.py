"""Benchmark: git history ingest against plain `git log --numstat` on the same repository.

    python bench/git_ingest.py PATH_TO_REPO [--pydriller-seconds 30]   (0 skips PyDriller)

Measured in one run, on the same machine and the same (warm) repository:
  baseline   git log --numstat --no-renames (one git process computing line stats)
  sequential osslever's first ingest into an empty store, one git log process (workers=1)
  full       the same with the default sharding: parallel `git diff-tree --stdin` shards
  first      `osslever report` on an empty store: ingest + license scan + report, one process
With --rounds N these four alternate N times (each ratio against its own round's
baseline, then the medians), which matters on a shared machine.
  license    `osslever ingest git` right after: nothing new to read, but the commit's license
             findings (detection, license history, dependencies) are scanned once and cached
  rerun      `osslever ingest git` again: nothing new at all (whole process)
  report     `osslever report --format json` on the ingested store (ingest check + metrics)
  pydriller  PyDriller walking commits with per-file line stats, capped and extrapolated
Prints wall seconds, the ratio to the baseline, and the peak RSS of each process
(osslever's own process and, separately, its git child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

INGEST = """
import resource, sys, time
from osslever.store import Store
from osslever.sources.git.repository import open_repository
from osslever.sources.git.ingest import ingest
t = time.perf_counter()
workers = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "default" else None
r = ingest(Store(sys.argv[2]), open_repository(sys.argv[1]), workers=workers)
print(f"{time.perf_counter() - t:.3f} {r.added} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}"
      f" {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""

PYDRILLER = """
import sys, time
from pydriller import Repository
cap, n, t = float(sys.argv[2]), 0, time.perf_counter()
for commit in Repository(sys.argv[1]).traverse_commits():
    for f in commit.modified_files:
        f.added_lines, f.deleted_lines
    n += 1
    if time.perf_counter() - t > cap:
        break
print(f"{time.perf_counter() - t:.3f} {n}")
"""


CPU = {"last": 0.0}  # CPU seconds (user + system, the process and its git children) of the last run


def timed(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the process tree's largest member, stdout text.

    The CPU seconds go to ``CPU["last"]``: on a shared machine they show the work
    done independently of how much of the cores the run was given.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if stdout is None else stdout, env=ENV)
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    CPU["last"] = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss, out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("--pydriller-seconds", type=float, default=30.0)
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternate baseline and osslever runs N times; ratios per round"
    )
    args = parser.parse_args()
    repo = str(Path(args.repo).resolve())
    commits = int(subprocess.check_output(["git", "-C", repo, "rev-list", "--count", "HEAD"]))
    print(f"repository: {repo} ({commits:,} commits), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

    # Warm the cache so neither side pays for cold reads.
    subprocess.run(["git", "-C", repo, "log", "--format=%H"], stdout=subprocess.DEVNULL, check=True)
    fmt = "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%ct"
    ratios: dict[str, list[float]] = {"sequential": [], "full": [], "first": []}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            tag = f"[{n + 1}/{args.rounds}] " if args.rounds > 1 else ""
            base, base_rss, _ = timed(["git", "-C", repo, "log", "--numstat", "--no-renames", fmt, "HEAD"])
            print(
                f"{tag}baseline  git log --numstat      {base:8.2f} s  {commits / base:8.0f} commits/s  "
                f"peak {base_rss / 1024:.0f} MiB, cpu {CPU['last']:.1f} s"
            )
            db = str(Path(tmp) / f"sequential{n}.duckdb")
            wall, _, out = timed([sys.executable, "-c", INGEST, repo, db, "1"], stdout=None)
            inner, added, self_rss, git_rss = out.split()
            ratios["sequential"].append(wall / base)
            print(
                f"{tag}sequential ingest, one git log   {wall:8.2f} s  {int(added) / wall:8.0f} commits/s  "
                f"ratio {wall / base:.3f}x  peak python {int(self_rss) / 1024:.0f} MiB, "
                f"git {int(git_rss) / 1024:.0f} MiB, cpu {CPU['last']:.1f} s"
            )
            db = str(Path(tmp) / f"bench{n}.duckdb")
            wall, _, out = timed([sys.executable, "-c", INGEST, repo, db, "default"], stdout=None)
            inner, added, self_rss, git_rss = out.split()
            ratios["full"].append(wall / base)
            print(
                f"{tag}full      ingest, sharded        {wall:8.2f} s  {int(added) / wall:8.0f} commits/s  "
                f"ratio {wall / base:.3f}x  peak python {int(self_rss) / 1024:.0f} MiB, "
                f"git {int(git_rss) / 1024:.0f} MiB, cpu {CPU['last']:.1f} s"
            )
            first_db = str(Path(tmp) / f"first{n}.duckdb")
            wall, rss, _ = timed(
                [sys.executable, "-m", "osslever", "report", repo, "--db", first_db, "--format", "json", "-q"]
            )
            ratios["first"].append(wall / base)
            print(
                f"{tag}first     report on empty store  {wall:8.2f} s  (ingest + license scan + report)  "
                f"ratio {wall / base:.3f}x  peak {rss / 1024:.0f} MiB, cpu {CPU['last']:.1f} s"
            )
        if args.rounds > 1:
            print("median ratios: " + ", ".join(f"{k} {_median(v):.3f}x" for k, v in ratios.items()))
        wall, _, _ = timed([sys.executable, "-m", "osslever", "ingest", "git", repo, "--db", db, "-q"])
        print(f"license   scan once per commit   {wall:8.2f} s  (whole process)")
        wall, _, _ = timed([sys.executable, "-m", "osslever", "ingest", "git", repo, "--db", db, "-q"])
        print(f"rerun     nothing new            {wall:8.2f} s  (whole process)")
        wall, rss, _ = timed([sys.executable, "-m", "osslever", "report", repo, "--db", db, "--format", "json", "-q"])
        print(f"report    json from the store    {wall:8.2f} s  peak {rss / 1024:.0f} MiB")

    if args.pydriller_seconds <= 0:
        return
    try:
        import pydriller  # noqa: F401
    except ImportError:
        print("pydriller not installed (pip install pydriller): skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # PyDriller (GitPython) needs a working tree: a --shared clone reuses the objects.
        work = str(Path(tmp) / "work")
        subprocess.run(["git", "clone", "-q", "--shared", repo, work], check=True)
        wall, rss, out = timed([sys.executable, "-c", PYDRILLER, work, str(args.pydriller_seconds)], stdout=None)
    seconds, n = float(out.split()[0]), int(out.split()[1])
    full = seconds / max(n, 1) * commits
    print(
        f"pydriller {n:,} commits in {seconds:.1f} s → {n / seconds:.0f} commits/s, full history ≈ {full:,.0f} s "
        f"(extrapolated), ratio {full / base:.1f}x the baseline, peak {rss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
