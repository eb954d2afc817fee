"""Shared helpers for the finance tests: write small billing files."""

from __future__ import annotations

from pathlib import Path

HEADER = "customer_id,subscription_id,plan,start_date,end_date,amount,currency,interval,quantity"


def billing_csv(tmp_path: Path, rows: list[str], name: str = "billing.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
