"""The ``finance metrics`` JSON document (contract: shared/contracts/cli-json.md).

Contract keys first (schema_version … movements), then extras other outputs use:
ACV distribution, top customers, cohorts, skipped rows, notes.
"""

from __future__ import annotations

from pathlib import Path

from osslever.errors import UserError
from osslever.i18n import t
from osslever.models.finance import revenue
from osslever.sources.billing import load_billing

SCHEMA_VERSION = 1
MILLION = 1_000_000.0

# ACV bands of SaaS Capital's retention benchmarks (their NRR medians are by these bands),
# plus the US$1M line investors ask about.
ACV_BANDS: list[tuple[str, float, float | None]] = [
    ("<12k", 0.0, 12_000.0),
    ("12k-25k", 12_000.0, 25_000.0),
    ("25k-50k", 25_000.0, 50_000.0),
    ("50k-100k", 50_000.0, 100_000.0),
    ("100k-250k", 100_000.0, 250_000.0),
    ("250k-1M", 250_000.0, MILLION),
    (">=1M", MILLION, None),
]


def finance_document(
    billing: Path | str,
    as_of: str | None = None,
    rates: Path | str | None = None,
    skip_bad_rows: bool = False,
    source_format: str = "auto",
) -> dict:
    """Read, validate and measure a billing export; return the contract document plus extras."""
    data = load_billing(billing, source_format=source_format, rates=rates, skip_bad_rows=skip_bad_rows)
    try:
        return _document(data, as_of)
    finally:
        data.con.close()


def _document(data, as_of: str | None) -> dict:  # noqa: ANN001 - Billing
    con = data.con
    if as_of:
        try:
            asof = revenue.parse_month(as_of)
        except ValueError as exc:
            raise UserError("finance.bad_as_of", value=as_of) from exc
    else:
        asof = revenue.default_as_of(con)
    tables = revenue.build_tables(con, asof)
    notes: list[str] = []
    if tables.first is None:
        notes.append(t("finance.note.no_revenue_before_as_of", as_of=revenue.month_label(asof)))
    customers = revenue.customer_mrr(tables, asof)
    mrr = sum(v for _, v in customers)
    arr = 12 * mrr
    ret = revenue.retention(tables, 12)
    usd = data.currency == "USD"
    if not usd:
        notes.append(t("finance.note.not_usd", currency=data.currency))
    acvs = [12 * v for _, v in customers]
    doc: dict = {
        "schema_version": SCHEMA_VERSION,
        "as_of": revenue.month_label(asof),
        "currency": data.currency,
        "mrr": _money(mrr),
        "arr": _money(arr),
        "customers": len(customers),
        "nrr_12m": ret["nrr"],
        "grr_12m": ret["grr"],
        "logo_churn_12m": ret["logo_churn"],
        "customers_arr_1m_plus": sum(1 for a in acvs if a >= MILLION) if usd else None,
        "concentration": _concentration(acvs),
        "movements": [
            {
                k: m[k]
                for k in (
                    "month",
                    "new",
                    "expansion",
                    "contraction",
                    "churn",
                    "reactivation",
                    "mrr_end",
                    "customers_end",
                )
            }
            for m in revenue.movements(tables)
        ],
        # extras
        "retention_base_12m": {
            "month": revenue.month_label(asof - 12),
            "mrr": ret["base_mrr"],
            "customers": ret["base_customers"],
        },
        "largest_customer_acv": _money(acvs[0]) if acvs else None,
        "acv_distribution": _acv_distribution(acvs, usd),
        "top_customers": [
            {"customer_id": c, "arr": _money(12 * v), "share": round(12 * v / arr, 4)} for c, v in customers[:10]
        ],
        "cohorts": revenue.cohorts(tables),
        "source": {
            "file": data.file,
            "format": data.source_format,
            "rows_read": data.rows_read,
            "rows_used": data.rows_read - data.skipped_total,
            "converted_to_usd": data.converted,
        },
        "skipped_rows_total": data.skipped_total,
        "skipped_rows": data.skipped,
        "notes": notes,
    }
    return doc


def _concentration(acvs: list[float]) -> dict[str, float | None]:
    total = sum(acvs)
    out: dict[str, float | None] = {}
    for k in (1, 5, 10):
        out[f"top{k}"] = None if total == 0 else round(sum(acvs[:k]) / total, 4)
    return out


def _acv_distribution(acvs: list[float], usd: bool) -> dict:
    """Customers and ARR per ACV band (bands are US$; only when amounts are in US$)."""
    ordered = sorted(acvs)
    n = len(ordered)

    def quantile(q: float) -> float | None:
        if not ordered:
            return None
        # linear interpolation between closest ranks (numpy's default "linear" method)
        pos = q * (n - 1)
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        return _money(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))

    bands = []
    if usd:
        for label, low, high in ACV_BANDS:
            inside = [a for a in ordered if a >= low and (high is None or a < high)]
            bands.append({"band": label, "min": low, "max": high, "customers": len(inside), "arr": _money(sum(inside))})
    return {
        "mean": _money(sum(ordered) / n) if n else None,
        "p10": quantile(0.10),
        "p25": quantile(0.25),
        "p50": quantile(0.50),
        "p75": quantile(0.75),
        "p90": quantile(0.90),
        "max": _money(ordered[-1]) if n else None,
        "bands": bands,
    }


def _money(x: float) -> float:
    return round(float(x), 2) + 0.0
