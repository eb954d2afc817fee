"""Read a billing export, validate every row, and leave normalised subscriptions in DuckDB.

Why DuckDB for validation too: a million rows are checked by one set-based query
(dates, numbers, intervals, duplicates) instead of a Python loop, and the result
stays in the connection the metric SQL then reads (``billing_subscriptions``).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
record row 2. A bad row stops the run with a message naming its row and column,
unless ``skip_bad_rows`` is set; then the rest is computed and the bad rows are
listed (``Billing.skipped``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from osslever.errors import UserError
from osslever.i18n import t
from osslever.sources.billing.adapters import ADAPTERS, Adapter
from osslever.sources.billing.rates import read_rates

# Above this a subscription price (per period, and per month in the reporting currency)
# is almost surely a unit mistake (cents read as dollars times a seat count), and it
# would overflow the exact DECIMAL(18,6) MRR arithmetic.
MAX_PERIOD_AMOUNT = 1e11
LISTED_SKIPS = 1000  # skipped rows listed one by one; the total is always reported


@dataclass
class Billing:
    """Validated subscriptions (table ``billing_subscriptions`` in ``con``) and what was dropped."""

    con: duckdb.DuckDBPyConnection
    file: str
    source_format: str
    currency: str
    converted: bool  # amounts were converted to USD with an FX file
    rows_read: int
    skipped_total: int = 0
    skipped: list[dict[str, object]] = field(default_factory=list)


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), None)
    except FileNotFoundError as exc:
        raise UserError("finance.file_missing", file=str(path)) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError("finance.csv_unreadable", file=str(path), detail=str(exc)[:200]) from exc
    if not first or not any(c.strip() for c in first):
        raise UserError("finance.empty_file", file=str(path))
    names: list[str] = []
    for raw in first:
        name = raw.strip()
        while name in names:  # duplicate header names would make columns ambiguous
            name += "_"
        names.append(name)
    return names


def _read_table(path: Path, names: list[str], skip_bad_rows: bool) -> tuple[pa.Table, list[int]]:
    """All columns as text; rows with the wrong number of fields are reported by line."""
    malformed: list[tuple[int | None, int, int]] = []

    def on_bad(row: pacsv.InvalidRow) -> str:
        malformed.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def read(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads, encoding="utf8"),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )

    try:
        table = read(True)
        if malformed:  # line numbers are only known when reading on one thread
            malformed.clear()
            table = read(False)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise UserError("finance.csv_unreadable", file=str(path), detail=str(exc)[:200]) from exc
    lines = sorted(n for n, _, _ in malformed if n is not None)
    if malformed and not skip_bad_rows:
        number, expected, actual = malformed[0]
        raise UserError("finance.bad_field_count", file=str(path), row=number, expected=expected, actual=actual)
    return table, lines


def _line_numbers(n_rows: int, malformed: list[int]) -> np.ndarray:
    """Spreadsheet row number of each parsed record (skipped malformed lines left out)."""
    every = np.arange(2, n_rows + len(malformed) + 2, dtype=np.int64)
    if malformed:
        every = every[~np.isin(every, np.asarray(malformed, dtype=np.int64))]
    return every[:n_rows]


def _pick_adapter(columns: set[str], source_format: str, path: Path) -> Adapter:
    if source_format != "auto":
        adapter = ADAPTERS.get(source_format)
        if adapter is None:
            raise UserError("finance.unknown_format", format=source_format, allowed=", ".join(ADAPTERS))
        missing = [c for c in adapter.required if c not in columns]
        if missing:
            raise UserError("finance.missing_columns", file=str(path), columns=", ".join(missing))
        return adapter
    for adapter in ADAPTERS.values():
        if adapter.matches(columns):
            return adapter
    generic = ADAPTERS["generic"]
    missing = [c for c in generic.required if c not in columns]
    raise UserError("finance.missing_columns", file=str(path), columns=", ".join(missing))


def _interval_case(adapter: Adapter) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v!r}" for k, v in adapter.intervals.items())
    return f"(CASE iv {whens} END)"


_CHECKS = """
CREATE OR REPLACE TEMP TABLE billing_checked AS
WITH p AS (
    SELECT *,
        TRY_CAST(NULLIF(start, '') AS DATE) AS start_d,
        TRY_CAST(NULLIF("end", '') AS DATE) AS end_d,
        TRY_CAST(NULLIF(trial_end, '') AS DATE) AS trial_d,
        TRY_CAST(NULLIF(amount, '') AS DOUBLE) AS amount_n,
        CASE WHEN quantity = '' THEN 1.0 ELSE TRY_CAST(quantity AS DOUBLE) END AS qty_n,
        CASE WHEN interval_count = '' THEN 1.0 ELSE TRY_CAST(interval_count AS DOUBLE) END
            AS count_n,
        upper(currency) AS cur,
        lower(interval) AS iv
    FROM billing_canon c
    LEFT JOIN (
        -- ids used more than once (a hash aggregate: no sort of a million ids)
        SELECT subscription_id, min(line) AS first_line FROM billing_canon
        GROUP BY subscription_id HAVING count(*) > 1
    ) d USING (subscription_id)
)
SELECT *, CASE
    WHEN customer_id = '' THEN {'problem': 'missing_value', 'field': 'customer_id', 'value': ''}
    WHEN subscription_id = '' THEN
        {'problem': 'missing_value', 'field': 'subscription_id', 'value': ''}
    WHEN first_line IS NOT NULL AND line > first_line THEN
        {'problem': 'duplicate_id', 'field': 'subscription_id',
         'value': CAST(first_line AS VARCHAR)}
    WHEN start = '' THEN {'problem': 'missing_value', 'field': 'start', 'value': ''}
    WHEN start_d IS NULL OR start_d NOT BETWEEN DATE '1970-01-01' AND DATE '2100-12-31' THEN
        {'problem': 'bad_date', 'field': 'start', 'value': start}
    WHEN "end" <> '' AND end_d IS NULL THEN {'problem': 'bad_date', 'field': 'end', 'value': "end"}
    WHEN trial_end <> '' AND trial_d IS NULL THEN
        {'problem': 'bad_date', 'field': 'trial_end', 'value': trial_end}
    WHEN end_d < start_d THEN {'problem': 'end_before_start', 'field': 'end', 'value': "end"}
    WHEN amount = '' THEN {'problem': 'missing_value', 'field': 'amount', 'value': ''}
    WHEN amount_n IS NULL OR NOT isfinite(amount_n) THEN
        {'problem': 'bad_number', 'field': 'amount', 'value': amount}
    WHEN amount_n < 0 THEN {'problem': 'negative_amount', 'field': 'amount', 'value': amount}
    WHEN qty_n IS NULL OR NOT isfinite(qty_n) THEN
        {'problem': 'bad_number', 'field': 'quantity', 'value': quantity}
    WHEN qty_n < 0 THEN {'problem': 'negative_quantity', 'field': 'quantity', 'value': quantity}
    WHEN amount_n * qty_n > $max_amount THEN
        {'problem': 'too_large', 'field': 'amount', 'value': amount}
    WHEN iv = '' THEN {'problem': 'missing_value', 'field': 'interval', 'value': ''}
    WHEN $interval_case IS NULL THEN
        {'problem': 'unknown_interval', 'field': 'interval', 'value': interval}
    WHEN count_n IS NULL OR NOT isfinite(count_n) OR count_n <= 0 THEN
        {'problem': 'bad_number', 'field': 'interval_count', 'value': interval_count}
    WHEN amount_n * qty_n * $interval_case / count_n > $max_amount THEN
        {'problem': 'too_large', 'field': 'amount', 'value': amount}
    WHEN cur = '' THEN {'problem': 'missing_value', 'field': 'currency', 'value': ''}
    WHEN NOT regexp_full_match(cur, '[A-Z]{3}') THEN
        {'problem': 'bad_currency', 'field': 'currency', 'value': currency}
    ELSE NULL END AS err
