"""Revenue metrics on hand-computed examples (ChartMogul movement definitions).

Every expected number below is worked out by hand in the comments from the rows
of the test, never taken from the code under test.
"""

from __future__ import annotations

import pytest

from osslever import i18n
from osslever.models.finance import finance_document, profile_evidence
from tests.finance_helpers import billing_csv


@pytest.fixture(autouse=True)
def _english():
    i18n.use("en")
    yield
    i18n.use(None)


def _moves(doc):
    return {m["month"]: m for m in doc["movements"]}


def test_every_movement_type_mid_month_starts_and_annual_plan(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            # X: 100/month from Jan 10 (mid-month: active on Jan 31 -> January)
            "X,x1,basic,2024-01-10,2024-05-20,100,USD,month,1",
            # X adds 50/month on Mar 5 -> expansion 50 in March
            "X,x2,addon,2024-03-05,2024-07-01,50,USD,month,1",
            # x1 ends May 20 -> May-end MRR 50 -> contraction 100 in May
            # x2 ends Jul 1 -> last month-end Jun 30 -> churn 50 in July
            # X comes back Sep 15 at 80 -> reactivation 80 in September
            "X,x3,basic,2024-09-15,,80,USD,month,1",
            # Y: annual 1,200 -> MRR 100, new in February
            "Y,y1,annual,2024-02-01,2025-02-01,1200,USD,year,1",
        ],
    )
    doc = finance_document(path, as_of="2024-09")
    m = _moves(doc)
    assert list(m) == [f"2024-{i:02d}" for i in range(1, 10)]  # every month, zero months too
    assert m["2024-01"]["new"] == 100.0
    assert m["2024-02"]["new"] == 100.0
    assert m["2024-03"]["expansion"] == 50.0
    assert m["2024-05"]["contraction"] == 100.0
    assert m["2024-07"]["churn"] == 50.0
    assert m["2024-09"]["reactivation"] == 80.0
    assert m["2024-09"]["new"] == 0.0
    for month in ("2024-04", "2024-06", "2024-08"):
        assert all(m[month][k] == 0.0 for k in ("new", "expansion", "contraction", "churn", "reactivation"))
    assert doc["mrr"] == 180.0 and doc["arr"] == 2160.0 and doc["customers"] == 2


def test_month_end_boundaries(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            "A,a1,p,2024-01-31,2024-06-30,10,USD,month,1",  # starts on the last day: counts in Jan
            "B,b1,p,2024-02-01,2024-02-29,10,USD,month,1",  # never active on a month-end
        ],
    )
    doc = finance_document(path, as_of="2024-07")
    m = _moves(doc)
    assert m["2024-01"]["new"] == 10.0
    assert m["2024-02"]["new"] == 0.0  # B earned nothing at any month-end
    assert m["2024-06"]["churn"] == 10.0  # end Jun 30 is exclusive: not active on Jun 30
    assert doc["mrr"] == 0.0 and doc["customers"] == 0
    assert doc["concentration"] == {"top1": None, "top5": None, "top10": None}


def test_contract_example_reproduced(tmp_path):
    # A and B 100/month since Jan 2024; E 50 since Mar; C 1.2M/year since Jun;
    # Jan 2025: A churns (100), B adds 100 (expansion), D new at 3 × 100.
    path = billing_csv(
        tmp_path,
        [
            "A,a1,basic,2024-01-01,2025-01-15,100,USD,month,1",
            "B,b1,basic,2024-01-01,,100,USD,month,1",
            "E,e1,mini,2024-03-01,,50,USD,month,",
            "C,c1,enterprise,2024-06-01,,1200000,USD,year,1",
            "B,b2,addon,2025-01-10,,100,USD,month,1",
            "D,d1,team,2025-01-20,,100,USD,month,3",
        ],
    )
    doc = finance_document(path, as_of="2025-01")
    assert doc["schema_version"] == 1 and doc["as_of"] == "2025-01" and doc["currency"] == "USD"
    assert doc["mrr"] == 100550.0 and doc["arr"] == 1206600.0 and doc["customers"] == 4
    # then (2024-01): A 100, B 100; now: A 0, B 200 -> NRR 200/200, GRR (0+100)/200
    assert doc["nrr_12m"] == 1.0 and doc["grr_12m"] == 0.5 and doc["logo_churn_12m"] == 0.5
    assert doc["customers_arr_1m_plus"] == 1
    assert doc["concentration"] == {"top1": 0.9945, "top5": 1.0, "top10": 1.0}  # 100000/100550
    last = doc["movements"][-1]
    assert {k: last[k] for k in ("month", "new", "expansion", "contraction", "churn", "reactivation")} == {
        "month": "2025-01",
        "new": 300.0,
        "expansion": 100.0,
        "contraction": 0.0,
        "churn": 100.0,
        "reactivation": 0.0,
    }
    assert doc["movements"][0]["month"] == "2024-01"


