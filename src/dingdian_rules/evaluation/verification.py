"""Re-evaluate logged decisions with today's packs and say which would now differ, and why.

A logged decision *differs* when re-running its input (pack reference, question, as_of, case)
gives another outcome, other fired rules, other missing facts, deadlines, measures or warning
codes. Independently of that, the causes say what moved since it was made: the pack's content
(``pack-changed``), the holiday calendar's packages (``calendar-changed``), the engine
(``engine-changed``), or the logged input no longer hashes to the decision's input digest
(``input-mismatch``: the log line was edited). The pack fingerprint covers the calendar too, so
the pack's own change is found by recomputing the old fingerprint from today's content with the
old calendar versions (``packs.resolving.fingerprint_with``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..errors import DingdianError, Diagnostic, PackError
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack
from ..packs.resolving import fingerprint_with
from ..time import calendar_versions
from .decision import Decision
from .evaluate import evaluate
from .identity import ENGINE_VERSION, input_digest
from .records import LogEntry, read_log

__all__ = ["CAUSES", "Verdict", "verify_entry", "verify_log"]

CAUSES = ("pack-changed", "calendar-changed", "engine-changed", "input-mismatch")
COMPARED = ("outcome", "fired", "missing_facts", "deadlines", "measures", "warnings")


@dataclass(frozen=True)
class Verdict:
    """What re-running one logged decision gave. ``status`` is ``same``, ``differs`` or ``error``
    (the line is not a record, or its pack no longer loads: ``diagnostics`` say why)."""

    file: str
    line: int
    status: str
    decision_id: str | None = None
    question: str | None = None
    as_of: str | None = None
    causes: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()  # which of COMPARED differ
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    error: str | None = None  # for status error: line (not a record), pack (does not load), evaluation

    @property
    def now_fired(self) -> list[str]:
        """Rules that fire now and did not then."""
        return [r for r in self.new.get("fired", ()) if r not in self.old.get("fired", ())]

    @property
    def no_longer_fired(self) -> list[str]:
        return [r for r in self.old.get("fired", ()) if r not in self.new.get("fired", ())]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "status": self.status, "decision_id": self.decision_id,
                "question": self.question, "as_of": self.as_of, "causes": list(self.causes),
                "changes": list(self.changes), "now_fired": self.now_fired, "no_longer_fired": self.no_longer_fired,
                "old": self.old, "new": self.new, "error": self.error,
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


def _deadlines(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for x in d.get("deadlines") or ():
        item = x.get("item")
        key = x.get("rule_id", "?") + ("" if not item else f"[{item.get('index')}]")
        out[key] = x.get("due_at") or x.get("due")
    return out


def _measures(d: dict[str, Any]) -> list[list[Any]]:
    return sorted([[m.get("rule_id"), m.get("measure_id"), m.get("mandatory"), m.get("min_amount"),
                    m.get("max_amount"), m.get("min_duration"), m.get("max_duration")]
                   for m in d.get("measures") or ()], key=repr)


def summary_of(d: dict[str, Any]) -> dict[str, Any]:
    """What a verdict compares and shows of a decision's JSON."""
    record = d.get("record") or {}
    return {"outcome": d.get("outcome"), "fired": list(d.get("fired") or ()),
            "missing_facts": list(d.get("missing_facts") or ()), "deadlines": _deadlines(d),
            "measures": _measures(d), "warnings": sorted({w.get("code") for w in d.get("warnings") or ()}),
            "pack_fingerprint": (d.get("pack") or {}).get("fingerprint"),
            "engine_version": record.get("engine_version"), "calendar": record.get("calendar")}


def _compared(d: Decision) -> dict[str, Any]:
    """The parts of ``d.to_dict()`` a verdict compares, without building every rule's JSON."""
    return {"outcome": d.outcome, "fired": list(d.fired), "missing_facts": list(d.missing_facts),
            "deadlines": [x.to_dict() for x in d.deadlines], "measures": [m.to_dict() for m in d.measures],
            "warnings": [w.to_dict() for w in d.warnings], "pack": {"fingerprint": d.pack_fingerprint},
            "record": {"engine_version": ENGINE_VERSION, "calendar": calendar_versions()}}


def verify_entry(entry: LogEntry, pack: ResolvedPack) -> Verdict:
    """Re-run one logged decision under ``pack`` (today's, loaded by the entry's reference)."""
    old = entry.decision
    record = old.get("record") or {}
    new = evaluate(pack, entry.case, entry.question, as_of=entry.as_of, trace=False)
    before, after = summary_of(old), summary_of(_compared(new))
    causes = []
    old_calendar = record.get("calendar")
    if before["pack_fingerprint"] != after["pack_fingerprint"]:
        if not isinstance(old_calendar, dict) or \
                fingerprint_with(pack.content_fingerprint, old_calendar) != before["pack_fingerprint"]:
            causes.append("pack-changed")
    if old_calendar != calendar_versions():
        causes.append("calendar-changed")
    if record.get("engine_version") != ENGINE_VERSION:
        causes.append("engine-changed")
    pack_id = (old.get("pack") or {}).get("id", "")
    if isinstance(before["pack_fingerprint"], str) and record.get("input_digest") != input_digest(
            pack_id, before["pack_fingerprint"], entry.question, entry.as_of, entry.case):
        causes.append("input-mismatch")
    changes = tuple(k for k in COMPARED if before[k] != after[k])
    return Verdict(entry.file, entry.line, "differs" if changes else "same", record.get("decision_id"),
                   entry.question, entry.as_of.isoformat(), tuple(causes), changes, before, after)


def verify_log(path: str | os.PathLike[str], *,
               load: Callable[..., ResolvedPack] = load_pack) -> Iterator[Verdict]:
    """A verdict per line of the log, in order. Each pack reference is loaded once (with the
    arrangements the record names); a pack that no longer loads makes its records ``error``
    verdicts carrying its diagnostics, and a line that is not a record an ``error`` verdict
    carrying the located diagnostic."""
    packs: dict[Any, ResolvedPack | PackError] = {}
    for item in read_log(path):
        if isinstance(item, Diagnostic):
            loc = item.location
            yield Verdict(loc.file if loc else os.fspath(path), loc.line if loc else 0, "error", diagnostics=(item,), error="line")
            continue
        key = (item.pack_ref, item.holidays)
        if key not in packs:
            try:
                packs[key] = load(item.pack_ref, holidays=item.holidays)
            except PackError as exc:
                packs[key] = exc
        pack = packs[key]
        if isinstance(pack, PackError):
            yield Verdict(item.file, item.line, "error", item.decision.get("record", {}).get("decision_id"),
                          item.question, item.as_of.isoformat(), diagnostics=tuple(pack.diagnostics) or (
                              Diagnostic("pack-not-loaded", str(pack), item.location),), error="pack")
            continue
        try:
            yield verify_entry(item, pack)
        except DingdianError as exc:  # e.g. a question the pack no longer answers
            yield Verdict(item.file, item.line, "error", item.decision.get("record", {}).get("decision_id"),
                          item.question, item.as_of.isoformat(),
                          diagnostics=(Diagnostic("not-re-evaluated", str(exc), item.location),), error="evaluation")
