"""Counting time: period ends, working days and the Civil Code's boundary readings.

The rules count time in 日 (natural days), 工作日 (working days), 月 and 年. Periods follow 民法典
arts. 201-203: the day of the event is not counted (art. 201); a period in months or years ends
on the corresponding day of the last month, or that month's last day when there is none
(art. 202); art. 203 moves a deadline for acting off a non-working day, which is a per-rule
choice and therefore a separate function here. Working days come from the State Council's
published arrangements; in a year nobody has published, the statutory holidays of the 放假办法
are computed (holidays.py), the other days counted Monday-Friday, and every result that relied on
it says so (``estimated``), so no decision rests on a silent guess. ``counting_at`` gives the
earliest or latest day such a count can have under any arrangement the notice could publish.

Days exist from 0001-01-01 to 9999-12-31 (``datetime.date``). A period that would end outside
them raises ``DateOutOfRange``; ``within_period`` and ``elapsed_period`` still answer (every day
there is falls inside such a period), and ``last_day_capped`` is the non-raising form for callers
that compare days near the ends. The 工作日 calendar is in ``workdays``; the calendar's ends,
``ComputedDate`` and the calendar days the texts name are in ``days``.
See docs/time.md for each reading.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from dateutil.relativedelta import relativedelta

from .days import ComputedDate, DateOutOfRange, _check_date, _check_length
from .workdays import DEFAULT_CALENDAR, WorkdayCalendar

__all__ = [
    "MAX_PERIOD",
    "Unit",
    "add_period",
    "elapsed_period",
    "last_day_capped",
    "roll_to_working_day",
    "subtract_period",
    "within_period",
]

Unit = Literal["days", "working_days", "months", "years"]
_UNITS: tuple[str, ...] = ("days", "working_days", "months", "years")

# The longest period that can end on a day at all: from 0001-01-01 to 9999-12-31. A longer period
# parameter makes every rule that counts it impossible to evaluate, so packs refuse it.
MAX_PERIOD: dict[str, int] = {"days": (date.max - date.min).days, "working_days": (date.max - date.min).days,
                              "months": 9999 * 12 - 1, "years": 9998}


def _check_unit(unit: object) -> None:
    if unit not in _UNITS:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(_UNITS)}")


def _shift_months(d: date, months: int) -> date:
    """``d + relativedelta(months=months)``: the corresponding day, or the month's last day when
    there is none (民法典 art. 202). Results are cached by ``_natural_end``."""
    try:
        return d + relativedelta(months=months)
    except (ValueError, OverflowError):
        raise DateOutOfRange(f"date out of range: {d} shifted by {months} months", months > 0) from None


def _shift_days(d: date, days: int) -> date:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        raise DateOutOfRange(f"date out of range: {d} shifted by {days} days", days > 0) from None


# Pure natural-unit arithmetic is cached: an evaluator asks for the same (event, length, unit)
# many times per case. typed=True keeps True/1.0 from hitting the entry for 1 and skipping the
# checks; exceptions are never cached. Results are frozen, so sharing them is safe.
@lru_cache(maxsize=65536, typed=True)
def _natural_end(start: date, length: int, unit: str) -> ComputedDate:
    _check_date(start, "start")
    _check_length(length, 0)
    if unit == "days":
        return ComputedDate(_shift_days(start, length))
    if unit == "months":
        return ComputedDate(_shift_months(start, length))
    if unit == "years":
        return ComputedDate(_shift_months(start, 12 * length))
    _check_unit(unit)
    raise AssertionError("unreachable")  # pragma: no cover


@lru_cache(maxsize=65536, typed=True)
def _natural_start(end: date, length: int, unit: str) -> ComputedDate:
    _check_date(end, "end")
    _check_length(length, 0)
    if unit == "days":
        return ComputedDate(_shift_days(end, -length))
    if unit == "months":
        return ComputedDate(_shift_months(end, -length))
    if unit == "years":
        return ComputedDate(_shift_months(end, -12 * length))
    _check_unit(unit)
    raise AssertionError("unreachable")  # pragma: no cover


def add_period(start: date, length: int, unit: Unit,
               calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> ComputedDate:
    """The last day of a period of ``length`` units that begins after ``start``.

    The event day is not counted (art. 201), so 30 days after 2025-01-01 ends on 2025-01-31;
    months and years end on the corresponding day, or the month's last day (art. 202):
    2024-02-29 + 3 years -> 2027-02-28. Natural units accept length 0 (the start itself);
    working days need n >= 1. Raises ``DateOutOfRange`` past 9999-12-31.
    """
    if unit == "working_days":
        return calendar.add_working_days(start, length)
    return _natural_end(start, length, unit)


def subtract_period(end: date, length: int, unit: Unit,
                    calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> ComputedDate:
    """The day ``length`` units before ``end``, for "N months before expiry" style deadlines.

    The mirror of ``add_period``: same day N months earlier, clamped to that month's last day
    (as ``end - relativedelta(...)``), or the n-th working day before ``end``. Raises
    ``DateOutOfRange`` before 0001-01-01.
    """
    if unit == "working_days":
        return calendar.subtract_working_days(end, length)
    return _natural_start(end, length, unit)


def roll_to_working_day(d: date, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> ComputedDate:
    """Art. 203: a last day that is not a working day becomes the next working day.

    法定休假日 is read as any non-working day (statutory holiday, or a weekend that is not a
    make-up working day). Only for deadlines for acting, chosen per rule; never for bars.
    """
    return calendar.next_working_day_on_or_after(d)


def last_day_capped(start: date, length: int, unit: Unit,
                    calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> ComputedDate:
    """``add_period``, except that a last day after 9999-12-31 is given as 9999-12-31.

    For comparing with a day: no day there is lies after such a period's end, so ``day <=
    last day`` and ``day > last day`` keep their answers. Not estimated: with fewer working days
    than Monday-Friday the end would lie later still."""
    try:
        return add_period(start, length, unit, calendar)
    except DateOutOfRange:
        return ComputedDate(date.max)


def natural_last_day(start: date, length: int, unit: str) -> date:
    """``last_day_capped(...).value`` for days, months and years; what compiled conditions call."""
    try:
        return _natural_end(start, length, unit).value
    except DateOutOfRange:
        return date.max


def within_period(event: date, as_of: date, length: int, unit: Unit,
                  calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> bool:
    """Whether, on ``as_of``, the period after ``event`` has not yet fully run (未满).

    True for ``event <= as_of <= last day``: the period ends at 24:00 of its last day, so on
    that day (e.g. the anniversary of a 3-year bar's start, or 2027-02-28 for 2024-02-29) it is
    still running and the bar still applies; it lifts the next day. An event after ``as_of``
    has not happened yet, so False. A period ending after 9999-12-31 is still running.
    """
    if as_of < event:
        return False
    return as_of <= last_day_capped(event, length, unit, calendar).value


def elapsed_period(event: date, as_of: date, length: int, unit: Unit,
                   calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> bool:
    """Whether, on ``as_of``, the period after ``event`` has fully run (届满 and past).

    True for ``as_of > last day`` (and ``event <= as_of``): the complement of
    ``within_period`` for events that have happened.
    """
    if as_of < event:
        return False
    return as_of > last_day_capped(event, length, unit, calendar).value
