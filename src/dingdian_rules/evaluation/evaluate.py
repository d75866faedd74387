"""Answer questions about a case under a resolved pack.

Each question has a *plan*, built once at load time: its candidate rules in order, grouped into
stages that are checked in turn (application: acceptance → materials → conditions; agreement:
termination → rescission → suspension). A stage with a definite firing rule decides the outcome,
but only if every earlier stage definitely passed: an unknown fact can never be outweighed by a
later definite answer that it might contradict. Rules of modality ``may`` never decide alone;
they are reported as options (measures the agency may take).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from .. import time as timecalc
from ..facts.cases import parse_case
from ..conditions.compile import fuse
from ..packs.limits import Counted, DeadlineSpec, count_last_day, count_moment, deadline_spec
from .decision import Decision, DecisionWarning, DeadlineResult, MeasureResult
from ..errors import EvaluationError
from ..facts.models import Case
from ..packs.resolved import ResolvedPack, ResolvedRule
from ..conditions.trace import missing_facts

MANDATORY = frozenset({"shall", "shall_not", "effect"})  # modalities that bind the agency
QUESTIONS = ("application", "agreement", "request", "conduct", "deadlines")


@dataclass(frozen=True)
class Stage:
    kinds: tuple[str, ...]
    outcome: str  # outcome when a deciding rule fires
    mandatory_outcome: str | None = None  # conduct: outcome when a shall rule fires
    may_decides: bool = False
    # (kind, outcome): when this stage decides and a rule of that kind fires, the outcome is that
    # outcome instead (佛山 art. 13: a non-acceptance ground found after acceptance ends the procedure)
    converts: tuple[str, str] | None = None


_AFTER_ACCEPTANCE = ("procedure_end", "procedure_ended")
STAGES: dict[str, tuple[tuple[Stage, ...], str]] = {
    "application": ((Stage(("waiver",), "designation_waived"),
                     Stage(("institution_type", "non_acceptance"), "not_accepted", converts=_AFTER_ACCEPTANCE),
                     Stage(("materials",), "materials_incomplete"),
                     Stage(("eligibility",), "conditions_not_met", converts=_AFTER_ACCEPTANCE)), "conditions_met"),
    "agreement": ((Stage(("termination",), "terminate"), Stage(("rescission",), "rescind"),
                   Stage(("suspension",), "suspend"), Stage(("suspended",), "suspended")), "continue"),
    "request": ((Stage(("request_limit",), "request_refused"), Stage(("late_notice",), "late_notice")),
                "request_allowed"),
    "conduct": ((Stage(("measures",), "measures_available", "measures_required", may_decides=True),), "no_measures"),
    "deadlines": ((), "computed"),
}


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything one question needs, laid out for a tight loop."""

    question: str
    rules: tuple[ResolvedRule, ...]
    stages: tuple[tuple[Stage, tuple[int, ...]], ...]  # stage and the indexes of its deciding rules
    default: str
    deadline_rules: tuple[ResolvedRule, ...]
    measure_rules: tuple[int, ...]
    overlaps: tuple[Any, ...] = ()  # load-time overlaps touching this plan's rules
    _fused: list = field(default_factory=list)  # [fn] once built: every rule's fast condition in one call
    _specs: list = field(default_factory=list)  # [tuple of DeadlineSpec] once built
    laid_out: tuple = ()  # stages with (index, fires_on, binding) per deciding rule, for _decide
    norm_rules: tuple[int, ...] = ()  # indexes of rules a recorded lower-norm difference bears on
    norm_deadlines: dict = field(default_factory=dict)  # id -> time limit a recorded lower-norm difference bears on
    # rules of a converting kind (Stage.converts): index -> the outcome they give when they apply
    converters: dict = field(default_factory=dict)
    warning_rules: tuple[int, ...] = ()  # rules carrying a `warning:` for the decisions they fire in

    @property
    def fns(self) -> tuple[Callable[..., Any], ...]:
        """Each rule's own fast function (compiled on first use)."""
        return tuple(r.condition.fast for r in self.rules)  # type: ignore[union-attr]

    @property
    def deadline_specs(self) -> "tuple[DeadlineSpec, ...]":
        """The limits with one last day each; per-item limits and periods in hours are in
        ``other_deadline_specs``, so a question without them pays one empty test for them."""
        if not self._specs:
            specs = tuple(deadline_spec(r) for r in self.deadline_rules)
            self._specs.append(tuple(s for s in specs if s.each is None and not s.hours and s.on is None))
            self._specs.append(tuple(s for s in specs if s.each is not None or s.hours or s.on is not None))
        return self._specs[0]

    @property
    def other_deadline_specs(self) -> "tuple[DeadlineSpec, ...]":
        self.deadline_specs
        return self._specs[1]

    @property
    def fused(self) -> Callable[..., tuple] | None:
        """Built on first use (untraced evaluation), and shared by plans with the same conditions."""
        if not self._fused:
            exprs = tuple(r.condition for r in self.rules)
            key = tuple(id(e) for e in exprs)
            hit = _FUSED.get(key)
            if hit is None or hit[0] != exprs:
                hit = (exprs, fuse(list(exprs), self.question) if exprs else None)
                _FUSED[key] = hit
            self._fused.append(hit[1])
        return self._fused[0]


