"""Recurring-revenue metrics from validated subscriptions, in DuckDB SQL.

Definitions (docs/finance.md lists their sources):

* subscription MRR = amount × quantity ÷ months per billing period; a customer's
  MRR at month M = the sum over its subscriptions active on M's last day
  (start ≤ day < end).
* movements per customer from the end of M−1 to the end of M (ChartMogul's five):
  new (first ever revenue), reactivation (back from zero), expansion,
  contraction, churn (to zero). Amounts are positive magnitudes.
* NRR(12m) = MRR now of the customers who had MRR 12 months ago ÷ their MRR then;
  GRR(12m) = Σ min(now, then) ÷ Σ then; logo churn(12m) = share of those customers
  with no MRR now. A ratio whose denominator is zero is None.

Why deltas instead of a month-by-customer grid: a subscription changes its
customer's MRR only in the month it starts (+mrr) and the month it ends (−mrr;
the last month-end it covers is the one before its end date). Summing deltas per
customer and month and taking a running sum gives every customer's MRR at every
month where it changed — two rows per subscription instead of one per month of
life, which keeps a million subscriptions to a few seconds. MRR is DECIMAL, so a
start and its end cancel exactly and "zero" means zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str) -> int:
    """``YYYY-MM`` → month index; ValueError when it is not a month."""
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:  # a month per row: year 99999999 never ends
        raise ValueError(text)
    return month_index(year, month)


_M = "(year({d}) * 12 + month({d}) - 1)"

_DELTAS = f"""
CREATE OR REPLACE TEMP TABLE fin_deltas AS
SELECT customer_id, m, sum(delta) AS delta
FROM (
    SELECT customer_id, {_M.format(d="start_date")} AS m, mrr AS delta
    FROM billing_subscriptions WHERE mrr > 0
    UNION ALL
    SELECT customer_id, {_M.format(d="end_date")} AS m, -mrr AS delta
    FROM billing_subscriptions WHERE mrr > 0 AND end_date IS NOT NULL
)
WHERE m <= $asof
GROUP BY customer_id, m
HAVING sum(delta) <> 0
"""

_STATES = """
CREATE OR REPLACE TEMP TABLE fin_states AS
SELECT customer_id, m, delta,
    sum(delta) OVER w AS mrr_after,
    sum(delta) OVER w - delta AS mrr_before,
    min(m) OVER (PARTITION BY customer_id) AS first_m
