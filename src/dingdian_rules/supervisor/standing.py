"""An institution's standing on a day, and the entries of its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluation.decision import Decision

STATES = ("not_started", "in_force", "suspended", "term_ended", "rescinded", "terminated")


@dataclass(frozen=True, slots=True)
class Due:
    """A decision that came due: its outcome or its fired rules changed on ``on``.

    ``cause`` is ``"event:<type>"`` when an event changed the facts and ``"time"`` when a
    period ran out (``advance``). ``previous_outcome`` is None for the first decision of a
    question (or of a newly filed request).
    """

    institution_id: str
    on: date
    question: str
    decision: "Decision"
    previous_outcome: str | None
    newly_fired: tuple[str, ...]
    cause: str

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    def to_dict(self) -> dict[str, Any]:
        try:
            missing = list(self.decision.missing_facts)
        except OverflowError:  # rebuilt by the evaluator's date arithmetic, which can leave years 1-9999
            missing = []
        return {"institution_id": self.institution_id, "on": self.on.isoformat(), "question": self.question,
                "outcome": self.decision.outcome, "previous_outcome": self.previous_outcome,
                "fired": list(self.decision.fired), "newly_fired": list(self.newly_fired), "cause": self.cause,
                "missing_facts": missing}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of an institution's timeline: an accepted event, an ignored duplicate, or a due decision."""

    on: date
    kind: str  # event | duplicate | due
    event: Any = None
    due: Due | None = None

    def describe(self) -> str:
        if self.kind == "due" and self.due is not None:
            d = self.due
            fired = f" [{', '.join(d.newly_fired)}]" if d.newly_fired else ""
            prev = f"{d.previous_outcome} -> " if d.previous_outcome else ""
            return f"{d.question}: {prev}{d.outcome}{fired} ({d.cause})"
        data = self.event.model_dump(mode="json", exclude={"institution_id", "on", "type"}, exclude_none=True)
        extra = ", ".join(f"{k}={v}" for k, v in data.items())
        text = self.event.type + (f" ({extra})" if extra else "")
        return text + (" — duplicate, ignored" if self.kind == "duplicate" else "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"on": self.on.isoformat(), "kind": self.kind}
        if self.event is not None:
            out["event"] = self.event.model_dump(mode="json", exclude_none=True)
        if self.due is not None:
            out["due"] = self.due.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an institution's agreement stands on ``as_of``.

    ``state``: not_started, in_force, suspended (a suspension is in progress), term_ended (past
    the term's last day with no decision yet), rescinded or terminated (a rule with that outcome
    came due; it stays so until a new term starts). ``since`` is the day the state began and
    ``rule_ids`` the rules behind it (for suspended: the suspension rules that fired, if any).
    ``outcome`` is the agreement decision on ``as_of``, with its ``missing_facts``.
    """

    institution_id: str
    as_of: date
    state: str
    since: date | None
    rule_ids: tuple[str, ...]
    outcome: str | None
    missing_facts: tuple[str, ...]
    term_start: date | None
    term_end: date | None

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"institution_id": self.institution_id, "as_of": self.as_of.isoformat(), "state": self.state,
                "since": iso(self.since), "rule_ids": list(self.rule_ids), "outcome": self.outcome,
                "missing_facts": list(self.missing_facts), "term_start": iso(self.term_start),
                "term_end": iso(self.term_end)}