_FUSED: dict[tuple[int, ...], tuple[tuple, Callable[..., tuple] | None]] = {}


def build_plans(pack: ResolvedPack) -> dict[str, Plan]:
    plans = {}
    for q in QUESTIONS:
        stages, default = STAGES[q]
        rules: list[ResolvedRule] = []
        laid: list[tuple[Stage, tuple[int, ...]]] = []
        for st in stages:
            idx = []
            for r in pack.rules:
                if r.kind in st.kinds and r.condition is not None:
                    idx.append(len(rules))
                    rules.append(r)
            laid.append((st, tuple(idx)))
        converting: dict[str, tuple[int, ...]] = {}
        for st in stages:
            if st.converts is not None and st.converts[0] not in converting:
                idx = []
                for r in pack.rules:
                    if r.kind == st.converts[0] and r.condition is not None:
                        idx.append(len(rules))
                        rules.append(r)
                converting[st.converts[0]] = tuple(idx)
        deciding = [(st, tuple(i for i in idx if st.may_decides or rules[i].modality != "may")) for st, idx in laid]
        deadlines = tuple(r for r in pack.rules
                          if r.kind == "time_limit" and r.deadline_start is not None and r.deadline_length is not None
                          and (q == "deadlines" or q in r.questions))
        measure_rules = tuple(i for i, r in enumerate(rules) if r.measures)
        ids = {r.id for r in rules}
        overlaps = tuple(o for o in pack.overlaps if o.first.id in ids or o.second.id in ids)  # type: ignore[attr-defined]
        laid_out = tuple((st, tuple((i, rules[i].fires_on, rules[i].modality != "may") for i in idx),
                          tuple((i, rules[i].fires_on) for i in converting.get(st.converts[0], ())
                                if rules[i].modality != "may")  # a may rule never decides, nor converts
                          if st.converts is not None else ())
                         for st, idx in deciding)
        converters = {i: st.converts[1] for st in stages if st.converts is not None
                      for i in converting[st.converts[0]]}
        warning_rules = tuple(i for i, r in enumerate(rules) if r.warning is not None)
        plans[q] = Plan(q, tuple(rules), tuple(deciding),
                        default, deadlines, measure_rules, overlaps, laid_out=laid_out, converters=converters,
                        norm_rules=tuple(i for i, r in enumerate(rules) if r.norm_differences),
                        norm_deadlines={r.id: r for r in deadlines if r.norm_differences},
                        warning_rules=warning_rules)
    return plans


def decide_outcome(plan: Plan, statuses: list[bool | None] | tuple) -> str:
    """The outcome of a question's plan from its rules' three-valued statuses (see module doc)."""
    return _decide(plan, statuses)


