"""GH Archive ingest against hostile input and hostile events (issue 16).

Every expected count comes from the hand-built files themselves or from a plain
gzip + json reader, never from the code under test. All cases but three failed
on the release before this suite (a traceback, a stopped ingest, a silently
skipped file, unbounded memory, reader processes outliving a killed ingest);
concatenated gzip, renamed formats and Ctrl-C held already and stay as guards.
"""

from __future__ import annotations

import bz2
import collections
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from osslever.cli import main
from osslever.errors import UserError
from osslever.sources.gharchive import download, ingest, reader
from osslever.sources.gharchive.ingest import ingest_files
from osslever.sources.gharchive.reader import Filter, read_file
from osslever.store import Store
from tests.events_fixtures import event, write_gz

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def _count(store: Store, sql: str = "SELECT count(*) AS n FROM gh_events") -> int:
    return store.rows(sql)[0]["n"]


def _watch(event_id: str, when: str = "2024-01-01T00:00:01Z") -> dict:
    return event("WatchEvent", "ann", when, event_id=event_id)


def _line(record: dict) -> bytes:
    return json.dumps(record).encode()


def _independent_counts(files: list[Path]) -> collections.Counter:
    """Events per type by a plain gzip + json reader, each id once."""
    seen, counts = set(), collections.Counter()
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if record["id"] not in seen:
                    seen.add(record["id"])
                    counts[record["type"]] += 1
    return counts


def _store_counts(store: Store) -> collections.Counter:
    rows = store.rows("SELECT type, count(*) AS n FROM gh_events GROUP BY type")
    return collections.Counter({r["type"]: r["n"] for r in rows})


# --- one bad value must cost one line, not the file and every later file ------------


def test_out_of_range_integers_are_bad_lines_and_later_files_still_go_in(store, tmp_path):
    too_big_for_integer = event("IssuesEvent", "ann", "2024-01-01T00:00:02Z", payload={"number": 3_000_000_000})
    too_big_for_bigint = _watch("3")
    too_big_for_bigint["actor"]["id"] = 2**70
    first = write_gz(
        tmp_path / "2024-01-01-0.json.gz",
        [_watch("1"), too_big_for_integer, too_big_for_bigint, _watch("4")],
    )
    second = write_gz(tmp_path / "2024-01-01-1.json.gz", [_watch("5")])
    report = ingest_files(store, [first, second], workers=1)
    assert not report.failed
    assert report.bad_lines == 2 and [line for _, line, _ in report.bad_examples] == [2, 3]
    assert "payload.number" in report.bad_examples[0][2] and "actor.id" in report.bad_examples[1][2]
    assert [r["event_id"] for r in store.rows("SELECT event_id FROM gh_events ORDER BY 1")] == ["1", "4", "5"]
    again = ingest_files(store, [first, second], workers=1)
    assert again.files_skipped == 2 and again.files_ingested == 0


def test_malformed_timestamps_are_bad_lines(store, tmp_path):
    issue_with_bad_date = event(
        "IssuesEvent",
        "ann",
        "2024-01-01T00:00:03Z",
        payload={"action": "opened", "issue": {"number": 7, "created_at": "yesterday"}},
        event_id="3",
    )
    path = write_gz(
        tmp_path / "2024-01-01-0.json.gz",
        [
            _watch("1"),
            _watch("2", "2024-13-45T99:00:00Z"),  # no such month, day or hour
            _watch("x", "2024-02-30T00:00:00Z"),  # no such day
            issue_with_bad_date,
            _watch("4", "2012/03/10 15:23:12 -0800"),  # a Timeline-era spelling: valid
        ],
    )
    report = ingest_files(store, [path], workers=1)
    assert not report.failed and report.bad_lines == 2
    assert [line for _, line, _ in report.bad_examples] == [2, 3]
    rows = {r["event_id"]: r for r in store.rows("SELECT * FROM gh_events")}
    assert set(rows) == {"1", "3", "4"}
    # A secondary time that cannot be read is NULL (documented), the event is kept.
    assert rows["3"]["number"] == 7 and rows["3"]["issue_created_at"] is None
    assert str(rows["4"]["created_at"]) == "2012-03-10 23:23:12"  # -08:00 shifted to UTC


