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
import os
from datetime import date
from typing import TYPE_CHECKING, Any, Mapping

from .. import time as timecalc
from ..facts.cases import read_case
from ..facts.plain import is_case
from ..packs.plans import QUESTIONS, Plan, decide_outcome
from .deadlines import calendar_check, deadline_result, other_deadlines
from .decision import Decision, DecisionWarning, DeadlineResult, MeasureResult
from ..errors import EvaluationError
from ..packs.resolved import ResolvedPack
from ..conditions.trace import missing_facts

if TYPE_CHECKING:  # a case is read without pydantic when it can be (facts.plain)
    from ..facts.models import Case

MANDATORY = frozenset({"shall", "shall_not", "effect"})  # modalities that bind the agency


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
        ordered = sorted(ms, key=lambda m: (m.tier, m.rule_id))
        ranges = "; ".join(f"tier {m.tier} {m.rule_id}: " + _range(m) for m in ordered)
        ranges_zh = "；".join(f"第{m.tier}档 {m.rule_id}：" + _range(m, "zh") for m in ordered)
        top = max(m.tier for m in ms)  # type: ignore[type-var]
        out.append(DecisionWarning("amounts-combined", (
            f"{fact} = {base:g} is the base of {measure_id} under more than one tier ({ranges}). The amounts are "
            f"not added: where one act caused the whole amount, the highest tier's range applies (tier {top}); "
            "where acts of different tiers caused parts of it, give each tier's part in conduct.itemised_amounts "
            "so that each tier's amount rests on its own part."), (
            f"{fact} = {base:g} 在多个档次下都是 {measure_id} 的计算基数（{ranges_zh}）。各档金额不相加："
            f"同一行为造成全部金额的，适用最高档（第{top}档）的幅度；不同档次的行为各造成一部分的，请在 "
            "conduct.itemised_amounts 中分别填写各档的部分，使各档金额以其自身部分为基数。")))
    return tuple(out)


def _range(m: MeasureResult, lang: str = "en") -> str:
    lo = "" if m.min_amount is None else f"{m.min_amount:g}–"
    hi = "" if m.max_amount is None else f"{m.max_amount:g}"
    cap = "（原则上）" if m.in_principle and m.max_amount is not None else ""
    return (lo + hi + cap) or ("无幅度" if lang == "zh" else "no range")


def _warnings(pack: ResolvedPack, today: date) -> tuple[DecisionWarning, ...]:
    """Draft / not yet in force / expired warnings for ``today``, cached on the pack itself."""
    cache = pack.warning_cache
    hit = cache.get(today)
    if hit is None:
        hit = tuple(DecisionWarning(c, en, zh) for c, en, zh in pack.status_warnings(today))
        if len(cache) > 4096:
            cache.clear()
        cache[today] = hit
    return hit


def _as_pack(pack: Any) -> ResolvedPack:
    """A pack given by id or folder, loaded; an ``EvaluationError`` for anything else."""
    if isinstance(pack, ResolvedPack):
        return pack
    if isinstance(pack, (str, os.PathLike)):
        from ..packs.loader import load_pack
        return load_pack(pack)
    raise EvaluationError(f"pack must be a loaded pack (dingdian_rules.load_pack(...)), a pack id or a folder, "
                          f"not {type(pack).__name__}")


def _as_day(value: Any) -> date:
    """``as_of`` given as ``YYYY-MM-DD`` text, read; an ``EvaluationError`` for anything else (a
    date-time included: a decision is made as of a day)."""
    from ..facts.written import parse_iso_date
    if isinstance(value, str):
        try:
            return parse_iso_date(value)
        except ValueError:
            pass
    raise EvaluationError(f"as_of must be a day (datetime.date or 'YYYY-MM-DD'), not {value!r}")


def evaluate(pack: ResolvedPack | str, case: Case | Mapping[str, Any], question: str, *,
             as_of: date | str | None = None, trace: bool = True) -> Decision:
    """Answer ``question`` about ``case`` under ``pack`` on ``as_of`` (default: today).

    ``trace=False`` skips recording node values; explanations of unknown rules are then rebuilt
    on demand. Raises ``EvaluationError`` for an unknown question and ``CaseError`` for bad data.
    ``pack`` may also be a pack id or folder (loaded once per process), as ``evaluate_frame`` takes it.
    """
    if type(pack) is not ResolvedPack:
        pack = _as_pack(pack)
    plan = pack.plans.get(question)  # type: ignore[union-attr]
    if plan is None:
        raise EvaluationError(f"unknown question '{question}'; ask one of: {', '.join(QUESTIONS)}")
    if not is_case(case):
        case = read_case(case)
    today = as_of or date.today()
    if type(today) is not date:
        today = _as_day(today)
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
    outcome = decide_outcome(plan, statuses)
    deadlines = tuple([d for d in [deadline_result(pack, spec, case, today, est) for spec in plan.deadline_specs]
                       if d is not None])
    other = plan._specs[1]  # built by deadline_specs just above
    warnings = _warnings(pack, today)
    if other:  # per-item limits, periods in hours, named days (none in most questions)
        differs: list[DecisionWarning] = []
        deadlines += tuple(other_deadlines(pack, other, case, today, est, differs))
        if differs:
            warnings = warnings + tuple(differs)
    if est:
        warnings = warnings + _count_warnings(est)
        if outcome != "undetermined" and any(timecalc.BEFORE_CALENDAR < y < timecalc.AFTER_CALENDAR for y in est):
            uncertain = calendar_check(plan, case, today, outcome)
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
            "arrangement to the pack or caller",
            f"{'、'.join(map(str, years))}年尚无公布的放假安排：其法定节假日（《全国年节及纪念日放假办法》第二条）按休息日计算，"
            "其他周一至周五按工作日、周末按休息日计算，但调休（调休上班日和调休放假日）为估算；请在规则包中或调用时提供该年的放假安排"))
    ends = [text for year, text in ((timecalc.BEFORE_CALENDAR, ("before 0001-01-01", "早于 0001-01-01")),
                                    (timecalc.AFTER_CALENDAR, ("after 9999-12-31", "晚于 9999-12-31"))) if year in est]
    if ends:
        out.append(DecisionWarning(
            "date-out-of-range", f"a period counted from a date in the case ends {' or '.join(e for e, _ in ends)}, "
            "outside the calendar: that day is unknown, so the conditions and deadlines that need it are undetermined",
            f"自案例中某一日期计算的期间届满于{'或'.join(z for _, z in ends)}，超出历法范围：该日未知，"
            "需要该日的条件和期限因此无法确定"))
    return tuple(out)


def evaluate_all(pack: ResolvedPack | str, case: Case | Mapping[str, Any], *, as_of: date | None = None,
                 trace: bool = True) -> dict[str, Decision]:
    """Ask every question whose facts the case gives (application, agreement, request, conduct) plus deadlines."""
    pack = _as_pack(pack)
    if not is_case(case):
        case = read_case(case)
    wanted = [q for q, section in (("application", case.application), ("agreement", case.agreement),
                                   ("request", case.request), ("conduct", case.conduct)) if section is not None]
    if not wanted and case.institution is not None:
        wanted = ["application"]
    wanted.append("deadlines")
    return {q: evaluate(pack, case, q, as_of=as_of, trace=trace) for q in wanted}
