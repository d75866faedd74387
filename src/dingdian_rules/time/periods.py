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
there is falls inside such a period), and ``shift_days`` and ``last_day_capped`` are the
non-raising forms for callers that compare or step days near the ends.
See docs/time.md for each reading.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterable, Iterator, Literal

import chinese_calendar
from chinese_calendar import constants as _cc
from dateutil.relativedelta import relativedelta

from . import holidays

__all__ = [
    "AFTER_CALENDAR",
    "BEFORE_CALENDAR",
    "DEFAULT_CALENDAR",
    "MAX_PERIOD",
    "ComputedDate",
    "DateOutOfRange",
    "Unit",
    "WorkdayCalendar",
    "YearArrangement",
    "add_period",
    "bounded",
    "counting_at",
    "day_in_year",
    "elapsed_period",
    "last_day_capped",
    "next_month_start",
    "quarter_end",
    "quarter_start",
    "roll_to_working_day",
    "shift_days",
    "subtract_period",
    "within_period",
    "year_end",
]

Unit = Literal["days", "working_days", "months", "years"]
_UNITS: tuple[str, ...] = ("days", "working_days", "months", "years")

# chinesecalendar's own data, read once: its coverage is whatever years its tables hold (the
# package itself derives the supported range from the holiday table the same way).
_CC_HOLIDAYS = _cc.holidays
_CC_WORKDAYS = _cc.workdays
_CC_RANGE: tuple[int, int] | None = (
    (min(_CC_HOLIDAYS).year, max(_CC_HOLIDAYS).year) if _CC_HOLIDAYS else None
)
_CC_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '?')}"


# The "years" a count records (beside estimated calendar years) when the day it needs lies before
# 0001-01-01 or after 9999-12-31, so that a decision can say why a date is unknown.
BEFORE_CALENDAR = 0
AFTER_CALENDAR = 10000

# The longest period that can end on a day at all: from 0001-01-01 to 9999-12-31. A longer period
# parameter makes every rule that counts it impossible to evaluate, so packs refuse it.
MAX_PERIOD: dict[str, int] = {"days": (date.max - date.min).days, "working_days": (date.max - date.min).days,
                              "months": 9999 * 12 - 1, "years": 9998}


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


def _check_unit(unit: object) -> None:
    if unit not in _UNITS:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(_UNITS)}")


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's published holiday arrangement, for a year chinesecalendar does not cover.

    ``holidays`` are the days off (on weekdays or weekends); ``makeup_workdays`` are the 调休
    weekend days that are working days. ``source`` names the notice, so a trace can cite it.
    Any iterable of dates is accepted and stored as a frozenset.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str = ""

    def __post_init__(self) -> None:
        if type(self.year) is not int:
            raise TypeError(f"year must be an int, got {type(self.year).__name__}")
        for name in ("holidays", "makeup_workdays"):
            days = frozenset(getattr(self, name))
            for d in days:
                _check_date(d, name)
                if d.year != self.year:
                    raise ValueError(f"{name} of the {self.year} arrangement contains {d}, "
                                     f"a date in another year; put it in that year's arrangement")
            object.__setattr__(self, name, days)
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"{sorted(both)[0]} is both a holiday and a make-up working day")
        weekday_makeups = sorted(d for d in self.makeup_workdays if d.weekday() < 5)
        if weekday_makeups:
            raise ValueError(f"make-up working day {weekday_makeups[0]} is a weekday; "
                             f"make-up working days (调休上班) fall on a Saturday or Sunday")


@dataclass(frozen=True, slots=True)
class ComputedDate:
    """A computed day, and whether any working day counted on the way was only estimated."""

    value: date
    estimated: bool = False                 # a working-day step used a year no calendar covers
    uncovered_years: tuple[int, ...] = ()   # those years, sorted, unique


