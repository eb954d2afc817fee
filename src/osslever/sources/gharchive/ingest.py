"""Ingest GH Archive files into the store: a file is written whole or not at all.

Files are read (decompressed, parsed, normalised, filtered) by reader threads —
or reader processes when Python does the parsing (``_reader_threads_suffice``) —
two at a time on two cores, and written by this process, which alone holds the
DuckDB connection: one transaction a file, the last ones together (``_read_all``).
A file whose key (``file_key``: its content identity, not its name) is already
in ``gh_sources`` is skipped, so re-running an interrupted load finishes it; a
damaged file writes nothing and is reported. Reader threads stop within a chunk
when the ingest stops; reader processes die with it (``PR_SET_PDEATHSIG``), and
their spool folder is per run, named by the ingest's pid, so a killed run's
leftovers are removed by the next one.
Memory stays bounded: at most ``2 × workers`` files' normalised rows
(columnar Arrow, ~40 MB for a 200k-event hour) are in flight at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osslever.errors import UserError
from osslever.progress import Progress, Silent
from osslever.sources.gharchive.normalize import COLUMNS, TIMESTAMP_COLUMNS
from osslever.sources.gharchive.reader import FileResult, Filter, gc_paused, read_file, scans_in_c
from osslever.store import Store, interrupted

# "fork" starts readers instantly and, unlike "spawn", never re-imports the
# caller's __main__ (a script without a main guard would otherwise break). The
# children only decompress and parse: they never touch the parent's DuckDB.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"

READ_AHEAD = 2

FILE_SUFFIXES = (".json.gz", ".json", ".ndjson", ".jsonl", ".gz")


@dataclass
class IngestReport:
    """What a load did, for the CLI summary and for tests."""

    files_ingested: int = 0
    files_skipped: int = 0
    events: int = 0  # rows kept (after filter and in-file dedupe)
    new_events: int = 0  # rows actually added (dedupe across files / earlier loads)
    bad_lines: int = 0
    failed: list[FileResult] = field(default_factory=list)  # truncated / corrupt / wrong format
    bad_examples: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why

    def as_dict(self) -> dict[str, object]:
        return {
            "files_ingested": self.files_ingested,
            "files_skipped": self.files_skipped,
            "events": self.events,
            "new_events": self.new_events,
            "bad_lines": self.bad_lines,
            "failed": [{"file": f.path, "error": f.error, "detail": f.detail} for f in self.failed],
            "bad_line_examples": [{"file": f, "line": n, "reason": why} for f, n, why in self.bad_examples],
        }


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their event files (sorted, so hours go in order)."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(FILE_SUFFIXES))
            if not found:
                raise UserError("events.no_files_in_dir", path=str(path))
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise UserError("events.input_missing", path=str(path))
    return out


def source_key(path: Path, flt: Filter) -> str:
    """The file's name and filter (the Spark path names its Parquet files with it)."""
    return path.name + flt.signature()


IDENTITY_BYTES = 64 << 10


def content_identity(path: Path) -> str:
    """``NAME@DIGEST``: what makes a file "the same file" for skipping it on a re-run.

    The name alone is not enough: another folder's ``2024-01-01-0.json.gz`` (a
    mirror's, a re-download's) was silently skipped. The digest (BLAKE2b-128)
    covers the size, the first and the last 64 KiB: a gzip file ends with the
    CRC-32 and the length of its whole uncompressed content, so any change to
    the events of a (single-member) ``.json.gz`` changes its tail; files that
    are not gzip are hashed whole. Two reads of 64 KiB, whatever the file size.
    """
    size = path.stat().st_size
    digest = hashlib.blake2b(size.to_bytes(8, "little"), digest_size=16)
    with path.open("rb") as fh:
        head = fh.read(IDENTITY_BYTES)
        if size <= 2 * IDENTITY_BYTES or not head.startswith(b"\x1f\x8b"):
            digest.update(head)
            while block := fh.read(1 << 20):
                digest.update(block)
        else:
            fh.seek(size - IDENTITY_BYTES)
            digest.update(head)
            digest.update(fh.read(IDENTITY_BYTES))
    return f"{path.name}@{digest.hexdigest()}"


