"""A time limit's last day and its status: one count for decisions and for conditions.

A ``time_limit`` rule defines a limit once (start event, length, direction, days not counted,
the art. 203 roll). The deadlines a decision lists and the conditions that act on the limit
(``due(time_limit.x)``, ``due(time_limit.x, d)``, ``status(time_limit.x)``, docs/conditions.md)
all call ``count_last_day`` here, so a rule that acts on a lapse and the deadline it shows can
never disagree (docs/time.md, "One count per limit").

Status relative to the evaluation day (``deadline_status``): ``pending`` (the last day is still
ahead), ``last_day_today``, ``lapsed`` (the last day has passed and the act, when the limit names
a ``done_on`` fact, was not done by then) and ``met`` (done on or before the last day). An act
dated after the evaluation day has not happened yet on that day, as everywhere in time.periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from .. import time as timecalc
from ..conditions.types import NOT_APPLICABLE
from ..conditions.trace import missing_facts

if TYPE_CHECKING:
    from ..conditions.compile import CompiledExpr
    from .resolved import ResolvedRule

__all__ = ["Counted", "DeadlineSpec", "ItemSpec", "LimitRef", "count_last_day", "count_moment", "deadline_spec",
           "deadline_status", "moment_status"]


@dataclass(frozen=True, eq=False)
class DeadlineSpec:
    """What a time_limit rule needs at evaluation, looked up once when the pack is built."""

    rule: "ResolvedRule"
    applies: Callable[..., Any] | None
    start: Callable[..., Any]
    extend: Callable[..., Any] | None
    length: int
    unit: str
    shift: Callable[..., timecalc.ComputedDate]  # add_period or subtract_period
    roll: bool  # art. 203; False where it cannot move the day (a working-day count with no extension)
    done: Callable[..., Any] | None = None  # the done_on expression, when the limit names one
    # No days added and no roll: the last day is the period's own. The decision's hot path counts
    # it inline (tests/test_deadline_status.py checks that it equals count_last_day).
    plain: bool = False
    start_counts: bool = False  # the start day is day 1 (art. 201 excludes it by default)
    hours: bool = False  # a period in hours, from a date-time (art. 201 para. 2): count_moment
    each: "ItemSpec | None" = None  # one deadline per item of a list (docs/time.md, "Deadlines per item")
    on: Callable[..., Any] | None = None  # the last day itself (`on:`)
    opens: Callable[..., Any] | None = None  # the first day of the window (`opens:`)
    checks: Callable[..., Any] | None = None  # a caller's date that must equal the last day (`checks:`)


@dataclass(frozen=True, eq=False)
class ItemSpec:
    """The list a per-item limit runs over: its source, the item filter, the identifying field."""

    source: Callable[..., Any]  # the list (a compiled expression over the case)
    path: str  # its fact path, e.g. agreement.suspensions
    where: Callable[..., Any] | None  # the filter, compiled with the item variable bound (arg I)
    key: str  # the item's identifying field, shown with its value


def deadline_spec(r: "ResolvedRule") -> DeadlineSpec:
    dl = r.deadline
    assert dl is not None and r.deadline_start is not None and r.deadline_length is not None
    length, unit = r.deadline_length
    # A working-day count ends on a working day: rolling it could only cost time, never move it.
    roll = bool(dl.roll_to_working_day) and (unit != "working_days" or r.deadline_extend is not None)
    counts = bool(dl.start_day_counts)
    each = None
    if r.deadline_each is not None:
        src, where = r.deadline_each
        each = ItemSpec(src.fast, src.text, where.fast if where is not None else None, dl.each.key)  # type: ignore[union-attr]
    return DeadlineSpec(r, r.condition.fast if r.condition is not None else None, r.deadline_start.fast,
                        r.deadline_extend.fast if r.deadline_extend is not None else None, length, unit,
                        timecalc.add_period if dl.direction == "after" else timecalc.subtract_period, roll,
                        r.deadline_done.fast if r.deadline_done is not None else None,
                        r.deadline_extend is None and not roll and not counts, counts, unit == "hours", each,
                        r.deadline_on.fast if r.deadline_on is not None else None,
                        r.deadline_opens.fast if r.deadline_opens is not None else None,
                        r.deadline_checks.fast if r.deadline_checks is not None else None)


class Counted(NamedTuple):
    """A counted last day: ``due`` is None when it cannot be known (``missing`` says why, or it
    lies outside 0001..9999 and ``est`` records that)."""

    due: date | None
    estimated: bool = False
    rolled_from: date | None = None
    extra: int = 0
    missing: tuple[str, ...] = ()


_NO_DAY = Counted(None)
_make = tuple.__new__  # a NamedTuple built without its Python-level __new__: this runs per deadline


@lru_cache(maxsize=65536)
def _rolled(d: date, calendar: timecalc.WorkdayCalendar) -> timecalc.ComputedDate:
    """``roll_to_working_day``, cached: calendars are immutable, and a batch asks for the same
    days again and again (raises ``DateOutOfRange``, never cached, past 9999-12-31)."""
    return timecalc.roll_to_working_day(d, calendar)


def count_last_day(spec: DeadlineSpec, start: date, case: Any, today: date, est: set[int],
                   calendar: timecalc.WorkdayCalendar) -> Counted:
    """The limit's last day counted from ``start``: the period (art. 201-202), then the days not
    counted (``extend_days``), then art. 203's roll when the limit rolls. Years a working-day
    count estimated, and days off the calendar, go into ``est`` for the decision's warnings."""
    if spec.start_counts:  # the start day is day 1: count as from the day before it (after it, counting back)
        first = timecalc.shift_days(start, -1 if spec.shift is timecalc.add_period else 1)
        if first is None:
            est.add(timecalc.BEFORE_CALENDAR if spec.shift is timecalc.add_period else timecalc.AFTER_CALENDAR)
            return _NO_DAY
        start = first
    try:
        computed = spec.shift(start, spec.length, spec.unit, calendar)
    except timecalc.DateOutOfRange as exc:  # the last day lies outside 0001..9999: unknown, and said why
        est.add(exc.year)
        return _NO_DAY
    due: date | None = computed.value
    estimated = computed.estimated
    if estimated:
        est.update(computed.uncovered_years)
    extra: Any = 0
    if spec.extend is not None:
        extra = spec.extend(case, today, est)
        if extra is None:  # the period's extension is unknown, so its end is too
            r = spec.rule
            _, slots = r.deadline_extend.run_traced(case, today, set())  # type: ignore[union-attr]
            return Counted(None, estimated, None, 0,
                           tuple(sorted(missing_facts(r.deadline_extend, slots))))  # type: ignore[arg-type]
        if extra:
            due = timecalc.shift_days(due, int(extra))  # type: ignore[arg-type]
            if due is None:
                est.add(timecalc.AFTER_CALENDAR if extra > 0 else timecalc.BEFORE_CALENDAR)
                return Counted(None, estimated, None, int(extra))
    rolled_from = None
    if spec.roll:
        try:
            rolled = _rolled(due, calendar)  # type: ignore[arg-type]
            if rolled.estimated and timecalc.bounded():  # the cache holds the estimate, not a bound
                rolled = timecalc.roll_to_working_day(due, calendar)  # type: ignore[arg-type]
        except timecalc.DateOutOfRange as exc:
            est.add(exc.year)
            return Counted(None, estimated, None, int(extra))
        if rolled.value != due:
            rolled_from, due = due, rolled.value
        if rolled.estimated:
            estimated = True
            est.update(rolled.uncovered_years)
    return _make(Counted, (due, estimated, rolled_from, int(extra), ()))