def _decide(plan: Plan, statuses: list[bool | None] | tuple) -> str:
    unknown_before = False
    for stage, idx, converting in plan.laid_out:
        fired = mandatory = unknown = unknown_mandatory = False
        for i, fires_on, binding in idx:
            s = statuses[i]
            if s is None:
                unknown = True
                if binding:
                    unknown_mandatory = True
            elif s is fires_on:
                fired = True
                if binding:
                    mandatory = True
        if fired:
            if unknown_before:
                return "undetermined"
            if stage.mandatory_outcome and mandatory:
                return stage.mandatory_outcome
            if stage.mandatory_outcome and unknown_mandatory:
                return "undetermined"  # an unknown shall-rule could make the measures mandatory
            if converting:
                statuses_c = [statuses[i] is fires_on if statuses[i] is not None else None for i, fires_on in converting]
                if True in statuses_c:
                    return stage.converts[1]  # type: ignore[index]
                if None in statuses_c:
                    return "undetermined"  # the ground may end the procedure instead
            return stage.outcome
        if unknown:
            unknown_before = True
    return "undetermined" if unknown_before else plan.default


_CALENDAR_NAMES: dict[tuple[int, str, int | None, int | None], str] = {}


def _calendar_name(pack: ResolvedPack, unit: str, due: date | None, start: date | None) -> str:
    """How a deadline was counted, e.g. ``working days (2025: chinesecalendar 1.11.0)``; cached per
    calendar, unit and years, since it is asked for every deadline of every decision."""
    key = (id(pack.calendar), unit, start.year if start else None, due.year if due else None)
    name = _CALENDAR_NAMES.get(key)
    if name is None:
        if unit == "hours":
            name = "hours from the start's time (Civil Code art. 201 para. 2)"
        elif unit == "date":
            name = "a calendar day the text names"
        elif unit != "working_days":
            name = "natural days" if unit == "days" else f"calendar {unit} (Civil Code arts. 201-202)"
        else:
            years = sorted({d.year for d in (start, due) if d})
            names = [f"{y}: {pack.calendar.source_of(y) or 'no notice: statutory holidays computed, 调休 estimated'}" for y in years]
            name = "working days (" + "; ".join(names) + ")"
        _CALENDAR_NAMES[key] = name
    return name


def _deadline(pack: ResolvedPack, spec: DeadlineSpec, case: Case, today: date, est: set[int]) -> DeadlineResult | None:
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
    return DeadlineResult(r.id, r.title, dl.start_event, start, spec.length, spec.unit, dl.direction, due,  # type: ignore[union-attr]
                          _calendar_name(pack, spec.unit, due, start), estimated, rolled_from,
                          extra, r.citation, r.modality, r.in_principle, missing, r.cited_as,
                          done_on, today, earliest, latest, spec.start_counts)


def _due_range(pack: ResolvedPack, spec: DeadlineSpec, start: date, case: Case,
               today: date) -> tuple[date | None, date | None]:
    """An estimated last day counted at both ends of the calendars still possible (holidays.py)."""
    ends = []
    for mode in ("earliest", "latest"):
        with timecalc.counting_at(mode):  # type: ignore[arg-type]
            ends.append(count_last_day(spec, start, case, today, set(), pack.calendar).due)
    return ends[0], ends[1]


def _calendar_check(plan: Plan, case: Case, today: date, outcome: str) -> DecisionWarning | None:
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
            other = _decide(plan, fused(case, today, set()))
        if other != outcome:
            found.append((mode, other))
            days.extend(bound.days)
    if not found:
        return None
    moved = "; ".join(f"{a.isoformat()} could be {b.isoformat()}" for a, b in dict.fromkeys(days))
    years = sorted({a.year for a, _ in days} | {b.year for _, b in days})
    with_ = ", ".join(f"with the {mode} possible days {other}" for mode, other in found)
    return DecisionWarning(
        "calendar-uncertain", f"the outcome depends on the 调休 of {', '.join(map(str, years))}, which no published "
        f"arrangement settles yet: counted with the statutory holidays only it is {outcome}, {with_} "
        f"(working-day counts: {moved or 'their ends move'}); supply the year's arrangement to decide")




