"""Days and their bounds: the calendar's ends (days exist from 0001-01-01 to 9999-12-31;
``DateOutOfRange`` past them, ``shift_days`` as the non-raising step), ``ComputedDate`` (the day a
count gives, and whether it was estimated), the argument checks every count makes, and the calendar
days the texts name (``year_end``, ``quarter_start``...), which are days, not periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = [
    "AFTER_CALENDAR",
    "BEFORE_CALENDAR",
    "ComputedDate",
    "DateOutOfRange",
    "day_in_year",
    "next_month_start",
    "quarter_end",
    "quarter_start",
    "shift_days",
    "year_end",
]

# The "years" a count records (beside estimated calendar years) when the day it needs lies before
# 0001-01-01 or after 9999-12-31, so that a decision can say why a date is unknown.
BEFORE_CALENDAR = 0
AFTER_CALENDAR = 10000


class DateOutOfRange(OverflowError):
    """A computed day would lie before 0001-01-01 or after 9999-12-31 (``after`` says which)."""

    def __init__(self, message: str, after: bool) -> None:
        super().__init__(message)
        self.after = after

    @property
    def year(self) -> int:
        """``AFTER_CALENDAR`` or ``BEFORE_CALENDAR``, for the years a decision warns about."""
        return AFTER_CALENDAR if self.after else BEFORE_CALENDAR


def shift_days(d: date, days: int) -> date | None:
    """``d`` moved by ``days`` days, or None when that day lies outside 0001-01-01..9999-12-31."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _check_date(d: object, name: str = "date") -> date:
    # datetime is a date subclass; refusing it keeps a time of day from being dropped silently
    # (periods here are counted in whole days, art. 201).
    if not isinstance(d, date) or isinstance(d, datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(d).__name__}")
    return d


def _check_length(n: object, minimum: int) -> int:
    if type(n) is not int:  # bool and float are refused, not coerced
        raise TypeError(f"period length must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"period length must be >= {minimum}, got {n}")
    return n


@dataclass(frozen=True, slots=True)
class ComputedDate:
    """A computed day, and whether any working day counted on the way was only estimated."""

    value: date
    estimated: bool = False                 # a working-day step used a year no calendar covers
    uncovered_years: tuple[int, ...] = ()   # those years, sorted, unique


# --- calendar days the texts name (docs/time.md, "Calendar days the texts name") -----------------
# Not periods: 当年12月31日, 每个社保年度结束前1个季度内, 次月恢复 name a day of the calendar, so there is
# no start to exclude (art. 201) and nothing to roll (art. 203 moves the last day of a period).

def year_end(d: date) -> date:
    """31 December of ``d``'s year (Foshan art. 10(5): 有效期至当年12月31日止)."""
    return date(d.year, 12, 31)


def quarter_start(d: date) -> date:
    """The first day of the calendar quarter holding ``d`` (1 January, 1 April, 1 July, 1 October)."""
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarter_end(d: date) -> date:
    """The last day of the calendar quarter holding ``d`` (31 March, 30 June, 30 September, 31 December)."""
    month = 3 * ((d.month - 1) // 3) + 3
    return date(d.year, month, 30 if month in (6, 9) else 31)


def next_month_start(d: date) -> date | None:
    """The first day of the month after ``d``'s (Zhongshan art. 44 para. 3: 自确认改正有效之日起次月恢复);
    None after December 9999."""
    if d.month == 12:
        return date(d.year + 1, 1, 1) if d.year < 9999 else None
    return date(d.year, d.month + 1, 1)


def day_in_year(d: date, month: int, day: int) -> date:
    """The day ``month``-``day`` of ``d``'s year (Foshan art. 10(5): 当年6月30日); 29 February in a
    year without it is 28 February (the month's last day, as art. 202 reads a missing day)."""
    if month == 2 and day == 29 and not (d.year % 4 == 0 and (d.year % 100 != 0 or d.year % 400 == 0)):
        return date(d.year, 2, 28)
    return date(d.year, month, day)
