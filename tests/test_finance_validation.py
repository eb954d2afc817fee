"""Bad billing input: one message naming the row and column, or skipped and listed."""

from __future__ import annotations

import pytest

from osslever import i18n
from osslever.errors import UserError
from osslever.models.finance import finance_document
from tests.finance_helpers import billing_csv

GOOD = "A,a1,p,2024-01-01,,100,USD,month,1"


@pytest.fixture(autouse=True)
def _english():
    i18n.use("en")
    yield
    i18n.use(None)


@pytest.mark.parametrize(
    ("bad_row", "column", "words"),
    [
        ("B,b1,p,2024-13-01,,100,USD,month,1", "start_date", "not a date"),
        ("B,b1,p,2024-02-01,31/12/2024,100,USD,month,1", "end_date", "not a date"),
        ("B,b1,p,2024-03-01,2024-02-01,100,USD,month,1", "end_date", "before the start"),
        ("B,b1,p,2024-01-01,,-5,USD,month,1", "amount", "negative"),
        ("B,b1,p,2024-01-01,,abc,USD,month,1", "amount", "not a number"),
        ("B,b1,p,2024-01-01,,100,USD,week,1", "interval", "unknown billing interval"),
        ("B,b1,p,2024-01-01,,100,USD,month,-2", "quantity", "negative"),
        ("B,b1,p,2024-01-01,,100,US,month,1", "currency", "3-letter"),
        ("B,a1,p,2024-01-01,,100,USD,month,1", "subscription_id", "row 2"),
        (",b1,p,2024-01-01,,100,USD,month,1", "customer_id", "empty"),
        ("B,b1,p,2024-01-01,,100,EUR,month,1", "currency", "--rates"),
    ],
)
def test_bad_row_names_row_and_column(tmp_path, bad_row, column, words):
    path = billing_csv(tmp_path, [GOOD, bad_row])
    with pytest.raises(UserError) as err:
        finance_document(path, as_of="2024-03")
    text = str(err.value)
    assert "row 3" in text and f"column {column}" in text and words in text
    assert "\n" not in text


def test_skip_bad_rows_computes_the_rest_and_lists_them(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            GOOD,
            "B,b1,p,2024-13-01,,100,USD,month,1",
            "C,c1,p,2024-01-01,,50,USD,month,1",
            "D,d1,p,2024-01-01,,-1,USD,month,1",
            "E,e1,p,2024-01-01,,70,EUR,month,1",
        ],
    )
    with pytest.raises(UserError) as err:
        finance_document(path, as_of="2024-02")
    assert "2 more bad rows" in str(err.value)
    doc = finance_document(path, as_of="2024-02", skip_bad_rows=True)
    assert doc["mrr"] == 150.0 and doc["customers"] == 2
    assert doc["skipped_rows_total"] == 3
    assert [(s["row"], s["column"], s["problem"]) for s in doc["skipped_rows"]] == [
        (3, "start_date", "bad_date"),
        (5, "amount", "negative_amount"),
        (6, "currency", "mixed_currency"),
    ]
    assert doc["source"]["rows_read"] == 5 and doc["source"]["rows_used"] == 2


def test_malformed_line_is_reported_by_line_and_skippable(tmp_path):
    path = billing_csv(tmp_path, [GOOD, "B,b1,p,2024-01-01", "C,c1,p,2024-01-01,,bad,USD,month,1"])
    with pytest.raises(UserError) as err:
        finance_document(path, as_of="2024-02")
    assert "row 3" in str(err.value) and "expected 9 fields" in str(err.value)
    doc = finance_document(path, as_of="2024-02", skip_bad_rows=True)
    # the malformed line keeps later rows on their own line numbers
    assert [(s["row"], s["problem"]) for s in doc["skipped_rows"]] == [(3, "bad_field_count"), (4, "bad_number")]


def test_currency_without_rate(tmp_path):
    path = billing_csv(tmp_path, [GOOD, "B,b1,p,2024-01-01,,100,GBP,month,1"])
    rates = tmp_path / "fx.csv"
    rates.write_text("currency,rate\nEUR,1.1\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        finance_document(path, as_of="2024-02", rates=rates)
    assert "row 3" in str(err.value) and "GBP has no rate" in str(err.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "is empty"),
        ("customer_id,plan\nA,p\n", "lacks the column(s) subscription_id"),
        ("customer_id,subscription_id,start_date,amount,currency,interval\n", "no usable"),
    ],
)
def test_file_level_errors(tmp_path, content, words):
    path = tmp_path / "b.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as err:
        finance_document(path)
    assert words in str(err.value)


def test_missing_file_and_bad_as_of(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        finance_document(tmp_path / "nope.csv")
    path = billing_csv(tmp_path, [GOOD])
    with pytest.raises(UserError, match="YYYY-MM"):
        finance_document(path, as_of="2024/13")


def test_bad_rates_file(tmp_path):
    path = billing_csv(tmp_path, [GOOD])
    rates = tmp_path / "fx.csv"
    rates.write_text("currency,rate\nEUR,-1\n", encoding="utf-8")
    with pytest.raises(UserError, match="row 2"):
        finance_document(path, rates=rates)


def test_messages_exist_in_chinese(tmp_path):
    i18n.use("zh")
    path = billing_csv(tmp_path, [GOOD, "B,b1,p,2024-03-01,2024-02-01,100,USD,month,1"])
    with pytest.raises(UserError) as err:
        finance_document(path, as_of="2024-03")
    text = err.value.render("zh")
    assert "第 3 行" in text and "end_date" in text and "早于" in text
