"""Decisions: the immutable answer to a question, with everything needed to explain it.

A ``Decision`` is cheap to create (the evaluator stores the rule statuses and, when tracing, the
recorded node values); views such as ``rules``, ``missing_facts`` and the trace trees are built
from them on access. ``to_dict()`` gives the stable JSON form documented in docs/decision.md
(``schema_version`` bumps on any incompatible change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .resolved import ResolvedRule, format_citation
from .schema import Citation, Text
from .trace import TraceNode, build_trace, missing_facts

if TYPE_CHECKING:
    from .evaluate import Plan

SCHEMA_VERSION = 1
COMBINATION_RULES = {
    "application": "The outcome is the first stage (acceptance, materials, conditions) with a firing rule.",
    "agreement": "The outcome is the most severe: termination over rescission over suspension.",
    "request": "Any firing limit refuses the request.",
    "conduct": "Measures of every fired rule apply together; a shall or effect rule makes them mandatory.",
}


QUESTION_OF_KIND = {"institution_type": "application", "eligibility": "application", "materials": "application",
                    "non_acceptance": "application", "suspension": "agreement", "rescission": "agreement",
                    "termination": "agreement", "request_limit": "request", "measures": "conduct"}


STATUS_NAMES = {True: "fired", False: "not_fired", None: "unknown"}


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One candidate rule of a question: did it fire, why, and where the law says so."""

    rule: ResolvedRule
    status: str  # fired | not_fired | unknown | not_applicable
    missing: tuple[str, ...]
    trace: TraceNode | None

    @property
    def id(self) -> str:
        return self.rule.id

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        out: dict[str, Any] = {
            "id": r.id, "kind": r.kind, "status": self.status, "modality": r.modality,
            "in_principle": r.in_principle, "outcome": r.outcome,
            "title": {"zh": r.title.zh, "en": r.title.en},
            "citation": citation_dict(r.citation),
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


@dataclass(frozen=True, slots=True)
class MeasureResult:
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

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "measure_id": self.measure_id,
                "title": {"zh": self.title.zh, "en": self.title.en}, "mandatory": self.mandatory,
                "tier": self.tier, "citation": citation_dict(self.citation), "base_amount": self.base_amount,
                "min_amount": self.min_amount, "max_amount": self.max_amount,
                "min_duration": list(self.min_duration) if self.min_duration else None,
                "max_duration": list(self.max_duration) if self.max_duration else None,
                "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    """A computed date with everything needed to check it by hand."""

    rule_id: str
    title: Text
    start_event: Text
    start: date | None
    length: int
    unit: str
    direction: str
    due: date | None
    calendar: str
    estimated: bool
    rolled_from: date | None
    extra_days: int
    citation: Citation
    modality: str
    in_principle: bool
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": {"zh": self.title.zh, "en": self.title.en},
                "start_event": {"zh": self.start_event.zh, "en": self.start_event.en},
                "start": _iso(self.start), "length": self.length, "unit": self.unit, "direction": self.direction,
                "extra_days": self.extra_days, "due": _iso(self.due), "calendar": self.calendar,
                "estimated": self.estimated, "rolled_from": _iso(self.rolled_from),
                "citation": citation_dict(self.citation), "modality": self.modality,
                "in_principle": self.in_principle, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class DecisionWarning:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one question about one case under one resolved pack, on one date."""

    question: str
    outcome: str
    as_of: date
    pack_id: str
    pack_chain: tuple[str, ...]
    pack_fingerprint: str
    case_id: str | None
    measures: tuple[MeasureResult, ...]
    deadlines: tuple[DeadlineResult, ...]
    warnings: tuple[DecisionWarning, ...]
    _plan: "Plan"
    _case: Any
    _statuses: tuple[bool | None, ...]
    _slots: tuple[list[Any], ...] | None  # recorded node values per rule, when traced

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
        for i, (rule, status) in enumerate(zip(self._plan.rules, self._statuses)):
            fired = None if status is None else status is rule.fires_on
            name = STATUS_NAMES[fired]
            missing: tuple[str, ...] = ()
            if status is None:
                missing = tuple(sorted(missing_facts(rule.condition, self._rule_slots(i))))  # type: ignore[arg-type]
            trace = build_trace(rule.condition, self._slots[i]) if self._slots is not None else None  # type: ignore[arg-type]
            out.append(RuleResult(rule, name, missing, trace))
        return tuple(out)

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the rules that definitely fired."""
        return tuple(r.id for r, s in zip(self._plan.rules, self._statuses) if s is not None and s is r.fires_on)

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
        of other questions (overlaps found at load). Empty when at most one rule fired alone."""
        plan = self._plan
        fired = [r for r, s in zip(plan.rules, self._statuses) if s is not None and s is r.fires_on]
        notes: list[str] = []
        if len(fired) > 1:
            ids = ", ".join(f"{r.id} ({r.label})" for r in fired)
            rule = COMBINATION_RULES.get(self.question, "every fired rule is listed")
            notes.append(f"{len(fired)} rules fired: {ids}. {rule}")
            tiers = sorted({r.tier for r in fired if r.tier})
            if len(tiers) > 1:
                notes.append(f"tiers {', '.join(map(str, tiers))} fired; the highest is tier {tiers[-1]}, and the "
                             "measures of every fired tier are listed with their rule ids")
        fired_ids = {r.id for r in fired}
        in_plan = {r.id for r in plan.rules}
        elsewhere: dict[str, tuple[ResolvedRule, set[str], set[str]]] = {}
        for o in getattr(plan, "overlaps", ()):
            for this, other in ((o.first, o.second), (o.second, o.first)):
                if this.id in fired_ids and other.id not in in_plan:
                    entry = elsewhere.setdefault(other.id, (other, set(), set()))
                    entry[1].add(this.id)
                    entry[2].update(o.facts)
        for other, mine, facts in elsewhere.values():
            notes.append(f"{other.id} ({other.label}, question {QUESTION_OF_KIND.get(other.kind, '?')}) catches "
                         f"the same finding ({', '.join(sorted(facts))}) as {', '.join(sorted(mine))}: ask that "
                         "question too")
        return tuple(notes)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (see docs/decision.md and ``dingdian-rules schema``)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "question": self.question,
            "outcome": self.outcome,
            "as_of": self.as_of.isoformat(),
            "case_id": self.case_id,
            "pack": {"id": self.pack_id, "chain": list(self.pack_chain), "fingerprint": self.pack_fingerprint},
            "fired": list(self.fired),
            "missing_facts": list(self.missing_facts),
            "measures": [m.to_dict() for m in self.measures],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "warnings": [w.to_dict() for w in self.warnings],
            "combination": list(self.combination),
            "rules": [r.to_dict() for r in self.rules],
        }
