"""Benchmark: GH Archive ingest throughput against the decompression floor and chdb.

Generates realistic hourly files once (``bench/out/``, git-ignored): real event
records from ../shared/data/gharchive as payload templates (mixed types in their
real proportions, PR/review payloads of real size), each with a fresh id, actor,
repository (40,000 repos) and time — ~200k events and ~650 MB uncompressed per
hour, like a 2020–2024 GH Archive hour. Then, in the same run:

* floor: ``gzip -dc FILE > /dev/null`` for every file, one after another;
* osslever: ``osslever ingest gharchive DIR`` into a fresh store, unfiltered and
  with ``--repo`` (a busy repository);
* osslever as a library: the ``ingest_files`` call alone, the store opened before
  the clock starts (as chdb's session is);
* chdb (ClickHouse's engine in-process): ``INSERT INTO MergeTree SELECT`` the same
  columns from ``file('*.json.gz', JSONEachRow)``, all files in one statement —
  the statement alone (the target), and a whole process that imports chdb, opens
  its session and runs it, as osslever is timed (its own start included).

Two comparisons are like for like: the command against chdb's whole process, and
``ingest_files()`` against chdb's statement; the target line compares osslever's
whole command with chdb's statement alone, the strictest.

Prints events/s, the ratios, and peak memory (RSS of the osslever process tree,
sampled every 50 ms), plus CPU seconds (user+sys) of each side: on a shared,
loaded machine the wall-clock ratio swings with the neighbours' load, the CPU
ratio much less. ``--repeat N`` times the ingest and chdb's statement N times,
alternately, and prints each pair's ratio and their median: the figure to quote
on a noisy machine. ``--compare-src OTHER/src`` times another source tree (e.g. the
previous release) in the same run, for before/after figures (compile both trees first,
``python -m compileall``: with PYTHONDONTWRITEBYTECODE set, a tree without ``__pycache__``
pays ~0.1–0.2 s compiling on every run). ``--profile`` adds the
CPU seconds of each stage of one hour (inflate, scan to Arrow, insert, commit), each
as a multiple of chdb's whole hour in the same run: where the time goes. Usage::

    PYTHONPATH=src python bench/gharchive_ingest.py [--hours 3] [--events 200000] [--profile] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgspec

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data" / "gharchive"
OUT = HERE / "out"


def generate(path: Path, n: int, hour: int, seed: int) -> None:
    templates = []
    for f in sorted(SHARED.glob("*.json.gz")):
        with gzip.open(f, "rb") as fh:
            templates += [msgspec.json.decode(line) for line in fh]
    rnd = random.Random(seed)
    repos = [f"org{i % 5000}/repo{i}" for i in range(40_000)]
    enc = msgspec.json.Encoder()
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wb", compresslevel=6) as fh:
        for i in range(n):
            d = dict(rnd.choice(templates))
            d["id"] = str(30_000_000_000 + seed * 10_000_000 + i)
            # A few busy repositories, a long tail: like real hours.
            r = rnd.randrange(len(repos)) if rnd.random() > 0.01 else rnd.randrange(10)
            d["repo"] = {
                "id": 1_000_000 + r,
                "name": repos[r],
                "url": f"https://api.github.com/repos/{repos[r]}",
            }
            actor = dict(d["actor"])
            actor["id"] = rnd.randrange(10**8)
            actor["login"] = f"user{actor['id']}"
            d["actor"] = actor
            d["created_at"] = f"2024-01-15T{hour:02d}:{i * 60 // n:02d}:{rnd.randrange(60):02d}Z"
            fh.write(enc.encode(d))
            fh.write(b"\n")
    tmp.replace(path)


class TreeRss:
    """Peak total RSS of a process and its descendants (sampled from /proc)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status") as fh:
                        for line in fh:
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self) -> TreeRss:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join()


def _cpu(who: int) -> float:
    use = resource.getrusage(who)
    return use.ru_utime + use.ru_stime


def run_osslever(folder: Path, extra: list[str], src: Path | None = None) -> tuple[float, int, str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "osslever",
            "ingest",
            "gharchive",
            str(folder),
            "--db",
            f"{tmp}/b.duckdb",
            "--quiet",
            *extra,
        ]
        env = dict(os.environ, PYTHONPATH=str(src or HERE.parent / "src"))
        start, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with TreeRss(proc.pid) as rss:
            _out, err = proc.communicate()
        elapsed = time.perf_counter() - start
        cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu  # the ingest and its (reaped) readers
        if proc.returncode != 0:
            raise SystemExit(f"osslever failed: {err.decode()[-2000:]}")
        import duckdb

        con = duckdb.connect(f"{tmp}/b.duckdb", read_only=True)
        rows = con.execute("SELECT count(*) FROM gh_events").fetchall()[0][0]
        con.close()
        return elapsed, rss.peak, str(rows), cpu


