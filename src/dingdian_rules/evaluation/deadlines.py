"""The deadlines of a decision: each time limit counted for the case, with its status, the
calendar it was counted on, and the range of days an unpublished 调休 leaves possible."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..conditions.trace import missing_facts
from ..packs.limits import Counted, DeadlineSpec, count_last_day, count_moment
from ..packs.plans import Plan, decide_outcome
from ..packs.resolved import ResolvedPack
from .. import time as timecalc
from .decision import DecisionWarning, DeadlineResult

if TYPE_CHECKING:
    from ..facts.models import Case

_CALENDAR_NAMES: dict[tuple[int, str, int | None, int | None], tuple[str, str]] = {}
_UNIT_ZH = {"months": "月", "years": "年"}


def _calendar_name(pack: ResolvedPack, unit: str, due: date | None, start: date | None) -> tuple[str, str]:
    """How a deadline was counted, in English and Chinese, e.g. ``working days (2025: chinesecalendar
    1.11.0)`` and ``工作日（2025年：chinesecalendar 1.11.0）``; cached per calendar, unit and years,
    since it is asked for every deadline of every decision."""
    key = (id(pack.calendar), unit, start.year if start else None, due.year if due else None)
    name = _CALENDAR_NAMES.get(key)
    if name is None:
        if unit == "hours":
            name = ("hours from the start's time (Civil Code art. 201 para. 2)",
                    "自起算时刻起按小时计算（民法典第二百零一条第二款）")
        elif unit == "date":
            name = ("a calendar day the text names", "文本所定的日历日")
        elif unit != "working_days":
            name = (("natural days", "自然日") if unit == "days" else
                    (f"calendar {unit} (Civil Code arts. 201-202)",
                     f"按公历{_UNIT_ZH.get(unit, unit)}计算（民法典第二百零一条、第二百零二条）"))
        else:
            years = sorted({d.year for d in (start, due) if d})
            sources = [(y, pack.calendar.source_of(y)) for y in years]
            en = [f"{y}: {src or 'no notice: statutory holidays computed, 调休 estimated'}" for y, src in sources]
            zh = [f"{y}年：{src or '无放假通知，法定节假日按规定计算，调休为估算'}" for y, src in sources]
            name = ("working days (" + "; ".join(en) + ")", "工作日（" + "；".join(zh) + "）")
        _CALENDAR_NAMES[key] = name
    return name


def deadline_result(pack: ResolvedPack, spec: DeadlineSpec, case: Case, today: date, est: set[int]) -> DeadlineResult | None:
    if spec.applies is not None and spec.applies(case, today, est) is False:
        return None
    r = spec.rule
    start = spec.start(case, today, est)
    if start is None:
        _, slots = r.deadline_start.run_traced(case, today, set())  # type: ignore[union-attr]
        due, estimated, rolled_from, extra, missing = Counted(
            None, missing=tuple(sorted(missing_facts(r.deadline_start, slots))))  # type: ignore[arg-type]
    elif spec.plain:  # the period alone (count_last_day's first step), inline: most deadlines, every decision
        rolled_from, extra, missing = None, 0, ()
        try:
            computed = spec.shift(start, spec.length, spec.unit, pack.calendar)
        except timecalc.DateOutOfRange as exc:
            est.add(exc.year)
            due, estimated = None, False
        else:
            due, estimated = computed.value, computed.estimated
            if estimated:
                est.update(computed.uncovered_years)
    else:
        due, estimated, rolled_from, extra, missing = count_last_day(spec, start, case, today, est, pack.calendar)
    done_on = spec.done(case, today, est) if spec.done is not None else None
    dl = r.deadline
    earliest = latest = None
    if estimated and due is not None:  # only a count through a year without a notice pays this
        earliest, latest = _due_range(pack, spec, start, case, today)  # type: ignore[arg-type]
    en, zh = _calendar_name(pack, spec.unit, due, start)
    return DeadlineResult(r.id, r.title, dl.start_event, start, spec.length, spec.unit, dl.direction, due,  # type: ignore[union-attr]
                          en, estimated, rolled_from,
                          extra, r.citation, r.modality, r.in_principle, missing, r.cited_as,
                          done_on, today, earliest, latest, spec.start_counts, calendar_zh=zh)


def _due_range(pack: ResolvedPack, spec: DeadlineSpec, start: date, case: Case,
               today: date) -> tuple[date | None, date | None]:
    """An estimated last day counted at both ends of the calendars still possible (holidays.py)."""
    ends = []
    for mode in ("earliest", "latest"):
        with timecalc.counting_at(mode):  # type: ignore[arg-type]
            ends.append(count_last_day(spec, start, case, today, set(), pack.calendar).due)
    return ends[0], ends[1]


def calendar_check(plan: Plan, case: Case, today: date, outcome: str) -> DecisionWarning | None:
    """Whether the outcome would differ under another arrangement the notice of a year without
    one could still publish: the conditions run again with every working-day count at its earliest
    and at its latest possible day (only decisions whose counts touched such a year get here).
    The warning says which days the outcome turned on."""
    fused = plan.fused
    if fused is None:
        return None
    found: list[tuple[str, str]] = []
    days: list[tuple[date, date]] = []
    for mode in ("earliest", "latest"):
        with timecalc.counting_at(mode) as bound:  # type: ignore[arg-type]
            other = decide_outcome(plan, fused(case, today, set()))
        if other != outcome:
            found.append((mode, other))
            days.extend(bound.days)
    if not found:
        return None
    moved = "; ".join(f"{a.isoformat()} could be {b.isoformat()}" for a, b in dict.fromkeys(days))
    years = sorted({a.year for a, _ in days} | {b.year for _, b in days})
    with_ = ", ".join(f"with the {mode} possible days {other}" for mode, other in found)
    moved_zh = "；".join(f"{a.isoformat()} 可能为 {b.isoformat()}" for a, b in dict.fromkeys(days))
    with_zh = "，".join(f"按{'最早' if mode == 'earliest' else '最晚' if mode == 'latest' else mode}的可能日期则为 {other}"
                        for mode, other in found)
    return DecisionWarning(
        "calendar-uncertain", f"the outcome depends on the 调休 of {', '.join(map(str, years))}, which no published "
        f"arrangement settles yet: counted with the statutory holidays only it is {outcome}, {with_} "
        f"(working-day counts: {moved or 'their ends move'}); supply the year's arrangement to decide",
        f"结论取决于{'、'.join(map(str, years))}年的调休安排，而该安排尚未公布：仅按法定节假日计算，结论为 {outcome}，"
        f"{with_zh}（工作日计算：{moved_zh or '届满日会变动'}）；请提供该年的放假安排后再作决定")




def other_deadlines(pack: ResolvedPack, specs: "tuple[DeadlineSpec, ...]", case: Case, today: date,
                     est: set[int], warnings: list[DecisionWarning]) -> list[DeadlineResult]:
    """Deadlines per item of a list (one per matching item, with its index and identifying fact)
    and periods in hours (from a date-time, art. 201 para. 2)."""
    out: list[DeadlineResult] = []
    for spec in specs:
        if spec.applies is not None and spec.applies(case, today, est) is False:
            continue
        each = spec.each
        if each is None:
            out.append(_counted(pack, spec, case, today, est, None, None, warnings))
            continue
        items = each.source(case, today, est)
        if items is None:  # the list itself is unknown: one entry saying which fact would give it
            r = spec.rule
            en, zh = _calendar_name(pack, spec.unit, None, None)
            out.append(DeadlineResult(r.id, r.title, r.deadline.start_event, None, spec.length, spec.unit,  # type: ignore[union-attr]
                                      r.deadline.direction, None, en,  # type: ignore[union-attr]
                                      False, None, 0, r.citation, r.modality, r.in_principle, (each.path,),
                                      r.cited_as, None, today, None, None, spec.start_counts, calendar_zh=zh))
            continue
        for i, item in enumerate(items):
            if each.where is not None and each.where(case, today, est, item) is False:
                continue
            out.append(_counted(pack, spec, case, today, est, item, (each.path, i, each.key, getattr(item, each.key)),
                                warnings))
    return out


def _counted(pack: ResolvedPack, spec: DeadlineSpec, case: Case, today: date, est: set[int], item: Any,
             label: "tuple[str, int, str, Any] | None", warnings: list[DecisionWarning]) -> DeadlineResult:
    """One deadline of ``_other_deadlines``: of one item (``item``, labelled ``label``) or of the case."""
    r = spec.rule
    args = (case, today, est) if item is None and spec.each is None else (case, today, est, item)
    start = spec.start(*args)
    done = spec.done(*args) if spec.done is not None else None
    start_at = due_at = done_at = None
    rolled_from, extra, estimated, missing = None, 0, False, ()
    earliest = latest = None
    if start is None:
        _, slots = r.deadline_start.run_traced(case, today, set(), item)  # type: ignore[union-attr]
        missing = tuple(sorted(missing_facts(r.deadline_start, slots)))  # type: ignore[arg-type]
        due = None
    elif spec.on is not None:  # a calendar day the text names (`on:`), moved by art. 203 only if the limit rolls
        due = spec.on(*args)
        if due is None:
            _, slots = r.deadline_on.run_traced(case, today, set(), item)  # type: ignore[union-attr]
            missing = tuple(sorted(missing_facts(r.deadline_on, slots)))  # type: ignore[arg-type]
        elif spec.roll:
            try:
                rolled = timecalc.roll_to_working_day(due, pack.calendar)
            except timecalc.DateOutOfRange as exc:
                est.add(exc.year)
                due = None
            else:
                if rolled.value != due:
                    rolled_from, due = due, rolled.value
                if rolled.estimated:
                    estimated = True
                    est.update(rolled.uncovered_years)
    elif spec.hours:
        start_at, done_at = start, done
        due_at = count_moment(spec, start)
        start, done = start.date(), (done.date() if done is not None else None)
        due = due_at.date() if due_at is not None else None
        if due_at is None:
            est.add(timecalc.AFTER_CALENDAR)
    else:
        due, estimated, rolled_from, extra, missing = count_last_day(spec, start, case, today, est, pack.calendar)
        if estimated and due is not None:  # only a count through a year without a notice pays this
            earliest, latest = _due_range(pack, spec, start, case, today)
    if label is not None and spec.each is not None and spec.each.where is not None \
            and spec.each.where(case, today, est, item) is None:  # applies to this item only if a fact is so
        _, slots = r.deadline_each[1].run_traced(case, today, set(), item)  # type: ignore[index]
        missing = tuple(sorted(set(missing) | missing_facts(r.deadline_each[1], slots)))  # type: ignore[index]
    opens = spec.opens(*args) if spec.opens is not None else None
    if spec.checks is not None and due is not None:
        given = spec.checks(*args)
        if given is not None and given != due:
            warnings.append(DecisionWarning("deadline-differs", f"{r.deadline.checks} is {given.isoformat()}, but "  # type: ignore[union-attr]
                                            f"{r.id} gives {due.isoformat()} ({r.cited_as})",
                                            f"{r.deadline.checks} 为 {given.isoformat()}，但 {r.id} 计算的日期为 "  # type: ignore[union-attr]
                                            f"{due.isoformat()}（{r.cited_as}）"))
    dl = r.deadline
    calendar = _calendar_name(pack, spec.unit, due, start)
    return DeadlineResult(r.id, r.title, dl.start_event, start, spec.length, spec.unit, dl.direction, due,  # type: ignore[union-attr]
                          calendar[0], estimated, rolled_from,
                          extra, r.citation, r.modality, r.in_principle, missing, r.cited_as,
                          done, today, earliest, latest, spec.start_counts, label, start_at, due_at, done_at, opens,
                          calendar[1])