def file_key(path: Path, flt: Filter) -> str:
    """The ``gh_sources`` key of a file read with ``flt``: content identity + filter."""
    return content_identity(path) + flt.signature()


def _insert_sql(parts: int, dedupe: bool = True) -> str:
    """New rows only: an anti-join against the ids already stored, in the same transaction.

    This replaces a PRIMARY KEY on ``event_id``: maintaining DuckDB's ART index
    cost ~40% of the insert and a checkpoint of ~0.6 s per million rows at
    close, and it grows with the table (an index over a year of GitHub does not
    fit in 2 GB). The probe side is limited to ``event_id BETWEEN ? AND ?`` per
    part, the smallest and largest id of its rows (string order): a stored
    duplicate of a row must lie in its part's range, so the limit is exact, and
    the zonemaps of the row groups (hours load in id order) let DuckDB skip almost
    everything. One range per part, not one around them all: two hours a year
    apart would otherwise make the probe read the whole year between them.
    Parameters: each part's source name, then (with ``dedupe``) each part's two bounds.
    Without ``dedupe`` the rows go in as they are: for one part when no stored id
    lies in its range (``_stored_in_ranges``).
    """
    cols = ", ".join(f"CAST(r.{c} AS TIMESTAMP)" if c in TIMESTAMP_COLUMNS else f"r.{c}" for c in COLUMNS)
    rows = " UNION ALL ".join(f"SELECT *, ? AS source FROM rows_in_{i}" for i in range(parts))
    insert = f"INSERT INTO gh_events ({', '.join(COLUMNS)}, source) SELECT {cols}, r.source FROM ({rows}) AS r"
    if not dedupe:
        return insert
    return f"{insert} ANTI JOIN ({_stored_sql(parts)}) AS g ON r.event_id = g.event_id"


def _stored_sql(parts: int) -> str:
    """The stored ids within any of ``parts`` ranges (parameters: each part's two bounds)."""
    return " UNION ALL ".join(["SELECT event_id FROM gh_events WHERE event_id BETWEEN ? AND ?"] * parts)


def _stored_in_ranges(con: Any, bounds: list[str]) -> bool:
    """Whether any stored id lies within the ranges (``bounds``: each range's two ends).

    Why ask first: when none does — every new hour, and every first load — the
    anti-join has nothing to remove, yet it cost ~3.5% of the insert's CPU (probing
    every new id against an empty build side; four 200k-event hours on one thread,
    6 alternated pairs). The question reads the same zonemap-pruned ranges as the
    anti-join's probe side, in the same transaction, so its answer holds for the insert.
    """
    return bool(con.execute(f"SELECT EXISTS ({_stored_sql(len(bounds) // 2)})", bounds).fetchall()[0][0])


def insert_events(con: Any, table: Any, source: str) -> int:
    """Add the rows of ``table`` whose ``event_id`` is not stored yet; returns rows added.

    ``table`` (pyarrow, ``COLUMNS``) must not repeat an id itself: the readers
    dedupe within a file, the API adapter within a resource. Call it inside the
    transaction that also records the source, so a file counts all or nothing.
    """
    return insert_event_parts(con, [(table, source)])


