"""Decisions: the immutable answer to a question, with everything needed to explain it.

A ``Decision`` is cheap to create (the evaluator stores the rule statuses and, when tracing, the
recorded node values); views such as ``rules``, ``missing_facts`` and the trace trees are built
from them on access. ``to_dict()`` gives the stable JSON form documented in docs/decision.md
(``schema_version`` bumps on any incompatible change).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ..packs.limits import deadline_status, moment_status
from ..packs.resolved import CitedProvision, ResolvedParameter, ResolvedRule, format_citation
from ..conditions.trace import TraceNode, build_trace, missing_facts
from .combination import COMBINATION_RULES, QUESTION_OF_KIND, combination_notes  # noqa: F401 (re-exported)
from .identity import format_id, input_digest, new_decision_id, record_dict

if TYPE_CHECKING:
    from ..packs.schema import Citation, Text
    from ..packs.plans import Plan

SCHEMA_VERSION = 6  # 2: nearest-first citations (cited_as, basis), cited items, parameters; 3: deadline status, done_on;
# 4: issues 9-10's outcomes, estimated ranges, per-item and hour deadlines, measure in_principle/base_fact; 5: record; 6: Chinese and English texts
# beside calendar, warnings' message and combination (calendar_text, text, combination_text)
STATUS_NAMES = {True: "fired", False: "not_fired", None: "unknown"}


class ItemResult(NamedTuple):
    """One item of a cited list (有下列情形之一的…) that held, or might hold, in a rule's condition."""

    list_id: str
    citation: Citation
    status: str  # held | unknown

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list_id, "status": self.status, "citation": citation_dict(self.citation)}


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One candidate rule of a question: did it fire, why, and where the law says so."""

    rule: ResolvedRule
    status: str  # fired | not_fired | unknown | not_applicable
    missing: tuple[str, ...]
    trace: TraceNode | None
    items: tuple[ItemResult, ...] = ()  # the cited items that held (or are unknown), when the rule lists items

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def cited_as(self) -> str:
        """The provisions an officer cites, nearest first, e.g. 苏医保规〔2023〕3号 第九条第（三）项（依据 国家医疗保障局令第2号
        第十二条第（三）项）, with the items that held when the rule decides on a list."""
        return self.rule.cited_as

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        out: dict[str, Any] = {
            "id": r.id, "kind": r.kind, "status": self.status, "modality": r.modality,
            "in_principle": r.in_principle, "outcome": r.outcome,
            "title": {"zh": r.title.zh, "en": r.title.en},
            "citation": citation_dict(r.citation),
            "cited_as": r.cited_as,
            "basis": [basis_dict(p) for p in r.basis],
            "items": [i.to_dict() for i in self.items],
            "parameters": [parameter_dict(p) for p in r.parameters],
            "provenance": [p.describe() for p in r.provenance],
            "condition": r.requires if r.fires_on is False else (r.when or r.applies_when),
            "fires_when": "false" if r.fires_on is False else "true",
            "missing": list(self.missing),
        }
        if r.note:
            out["note"] = r.note
        if self.trace is not None:
            out["trace"] = self.trace.to_dict()
        return out


def citation_dict(c: Citation) -> dict[str, Any]:
    return {"document": c.document, "article": c.article, "paragraph": c.paragraph, "item": c.item,
            "quote": c.quote, "label": format_citation(c)}


def basis_dict(p: CitedProvision) -> dict[str, Any]:
    return {"pack": p.pack, "role": p.role, "citation": citation_dict(p.citation),
            "also_cites": [citation_dict(c) for c in p.also_cites]}


def parameter_dict(p: ResolvedParameter) -> dict[str, Any]:
    return {"id": p.id, "title": {"zh": p.title.zh, "en": p.title.en},
            "value": list(p.value) if isinstance(p.value, tuple) else p.value, "unit": p.unit,
            "cited_as": p.cited_as, "citation": citation_dict(p.citation), "derivation": p.derivation,
            "basis": [basis_dict(b) for b in p.basis], "provenance": [s.describe() for s in p.provenance]}


class MeasureResult(NamedTuple):
    """A handling measure a fired rule orders (mandatory) or allows, with amounts and durations."""

    rule_id: str
    measure_id: str
    title: Text
    mandatory: bool
    tier: int | None
    citation: Citation
    base_amount: float | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    min_duration: tuple[int, str] | None = None
    max_duration: tuple[int, str] | None = None
    missing: tuple[str, ...] = ()  # facts needed to compute the amount
    cited_as: str = ""
    in_principle: bool = False  # the cap is 原则上不得超过: a cap in principle
    base_fact: str | None = None  # where the base came from: the amount's fact, or conduct.itemised_amounts (tier N)

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "measure_id": self.measure_id,
                "title": {"zh": self.title.zh, "en": self.title.en}, "mandatory": self.mandatory,
                "tier": self.tier, "citation": citation_dict(self.citation), "cited_as": self.cited_as,
                "base_amount": self.base_amount,
                "min_amount": self.min_amount, "max_amount": self.max_amount,
                "min_duration": list(self.min_duration) if self.min_duration else None,
                "max_duration": list(self.max_duration) if self.max_duration else None,
                "missing": list(self.missing), "in_principle": self.in_principle, "base_fact": self.base_fact}


class DeadlineResult(NamedTuple):
    """A computed date with everything needed to check it by hand."""

    rule_id: str
    title: Text
    start_event: Text
    start: date | None
    length: int
    unit: str
    direction: str
    due: date | None
    calendar: str  # how the period was counted, in English (JSON's ``calendar``); calendar_zh below
    estimated: bool
    rolled_from: date | None
    extra_days: int
    citation: Citation
    modality: str
    in_principle: bool
    missing: tuple[str, ...] = ()
    cited_as: str = ""
    done_on: date | None = None  # the day the act was done, when the limit names a done_on fact
    as_of: date | None = None  # the evaluation day the status is relative to
    # An estimated last day's range over the calendars a year's notice could still publish
    # (holidays.py); None when the last day is certain, or the range is unknown.
    earliest: date | None = None
    latest: date | None = None
    start_counted: bool = False  # the start day is day 1 (start_day_counts; art. 201 excludes it by default)
    item: "tuple[str, int, str, Any] | None" = None  # per-item limit: (list path, index, key field, its value)
    start_at: datetime | None = None  # a period in hours: the start's moment (start is its day)
    due_at: datetime | None = None  # … its end (due is its day)
    done_at: datetime | None = None  # … the moment the act was done (done_on is its day)
    opens_on: date | None = None  # the first day of a window that ends on ``due`` (`opens:`)
    calendar_zh: str = ""  # ``calendar`` in Chinese, what an analyst reads

    def calendar_text(self, lang: str = "zh") -> str:
        return (self.calendar_zh or self.calendar) if lang == "zh" else self.calendar

    @property
    def status(self) -> str | None:
        """``pending``, ``last_day_today``, ``lapsed`` or ``met`` on ``as_of``; None without a last
        day. Computed when asked, so a decision that never shows it pays nothing for it."""
        if self.as_of is None:
            return None
        if self.due_at is not None:
            return moment_status(self.due_at, self.done_at, self.as_of)
        return deadline_status(self.due, self.done_on, self.as_of)

    @property
    def key(self) -> str:
        """The rule id, with ``[index]`` for a per-item deadline (how scenarios name it)."""
        return self.rule_id if self.item is None else f"{self.rule_id}[{self.item[1]}]"

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": {"zh": self.title.zh, "en": self.title.en},
                "start_event": {"zh": self.start_event.zh, "en": self.start_event.en},
                "start": _iso(self.start), "length": self.length, "unit": self.unit, "direction": self.direction,
                "extra_days": self.extra_days, "due": _iso(self.due), "calendar": self.calendar,
                "calendar_text": {"zh": self.calendar_zh or self.calendar, "en": self.calendar},
                "estimated": self.estimated, "earliest": _iso(self.earliest), "latest": _iso(self.latest),
                "rolled_from": _iso(self.rolled_from),
                "status": self.status, "done_on": _iso(self.done_on), "start_counted": self.start_counted,
                "opens_on": _iso(self.opens_on), "start_at": _iso(self.start_at), "due_at": _iso(self.due_at), "done_at": _iso(self.done_at),
                "item": None if self.item is None else {"list": self.item[0], "index": self.item[1],
                                                        "key": self.item[2], "value": _plain(self.item[3])},
                "citation": citation_dict(self.citation), "cited_as": self.cited_as, "modality": self.modality,
                "in_principle": self.in_principle, "missing": list(self.missing)}


class DecisionWarning(NamedTuple):
    """A warning a decision carries: a stable code for machines and the message in both languages
    (``message`` is the English one JSON has always carried; ``message_zh`` what an analyst reads;
    a pack-authored message has one text, used for both)."""

    code: str
    message: str
    message_zh: str = ""

    def text(self, lang: str = "zh") -> str:
        return (self.message_zh or self.message) if lang == "zh" else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message,
                "text": {"zh": self.message_zh or self.message, "en": self.message}}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _plain(v: Any) -> Any:
    """An item's identifying value as JSON has it (a date or date-time as ISO text, an enum's value)."""
    if isinstance(v, date):
        return v.isoformat()
    return getattr(v, "value", v)


class Decision(tuple):
    """The answer to one question about one case under one resolved pack, on one date.

    Immutable (a tuple underneath, built in C: a decision is made per case in batch runs) with
    named read-only fields: question, outcome, as_of, pack_id, pack_chain, pack_fingerprint,
    case_id, measures, deadlines, warnings, decision_id. The rule statuses, the case and, when traced, the
    recorded node values are kept privately; ``rules``, ``missing_facts``, ``combination`` and
    the trace trees are built from them on access.
    """

    __slots__ = ()

    def __new__(cls, question: str, outcome: str, as_of: date, pack_id: str, pack_chain: tuple[str, ...],
                pack_fingerprint: str, case_id: str | None, measures: tuple[MeasureResult, ...],
                deadlines: tuple[DeadlineResult, ...], warnings: tuple[DecisionWarning, ...], plan: "Plan",
                case: Any, statuses: tuple[bool | None, ...], slots: tuple[list[Any], ...] | None,
                decision_id: int | None = None) -> "Decision":
        return tuple.__new__(cls, (question, outcome, as_of, pack_id, pack_chain, pack_fingerprint, case_id,
                                   measures, deadlines, warnings, plan, case, statuses, slots,
                                   new_decision_id() if decision_id is None else decision_id))

    question: str = property(itemgetter(0), doc="application, agreement, request, conduct or deadlines")  # type: ignore[assignment]
    outcome: str = property(itemgetter(1), doc="the answer (docs/questions.md)")  # type: ignore[assignment]
    as_of: date = property(itemgetter(2), doc="the evaluation date")  # type: ignore[assignment]
    pack_id: str = property(itemgetter(3))  # type: ignore[assignment]
    pack_chain: tuple[str, ...] = property(itemgetter(4), doc="pack ids, root first")  # type: ignore[assignment]
    pack_fingerprint: str = property(itemgetter(5))  # type: ignore[assignment]
    case_id: str | None = property(itemgetter(6))  # type: ignore[assignment]
    measures: tuple[MeasureResult, ...] = property(itemgetter(7))  # type: ignore[assignment]
    deadlines: tuple[DeadlineResult, ...] = property(itemgetter(8))  # type: ignore[assignment]
    warnings: tuple[DecisionWarning, ...] = property(itemgetter(9))  # type: ignore[assignment]
    _plan: "Plan" = property(itemgetter(10))  # type: ignore[assignment]
    _case: Any = property(itemgetter(11))
    _statuses: tuple[bool | None, ...] = property(itemgetter(12))  # type: ignore[assignment]
    _slots: tuple[list[Any], ...] | None = property(itemgetter(13))  # type: ignore[assignment]

    @property
    def decision_id(self) -> str:
        """Unique per decision: a UUIDv7, ordered by the time it was made (``evaluation.identity``)."""
        return format_id(self[14])

    @property
    def input_digest(self) -> str:
        """``sha256:`` of the canonical input: pack id and fingerprint, question, as_of, the case."""
        return input_digest(self.pack_id, self.pack_fingerprint, self.question, self.as_of, self._case)

    def __repr__(self) -> str:
        return (f"Decision(question={self.question!r}, outcome={self.outcome!r}, as_of={self.as_of!r}, "
                f"pack_id={self.pack_id!r}, fired={self.fired!r})")

    def __reduce__(self):  # pickling: rebuild through __new__
        return (Decision, tuple(self))

    @property
    def traced(self) -> bool:
        return self._slots is not None

    def _rule_slots(self, i: int) -> list[Any]:
        if self._slots is not None:
            return self._slots[i]
        rule = self._plan.rules[i]
        _, slots = rule.condition.run_traced(self._case, self.as_of, set())  # type: ignore[union-attr]
        return slots

    @property
    def rules(self) -> tuple[RuleResult, ...]:
        """Every candidate rule in evaluation order, fired or not (with traces when traced)."""
        out = []
        idle = self._idle_converters()
        for i, (rule, status) in enumerate(zip(self._plan.rules, self._statuses)):
            fired = None if status is None else status is rule.fires_on
            name = "not_applicable" if i in idle else STATUS_NAMES[fired]
            missing: tuple[str, ...] = ()
            if status is None:
                missing = tuple(sorted(missing_facts(rule.condition, self._rule_slots(i))))  # type: ignore[arg-type]
            trace = build_trace(rule.condition, self._slots[i]) if self._slots is not None else None  # type: ignore[arg-type]
            items = self._items(rule) if rule.item_lists and fired is not False else ()
            out.append(RuleResult(rule, name, missing, trace, items))
        return tuple(out)

    def _items(self, rule: ResolvedRule) -> tuple[ItemResult, ...]:
        """The listed items that hold (or may hold) on this case: what the decision cites item by item."""
        out = []
        for lst in rule.item_lists:
            for item in lst.items:
                value = item.condition.fast(self._case, self.as_of, set())  # type: ignore[union-attr]
                if value is not False:
                    out.append(ItemResult(lst.id, item.citation, "held" if value is True else "unknown"))
        return tuple(out)

    def _idle_converters(self) -> frozenset[int]:
        """Rules of a converting kind (e.g. 终结申请程序 after acceptance) that did not give this outcome:
        they state when a ground found ends the procedure, and apply only when a ground was found."""
        conv = getattr(self._plan, "converters", None)
        if not conv:
            return frozenset()
        return frozenset(i for i, outcome in conv.items() if outcome != self.outcome and self._statuses[i] is not None)

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the rules that definitely fired."""
        idle = self._idle_converters()
        return tuple(r.id for i, (r, s) in enumerate(zip(self._plan.rules, self._statuses))
                     if s is not None and s is r.fires_on and i not in idle)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Ids of the rules whose firing depends on facts not given."""
        return tuple(r.id for r, s in zip(self._plan.rules, self._statuses) if s is None)

    @property
    def missing_facts(self) -> tuple[str, ...]:
        """Facts that, if given, would settle the rules that are still unknown."""
        found: set[str] = set()
        for i, (rule, status) in enumerate(zip(self._plan.rules, self._statuses)):
            if status is None:
                found |= missing_facts(rule.condition, self._rule_slots(i))  # type: ignore[arg-type]
        return tuple(sorted(found))

    @property
    def combination(self) -> tuple[str, ...]:
        """How fired rules were combined into the outcome, and where one finding also fires rules
        of other questions (overlaps found at load), in English. Empty when at most one rule fired alone."""
        return tuple(en for _, en in self._combination())

    @property
    def combination_zh(self) -> tuple[str, ...]:
        """``combination`` in Chinese, note for note."""
        return tuple(zh for zh, _ in self._combination())

    def _combination(self) -> list[tuple[str, str]]:
        """The combination notes as (Chinese, English) pairs."""
        plan = self._plan
        idle = self._idle_converters()
        fired = [r for i, (r, s) in enumerate(zip(plan.rules, self._statuses))
                 if s is not None and s is r.fires_on and i not in idle]
        return combination_notes(self.question, plan, fired)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (see docs/decision.md and ``dingdian-rules schema``)."""
        notes = self._combination()
        return {
            "schema_version": SCHEMA_VERSION,
            "question": self.question,
            "outcome": self.outcome,
            "as_of": self.as_of.isoformat(),
            "case_id": self.case_id,
            "pack": {"id": self.pack_id, "chain": list(self.pack_chain), "fingerprint": self.pack_fingerprint},
            "record": record_dict(self[14], self.input_digest),
            "fired": list(self.fired),
            "missing_facts": list(self.missing_facts),
            "measures": [m.to_dict() for m in self.measures],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "warnings": [w.to_dict() for w in self.warnings],
            "combination": [en for _, en in notes],
            "combination_text": [{"zh": zh, "en": en} for zh, en in notes],
            "rules": [r.to_dict() for r in self.rules],
        }