def count_moment(spec: DeadlineSpec, start: datetime) -> datetime | None:
    """The end of a period in hours: the start's time plus the hours (民法典 art. 201 para. 2: a
    period in hours runs from the stated time, not from the next day); before it, for a limit
    counted back. None past the calendar's ends."""
    try:
        return start + timedelta(hours=spec.length if spec.shift is timecalc.add_period else -spec.length)
    except OverflowError:
        return None


def moment_status(due_at: datetime | None, done_at: datetime | None, today: date) -> str | None:
    """``deadline_status`` for a period in hours: met when the act's time is at or before the end,
    lapsed when after it (or not done by the end's day); the calendar's status on ``today``
    otherwise. An act dated after ``today`` has not happened yet."""
    if due_at is None:
        return None
    if done_at is not None and done_at.date() <= today:
        return "met" if done_at <= due_at else "lapsed"
    return deadline_status(due_at.date(), None, today)


def deadline_status(due: date | None, done_on: date | None, today: date) -> str | None:
    """``pending``, ``last_day_today``, ``lapsed`` or ``met`` on ``today``; None without a last day.

    An act done on or before the last day meets the limit; one done after it lapsed it (done
    late); one dated after ``today`` has not happened yet, so the status is the calendar's."""
    if due is None:
        return None
    if done_on is not None and done_on <= today:
        return "met" if done_on <= due else "lapsed"
    if today < due:
        return "pending"
    if today == due:
        return "last_day_today"
    return "lapsed"