def insert_event_parts(con: Any, parts: list[tuple[Any, str]]) -> int:
    """Several sources' rows, in order, in one ``INSERT``; returns rows added.

    Why one statement: DuckDB compresses an insert's row groups in parallel only
    when it has more than two of them (measured: an hour, 200k rows, took the
    same wall time on one thread as on two; two hours together took 0.49 s on two
    threads against 0.87 s on one). The last files of a load are written when no
    reader is left, so they go together, on every core.

    Each part's rows must not repeat an id (as for ``insert_events``). An id in
    two parts is kept from the first, as if they were inserted one after another;
    this is only checked when two parts' id ranges overlap (consecutive hours' do
    not), so it costs nothing in the usual case.
    """
    tables, names, ranges = [], [], []
    try:
        for table, source in parts:
            if table.num_rows == 0:
                continue
            view = f"rows_in_{len(tables)}"
            con.register(view, table)
            tables.append(table)
            # DuckDB's own string order, the one its BETWEEN uses; and no pyarrow.compute
            # (~0.03 s of CPU to import) for a load that never needs it.
            low, high = con.execute(f"SELECT min(event_id), max(event_id) FROM {view}").fetchall()[0]
            if any(low <= other_high and other_low <= high for other_low, other_high in ranges):
                import pyarrow as pa
                import pyarrow.compute as pc

                earlier = pa.chunked_array([t.column("event_id") for t in tables[:-1]]).combine_chunks()
                table = table.filter(pc.invert(pc.is_in(table.column("event_id"), value_set=earlier)))
                con.register(view, table)  # in place of the unfiltered rows
                tables[-1] = table
            names.append(source)
            ranges.append((low, high))
        if not tables:
            return 0
        bounds = [bound for pair in ranges for bound in pair]
        # Several parts keep the anti-join even so: DuckDB runs that plan's insert on every
        # thread, the plain one over a UNION ALL in order on one (0.58 s against 0.38 s
        # for the last two hours of a load, measured).
        if len(tables) > 1 or _stored_in_ranges(con, bounds):
            added = con.execute(_insert_sql(len(tables)), [*names, *bounds]).fetchall()
        else:
            added = con.execute(_insert_sql(len(tables), dedupe=False), names).fetchall()
    finally:
        for i in range(len(tables)):
            con.unregister(f"rows_in_{i}")
    return int(added[0][0]) if added else 0


def write_results(store: Store, results: list[FileResult], keys: dict[str, str]) -> int:
    """Files' rows and their gh_sources entries in one transaction, all or nothing; rows added."""
    with store.transaction() as con:
        if len(results) == 1:
            added = insert_events(con, results[0].table, results[0].name)
        else:
            added = insert_event_parts(con, [(r.table, r.name) for r in results])
        con.executemany(
            "INSERT OR REPLACE INTO gh_sources VALUES (?, ?, ?, now()::TIMESTAMP)",
            [[keys[r.path], r.events, r.bad_lines] for r in results],
        )
    return added


class _WriterThreads:
    """DuckDB on one thread while reader processes keep the cores busy, all of them after.

    Why: with every core parsing, DuckDB's second thread only adds hand-offs:
    inserting an hour took ~0.45 s of CPU on two threads and ~0.31 s on one, in
    about the same wall time. Once the last reader is done the cores are the
    writer's (``readers_done``), and the default comes back when the load ends.
    """

    def __init__(self, store: Store, workers: int) -> None:
        self.store, self.limited = store, False
        if workers > 1:
            store.execute("SET threads = 1")
            self.limited = True

    def readers_done(self) -> None:
        if self.limited:
            self.limited = False
            import duckdb

            with contextlib.suppress(duckdb.Error):
                self.store.execute("RESET threads")

    def __enter__(self) -> _WriterThreads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.readers_done()


def _done_keys(store: Store) -> set[str]:
    return {r["source"] for r in store.rows("SELECT source FROM gh_sources")}


SPOOL_PREFIX = "osslever-gharchive-"


def _remove_stale_spools(folder: str | None = None) -> int:
    """Delete spool folders of runs whose process is gone (killed); returns how many.

    A folder is ``osslever-gharchive-<pid>-<random>``: the pid says whose it is,
    so a folder of a run still going is never touched.
    """
    root = Path(folder or tempfile.gettempdir())
    removed = 0
    with contextlib.suppress(OSError):
        for entry in root.glob(SPOOL_PREFIX + "*"):
            pid_text = entry.name[len(SPOOL_PREFIX) :].split("-", 1)[0]
            if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@dataclass
class _Batch:
    """Files read, in input order, to be written together; ``last``: no reader is busy any more."""

    results: list[FileResult]
    last: bool