def test_nrr_grr_upgrade_then_churn_and_reactivation(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            # A: 100 at 2024-12, upgrades to 300 in Mar 2025, churns in Aug 2025 -> now 0
            "A,a1,p,2024-06-01,2025-03-01,100,USD,month,1",
            "A,a2,p,2025-03-01,2025-08-01,300,USD,month,1",
            # B: steady 100
            "B,b1,p,2024-01-01,,100,USD,month,1",
            # C: 100 at 2024-12, churns in Apr 2025, reactivates at 150 in Jul 2025
            "C,c1,p,2024-10-01,2025-04-01,100,USD,month,1",
            "C,c2,p,2025-07-15,,150,USD,month,1",
            # D: new after the base month -> not in NRR/GRR
            "D,d1,p,2025-02-01,,500,USD,month,1",
        ],
    )
    doc = finance_document(path, as_of="2025-12")
    # base 300 (A, B, C); now A 0, B 100, C 150
    assert doc["nrr_12m"] == round(250 / 300, 4)
    assert doc["grr_12m"] == round(200 / 300, 4)
    assert doc["logo_churn_12m"] == round(1 / 3, 4)
    m = _moves(doc)
    assert m["2025-03"]["expansion"] == 200.0
    assert m["2025-04"]["churn"] == 100.0
    assert m["2025-07"]["reactivation"] == 150.0
    assert m["2025-08"]["churn"] == 300.0


def test_ratios_are_null_without_a_base(tmp_path):
    path = billing_csv(tmp_path, ["A,a1,p,2024-01-01,,100,USD,month,1"])
    doc = finance_document(path, as_of="2024-06")
    assert doc["nrr_12m"] is None and doc["grr_12m"] is None and doc["logo_churn_12m"] is None


def test_cohort_retention_table(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            "X,x1,basic,2024-01-10,2024-05-20,100,USD,month,1",
            "X,x2,addon,2024-03-05,2024-07-01,50,USD,month,1",
            "X,x3,basic,2024-09-15,,80,USD,month,1",
            "Y,y1,annual,2024-02-01,,1200,USD,year,1",
        ],
    )
    doc = finance_document(path, as_of="2024-09")
    jan, feb = doc["cohorts"]
    assert jan["cohort"] == "2024-01" and jan["customers"] == 1 and jan["mrr"] == 100.0
    # X: Jan 100, Feb 100, Mar 150, Apr 150, May 50, Jun 50, Jul 0, Aug 0, Sep 80
    assert jan["revenue_retention"] == [1.0, 1.0, 1.5, 1.5, 0.5, 0.5, 0.0, 0.0, 0.8]
    assert jan["customer_retention"] == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    assert feb["revenue_retention"] == [1.0] * 8


def test_acv_distribution_and_top_customers(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            "S,s1,p,2024-01-01,,500,USD,month,1",  # ACV 6,000
            "M,m1,p,2024-01-01,,30000,USD,year,1",  # ACV 30,000
            "L,l1,p,2024-01-01,,100000,USD,month,1",  # ACV 1,200,000
        ],
    )
    doc = finance_document(path, as_of="2024-02")
    bands = {b["band"]: b["customers"] for b in doc["acv_distribution"]["bands"]}
    assert bands["<12k"] == 1 and bands["25k-50k"] == 1 and bands[">=1M"] == 1
    assert doc["acv_distribution"]["p50"] == 30000.0
    assert [c["customer_id"] for c in doc["top_customers"]] == ["L", "M", "S"]
    assert doc["largest_customer_acv"] == 1200000.0