FROM fin_deltas
WINDOW w AS (PARTITION BY customer_id ORDER BY m ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
"""

_MOVEMENTS = """
WITH kinds AS (
    SELECT m, delta, mrr_before, mrr_after,
        CASE
            WHEN mrr_before = 0 AND m = first_m THEN 'new'
            WHEN mrr_before = 0 THEN 'reactivation'
            WHEN mrr_after = 0 THEN 'churn'
            WHEN mrr_after > mrr_before THEN 'expansion'
            ELSE 'contraction'
        END AS kind
    FROM fin_states
)
SELECT m,
    sum(CASE WHEN kind = 'new' THEN mrr_after ELSE 0 END)::DOUBLE AS new,
    sum(CASE WHEN kind = 'expansion' THEN mrr_after - mrr_before ELSE 0 END)::DOUBLE AS expansion,
    sum(CASE WHEN kind = 'contraction' THEN mrr_before - mrr_after ELSE 0 END)::DOUBLE
        AS contraction,
    sum(CASE WHEN kind = 'churn' THEN mrr_before ELSE 0 END)::DOUBLE AS churn,
    sum(CASE WHEN kind = 'reactivation' THEN mrr_after ELSE 0 END)::DOUBLE AS reactivation,
    count(*) FILTER (WHERE kind = 'new') AS new_customers,
    count(*) FILTER (WHERE kind = 'reactivation') AS reactivated_customers,
    count(*) FILTER (WHERE kind = 'churn') AS churned_customers,
    sum(delta)::DOUBLE AS net
FROM kinds
GROUP BY m ORDER BY m
"""

_CUSTOMER_MRR = """
SELECT customer_id, sum(delta)::DOUBLE AS mrr
FROM fin_deltas WHERE m <= ? GROUP BY customer_id HAVING sum(delta) > 0
"""

_RETENTION = f"""
WITH now AS ({_CUSTOMER_MRR.replace("?", "$now")}),
     then_ AS ({_CUSTOMER_MRR.replace("?", "$then")})
SELECT
    sum(then_.mrr) AS base,
    sum(coalesce(now.mrr, 0)) AS retained,
    sum(least(coalesce(now.mrr, 0), then_.mrr)) AS gross,
    count(*) AS logos,
    count(*) FILTER (WHERE now.mrr IS NULL) AS lost
FROM then_ LEFT JOIN now USING (customer_id)
"""

_COHORTS = """
WITH firsts AS (SELECT DISTINCT customer_id, first_m FROM fin_states),
cohort_deltas AS (
    SELECT first_m AS cohort, m,
        sum(delta) AS d_mrr,
        sum(CASE WHEN mrr_before = 0 THEN 1 WHEN mrr_after = 0 THEN -1 ELSE 0 END) AS d_customers
    FROM fin_states GROUP BY first_m, m
),
grid AS (
    SELECT cohort, unnest(range(cohort, $asof + 1)) AS m
    FROM (SELECT DISTINCT first_m AS cohort FROM firsts)
)
SELECT g.cohort, g.m,
    sum(coalesce(d.d_mrr, 0)) OVER w AS mrr,
    sum(coalesce(d.d_customers, 0)) OVER w AS customers
FROM grid g LEFT JOIN cohort_deltas d USING (cohort, m)
WINDOW w AS (PARTITION BY g.cohort ORDER BY g.m ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY g.cohort, g.m
"""


@dataclass
class RevenueTables:
    """Handles to the SQL results one document needs."""

    con: duckdb.DuckDBPyConnection
    asof: int
    first: int | None


def default_as_of(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> int:
    """The month of the latest start or end in the file, but never after this month.

    A file is a snapshot of billing up to its export: its last recorded event is the
    newest month it can speak for, and future-dated ends (annual contracts running on)
    must not move "now" into the future.
    """
    today = today or dt.date.today()
    row = con.execute(
        "SELECT max(d) FROM (SELECT start_date AS d FROM billing_subscriptions "
        "UNION ALL SELECT end_date FROM billing_subscriptions WHERE end_date IS NOT NULL) "
        "WHERE d <= ?",
        [today],
    ).fetchone()
    latest = row[0] if row and row[0] is not None else None
    if latest is None:
        first = con.execute("SELECT min(start_date) FROM billing_subscriptions").fetchone()
        latest = first[0] if first and first[0] is not None else today
    return month_index(latest.year, latest.month)


def build_tables(con: duckdb.DuckDBPyConnection, asof: int) -> RevenueTables:
    con.execute(_DELTAS.replace("$asof", str(int(asof))))
    con.execute(_STATES)
    row = con.execute("SELECT min(m) FROM fin_deltas").fetchone()
    first = int(row[0]) if row and row[0] is not None else None
    return RevenueTables(con=con, asof=asof, first=first)


def movements(tables: RevenueTables) -> list[dict[str, float | int | str]]:
    """Every month from the first revenue to as_of, zero months included."""
    if tables.first is None:
        return []
    rows = {r[0]: r for r in tables.con.execute(_MOVEMENTS).fetchall()}
    out: list[dict[str, float | int | str]] = []
    mrr = 0.0
    customers = 0
    for m in range(tables.first, tables.asof + 1):
        r = rows.get(m)
        new, exp, con_, churn, react, n_new, n_react, n_churn, net = (
            r[1:] if r else (0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0.0)
        )
        mrr_start = mrr
        mrr += net
        customers += n_new + n_react - n_churn
        out.append(
            {
                "month": month_label(m),
                "new": _money(new),
                "expansion": _money(exp),
                "contraction": _money(con_),
                "churn": _money(churn),
                "reactivation": _money(react),
                "mrr_start": _money(mrr_start),
                "mrr_end": _money(mrr),
                "new_customers": int(n_new),
                "reactivated_customers": int(n_react),
                "churned_customers": int(n_churn),
                "customers_end": customers,
            }
        )
    return out


def customer_mrr(tables: RevenueTables, month: int) -> list[tuple[str, float]]:
    """(customer, MRR) of every customer with MRR at the end of ``month``, largest first."""
    rows = tables.con.execute(_CUSTOMER_MRR + " ORDER BY mrr DESC, customer_id", [month]).fetchall()
    return [(str(c), float(v)) for c, v in rows]


def retention(tables: RevenueTables, months: int = 12) -> dict[str, float | int | None]:
    then = tables.asof - months
    sql = _RETENTION.replace("$now", str(tables.asof)).replace("$then", str(then))
    base, retained, gross, logos, lost = tables.con.execute(sql).fetchone() or (None,) * 5
    base = float(base or 0)
    return {
        "base_mrr": _money(base),
        "base_customers": int(logos or 0),
        "nrr": _ratio(float(retained or 0), base),
        "grr": _ratio(float(gross or 0), base),
        "logo_churn": _ratio(float(lost or 0), float(logos or 0)),
    }


def cohorts(tables: RevenueTables) -> list[dict[str, object]]:
    """Cohort = month of first revenue; retention of its customers and MRR per month since."""
    if tables.first is None:
        return []
    rows = tables.con.execute(_COHORTS.replace("$asof", str(int(tables.asof)))).fetchall()
    out: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    base_mrr = base_n = 0.0
    for cohort, _m, mrr, n in rows:
        if current is None or current["cohort"] != month_label(cohort):
            base_mrr, base_n = float(mrr), float(n)
            current = {
                "cohort": month_label(cohort),
                "customers": int(n),
                "mrr": _money(float(mrr)),
                "customer_retention": [],
                "revenue_retention": [],
            }
            out.append(current)
        current["customer_retention"].append(_ratio(float(n), base_n))  # type: ignore[union-attr]
        current["revenue_retention"].append(_ratio(float(mrr), base_mrr))  # type: ignore[union-attr]
    return out


def _money(x: float) -> float:
    return round(float(x), 2) + 0.0


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else round(num / den, 4)
