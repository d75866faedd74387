"""The supervisor: institutions' events in, decisions out as they come due.

Per institution, the supervisor keeps the incremental fold (``folding.InstitutionState``), the
fact it last sent to durable_rules, the rule statuses durable_rules reported, the history of
decisions and the next day on which a period may run out. ``post`` folds an event and
re-evaluates; ``advance`` visits, in date order, only the institutions with a period running
out by then. A ``Decision`` is built from the same plan, ``ResolvedRule`` objects and helpers as
``dingdian_rules.evaluate``, so it has the same shape, citations and (rebuilt) traces.

The durable_rules ruleset, and the JSON its facts are written in, are in ``engine``.

A ``Supervisor`` is not thread-safe; use each from one thread. See docs/supervision.md.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from .. import time as timecalc
from ..evaluation.decision import Decision, DecisionWarning
from ..evaluation.evaluate import decide_from_statuses
from ..packs.plans import decide_outcome
from .event_models import OPENING_EVENTS, EventError, EventOrderError, UnknownInstitutionError, parse_event
from ..facts.models import Case
from .folding import InstitutionState
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack
from .compiler import QUESTIONS, CompiledPack, compile_pack
from .engine import _Engine
from .standing import Due, Standing, TimelineEntry

__all__ = ["Supervisor", "Due", "TimelineEntry", "Standing", "build_decision"]

_QUIET_DEFAULT = {"agreement": "continue", "conduct": "no_measures"}
# Outcomes that are the agreement's own standing, not a decision to act on: moving between them is not due
# (a suspension that starts or ends is an event the caller posted; standing() reports the state).
_QUIET_STATES = {"agreement": frozenset({"continue", "suspended"})}
_STATE_KINDS = frozenset({"suspended"})  # rules stating that state: not what came due (the decision still lists them)
_DAY = timedelta(days=1)


def build_decision(pack: ResolvedPack, question: str, case: Case, today: date,
                   statuses: tuple[bool | None, ...], est: set[int] | None = None) -> Decision:
    """A ``Decision`` from rule statuses decided by durable_rules: the evaluator's own steps.

    If those steps run a date off the calendar (a deadline past 9999-12-31, a period back before
    year 1), the supervisor still answers: the outcome its rules decided, without deadlines and
    measures, and a ``date-out-of-range`` warning, instead of stopping on an ``OverflowError``."""
    try:
        return decide_from_statuses(pack, question, case, today, statuses, est)
    except OverflowError:
        plan = pack.plans[question]  # type: ignore[index]
        warning = DecisionWarning("date-out-of-range", "a deadline or measure of this decision falls outside the "
                                  "years 1-9999 and is left out; the outcome stands",
                                  "本决定的某一期限或处理措施超出公元1年至9999年的范围，已略去；结论不变")
        return Decision(question, decide_outcome(plan, statuses), today, pack.id, pack.chain,  # type: ignore[arg-type]
                        pack.fingerprint, case.case_id, (), (), (warning,), plan, case, tuple(statuses), None)


@dataclass(eq=False)
class _Inst:
    id: str
    state: InstitutionState
    events: list[Any] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    last_on: date | None = None
    fact: dict[str, Any] | None = None
    record: dict[str, Any] | None = None
    statuses: dict[str, tuple[bool | None, ...]] = field(default_factory=dict)
    keys: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[tuple[date, Decision]]] = field(default_factory=dict)
    next_check: date | None = None
    case: Case | None = None
    case_on: date | None = None


class Supervisor:
    """Supervise institutions under one pack: ``post`` events, ``advance`` time, read decisions.

    ``pack`` is a ``ResolvedPack``, a bundled pack id or a pack folder. Events for one
    institution must come in date order (``EventOrderError`` otherwise); ``advance(to)`` moves
    every institution's clock to ``to``. An event equal to one already posted for the same
    institution and day is ignored and recorded (``duplicates``, and the timeline). Use as a
    context manager, or call ``close()``, to free the durable_rules ruleset.
    """

    def __init__(self, pack: ResolvedPack | str | Path) -> None:
        self.pack: ResolvedPack = pack if isinstance(pack, ResolvedPack) else load_pack(pack)
        self.compiled: CompiledPack = compile_pack(self.pack)
        self._engine = _Engine(self.compiled)
        self._inst: dict[str, _Inst] = {}
        self._heap: list[tuple[date, int, str]] = []
        self._seq = itertools.count()
        self.clock: date | None = None  # the last day given to advance()
        self.duplicates: list[Any] = []
        self.closed = False
        self._undelivered: list[Due] = []  # dues put on a timeline but not yet returned by any call

    # --- lifecycle ------------------------------------------------------------------------
    @property
    def ruleset_name(self) -> str:
        return self._engine.name

    def close(self) -> None:
        """Free the durable_rules session (every fact) and delete the ruleset (idempotent)."""
        if self.closed:
            return
        for inst in self._inst.values():
            inst.fact = None
        self._engine.close()
        self.closed = True

    def __enter__(self) -> "Supervisor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _check_open(self) -> None:
        if self.closed:
            raise EventError("this supervisor is closed")

    # --- input ----------------------------------------------------------------------------
    @property
    def institutions(self) -> tuple[str, ...]:
        return tuple(self._inst)

    def clock_of(self, institution_id: str) -> date | None:
        """The institution's clock: its last event's day or the last ``advance``, whichever is later."""
        inst = self._get(institution_id)
        return _later(inst.last_on, self.clock)

    def post(self, event: Any) -> list[Due]:
        """Validate and apply one event; return the decisions that came due up to and on its day.

        Raises ``EventError`` for invalid data or an event impossible in the institution's state,
        ``UnknownInstitutionError`` for a non-opening event of an institution never opened, and
        ``EventOrderError`` for an event dated before the institution's clock. A refused event
        changes nothing: every check runs before any period is brought due, so the decisions
        due before its day come out of the next ``post`` or ``advance``.
        """
        self._check_open()
        self._post(event)
        return self._deliver()

    def _post(self, event: Any) -> None:
        ev = parse_event(event)
        inst = self._inst.get(ev.institution_id)
        new = inst is None
        if inst is None:
            if ev.type not in OPENING_EVENTS:
                raise UnknownInstitutionError(
                    f"{ev.institution_id}: {ev.type} on {ev.on}, but this institution has no term_started yet")
            inst = _Inst(ev.institution_id, InstitutionState(ev.institution_id))
        clock = _later(inst.last_on, self.clock)
        if clock is not None and ev.on < clock:
            why = "its last event" if inst.last_on == clock else "advance()"
            raise EventOrderError(f"{ev.institution_id}: {ev.type} on {ev.on} is before the institution's clock "
                                  f"{clock} ({why}); post each institution's events in date order")
        if not new and inst.last_on == ev.on and any(e == ev for e in _same_day(inst.events, ev.on)):
            self.duplicates.append(ev)
            inst.timeline.append(TimelineEntry(ev.on, "duplicate", ev))
            return
        inst.state.check(ev)  # may raise EventError: before anything is brought due or recorded
        if not new:
            self._catch_up(inst, ev.on)
        inst.state.apply(ev)
        if new:
            self._inst[ev.institution_id] = inst
        inst.events.append(ev)
        inst.last_on = ev.on
        inst.timeline.append(TimelineEntry(ev.on, "event", ev))
        self._evaluate(inst, ev.on, f"event:{ev.type}")

    def post_many(self, events: Iterable[Any]) -> list[Due]:
        """Post events in the order given (each institution's in date order). If one is refused,
        the error propagates; what came due before it is returned by the next call."""
        out: list[Due] = []
        for e in events:
            out += self.post(e)
        return out

    def _deliver(self) -> list[Due]:
        """Every due not yet returned, in the order they came due: this call's, after any that a
        call which raised had already put on a timeline. So no due is ever dropped."""
        out, self._undelivered = self._undelivered, []
        return out

    def advance(self, to: date) -> list[Due]:
        """Move every institution's clock to ``to``; return, in date order, the decisions that came
        due because a period ran out (a 180-day suspension, a term's end, a working-day limit…)."""
        self._check_open()
        if self.clock is not None and to < self.clock:
            raise EventOrderError(f"advance to {to} is before the supervisor's clock {self.clock}")
        while self._heap and self._heap[0][0] <= to:
            day, _, iid = entry = heapq.heappop(self._heap)
            inst = self._inst[iid]
            if inst.next_check != day:
                continue  # superseded by a later evaluation
            try:
                self._evaluate(inst, day, "time")
            except BaseException:
                heapq.heappush(self._heap, entry)  # looked at again by the next advance
                raise
        self.clock = to
        return self._deliver()

    # --- evaluation -----------------------------------------------------------------------
    def _catch_up(self, inst: _Inst, before: date) -> None:
        """Bring due what ran out on the days before ``before`` (``before - 1`` may not exist)."""
        while inst.next_check is not None and inst.next_check < before:
            self._evaluate(inst, inst.next_check, "time")

    def _evaluate(self, inst: _Inst, day: date, cause: str) -> list[Due]:
        cp = self.compiled
        case = inst.state.case(day)
        est: set[int] = set()
        record, critical = cp.derive(case, day, est)
        open_calendar = _calendar_open(est)
        if open_calendar:  # a count ran through a year without a notice: its range's ends matter too
            for mode in ("earliest", "latest"):
                with timecalc.counting_at(mode):  # type: ignore[arg-type]
                    critical |= cp.derive(case, day, set())[1]
        roll = inst.state.roll_date()
        if roll is not None:
            critical.add(roll)
        later = [c for c in critical if c > day]
        nxt = min(later) if later else None
        if nxt is not None and nxt != inst.next_check:
            heapq.heappush(self._heap, (nxt, next(self._seq), inst.id))
        inst.next_check = nxt
        if record != inst.record:
            inst.fact, hits = self._engine.replace(inst.id, inst.fact, record)
            inst.record = record
            inst.statuses = self._statuses(hits)
        inst.case, inst.case_on = case, day
        dues: list[Due] = []
        for q in QUESTIONS:
            if q == "request" and case.request is None:
                inst.keys.pop(q, None)
                continue
            statuses = inst.statuses[q]
            plan = self.pack.plans[q]  # type: ignore[index]
            outcome = decide_outcome(plan, statuses)  # type: ignore[arg-type]
            fired = tuple(r.id for r, s in zip(plan.rules, statuses) if s is not None and s is r.fires_on)  # type: ignore[attr-defined]
            key: Any = (outcome, fired)
            if q == "request":
                req = case.request
                key = key + ((req.kind, req.filed_on, req.effective_on),)  # type: ignore[union-attr]
            decision = None
            if open_calendar:  # the outcome may be undetermined by the calendar (calendar-uncertain)
                decision = build_decision(self.pack, q, case, day, statuses, est)
                outcome = decision.outcome
                key = (outcome,) + key[1:]
            prev = inst.keys.get(q)
            if key == prev:
                continue
            if decision is None:
                decision = build_decision(self.pack, q, case, day, statuses, est)
            inst.history.setdefault(q, []).append((day, decision))
            inst.keys[q] = key
            if prev is None and _QUIET_DEFAULT.get(q) == outcome and not fired:
                continue  # a quiet start: nothing is due
            prev_fired = set(prev[1]) if prev is not None and (q != "request" or prev[2] == key[2]) else set()
            newly = tuple(f for f in fired if f not in prev_fired and self.pack.rule(f).kind not in _STATE_KINDS)
            quiet = _QUIET_STATES.get(q, ())
            if outcome in quiet and (prev is None or prev[0] in quiet) and not newly:
                continue  # only the agreement's own state changed (in force <-> suspended), shown by standing()
            due = Due(inst.id, day, q, decision, prev[0] if prev is not None and (q != "request" or prev[2] == key[2])
                      else None, newly, cause)
            dues.append(due)
            inst.timeline.append(TimelineEntry(day, "due", due=due))
            self._undelivered.append(due)  # until a call returns it (see _deliver)
        return dues

    def _statuses(self, hits: list[tuple[int, str]]) -> dict[str, tuple[bool | None, ...]]:
        out: dict[str, list[bool | None]] = {}
        for q, crs in self.compiled.by_question.items():
            out[q] = [(r.rule.fires_on is False) for r in crs]  # definitely not firing by default
        for q in QUESTIONS:
            out.setdefault(q, [])
        rules = self.compiled.rules
        for index, kind in hits:
            cr = rules[index]
            out[cr.question][cr.plan_index] = None if kind == "unknown" else (cr.rule.fires_on is not False)
        return {q: tuple(v) for q, v in out.items()}

    # --- output ---------------------------------------------------------------------------
    def _get(self, institution_id: str) -> _Inst:
        inst = self._inst.get(institution_id)
        if inst is None:
            raise UnknownInstitutionError(f"no institution '{institution_id}' has been posted to this supervisor")
        return inst

    def decisions(self, institution_id: str) -> dict[str, Decision]:
        """The institution's decisions on its clock (agreement, conduct, and request when one was filed)."""
        self._check_open()
        inst = self._get(institution_id)
        day = _later(inst.last_on, self.clock)
        assert day is not None
        case = inst.case if inst.case_on == day else inst.state.case(day)
        out = {}
        for q in QUESTIONS:
            if q == "request" and case.request is None:
                continue
            out[q] = build_decision(self.pack, q, case, day, inst.statuses[q])
        return out

    def fired(self, institution_id: str) -> dict[str, tuple[str, ...]]:
        """Ids of the rules firing now, by question (a cheap view of ``decisions``)."""
        inst = self._get(institution_id)
        out = {}
        for q in QUESTIONS:
            plan = self.pack.plans[q]  # type: ignore[index]
            out[q] = tuple(r.id for r, s in zip(plan.rules, inst.statuses[q]) if s is not None and s is r.fires_on)  # type: ignore[attr-defined]
        return out

    def timeline(self, institution_id: str) -> tuple[TimelineEntry, ...]:
        """Accepted events, ignored duplicates and due decisions of one institution, in order."""
        return tuple(self._get(institution_id).timeline)

    def history(self, institution_id: str) -> tuple[Any, ...]:
        """The institution's accepted events, in the order applied."""
        return tuple(self._get(institution_id).events)

    def decision_on(self, institution_id: str, question: str, as_of: date) -> Decision | None:
        """The decision in force on ``as_of`` (the last one that came due on or before it)."""
        hist = self._get(institution_id).history.get(question, [])
        i = bisect.bisect_right([d for d, _ in hist], as_of)
        return hist[i - 1][1] if i else None

    def standing(self, institution_id: str, as_of: date | None = None) -> "Standing":
        """Where the institution's agreement stands on ``as_of`` (default: its clock)."""
        inst = self._get(institution_id)
        clock = _later(inst.last_on, self.clock)
        assert clock is not None
        day = as_of or clock
        if day > clock:
            raise EventOrderError(f"standing of {institution_id} asked for {day}, after its clock {clock}; "
                                  "advance() first")
        evs = [e for e in inst.events if e.on <= day]
        if not evs:
            return Standing(institution_id, day, "not_started", None, (), None, (), None, None)
        state = InstitutionState(institution_id)
        for e in evs:
            state.apply(e)
        state.roll(day)
        term_from = max(e.on for e in evs if e.type in OPENING_EVENTS)
        current = self.decision_on(institution_id, "agreement", day)
        outcome = current.outcome if current else None
        try:
            missing = current.missing_facts if current else ()
        except OverflowError:  # the evaluator's traced re-run met a date outside years 1-9999
            missing = ()
        for d, dec in inst.history.get("agreement", []):
            if term_from <= d <= day and dec.outcome in ("rescind", "terminate"):
                ids = tuple(r for r in dec.fired if self.pack.rule(r).outcome == dec.outcome)
                return Standing(institution_id, day, "rescinded" if dec.outcome == "rescind" else "terminated", d,
                                ids, outcome, missing, state.term_start, state.term_end)
        running = [s for s in state.suspensions if s.ended_on is None or s.ended_on >= day]
        if running:
            s = running[-1]
            at_start = self.decision_on(institution_id, "agreement", s.started_on)
            ids = tuple(r for r in (at_start.fired if at_start else ()) if self.pack.rule(r).kind == "suspension")
            return Standing(institution_id, day, "suspended", s.started_on, ids, outcome, missing,
                            state.term_start, state.term_end)
        if state.term_end is not None and day > state.term_end:
            return Standing(institution_id, day, "term_ended", state.term_end + _DAY, (), outcome, missing,
                            state.term_start, state.term_end)
        since = state.term_start
        ended = [s.ended_on for s in state.suspensions if s.ended_on is not None and s.ended_on < date.max]
        if ended and since is not None and max(ended) + _DAY > since:
            since = max(ended) + _DAY
        return Standing(institution_id, day, "in_force", since, (), outcome, missing, state.term_start, state.term_end)


def _later(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _same_day(events: list[Any], day: date):
    for e in reversed(events):
        if e.on != day:
            return
        yield e


def _calendar_open(est: set[int]) -> bool:
    """Whether a count of this evaluation ran through a year no arrangement covers."""
    return any(timecalc.BEFORE_CALENDAR < y < timecalc.AFTER_CALENDAR for y in est)
