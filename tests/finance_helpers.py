"""Shared helpers for the finance tests: write small billing files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HEADER = "customer_id,subscription_id,plan,start_date,end_date,amount,currency,interval,quantity"


def billing_csv(tmp_path: Path, rows: list[str], name: str = "billing.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# -- a large, deterministic billing export whose figures are known without osslever --------

BIG_START = 2019 * 12  # month index (year × 12 + month − 1) of 2019-01: starts spread over 72 months
BIG_AS_OF = 2024 * 12 + 11  # 2024-12


@dataclass
class BillingFacts:
    """What a generated export holds, computed from the generator's own month arithmetic.

    ``mrr`` and ``customers`` per month index (only the months asked for), and the
    per-customer MRR of the as-of month and of 12 months before, for NRR/GRR/logo churn
    (docs/finance.md: an active subscription on a month's last day counts; a yearly
    price is a twelfth per month). Every amount is a whole number of dollars, so the
    expected figures are exact.
    """

    rows: int
    mrr: dict[int, int]
    customers: dict[int, int]
    now: dict[str, int]
    then: dict[str, int]
    skipped: list[int]

    @property
    def nrr(self) -> float:
        return sum(self.now.get(c, 0) for c in self.then) / sum(self.then.values())

    @property
    def grr(self) -> float:
        return sum(min(self.now.get(c, 0), v) for c, v in self.then.items()) / sum(self.then.values())

    @property
    def logo_churn(self) -> float:
        return sum(1 for c in self.then if self.now.get(c, 0) == 0) / len(self.then)


def _big_row(i: int) -> tuple[str, int, int | None, int, str]:
    """Row ``i``: (customer, first month, first month without revenue or None, monthly MRR, CSV line)."""
    customer = f"cus_{i // 2:07d}"  # two subscriptions per customer
    start = BIG_START + (i * 7919) % 72
    yearly = i % 10 == 0
    amount = 12 * (10 + i % 50) if yearly else 5 + i % 200  # yearly prices divide by 12
    qty = 1 + i % 3
    mrr = amount * qty // 12 if yearly else amount * qty
    end = start + 1 + i % 30 if i % 3 != 1 else None  # two in three end within 30 months
    start_text = f"{start // 12:04d}-{start % 12 + 1:02d}-{1 + i % 28:02d}"
    end_text = "" if end is None else f"{end // 12:04d}-{end % 12 + 1:02d}-{1 + (i * 13) % 28:02d}"
    line = (
        f"{customer},sub_{i:07d},plan{i % 4},{start_text},{end_text},{amount},USD,{'year' if yearly else 'month'},{qty}"
    )
    return customer, start, end, mrr, line


def big_billing(
    path: Path, rows: int, replace: dict[int, str] | None = None, months: tuple[int, ...] = ()
) -> BillingFacts:
    """Write ``rows`` subscriptions to ``path``; ``replace`` puts raw lines at spreadsheet rows
    (header = row 1), whose subscriptions then count for nothing (they are the bad rows)."""
    replace = replace or {}
    wanted = {BIG_AS_OF, BIG_AS_OF - 12, *months}
    mrr = dict.fromkeys(wanted, 0)
    paying: dict[int, set[str]] = {m: set() for m in wanted}
    now: dict[str, int] = {}
    then: dict[str, int] = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        for i in range(rows):
            row = i + 2
            if row in replace:
                fh.write(replace[row] + "\n")
                continue
            customer, start, end, amount, line = _big_row(i)
            fh.write(line + "\n")
            for m in wanted:
                if start <= m and (end is None or m < end):
                    mrr[m] += amount
                    paying[m].add(customer)
            if start <= BIG_AS_OF and (end is None or end > BIG_AS_OF):
                now[customer] = now.get(customer, 0) + amount
            if start <= BIG_AS_OF - 12 and (end is None or end > BIG_AS_OF - 12):
                then[customer] = then.get(customer, 0) + amount
    return BillingFacts(rows, mrr, {m: len(p) for m, p in paying.items()}, now, then, sorted(replace))
