"""Profile fields measured by a finance document (contracts/profile.md, ``finance:`` block).

Only US-dollar figures become evidence: the profile's fields are in US$, and a
figure in another currency without an FX file would silently mean something else.
"""

from __future__ import annotations


def profile_evidence(finance_doc: dict) -> dict[str, object]:
    """``{"finance.arr_usd": …, "finance.paying_customers": …, …}`` for ``assess``.

    A field the document cannot support (no US$ amounts, a null ratio) is left out,
    so the profile keeps it "unknown" instead of a made-up zero.
    """
    out: dict[str, object] = {}
    customers = finance_doc.get("customers")
    if isinstance(customers, int):
        out["finance.paying_customers"] = customers
    if finance_doc.get("currency") == "USD":
        if finance_doc.get("arr") is not None:
            out["finance.arr_usd"] = finance_doc["arr"]
        largest = finance_doc.get("largest_customer_acv")
        if largest is None and finance_doc.get("top_customers"):
            largest = finance_doc["top_customers"][0].get("arr")
        if largest is not None:
            out["finance.largest_customer_acv_usd"] = largest
    for key, field in (("nrr_12m", "finance.nrr"), ("grr_12m", "finance.grr")):
        if finance_doc.get(key) is not None:
            out[field] = finance_doc[key]
    return out
