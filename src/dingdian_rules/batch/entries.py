"""One entry of a batch and its result: an entry read from a file (or given by a caller) becomes a
case, a question and a date exactly as a case file does, or an error record located in its file.

Locations are built only for an entry that turns out to be wrong: reading every value's line and
column of 100,000 valid entries would cost more than evaluating them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

import pydantic

from ..errors import CaseError, Diagnostic, DingdianError, Location, did_you_mean
from ..evaluation.decision import Decision
from ..evaluation.evaluate import evaluate, evaluate_all
from ..facts.models import Case
from ..facts.written import parse_iso_date
from ..packs.plans import QUESTIONS
from ..packs.resolved import ResolvedPack
from ..reading.json_reader import load_json
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import Path_, YamlDoc

__all__ = ["Entry", "BatchResult", "Prepared", "SETTINGS", "evaluate_prepared", "prepare_entry", "run_entry", "shift"]

# Keys an entry may hold beside ``case`` (those of a case file, plus an id for the caller's records).
SETTINGS = ("id", "question", "as_of", "name", "note")


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry as read: its data and where it stands. ``problems`` holds what made it unreadable
    (e.g. a JSON syntax error), which the batch reports as its error record."""

    data: Any
    source: str = "<entries>"
    number: int = 0  # 1-based position in the input
    line: int | None = None  # where it starts in a text file (JSON, JSON Lines, CSV)
    row: int | None = None  # the data row of a table (CSV, Parquet)
    text: str | None = None  # JSON text of the entry, to locate its values when it is wrong
    column: int = 1  # where ``text`` starts on its line
    locations: Mapping[Path_, Location] | None = None  # table cells: (case, fact, …) -> file:line:column
    problems: tuple[Diagnostic, ...] = ()

    def doc(self) -> YamlDoc:
        """The entry as a located document, for diagnostics (built on demand)."""
        if self.text is not None:
            doc, _ = load_json(self.text, self.source, first_line=self.line or 1)
            if doc is not None:
                return YamlDoc(doc.data, self._shifted(doc.locations), self._shifted(doc.key_locations), self.source)
        if self.locations is not None:
            return YamlDoc(self.data, self.locations, self.locations, self.source)
        return YamlDoc(self.data, {(): self.here()}, {}, self.source)

    def _shifted(self, locations: Mapping[Path_, Location]) -> dict[Path_, Location]:
        """Locations in ``text`` as locations in the file: its first line starts at ``column``."""
        return {p: shift(loc, self.line or 1, self.column) for p, loc in locations.items()}

    def here(self) -> Location:
        return Location(self.source, self.line or self.row or 0, self.column if self.line else 0)


