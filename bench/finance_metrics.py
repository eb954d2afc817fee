"""Benchmark: revenue metrics on 1,000,000 generated subscription rows.

The floor is DuckDB reading the same CSV (every column as text, a full scan):
no metric can be faster than reading its input. Prints both times, their ratio,
and peak memory.

    PYTHONPATH=src /work/venv/bin/python bench/finance_metrics.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from osslever.models.finance import finance_document


def generate(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, max(rows // 5, 1), rows)
    start = np.datetime64("2018-01-01") + rng.integers(0, 8 * 365, rows).astype("timedelta64[D]")
    length = rng.integers(20, 4 * 365, rows).astype("timedelta64[D]")
    ended = rng.random(rows) < 0.4
    end = np.where(ended, (start + length).astype(str), "")
    yearly = rng.random(rows) < 0.2
    amount = np.round(rng.lognormal(4, 1.2, rows) * np.where(yearly, 10, 1), 2)
    table = pa.table(
        {
            "customer_id": pa.array([f"cus_{c}" for c in customers]),
            "subscription_id": pa.array([f"sub_{i}" for i in range(rows)]),
            "plan": pa.array(np.where(yearly, "annual", "monthly")),
            "start_date": pa.array(start.astype(str)),
            "end_date": pa.array(end),
            "amount": pa.array(amount),
            "currency": pa.array(np.full(rows, "USD")),
            "interval": pa.array(np.where(yearly, "year", "month")),
            "quantity": pa.array(rng.integers(1, 5, rows)),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "subscriptions.csv"
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")

        con = duckdb.connect()
        t0 = time.perf_counter()
        con.execute(
            "SELECT count(*), max(length(customer_id)), max(length(end_date)) "
            "FROM read_csv(?, all_varchar = true, header = true)",
            [str(path)],
        ).fetchall()
        floor = time.perf_counter() - t0
        con.close()

        t0 = time.perf_counter()
        doc = finance_document(path, as_of="2025-12")
        metrics = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"DuckDB full scan of the CSV (floor): {floor:.2f} s")
    print(f"finance_document (validate + all metrics + cohorts): {metrics:.2f} s")
    print(f"ratio to the floor: {metrics / floor:.1f}x")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(
        f"as_of {doc['as_of']}: MRR {doc['mrr']:,.0f}, customers {doc['customers']:,}, "
        f"months {len(doc['movements'])}, cohorts {len(doc['cohorts'])}"
    )


if __name__ == "__main__":
    main()
