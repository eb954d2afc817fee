"""Ingest GH Archive files into the store: one file = one transaction.

Files are read (decompressed, parsed, normalised, filtered) in worker processes,
two at a time on two cores, and written by this process, which alone holds the
DuckDB connection. A file whose key is already in ``gh_sources`` is skipped, so
re-running an interrupted load finishes it; a damaged file writes nothing and is
reported. Memory stays bounded: at most ``workers + 1`` files' normalised rows
(columnar Arrow, ~50 MB for a 200k-event hour) are in flight at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from osslever.errors import UserError
from osslever.progress import Progress, Silent
from osslever.sources.gharchive.normalize import COLUMNS, TIMESTAMP_COLUMNS
from osslever.sources.gharchive.reader import FileResult, Filter, read_file
from osslever.store import Store

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
            "bad_line_examples": [
                {"file": f, "line": n, "reason": why} for f, n, why in self.bad_examples
            ],
        }


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their event files (sorted, so hours go in order)."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(FILE_SUFFIXES)
            )
            if not found:
                raise UserError("events.no_files_in_dir", path=str(path))
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise UserError("events.input_missing", path=str(path))
    return out


def source_key(path: Path, flt: Filter) -> str:
    return path.name + flt.signature()


def _insert_sql() -> str:
    cols = ", ".join(f"CAST({c} AS TIMESTAMP)" if c in TIMESTAMP_COLUMNS else c for c in COLUMNS)
    return (
        f"INSERT OR IGNORE INTO gh_events ({', '.join(COLUMNS)}, source) "
        f"SELECT {cols}, ? FROM rows_in"
    )


def write_result(store: Store, result: FileResult, key: str) -> int:
    """One file's rows and its gh_sources entry, all or nothing; returns rows added."""
    with store.transaction() as con:
        before = con.execute("SELECT count(*) FROM gh_events").fetchall()[0][0]
        con.register("rows_in", result.table)
        try:
            con.execute(_insert_sql(), [result.name])
        finally:
            con.unregister("rows_in")
        after = con.execute("SELECT count(*) FROM gh_events").fetchall()[0][0]
        con.execute(
            "INSERT OR REPLACE INTO gh_sources VALUES (?, ?, ?, now()::TIMESTAMP)",
            [key, result.events, result.bad_lines],
        )
    return int(after - before)


def _done_keys(store: Store) -> set[str]:
    return {r["source"] for r in store.rows("SELECT source FROM gh_sources")}


def _read_all(paths: list[Path], flt: Filter, workers: int) -> Iterator[FileResult]:
    """Results in input order; reading runs ahead by at most ``workers`` files."""
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield read_file(path, flt)
        return
    ctx = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: list[Future[FileResult]] = []
        queue = iter(paths)
        for path in queue:
            pending.append(pool.submit(read_file, path, flt))
            if len(pending) > workers:
                break
        while pending:
            result = pending.pop(0).result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(read_file, nxt, flt))
            yield result


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def ingest_files(
    store: Store,
    inputs: Iterable[str | Path],
    flt: Filter | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    on_damaged: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Load GH Archive files (or folders of them) into ``store``.

    ``on_damaged`` is called for a truncated/corrupt file (the downloader uses it
    to delete and fetch the hour again); the file is never partly recorded.
    """
    flt = flt or Filter()
    progress = progress or Silent()
    report = IngestReport()
    paths = expand_inputs(inputs)
    done = _done_keys(store)
    todo: list[Path] = []
    for path in paths:
        key = source_key(path, flt)
        if key in done or path.name in done:  # an unfiltered load covers any filtered one
            report.files_skipped += 1
        else:
            todo.append(path)
    progress.start("gharchive", len(todo))
    try:
        for result in _read_all(todo, flt, workers or default_workers()):
            progress.advance(1)
            if result.error:
                report.failed.append(result)
                if on_damaged and result.error in ("truncated", "corrupt"):
                    on_damaged(result)
                continue
            report.new_events += write_result(store, result, source_key(Path(result.path), flt))
            report.files_ingested += 1
            report.events += result.events
            report.bad_lines += result.bad_lines
            for line, why in result.bad_examples:
                if len(report.bad_examples) < 50:
                    report.bad_examples.append((result.path, line, why))
    finally:
        progress.finish()
    return report