class LimitRef:
    """A time_limit rule as conditions see it (``due(...)``, ``status(...)``), bound when its pack
    is built. Compiled conditions hold it as a constant, so nothing is looked up by name when
    they run."""

    __slots__ = ("rule_id", "calendar", "_signature", "rule", "_spec", "per_item", "hours", "named_day")

    def __init__(self, rule_id: str, calendar: timecalc.WorkdayCalendar,
                 signature: Callable[[], tuple | None] | None = None, per_item: bool = False,
                 hours: bool = False, named_day: bool = False) -> None:
        """``signature`` computes, when first asked, everything the limit's count depends on (its
        definition, the values of the parameters it reads, the calendar), so that conditions
        naming two limits with the same signature can share one compiled form; None when they
        must not be shared."""
        self.rule_id = rule_id
        self.calendar = calendar
        self._signature: Any = signature
        self.rule: "ResolvedRule | None" = None  # set once the rule is built (resolving.resolve_chain)
        self._spec: DeadlineSpec | None = None
        self.per_item = per_item  # one deadline per item: conditions name the item's start, due(x, d)
        self.hours = hours  # a period in hours: its end is a moment, not a day conditions compare
        self.named_day = named_day  # `on:` a calendar day the text names, not a period counted from a start

    def __repr__(self) -> str:
        return f"LimitRef({self.rule_id})"

    @property
    def signature(self) -> tuple | None:
        sig = self._signature
        if callable(sig):
            sig = self._signature = sig()
        return sig

    @property
    def spec(self) -> DeadlineSpec:
        """The limit's spec, built on first use: it compiles the limit's expressions, which a
        load that never evaluates them should not pay for."""
        spec = self._spec
        if spec is None:
            spec = self._spec = deadline_spec(self.rule)  # type: ignore[arg-type]
        return spec

    def _applies(self, c: Any, today: date, est: set[int]) -> bool | None:
        spec = self.spec
        return True if spec.applies is None else spec.applies(c, today, est)  # type: ignore[union-attr]

    def due(self, c: Any, today: date, est: set[int]) -> date | None:
        """The last day the deadline shows; unknown when the limit does not apply (or may not)."""
        if self._applies(c, today, est) is not True:
            return None
        start = self.spec.start(c, today, est)  # type: ignore[union-attr]
        if start is None:
            return None
        return count_last_day(self.spec, start, c, today, est, self.calendar).due  # type: ignore[arg-type]

    def due_from(self, start: date, c: Any, today: date, est: set[int]) -> date | None:
        """The same limit counted from ``start`` (an event of the condition's own, e.g. one
        suspension): its length, direction, extension and roll; its applies_when is not asked."""
        return count_last_day(self.spec, start, c, today, est, self.calendar).due  # type: ignore[arg-type]

    def status(self, c: Any, today: date, est: set[int]) -> str | None:
        """``deadline_status`` of the deadline, ``not_applicable`` when the limit does not apply,
        unknown when that or its last day is unknown."""
        applies = self._applies(c, today, est)
        if applies is False:
            return NOT_APPLICABLE
        if applies is None:
            return None
        due = self.due(c, today, est)
        done = self.spec.done(c, today, est) if self.spec.done is not None else None  # type: ignore[union-attr]
        return deadline_status(due, done, today)

    def missing(self, c: Any, today: date, own_start: bool = True) -> tuple[str, ...]:
        """The facts that would settle an unknown ``due``/``status`` (for explanations)."""
        spec = self.spec
        r = spec.rule  # type: ignore[union-attr]
        exprs: list["CompiledExpr"] = []
        if own_start:
            if r.condition is not None:
                exprs.append(r.condition)
            exprs.append(r.deadline_start)  # type: ignore[arg-type]
        if r.deadline_extend is not None:
            exprs.append(r.deadline_extend)
        found: set[str] = set()
        for e in exprs:
            value, slots = e.run_traced(c, today, set())
            if value is None:
                found |= missing_facts(e, slots)
        return tuple(sorted(found))