def test_a_value_the_store_refuses_fails_that_file_only(store, tmp_path, monkeypatch):
    # Defence in depth: if a value ever got past decoding, the store's refusal must
    # cost that one file (rolled back, reported), not every later file.
    bad = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1")])
    good = write_gz(tmp_path / "2024-01-01-1.json.gz", [_watch("2")])
    real = ingest.insert_events

    def refuse_first(con, table, source):
        if source == bad.name:
            con.execute("SELECT CAST('x' AS INTEGER)")
        return real(con, table, source)

    monkeypatch.setattr(ingest, "insert_events", refuse_first)
    report = ingest_files(store, [bad, good], workers=1)
    assert [(Path(f.path).name, f.error) for f in report.failed] == [(bad.name, "rejected")]
    assert [r["event_id"] for r in store.rows("SELECT event_id FROM gh_events")] == ["2"]
    assert _count(store, "SELECT count(*) AS n FROM gh_sources") == 1


# --- "already done" is the content, not the name ------------------------------------


def test_same_name_in_another_folder_is_not_skipped(store, tmp_path):
    a, b = tmp_path / "mirror-a", tmp_path / "mirror-b"
    a.mkdir(), b.mkdir()
    write_gz(a / "2024-01-01-0.json.gz", [_watch("1"), _watch("2")])
    write_gz(b / "2024-01-01-0.json.gz", [_watch("3"), _watch("4")])
    ingest_files(store, [a], workers=1)
    report = ingest_files(store, [b], workers=1)
    assert report.files_ingested == 1 and report.new_events == 2
    assert _count(store) == 4


