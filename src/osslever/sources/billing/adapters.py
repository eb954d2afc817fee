"""Billing export layouts: how each maps its columns onto one canonical subscription row.

An adapter is data, not code paths: for every canonical field it gives a DuckDB
expression over the raw (all-text) columns of the file, plus the column name the
user sees in error messages. Validation and MRR arithmetic are shared
(``osslever.sources.billing.load``), so a new billing system is one more entry.

Canonical fields (all text until validated):

* ``customer_id``, ``subscription_id``, ``plan``
* ``start`` — first day revenue is earned; ``end`` — first day it is not (empty = active)
* ``amount`` — price per billing period for quantity 1, in the currency's major unit
* ``currency``, ``interval`` (month/year, and week/day for Stripe), ``interval_count``
* ``quantity`` (empty = 1)
* ``trial_end`` — revenue starts after a free trial (ChartMogul counts MRR from trial end)
* ``not_revenue`` — a boolean expression: the row never produced revenue (e.g. Stripe
  ``incomplete`` subscriptions whose first payment never succeeded)
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _q(name: str) -> str:
    """Quote a raw column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _first_of(names: list[str], present: set[str]) -> str:
    """The first non-empty value among the columns of ``names`` that exist in the file."""
    cols = [f"NULLIF(trim({_q(n)}), '')" for n in names if n in present]
    if not cols:
        return "''"
    return cols[0] if len(cols) == 1 else f"COALESCE({', '.join(cols)}, '')"


@dataclass(frozen=True)
class Adapter:
    name: str
    required: tuple[str, ...]
    intervals: dict[str, float]  # accepted interval word -> billing periods per month (count 1)
    build: object = field(repr=False)  # callable(present: set[str]) -> (exprs, labels)

    def matches(self, columns: set[str]) -> bool:
        return set(self.required) <= columns


# Periods per month: a yearly price is 1/12 of a month's worth per month, a weekly one
# 52/12 (ChartMogul and Stripe both normalise by calendar averages, not by 4 weeks).
_MONTH_YEAR = {
    "month": 1.0,
    "monthly": 1.0,
    "mo": 1.0,
    "year": 1 / 12,
    "yearly": 1 / 12,
    "annual": 1 / 12,
    "annually": 1 / 12,
    "yr": 1 / 12,
}
_STRIPE = {**_MONTH_YEAR, "week": 52 / 12, "day": 365 / 12}


def _generic(present: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    cols = {
        "customer_id": "customer_id",
        "subscription_id": "subscription_id",
        "plan": "plan",
        "start": "start_date",
        "end": "end_date",
        "amount": "amount",
        "currency": "currency",
        "interval": "interval",
        "quantity": "quantity",
    }
    exprs = {k: (f"trim({_q(v)})" if v in present else "''") for k, v in cols.items()}
    exprs["interval_count"] = "'1'"
    exprs["trial_end"] = "''"
    exprs["not_revenue"] = "FALSE"
    labels = dict(cols)
    labels.update(interval_count="interval", trial_end="start_date")
    return exprs, labels


# Stripe Dashboard → Billing → Subscriptions → Export (CSV). Column names as the
# dashboard writes them ("Customer ID", "Start Date (UTC)", "Current Period End (UTC)",
# "Canceled At (UTC)", "Ended At (UTC)", ...); older exports say "Start (UTC)".
_STRIPE_START = ["Start Date (UTC)", "Start (UTC)", "Created (UTC)"]


def _stripe(present: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    status = 'lower(trim("Status"))' if "Status" in present else "''"
    start_label = next((n for n in _STRIPE_START if n in present), "Start Date (UTC)")
    # A subscription that has ended carries "Ended At"; one canceled at period end
    # without an "Ended At" yet is still earning until then (churn at the end of the
    # final service period — ChartMogul's recommended churn recognition).
    end = _first_of(["Ended At (UTC)"], present)
    if "Canceled At (UTC)" in present and "Current Period End (UTC)" in present:
        end = (
            f"CASE WHEN {end} <> '' THEN {end} "
            f"WHEN {status} = 'canceled' THEN {_first_of(['Current Period End (UTC)'], present)} "
            "ELSE '' END"
        )
    exprs = {
        "customer_id": f"trim({_q('Customer ID')})",
        "subscription_id": f"trim({_q('id')})",
        "plan": _first_of(["Plan", "Product", "Price ID"], present),
        "start": _first_of(_STRIPE_START, present),
        "end": end,
        "amount": _first_of(["Amount"], present),
        "currency": _first_of(["Currency"], present),
        "interval": _first_of(["Interval"], present),
        "interval_count": _first_of(["Interval Count"], present),
        "quantity": _first_of(["Quantity"], present),
        "trial_end": _first_of(["Trial End (UTC)"], present),
        # Never paid: Stripe's "incomplete"/"incomplete_expired" (first invoice failed).
        "not_revenue": f"{status} IN ('incomplete', 'incomplete_expired')",
    }
    labels = {
        "customer_id": "Customer ID",
        "subscription_id": "id",
        "plan": "Plan",
        "start": start_label,
        "end": "Ended At (UTC)",
        "amount": "Amount",
        "currency": "Currency",
        "interval": "Interval",
        "interval_count": "Interval Count",
        "quantity": "Quantity",
        "trial_end": "Trial End (UTC)",
    }
    return exprs, labels


GENERIC = Adapter(
    name="generic",
    required=("customer_id", "subscription_id", "start_date", "amount", "currency", "interval"),
    intervals=_MONTH_YEAR,
    build=_generic,
)
STRIPE = Adapter(
    name="stripe",
    required=("id", "Customer ID", "Amount", "Currency", "Interval"),
    intervals=_STRIPE,
    build=_stripe,
)
ADAPTERS: dict[str, Adapter] = {a.name: a for a in (GENERIC, STRIPE)}
