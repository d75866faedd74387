"""Tests for dingdian_rules.timecalc.

Expected values come from 民法典 arts. 201-203 and from the State Council's published holiday
arrangements (国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for 2026), worked out by hand
in the comments; relativedelta is the reference only for the month-shift property test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from dingdian_rules.time import periods as timecalc
from dingdian_rules.time.days import ComputedDate
from dingdian_rules.time.periods import (
    add_period,
    elapsed_period,
    roll_to_working_day,
    subtract_period,
    within_period,
)
from dingdian_rules.time.workdays import DEFAULT_CALENDAR, WorkdayCalendar, YearArrangement

D = date

# A hypothetical 2027 arrangement a caller might supply (not a published one): Jan 4-5 off,
# Saturday Jan 9 worked.
ARRANGEMENT_2027 = YearArrangement(
    year=2027,
    holidays=frozenset({D(2027, 1, 4), D(2027, 1, 5)}),
    makeup_workdays=frozenset({D(2027, 1, 9)}),
    source="test fixture (hypothetical)",
)


# --- natural days, months, years (arts. 201, 202) -------------------------------------------

def test_days_exclude_the_event_day():
    # art. 201: day 1 is Jan 2, so day 30 is Jan 31.
    assert add_period(D(2025, 1, 1), 30, "days") == ComputedDate(D(2025, 1, 31))
    # 180 natural days after 2025-01-01: Jan has 30 remaining, Feb 28, Mar 31, Apr 30, May 31
    # (= 150), so day 180 is June 30.
    assert add_period(D(2025, 1, 1), 180, "days").value == D(2025, 6, 30)


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (D(2024, 2, 29), 1, D(2025, 2, 28)),   # no Feb 29 in 2025 -> month end (art. 202)
        (D(2024, 2, 29), 3, D(2027, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),   # corresponding day exists again
        (D(2024, 2, 29), 5, D(2029, 2, 28)),
        (D(2023, 6, 15), 3, D(2026, 6, 15)),
    ],
)
def test_years(start, length, expected):
    result = add_period(start, length, "years")
    assert result.value == expected
    assert not result.estimated


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),   # leap February's last day
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),   # April has 30 days
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2024, 1, 15), 6, D(2024, 7, 15)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),  # across a year end
        (D(2024, 5, 31), 12, D(2025, 5, 31)),
    ],
)
def test_months_clamp_to_month_end(start, length, expected):
    assert add_period(start, length, "months").value == expected


def test_zero_length_natural_period_is_the_start():
    assert add_period(D(2025, 3, 3), 0, "months").value == D(2025, 3, 3)


@settings(max_examples=300, deadline=None)
@given(st.dates(D(1990, 1, 1), D(2100, 12, 31)), st.integers(0, 240))
def test_month_shift_matches_relativedelta(d, n):
    assert add_period(d, n, "months").value == d + relativedelta(months=n)
    assert subtract_period(d, n, "months").value == d - relativedelta(months=n)
    assert add_period(d, n // 12, "years").value == d + relativedelta(years=n // 12)
    assert subtract_period(d, n // 12, "years").value == d - relativedelta(years=n // 12)


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2100, 12, 31)), st.integers(1, 120))
def test_subtract_then_add_never_passes_the_end(end, n):
    assert add_period(subtract_period(end, n, "months").value, n, "months").value <= end


# --- subtract_period -------------------------------------------------------------------------

def test_subtract_period():
    # 3 months before an expiry on 2026-06-30 -> 2026-03-30 (corresponding day).
    assert subtract_period(D(2026, 6, 30), 3, "months").value == D(2026, 3, 30)
    # 1 month before 2025-03-31: no Feb 31 -> Feb 28.
    assert subtract_period(D(2025, 3, 31), 1, "months").value == D(2025, 2, 28)
    # 30 days before 2025-03-31 -> 2025-03-01.
    assert subtract_period(D(2025, 3, 31), 30, "days").value == D(2025, 3, 1)
    # 1 year before 2028-02-29 -> 2027-02-28.
    assert subtract_period(D(2028, 2, 29), 1, "years").value == D(2027, 2, 28)


def test_subtract_working_days_across_national_day_2025():
    # Working days before 2025-10-14 (Tue): 10-13 Mon (1), 10-12 Sun off, 10-11 Sat make-up (2),
    # 10-10 Fri (3), 10-09 Thu (4), 10-01..08 off, 09-30 Tue (5).
    result = subtract_period(D(2025, 10, 14), 5, "working_days")
    assert result == ComputedDate(D(2025, 9, 30))


# --- bars: within_period / elapsed_period ------------------------------------------------------

def test_within_period_anniversary_reading():
    event = D(2024, 2, 29)
    # Last day of the 3-year period is 2027-02-28; it runs until 24:00 that day.
    assert within_period(event, D(2027, 2, 28), 3, "years")
    assert not elapsed_period(event, D(2027, 2, 28), 3, "years")
    assert not within_period(event, D(2027, 3, 1), 3, "years")
    assert elapsed_period(event, D(2027, 3, 1), 3, "years")
    # The event day itself is within.
    assert within_period(event, event, 3, "years")


def test_within_period_plain_anniversary():
    event = D(2023, 5, 10)
    assert within_period(event, D(2026, 5, 10), 3, "years")
    assert not within_period(event, D(2026, 5, 11), 3, "years")
    assert elapsed_period(event, D(2026, 5, 11), 3, "years")


def test_event_after_as_of_is_neither_within_nor_elapsed():
    assert not within_period(D(2025, 6, 2), D(2025, 6, 1), 1, "years")
    assert not elapsed_period(D(2025, 6, 2), D(2025, 6, 1), 1, "years")


def test_within_period_days_and_working_days():
    # 30 days after 2025-01-01 ends 2025-01-31.
    assert within_period(D(2025, 1, 1), D(2025, 1, 31), 30, "days")
    assert not within_period(D(2025, 1, 1), D(2025, 2, 1), 30, "days")
    # 5 working days after 2025-09-30 end on 2025-10-14 (see below).
    assert within_period(D(2025, 9, 30), D(2025, 10, 14), 5, "working_days")
    assert elapsed_period(D(2025, 9, 30), D(2025, 10, 15), 5, "working_days")


# --- working days -------------------------------------------------------------------------------

def test_five_working_days_after_friday_before_national_day_2025():
    # 2025-09-26 is a Friday. 09-27 Sat off; 09-28 Sun is a make-up working day (1);
    # 09-29 Mon (2); 09-30 Tue (3); 10-01..10-08 off; 10-09 Thu (4); 10-10 Fri (5).
    assert add_period(D(2025, 9, 26), 5, "working_days") == ComputedDate(D(2025, 10, 10))


def test_five_working_days_after_national_day_eve_2025():
    # 10-01..08 off; 10-09 Thu (1); 10-10 Fri (2); 10-11 Sat make-up (3); 10-12 Sun off;
    # 10-13 Mon (4); 10-14 Tue (5).
    assert DEFAULT_CALENDAR.add_working_days(D(2025, 9, 30), 5) == ComputedDate(D(2025, 10, 14))


def test_thirty_working_days_across_spring_festival_2025():
    # 2025 Spring Festival: Jan 28 - Feb 4 off; Sun Jan 26 and Sat Feb 8 worked.
    # After Mon 2025-01-20: Jan 21-24 (1-4); Sun Jan 26 (5); Mon Jan 27 (6); Feb 5-7 (7-9);
    # Sat Feb 8 (10); Feb 10-14 (11-15); Feb 17-21 (16-20); Feb 24-28 (21-25); Mar 3-7 (26-30).
    assert add_period(D(2025, 1, 20), 30, "working_days").value == D(2025, 3, 7)


def test_working_days_spring_festival_2026():
    # 2026 Spring Festival: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 worked.
    # After Fri 2026-02-13: Sat Feb 14 (1); Feb 15-23 off; Feb 24-27 Tue-Fri (2-5).
    assert add_period(D(2026, 2, 13), 5, "working_days") == ComputedDate(D(2026, 2, 27))


def test_is_working_day():
    cal = DEFAULT_CALENDAR
    assert cal.is_working_day(D(2025, 9, 28)) == (True, False)    # make-up Sunday
    assert cal.is_working_day(D(2025, 10, 3)) == (False, False)   # National Day, a Friday
    assert cal.is_working_day(D(2025, 10, 12)) == (False, False)  # ordinary Sunday
    assert cal.is_working_day(D(2025, 10, 15)) == (True, False)   # ordinary Wednesday
    assert cal.is_working_day(D(2027, 1, 1)) == (False, True)     # 元旦 (statutory), 2027 unpublished
    assert cal.is_working_day(D(2027, 1, 4)) == (True, True)      # Monday, weekday estimate


def test_coverage_read_from_package():
    first, last = DEFAULT_CALENDAR.covered_years()
    assert first <= 2004 and last >= 2026
    assert DEFAULT_CALENDAR.covers(2025)
    assert not DEFAULT_CALENDAR.covers(last + 1)
    assert DEFAULT_CALENDAR.source_of(2025).startswith("chinesecalendar")
    assert DEFAULT_CALENDAR.source_of(last + 1) == ""


def test_uncovered_year_is_estimated_with_weekday_fallback():
    # 2027-01-01 is a Friday. Mon-Fri fallback: Jan 4-8 are working days 1-5.
    result = add_period(D(2027, 1, 1), 5, "working_days")
    assert result == ComputedDate(D(2027, 1, 8), True, (2027,))


def test_crossing_into_uncovered_year_is_estimated():
    # After Wed 2026-12-30: Thu Dec 31 (1, known); Fri 2027-01-01 is 元旦, a statutory holiday
    # before any notice (放假办法 art. 2); Mon Jan 4 (2), Tue Jan 5 (3), estimated (调休 unknown).
    result = add_period(D(2026, 12, 30), 3, "working_days")
    assert result == ComputedDate(D(2027, 1, 5), True, (2027,))


def test_supplied_arrangement_is_used_and_not_estimated():
    cal = WorkdayCalendar([ARRANGEMENT_2027])
    assert cal.covers(2027)
    assert cal.source_of(2027) == "test fixture (hypothetical)"
    # After Fri 2027-01-01: Jan 4-5 off; Wed 6 (1); Thu 7 (2); Fri 8 (3); Sat 9 make-up (4);
    # Sun 10 off; Mon 11 (5).
    assert cal.add_working_days(D(2027, 1, 1), 5) == ComputedDate(D(2027, 1, 11))
    assert cal.is_working_day(D(2027, 1, 9)) == (True, False)
    assert cal.is_working_day(D(2027, 1, 4)) == (False, False)
    # The default calendar is untouched.
    assert DEFAULT_CALENDAR.add_working_days(D(2027, 1, 1), 5).estimated


def test_supplied_arrangement_does_not_cover_later_years():
    cal = WorkdayCalendar([ARRANGEMENT_2027])
    result = cal.add_working_days(D(2027, 12, 30), 3)  # Thu; Fri 31 (1); 2028 Mon 3 (2); Tue 4 (3)
    assert result == ComputedDate(D(2028, 1, 4), True, (2028,))


def test_year_arrangement_validation():
    with pytest.raises(ValueError, match="another year"):
        YearArrangement(2027, frozenset({D(2026, 12, 31)}), frozenset())
    with pytest.raises(ValueError, match="both"):
        YearArrangement(2027, frozenset({D(2027, 1, 9)}), frozenset({D(2027, 1, 9)}))
    with pytest.raises(ValueError, match="weekday"):
        YearArrangement(2027, frozenset(), frozenset({D(2027, 1, 6)}))
    with pytest.raises(ValueError, match="two arrangements"):
        WorkdayCalendar([ARRANGEMENT_2027, ARRANGEMENT_2027])
    # Plain sets and lists are stored as frozensets.
    a = YearArrangement(2027, {D(2027, 1, 4)}, [D(2027, 1, 9)])
    assert a.holidays == frozenset({D(2027, 1, 4)}) and isinstance(a.makeup_workdays, frozenset)


@pytest.mark.parametrize("n", [0, -1])
def test_working_days_need_positive_n(n):
    with pytest.raises(ValueError):
        add_period(D(2025, 1, 1), n, "working_days")
    with pytest.raises(ValueError):
        subtract_period(D(2025, 1, 1), n, "working_days")
    with pytest.raises(ValueError):
        DEFAULT_CALENDAR.add_working_days(D(2025, 1, 1), n)


def test_bad_inputs():
    with pytest.raises(ValueError):
        add_period(D(2025, 1, 1), -1, "months")
    with pytest.raises(ValueError, match="unknown time unit"):
        add_period(D(2025, 1, 1), 1, "weeks")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_period(D(2025, 1, 1), True, "months")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_period(D(2025, 1, 1), 1.0, "days")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_period(datetime(2025, 1, 1, 12), 1, "days")  # type: ignore[arg-type]


# --- art. 203 roll-forward -------------------------------------------------------------------------

def test_roll_to_working_day():
    # Saturday 2025-06-07 -> Monday 06-09 (Dragon Boat holiday was May 31 - June 2).
    assert roll_to_working_day(D(2025, 6, 7)) == ComputedDate(D(2025, 6, 9))
    # National Day 2025-10-01 -> first working day after the Oct 1-8 holiday: Thu 10-09.
    assert roll_to_working_day(D(2025, 10, 1)) == ComputedDate(D(2025, 10, 9))
    # Make-up Sunday 2025-09-28 is a working day: stays.
    assert roll_to_working_day(D(2025, 9, 28)) == ComputedDate(D(2025, 9, 28))
    # Ordinary Wednesday stays.
    assert roll_to_working_day(D(2025, 10, 15)) == ComputedDate(D(2025, 10, 15))
    # Saturday 2027-01-02 -> Monday 01-04, estimated.
    assert roll_to_working_day(D(2027, 1, 2)) == ComputedDate(D(2027, 1, 4), True, (2027,))


def test_roll_after_period():
    # A 30-day deadline from 2025-09-08 ends 2025-10-08 (holiday) -> rolls to 2025-10-09.
    last = add_period(D(2025, 9, 8), 30, "days").value
    assert last == D(2025, 10, 8)
    assert roll_to_working_day(last).value == D(2025, 10, 9)


# --- hot path ------------------------------------------------------------------------------------------

def test_natural_periods_are_cached_and_shared():
    timecalc._natural_end.cache_clear()
    first = add_period(D(2024, 2, 29), 3, "years")
    assert add_period(D(2024, 2, 29), 3, "years") is first
    assert timecalc._natural_end.cache_info().hits == 1


def test_month_shift_over_many_days():
    # Exhaustive check of the exact month shift against relativedelta over 4 years.
    d = D(2023, 1, 1)
    while d < D(2027, 1, 1):
        for n in (1, 3, 6, 12, 36):
            assert timecalc._shift_months(d, n) == d + relativedelta(months=n)
            assert timecalc._shift_months(d, -n) == d - relativedelta(months=n)
        d += timedelta(days=1)
