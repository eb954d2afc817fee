"""FX rates file: ``currency,rate`` with rate = US dollars per one unit of the currency.

One constant rate per currency (constant-currency reporting): movements then show
what customers did, not what exchange rates did. ``usd_per_unit`` and
``rate_to_usd`` are accepted as names for the rate column.
"""

from __future__ import annotations

import csv
from pathlib import Path

from osslever.errors import UserError

_RATE_NAMES = ("rate", "usd_per_unit", "rate_to_usd")
# US$ per unit of real currencies spans about 1e-5 (IRR, VES, LBP) to 4 (KWD); outside
# these bounds a rate is a typo (or inverted twice), and a huge one would overflow the
# exact MRR arithmetic.
MIN_RATE = 1e-9
MAX_RATE = 1e6


def read_rates(path: Path) -> dict[str, float]:
    """Currency code (upper case) → USD per unit; USD is always 1."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            names = [n.strip().lower() for n in (reader.fieldnames or [])]
            rate_col = next((n for n in _RATE_NAMES if n in names), None)
            if "currency" not in names or rate_col is None:
                raise UserError("finance.rates_columns", file=str(path))
            rates: dict[str, float] = {"USD": 1.0}
            for lineno, raw in enumerate(reader, start=2):
                row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                code = row.get("currency", "").upper()
                try:
                    rate = float(row.get(rate_col, ""))
                except ValueError:
                    rate = float("nan")
                if len(code) != 3 or not code.isalpha() or not MIN_RATE <= rate <= MAX_RATE:  # NaN fails too
                    raise UserError("finance.rates_bad_row", file=str(path), row=lineno)
                rates[code] = rate
            return rates
    except FileNotFoundError as exc:
        raise UserError("finance.file_missing", file=str(path)) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError("finance.csv_unreadable", file=str(path), detail=str(exc)[:200]) from exc