# Waiting for the files still being read, to write them with the one ready, pays
# while the wait is shorter than writing the ready one alone: a write costs ~0.4
# of a read (an hour: ~0.4 s against ~1 s of CPU), so wait at most 0.3 of a read.
WAIT_SHARE = 0.3
# The estimate's slack, also a share of the ready file's read. Two reads that begin
# together end up to ~15% of a read apart beside the writer (8 timelines of a 4-hour
# load), and a wait that expires just before the other file is done costs the most:
# the ready file is then written alone on one thread and the other after it (+0.2 s
# in that load). With a tenth, 1 run in 8 ended so; a fifth covers the spread measured.
WAIT_SLACK = 0.2


def _read_all(paths: list[Path], flt: Filter, workers: int, readers: _ThreadReaders | None = None) -> Iterator[_Batch]:
    """Results in input order; at most ``READ_AHEAD × workers`` files read or in flight.

    Readers are threads when compiled code does the reading (``_reader_threads_suffice``),
    processes otherwise; ``_in_order`` schedules either. ``readers``: reader threads
    that may already be reading the first files (``ingest_files``); closed here.
    """
    if readers is not None:
        yield from _read_in_threads(paths, readers)
    elif workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield _Batch([read_file(path, flt)], last=True)
    elif _reader_threads_suffice(paths, flt):
        yield from _read_in_threads(paths, _ThreadReaders(flt, workers))
    else:
        yield from _read_in_processes(paths, flt, workers)


# GH Archive names an hour ``YYYY-MM-DD-H.json.gz``; hours before 2015 hold Timeline records.
_HOUR_NAME = re.compile(r"(\d{4})-\d\d-\d\d-\d{1,2}\.")
EVENTS_API_SINCE = 2015


def _reader_threads_suffice(paths: list[Path], flt: Filter) -> bool:
    """Whether threads can read these files in parallel, in this process.

    Inflating (ISA-L) and the C scanner release the GIL, so threads read files side by
    side with no process start, no spool file and no copy-on-write page faults: ~9%
    less CPU for a 4-hour load, measured (docs/events.md, round 10). Python-heavy reads
    hold the GIL and would take turns: a filter (the byte prefilter and the Python
    path), no compiled scanner, or Timeline-era hours (before 2015 by GH Archive's
    names), whose every line the scanner hands back to ``normalize_line``. Those go
    to reader processes. A misnamed file only costs speed: both read the same rows.
    """
    if not scans_in_c(flt):
        return False
    for path in paths:
        hour = _HOUR_NAME.match(path.name)
        if hour and int(hour.group(1)) < EVENTS_API_SINCE:
            return False
    return True


class _ThreadReaders:
    """Reader threads: ``READ_AHEAD`` files each in flight, each read stoppable within one chunk.

    They can start on the first files before the store is open (``start``): importing
    DuckDB and creating or opening the store take ~0.1 s of every load, with a core
    otherwise idle. A file started early that the store then lists as done is
    dropped within one chunk (``keep_only``).
    """

    def __init__(self, flt: Filter, workers: int) -> None:
        self.flt, self.workers = flt, workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gharchive-reader")
        self.started: dict[Path, float] = {}  # when a reader began each file (time.monotonic)
        self.stops: dict[Path, threading.Event] = {}
        self.early: dict[Path, Future[FileResult]] = {}

    def submit(self, path: Path, spare_core: bool) -> Future[FileResult]:
        if path in self.early:
            return self.early.pop(path)
        stop = self.stops[path] = threading.Event()
        return self.pool.submit(self._read, path, spare_core, stop)

    def _read(self, path: Path, spare_core: bool, stop: threading.Event) -> FileResult:
        start = self.started[path] = time.monotonic()
        result = read_file(path, self.flt, spare_core, stop)
        result.seconds = time.monotonic() - start
        return result

    def start(self, paths: list[Path]) -> None:
        """Begin the first ``READ_AHEAD × workers`` of ``paths``, as ``_in_order`` would."""
        alone = len(paths) - len(paths) % self.workers
        for index, path in enumerate(paths[: READ_AHEAD * self.workers]):
            self.early[path] = self.submit(path, index >= alone)

    def keep_only(self, paths: list[Path]) -> None:
        """Stop the files started early that are not among ``paths`` (the store has them)."""
        wanted = set(paths)
        for path in [p for p in self.early if p not in wanted]:
            self.stops[path].set()
            self.early.pop(path).cancel()

    def close(self) -> None:
        for stop in self.stops.values():
            stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _read_in_threads(paths: list[Path], readers: _ThreadReaders) -> Iterator[_Batch]:
    """``_in_order`` over reader threads; on the way out, they stop within one chunk."""
    try:
        readers.keep_only(paths)
        with gc_paused():  # once for the whole load: the readers start and end at different times
            yield from _in_order(
                paths,
                readers.workers,
                lambda i: readers.started.get(paths[i], 0.0),
                lambda i, path, spare_core: readers.submit(path, spare_core),
            )
    finally:  # done, Ctrl-C, a store error, or the consumer gone
        readers.close()


