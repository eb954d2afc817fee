"""Periods of event metrics: a month (2024-01), a quarter (2024Q1) or a year (2024).

Keys are OpenDigger's export keys (``YYYY-MM``, ``YYYYQn``, ``YYYY``) so exported
files line up with theirs. All times are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from osslever.errors import UserError

GRAINS = ("month", "quarter", "year")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    grain: str
    start: date  # first day
    end: date  # first day of the next period (exclusive)

    @property
    def key(self) -> str:
        return key_of(self.grain, self.start)

    def months(self) -> list[Period]:
        """The calendar months this period is made of."""
        out, cur = [], self.start
        while cur < self.end:
            nxt = add_months(cur, 1)
            out.append(Period("month", cur, nxt))
            cur = nxt
        return out


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def start_of(grain: str, moment: date | datetime) -> date:
    if grain == "month":
        return date(moment.year, moment.month, 1)
    if grain == "quarter":
        return date(moment.year, (moment.month - 1) // 3 * 3 + 1, 1)
    return date(moment.year, 1, 1)


def period_of(grain: str, moment: date | datetime) -> Period:
    first = start_of(grain, moment)
    return Period(grain, first, add_months(first, {"month": 1, "quarter": 3, "year": 12}[grain]))


def key_of(grain: str, first: date | datetime) -> str:
    if grain == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if grain == "quarter":
        return f"{first.year:04d}Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}"


def parse_period(text: str) -> Period:
    """``2024-01`` / ``2024Q1`` / ``2024`` → Period; anything else is a user error."""
    text = text.strip()
    year_match = re.match(r"\d+", text)
    if year_match and not 1970 <= int(year_match.group()) <= 2100:  # 9999-12 overflowed date()
        raise UserError("events.bad_period", period=text)
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return period_of("month", date(year, month, 1))
    elif m := _QUARTER.match(text):
        return period_of("quarter", date(int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1, 1))
    elif m := _YEAR.match(text):
        return period_of("year", date(int(m.group(1)), 1, 1))
    raise UserError("events.bad_period", period=text)


def periods_between(grain: str, first: date | datetime, last: date | datetime) -> list[Period]:
    """Every period of ``grain`` from the one holding ``first`` to the one holding ``last``."""
    out: list[Period] = []
    cur = period_of(grain, first)
    stop = start_of(grain, last)
    while cur.start <= stop:
        out.append(cur)
        cur = period_of(grain, cur.end)
    return out