def test_same_name_twice_in_one_run_and_a_file_replaced_in_place(store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write_gz(a / "2024-01-01-0.json.gz", [_watch("1")])
    write_gz(b / "2024-01-01-0.json.gz", [_watch("2")])
    assert ingest_files(store, [a, b], workers=2).files_ingested == 2
    # A complete re-download replaces a short file of the same name: read it again.
    write_gz(a / "2024-01-01-0.json.gz", [_watch("1"), _watch("5"), _watch("6")])
    report = ingest_files(store, [a], workers=1)
    assert report.files_ingested == 1 and report.new_events == 2
    assert _count(store) == 4


def test_the_same_content_twice_is_read_once(store, tmp_path):
    one = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1"), _watch("2")])
    copy = tmp_path / "copy" / one.name
    copy.parent.mkdir()
    copy.write_bytes(one.read_bytes())
    report = ingest_files(store, [one, copy], workers=1)
    assert report.files_ingested == 1 and report.files_skipped == 1
    assert _count(store) == 2


# --- bounded memory and time --------------------------------------------------------


def _gzip_of(path: Path, pieces) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: gzip container
    with path.open("wb") as out:
        for piece in pieces:
            out.write(comp.compress(piece))
        out.write(comp.flush())
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS from /proc")
def test_one_huge_line_without_newline_stays_within_bounded_memory(tmp_path):
    # 256 MiB of one line compress to ~1 MB: reading it must neither hold it nor
    # copy it again and again. The reader runs alone in a child to measure its peak.
    path = _gzip_of(tmp_path / "2024-01-01-0.json.gz", (b'{"id":"' + b"9" * (1 << 20) for _ in range(256)))
    code = (  # VmHWM: this process's peak RSS (ru_maxrss would include the forking parent's)
        "import re, sys\n"
        "from osslever.sources.gharchive.reader import read_file\n"
        "r = read_file(sys.argv[1])\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(r.error, int(hwm) // 1024)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, check=True)
    error, peak_mib = out.stdout.split()
    assert error == "wrong_format"
    assert int(peak_mib) < 200, f"peak {peak_mib} MiB for a 256 MiB line"


def test_an_overlong_line_inside_a_file_is_one_bad_line(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINE", 1 << 20)
    huge = b'{"id":"2","junk":"' + b"a" * (9 << 20) + b'"}'
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1")], [huge, _line(_watch("3"))])
    result = read_file(path)
    assert result.error is None and result.bad_lines == 1 and result.bad_examples[0][0] == 2
    assert sorted(result.table.column("event_id").to_pylist()) == ["1", "3"]
    assert result.lines == 3


def test_a_gzip_bomb_stops_with_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(reader, "MAX_DECOMPRESSED", 8 << 20)
    line = _line(_watch("1")) + b"\n"
    bomb = _gzip_of(tmp_path / "in" / "2024-01-01-0.json.gz", (line * 2000 for _ in range(100)))
    assert bomb.stat().st_size < 2 << 20  # ~60 MB of events in a few hundred KB
    with pytest.raises(SystemExit) as done:
        main(["ingest", "gharchive", str(bomb), "--db", str(tmp_path / "s.duckdb"), "--lang", "en"])
    err = capsys.readouterr().err
    assert done.value.code == 1
    lines = [x for x in err.splitlines() if "2024-01-01-0.json.gz" in x]
    assert len(lines) == 1 and "too large" in lines[0] and "Traceback" not in err
    # The downloader's verification stops at the same bound (a bomb is not "verified").
    assert download.verify_gzip(bomb) is False
    assert download.verify_gzip(write_gz(tmp_path / "small.json.gz", [_watch("2")])) is True


# --- damaged, disguised and malformed files -----------------------------------------


def test_concatenated_gzip_members_are_all_read(store, tmp_path):
    a = gzip.compress(b"".join(_line(_watch(str(i))) + b"\n" for i in range(50)))
    b = gzip.compress(b"".join(_line(event("ForkEvent", "bo", "2024-01-01T00:00:09Z")) + b"\n" for _ in range(7)))
    path = tmp_path / "2024-01-01-0.json.gz"
    path.write_bytes(a + b)
    report = ingest_files(store, [path], workers=1)
    assert _store_counts(store) == _independent_counts([path]) == {"WatchEvent": 50, "ForkEvent": 7}
    assert report.bad_lines == 0
    cut = tmp_path / "2024-01-01-1.json.gz"
    cut.write_bytes(a + b[: len(b) // 2])  # the second member is cut
    assert read_file(cut).error == "truncated"


def test_the_inflating_thread_ends_with_its_file_whatever_happens(tmp_path):
    # The reader inflates in a background thread: a file it stops reading early
    # (the first line is not an event, 16 MB still to inflate), one cut short and
    # one read to the end each leave no thread behind, with the file's own error.
    good = write_gz(tmp_path / "a.json.gz", [_watch(str(i)) for i in range(3)])
    csv = tmp_path / "b.json.gz"
    csv.write_bytes(gzip.compress(b"id,type\n" * 2_000_000))
    whole = gzip.compress(b"".join(_line(_watch(str(i))) + b"\n" for i in range(20_000)))
    cut = tmp_path / "c.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert read_file(good).events == 3
    assert read_file(csv).error == "wrong_format"
    assert read_file(cut).error == "truncated"
    assert [t.name for t in threading.enumerate() if t.name.startswith("inflate")] == []


def test_other_formats_renamed_json_gz_are_clear_errors_and_record_nothing(store, tmp_path):
    payload = b"".join(_line(_watch(str(i))) + b"\n" for i in range(20))
    files = {
        "bz2": bz2.compress(payload),
        "zip": b"PK\x03\x04" + os.urandom(200),
        "zstd": b"\x28\xb5\x2f\xfd" + os.urandom(200),
        "png": b"\x89PNG\r\n\x1a\n" + os.urandom(200),
        "gzip-of-binary": gzip.compress(os.urandom(5000)),
        "gzip-of-csv": gzip.compress(b"id,type\n1,WatchEvent\n"),
        "empty": b"",
        "garbage-after-gzip": gzip.compress(payload) + b"not gzip at all",
    }
    paths = []
    for name, data in files.items():
        p = tmp_path / f"{name}.json.gz"
        p.write_bytes(data)
        paths.append(p)
    report = ingest_files(store, paths, workers=1)
    assert sorted(Path(f.path).name for f in report.failed) == sorted(p.name for p in paths)
    assert {f.error for f in report.failed} <= {"wrong_format", "corrupt"}
    assert _count(store) == 0 and _count(store, "SELECT count(*) AS n FROM gh_sources") == 0


def test_deeply_nested_and_malformed_lines_are_bad_lines(store, tmp_path):
    deep = b'{"id":"9","type":"WatchEvent","created_at":"2024-01-01T00:00:00Z","payload":{"x":'
    deep += b"[" * 200_000 + b"]" * 200_000 + b"}}"
    malformed = [
        deep,
        b"\xff\xfe not utf-8",
        b'{"id":"10","type":"WatchEvent","created_at":"2024-01-01T00:00:00Z","actor":{"login":"\\ud800"}}',
        b"null",
        b"{}",
        b"[]",
        b'{"id":"11","type":"WatchEvent","created_at":"2024-01-01T00:00:00Z","repo":{"id":1e999}}',
        b"\x00\x00\x00",
    ]
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1")], [*malformed, _line(_watch("2"))])
    report = ingest_files(store, [path], workers=1)
    assert not report.failed
    assert report.bad_lines == len(malformed)
    assert [line for _, line, _ in report.bad_examples] == list(range(2, 2 + len(malformed)))
    assert _count(store) == 2
    # Deep nesting on the first line: the file is not an events file.
    first = write_gz(tmp_path / "2024-01-01-1.json.gz", [], [deep, _line(_watch("3"))])
    assert read_file(first).error == "wrong_format"


# --- resources: readers, spool files, workers ---------------------------------------


def test_spool_folders_of_dead_runs_are_removed_and_live_ones_kept(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"osslever-gharchive-{gone.pid}-abc"
    live = tmp_path / f"osslever-gharchive-{os.getppid()}-def"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "0.arrow").write_bytes(b"x" * 1000)
    files = [write_gz(tmp_path / f"2024-01-01-{h}.json.gz", [_watch(str(h))]) for h in range(3)]
    ingest_files(store, files, workers=2)
    assert not dead.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.glob("osslever-gharchive-*")) == [live.name]


def test_workers_are_capped_with_a_message(tmp_path, capsys):
    assert ingest.cap_workers(10_000) == ingest.max_workers() <= max(1, os.cpu_count() or 1)
    assert ingest.cap_workers(0) == 1 and ingest.cap_workers(None) == ingest.default_workers()
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1")])
    with pytest.raises(SystemExit) as done:
        main(["ingest", "gharchive", str(path), "--db", str(tmp_path / "s.duckdb"), "--workers", "10000"])
    assert done.value.code == 0
    err = capsys.readouterr().err
    assert "--workers 10000" in err and f"{ingest.max_workers()} workers" in err


# --- kill -9 anywhere, then re-run: nothing lost, nothing doubled --------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _make_hours(folder: Path, day: str = "2024-01-01") -> list[Path]:
    """Hours of mixed events; neighbouring hours repeat ~5% of ids (as GH Archive does).

    ``day`` names the files: hours named before 2015 (the Timeline era) are read by
    reader processes, later ones by reader threads (``ingest._reader_threads_suffice``).
    """
    types = ["PushEvent", "WatchEvent", "IssuesEvent", "PullRequestEvent", "ForkEvent", "IssueCommentEvent"]
    files = []
    for hour in range(10):
        n = 30_000 if hour == 4 else 4_000  # one long file, to be killed inside it
        start = hour * 100_000 - (200 if hour else 0)  # overlap with the previous hour
        records = [
            event(
                types[i % len(types)], f"u{i % 97}", f"2024-01-01T{hour:02d}:00:{i % 60:02d}Z", event_id=str(start + i)
            )
            for i in range(n)
        ]
        files.append(write_gz(folder / f"{day}-{hour}.json.gz", records))
    return files


# Reader threads read hours named 2015 or later; reader processes earlier ones.
READERS = pytest.mark.parametrize("readers, day", [("threads", "2024-01-01"), ("processes", "2014-12-31")])


def _writing(db: Path) -> bool:
    """The ingest has begun writing events: its WAL holds more than the migrations (~10 KB)."""
    wal = db.with_name(db.name + ".wal")
    return wal.exists() and wal.stat().st_size > 64 << 10


@READERS
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the reader processes")
def test_kill_9_mid_file_and_between_files_then_rerun_loses_and_doubles_nothing(tmp_path, readers, day):
    hours = tmp_path / "hours"
    hours.mkdir()
    files = _make_hours(hours, day)
    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    db = tmp_path / "s.duckdb"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TMPDIR=str(spool_root))
    cmd = [sys.executable, "-m", "osslever", "ingest", "gharchive", str(hours), "--db", str(db), "--quiet"]
    cmd += ["--workers", "2"]

    orphans: list[int] = []
    kills = 0
    children = 0
    # Kill points: as soon as the parent writes its first file, and a little later
    # (inside later files / between them).
    for delay in (0.0, 0.05, 0.2, 0.5):
        db.with_name(db.name + ".wal").unlink(missing_ok=True)  # a killed run's WAL: not the signal
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not _writing(db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        reader_pids = _children(proc.pid)
        children += len(reader_pids)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        time.sleep(0.5)
        orphans += [pid for pid in reader_pids if _running(pid)]
    assert kills >= 2  # the run did not finish before being killed, at least twice
    assert orphans == [], "reader processes outlived the killed ingest"
    assert (children > 0) == (readers == "processes")  # the path this case is about was taken
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Store(db) as store:
        assert _store_counts(store) == _independent_counts(files)
        assert _count(store, "SELECT count(*) - count(DISTINCT event_id) AS n FROM gh_events") == 0
        assert _count(store, "SELECT count(*) AS n FROM gh_sources") == len(files)
    assert list(spool_root.glob("osslever-gharchive-*")) == []  # the killed runs' spools are gone


@READERS
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the reader processes")
def test_ctrl_c_mid_ingest_stops_at_once_with_one_line_and_rerun_completes(tmp_path, readers, day):
    hours = tmp_path / "hours"
    hours.mkdir()
    files = _make_hours(hours, day)
    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    db = tmp_path / "s.duckdb"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TMPDIR=str(spool_root))
    cmd = [sys.executable, "-m", "osslever", "ingest", "gharchive", str(hours), "--db", str(db), "--lang", "en"]
    proc = subprocess.Popen([*cmd, "--quiet", "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _writing(db) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    reader_pids = _children(proc.pid)
    interrupted = proc.poll() is None
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert interrupted
    if proc.returncode == 0:
        # The last file was done before the signal landed (a fast machine): nothing was left to
        # interrupt, and the process must not die for it; the counts must still be exact.
        with Store(db) as store:
            assert _store_counts(store) == _independent_counts(files)
        return
    assert proc.returncode == 130, err  # what it said, when it did not stop as interrupted
    assert time.monotonic() - sent < 3  # not after the readers finish their files
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("osslever:")
    time.sleep(0.5)
    assert [pid for pid in reader_pids if _running(pid)] == []
    assert subprocess.run([*cmd, "--quiet"], env=env).returncode == 0
    with Store(db) as store:
        assert _store_counts(store) == _independent_counts(files)


# --- reader threads -------------------------------------------------------------------


def test_reader_threads_only_where_compiled_code_reads(tmp_path):
    modern, timeline, other = Path("2024-01-01-0.json.gz"), Path("2014-12-31-23.json.gz"), Path("events.json.gz")
    assert ingest._reader_threads_suffice([modern, other], Filter()) == reader.scans_in_c(Filter())
    assert not ingest._reader_threads_suffice([modern, timeline], Filter())  # one Timeline hour: processes
    assert not ingest._reader_threads_suffice([modern], Filter.of(["acme/widget"]))  # a filter parses in Python


def test_gc_pause_is_shared_by_overlapping_readers():
    import gc

    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with reader.gc_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with reader.gc_paused():
        second_in.set()
        first_out.wait(5)
        seen["after the first left"] = gc.isenabled()
    thread.join()
    assert seen == {"after the first left": False} and gc.isenabled()
    gc.disable()
    try:
        with reader.gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_cancelled_read_stops(tmp_path):
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", [_watch("1")])
    cancel = threading.Event()
    assert read_file(path, cancel=cancel).events == 1
    cancel.set()
    with pytest.raises(reader.Cancelled):
        read_file(path, cancel=cancel)


def _reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("gharchive-reader") and t.is_alive()]


def test_an_opener_lets_reading_start_first_and_files_already_done_are_dropped(store, tmp_path):
    files = [write_gz(tmp_path / f"2024-01-01-{h}.json.gz", [_watch(f"{h}{i}") for i in range(50)]) for h in range(3)]
    first = ingest_files(store, files[:2], workers=2)
    assert first.files_ingested == 2
    opened = []

    def opener() -> Store:
        opened.append(True)
        return store

    again = ingest_files(opener, files, workers=2)  # the first two started early, then dropped
    assert opened == [True]
    assert (again.files_ingested, again.files_skipped, again.new_events) == (1, 2, 50)
    assert _count(store) == 150
    assert _reader_threads() == []


def test_an_opener_that_fails_stops_the_early_readers(tmp_path):
    files = [write_gz(tmp_path / f"2024-01-01-{h}.json.gz", [_watch(f"{h}{i}") for i in range(50)]) for h in range(4)]

    def opener() -> Store:
        raise UserError("store.read_only", path="x")

    with pytest.raises(UserError):
        ingest_files(opener, files, workers=2)
    assert _reader_threads() == []


def test_a_ctrl_c_that_duckdb_reports_as_bad_input_stops_the_ingest(tmp_path, monkeypatch):
    """DuckDB turns a KeyboardInterrupt raised while it reads a registered object into
    InvalidInputException, the type of a bad value: the ingest must stop as interrupted,
    not report the file as rejected and go on (seen in CI: exit 1 instead of 130)."""

    class Interrupted:  # DuckDB reads its schema through this, in Python: the Ctrl-C lands here
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            raise KeyboardInterrupt

    def insert(con, table, source):
        con.register("rows_in_0", Interrupted())
        return con.execute("SELECT count(*) FROM rows_in_0").fetchall()[0][0]

    records = [event("WatchEvent", "ann", "2024-01-01T00:00:01Z", event_id=str(i)) for i in range(3)]
    path = write_gz(tmp_path / "2024-01-01-0.json.gz", records)
    monkeypatch.setattr(ingest, "insert_events", insert)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(KeyboardInterrupt):
            ingest_files(store, [path], workers=1)
        assert store.rows("SELECT count(*) AS n FROM gh_sources")[0]["n"] == 0  # nothing recorded
