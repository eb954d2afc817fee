"""Calendar windows: the 12 calendar months ending with a given month (UTC)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """[start, end): both are first days of a month."""

    start: dt.date
    end: dt.date

    @classmethod
    def months_ending(cls, last_day: dt.date, months: int = 12) -> Window:
        """The ``months`` calendar months ending with the month of ``last_day``
        (last commit 2026-10-15 → 2025-11-01 … 2026-10-31)."""
        end = add_months(month_start(last_day), 1)
        return cls(add_months(end, -months), end)

    def months(self) -> list[str]:
        out, cur = [], self.start
        while cur < self.end:
            out.append(cur.strftime("%Y-%m"))
            cur = add_months(cur, 1)
        return out