def _other_deadlines(pack: ResolvedPack, specs: "tuple[DeadlineSpec, ...]", case: Case, today: date,
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
            out.append(DeadlineResult(r.id, r.title, r.deadline.start_event, None, spec.length, spec.unit,  # type: ignore[union-attr]
                                      r.deadline.direction, None, _calendar_name(pack, spec.unit, None, None),  # type: ignore[union-attr]
                                      False, None, 0, r.citation, r.modality, r.in_principle, (each.path,),
                                      r.cited_as, None, today, None, None, spec.start_counts))
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
                                            f"{r.id} gives {due.isoformat()} ({r.cited_as})"))
    dl = r.deadline
    return DeadlineResult(r.id, r.title, dl.start_event, start, spec.length, spec.unit, dl.direction, due,  # type: ignore[union-attr]
                          _calendar_name(pack, spec.unit, due, start), estimated, rolled_from,
                          extra, r.citation, r.modality, r.in_principle, missing, r.cited_as,
                          done, today, earliest, latest, spec.start_counts, label, start_at, due_at, done_at, opens)


def _share(base: float, rate: float) -> float | None:
    """``rate`` percent of ``base``, rounded to fen; None when it passes the largest float. (A
    base near 1.8e308 overflows ``base * rate`` although the share itself is finite.)"""
    x = base * rate / 100
    if not math.isfinite(x):
        x = base / 100 * rate
    return round(x, 2) if math.isfinite(x) else None


def _tier_base(case: Case, tier: int, field_name: str) -> tuple[bool, float | None, tuple[str, ...]]:
    """(itemised, base, missing) of a tiered amount from conduct.itemised_amounts: the sum of the
    tier's entries' ``field_name``; not itemised when the list is absent or has no entry for the tier."""
    conduct = case.conduct
    entries = [e for e in (conduct.itemised_amounts or ()) if e.tier == tier] if conduct is not None else []
    if not entries:
        return False, None, ()
    values = [getattr(e, field_name) for e in entries]
    if any(v is None for v in values):
        return True, None, (f"conduct.itemised_amounts[].{field_name}",)
    total = math.fsum(values)
    return True, (total if math.isfinite(total) else None), ()


def _measures(plan: Plan, statuses, case: Case, today: date) -> tuple[MeasureResult, ...]:
    out = []
    for i in plan.measure_rules:
        r = plan.rules[i]
        if statuses[i] is not r.fires_on:
            continue
        for m in r.measures:
            base = lo = hi = None
            missing: tuple[str, ...] = ()
            base_fact = None
            if m.amount_base is not None:
                itemised = False
                if m.per_tier is not None:
                    itemised, base, missing = _tier_base(case, r.tier, m.per_tier)  # type: ignore[arg-type]
                if itemised:
                    base_fact = f"conduct.itemised_amounts (tier {r.tier})"
                else:
                    base_fact = m.measure.amount.base.strip()  # type: ignore[union-attr]
                    base = m.amount_base.fast(case, today, set())
                    if base is not None and not math.isfinite(base):
                        base = None  # arithmetic past the largest float: no amount (JSON has no Infinity)
                    if base is None:
                        _, slots = m.amount_base.run_traced(case, today, set())
                        missing = tuple(sorted(missing_facts(m.amount_base, slots)))
                if base is not None:
                    lo = _share(base, m.min_rate) if m.min_rate is not None else None
                    hi = _share(base, m.max_rate) if m.max_rate is not None else None
            out.append(MeasureResult(r.id, m.measure.id, m.measure.title, r.modality in MANDATORY, r.tier, r.citation,
                                     base, lo, hi, m.min_duration, m.max_duration, missing, r.cited_as,
                                     m.in_principle, base_fact))
    return tuple(out)


