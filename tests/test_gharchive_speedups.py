"""The C scanner (``_speedups``) against the definition of the columns (``normalize``).

The scanner is an accelerator: for every line it either gives the row that
``normalize_line`` gives, or hands the line back. So each test reads the same
file twice — with the scanner, and with the pure-Python path (``_speedups``
switched off) — and asserts the two results are identical: table, bad lines and
their messages, duplicates, line counts. Inputs: the real GH Archive records in
../shared/data/gharchive, hand-written edge lines, and mutations of the real
records. Separately, values the scanner computes itself (times, integer ranges)
are checked against hand-computed values and published limits.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import random
from pathlib import Path

import pytest

from osslever.sources.gharchive import normalize, reader
from osslever.sources.gharchive.reader import read_file
from tests.events_fixtures import SHARED, event, write_gz


def scan_once(buffer: bytes, start: int, end: int) -> tuple:
    """One scan of ``buffer[start:end]`` into a fresh table: (rows, lines, columns, fallback)."""
    from osslever.sources.gharchive import _speedups

    table = _speedups.table()
    rows, lines, fallback = _speedups.scan_into(table, buffer, start, end)
    return rows, lines, _speedups.take(table)[1], fallback


def real_records() -> list[dict]:
    records = []
    for path in sorted(SHARED.glob("*.json.gz")):
        with gzip.open(path, "rb") as fh:
            records += [json.loads(line) for line in fh]
    return records


def both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[reader.FileResult, reader.FileResult]:
    """The file read with the scanner, then without it.

    The scanner's read is made twice: inflating in this thread into its reused chunk
    buffer, and in a helper thread (fresh chunks); both must give the same result.
    """
    fast = read_file(path, spare_core=False)
    helped = read_file(path, spare_core=True)
    assert_same(fast, helped)
    with monkeypatch.context() as m:
        m.setattr(reader, "_speedups", None)
        slow = read_file(path)
    return fast, slow


def assert_same(fast: reader.FileResult, slow: reader.FileResult) -> None:
    assert (fast.error, fast.lines, fast.events, fast.duplicates) == (
        slow.error,
        slow.lines,
        slow.events,
        slow.duplicates,
    )
    assert (fast.bad_lines, fast.bad_examples) == (slow.bad_lines, slow.bad_examples)
    if slow.table is None:
        assert fast.table is None
        return
    assert fast.table.schema == slow.table.schema
    for name in normalize.COLUMNS:  # column by column, so a failure names the column
        assert fast.table.column(name).to_pylist() == slow.table.column(name).to_pylist(), name


def test_the_extension_is_built_and_matches_the_columns():
    """CI builds it (setup.py); without it every other test here would compare the slow path with itself."""
    from osslever.sources.gharchive import _speedups

    assert reader._speedups is _speedups
    assert len(normalize.COLUMNS) == _speedups.COLUMNS


def test_real_records_give_the_same_table(tmp_path, monkeypatch):
    records = real_records()
    assert len(records) > 2000
    path = write_gz(tmp_path / "real.json.gz", records)
    fast, slow = both(path, monkeypatch)
    assert_same(fast, slow)
    assert fast.events == len(records) and fast.bad_lines == 0


def test_the_scanner_reads_real_records_itself():
    """Not handed back: the speed comes from the scanner reading them, not from the fallback."""

    block = b"".join(json.dumps(r).encode() + b"\n" for r in real_records())
    rows, lines, _columns, fallback = scan_once(block, 0, len(block))
    assert lines == block.count(b"\n")
    assert fallback == [] and rows == lines


BASE = event("IssuesEvent", "ann", "2024-01-02T03:04:05Z", payload={"action": "opened"})


def line_of(record: dict | str | bytes) -> bytes:
    if isinstance(record, bytes):
        return record
    return (record if isinstance(record, str) else json.dumps(record)).encode()


_ids = itertools.count(10**9)


def edit(**changes) -> dict:
    """BASE with a fresh id and ``changes`` (a key set to a value)."""
    out = json.loads(json.dumps(BASE))
    out["id"] = str(next(_ids))
    for key, value in changes.items():
        out[key] = value
    return out


# Lines the scanner must hand back to Python (which then keeps or rejects them).
HANDED_BACK = {
    "escaped key spelling a known key": b'{"\\u0069d":"9","type":"PushEvent","created_at":"2024-01-01T00:00:00Z"}',
    "escaped key of an optional field": line_of(edit(org={"login": "acme"})).replace(b'"org"', b'"\\u006frg"'),
    "repeated known key": b'{"id":"1","id":"2","type":"PushEvent","created_at":"2024-01-01T00:00:00Z"}',
    "escaped login": line_of(edit(actor={"id": 1, "login": "us\\u0065r"})).replace(b"\\\\u", b"\\u"),
    "non-ASCII login": line_of(edit(actor={"id": 1, "login": "josé"})),
    "lone surrogate in a skipped string": line_of(edit(public="\\ud800")).replace(b"\\\\u", b"\\u"),
    "high surrogate before a non-surrogate": line_of(edit(public="\\ud800\\u0041")).replace(b"\\\\u", b"\\u"),
    "invalid UTF-8 in a skipped string": line_of(edit(public="X")).replace(b'"X"', b'"\xff\xfe"'),
    "control byte in a string": line_of(edit(public="X")).replace(b'"X"', b'"a\x01b"'),
    "id -0": line_of(edit()).replace(b'"id": "', b'"id": -0, "x": "'),
    "empty id": line_of(edit(id="")),
    "null id": line_of(edit(id=None)),
    "no id": line_of({k: v for k, v in BASE.items() if k != "id"}),
    "Timeline record": line_of(
        {
            "type": "WatchEvent",
            "actor": "bob",
            "created_at": "2012-03-10T15:23:12-08:00",
            "repository": {"id": 5, "name": "w", "owner": "acme"},
            "payload": {"action": "started"},
        }
    ),
    "actor as a string": line_of(edit(actor="bob")),
    "issue as an integer": line_of(edit(payload={"issue": 77})),
    "time with an offset": line_of(edit(created_at="2024-01-02T03:04:05+01:00")),
    "time with fractions": line_of(edit(created_at="2024-01-02T03:04:05.123Z")),
    "30 February": line_of(edit(created_at="2024-02-30T00:00:00Z")),
    "29 February of a common year": line_of(edit(created_at="2023-02-29T00:00:00Z")),
    "29 February 2100 (not a leap year)": line_of(edit(created_at="2100-02-29T00:00:00Z")),
    "leap second": line_of(edit(created_at="2016-12-31T23:59:60Z")),
    "unreadable created_at": line_of(edit(created_at="yesterday")),
    "no created_at": line_of({k: v for k, v in BASE.items() if k != "created_at"}),
    "empty type": line_of(edit(type="")),
    "number above INTEGER": line_of(edit(payload={"number": 2**31})),
    "number below INTEGER": line_of(edit(payload={"number": -(2**31) - 1})),
    "repo id above BIGINT": line_of(edit(repo={"id": 2**63, "name": "a/b"})),
    "float where an integer goes": line_of(edit(payload={"size": 3.0})),
    "exponent where an integer goes": line_of(edit()).replace(b'"payload": {', b'"payload": {"size": 1e2, '),
    "string where an integer goes": line_of(edit(payload={"number": "5"})),
    "object where a string goes": line_of(edit(type={"a": 1})),
    "array where an object goes": line_of(edit(repo=[1, 2])),
    "marker that is not an object": line_of(edit(payload={"issue": {"number": 1, "pull_request": "x"}})),
    "boolean spelled wrong": line_of(edit(type="PullRequestEvent", payload={"pull_request": {}})).replace(
        b'"pull_request": {}', b'"pull_request": {"merged": True}'
    ),
    "nesting deeper than the scanner goes": line_of(edit()).replace(
        b'"public": true', b'"x": ' + b"[" * 70 + b"]" * 70
    ),
    "garbage after the object": line_of(edit()) + b" x",
    "two objects on one line": line_of(edit()) + line_of(edit()),
    "not an object": b"[1, 2, 3]",
    "a number": b"42",
    "null": b"null",
    "truncated": line_of(edit())[:-10],
    "form feed only": b"\x0c",
    "unquoted key": line_of(edit()).replace(b'"public"', b"public"),
    "single quotes": line_of(edit()).replace(b'"public"', b"'public'"),
    "trailing comma": line_of(edit()).replace(b'"public": true', b'"public": true,'),
    "leading zero": line_of(edit()).replace(b'"public": true', b'"x": 012'),
    "bare minus": line_of(edit()).replace(b'"public": true', b'"x": -'),
    "a number that never ends": line_of(edit()).replace(b'"public": true', b'"x": ' + b"9" * 50),
    "a review state longer than any GitHub writes": line_of(
        edit(type="PullRequestReviewEvent", payload={"action": "created", "review": {"id": 9, "state": "X" * 65}})
    ),
}

# Lines the scanner reads itself: unusual, but its own shape.
READ_BY_SCANNER = {
    "nulls everywhere": line_of(edit(actor=None, repo=None, org=None, payload=None)),
    "empty objects": line_of(edit(actor={}, repo={}, org={}, payload={})),
    "no payload": line_of({k: v for k, v in BASE.items() if k != "payload"}),
    "whitespace between tokens": b' {\t"id" : "77" ,\r"type":"PushEvent" , "created_at" : "2024-01-01T00:00:00Z" } \r',
    "review state in capitals": line_of(
        edit(type="PullRequestReviewEvent", payload={"action": "created", "review": {"id": 9, "state": "APPROVED"}})
    ),
    "2025-10 trimmed pull request": line_of(
        edit(type="PullRequestEvent", payload={"action": "closed", "number": 5, "pull_request": {"id": 1}})
    ),
    "trimmed push": line_of(edit(type="PushEvent", payload={"push_id": 1, "ref": "refs/heads/main"})),
    "merged unknown, closed with merged_at": line_of(
        edit(
            type="PullRequestEvent",
            payload={
                "action": "closed",
                "pull_request": {
                    "number": 3,
                    "user": {"id": 1, "login": "x"},
                    "closed_at": "2024-01-03T00:00:00Z",
                    "merged_at": "2024-01-03T00:00:00Z",
                },
            },
        )
    ),
    "closed unmerged, merged unknown": line_of(
        edit(
            type="PullRequestEvent",
            payload={
                "action": "closed",
                "pull_request": {"number": 3, "user": {"id": 1, "login": "x"}, "closed_at": "2024-01-03T00:00:00Z"},
            },
        )
    ),
    "29 February 2000 (a leap year)": line_of(edit(created_at="2000-02-29T12:00:00Z")),
    "issue that is a pull request": line_of(
        edit(type="IssueCommentEvent", payload={"issue": {"number": 4, "pull_request": {}}, "comment": {"id": 8}})
    ),
    "Timeline-era comment_id": line_of(edit(type="IssueCommentEvent", payload={"comment_id": 123})),
    "escapes, unicode and deep nesting in skipped parts": line_of(
        edit(
            public={"body": 'a "quoted" \\ line\n\t☃ 😀 \u00e9', "deep": [[[[[[{"x": [1.5e-3, -0.0, True, None]}]]]]]]}
        )
    ),
    "integer extremes": line_of(edit(repo={"id": 2**63 - 1, "name": "a/b"}, actor={"id": -(2**63), "login": "x"})),
    "INTEGER extremes": line_of(edit(type="PushEvent", payload={"size": 2**31 - 1, "distinct_size": -(2**31)})),
    "integer id": line_of(edit(id=12345678901)),
    "integer id at its limit": line_of(edit(id=2**63 - 1)),
    "raw UTF-8 in skipped parts": json.dumps(edit(public="☃ 😀 é ß"), ensure_ascii=False).encode(),
    "29 February of a leap year": line_of(edit(created_at="2024-02-29T23:59:59Z")),
    "the first second of 1970": line_of(edit(created_at="1970-01-01T00:00:00Z")),
    "before 1970": line_of(edit(created_at="1969-12-31T23:59:59Z")),
    "unknown keys with the names of nested ones": line_of(edit(login="x", name="y", number=5, user={"id": 1})),
    "empty strings": line_of(edit(actor={"id": 1, "login": ""}, org={"login": ""})),
}


@pytest.mark.parametrize("name", sorted(HANDED_BACK))
def test_lines_outside_the_scanners_shape_are_handed_back(name, tmp_path, monkeypatch):

    raw = HANDED_BACK[name]
    block = line_of(edit()) + b"\n" + raw + b"\n" + line_of(edit()) + b"\n"
    rows, lines, _columns, fallback = scan_once(block, 0, len(block))
    assert (rows, lines) == (2, 3)
    assert [(before, index) for before, index, _s, _e in fallback] == [(1, 1)]
    _b, _i, start, end = fallback[0]
    assert block[start:end] == raw
    path = tmp_path / "f.json.gz"
    with gzip.open(path, "wb") as fh:  # the edge line between two ordinary ones, as in a real file
        fh.write(block)
    assert_same(*both(path, monkeypatch))


def test_random_bytes_and_ranges_never_break_the_scanner():
    """Untrusted bytes reach C code: any bytes, any range, and the lines it reads still add up.

    (The same loop ran for minutes against an AddressSanitizer/UBSan build; see docs/events.md.)
    """

    rnd = random.Random(7)
    record = line_of(edit())
    for _ in range(3000):
        raw = bytes(rnd.randrange(256) for _ in range(rnd.randrange(120)))
        buf = record + b"\n" + raw + b"\n" + record + b"\n"
        rows, lines, _columns, fallback = scan_once(buf, 0, len(buf))
        assert rows >= 2 and lines == buf.count(b"\n")
        assert all(0 <= s <= e <= len(buf) for _b, _i, s, e in fallback)
        lo = rnd.randrange(len(buf) + 1)
        hi = rnd.randrange(lo, len(buf) + 1)
        scan_once(buf, lo, hi)  # a range that need not end after a newline


def test_blank_lines_are_counted_but_give_no_row_and_need_no_python():
    """A line is parsed without searching for its end first: blank ones must still end where their newline is."""

    record = line_of(edit())
    block = record + b"\n\n \t\r\n" + record + b"\r\n"
    assert scan_once(block, 0, len(block))[:2] == (2, 4)
    assert scan_once(block, 0, len(block))[3] == []


@pytest.mark.parametrize("name", sorted(READ_BY_SCANNER))
def test_unusual_lines_of_its_shape_are_read_like_python_reads_them(name, tmp_path, monkeypatch):

    raw = READ_BY_SCANNER[name]
    rows, lines, _columns, fallback = scan_once(raw + b"\n", 0, len(raw) + 1)
    assert (rows, lines, fallback) == (1, 1, [])
    path = tmp_path / "f.json.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(line_of(edit()) + b"\n" + raw + b"\n")
    fast, slow = both(path, monkeypatch)
    assert_same(fast, slow)
    assert fast.events == 2


def test_times_and_extremes_are_the_published_values(tmp_path):
    """Hand-computed: the instant of each spelling; the ends of BIGINT and INTEGER (2^63 - 1, -2^31)."""
    lines = [
        READ_BY_SCANNER["29 February of a leap year"],
        READ_BY_SCANNER["before 1970"],
        READ_BY_SCANNER["integer extremes"],
        READ_BY_SCANNER["INTEGER extremes"],
        READ_BY_SCANNER["review state in capitals"],
    ]
    table = read_file(write_gz(tmp_path / "f.json.gz", [], lines)).table.to_pylist()
    assert table[0]["created_at"] == dt.datetime(2024, 2, 29, 23, 59, 59)
    assert table[1]["created_at"] == dt.datetime(1969, 12, 31, 23, 59, 59)
    assert (table[2]["repo_id"], table[2]["actor_id"]) == (9223372036854775807, -9223372036854775808)
    assert (table[3]["push_size"], table[3]["push_distinct_size"]) == (2147483647, -2147483648)
    assert table[3]["payload_trimmed"] is False
    assert (table[4]["review_state"], table[4]["comment_id"], table[4]["is_pull_request"]) == ("approved", 9, True)


def test_handed_back_rows_keep_their_place_so_the_first_duplicate_wins(tmp_path, monkeypatch):
    """An event repeated as a line the scanner hands back (an integer id) and as one it reads."""
    first = edit(id=555, actor={"id": 1, "login": "first"})  # integer id: read by the scanner
    second = dict(first, id="555", actor={"id": 2, "login": "josé"})  # non-ASCII login: handed back
    records = [edit(), second, edit(), first, edit()]
    path = write_gz(tmp_path / "d.json.gz", records)
    fast, slow = both(path, monkeypatch)
    assert_same(fast, slow)
    kept = [r for r in fast.table.to_pylist() if r["event_id"] == "555"]
    assert [r["actor_login"] for r in kept] == ["josé"] and fast.duplicates == 1


def test_a_table_filled_by_several_scans_is_emptied_by_take():
    from osslever.sources.gharchive import _speedups

    one, two = line_of(edit(id="1")) + b"\n", line_of(edit(id="2")) + b"\n" + line_of(edit(id="3")) + b"\n"
    table = _speedups.table()
    assert _speedups.scan_into(table, one, 0, len(one)) == (1, 1, [])
    assert _speedups.scan_into(table, two, 0, len(two)) == (3, 2, [])
    rows, columns = _speedups.take(table)
    alone = scan_once(one + two, 0, len(one + two))
    assert (rows, columns) == (3, alone[2])  # the same buffers as one scan of both
    assert _speedups.take(table)[0] == 0  # emptied
    assert _speedups.scan_into(table, two, 0, len(two))[0] == 2  # and filled again from row 0
    assert _speedups.take(table)[1] == scan_once(two, 0, len(two))[2]
    with pytest.raises((TypeError, ValueError)):
        _speedups.take(object())


def test_the_scanner_notes_repeated_ids_across_takes():
    from osslever.sources.gharchive import _speedups

    def lines(*ids: str) -> bytes:
        return b"".join(line_of(edit(id=i)) + b"\n" for i in ids)

    table = _speedups.table()
    block = lines("1", "2", "10", "100")
    _speedups.scan_into(table, block, 0, len(block))
    assert _speedups.repeats(table) is False
    _speedups.take(table)
    block = lines("3", "2")  # "2" was read before the take
    _speedups.scan_into(table, block, 0, len(block))
    assert _speedups.repeats(table) is True


def test_repeats_read_by_the_scanner_in_different_batches_keep_the_first(tmp_path, monkeypatch):
    records = [edit(id=str(7000 + i), actor={"id": i, "login": f"u{i}"}) for i in range(20)]
    records += [edit(id="7002", actor={"id": 99, "login": "again"}), edit(id="7019", actor={"id": 98, "login": "x"})]
    path = write_gz(tmp_path / "r.json.gz", records)
    with monkeypatch.context() as m:
        m.setattr(reader, "BATCH_ROWS", 4)
        m.setattr(reader, "CHUNK", 700)
        fast, slow = both(path, monkeypatch)
    assert_same(fast, slow)
    assert fast.events == 20 and fast.duplicates == 2
    assert "again" not in fast.table.column("actor_login").to_pylist()


def test_batches_across_chunks_keep_handed_back_rows_in_place(tmp_path, monkeypatch):
    """Scanner rows become one Arrow batch for many chunks; handed-back rows keep their line's place.

    Small batches and chunks, so batch and chunk boundaries fall between, before and after
    the handed-back lines; the table must equal the pure-Python read, row for row.
    """
    records = []
    for i in range(60):
        if i % 7 == 3:  # a non-ASCII login: handed back to Python
            records.append(edit(id=str(9000 + i), actor={"id": i, "login": f"jos\u00e9{i}"}))
        else:
            records.append(edit(id=str(9000 + i)))
    records.append(edit(id="9003", actor={"id": 1, "login": "later"}))  # a repeat: the first one wins
    path = write_gz(tmp_path / "b.json.gz", records)
    with monkeypatch.context() as m:
        m.setattr(reader, "BATCH_ROWS", 4)
        m.setattr(reader, "CHUNK", 1000)
        fast, slow = both(path, monkeypatch)
    assert len(fast.table.column("event_id").chunks) > 3  # several batches were made
    assert_same(fast, slow)
    assert fast.events == 60 and fast.duplicates == 1
    assert fast.table.column("actor_login").to_pylist()[3] == "jos\u00e93"


def test_mutated_real_records_give_the_same_result(tmp_path, monkeypatch):
    """2,000 real records with fields deleted, nulled, retyped or re-spelled at random (seeded)."""
    rnd = random.Random(20261202)
    records = real_records()
    replacements = [
        None,
        "",
        "x",
        0,
        -1,
        2**31,
        2**63,
        1.5,
        True,
        [],
        {},
        "2024-01-01T00:00:00Z",
        "2024-13-01T00:00:00Z",
    ]
    lines = []
    for record in rnd.sample(records, 2000):
        record = json.loads(json.dumps(record))
        for _ in range(rnd.randrange(1, 4)):
            target = record
            path = []
            while isinstance(target, dict) and target and rnd.random() < 0.7:
                key = rnd.choice(sorted(target))
                path.append(key)
                if not isinstance(target[key], dict):
                    break
                target = target[key]
            if not path:
                continue
            holder = record
            for key in path[:-1]:
                holder = holder[key]
            if rnd.random() < 0.3:
                del holder[path[-1]]
            else:
                holder[path[-1]] = rnd.choice(replacements)
        lines.append(json.dumps(record, ensure_ascii=rnd.random() < 0.5).encode())
    path = write_gz(tmp_path / "m.json.gz", [edit()], lines)  # a sound first line: the file is GH Archive
    fast, slow = both(path, monkeypatch)
    assert_same(fast, slow)
    assert 0 < fast.bad_lines < len(lines)  # the mutations did reach both outcomes


def test_chunks_inflated_in_this_thread_reuse_one_buffer_and_lose_nothing(tmp_path, monkeypatch):
    """Full chunks come in this thread's one buffer (refilled each time); the last is a copy."""
    import gzip

    records = [edit(id=str(5000 + i)) for i in range(30)]
    path = write_gz(tmp_path / "c.json.gz", records)
    whole = gzip.decompress(path.read_bytes())
    monkeypatch.setattr(reader, "CHUNK", 1000)
    chunks = [(chunk, bytes(chunk)) for chunk in reader._chunks(path, spare_core=False)]
    assert b"".join(copy for _, copy in chunks) == whole
    assert len(chunks) == -(-len(whole) // 1000)  # ceil: every full chunk, then the rest
    full = [chunk for chunk, _ in chunks[:-1]]
    assert all(chunk is full[0] for chunk in full) and len(full[0]) == 1000
    assert isinstance(chunks[-1][0], bytes) and len(chunks[-1][0]) == len(whole) % 1000
