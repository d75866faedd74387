"""Years without a published holiday arrangement (issue 9 item 6, legal review row 10): the
statutory holidays of 《全国年节及纪念日放假办法》 art. 2 are certain, only the 调休 is estimated, and
the range of possible calendars (holidays.py) contains every arrangement ever published."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants as cc
from hypothesis import given, strategies as st

from dingdian_rules import time as timecalc
from dingdian_rules.time import holidays
from dingdian_rules.time.holidays import bound_walk, statutory_holidays

PUBLISHED = range(2008, 2027)  # chinesecalendar 1.11 covers 2004-2026; the current holiday set dates from 2008


@pytest.mark.parametrize("year", PUBLISHED)
def test_computed_statutory_days_are_holidays_in_every_published_year(year: int) -> None:
    # The lunar dates (除夕, 初一..初三, 端午, 中秋) and 清明 come from tyme4py; the notices that
    # chinesecalendar transcribes must give each of them off.
    days = statutory_holidays(year)
    # 13 days from 2025 (11 before), one fewer when 中秋 falls on 10-01..10-03 (2020: 10-01)
    national_day = {date(year, 10, i) for i in (1, 2, 3)}
    mid_autumn_joins = len([d for d in days if d.month in (9, 10)]) == 3
    assert len(days) == (13 if year >= 2025 else 11) - mid_autumn_joins
    assert national_day <= days
    for d in sorted(days):
        assert chinese_calendar.is_holiday(d), f"{d} is computed statutory but a working day in {year}'s notice"


def test_2027_statutory_days_under_the_2024_revision() -> None:
    # 除夕 2027 is Fri 02-05 (正月初一 Sat 02-06); 清明 Mon 04-05; 端午 Wed 06-09; 中秋 Wed 09-15.
    assert statutory_holidays(2027) == frozenset(
        [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8), date(2027, 4, 5),
         date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1),
         date(2027, 10, 2), date(2027, 10, 3)])


def test_除夕_is_the_last_day_of_the_lunar_year_whatever_its_length() -> None:
    # 2025: 腊月 has 29 days, 除夕 is 腊月廿九 (01-28); 2026: 除夕 02-16 (腊月廿九 too); 2028: 01-25.
    assert min(d for d in statutory_holidays(2025) if d.month <= 2 and d != date(2025, 1, 1)) == date(2025, 1, 28)
    assert min(d for d in statutory_holidays(2026) if d.month <= 2 and d != date(2026, 1, 1)) == date(2026, 2, 16)
    assert min(d for d in statutory_holidays(2028) if d.month <= 2 and d != date(2028, 1, 1)) == date(2028, 1, 25)


def test_a_year_without_a_notice_has_certain_holidays_and_estimated_days() -> None:
    cal = timecalc.DEFAULT_CALENDAR
    assert not cal.covers(2027)
    assert cal.is_working_day(date(2027, 1, 1)) == (False, True)   # 元旦, Friday
    assert cal.is_working_day(date(2027, 2, 8)) == (False, True)   # 初三, Monday
    assert cal.is_working_day(date(2027, 1, 4)) == (True, True)    # a plain Monday: could be a bridge day
    assert cal.is_working_day(date(2027, 1, 9)) == (False, True)   # a Saturday: could be a make-up day
    assert cal.known_working_day(date(2027, 1, 4)) is None
    assert cal.known_working_day(date(2026, 1, 4)) is True         # make-up Sunday of the 2026 notice


def _known_except(year: int):
    """Working days as chinesecalendar publishes them, except that ``year`` is treated as unpublished."""
    def known(d: date) -> bool | None:
        if d.year == year:
            return None
        return d in cc.workdays or (d.weekday() < 5 and d not in cc.holidays)
    return known


def _published_walk(d: date, n: int, step: int) -> date | None:
    """The n-th working day from ``d`` as published; None when the count leaves the published years."""
    x = d
    while n:
        x += timedelta(days=step)
        if x.year not in PUBLISHED:
            return None
        if chinese_calendar.is_workday(x):
            n -= 1
    return x


# Years under the 2013 and 2024 revisions; 2015 had a one-off commemorative holiday (9-3, 9-4,
# 抗战胜利70周年, with make-up Sunday 9-6) that no general bound is meant to contain, and 2019's notice
# reached back into 2018 (12-29 worked, 12-31 off for 元旦): the December of a published year is
# taken as published (docs/time.md names this limit).
CHECKED = [y for y in range(2014, 2027) if y not in (2015, 2018)]


@pytest.mark.parametrize("year", CHECKED)
@pytest.mark.parametrize("step", [1, -1])
def test_every_published_arrangement_lies_within_the_bounds(year: int, step: int) -> None:
    # Pretend the year had no notice: the count its notice actually gave lies between the
    # earliest and the latest day the bounds allow, for every start and for short and long counts.
    known = _known_except(year)
    for start in (date(year, 1, 1) + timedelta(days=i) for i in range(0, 365, 2)):
        for n in (1, 3, 5, 7, 10, 15, 30):
            actual = _published_walk(start, n, step)
            if actual is None:
                continue
            most = bound_walk(known, start, n, step, False, True)
            fewest = bound_walk(known, start, n, step, False, False)
            lo, hi = (most, fewest) if step > 0 else (fewest, most)
            assert lo <= actual <= hi, (start, n, step, lo, actual, hi)


def test_rolls_of_published_years_lie_within_the_bounds() -> None:
    for year in CHECKED:
        known = _known_except(year)
        for start in (date(year, 1, 1) + timedelta(days=i) for i in range(365)):
            actual = start if chinese_calendar.is_workday(start) else _published_walk(start, 1, 1)
            if actual is None:
                continue
            assert (bound_walk(known, start, 1, 1, True, True) <= actual
                    <= bound_walk(known, start, 1, 1, True, False)), start


def test_counting_at_the_ends_of_2027() -> None:
    cal = timecalc.DEFAULT_CALENDAR

    def ends(start: date, n: int) -> tuple[date, date, date]:
        est = cal.add_working_days(start, n)
        assert est.estimated and est.uncovered_years == (2027,)
        with timecalc.counting_at("earliest"):
            lo = cal.add_working_days(start, n).value
        with timecalc.counting_at("latest"):
            hi = cal.add_working_days(start, n).value
        return lo, est.value, hi

    # C10: 30 working days after 2026-12-15: 12 in December, 元旦 off, then 01-04 .. 01-27. 元旦
    # on a Friday joins the weekend; Spring Festival's days off start at the earliest on 02-04.
    assert ends(date(2026, 12, 15), 30) == (date(2027, 1, 27),) * 3
    # Across Spring Festival: 5 working days after Mon 02-01 are 02-02, 02-03, 02-04, 02-09, 02-10
    # counted with the statutory days only; 02-04 and 02-09..02-12 could be given off (补假 for
    # Sat 02-06 and Sun 02-07 plus bridge days), so as late as 02-17.
    assert ends(date(2027, 2, 1), 5) == (date(2027, 2, 10), date(2027, 2, 10), date(2027, 2, 17))
    # Starting on 初三 (Mon 02-08): 02-09, 02-10, 02-11, unless 02-09..02-12 are given off.
    assert ends(date(2027, 2, 8), 3) == (date(2027, 2, 11), date(2027, 2, 11), date(2027, 2, 17))
    # Counts that never touch 2027 are neither estimated nor bounded.
    with timecalc.counting_at("latest") as bound:
        assert cal.add_working_days(date(2025, 9, 30), 5) == timecalc.ComputedDate(date(2025, 10, 14))
    assert bound.days == []


def test_counts_past_the_horizon_have_no_bounded_range() -> None:
    cal = timecalc.DEFAULT_CALENDAR
    start = date(holidays.HORIZON, 12, 20)
    assert cal.add_working_days(start, 20).estimated  # still counted (Monday to Friday past it)
    with timecalc.counting_at("latest"), pytest.raises(timecalc.DateOutOfRange):
        cal.add_working_days(start, 20)


def test_a_long_count_through_unpublished_years_stays_fast() -> None:
    # whole weeks between statutory holidays are skipped, so decades cost per holiday, not per day
    import time
    t = time.perf_counter()
    r = timecalc.DEFAULT_CALENDAR.add_working_days(date(2027, 1, 1), 250 * 60)
    assert r.estimated and r.value.year in (2086, 2087)
    assert time.perf_counter() - t < 2.0


def test_week_skipping_agrees_with_a_day_by_day_count() -> None:
    # the walk skips whole weeks between statutory holidays; it must land where counting each day does
    cal = timecalc.DEFAULT_CALENDAR

    def naive(d: date, n: int, step: int) -> date:
        while n:
            d += timedelta(days=step)
            if cal.is_working_day(d)[0]:
                n -= 1
        return d

    for start in (date(2026, 12, 1) + timedelta(days=i) for i in range(0, 1200, 7)):
        for n in (1, 6, 12, 33, 120, 400):
            assert cal.add_working_days(start, n).value == naive(start, n, 1), (start, n)
            if start.year >= 2028:
                assert cal.subtract_working_days(start, n).value == naive(start, n, -1), (start, n)


def _walked(cal: timecalc.WorkdayCalendar, start: date, n: int, step: int, include_start: bool) -> date:
    """The n-th working day from ``start``, day by day (the definition, with nothing skipped or kept)."""
    d = start if include_start else start + timedelta(days=step)
    while True:
        if cal.is_working_day(d)[0]:
            n -= 1
            if n == 0:
                return d
        d += timedelta(days=step)


@given(st.dates(date(2019, 1, 1), date(2028, 12, 31)), st.integers(1, 40), st.booleans())
def test_a_remembered_count_is_the_count(start: date, n: int, forward: bool) -> None:
    """A calendar remembers the working-day counts it made in years an arrangement covers
    (a batch counts from the same few starts): asked again, it gives the day counting day by
    day gives; a count touching a year without a notice is made afresh each time, so the
    ends of its range (``counting_at``) never come from an earlier estimate."""
    cal = timecalc.WorkdayCalendar()
    count = cal.add_working_days if forward else cal.subtract_working_days
    first = count(start, n)
    again = count(start, n)
    assert again == first
    if not first.estimated:
        assert first.value == _walked(cal, start, n, 1 if forward else -1, False)
    else:
        for mode in ("earliest", "latest"):
            with timecalc.counting_at(mode):
                bounded = count(start, n)
            assert bounded.estimated and count(start, n) == first  # the bound is not kept either


def test_the_counts_a_calendar_remembers_are_not_stored_with_it() -> None:
    """A pack's calendar is pickled into the pack cache: what it counted stays in the process."""
    import pickle

    cal = timecalc.WorkdayCalendar([timecalc.YearArrangement(2027, frozenset({date(2027, 1, 1)}), frozenset(), "test")])
    size = len(pickle.dumps(cal))
    for day in range(1, 200):
        cal.add_working_days(date(2025, 1, 1) + timedelta(days=day), 7)
    assert len(pickle.dumps(cal)) == size
    copy = pickle.loads(pickle.dumps(cal))
    assert copy.add_working_days(date(2025, 9, 30), 5) == timecalc.ComputedDate(date(2025, 10, 14))
    assert copy.source_of(2027) == "test"
