"""Statutory holidays of any year, and the range of working days a year without a notice allows.

《全国年节及纪念日放假办法》 (as revised by 国务院令第795号, 2024, in force 2025-01-01) art. 2 fixes
the days off for all citizens: 元旦 1 January; 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (农历
清明当日, the solar-term day); 劳动节 1–2 May; 端午节 (农历五月初五); 中秋节 (农历八月十五); 国庆节 1–3
October. These are known for every year before any annual notice. What only the State Council's
notice settles is the 调休: the weekdays given off (补假: the 办法 makes up on a working day a holiday
of all citizens that falls on a Saturday or Sunday; bridge days that join a holiday to a weekend)
and the weekend days worked in exchange (make-up working days). The text of the 办法 is not among
the project's sources: the list above is the issue's (issue 9 item 6), and the article numbers
of the 补假 and 调休 provisions are therefore not cited. The lunar dates and the solar term come from tyme4py (a maintained lunar-calendar
library), read lazily, once per year.

For a year no notice covers (``WorkdayCalendar`` has no arrangement for it), a day is therefore:

- a computed statutory holiday: certainly a rest day;
- any other weekday: a working day, *estimated* (it could become a 补假 or bridge day);
- any other weekend day: a rest day, *estimated* (it could become a make-up working day).

The range of possible calendars (``bound_walk``) is bounded by how notices have always made
调休 (docs/time.md, "Years without a notice"): weekdays off lie next to their holiday
(``OFF_BEFORE``, ``OFF_AFTER``), make-up days within ``MAKEUP_SPAN`` days of it; a holiday has at
most ``MAX_BRIDGES`` bridge days beside its 补假 days (one per statutory day on a weekend), and
make-up working days only pay back bridge days, so a cluster counted whole never adds working
days. tests/test_holidays.py checks these bounds, and the statutory days themselves, against
every year chinesecalendar publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable

__all__ = ["HORIZON", "MAKEUP_SPAN", "MAX_BRIDGES", "OFF_AFTER", "OFF_BEFORE", "Cluster", "Unbounded", "bound_walk",
           "clusters", "sorted_statutory", "statutory_days", "statutory_holidays"]

# How notices have placed 调休, in every year chinesecalendar publishes since the 2013 revision
# (2014-2026; tests/test_holidays.py checks each bound against them). A "major" holiday is
# 春节, 劳动节 or 国庆 (with 中秋 when it joins 国庆); the others are "minor".
# Weekdays given off (补假 and bridge days) lie from 1 day before the first statutory day to
# OFF_AFTER days after the last (major: 2020-10-08; minor: 2014-04-07).
OFF_BEFORE = 1
OFF_AFTER = {True: 5, False: 2}
# Make-up working days lie within MAKEUP_SPAN days of the statutory days (major: 2024-05-11, ten
# days after 5-1; minor: 2015-01-04, 2017-04-01).
MAKEUP_SPAN = {True: 10, False: 3}
# Bridge days beyond the 补假 the 办法 requires (one per statutory day on a weekend): at most 3 for
# a major holiday (中秋 and 国庆 2016, 2021, 2024; Spring Festival 2020), 1 for a minor one.
# Make-up working days never outnumber the bridge days they pay back.
MAX_BRIDGES = {True: 3, False: 1}


def _lunar(year: int, month: int, day: int) -> date:
    from tyme4py.lunar import LunarDay  # imported on first use: only years without a notice need it

    s = LunarDay.from_ymd(year, month, day).get_solar_day()
    return date(s.get_year(), s.get_month(), s.get_day())


def _qingming(year: int) -> date:
    from tyme4py.solar import SolarTerm

    s = SolarTerm.from_name(year, "清明").get_julian_day().get_solar_day()
    return date(s.get_year(), s.get_month(), s.get_day())


@lru_cache(maxsize=512)
def statutory_holidays(year: int) -> frozenset[date]:
    """The days off for all citizens in ``year`` under the 放假办法 in force that year.

    From 2025 the 2024 revision (春节 from 除夕, 4 days; 劳动节 2 days); 2014-2024 the 2013
    revision (春节 初一至初三; 劳动节 1 day); 2008-2013 the 2007 revision (春节 除夕至初二). Earlier
    years are given under the 2007 text too (no earlier rule is encoded: callers only need the
    years without a notice, which lie after 2026). 除夕 is the day before 正月初一, the lunar year's
    last day whether its last month has 29 or 30 days.
    """
    new_year = _lunar(year, 1, 1)  # 正月初一 in this Gregorian year
    eve = new_year - timedelta(days=1)
    if year >= 2025:
        spring = [eve + timedelta(days=i) for i in range(4)]
        labour = [date(year, 5, 1), date(year, 5, 2)]
    elif year >= 2014:
        spring = [new_year + timedelta(days=i) for i in range(3)]
        labour = [date(year, 5, 1)]
    else:
        spring = [eve + timedelta(days=i) for i in range(3)]
        labour = [date(year, 5, 1)]
    days = {date(year, 1, 1), *spring, _qingming(year), *labour, _lunar(year, 5, 5), _lunar(year, 8, 15),
            date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}
    return frozenset(d for d in days if d.year == year)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Statutory days close together, and where and how much a notice can adjust around them."""

    days: frozenset[date]                   # the statutory days
    first: date                             # the span make-up days can lie in, clipped to the year
    last: date
    off: tuple[tuple[date, date], ...]      # the ranges weekdays can be given off in
    max_off: int                            # at most this many weekdays off: 补假 plus bridge days
    max_makeup: int                         # at most this many make-up days: the bridge days


