"""``due(limit)`` and ``status(limit)`` on columns: the limit's own count (``packs.limits.LimitRef``),
run once per distinct combination of the facts the limit reads, never a second count of it.

A limit counted in working days, rolled to a working day, per item, in hours or on a named day
is not expressed (its count may estimate a calendar year, which can change a decision's outcome
through ``calendar_check``, or needs an item of a list): ``ColumnarUnsupported``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

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
    spec = ref.spec
    if spec.roll or spec.unit == "working_days":
        return f"the time limit {ref.rule_id} (counted in or rolled to working days)"
    return None


def limit_column(ref: LimitRef, kind: str, schema: dict[str, Any], today: date) -> pl.Expr:
    """A struct column {date (due), text (status), missing}: the limit on each row, computed once
    per distinct value of the facts it reads; ``missing`` as ``LimitRef.missing`` gives them."""
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
        if kind == "status":
            text, due = ref.status(case, today, est), None
        else:
            text, due = None, ref.due(case, today, est)
        known = text is not None or due is not None
        return {"date": due, "text": text, "missing": [] if known else list(ref.missing(case, today, True))}

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