def test_stripe_export_adapter(tmp_path):
    header = (
        "id,Customer ID,Plan,Quantity,Currency,Interval,Interval Count,Amount,Status,"
        "Created (UTC),Start Date (UTC),Trial End (UTC),Current Period End (UTC),"
        "Canceled At (UTC),Ended At (UTC)"
    )
    rows = [
        # 2 seats × 10/month from Jan -> 20
        "sub_1,cus_A,pro,2,usd,month,1,10.00,active,2024-01-05 10:00,2024-01-05 10:00,,,,",
        # yearly 1200 -> 100/month Jan..Mar, ended Apr 2 -> churn 100 in April
        "sub_2,cus_B,annual,1,usd,year,1,1200.00,canceled,2024-01-10,2024-01-10,,,2024-04-02,2024-04-02",
        # trial until Feb 3: MRR 30 counts from February, not January
        "sub_3,cus_C,pro,1,usd,month,1,30.00,active,2024-01-20,2024-01-20,2024-02-03,,,",
        # first payment failed: never revenue
        "sub_4,cus_D,pro,1,usd,month,1,50.00,incomplete_expired,2024-02-01,2024-02-01,,,,",
        # every 2 weeks 12 -> 12 × 52/12 / 2 = 26 per month
        "sub_5,cus_E,weekly,1,usd,week,2,12.00,active,2024-03-01,2024-03-01,,,,",
        # canceled at period end (no Ended At yet): earns until May 15 -> churn 40 in May
        "sub_6,cus_F,pro,1,usd,month,1,40.00,canceled,2024-02-15,2024-02-15,,2024-05-15,2024-04-20,",
    ]
    path = billing_csv(tmp_path, rows, header=header)
    doc = finance_document(path, as_of="2024-05")
    assert doc["source"]["format"] == "stripe"
    assert doc["currency"] == "USD"
    m = _moves(doc)
    assert m["2024-01"]["new"] == 120.0
    assert m["2024-02"]["new"] == 70.0
    assert m["2024-03"]["new"] == 26.0
    assert m["2024-04"]["churn"] == 100.0
    assert m["2024-05"]["churn"] == 40.0
    assert doc["mrr"] == 76.0 and doc["customers"] == 3


def test_fx_rates_convert_to_usd(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            "A,a1,p,2024-01-01,,100,USD,month,1",
            "B,b1,p,2024-01-01,,1200,EUR,year,1",
        ],
    )
    rates = tmp_path / "fx.csv"
    rates.write_text("currency,rate\nEUR,1.10\n", encoding="utf-8")
    doc = finance_document(path, as_of="2024-03", rates=rates)
    assert doc["currency"] == "USD" and doc["mrr"] == 210.0  # 100 + 1200/12 × 1.10
    assert doc["source"]["converted_to_usd"] is True


def test_single_non_usd_currency_has_no_usd_threshold(tmp_path):
    path = billing_csv(tmp_path, ["A,a1,p,2024-01-01,,100000000,CNY,year,1"])
    doc = finance_document(path, as_of="2024-02")
    assert doc["currency"] == "CNY" and doc["customers_arr_1m_plus"] is None
    assert doc["notes"]
    assert "finance.arr_usd" not in profile_evidence(doc)


def test_profile_evidence_maps_contract_fields(tmp_path):
    path = billing_csv(
        tmp_path,
        [
            "A,a1,p,2023-01-01,,100,USD,month,1",
            "B,b1,p,2023-01-01,2024-06-01,300,USD,month,1",
        ],
    )
    doc = finance_document(path, as_of="2024-06")
    ev = profile_evidence(doc)
    assert ev == {
        "finance.paying_customers": 1,
        "finance.arr_usd": 1200.0,
        "finance.largest_customer_acv_usd": 1200.0,
        "finance.nrr": 0.25,  # 100 / 400
        "finance.grr": 0.25,
    }
