"""Read one GH Archive file into normalised rows, or say exactly why it cannot be read.

Why it is built this way (measured on 200k-event hours, see bench/gharchive_ingest.py):

* ``isal`` (Intel ISA-L igzip) inflates ~3× faster than zlib; the file is read in
  8 MiB chunks and split on ``\\n`` in bulk instead of line iteration. It inflates
  in a background thread (ISA-L releases the GIL), so inflating the next chunk
  overlaps parsing this one when a core is free.
* Unfiltered, each chunk goes to ``_speedups.scan_into`` (C, built at install): it
  reads the common shape of a record straight into Arrow column buffers, kept
  across chunks until ``BATCH_ROWS`` rows make one Arrow batch, and hands every
  other line back to ``normalize_line``, which defines the columns (rows keep
  their order; the tests check both paths give the same table).
  Without the extension, or with a filter: ``msgspec`` decodes each line into
  typed structs that hold only the needed fields (2.3× faster than orjson,
  which builds the whole payload as dicts); ``normalize`` then picks the
  columns, so no raw payload is ever kept.
* With ``--repo``/``--org`` only lines whose bytes contain the repository name
  are parsed: each chunk is case-folded in one numpy pass (``_fold``) and searched
  with ``find``, which skips the ~99.9% of lines that cannot match (the exact
  filter runs again after parsing).

A file counts only when it was read to its gzip end-of-stream marker: a truncated
or corrupt file yields ``error`` and no rows, so it is never half-counted. Hostile
files stay bounded: a line over ``MAX_LINE`` is skipped as a bad line without being
held, more than ``MAX_DECOMPRESSED`` bytes (a gzip bomb) fail the file as
``too_large``; every bad value is a bad line, never an exception (docs/events.md).
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import queue
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osslever.sources.gharchive.normalize import (
    DecodeError,
    Event,
    NotAnEvent,
    arrow_schema,
    decode_lines,
    normalize,
    normalize_line,
    rows_to_table,
)

try:  # the C scanner (setup.py): optional, the pure-Python path gives the same rows
    from osslever.sources.gharchive import _speedups
except ImportError:  # pragma: no cover - built at install wherever a C compiler is
    _speedups = None

try:  # python-isal: same format, much faster; zlib's gzip is the fallback.
    from isal import igzip as _gzip
    from isal import isal_zlib as _isal_zlib

    _GZIP_ERRORS: tuple[type[BaseException], ...] = (OSError, zlib.error, _isal_zlib.error)
    _GZIP_FROM_BUFFER = hasattr(_isal_zlib, "_GzipReader")  # inflates from a buffer (``_gzip_stream``)
except ImportError:  # pragma: no cover - isal is a dependency, this is a safety net
    import gzip as _gzip  # type: ignore[no-redef]

    _GZIP_ERRORS = (OSError, zlib.error)
    _GZIP_FROM_BUFFER = False

# 8 MiB: the per-chunk cost (two scanner calls, line splitting) over fewer chunks — 3%
# less CPU for a 4-hour load than 4 MiB, measured; 16 MiB no longer stays in cache.
CHUNK = 8 << 20
MAX_EXAMPLES = 20
MAX_NEEDLES = 48
# Rows of one Arrow batch. Measured on 4-hour loads: 16,384 the same, 65,536 and
# 122,880 1.2-1.3x slower whole loads (more CPU; not profiled yet).
BATCH_ROWS = 32_768
# Bounds that keep memory and time finite whatever the input (see docs/events.md):
# a real event line is at most a few hundred KB; a real hour inflates to 1–3 GB.
MAX_LINE = 16 << 20
MAX_DECOMPRESSED = 16 << 30
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Filter:
    """Which repositories to keep: exact ``owner/name`` (any case) or owners/orgs."""

    repos: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()

    @classmethod
    def of(cls, repos: Iterable[str] = (), orgs: Iterable[str] = ()) -> Filter:
        return cls(
            frozenset(r.strip().lower() for r in repos if r.strip()),
            frozenset(o.strip().lower() for o in orgs if o.strip()),
        )

    @property
    def active(self) -> bool:
        return bool(self.repos or self.orgs)

    def signature(self) -> str:
        """Part of the gh_sources key: a filtered load must not hide a later full one."""
        if not self.active:
            return ""
        parts = [f"repo={r}" for r in sorted(self.repos)] + [f"org={o}" for o in sorted(self.orgs)]
        return "?" + "&".join(parts)

    def needles(self) -> list[bytes] | None:
        """Byte strings one of which any matching line contains (lower-cased).

        ``o/r"`` ends both ``"name":"o/r"`` and the repo URL of every era;
        ``/org/`` and ``"org/`` start them. Past ``MAX_NEEDLES`` names a scan per
        name costs more than parsing, so no prefilter is used (None).
        """
        options = [repo.encode() + b'"' for repo in sorted(self.repos)]
        for org in sorted(self.orgs):
            name = org.encode()
            options += [b"/" + name + b"/", b'"' + name + b"/", b'"' + name + b'"']
        return options if len(options) <= MAX_NEEDLES else None

    def keeps(self, repo_name: str | None, org_login: str | None) -> bool:
        if not self.active:
            return True
        name = (repo_name or "").lower()
        if name in self.repos:
            return True
        owner = name.split("/", 1)[0] if "/" in name else ""
        return bool(owner and owner in self.orgs) or (org_login or "").lower() in self.orgs


@dataclass
class FileResult:
    """What reading one file produced; ``error`` set means: no rows, do not record it."""

    path: str
    lines: int = 0
    events: int = 0
    duplicates: int = 0
    bad_lines: int = 0
    bad_examples: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None  # "truncated" | "corrupt" | "wrong_format" | "too_large" | "unreadable"
    detail: str = ""
    table: Any = None  # pyarrow.Table with COLUMNS, or None
    seconds: float = 0.0  # how long a reader process took over it (0 when read in-process)

    @property
    def name(self) -> str:
        return Path(self.path).name


class _Collector:
    """Normalised rows → Arrow tables, ``BATCH_ROWS`` at a time (tuples cost ~1.5 KB a row; Arrow ~0.2 KB)."""

    def __init__(self, flt: Filter, result: FileResult) -> None:
        self.flt = flt
        self.result = result
        self.rows: list[tuple[Any, ...]] = []
        self.tables: list[Any] = []  # Arrow batches of BATCH_ROWS rows
        # The C scanner's rows since the last batch (``_columns_block``), and the rows
        # Python decided among them, with where each goes (``_speedups.scan_into``).
        self.scanned = _speedups.table() if scans_in_c(flt) else None
        self.decided: list[tuple[Any, ...]] = []
        self.positions: list[float] = []
        self.python_rows = False  # a row decided in Python: its id is not among the scanner's hashes

    def line(self, raw: bytes, line_no: int) -> None:
        row = self.decide(raw, line_no)
        if row is not None:
            self.block([row])

    def decide(self, raw: bytes, line_no: int) -> tuple[Any, ...] | None:
        """One line → its row, or None when it is a bad line (counted, with an example)."""
        try:
            return normalize_line(raw)
        except DecodeError as exc:
            self.bad(line_no, str(exc)[:200])
        except NotAnEvent as exc:
            self.bad(line_no, str(exc))
        return None

    def add_table(self, table: Any) -> None:
        """An Arrow batch of normalised rows (unfiltered), after the rows collected before it."""
        if self.rows:
            self.tables.append(rows_to_table(self.rows))
            self.rows = []
        self.tables.append(table)

    def take_scanned(self) -> None:
        """The C scanner's rows so far → one Arrow batch, Python's rows put back in line order.

        Each handed-back line's row goes where the line was (its position: just
        ahead of the scanner's row number ``rows_before``), so the batch is in file
        order and "first occurrence" keeps meaning the same event.
        """
        rows, columns = _speedups.take(self.scanned)
        table = _table(rows, columns)
        if self.decided:
            import numpy as np
            import pyarrow as pa

            order = np.argsort(np.concatenate([np.arange(rows, dtype=np.float64), self.positions]), kind="stable")
            table = pa.concat_tables([table, rows_to_table(self.decided)]).take(pa.array(order))
            self.decided, self.positions = [], []
        if table.num_rows:
            self.add_table(table)

    def block(self, rows: list[tuple[Any, ...]]) -> None:
        if self.flt.active:
            keeps = self.flt.keeps
            rows = [row for row in rows if keeps(row[7], row[8])]
        self.rows.extend(rows)
        if len(self.rows) >= BATCH_ROWS:
            self.tables.append(rows_to_table(self.rows))
            self.rows = []

    def table(self) -> Any:
        """All rows, each event id once (its first occurrence; gharchive #277 repeats some).

        Checked once per file, in Arrow (a hash count of the ids), instead of a
        Python set operation per block: duplicates are rare, the check is not.
        When the C scanner read every row, it has hashed their ids as it went
        (``_speedups.repeats``), and the count runs only if two hashes met.
        """
        import pyarrow as pa

        maybe_repeats = True
        if self.scanned is not None:
            maybe_repeats = self.python_rows or _speedups.repeats(self.scanned)
            self.take_scanned()
        tables = [*self.tables, rows_to_table(self.rows)] if self.rows or not self.tables else self.tables
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        if maybe_repeats and table.num_rows and _distinct_ids(table) != table.num_rows:
            seen: set[str] = set()
            keep = []
            for event_id in table.column("event_id").to_pylist():
                keep.append(event_id not in seen)
                seen.add(event_id)
            self.result.duplicates += keep.count(False)
            table = table.filter(pa.array(keep))
        return table

    def events(self, events: list[Event]) -> bool:
        """A decoded block; False (nothing kept) when a record needs the line path.

        Records without a type/time (``NotAnEvent``, reported with its line
        number) or without an id (null or ``""``: its stable id hashes the raw
        line) go line by line.
        """
        try:
            rows = [normalize(e) for e in events if e.id is not None and e.id != ""]
        except NotAnEvent:
            return False
        if len(rows) != len(events):
            return False
        self.block(rows)
        return True

    def bad(self, line_no: int, reason: str) -> None:
        self.result.bad_lines += 1
        if len(self.result.bad_examples) < MAX_EXAMPLES:
            self.result.bad_examples.append((line_no, reason))


def _chunks(path: Path, spare_core: bool) -> Iterator[bytes | mmap.mmap]:
    """The decompressed bytes, ``CHUNK`` at a time; at most ``MAX_DECOMPRESSED`` in all.

    The limit stops a gzip bomb (a few MB that inflate to terabytes) with a clear
    error naming the file instead of hours of CPU; a real GH Archive hour
    inflates to 1–3 GB. With a ``spare_core`` a gzip file is inflated in a
    thread (``_inflated``); without one, in this thread, chunk by chunk.
    """
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        if spare_core:
            yield from _inflated(path)
        else:
            with _gzip_stream(path) as fh:
                yield from _limited(fh, reuse=True)
        return
    if path.name.endswith((".gz", ".gzip")):
        raise _WrongFormat("not a gzip file")
    with path.open("rb") as fh:
        yield from _limited(fh)


@contextlib.contextmanager
def _gzip_stream(path: Path) -> Iterator[Any]:
    """The inflated bytes of the gzip file ``path``, as an object with ``read(n)``.

    Why a memory map: reading the compressed file with ``read()`` copies every
    byte from the page cache into the reader's buffer, and with two readers on two
    cores that copy cost ~0.1 s of kernel time per hour (``perf``: ``_copy_to_iter``
    under ``ksys_read``, 5% of a 4-hour load). ISA-L's reader inflates straight
    from any buffer, so it is given the mapped file instead. Safe for GH Archive
    files: the downloader renames a complete file into place, which never
    changes the mapped one. Where mapping is refused (a pipe, an odd file
    system) or without ISA-L, the file is read as before.
    """
    reader = None
    if _GZIP_FROM_BUFFER:
        # an empty file cannot be mapped (ValueError); a private class may change (TypeError)
        with contextlib.suppress(OSError, ValueError, TypeError), path.open("rb") as fp:
            mapped = mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ)
            if hasattr(mapped, "madvise"):
                mapped.madvise(mmap.MADV_SEQUENTIAL)
            # Unmapped when the reader and this frame are gone (closing it earlier
            # would fail while the reader still holds the buffer).
            reader = _isal_zlib._GzipReader(memoryview(mapped))
    if reader is None:
        with _gzip.open(path, "rb") as fh:
            yield fh
        return
    yield reader


def _limited(fh: Any, reuse: bool = False) -> Iterator[bytes | mmap.mmap]:
    """``fh.read(CHUNK)`` until the end, failing with ``_TooLarge`` past ``MAX_DECOMPRESSED``.

    With ``reuse`` (the consumer is done with a chunk before it asks for the next, and
    keeps no view of it) a full chunk is inflated into this thread's one buffer
    (``_inflate_buffer``) and handed out as that buffer itself; the last, shorter one is
    copied out.
    """
    limit = MAX_DECOMPRESSED
    total = 0
    buffer = _inflate_buffer() if reuse and hasattr(fh, "readinto") else None  # None: no private maps here
    while True:
        if buffer is None:
            chunk = fh.read(CHUNK)
        else:
            n = fh.readinto(buffer)
            chunk = buffer if n == CHUNK else buffer[:n]
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise _TooLarge(f"it decompresses to more than {limit >> 20} MiB (a gzip bomb?)")
        yield chunk


def _inflate_buffer() -> mmap.mmap | None:
    """This thread's buffer for inflated chunks: ``CHUNK`` bytes on transparent huge pages.

    Why: a fresh 8 MiB ``bytes`` per chunk is mapped, faulted in 4 KiB page by page
    (zeroed by the kernel) and unmapped again — 60% of an ingest's page faults, under
    ISA-L's first writes — and the scanner then reads it through 2,048 TLB entries. One
    reused buffer on 2 MiB pages (where the kernel allows them; ``madvise`` is a hint)
    costs neither.
    """
    if not hasattr(mmap, "MAP_PRIVATE"):  # not a POSIX system: fresh chunks, as before
        return None
    buffer = getattr(_scratch, "inflate", None)
    if buffer is None or len(buffer) != CHUNK:
        buffer = _scratch.inflate = mmap.mmap(-1, CHUNK, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        if hasattr(mmap, "MADV_HUGEPAGE"):
            with contextlib.suppress(OSError):
                buffer.madvise(mmap.MADV_HUGEPAGE)
    return buffer


_END = object()  # the producer's "end of file" in the queue
INFLATE_AHEAD = 2  # chunks inflated ahead of the parser: 2 × 8 MiB more memory


def _inflated(path: Path) -> Iterator[bytes]:
    """The chunks of a gzip file, inflated in a background thread while this one parses.

    Why: inflating is ~30% of reading a file, and ISA-L (like zlib) releases
    the GIL while it inflates, so a second core can do it while this thread
    decodes and normalises the previous chunk: the wall time of one file drops
    by up to that share when a core is free (one file, ``--workers 1``, the
    last file of a run). When every core is busy it only costs: handing each
    chunk over, and the chunk leaving the cache between two cores — ~10% more
    CPU per file, measured — so readers that share the cores inflate in their
    own thread (``spare_core=False``).

    Errors are the same as reading in this thread: the producer hands its
    exception (truncated, corrupt, too large) through the queue and it is raised
    here, at the point in the stream where it happened. When the consumer stops
    early (a bad first line, Ctrl-C, the generator closed), ``stop`` ends the
    producer within one chunk and the file is closed before this returns.
    """
    chunks: queue.Queue[Any] = queue.Queue(maxsize=INFLATE_AHEAD)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with _gzip_stream(path) as fh:
                for chunk in _limited(fh):
                    if not put(chunk):
                        return
            put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    producer = threading.Thread(target=produce, name=f"inflate {path.name}", daemon=True)
    producer.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join()


class _TooLarge(Exception):
    pass


class _WrongFormat(Exception):
    pass


def _check_first_line(raw: bytes) -> None:
    """A GH Archive file starts with an event object; anything else is another format."""
    try:
        normalize_line(raw)
    except (DecodeError, NotAnEvent) as exc:
        preview = raw[:40].decode("utf-8", "replace")
        raise _WrongFormat(f"first line is not a GitHub event ({str(exc)[:120]}): {preview!r}") from exc


def read_file(
    path: str | Path, flt: Filter | None = None, spare_core: bool = True, cancel: threading.Event | None = None
) -> FileResult:
    """Read and normalise one file completely; never raises for bad input.

    ``spare_core``: a core is free beside this thread, to inflate on (``_chunks``).
    ``cancel``: when set (the ingest is stopping), the read ends within one chunk
    by raising ``Cancelled``; several threads may read files at once.

    The cyclic garbage collector is paused meanwhile: rows are hundreds of
    thousands of acyclic tuples, and letting it rescan them on every allocation
    burst cost ~40% of the time.
    """
    with gc_paused():
        return _read_file(Path(path), flt or Filter(), spare_core, cancel)


class Cancelled(Exception):
    """A read stopped because its ingest is stopping (``read_file``'s ``cancel``)."""


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while any caller is inside, back as it was after the last.

    A counter, not ``gc.disable()``/``gc.enable()`` around each read: the switch is
    one per process, and reader threads start and end their files at different times.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _read_file(path: Path, flt: Filter, spare_core: bool, cancel: threading.Event | None) -> FileResult:
    result = FileResult(str(path))
    collector = _Collector(flt, result)
    needles = flt.needles() if flt.active else None
    if needles is not None:
        needles = [fold_needle(n) for n in needles]
    line_no = 0  # lines completed so far
    pending = b""  # a line cut by the chunk boundary (at most MAX_LINE bytes are kept)
    skipping = False  # inside a line longer than MAX_LINE: drop bytes up to its newline
    first = True
    try:
        # Chunks are scanned in place (index ranges, memoryviews): only the line
        # straddling two chunks is ever copied.
        for chunk in _chunks(path, spare_core):
            if cancel is not None and cancel.is_set():
                raise Cancelled(str(path))
            if skipping:
                nl = chunk.find(b"\n")
                if nl < 0:
                    continue
                chunk, skipping = chunk[nl + 1 :], False
            first_nl = chunk.find(b"\n")
            if first_nl < 0:
                if len(pending) + len(chunk) > MAX_LINE:
                    if first:
                        raise _WrongFormat(f"first line is longer than {MAX_LINE >> 20} MiB")
                    line_no += 1
                    collector.bad(line_no, f"line longer than {MAX_LINE >> 20} MiB, skipped")
                    pending, skipping = b"", True
                else:
                    pending += chunk
                continue
            head = pending + chunk[: first_nl + 1]
            last_nl = chunk.rfind(b"\n")
            pending = chunk[last_nl + 1 :]
            if first and head.strip():
                _check_first_line(head.strip())
                first = False
            line_no = _scan(head, 0, len(head), line_no, needles, collector)
            if last_nl > first_nl:
                if first:  # the head was blank: check the first line of the rest
                    nxt = chunk.find(b"\n", first_nl + 1)
                    _check_first_line(chunk[first_nl + 1 : nxt].strip() or b"{}")
                    first = False
                line_no = _scan(chunk, first_nl + 1, last_nl + 1, line_no, needles, collector)
        if pending.strip():
            if first:
                _check_first_line(pending.strip())
                first = False
            tail = pending + b"\n"
            line_no = _scan(tail, 0, len(tail), line_no, needles, collector)
    except _WrongFormat as exc:
        return _failed(result, "wrong_format", str(exc))
    except _TooLarge as exc:
        return _failed(result, "too_large", str(exc))
    except EOFError as exc:
        return _failed(result, "truncated", str(exc) or "compressed file ended early")
    except _GZIP_ERRORS as exc:
        return _failed(result, "corrupt", str(exc))
    if first and line_no == 0:
        return _failed(result, "wrong_format", "empty file")
    result.lines = line_no
    result.table = collector.table()
    result.events = result.table.num_rows
    return result


def _failed(result: FileResult, error: str, detail: str) -> FileResult:
    result.error, result.detail, result.table = error, detail, None
    result.events = 0
    return result


def _distinct_ids(table: Any) -> int:
    """How many distinct event ids ``table`` has (pyarrow.compute, imported only when asked)."""
    import pyarrow.compute as pc

    return pc.count_distinct(table.column("event_id")).as_py()


def scans_in_c(flt: Filter) -> bool:
    """Whether the C scanner reads the records (with the GIL released), not Python."""
    return _speedups is not None and not flt.active


def _scan(buf: bytes, start: int, end: int, line_no: int, needles: list[bytes] | None, out: _Collector) -> int:
    """Feed the lines of ``buf[start:end]`` (ending in a newline) to ``out``; return lines done."""
    if needles is None:
        if scans_in_c(out.flt):
            return line_no + _columns_block(buf, start, end, line_no, out)
        decoded = _fast_block(buf, start, end, out)
        if decoded is not None:
            return line_no + decoded
        lines = buf[start:end].split(b"\n")
        lines.pop()  # the empty piece after the final newline
        for offset, raw in enumerate(lines, start=1):
            if raw and not raw.isspace():
                out.line(raw, line_no + offset)
        return line_no + len(lines)
    folded = _fold(buf)  # same length: positions stay valid; newlines are not b"\n" in it
    starts: set[int] = set()
    for needle in needles:
        pos = folded.find(needle, start, end)
        while pos >= 0:
            starts.add(buf.rfind(b"\n", start, pos) + 1 or start)
            pos = folded.find(needle, buf.find(b"\n", pos, end) + 1, end)
    done, counted_to = line_no, start
    for line_start in sorted(starts):
        done += _newlines(buf, counted_to, line_start) + 1
        line_end = buf.find(b"\n", line_start, end)
        out.line(buf[line_start:line_end], done)
        counted_to = line_end + 1
    return done + _newlines(buf, counted_to, end)


def _fold(data: bytes) -> bytearray:
    """Every byte OR 0x20: ASCII letters become lower case, in one vectorised pass.

    Any line that contains a needle case-insensitively contains the folded
    needle in the folded text (``x.lower() == y.lower()`` implies ``x | 0x20 ==
    y | 0x20``); the converse can fail (``[`` folds to ``{``), which only lets a
    line through to parsing, where ``Filter.keeps`` decides exactly. 3× faster
    than ``bytes.lower``. The result is valid up to ``len(data)`` only and is
    overwritten by the next call in the same thread: one buffer per thread, because
    a fresh 8 MiB one per chunk costs its page faults every time.
    """
    import numpy as np

    folded = getattr(_scratch, "fold", b"")
    if len(folded) < len(data):
        folded = _scratch.fold = bytearray(len(data))
    np.bitwise_or(np.frombuffer(data, np.uint8), 0x20, out=np.frombuffer(folded, np.uint8, len(data)))
    return folded


_scratch = threading.local()  # each reader thread's reused buffers (``_fold``, ``_newlines``)


def fold_needle(needle: bytes) -> bytes:
    return bytes(b | 0x20 for b in needle)


def _newlines(buf: bytes, start: int, end: int) -> int:
    """``buf.count(b"\n", start, end)``, vectorised (~2.5× faster on 8 MiB chunks).

    The comparison goes into one reused buffer per thread: a fresh 8 MiB one per
    chunk costs its page faults every time.
    """
    if end - start < 65536:
        return buf[start:end].count(b"\n")  # a slice: ``buf`` may be a chunk buffer (mmap), which has no count
    import numpy as np

    equal = getattr(_scratch, "equal", ())
    if len(equal) < end - start:
        equal = _scratch.equal = np.empty(max(end - start, CHUNK + (1 << 20)), np.bool_)
    out = equal[: end - start]
    np.equal(np.frombuffer(buf, np.uint8, end - start, start), 10, out=out)
    return int(np.count_nonzero(out))


def _fast_block(buf: bytes, start: int, end: int, out: _Collector) -> int | None:
    """Decode ``buf[start:end]`` in one call (2× faster than line by line); lines done, or None.

    None (nothing kept) when a line is bad — so it can be reported with its
    number — or when a record needs the line path (``_Collector.events``).
    """
    try:
        events = decode_lines(memoryview(buf)[start:end])
    except (DecodeError, RecursionError):
        return None
    lines = _newlines(buf, start, end)
    # decode_lines reads a stream of values: two objects on one line pass as two
    # events, a blank line as none. One line is one event, so any other count goes
    # line by line (which also skips blank lines and rejects the two-object line).
    if len(events) != lines or not out.events(events):
        return None
    return lines


def _columns_block(buf: bytes, start: int, end: int, line_no: int, out: _Collector) -> int:
    """``buf[start:end]`` through the C scanner; the lines it hands back through ``normalize_line``.

    The scanner adds its rows to the collector's C table, which becomes an Arrow
    batch every ``BATCH_ROWS`` rows (``_Collector.take_scanned``): one batch for
    many chunks costs fewer Python objects per chunk and gives DuckDB larger
    batches to insert. Returns the lines done.
    """
    rows, lines, fallback = _speedups.scan_into(out.scanned, buf, start, end)
    for before, index, line_start, line_end in fallback:
        raw = buf[line_start:line_end]
        if raw and not raw.isspace():
            row = out.decide(raw, line_no + index + 1)
            if row is not None:
                out.decided.append(row)
                out.positions.append(before - 0.5)  # just ahead of the scanner's row number ``before``
                out.python_rows = True
    if rows >= BATCH_ROWS:
        out.take_scanned()
    return lines


def _table(rows: int, columns: tuple[tuple[str, int, bytes, bytes, bytes], ...]) -> Any:
    """The scanner's column buffers → a pyarrow Table of ``arrow_schema()``, without copying them."""
    import pyarrow as pa

    schema = arrow_schema()
    arrays = []
    for column, (kind, nulls, valid, values, data) in zip(schema, columns, strict=True):
        buffers = [pa.py_buffer(valid) if nulls else None, pa.py_buffer(values)]
        if kind == "s":
            buffers.append(pa.py_buffer(data))
        arrays.append(pa.Array.from_buffers(column.type, rows, buffers, null_count=nulls))
    return pa.Table.from_arrays(arrays, schema=schema)
