"""Working-day counts through a year with no published 调休: a rule's status at both ends of the
calendars that year's notice could still publish.

Per case, a decision whose counts touched such a year runs its conditions again with every count
at its earliest and at its latest possible day (``evaluation.deadlines.calendar_check``), and a
decided outcome that differs at either end becomes ``undetermined``. Here the rules that may count
working days (``touches_calendar``) are compiled twice more, with ``mode`` "earliest" and
"latest"; ``frames`` decides the outcome at each end and compares. A rule that counts none has the
same status at both ends, and a count that touched no such year gives the same day at both ends,
so comparing every row is the per-case check exactly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from ..conditions import ast as A
from ..conditions.compile import CompiledExpr
from .expressions import _working_days
from .items import Compiler


def touches_calendar(expr: CompiledExpr, _seen: set[int] | None = None) -> bool:
    """Whether a working-day count may run in ``expr`` (directly, or inside a time limit it reads):
    only such a rule's status can move under ``counting_at``."""
    seen = set() if _seen is None else _seen
    stack = [expr.root]
    while stack:
        node = stack.pop()
        stack.extend(A.children(node))
        if not isinstance(node, A.Call):
            continue
        if node.name in ("add", "sub", "within", "elapsed") and _working_days(expr._params, node.args[1]):
            return True
        if node.name in ("due", "status"):
            ref = node.args[0].ref  # type: ignore[attr-defined]
            if id(ref) in seen:
                continue
            seen.add(id(ref))
            spec = ref.spec
            if spec.roll or spec.unit == "working_days":
                return True
            r = spec.rule
            if any(e is not None and touches_calendar(e, seen) for e in (
                    r.condition, r.deadline_start, r.deadline_extend, r.deadline_done)):
                return True
    return False


def calendar_bounds(rules: Any, schema: dict[str, pl.DataType], today: date) -> dict[int, tuple[pl.Expr, pl.Expr]]:
    """For each rule (by its index in ``rules``) whose condition may count working days: its status
    with every count at its earliest and at its latest possible day, as ``calendar_check`` asks."""
    out = {}
    for i, rule in enumerate(rules):
        cond = rule.condition
        if cond is not None and touches_calendar(cond):
            out[i] = tuple(Compiler(rule.id, cond, schema, today, mode).value(cond.root)
                           for mode in ("earliest", "latest"))
    return out  # type: ignore[return-value]