@lru_cache(maxsize=512)
def clusters(year: int) -> tuple[Cluster, ...]:
    """``year``'s statutory days grouped by holiday, each with the span a notice adjusts in;
    holidays whose spans meet (中秋 and 国庆, some years 元旦 and 春节) form one cluster, since a
    make-up day between them may pay back a bridge day of either."""
    days = sorted(statutory_days(year))
    groups: list[list[date]] = []
    for d in days:
        if groups and (d - groups[-1][-1]).days <= 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    lo, hi = date(year, 1, 1), date(year, 12, 31)
    one = timedelta(days=1)
    raw = []
    for g in groups:
        major = len(g) >= 2 or date(year, 5, 1) in g
        span = timedelta(days=MAKEUP_SPAN[major])
        comps = sum(1 for d in g if d.weekday() >= 5)
        raw.append([set(g), max(g[0] - span, lo), min(g[-1] + span, hi),
                    [(max(g[0] - OFF_BEFORE * one, lo), min(g[-1] + OFF_AFTER[major] * one, hi))],
                    comps + MAX_BRIDGES[major], MAX_BRIDGES[major], major])
    merged: list[list] = []
    for r in raw:
        if merged and r[1] <= merged[-1][2]:
            m = merged[-1]
            m[0] |= r[0]
            m[3] += r[3]
            m[4] += r[4]
            m[5] += r[5]
            m[6] = m[6] or r[6]
            # joined to a major holiday, a minor one's make-up days lie as far as the major's
            span = timedelta(days=MAKEUP_SPAN[m[6]])
            m[1], m[2] = max(min(m[0]) - span, lo), min(max(m[0]) + span, hi)
        else:
            merged.append(r)
    return tuple(Cluster(frozenset(m[0]), m[1], m[2], tuple(m[3]), m[4], m[5]) for m in merged)


# Years after HORIZON are counted Monday-Friday (no lunar holidays) and have no bounded range: no
# rule's count reaches that far in earnest, and computing lunar dates for thousands of years
# would make an absurd count slow instead of merely estimated.
HORIZON = 2200


@lru_cache(maxsize=512)
def sorted_statutory(year: int) -> tuple[date, ...]:
    """``statutory_holidays(year)`` sorted; empty past ``HORIZON``."""
    return tuple(sorted(statutory_days(year)))


@lru_cache(maxsize=512)
def statutory_days(year: int) -> frozenset[date]:
    """``statutory_holidays(year)`` as a working-day count uses them: none past ``HORIZON``."""
    return statutory_holidays(year) if year <= HORIZON else frozenset()


class Unbounded(Exception):
    """A bounded count reached a year past ``HORIZON``: its range is unknown."""


def bound_walk(known: Callable[[date], bool | None], d: date, n: int, step: int, include_start: bool,
               most_working: bool) -> date:
    """The n-th working day from ``d`` in direction ``step`` under the calendar with the most
    (``most_working``) or the fewest working days the notices not yet published can make.

    ``known(x)`` is the working-day status of a day an arrangement settles, None for a day of a
    year no notice covers. In such a year, within a cluster's span, the fewest working days give
    the first ``max_off`` weekdays off (补假 and bridge days); the most make up to ``MAX_BRIDGES``
    weekend days working, but only while the span is not wholly inside the counted days (make-up
    days only pay back bridge days in the same span). Raises ``OverflowError`` off the calendar's
    ends and ``Unbounded`` past ``HORIZON``.
    """
    one = timedelta(days=step)
    first = d if include_start else d + one
    x = first
    count = 0
    used: dict[Cluster, int] = {}  # per span entered: days off given (fewest) or weekends worked (most)
    while True:
        status = known(x)
        payback = False
        if status is None:
            if x.year > HORIZON:
                raise Unbounded(x.year)
            base = x.weekday() < 5
            working = base
            c = _span_of(x)
            if c is not None:
                if x in c.days:
                    working = False
                else:
                    k = used.get(c, 0)
                    if not most_working and base and k < c.max_off and any(a <= x <= b for a, b in c.off):
                        working = False
                        used[c] = k + 1
                    elif most_working and not base and k < c.max_makeup:
                        working = True
                        used[c] = k + 1
                if most_working:
                    entry, exit_ = (c.first, c.last) if step > 0 else (c.last, c.first)
                    # the whole span counted: its make-up days only paid back its bridge days
                    payback = x == exit_ and (first <= entry if step > 0 else first >= entry)
            elif base and n - count > 5:
                # outside every span: skip whole weeks (5 working days each) up to the next span
                weeks = min((n - count - 1) // 5, _room(x, step) // 7)
                if weeks:
                    count += 5 * weeks
                    x += timedelta(days=7 * weeks * step)
                    continue
        else:
            working = status
        if working:
            count += 1
        if payback:
            count -= used.pop(c, 0)  # type: ignore[arg-type]
        if working and count >= n:
            return x
        x += one


def _span_of(x: date) -> Cluster | None:
    for c in clusters(x.year):
        if c.first <= x <= c.last:
            return c
    return None


def _room(x: date, step: int) -> int:
    """Days from ``x`` to the next span (or year end) in direction ``step``, exclusive."""
    if step > 0:
        ahead = [c.first for c in clusters(x.year) if c.first > x]
        edge = min(ahead) if ahead else date(x.year, 12, 31) + timedelta(days=1) if x.year < 9999 else date.max
        return (edge - x).days
    behind = [c.last for c in clusters(x.year) if c.last < x]
    edge = max(behind) if behind else date(x.year, 1, 1) - timedelta(days=1) if x.year > 1 else date.min
    return (x - edge).days