def _amount_warnings(measures: tuple[MeasureResult, ...]) -> tuple[DecisionWarning, ...]:
    """One base amount (the same fact, not itemised) feeding the same amount measure under rules of
    different tiers: the decision says how the amounts combine, so the loss is not charged in full
    twice (issue 10 item 6, legal review C20)."""
    groups: dict[tuple[str, str, float], list[MeasureResult]] = {}
    for m in measures:
        if m.base_fact is not None and m.base_amount is not None and m.tier is not None \
                and not m.base_fact.startswith("conduct.itemised_amounts"):
            groups.setdefault((m.measure_id, m.base_fact, m.base_amount), []).append(m)
    out = []
    for (measure_id, fact, base), ms in groups.items():
        if len({m.tier for m in ms}) < 2:
            continue
        ranges = "; ".join(f"tier {m.tier} {m.rule_id}: " + _range(m) for m in sorted(ms, key=lambda m: (m.tier, m.rule_id)))
        top = max(m.tier for m in ms)  # type: ignore[type-var]
        out.append(DecisionWarning("amounts-combined", (
            f"{fact} = {base:g} is the base of {measure_id} under more than one tier ({ranges}). The amounts are "
            f"not added: where one act caused the whole amount, the highest tier's range applies (tier {top}); "
            "where acts of different tiers caused parts of it, give each tier's part in conduct.itemised_amounts "
            "so that each tier's amount rests on its own part.")))
    return tuple(out)


def _range(m: MeasureResult) -> str:
    lo = "" if m.min_amount is None else f"{m.min_amount:g}–"
    hi = "" if m.max_amount is None else f"{m.max_amount:g}"
    cap = "（原则上）" if m.in_principle and m.max_amount is not None else ""
    return (lo + hi + cap) or "no range"


def _warnings(pack: ResolvedPack, today: date) -> tuple[DecisionWarning, ...]:
    """Draft / not yet in force / expired warnings for ``today``, cached on the pack itself."""
    cache = pack.warning_cache
    hit = cache.get(today)
    if hit is None:
        hit = tuple(DecisionWarning(c, m) for c, m in pack.status_warnings(today))
        if len(cache) > 4096:
            cache.clear()
        cache[today] = hit
    return hit


def evaluate(pack: ResolvedPack, case: Case | Mapping[str, Any], question: str, *,
             as_of: date | None = None, trace: bool = True) -> Decision:
    """Answer ``question`` about ``case`` under ``pack`` on ``as_of`` (default: today).

    ``trace=False`` skips recording node values; explanations of unknown rules are then rebuilt
    on demand. Raises ``EvaluationError`` for an unknown question and ``CaseError`` for bad data.
    """
    plan = pack.plans.get(question)  # type: ignore[union-attr]
    if plan is None:
        raise EvaluationError(f"unknown question '{question}'; ask one of: {', '.join(QUESTIONS)}")
    if not isinstance(case, Case):
        case = parse_case(case)
    today = as_of or date.today()
    est: set[int] = set()
    slots = None
    if trace:
        runs = [r.condition.run_traced(case, today, est) for r in plan.rules]  # type: ignore[union-attr]
        statuses = tuple(v for v, _ in runs)
        slots = tuple(s for _, s in runs)
    else:
        fused = plan.fused
        statuses = fused(case, today, est) if fused is not None else ()
    return _finish(pack, plan, case, today, statuses, est, slots)


def decide_from_statuses(pack: ResolvedPack, question: str, case: Case, today: date,
                         statuses: tuple[bool | None, ...], est: set[int] | None = None,
                         slots: tuple[list[Any], ...] | None = None) -> Decision:
    """The steps after the conditions ran: outcome by stages, deadlines, measures, warnings.

    Public so that another engine (the durable_rules supervisor) that decides rule statuses its
    own way builds exactly the same ``Decision`` as ``evaluate``.
    """
    return _finish(pack, pack.plans[question], case, today, tuple(statuses), set(est or ()), slots)  # type: ignore[index]


