"""``due(limit)``, ``status(limit)`` and ``due(limit, d)`` on columns: the limit's own count
(``packs.limits.LimitRef``), run once per distinct combination of the facts (or the start day) it
reads, never a second count of it.

A count in working days or rolled to one (民法典 art. 203) runs as it does per case; with a
``mode`` it runs inside ``timecalc.counting_at(mode)``, giving the earliest or latest day a year
without a published arrangement allows (``expressions.calendar_bounds``). A per-item limit without
its item's start, a period in hours and a named day are not expressed: ``ColumnarUnsupported``.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any, Callable

import polars as pl

from .. import time as timecalc
from ..conditions import ast as A
from ..conditions.compile import CompiledExpr
from ..facts.models import Case
from ..packs.limits import LimitRef
from .columns import fact_column

_RESULT = pl.Struct({"date": pl.Date, "text": pl.String, "missing": pl.List(pl.String)})


def _facts_of(expr: CompiledExpr) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    stack = [expr.root]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Fact) and node.var is None:
            out.add(node.path)
        stack.extend(A.children(node))
    return out


def why_not(ref: LimitRef) -> str | None:
    """What keeps the limit from being counted here, or None."""
    if ref.per_item or ref.hours or ref.named_day:
        return f"the time limit {ref.rule_id} (per item, in hours or on a named day)"
    return None


def count_from(ref: LimitRef, today: date) -> Callable[[date], date | None]:
    """``LimitRef.due_from`` of one start day (a limit whose count reads no other fact)."""
    empty = Case()

    def due(start: date) -> date | None:
        return ref.due_from(start, empty, today, set())
    return due


def limit_column(ref: LimitRef, kind: str, schema: dict[str, Any], today: date, mode: str | None = None) -> pl.Expr:
    """A struct column {date (due), text (status), missing}: the limit on each row, computed once
    per distinct value of the facts it reads; ``missing`` as ``LimitRef.missing`` gives them.
    With a ``mode``, working-day counts land at that end of the possible calendars."""
    rule = ref.spec.rule
    paths: set[tuple[str, ...]] = set()
    for e in (rule.condition, rule.deadline_start, rule.deadline_extend, rule.deadline_done):
        if e is not None:
            paths |= _facts_of(e)
    ordered = sorted(paths)
    present = [(p, fact_column(schema, p)) for p in ordered]
    present = [(p, e) for p, e in present if e is not None]

    def one(values: tuple) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for (path, _), v in zip(present, values):
            if v is None:
                continue
            node = data
            for seg in path[:-1]:
                node = node.setdefault(seg, {})
            node[path[-1]] = v
        case = Case.model_validate(data)
        est: set[int] = set()
        with timecalc.counting_at(mode) if mode is not None else nullcontext():  # type: ignore[arg-type]
            if kind == "status":
                text, due = ref.status(case, today, est), None
            else:
                text, due = None, ref.due(case, today, est)
        known = text is not None or due is not None
        return {"date": due, "text": text, "missing": [] if known or mode is not None else list(ref.missing(case, today, True))}

    if not present:
        return pl.lit(pl.Series([one(())], dtype=_RESULT)).first()
    names = [f"f{i}" for i in range(len(present))]
    packed = pl.struct([e.alias(n) for n, (_, e) in zip(names, present)])

    def run(s: pl.Series) -> pl.Series:
        keys = s.unique(maintain_order=True)
        rows = [tuple(r[n] for n in names) for r in keys.to_list()]
        values = pl.Series([one(r) for r in rows], dtype=_RESULT)
        index = pl.DataFrame({"k": keys, "__v": values})
        return pl.DataFrame({"k": s}).join(index, on="k", how="left", maintain_order="left",
                                           nulls_equal=True)["__v"]
    return packed.map_batches(run, return_dtype=_RESULT)


