"""工作日: working days per the State Council's arrangements (``WorkdayCalendar``, ``YearArrangement``).

Working days come from the published arrangements (chinesecalendar, or a ``YearArrangement`` a
pack or caller supplies); in a year nobody has published, the statutory holidays of the 放假办法
are computed (holidays.py), the other days counted Monday-Friday, and every result that relied on
it says so (``estimated``). ``counting_at`` gives the earliest or latest day such a count can have
under any arrangement the notice could publish. See docs/time.md.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Iterator, Literal

import chinese_calendar
from chinese_calendar import constants as _cc

from . import holidays
from .days import ComputedDate, DateOutOfRange, _check_date, _check_length

__all__ = [
    "DEFAULT_CALENDAR",
    "WorkdayCalendar",
    "YearArrangement",
    "bounded",
    "calendar_versions",
    "counting_at",
]

# chinesecalendar's own data, read once: its coverage is whatever years its tables hold (the
# package itself derives the supported range from the holiday table the same way).
_CC_HOLIDAYS = _cc.holidays
_CC_WORKDAYS = _cc.workdays
_CC_RANGE: tuple[int, int] | None = (
    (min(_CC_HOLIDAYS).year, max(_CC_HOLIDAYS).year) if _CC_HOLIDAYS else None
)
_CC_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '?')}"


def calendar_versions() -> dict[str, str]:
    """The versions of the packages the holiday calendar comes from: chinesecalendar (published
    arrangements) and tyme4py (lunar dates of the computed holidays). A new release can move a
    working day, so both enter every pack's fingerprint and every decision record."""
    return dict(_versions())


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    import tyme4py  # its top level only (the lunar tables load when a year without a notice is counted)

    return (("chinesecalendar", str(getattr(chinese_calendar, "__version__", "?"))),
            ("tyme4py", str(getattr(tyme4py, "__version__", "?"))))


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


class WorkdayCalendar:
    """Working days per the State Council arrangement: chinesecalendar for the years it covers,
    plus YearArrangement objects supplied for other years; in any other year the statutory
    holidays are computed (holidays.py) and every other day is Monday-Friday, flagged estimated
    (the 调休 is unknown), never guessed silently.

    A supplied arrangement takes precedence over chinesecalendar for its year, so a pack that
    carries 2027 keeps working unchanged once a later chinesecalendar also publishes it.
    """

    __slots__ = ("_arrangements", "_counted")

    def __init__(self, extra: Iterable[YearArrangement] = ()) -> None:
        arrangements: dict[int, YearArrangement] = {}
        for arrangement in extra:
            if not isinstance(arrangement, YearArrangement):
                raise TypeError(f"expected YearArrangement, got {type(arrangement).__name__}")
            if arrangement.year in arrangements:
                raise ValueError(f"two arrangements supplied for {arrangement.year}")
            arrangements[arrangement.year] = arrangement
        self._arrangements = arrangements
        # Working-day counts already made (start, n, direction, start counts) -> the day: a
        # calendar never changes, and the decisions of a batch count from the same few starts.
        # Only counts inside years an arrangement covers are kept; an estimated count depends
        # on ``counting_at`` and is made afresh.
        self._counted: dict[tuple[date, int, int, bool], ComputedDate] = {}

    def __getstate__(self) -> dict:
        return {"_arrangements": self._arrangements}  # the counts made are not stored (pack cache)

    def __setstate__(self, state: dict) -> None:
        self._arrangements = state["_arrangements"]
        self._counted = {}

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
        key = (d, n, step, include_start)
        hit = self._counted.get(key)
        if hit is not None:
            return hit
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
        made = ComputedDate(d)
        if len(self._counted) >= _MAX_COUNTED:
            self._counted.clear()
        self._counted[key] = made
        return made

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


_MAX_COUNTED = 16_384  # counts a calendar keeps (a few MB); then it starts afresh
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