def _read_in_processes(paths: list[Path], flt: Filter, workers: int) -> Iterator[_Batch]:
    """``_in_order`` over reader processes, their rows handed over as Arrow IPC files.

    Rows travel as Arrow IPC files in a private temporary folder, memory-mapped by
    the parent, not pickled through the result pipe: 40 MB per hour through one
    pipe and one unpickling thread kept each reader blocked ~0.5 s per file.
    """
    import multiprocessing  # with the process pool: only these loads need them (~6 ms)
    from concurrent.futures import ProcessPoolExecutor

    # Imported before the readers fork, so they inherit it instead of each
    # importing it again: they build their tables with it.
    import pyarrow  # noqa: F401

    ctx = multiprocessing.get_context(_START_METHOD)
    started = ctx.Array("d", len(paths), lock=False)  # when a reader began each file (time.monotonic)
    with (
        tempfile.TemporaryDirectory(prefix=f"{SPOOL_PREFIX}{os.getpid()}-") as spool,
        ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_reader_process, initargs=(os.getpid(), started)
        ) as pool,
    ):

        def submit(index: int, path: Path, spare_core: bool) -> Future[FileResult]:
            return pool.submit(_read_to_spool, path, flt, f"{spool}/{index}.arrow", spare_core, index)

        try:
            yield from _in_order(paths, workers, started.__getitem__, submit, finish=_unspool)
        except BaseException:  # Ctrl-C, a store error, the consumer gone: stop reading now
            _stop_readers(pool)
            raise


def _in_order(
    paths: list[Path],
    workers: int,
    started: Callable[[int], float],
    submit: Callable[[int, Path, bool], Future[FileResult]],
    finish: Callable[[FileResult], FileResult] = lambda result: result,
) -> Iterator[_Batch]:
    """The files' results in input order, ``READ_AHEAD`` files per reader handed out at a time.

    Two per reader, so a reader that finishes while the parent is still writing
    finds its next file already queued instead of idling until the parent asks.
    ``submit(index, path, spare_core)`` starts a read; ``started(index)`` is when it began (0: not yet);
    ``finish`` turns a reader's result into the writer's (the processes' spool file mapped).

    A batch is one file while files remain to be handed out. After that, the
    files still being read join the one the writer waits for when they should
    be done soon (``_wait_for``): the readers finish at about the same time
    (equal hours on equal cores), and the last files written in one statement on
    every core took half the time of one after another.
    """
    pending: list[tuple[int, Future[FileResult]]] = []
    queue = iter(enumerate(paths))
    handed_out = False
    # Files of a last round with fewer files than readers are read while a
    # reader idles: those have a core to inflate on (reader._chunks).
    alone = len(paths) - len(paths) % workers
    for index, path in queue:
        pending.append((index, submit(index, path, index >= alone)))
        if len(pending) >= READ_AHEAD * workers:
            break
    else:
        handed_out = True
    while pending:
        index, job = pending.pop(0)
        results = [finish(job.result())]
        nxt = None if handed_out else next(queue, None)
        if nxt is not None:
            pending.append((nxt[0], submit(*nxt, nxt[0] >= alone)))
            yield _Batch(results, last=False)
            continue
        handed_out = True
        patience = _wait_for(results[0], paths[index], [(started(i), paths[i]) for i, _ in pending])
        if patience is not None:
            wait([job for _, job in pending], timeout=patience)
        if all(job.done() for _, job in pending):  # the last batch: all on every core
            results += [finish(job.result()) for _, job in pending]
            pending.clear()
        yield _Batch(results, last=not pending)


