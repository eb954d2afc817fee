"""Profile fields measured by a finance document (contracts/profile.md, ``finance:`` block).

The one owner of "finance document → profile evidence" (issue 10: ``assess`` had a
second copy with another currency rule and another largest-customer rule).

Only US-dollar figures become evidence: the profile's fields are in US$, and a
figure in another currency — or with no currency stated — without an FX file would
silently mean something else.  The largest customer's ACV is the document's own
``largest_customer_acv``, else its first ``top_customers`` row, else ARR × the top-1
concentration share: three spellings of the same quantity, the most direct first.
"""

from __future__ import annotations

PROFILE_FIELDS = (
    "finance.paying_customers",
    "finance.arr_usd",
    "finance.largest_customer_acv_usd",
    "finance.nrr",
    "finance.grr",
)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def measured_fields(finance_doc: dict) -> dict[str, tuple[object, str]]:
    """Every profile or evidence field the document measures: ``{path: (value, source)}``.

    A field the document cannot support (no US$ amounts, a null ratio) is left out,
    so the profile keeps it "unknown" instead of a made-up zero.
    """
    out: dict[str, tuple[object, str]] = {}
    customers = finance_doc.get("customers")
    if isinstance(customers, int) and not isinstance(customers, bool):
        out["finance.paying_customers"] = (customers, "finance:customers")
    concentration = finance_doc.get("concentration") or {}
    if finance_doc.get("currency") == "USD":
        arr, source = _num(finance_doc.get("arr")), "finance:arr"
        if arr is None and _num(finance_doc.get("mrr")) is not None:
            arr, source = _num(finance_doc.get("mrr")) * 12, "finance:mrr*12"
        if arr is not None:
            out["finance.arr_usd"] = (arr, source)
        largest, where = finance_doc.get("largest_customer_acv"), "finance:largest_customer_acv"
        if largest is None and finance_doc.get("top_customers"):
            largest, where = finance_doc["top_customers"][0].get("arr"), "finance:top_customers[0].arr"
        top1 = _num(concentration.get("top1"))
        if largest is None and arr is not None and top1 is not None:
            largest, where = round(arr * top1, 2), "finance:arr*concentration.top1"
        if largest is not None:
            out["finance.largest_customer_acv_usd"] = (largest, where)
    for key, field in (("nrr_12m", "finance.nrr"), ("grr_12m", "finance.grr")):
        value = finance_doc.get(key)
        if value is not None and not (field == "finance.grr" and value > 1):  # GRR cannot exceed 1
            out[field] = (value, f"finance:{key}")
    if isinstance(finance_doc.get("customers_arr_1m_plus"), int):
        out["finance.customers_arr_1m_plus"] = (finance_doc["customers_arr_1m_plus"], "finance:customers_arr_1m_plus")
    if _num(finance_doc.get("logo_churn_12m")) is not None:
        out["finance.logo_churn_12m"] = (finance_doc["logo_churn_12m"], "finance:logo_churn_12m")
    if _num(concentration.get("top1")) is not None:
        out["finance.top1_share"] = (concentration["top1"], "finance:concentration.top1")
    return out


def profile_evidence(finance_doc: dict) -> dict[str, object]:
    """``{"finance.arr_usd": …, "finance.paying_customers": …, …}``: the profile's
    ``finance:`` block as measured by the document (see ``measured_fields``)."""
    measured = measured_fields(finance_doc)
    return {path: measured[path][0] for path in PROFILE_FIELDS if path in measured}