def shift(loc: Location, line: int, column: int) -> Location:
    """A location in text that starts at ``line``:``column`` of its file, as a location in the file."""
    return Location(loc.file, loc.line, loc.column + column - 1) if loc.line == line and column > 1 else loc


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The result of one entry: its decisions, or the diagnostics that kept it from a decision.

    Decisions evaluated in another process (``jobs > 1``) arrive as their JSON text (``payload``)
    and their outcomes: a ``Decision`` refers to the pack of the process that made it."""

    entry: int
    line: int | None = None
    row: int | None = None
    id: str | None = None
    decisions: tuple[Decision, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    payload: str = field(default="", repr=False)  # the decisions' JSON list (compact), when detached
    answered: tuple[tuple[str, str], ...] = ()  # (question, outcome) of each decision, when detached

    @property
    def ok(self) -> bool:
        return not self.errors

    def decision_dicts(self) -> list[dict[str, Any]]:
        """The decisions as ``evaluate --format json`` prints them (no traces)."""
        return json.loads(self.payload) if self.payload else [d.to_dict() for d in self.decisions]

    @property
    def outcomes(self) -> dict[str, str]:
        """Question -> outcome, in the order asked."""
        return dict(self.answered) if self.payload else {d.question: d.outcome for d in self.decisions}

    def head(self) -> dict[str, Any]:
        """The keys every record starts with."""
        return {"entry": self.entry, "line": self.line, "row": self.row, "id": self.id, "ok": self.ok}

    def to_dict(self) -> dict[str, Any]:
        """The output record (docs/cli.md): the same keys for every entry, ``decisions`` or ``errors``."""
        out = self.head()
        if self.ok:
            out["decisions"] = self.decision_dicts()
        else:
            out["errors"] = [d.to_dict() for d in self.errors]
        return out

    def detached(self) -> BatchResult:
        """The same result with its decisions as JSON text, to cross a process boundary cheaply."""
        if not self.decisions:
            return self
        text = json.dumps([d.to_dict() for d in self.decisions], ensure_ascii=False, separators=(",", ":"))
        return BatchResult(self.entry, self.line, self.row, self.id, (), self.errors, text,
                           tuple((d.question, d.outcome) for d in self.decisions))


def _fail(entry: Entry, code: str, message: str, key: Path_, hint: str) -> CaseError:
    doc = entry.doc()
    return CaseError([Diagnostic(code, message, doc.locate_key(key) if key else doc.locate(()),
                                 ".".join(map(str, key)), hint)], "not a valid entry")


def _settings(entry: Entry, data: dict[str, Any]) -> tuple[Any, Path_]:
    """The case data and its path in the entry; the settings beside it are checked."""
    if "case" not in data:
        return data, ()
    unknown = [k for k in data if k != "case" and k not in SETTINGS]
    if unknown:
        k = str(unknown[0])
        raise _fail(entry, "unknown-field", f"unknown key '{k}' beside `case`", (k,),
                    did_you_mean(k, SETTINGS) or "allowed beside `case`: " + ", ".join(SETTINGS))
    if not isinstance(data["case"], dict):
        raise _fail(entry, "not-a-mapping", "`case` must be a mapping", ("case",), "write `case: {institution: …}`")
    return data["case"], ("case",)


def _question(entry: Entry, data: dict[str, Any], override: str | None) -> str | None:
    q = override if override is not None else data.get("question") if "case" in data else None
    if q is not None and q not in QUESTIONS:
        raise _fail(entry, "bad-value", f"{q!r} is not a question", ("question",),
                    did_you_mean(str(q), QUESTIONS) or "allowed values: " + ", ".join(QUESTIONS))
    return q


def _as_of(entry: Entry, data: dict[str, Any], override: date | None) -> date:
    if override is not None:
        return override
    raw = data.get("as_of") if "case" in data else None
    if raw is None:
        return date.today()
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return parse_iso_date(raw)
    except (ValueError, TypeError):
        raise _fail(entry, "bad-value", f"not a valid date: {raw!r}", ("as_of",), "write dates as YYYY-MM-DD") from None


def _entry_id(data: Any) -> str | None:
    if isinstance(data, dict) and "case" in data and data.get("id") is not None:
        return str(data["id"])
    return None


@dataclass(frozen=True, slots=True)
class Prepared:
    """An entry read and validated, ready to be evaluated: what ``run_entry`` evaluates, and what
    the columnar engine lays out as a row (``batch.frames``)."""

    entry: Entry
    id: str | None
    question: str | None  # None: every question the case gives facts for
    as_of: date
    case: Case


def prepare_entry(entry: Entry, question: str | None = None, as_of: date | None = None) -> Prepared | BatchResult:
    """The entry's case, question and date as a case file gives them, or the error record of what
    is wrong with it (never an exception for bad data)."""
    data = entry.data
    ident = _entry_id(data)
    try:
        if entry.problems:
            raise CaseError(list(entry.problems))
        if not isinstance(data, dict):
            raise _fail(entry, "not-a-mapping", f"an entry must be a mapping, not {type(data).__name__}", (),
                        "write {\"question\": …, \"as_of\": …, \"case\": {…}}")
        raw, base = _settings(entry, data)
        q, day = _question(entry, data, question), _as_of(entry, data, as_of)
        try:
            case = Case.model_validate(raw)
        except pydantic.ValidationError as exc:
            raise CaseError(pydantic_diagnostics(exc, Case, entry.doc(), base), "not a valid case") from None
    except CaseError as exc:
        return BatchResult(entry.number, entry.line, entry.row, ident, errors=tuple(exc.diagnostics))
    return Prepared(entry, ident, q, day, case)


def run_entry(pack: ResolvedPack, entry: Entry, question: str | None = None, as_of: date | None = None) -> BatchResult:
    """Evaluate one entry: what ``evaluate --format json`` gives for the same case file, or the
    located diagnostics of what is wrong with it (never an exception for bad data)."""
    ready = prepare_entry(entry, question, as_of)
    if isinstance(ready, BatchResult):
        return ready
    return evaluate_prepared(pack, ready)


def evaluate_prepared(pack: ResolvedPack, ready: Prepared) -> BatchResult:
    """The decisions of a prepared entry, or a ``not-evaluated`` error record (e.g. a date outside
    the calendar's range)."""
    entry, case, day = ready.entry, ready.case, ready.as_of
    try:
        if ready.question:
            decisions: tuple[Decision, ...] = (evaluate(pack, case, ready.question, as_of=day, trace=False),)
        else:
            decisions = tuple(evaluate_all(pack, case, as_of=day, trace=False).values())
    except CaseError as exc:
        return BatchResult(entry.number, entry.line, entry.row, ready.id, errors=tuple(exc.diagnostics))
    except DingdianError as exc:  # e.g. a date outside the calendar's range
        return BatchResult(entry.number, entry.line, entry.row, ready.id,
                           errors=(Diagnostic("not-evaluated", str(exc), entry.here()),))
    return BatchResult(entry.number, entry.line, entry.row, ready.id, decisions)