def _wait_for(ready: FileResult, path: Path, reading: list[tuple[float, Path]]) -> float | None:
    """Seconds to wait for the files still being read (``(started, path)``), or None: do not.

    Each should take as long per compressed byte as ``ready`` did; wait when all
    should be done within ``WAIT_SHARE`` of ``ready``'s read (with ``WAIT_SLACK``
    more). Not when one has not started yet: that is a whole read away.
    """
    if not reading or ready.seconds <= 0:
        return None
    with contextlib.suppress(OSError):
        per_byte = ready.seconds / max(1, path.stat().st_size)
        now = time.monotonic()
        if any(start <= 0 for start, _ in reading):
            return None
        left = max(start + per_byte * other.stat().st_size - now for start, other in reading)
        if left <= WAIT_SHARE * ready.seconds:
            return max(0.0, left) + WAIT_SLACK * ready.seconds
    return None


def _stop_readers(pool: Any) -> None:
    """Kill the readers at once: otherwise leaving the pool waits for their current files."""
    for future in list(getattr(pool, "_pending_work_items", {}).values()):
        future.future.cancel()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            process.kill()


def _read_to_spool(path: Path, flt: Filter, spool: str, spare_core: bool, index: int) -> FileResult:
    """In a reader process: read the file, park its rows in ``spool`` (Arrow IPC).

    The time it starts goes to the parent's ``started`` array (``_read_all``).
    """
    import pyarrow as pa
    import pyarrow.ipc

    start = time.monotonic()
    if _started is not None:
        _started[index] = start
    result = read_file(path, flt, spare_core)
    result.seconds = time.monotonic() - start
    if result.table is None:
        return result
    try:
        with pa.OSFile(spool, "wb") as sink, pa.ipc.new_file(sink, result.table.schema) as out:
            out.write_table(result.table)
    except OSError:  # no room in the temporary folder: send the rows the slow way
        Path(spool).unlink(missing_ok=True)
        return result
    result.table = spool
    return result


def _unspool(result: FileResult) -> FileResult:
    """In the parent: map the parked rows back (zero copy); the file can go at once."""
    if isinstance(result.table, str):
        import pyarrow as pa

        spool = result.table
        with pa.memory_map(spool) as source:
            result.table = pa.ipc.open_file(source).read_all()
        Path(spool).unlink()  # the mapping stays valid until the table is freed
    return result


_started: Any = None  # in a reader process: the parent's array of start times


