"""Question plans: each question's candidate rules laid out by stage once, when a pack is resolved.

A plan is part of the resolved pack (``ResolvedPack.plans``), built by the loader, so that
answering a question is a tight loop over precomputed indexes: which rules each stage decides
with, which convert an outcome, which carry warnings or lower-norm records, and the time limits
the question reports. The evaluator (``evaluation.evaluate``) reads plans; it never builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..conditions.compile import fuse
from .limits import DeadlineSpec, deadline_spec
from .resolved import ResolvedPack, ResolvedRule

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
    laid_out: tuple = ()  # stages with (index, fires_on, binding) per deciding rule, for decide_outcome
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
    """The outcome of a question's plan from its rules' three-valued statuses: a stage with a
    definite firing rule decides, but only if every earlier stage definitely passed."""
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
