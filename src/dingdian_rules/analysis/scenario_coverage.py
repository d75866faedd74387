"""Rule coverage by scenarios (``test --coverage``): which rules of a pack the passing scenarios
have seen fire and seen not fire, as ``opa test --coverage`` reports untested policy lines.

A rule is **covered** when at least one passing scenario saw it fire and at least one passing
scenario saw it not fire (both sides of its condition were tested against the law's reading):

- a decision rule (every kind but ``time_limit``) fires when its status in the decision is
  ``fired`` and does not fire when it is ``not_fired`` or ``not_applicable``; ``unknown`` counts
  for neither side;
- a time limit fires when the decision computed its last day, and does not fire when the
  decision's question is one of the limit's questions and the decision holds no deadline of it
  (its ``applies_when`` was false, or no list item matched); a deadline whose start is unknown
  counts for neither side. A time limit with neither ``applies_when`` nor a per-item filter cannot
  not fire: it is covered once its last day has been computed.

Every rule of the resolved pack counts, inherited ones included; a rule that no scenario's
question has as a candidate counts as not covered (a scenario of that question would cover it).
Repealed rules are not rules of the pack and do not count. Failing and invalid scenarios add
nothing. The percentage is covered / counted × 100, shown rounded down to one decimal (so
99.96 % is not shown as 100 %); ``--min-coverage N`` compares the exact ratio with N, and a pack
with no rules is 100 % covered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from ..packs.resolved import ResolvedPack, ResolvedRule
from .scenarios import ScenarioResult

__all__ = ["PackCoverage", "RuleCoverage", "rule_coverage"]


@dataclass(frozen=True)
class RuleCoverage:
    """How many passing scenarios saw one rule fire and not fire."""

    rule_id: str
    kind: str
    fired: int
    not_fired: int
    one_sided: bool = False  # a time limit that cannot not fire

    @property
    def covered(self) -> bool:
        return self.fired > 0 and (self.not_fired > 0 or self.one_sided)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.rule_id, "kind": self.kind, "fired": self.fired,
                "not_fired": None if self.one_sided else self.not_fired, "covered": self.covered}


@dataclass(frozen=True)
class PackCoverage:
    """The rule coverage of one pack by the passing scenarios that ran."""

    pack: str
    rules: tuple[RuleCoverage, ...]
    scenarios: int  # the passing scenarios counted
    repealed: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return len(self.rules)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.rules)

    @property
    def percent(self) -> float:
        """Covered / counted × 100, rounded down to one decimal (100.0 for a pack without rules)."""
        if not self.rules:
            return 100.0
        return math.floor(self.covered * 1000 / self.total) / 10

    @property
    def never_fired(self) -> list[str]:
        return [r.rule_id for r in self.rules if r.fired == 0]

    @property
    def never_not_fired(self) -> list[str]:
        return [r.rule_id for r in self.rules if r.not_fired == 0 and not r.one_sided]

    def meets(self, minimum: float) -> bool:
        """Whether the exact ratio reaches ``minimum`` percent."""
        return self.covered * 100 >= minimum * self.total if self.rules else True

    def to_dict(self) -> dict[str, Any]:
        return {"rules": self.total, "covered": self.covered, "percent": self.percent,
                "scenarios_counted": self.scenarios, "never_fired": self.never_fired,
                "never_not_fired": self.never_not_fired, "repealed_not_counted": list(self.repealed),
                "by_rule": [r.to_dict() for r in self.rules]}


def _one_sided(rule: ResolvedRule) -> bool:
    return rule.kind == "time_limit" and rule.applies_when is None and rule.deadline_each is None


def rule_coverage(pack: ResolvedPack, results: Iterable[ScenarioResult]) -> PackCoverage:
    """Count, for every rule of ``pack``, the passing scenarios that saw it fire and not fire."""
    fired = {r.id: 0 for r in pack.rules}
    not_fired = dict(fired)
    limits = [r for r in pack.rules if r.kind == "time_limit"]
    counted = 0
    for result in results:
        decision = result.decision
        if not result.passed or decision is None:
            continue
        counted += 1
        for r in decision.rules:
            if r.id not in fired or r.rule.kind == "time_limit":
                continue
            if r.status == "fired":
                fired[r.id] += 1
            elif r.status in ("not_fired", "not_applicable"):
                not_fired[r.id] += 1
        present = {d.rule_id for d in decision.deadlines}
        counted_limits = {d.rule_id for d in decision.deadlines if d.due is not None}
        for limit in limits:
            if limit.id in counted_limits:
                fired[limit.id] += 1
            elif limit.id not in present and decision.question in limit.questions:
                not_fired[limit.id] += 1
    rules = tuple(RuleCoverage(r.id, r.kind, fired[r.id], not_fired[r.id], _one_sided(r)) for r in pack.rules)
    return PackCoverage(pack.id, rules, counted, tuple(r.id for r in pack.repealed))