def _reader_process(parent: int | None = None, started: Any = None) -> None:
    """Start of a reader process: die with the parent; keep pyarrow from importing pandas.

    A reader must not outlive the ingest (a ``kill -9`` of it left each reader
    running, ~125 MB apiece): on Linux the kernel sends it SIGKILL when the
    parent dies (``prctl(PR_SET_PDEATHSIG)``); the pid check closes the window
    in which the parent died before that was set. Ctrl-C is the parent's to
    handle (it stops the pool), so readers ignore SIGINT instead of printing a
    traceback each.

    ``pa.array`` asks pandas whether a list is "array-like", importing it on the
    first call: 0.22 s of CPU per process for a module the readers never use.
    Telling pyarrow once that pandas is absent (it caches the answer) skips it.
    Only reader processes do this; the parent keeps its normal pyarrow.
    """
    import pyarrow as pa

    global _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent is already gone
    if "pandas" in sys.modules:  # already there (spawn start method re-imports): nothing to save
        return
    sys.meta_path.insert(0, _NoPandas())
    try:
        pa.array([0])
    finally:
        sys.meta_path.pop(0)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere a reader notices its parent is gone when the pool's pipe closes
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class _NoPandas:
    """An import finder under which ``import pandas`` fails (see ``_reader_process``)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used in reader processes")
        return None


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def max_workers() -> int:
    """More readers than cores only adds memory (~125 MB each) and contention."""
    return max(1, min(32, os.cpu_count() or 1))


def cap_workers(asked: int | None) -> int:
    """``--workers`` within 1..``max_workers()`` (the CLI says so when it changes the number)."""
    if asked is None:
        return default_workers()
    return max(1, min(asked, max_workers()))


def ingest_files(
    store: Store | Callable[[], Store],
    inputs: Iterable[str | Path],
    flt: Filter | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    on_damaged: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Load GH Archive files (or folders of them) into ``store``.

    ``store`` may also be a function that opens it: then reader threads begin on the
    first files while it opens (``_ThreadReaders``), and a file the store lists as
    done is dropped. ``on_damaged`` is called for a truncated/corrupt file (the
    downloader uses it to delete and fetch the hour again); the file is never
    partly recorded.
    """
    flt = flt or Filter()
    progress = progress or Silent()
    report = IngestReport()
    workers = cap_workers(workers)
    candidates: list[tuple[Path, str]] = []  # (path, content identity), each content once
    seen: set[str] = set()
    for path in expand_inputs(inputs):
        try:
            identity = content_identity(path)
        except OSError as exc:
            report.failed.append(FileResult(str(path), error="unreadable", detail=exc.strerror or str(exc)))
            continue
        if identity in seen:  # the same content given twice in this run
            report.files_skipped += 1
        else:
            seen.add(identity)
            candidates.append((path, identity))
    readers = None
    paths = [path for path, _ in candidates]
    if callable(store) and workers > 1 and len(paths) > 1 and _reader_threads_suffice(paths, flt):
        readers = _ThreadReaders(flt, workers)
        readers.start(paths)
    try:
        if callable(store):
            store = store()
        _remove_stale_spools()
        done = _done_keys(store)
        todo: list[Path] = []
        keys: dict[str, str] = {}
        for path, identity in candidates:
            key = identity + flt.signature()
            if key in done or identity in done:  # recorded already (an unfiltered load covers any filtered one)
                report.files_skipped += 1
            else:
                keys[str(path)] = key
                todo.append(path)
        progress.start("gharchive", len(todo))
        with _WriterThreads(store, workers) as threads:
            for batch in _read_all(todo, flt, workers, readers):
                if batch.last:
                    threads.readers_done()
                _write_batch(store, batch.results, keys, report, on_damaged)
                progress.advance(len(batch.results))
    finally:  # also when the store fails to open or a Ctrl-C lands before the reading loop
        if readers is not None:
            readers.close()
        progress.finish()
    return report


def _write_batch(
    store: Store,
    results: list[FileResult],
    keys: dict[str, str],
    report: IngestReport,
    on_damaged: Callable[[FileResult], None] | None,
) -> None:
    """Write a batch of read files and account for it in ``report``.

    A damaged file is reported (and handed to ``on_damaged``), never written.
    When the store refuses a value the readers let through, the batch is rolled
    back and its files written one by one, so only the file holding that value
    is left out (reported as rejected) and the others still go in.
    """
    import duckdb  # loaded by the store: not with this module, so readers can start before it

    good = []
    for result in results:
        if result.error:
            report.failed.append(result)
            if on_damaged and result.error in ("truncated", "corrupt"):
                on_damaged(result)
        else:
            good.append(result)
    groups = [good] if good else []
    while groups:
        group = groups.pop(0)
        try:
            report.new_events += write_results(store, group, keys)
        except (duckdb.DataError, duckdb.IntegrityError, duckdb.InvalidInputException) as exc:
            if interrupted(exc):  # a Ctrl-C inside DuckDB's call into Python, not a bad value
                raise KeyboardInterrupt from exc
            if len(group) > 1:
                groups[:0] = [[result] for result in group]
                continue
            result = group[0]
            result.error, result.detail, result.table = "rejected", str(exc).splitlines()[0][:200], None
            report.failed.append(result)
            continue
        for result in group:
            report.files_ingested += 1
            report.events += result.events
            report.bad_lines += result.bad_lines
            for line, why in result.bad_examples:
                if len(report.bad_examples) < 50:
                    report.bad_examples.append((result.path, line, why))