class WorkdayCalendar:
    """Working days per the State Council arrangement: chinesecalendar for the years it covers,
    plus YearArrangement objects supplied for other years; in any other year the statutory
    holidays are computed (holidays.py) and every other day is Monday-Friday, flagged estimated
    (the 调休 is unknown), never guessed silently.

    A supplied arrangement takes precedence over chinesecalendar for its year, so a pack that
    carries 2027 keeps working unchanged once a later chinesecalendar also publishes it.
    """

    __slots__ = ("_arrangements",)

    def __init__(self, extra: Iterable[YearArrangement] = ()) -> None:
        arrangements: dict[int, YearArrangement] = {}
        for arrangement in extra:
            if not isinstance(arrangement, YearArrangement):
                raise TypeError(f"expected YearArrangement, got {type(arrangement).__name__}")
            if arrangement.year in arrangements:
                raise ValueError(f"two arrangements supplied for {arrangement.year}")
            arrangements[arrangement.year] = arrangement
        self._arrangements = arrangements

    def __repr__(self) -> str:
        return f"WorkdayCalendar(extra years={sorted(self._arrangements)})"

    def covers(self, year: int) -> bool:
        """Whether ``year``'s working days are known (supplied or in chinesecalendar)."""
        if year in self._arrangements:
            return True
        return _CC_RANGE is not None and _CC_RANGE[0] <= year <= _CC_RANGE[1]

    def covered_years(self) -> tuple[int, int] | None:
        """The (first, last) years chinesecalendar covers, read from its data; supplied
        arrangements are not included (ask ``covers``)."""
        return _CC_RANGE

    def source_of(self, year: int) -> str:
        """Where ``year``'s arrangement comes from, for a trace; "" when it is only estimated."""
        arrangement = self._arrangements.get(year)
        if arrangement is not None:
            return arrangement.source or "caller"
        return _CC_SOURCE if self.covers(year) else ""

    def is_working_day(self, d: date) -> tuple[bool, bool]:
        """Return ``(is_working_day, estimated)``; estimated means no arrangement covers the year:
        a computed statutory holiday is a rest day, other days Monday-Friday."""
        arrangement = self._arrangements.get(d.year)
        if arrangement is not None:
            return (d in arrangement.makeup_workdays
                    or (d.weekday() < 5 and d not in arrangement.holidays)), False
        if _CC_RANGE is not None and _CC_RANGE[0] <= d.year <= _CC_RANGE[1]:
            return (d in _CC_WORKDAYS or (d.weekday() < 5 and d not in _CC_HOLIDAYS)), False
        # No notice: the statutory holidays are certain, everything else estimated (holidays.py)
        return d.weekday() < 5 and d not in holidays.statutory_days(d.year), True

    def known_working_day(self, d: date) -> bool | None:
        """Whether ``d`` is a working day by an arrangement; None in a year no notice covers."""
        arrangement = self._arrangements.get(d.year)
        if arrangement is not None:
            return d in arrangement.makeup_workdays or (d.weekday() < 5 and d not in arrangement.holidays)
        if _CC_RANGE is not None and _CC_RANGE[0] <= d.year <= _CC_RANGE[1]:
            return d in _CC_WORKDAYS or (d.weekday() < 5 and d not in _CC_HOLIDAYS)
        return None

    def _walk(self, d: date, n: int, step: int, include_start: bool) -> ComputedDate:
        # Examine days one by one from d in direction `step` until n working days are found;
        # every uncovered year examined on the way makes the result estimated. Inside such a
        # year (Monday-Friday) whole weeks are skipped, 5 working days each, so a long count
        # costs per year, not per day.
        one = timedelta(days=step)
        uncovered: set[int] = set()
        start, total = d, n
        try:
            if not include_start:
                d += one
            while True:
                is_working, estimated = self.is_working_day(d)
                if estimated:
                    uncovered.add(d.year)
                    if n > 5:
                        room = _room_to_holiday(d, step)
                        weeks = min((n - 1) // 5, room // 7)
                        if weeks:
                            n -= 5 * weeks
                            d += timedelta(days=7 * weeks * step)
                            continue
                if is_working:
                    n -= 1
                    if n == 0:
                        break
                d += one
        except OverflowError:
            raise DateOutOfRange(f"date out of range: {n} more working day(s) {'after' if step > 0 else 'before'} "
                                 f"{d}", step > 0) from None
        if uncovered:
            bound = _BOUND.get()
            if bound is not None:  # evaluating at an end of the possible calendars (holidays.py)
                at = self._bound(start, total, step, include_start, bound)
                if at != d:
                    bound.days.append((d, at))
                d = at
            return ComputedDate(d, True, tuple(sorted(uncovered)))
        return ComputedDate(d)

    def _bound(self, start: date, n: int, step: int, include_start: bool, bound: "Bound") -> date:
        # the earliest day comes from the most working days forward, the fewest backward
        return _bounded_walk(self, start, n, step, include_start, (bound.mode == "earliest") == (step > 0))

    def add_working_days(self, start: date, n: int) -> ComputedDate:
        """The n-th working day after ``start`` (start never counts, art. 201); n >= 1."""
        return self._walk(_check_date(start, "start"), _check_length(n, 1), 1, False)

    def subtract_working_days(self, end: date, n: int) -> ComputedDate:
        """The n-th working day before ``end`` (end never counts); n >= 1."""
        return self._walk(_check_date(end, "end"), _check_length(n, 1), -1, False)

    def next_working_day_on_or_after(self, d: date) -> ComputedDate:
        """``d`` if it is a working day, else the next one (the art. 203 roll-forward)."""
        return self._walk(_check_date(d), 1, 1, True)


DEFAULT_CALENDAR = WorkdayCalendar()


@lru_cache(maxsize=16384)
def _bounded_walk(calendar: WorkdayCalendar, start: date, n: int, step: int, include_start: bool,
                  most: bool) -> date:
    """``holidays.bound_walk`` over ``calendar``, cached (calendars are immutable; a decision in a
    year without a notice asks for the same counts for its conditions and its deadlines)."""
    try:
        return holidays.bound_walk(calendar.known_working_day, start, n, step, include_start, most)
    except holidays.Unbounded:
        raise DateOutOfRange(f"no bounded range of working days past {holidays.HORIZON}", step > 0) from None
    except OverflowError:
        raise DateOutOfRange(f"date out of range: {n} working day(s) {'after' if step > 0 else 'before'} "
                             f"{start}", step > 0) from None


def _room_to_holiday(d: date, step: int) -> int:
    """Days from ``d`` (a day of a year no notice covers) to the next statutory holiday or the
    year's edge in direction ``step``: whole weeks within them have 5 working days each."""
    days = holidays.sorted_statutory(d.year)
    if step > 0:
        edge = next((h for h in days if h >= d), None)
        return (edge - d).days if edge is not None else (date(d.year, 12, 31) - d).days
    edge = next((h for h in reversed(days) if h <= d), None)
    return (d - edge).days if edge is not None else (d - date(d.year, 1, 1)).days


@dataclass(frozen=True, slots=True)
class Bound:
    """Count every working-day result that a year without a notice leaves open at one end of its
    range: ``earliest`` or ``latest``. ``days`` collects (estimate, bound) pairs for the reason."""

    mode: Literal["earliest", "latest"]
    days: list = field(default_factory=list)


_BOUND: ContextVar[Bound | None] = ContextVar("dingdian_calendar_bound", default=None)


@contextmanager
def counting_at(mode: Literal["earliest", "latest"]) -> Iterator[Bound]:
    """Within the block, working-day counts that touch a year without a notice give the earliest
    (or latest) day any calendar the notice could publish would give (holidays.bound_walk); counts
    not touching such a year are unaffected and cost nothing more."""
    bound = Bound(mode)
    token = _BOUND.set(bound)
    try:
        yield bound
    finally:
        _BOUND.reset(token)


def bounded() -> bool:
    """Whether a ``counting_at`` block is active (caches of working-day results must not answer)."""
    return _BOUND.get() is not None


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