def _finish(pack: ResolvedPack, plan: Plan, case: Case, today: date, statuses: tuple[bool | None, ...],
            est: set[int], slots: tuple[list[Any], ...] | None) -> Decision:
    outcome = _decide(plan, statuses)
    deadlines = tuple([d for d in [_deadline(pack, spec, case, today, est) for spec in plan.deadline_specs]
                       if d is not None])
    other = plan._specs[1]  # built by deadline_specs just above
    warnings = _warnings(pack, today)
    if other:  # per-item limits, periods in hours, named days (none in most questions)
        differs: list[DecisionWarning] = []
        deadlines += tuple(_other_deadlines(pack, other, case, today, est, differs))
        if differs:
            warnings = warnings + tuple(differs)
    if est:
        warnings = warnings + _count_warnings(est)
        if outcome != "undetermined" and any(timecalc.BEFORE_CALENDAR < y < timecalc.AFTER_CALENDAR for y in est):
            uncertain = _calendar_check(plan, case, today, outcome)
            if uncertain is not None:
                outcome = "undetermined"
                warnings = warnings + (uncertain,)
    measures = _measures(plan, statuses, case, today) if plan.measure_rules else ()
    if plan.norm_rules or plan.norm_deadlines:
        warnings = warnings + _norm_warnings(plan, statuses, deadlines, case, today)
    if plan.warning_rules:
        warnings = warnings + tuple(DecisionWarning(plan.rules[i].warning.code, plan.rules[i].warning.message)
                                    for i in plan.warning_rules if statuses[i] is plan.rules[i].fires_on)
    if len(measures) > 1:
        warnings = warnings + _amount_warnings(measures)
    return Decision(plan.question, outcome, today, pack.id, pack.chain, pack.fingerprint, case.case_id,
                    measures, deadlines, warnings, plan, case, statuses, slots)


def _norm_warnings(plan: Plan, statuses: tuple[bool | None, ...], deadlines: tuple[DeadlineResult, ...],
                   case: Case, today: date) -> tuple[DecisionWarning, ...]:
    """One ``lower-norm-difference`` warning per recorded difference that bears on a rule this
    decision touches: a rule that fired or is unknown (a not-fired one decided nothing), or a time
    limit whose deadline the decision gives, unless the record's ``when`` is false on the case; the
    message quotes both provisions in Chinese."""
    touched: dict[str, tuple[Any, list[str]]] = {}
    rules = [plan.rules[i] for i in plan.norm_rules if statuses[i] is None or statuses[i] is plan.rules[i].fires_on]
    if plan.norm_deadlines:  # looked up in the map built at load
        rules += [plan.norm_deadlines[d.rule_id] for d in deadlines if d.rule_id in plan.norm_deadlines]
    for r in rules:
        for nd in r.norm_differences:
            if nd.condition is not None and nd.condition.fast(case, today, set()) is False:
                continue
            touched.setdefault(nd.id, (nd, []))[1].append(r.id)
    return tuple(DecisionWarning("lower-norm-difference", nd.message_zh(tuple(ids))) for nd, ids in touched.values())


def _count_warnings(est: set[int]) -> tuple[DecisionWarning, ...]:
    """What the counts of a decision could not settle: estimated calendar years, and days that
    lie outside 0001-01-01..9999-12-31 (those dates are unknown, so what needs them is too)."""
    out = []
    years = sorted(y for y in est if timecalc.BEFORE_CALENDAR < y < timecalc.AFTER_CALENDAR)
    if years:
        out.append(DecisionWarning(
            "calendar-estimated", f"no published holiday arrangement for {', '.join(map(str, years))}: its statutory "
            "holidays (全国年节及纪念日放假办法 art. 2) are counted as days off, other weekdays as working days and "
            "weekends as rest days, but the 调休 (make-up and bridge days) are estimated; supply the year's "
            "arrangement to the pack or caller"))
    ends = [text for year, text in ((timecalc.BEFORE_CALENDAR, "before 0001-01-01"),
                                    (timecalc.AFTER_CALENDAR, "after 9999-12-31")) if year in est]
    if ends:
        out.append(DecisionWarning(
            "date-out-of-range", f"a period counted from a date in the case ends {' or '.join(ends)}, outside the "
            "calendar: that day is unknown, so the conditions and deadlines that need it are undetermined"))
    return tuple(out)


def evaluate_all(pack: ResolvedPack, case: Case | Mapping[str, Any], *, as_of: date | None = None,
                 trace: bool = True) -> dict[str, Decision]:
    """Ask every question whose facts the case gives (application, agreement, request, conduct) plus deadlines."""
    if not isinstance(case, Case):
        case = parse_case(case)
    wanted = [q for q, section in (("application", case.application), ("agreement", case.agreement),
                                   ("request", case.request), ("conduct", case.conduct)) if section is not None]
    if not wanted and case.institution is not None:
        wanted = ["application"]
    wanted.append("deadlines")
    return {q: evaluate(pack, case, q, as_of=as_of, trace=trace) for q in wanted}
