"""Hostile billing exports: each must end in one clear line (or a correct result), no traceback.

Expected behaviour per case (docs/finance.md: "a bad row stops the run with a message
naming its row and column"): numbers that are not finite, negative or beyond the
exact DECIMAL range are bad rows; an empty or header-only file, a file with another
delimiter and currencies without rates stop the run with one line.
"""

from __future__ import annotations

import pytest

from tests.hostile._cli import one_line_error
from tests.hostile._cli import run_inproc as run

HEADER = "customer_id,subscription_id,plan,start_date,end_date,amount,currency,interval,quantity"
GOOD = "A,a1,p,2024-01-01,,100,USD,month,1"
STRIPE_HEADER = "id,Customer ID,Plan,Quantity,Currency,Interval,Interval Count,Amount,Status,Start Date (UTC)"


def _file(tmp_path, text: str, name: str = "b.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


BAD = {
    "negative": [GOOD, "B,b1,p,2024-01-01,,-3,USD,month,1"],
    "nan": [GOOD, "B,b1,p,2024-01-01,,NaN,USD,month,1"],
    "inf": [GOOD, "B,b1,p,2024-01-01,,inf,USD,month,1"],
    "minus-inf": [GOOD, "B,b1,p,2024-01-01,,-Infinity,USD,month,1"],
    "1e308": [GOOD, "B,b1,p,2024-01-01,,1e308,USD,month,1"],
    "quantity-1e308": [GOOD, "B,b1,p,2024-01-01,,100,USD,month,1e308"],
    "quantity-nan": [GOOD, "B,b1,p,2024-01-01,,100,USD,month,nan"],
    "empty-amount": [GOOD, "B,b1,p,2024-01-01,,,USD,month,1"],
    "date-0000": [GOOD, "B,b1,p,0000-01-01,,100,USD,month,1"],
}
MIXED = [GOOD, "B,b1,p,2024-01-01,,100,EUR,month,1"]  # a row error too: the minority currency


@pytest.mark.parametrize("rows", [*BAD.values(), MIXED], ids=[*BAD.keys(), "mixed-currency"])
def test_bad_billing_rows_are_one_line(tmp_path, rows):
    billing = _file(tmp_path, "\n".join([HEADER, *rows]) + "\n")
    err = one_line_error(run("finance", "metrics", str(billing), "--format", "json"))
    assert "b.csv" in err


@pytest.mark.parametrize("rows", [*BAD.values(), MIXED], ids=[*BAD.keys(), "mixed-currency"])
def test_bad_rows_can_be_skipped_and_the_good_row_counts(tmp_path, rows):
    """--skip-bad-rows: the good row's 100 US$ MRR survives, the bad row is listed."""
    import json

    billing = _file(tmp_path, "\n".join([HEADER, *rows]) + "\n")
    proc = run("finance", "metrics", str(billing), "--format", "json", "--skip-bad-rows", "--as-of", "2024-06")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["mrr"] == 100
    assert doc["skipped_rows_total"] == 1


FILES = {
    "empty": "",
    "header-only": HEADER + "\n",
    "semicolons": HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n",
    "tabs": HEADER.replace(",", "\t") + "\n" + GOOD.replace(",", "\t") + "\n",
    "binary": "\x00\x01\x02PK\x03\x04",
    "latin1": None,
}


@pytest.mark.parametrize("name", FILES)
def test_bad_billing_files_are_one_line(tmp_path, name):
    if name == "latin1":
        billing = _file(tmp_path, HEADER + "\nCafé Ünïon,a1,p,2024-01-01,,100,USD,month,1\n", encoding="latin-1")
    else:
        billing = _file(tmp_path, FILES[name])
    err = one_line_error(run("finance", "metrics", str(billing)))
    assert "b.csv" in err


def test_bom_and_crlf_are_read(tmp_path):
    import json

    billing = tmp_path / "b.csv"
    billing.write_bytes(("\ufeff" + HEADER + "\r\n" + GOOD + "\r\n").encode("utf-8"))
    proc = run("finance", "metrics", str(billing), "--format", "json", "--as-of", "2024-03")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["mrr"] == 100


def test_duplicate_rows_are_reported_not_double_counted(tmp_path):
    import json

    billing = _file(tmp_path, "\n".join([HEADER, GOOD, GOOD]) + "\n")
    err = one_line_error(run("finance", "metrics", str(billing), "--format", "json"))
    assert "b.csv" in err
    proc = run("finance", "metrics", str(billing), "--format", "json", "--skip-bad-rows", "--as-of", "2024-03")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["mrr"] == 100  # once, not 200


@pytest.mark.parametrize(
    ("amount", "interval"),
    [("90000000000", "day"), ("9e10", "day"), ("5e10", "week")],
)
def test_stripe_daily_plan_whose_monthly_amount_overflows(tmp_path, amount, interval):
    """Stripe amounts are per interval; a daily price ×365/12 can pass the per-period check and overflow."""
    # per period under the 1e11 per-period cap; per month (×365/12 or ×52/12) beyond DECIMAL(18,6)
    row = f"sub_1,cus_1,Daily,1,usd,{interval},1,{amount},active,2024-01-01 00:00"
    billing = _file(tmp_path, STRIPE_HEADER + "\n" + row + "\n")
    err = one_line_error(run("finance", "metrics", str(billing)))
    assert "b.csv" in err


@pytest.mark.parametrize("rate", ["1e308", "1e300", "9" * 400, "1e-320"])
def test_huge_or_tiny_fx_rate_is_one_line(tmp_path, rate):
    billing = _file(tmp_path, "\n".join([HEADER, GOOD, "B,b1,p,2024-01-01,,100,EUR,month,1"]) + "\n")
    rates = _file(tmp_path, f"currency,rate\nEUR,{rate}\n", name="fx.csv")
    err = one_line_error(run("finance", "metrics", str(billing), "--rates", str(rates)))
    assert "fx.csv" in err or "b.csv" in err


def test_formula_customer_names_do_not_break_the_run(tmp_path):
    import json

    rows = ['"=HYPERLINK(""http://evil.example"",""x"")",a1,p,2024-01-01,,100,USD,month,1']
    billing = _file(tmp_path, "\n".join([HEADER, *rows]) + "\n")
    proc = run("finance", "metrics", str(billing), "--format", "json", "--as-of", "2024-03")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["customers"] == 1


@pytest.mark.parametrize("period", ["0000-01", "2024-13", "-2024-01", "2024-00", "99999999999-01"])
def test_as_of_out_of_range_is_one_line(tmp_path, period):
    billing = _file(tmp_path, "\n".join([HEADER, GOOD]) + "\n")
    one_line_error(run("finance", "metrics", str(billing), "--as-of", period))


# -- one bad row deep inside a large export (the reader works in blocks, on threads) ----------

BIG_ROWS = 60_000  # 3.6 MB: several of pyarrow's 1 MiB blocks, parsed on two threads


def _big_json(billing, *extra: str) -> dict:
    import json

    proc = run("finance", "metrics", str(billing), "--as-of", "2024-12", "--format", "json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_bad_value_deep_in_a_large_export_names_its_row_and_column(tmp_path):
    from tests.finance_helpers import BIG_AS_OF, big_billing

    billing = tmp_path / "b.csv"
    facts = big_billing(billing, BIG_ROWS, replace={30_001: "cus_x,sub_x,plan0,2024-01-01,,lots,USD,month,1"})
    err = one_line_error(run("finance", "metrics", str(billing), "--as-of", "2024-12", "--lang", "en"))
    assert "b.csv row 30001, column amount" in err and "lots" in err
    doc = _big_json(billing, "--skip-bad-rows")  # the other 59,999 rows, counted once
    assert doc["mrr"] == facts.mrr[BIG_AS_OF] and doc["customers"] == facts.customers[BIG_AS_OF]
    assert (doc["source"]["rows_read"], doc["source"]["rows_used"]) == (BIG_ROWS, BIG_ROWS - 1)
    assert [(s["row"], s["column"], s["problem"]) for s in doc["skipped_rows"]] == [(30_001, "amount", "bad_number")]


def test_a_broken_line_deep_in_a_large_export_keeps_every_later_row_number(tmp_path):
    """An unquoted thousands separator adds a field; the bad date 25,000 rows later must
    still be reported at its own row (the reader's threads do not know line numbers)."""
    from tests.finance_helpers import BIG_AS_OF, big_billing

    billing = tmp_path / "b.csv"
    broken = {
        20_001: "cus_x,sub_x,plan0,2024-01-01,,1,000,USD,month,1",
        45_001: "cus_y,sub_y,plan0,2024-13-01,,100,USD,month,1",
    }
    facts = big_billing(billing, BIG_ROWS, replace=broken)
    err = one_line_error(run("finance", "metrics", str(billing), "--lang", "en"))
    assert "b.csv row 20001: expected 9 fields, found 10" in err
    doc = _big_json(billing, "--skip-bad-rows")
    assert [(s["row"], s["column"], s["problem"]) for s in doc["skipped_rows"]] == [
        (20_001, "*", "bad_field_count"),
        (45_001, "start_date", "bad_date"),
    ]
    assert doc["mrr"] == facts.mrr[BIG_AS_OF] and doc["customers"] == facts.customers[BIG_AS_OF]
    assert (doc["source"]["rows_read"], doc["source"]["rows_used"]) == (BIG_ROWS, BIG_ROWS - 2)
