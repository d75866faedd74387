"""``evaluate --engine columnar``: each chunk of a batch file answered with
``columnar.evaluate_frame``, one call per question asked in the chunk, instead of one
``evaluate`` per entry.

Its records are the case engine's records cut down: the same keys, and in ``decisions`` per
question only ``question``, ``outcome``, ``as_of``, ``fired`` and ``missing_facts`` (the same
values as ``Decision.to_dict()``) plus ``undetermined``, the ids of the rules the case engine lists
with status ``unknown`` (``Decision.unknown``). ``decision_record`` cuts a case decision the same
way, so a consumer can switch engines and a test can compare them.

A question the columnar compiler cannot express raises ``Unanswerable`` (the question, and the
``ColumnarUnsupported`` naming rule and construct); any other evaluation error of a frame (a date outside the calendar's range) sends
that frame's rows to the per-case evaluator (the cases read back from the frame), which gives
each its decisions or its error record.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Iterator

import polars as pl
import pydantic

from ..columnar import ColumnarUnsupported, evaluate_frame
from ..columnar.columns import case_schema
from ..errors import CaseError, Diagnostic, DingdianError, Location
from ..evaluation.decision import Decision
from ..evaluation.evaluate import evaluate
from ..facts.models import Case
from ..packs.plans import QUESTIONS
from ..packs.resolved import ResolvedPack
from .entries import BatchResult
from .chunks import Chunk

__all__ = ["DECISION_KEYS", "Unanswerable", "check_compiles", "decision_record", "evaluate_chunk", "evaluate_chunks"]

# The keys of a columnar decision, in the order ``Decision.to_dict()`` has them (``undetermined`` last).
DECISION_KEYS = ("question", "outcome", "as_of", "fired", "missing_facts", "undetermined")
# Given (true) only on a decision whose outcome is undetermined because it rests on working days of
# a year whose 调休 is not published: the case engine's ``calendar-uncertain`` warning.
CALENDAR_UNCERTAIN, CALENDAR_UNCERTAIN_KEY = "calendar-uncertain", "calendar_uncertain"


class Unanswerable(DingdianError):
    """A question of the batch that the columnar engine cannot express under the pack: the
    question, and the ``ColumnarUnsupported`` naming the rule and the construct."""

    def __init__(self, pack: ResolvedPack, question: str, cause: ColumnarUnsupported) -> None:
        self.question, self.cause = question, cause
        super().__init__(f"the columnar engine cannot answer '{question}' under pack {pack.id}: {cause}")


def decision_record(d: Decision) -> dict[str, Any]:
    """A case-engine decision cut to what the columnar engine records (``DECISION_KEYS``)."""
    out = {"question": d.question, "outcome": d.outcome, "as_of": d.as_of.isoformat(), "fired": list(d.fired),
           "missing_facts": list(d.missing_facts), "undetermined": list(d.unknown)}
    if any(w.code == CALENDAR_UNCERTAIN for w in d.warnings):
        out[CALENDAR_UNCERTAIN_KEY] = True
    return out


def check_compiles(pack: ResolvedPack, question: str, today: date | None = None) -> None:
    """Raise ``Unanswerable`` now when the columnar engine cannot answer ``question`` under
    ``pack`` (before a batch reads its input)."""
    from ..columnar import compile_question
    try:
        compile_question(pack, question, case_schema(), today or date.today())
    except ColumnarUnsupported as exc:
        raise Unanswerable(pack, question, exc) from None


def _per_case(pack: ResolvedPack, chunk: Chunk, rows: pl.DataFrame, question: str,
              decided: dict[int, dict[str, dict[str, Any]]], failed: dict[int, BatchResult]) -> None:
    """Rows a frame could not answer, one by one with the per-case evaluator, as ``run_entry``
    would: the cases are read back from the frame's columns."""
    sections = list(case_schema())
    for row in rows.iter_rows(named=True):
        number, here = row["entry"], Location(chunk.source, row["line"] or row["row"] or 0, 1 if row["line"] else 0)
        try:
            case = Case.model_validate({k: row[k] for k in sections})
            d = evaluate(pack, case, question, as_of=row["as_of"], trace=False)
        except CaseError as exc:
            failed[number] = BatchResult(number, row["line"], row["row"], row["id"], errors=tuple(exc.diagnostics))
        except (DingdianError, pydantic.ValidationError) as exc:
            failed[number] = BatchResult(number, row["line"], row["row"], row["id"],
                                         errors=(Diagnostic("not-evaluated", str(exc), here),))
        else:
            decided[number][question] = decision_record(d)


def evaluate_chunk(pack: ResolvedPack, chunk: Chunk) -> list[dict[str, Any] | BatchResult]:
    """The chunk's results in input order: a record (a dict, docs/cli.md) per evaluated entry and
    the ``BatchResult`` of each entry with errors. Raises ``Unanswerable`` for a question the
    columnar engine cannot express."""
    frame = chunk.frame
    numbers = frame.get_column("entry").to_list()
    decided: dict[int, dict[str, dict[str, Any]]] = {n: {} for n in numbers}
    failed: dict[int, BatchResult] = {}
    facts = [name for name in frame.columns if name in case_schema()] + ["as_of"]
    asked = frame.get_column("questions")
    present = set(asked.explode().drop_nulls().unique().to_list()) if frame.height else set()
    for question in (q for q in QUESTIONS if q in present):
        sub = frame.filter(asked.list.contains(question))
        try:
            out = evaluate_frame(pack, sub.select(facts), question, as_of="as_of",
                                 outputs=("outcome", "fired", "undetermined", "missing_facts", "calendar_uncertain"))
        except ColumnarUnsupported as exc:
            raise Unanswerable(pack, question, exc) from None
        except DingdianError:
            _per_case(pack, chunk, sub, question, decided, failed)
            continue
        for entry, day, outcome, fired, missing, unknown, uncertain in zip(
                sub.get_column("entry").to_list(), sub.get_column("as_of").to_list(), out.get_column("outcome").to_list(),
                out.get_column("fired").to_list(), out.get_column("missing_facts").to_list(),
                out.get_column("undetermined").to_list(), out.get_column("calendar_uncertain").to_list()):
            decided[entry][question] = {"question": question, "outcome": outcome, "as_of": day.isoformat(),
                                        "fired": fired, "missing_facts": missing, "undetermined": unknown}
            if uncertain:
                decided[entry][question][CALENDAR_UNCERTAIN_KEY] = True
    results: list[dict[str, Any] | BatchResult] = list(chunk.errors)
    for number, line, row, ident, questions in zip(numbers, *(frame.get_column(n).to_list()
                                                             for n in ("line", "row", "id", "questions"))):
        if number in failed:
            results.append(failed[number])
        else:
            results.append({"entry": number, "line": line, "row": row, "id": ident, "ok": True,
                            "decisions": [decided[number][q] for q in questions]})
    if chunk.errors:
        results.sort(key=lambda r: r.entry if isinstance(r, BatchResult) else r["entry"])
    return results


def evaluate_chunks(pack: ResolvedPack, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, list[dict[str, Any] | BatchResult]]]:
    """Each chunk with its results (``evaluate_chunk``), one chunk at a time."""
    for chunk in chunks:
        yield chunk, evaluate_chunk(pack, chunk)