# osslever as a library, timed as chdb's statement is: the store opened (as chdb's session
# and table) before the clock starts, the clock around the one call that ingests the files.
LIBRARY_SCRIPT = """import json, resource, sys, time
from osslever.sources.gharchive.ingest import ingest_files
from osslever.store import Store
store = Store(sys.argv[2])
def cpu():
    own, readers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + readers.ru_utime + readers.ru_stime
start, used = time.perf_counter(), cpu()
report = ingest_files(store, [sys.argv[1]])
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": cpu() - used, "rows": report.new_events}))
store.close()
"""


def run_osslever_library(folder: Path) -> tuple[float, int, float]:
    """``ingest_files`` alone (seconds, rows, CPU seconds of it and its readers), in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"), OPENBLAS_NUM_THREADS="1")
        cmd = [sys.executable, "-c", LIBRARY_SCRIPT, str(folder), f"{tmp}/l.duckdb"]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"osslever (library) failed: {out.stderr[-2000:]}")
        got = json.loads(out.stdout)
        return got["seconds"], got["rows"], got["cpu"]


CHDB_TABLE = """CREATE TABLE ev (id String, type String, created_at DateTime,
  actor_id Nullable(Int64), actor_login Nullable(String), repo_id Nullable(Int64),
  repo_name Nullable(String), org_login Nullable(String), action Nullable(String),
  number Nullable(Int64), issue_author Nullable(String),
  issue_created Nullable(String), merged Nullable(UInt8), comment_id Nullable(Int64),
  push_size Nullable(Int64)) ENGINE = MergeTree ORDER BY id"""

# The whole-process baseline: what a user of chdb would run (argv: session dir, insert statement).
CHDB_SCRIPT = """import sys
from chdb import session
s = session.Session(sys.argv[1])
s.query(sys.argv[2])
s.query(sys.argv[3])
print(int(s.query("SELECT count() FROM ev", "CSV").bytes().strip()))
s.close()
"""


def chdb_insert(folder: Path) -> str:
    return f"""INSERT INTO ev SELECT id, type, parseDateTimeBestEffort(created_at),
          actor.id, actor.login, repo.id, repo.name, org.login, payload.action, payload.number,
          coalesce(payload.issue.user.login, payload.pull_request.user.login),
          coalesce(payload.issue.created_at, payload.pull_request.created_at),
          payload.pull_request.merged, coalesce(payload.comment.id, payload.review.id),
          payload.size
        FROM file('{folder}/*.json.gz', 'JSONEachRow', 'id String, type String,
          created_at String, actor Tuple(id Nullable(Int64), login Nullable(String)),
          repo Tuple(id Nullable(Int64), name Nullable(String)),
          org Tuple(login Nullable(String)),
          payload Tuple(action Nullable(String), number Nullable(Int64), size Nullable(Int64),
            issue Tuple(user Tuple(login Nullable(String)), created_at Nullable(String)),
            pull_request Tuple(user Tuple(login Nullable(String)),
              created_at Nullable(String), merged Nullable(UInt8)),
            comment Tuple(id Nullable(Int64)), review Tuple(id Nullable(Int64)))')
        SETTINGS input_format_skip_unknown_fields = 1, input_format_allow_errors_ratio = 0.01"""


def run_chdb(folder: Path) -> tuple[float, int, float]:
    """The insert statement alone, in this process (the session opened before the clock starts)."""
    from chdb import session

    tmp = tempfile.mkdtemp()
    try:
        s = session.Session(tmp)
        s.query(CHDB_TABLE)
        start, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
        s.query(chdb_insert(folder))
        elapsed, cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu
        rows = int(s.query("SELECT count() FROM ev", "CSV").bytes().strip())
        s.close()
        return elapsed, rows, cpu
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_chdb_process(folder: Path) -> tuple[float, int, float, int]:
    """A whole process, as osslever is timed: Python start, ``import chdb``, session, insert."""
    tmp = tempfile.mkdtemp()
    try:
        cmd = [sys.executable, "-c", CHDB_SCRIPT, tmp, CHDB_TABLE, chdb_insert(folder)]
        start, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with TreeRss(proc.pid) as rss:
            out, err = proc.communicate()
        elapsed, cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - cpu
        if proc.returncode != 0:
            raise SystemExit(f"chdb failed: {err.decode()[-2000:]}")
        return elapsed, int(out.decode().strip()), cpu, rss.peak
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def profile_stages(path: Path) -> list[tuple[str, float]]:
    """CPU seconds of each stage of reading and storing one hour, in this process.

    The stages are run one after another on the same bytes, so each figure is
    that stage alone: inflate (ISA-L), scan to Arrow (the C scanner and the
    columns it fills, ``reader._columns_block``; without the extension, msgspec
    decode + ``normalize`` + ``rows_to_table``), insert (into DuckDB's
    transaction, one thread as in the ingest), commit (DuckDB compresses and
    writes the rows). This is the profile that says where an ingest's time
    goes; ``read_file`` does the same work interleaved in 4 MiB chunks.
    """
    import tempfile

    from isal import igzip

    from osslever.sources.gharchive import normalize as norm
    from osslever.sources.gharchive import reader
    from osslever.sources.gharchive.ingest import _reader_process, insert_events
    from osslever.store import Store

    _reader_process(None)  # as in a reader process: pyarrow without pandas
    clock = time.process_time
    out: list[tuple[str, float]] = []
    start = clock()
    with igzip.open(path, "rb") as fh:  # chunks dropped as the reader drops them
        while fh.read(reader.CHUNK):
            pass
    out.append(("inflate", clock() - start))
    blocks, pending = [], b""  # again, kept for the next stages (not timed: holding 650 MB costs page faults)
    with igzip.open(path, "rb") as fh:
        while chunk := fh.read(reader.CHUNK):
            cut = chunk.rfind(b"\n") + 1
            blocks.append(pending + chunk[:cut])
            pending = chunk[cut:]
    start = clock()
    if reader._speedups is not None:
        collector = reader._Collector(reader.Filter(), reader.FileResult(str(path)))
        line_no = 0
        for block in blocks:
            line_no += reader._columns_block(block, 0, len(block), line_no, collector)
        table = collector.table()
        out.append(("scan (C)", clock() - start))
    else:
        events = [event for block in blocks for event in norm.decode_lines(block)]
        rows = [norm.normalize(event) for event in events]
        table = norm.rows_to_table(rows)
        out.append(("decode+normalise", clock() - start))
    del blocks
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "p.duckdb")
        store.execute("SET threads = 1")
        start = clock()
        store.execute("BEGIN TRANSACTION")
        insert_events(store.con, table, path.name)
        out.append(("insert", clock() - start))
        start = clock()
        store.execute("COMMIT")
        out.append(("commit", clock() - start))
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=3)
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument(
        "--compare-src",
        type=Path,
        default=None,
        help="also time the unfiltered ingest of another source tree (e.g. the last release's src/)",
    )
    ap.add_argument("--skip-filtered", action="store_true", help="do not time the --repo ingest")
    ap.add_argument("--profile", action="store_true", help="also print the CPU seconds of each stage for one hour")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time the unfiltered ingest and chdb's statement N times each, alternately, and print the median ratio",
    )
    args = ap.parse_args()
    folder = OUT / f"hours-{args.hours}x{args.events}"
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"2024-01-15-{h}.json.gz" for h in range(args.hours)]
    for h, f in enumerate(files):
        if not f.exists():
            print(f"generating {f.name} ...", flush=True)
            generate(f, args.events, h, seed=h + 1)
    total = args.events * len(files)
    gz_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"{len(files)} files, {total:,} events, {gz_mb:,.0f} MB gzip")

    start = time.perf_counter()
    for f in files:
        with open(os.devnull, "wb") as null:
            subprocess.run(["gzip", "-dc", str(f)], stdout=null, check=True)
    floor = time.perf_counter() - start

    full, full_rss, full_rows, full_cpu = run_osslever(folder, [])
    lib, lib_rows, lib_cpu = run_osslever_library(folder)
    # (osslever, chdb statement, osslever library[, compared]) timed back to back: one load for each
    pairs = []
    for _ in range(args.repeat - 1):
        pair = [run_osslever(folder, [])[0], run_chdb(folder)[0], run_osslever_library(folder)[0]]
        if args.compare_src:
            pair.append(run_osslever(folder, [], args.compare_src)[0])
        pairs.append(pair)
    if not args.skip_filtered:
        filt, filt_rss, filt_rows, _ = run_osslever(folder, ["--repo", "org1/repo1"])
    if args.compare_src:
        base, base_rss, base_rows, base_cpu = run_osslever(folder, [], args.compare_src)
    ch, ch_rows, ch_cpu = run_chdb(folder)
    chp, chp_rows, chp_cpu, chp_rss = run_chdb_process(folder)

    def line(name: str, secs: float) -> str:
        return f"{name:<34} {secs:7.2f} s  {total / secs:>10,.0f} events/s"

    print(line("floor: gzip -dc > /dev/null", floor))
    print(line("osslever ingest (unfiltered)", full) + f"  rows {full_rows}  peak RSS {full_rss / 2**20:,.0f} MiB")
    if not args.skip_filtered:
        print(
            line("osslever ingest --repo org1/repo1", filt)
            + f"  rows {filt_rows}  peak RSS {filt_rss / 2**20:,.0f} MiB"
        )
    if args.compare_src:
        print(line("compared: unfiltered", base) + f"  rows {base_rows}  peak RSS {base_rss / 2**20:,.0f} MiB")
    print(line("osslever ingest_files() call", lib) + f"  rows {lib_rows}")
    print(line("chdb INSERT ... FROM file()", ch) + f"  rows {ch_rows}")
    print(line("chdb, whole process", chp) + f"  rows {chp_rows}  peak RSS {chp_rss / 2**20:,.0f} MiB")
    print(f"ratio osslever/floor (unfiltered): {full / floor:.2f}x  (target <= 2)")
    print(f"ratio osslever/chdb (unfiltered):  {full / ch:.2f}x  (target <= 1; chdb's statement alone)")
    print(f"ratio osslever/chdb process:       {full / chp:.2f}x  (both whole processes)")
    print(f"ratio ingest_files()/chdb:         {lib / ch:.2f}x  (both the call alone; CPU {lib_cpu / ch_cpu:.2f}x)")
    print(f"CPU seconds (user+sys): osslever {full_cpu:.2f}, chdb {ch_cpu:.2f}: {full_cpu / ch_cpu:.2f}x")
    print(f"CPU seconds, whole processes: chdb {chp_cpu:.2f}: {full_cpu / chp_cpu:.2f}x")
    if not args.skip_filtered:
        print(f"ratio osslever/floor (--repo):     {filt / floor:.2f}x")
        print(f"ratio osslever/chdb (--repo):      {filt / ch:.2f}x")
    if args.compare_src:
        print(f"ratio compared/chdb (unfiltered):  {base / ch:.2f}x  ({args.compare_src})")
        print(f"CPU seconds compared: {base_cpu:.2f}: {base_cpu / ch_cpu:.2f}x chdb's")
    if pairs:
        pairs.append([full, ch, lib, *([base] if args.compare_src else [])])
        ratios = sorted(p[0] / p[1] for p in pairs)
        fastest = min(p[0] for p in pairs), min(p[1] for p in pairs)
        print(f"repeated {len(pairs)}x, osslever/chdb statement of each pair: {' '.join(f'{r:.2f}' for r in ratios)}")
        print(f"  median {statistics.median(ratios):.2f}x", end="; ")
        print(f"fastest runs {fastest[0]:.2f} s / {fastest[1]:.2f} s = {fastest[0] / fastest[1]:.2f}x")
        calls = sorted(p[2] / p[1] for p in pairs)
        listed = " ".join(f"{r:.2f}" for r in calls)
        print(f"  ingest_files()/chdb statement: median {statistics.median(calls):.2f}x  ({listed})")
        if args.compare_src:
            cmp = sorted(p[3] / p[1] for p in pairs)
            print(f"  compared/chdb: median {statistics.median(cmp):.2f}x  ({' '.join(f'{r:.2f}' for r in cmp)})")
    if args.profile:
        stages = profile_stages(files[0])
        per_hour = ch_cpu / len(files)
        print(f"CPU seconds per stage, one hour ({files[0].name}); chdb's whole ingest: {per_hour:.2f} s/hour")
        for name, secs in stages:
            print(f"  {name:<10} {secs:6.2f} s  {secs / per_hour:5.2f}x chdb's hour")
        total = sum(secs for _, secs in stages)
        print(f"  {'sum':<10} {total:6.2f} s  {total / per_hour:5.2f}x chdb's hour")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
