"""Time: Civil Code periods (日, 月, 年), 工作日 on the statutory-holiday calendar, and the holidays of years not yet published.

May import: nothing else in the package.
"""

from .days import (AFTER_CALENDAR, BEFORE_CALENDAR, ComputedDate, DateOutOfRange, day_in_year, next_month_start,
                   quarter_end, quarter_start, shift_days, year_end)
from .periods import (MAX_PERIOD, Unit, add_period, elapsed_period, last_day_capped, roll_to_working_day,
                      subtract_period, within_period)
from .workdays import DEFAULT_CALENDAR, WorkdayCalendar, YearArrangement, bounded, calendar_versions, counting_at

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
    "calendar_versions",
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