FROM p
"""

_NORMALISED = """
CREATE OR REPLACE TEMP TABLE billing_subscriptions AS
SELECT
    line, customer_id, subscription_id, plan,
    greatest(start_d, coalesce(trial_d, start_d)) AS start_date,
    CASE WHEN not_revenue THEN greatest(start_d, coalesce(trial_d, start_d)) ELSE end_d END
        AS end_date,
    CAST(round(amount_n * qty_n * $interval_case / count_n * r.rate, 6) AS DECIMAL(18, 6)) AS mrr,
    cur AS currency
FROM billing_checked c JOIN billing_rates r ON r.currency = c.cur
WHERE err IS NULL
"""


def load_billing(
    path: Path | str,
    source_format: str = "auto",
    rates: Path | str | None = None,
    skip_bad_rows: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Billing:
    """Validate ``path`` and leave ``billing_subscriptions`` in ``con`` (a new in-memory one)."""
    path = Path(path)
    names = _header(path)
    columns = set(names)
    adapter = _pick_adapter(columns, source_format, path)
    table, malformed = _read_table(path, names, skip_bad_rows)
    if table.num_rows == 0 and not malformed:
        raise UserError("finance.no_rows", file=str(path))
    table = table.append_column("__line", pa.array(_line_numbers(table.num_rows, malformed)))

    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("billing_raw", table)
    exprs, labels = adapter.build(columns)  # type: ignore[operator]
    if adapter.name == "stripe" and exprs["start"] == "''":
        raise UserError("finance.missing_columns", file=str(path), columns="Start Date (UTC)")
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in exprs.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW billing_canon AS SELECT __line AS line, {select} FROM billing_raw")
    interval_case = _interval_case(adapter)
    con.execute(_CHECKS.replace("$interval_case", interval_case).replace("$max_amount", repr(MAX_PERIOD_AMOUNT)))

    fx = read_rates(Path(rates)) if rates is not None else None
    currency, converted = _check_currencies(con, fx)
    rate_rows = [(c, r) for c, r in (fx or {currency: 1.0}).items()]
    con.execute("CREATE OR REPLACE TEMP TABLE billing_rates (currency VARCHAR, rate DOUBLE)")
    con.executemany("INSERT INTO billing_rates VALUES (?, ?)", rate_rows)
    # The monthly amount in the reporting currency must fit the exact DECIMAL(18,6) column:
    # a daily Stripe price (×365/12) or a large FX rate can push a row over it.
    con.execute(
        "UPDATE billing_checked c SET err = {'problem': 'too_large', 'field': 'amount', 'value': c.amount} "
        f"FROM billing_rates r WHERE c.err IS NULL AND r.currency = c.cur "
        f"AND c.amount_n * c.qty_n * ({interval_case}) / c.count_n * r.rate > {MAX_PERIOD_AMOUNT!r}"
    )
    bad = con.execute(
        "SELECT line, err.problem, err.field, err.value FROM billing_checked WHERE err IS NOT NULL ORDER BY line"
    ).fetchall()
    skipped = [
        {"row": int(line), "column": labels.get(fld, fld), "problem": problem, "value": value}
        for line, problem, fld, value in bad
    ]
    skipped += [{"row": line, "column": "*", "problem": "bad_field_count", "value": ""} for line in malformed]
    skipped.sort(key=lambda s: int(s["row"]))  # type: ignore[call-overload]
    if skipped and not skip_bad_rows:
        first = skipped[0]
        raise UserError(
            "finance.bad_row",
            file=str(path),
            row=first["row"],
            column=first["column"],
            problem=describe_problem(first, currency),
            more=t("finance.more_bad_rows", n=len(skipped) - 1) if len(skipped) > 1 else "",
        )

    con.execute(_NORMALISED.replace("$interval_case", interval_case))
    kept = con.execute("SELECT count(*) FROM billing_subscriptions").fetchone()
    if not kept or kept[0] == 0:
        raise UserError("finance.no_rows", file=str(path))
    return Billing(
        con=con,
        file=str(path),
        source_format=adapter.name,
        currency=currency,
        converted=converted,
        rows_read=table.num_rows + len(malformed),
        skipped_total=len(skipped),
        skipped=skipped[:LISTED_SKIPS],
    )


def _check_currencies(con: duckdb.DuckDBPyConnection, fx: dict[str, float] | None) -> tuple[str, bool]:
    """Mark rows whose currency cannot be reported; return the reporting currency.

    Without an FX file every row must share one currency: the one most rows use
    (on a tie, the first row's) is kept and the others are bad rows ("mixed
    currencies"). With an FX file, amounts become US dollars and a currency
    missing from the file is a bad row.
    """
    counts = con.execute(
        "SELECT cur, count(*) AS n FROM billing_checked WHERE err IS NULL GROUP BY cur ORDER BY n DESC, min(line)"
    ).fetchall()
    if fx is not None:
        known = [c for c in fx]
        con.execute(
            "UPDATE billing_checked SET err = {'problem': 'no_rate', 'field': 'currency', "
            "'value': cur} WHERE err IS NULL AND NOT list_contains(?, cur)",
            [known],
        )
        return "USD", True
    if not counts:
        return "USD", False
    main = counts[0][0]
    if len(counts) > 1:
        con.execute(
            "UPDATE billing_checked SET err = {'problem': 'mixed_currency', 'field': 'currency', "
            "'value': cur} WHERE err IS NULL AND cur <> ?",
            [main],
        )
    return main, False


def describe_problem(skip: dict[str, object], currency: str = "") -> str:
    """One skipped row's problem in the user's language."""
    return t(
        f"finance.problem.{skip['problem']}",
        value=skip.get("value", ""),
        currency=currency,
        column=skip.get("column", ""),
    )
