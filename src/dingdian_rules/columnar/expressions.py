"""The compiler from a checked condition tree (the tree ``conditions.codegen`` reads, never the
text) to polars expressions: a rule's three-valued status as a nullable boolean column, and the
facts that leave it unknown as a list column, with the per-case evaluator's semantics.

Unknown is null. polars' ``&`` and ``|`` on nullable booleans are Kleene's and/or, ``~`` keeps
null, a comparison with null is null; ``is known`` is ``is_not_null``. ``within``/``elapsed``
with a natural period compare the start with one threshold day found once per ``as_of`` (the last
day of a period grows with its start), so they vectorise exactly; other date helpers run once per
distinct value. Quantifiers run their predicate over list columns with ``list.eval``; one whose
predicate reads a fact outside its item, or a counted date (``due(limit, s.started_on)``, ``add``),
lays its items out as rows instead (``items.Compiler``, the compiler ``frames`` uses).

A ``mode`` ("earliest"/"latest") runs every working-day count at that end of the calendars a year
without a published arrangement still allows (``timecalc.counting_at``; ``estimates``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

import polars as pl

from .. import time as timecalc
from ..errors import EvaluationError
from ..conditions import ast as A
from ..conditions.compile import CompiledExpr
from ..conditions.types import Type
from ..facts.models import Case
from ..time.periods import natural_last_day
from .columns import dtype_of, fact_column, fact_dtype, field_dtype, type_at


class ColumnarUnsupported(EvaluationError):
    """A rule whose condition uses a construct the columnar compiler does not express yet:
    evaluate that question per case (``dingdian_rules.evaluate``) instead."""

    def __init__(self, rule_id: str, construct: str) -> None:
        self.rule_id, self.construct = rule_id, construct
        super().__init__(f"rule {rule_id}: the columnar engine cannot express {construct}")


_EMPTY = pl.lit([], dtype=pl.List(pl.String))
_NONE_BOOL = pl.lit(None, dtype=pl.Boolean)


def first_day_within(start_unit: tuple[int, str], today: date) -> date | None:
    """The earliest start whose period (natural days, months or years) still runs on ``today``:
    ``today <= last_day(start)`` holds exactly for starts on or after it (None: for none)."""
    length, unit = start_unit
    lo, hi = 1, date.max.toordinal()
    if natural_last_day(date.max, length, unit) < today:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if natural_last_day(date.fromordinal(mid), length, unit) >= today:
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def _map_distinct(expr: pl.Expr, fn: Callable[[Any], Any], dtype: pl.DataType) -> pl.Expr:
    """``fn`` over each distinct non-null value of ``expr`` (a helper with no vector form)."""
    def run(s: pl.Series) -> pl.Series:
        keys = s.drop_nulls().unique()
        values = pl.Series([fn(k) for k in keys.to_list()], dtype=dtype)
        return s.replace_strict(keys, values, default=None, return_dtype=dtype)
    return expr.map_batches(run, return_dtype=dtype)


class _Var:
    __slots__ = ("name", "type", "depth", "column")

    def __init__(self, name: str, t: Type, depth: int, column: pl.Expr | None = None) -> None:
        """``column``: the item is a row of a frame of items (``items``), read from that column."""
        self.name, self.type, self.depth, self.column = name, t, depth, column


_ELEMENTWISE = {"within", "elapsed", "days_between"}  # functions list.eval can run on an item's field


def _working_days(params: dict[str, Any], node: A.Node) -> bool:
    return isinstance(node, A.Param) and node.name in params and params[node.name].type.name == "duration" \
        and params[node.name].value[1] == "working_days"


class RuleCompiler:
    """Compiles one rule's condition for one frame schema and one ``as_of`` day."""

    def __init__(self, rule_id: str, expr: CompiledExpr, schema: dict[str, pl.DataType], today: date,
                 mode: str | None = None) -> None:
        self.rule_id, self.cexpr, self.schema, self.today, self.mode = rule_id, expr, schema, today, mode
        self.params = expr._params
        self.calendar = expr._calendar
        self.vars: dict[str, _Var] = {}
        self.depth = 0  # how many list.eval levels the node being compiled is inside
        self.count_bounds: dict[int, tuple[pl.Expr, pl.Expr]] = {}
        # in a compiler of one quantifier's items laid out as rows (``items``): the columns holding
        # the facts read from outside the item, by node
        self.outer: dict[int, pl.Expr] | None = None
        self.rows: dict[int, Any] = {}  # quantifiers whose items are laid out as rows, by node
        self.item_dtypes: dict[str, pl.DataType | None] = {}  # the frame's type of each bound item

    def moded(self, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``fn`` run with working-day counts at this compiler's end of the possible calendars."""
        mode = self.mode
        if mode is None:
            return fn

        def at_bound(x: Any) -> Any:
            with timecalc.counting_at(mode):  # type: ignore[arg-type]
                return fn(x)
        return at_bound

    def unsupported(self, construct: str) -> ColumnarUnsupported:
        return ColumnarUnsupported(self.rule_id, construct)

    # --- values ------------------------------------------------------------------------------
    def value(self, node: A.Node) -> pl.Expr:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(type(node).__name__)
        return method(node)

    def _Lit(self, node: A.Lit) -> pl.Expr:
        return pl.lit(node.value)

    def _DateLit(self, node: A.DateLit) -> pl.Expr:
        return pl.lit(node.value, dtype=pl.Date)

    def _Today(self, node: A.Today) -> pl.Expr:
        return pl.lit(self.today, dtype=pl.Date)

    def _Param(self, node: A.Param) -> pl.Expr:
        info = self.params[node.name]
        if info.type.name == "duration":
            raise self.unsupported(f"the period ${node.name} as a value")
        if isinstance(info.value, (list, tuple, frozenset)):
            return pl.lit(pl.Series(sorted(info.value, key=str), dtype=dtype_of(info.type.elem or Type("text"))))
        return pl.lit(info.value)

    def _ListLit(self, node: A.ListLit) -> pl.Expr:
        if not all(isinstance(i, (A.Lit, A.DateLit)) for i in node.items):
            raise self.unsupported("a list of non-constant items")
        return pl.lit(pl.Series([i.value for i in node.items]))  # type: ignore[attr-defined]

    def fact_type(self, node: A.Fact) -> Type:
        if node.var is not None:
            t = self.vars[node.var].type
            for seg in node.path[1:]:
                t = type_at(t.model, [seg]) if t.model is not None else Type("error")
            return t
        return type_at(Case, node.path)

    def _Fact(self, node: A.Fact) -> pl.Expr:
        if self.outer is not None and node.idx in self.outer:
            if self.depth:
                raise self.unsupported(f"the fact {'.'.join(node.path)} inside a nested quantifier")
            return self.outer[node.idx]
        if node.var is not None:
            var = self.vars[node.var]
            if var.depth != self.depth:
                raise self.unsupported(f"the outer item '{node.var}' inside a nested quantifier")
            if field_dtype(self.item_dtypes.get(node.var), node.path[1:]) is None:  # a field the frame lacks
                return pl.lit(None, dtype=dtype_of(self.fact_type(node)))
            expr = var.column if var.column is not None else pl.element()
            for seg in node.path[1:]:
                expr = expr.struct.field(seg)
            return expr
        if self.depth:
            raise self.unsupported(f"the fact {'.'.join(node.path)} inside a quantifier's predicate")
        expr = fact_column(self.schema, node.path)
        return expr if expr is not None else pl.lit(None, dtype=dtype_of(self.fact_type(node)))

    def _Not(self, node: A.Not) -> pl.Expr:
        return ~self.value(node.operand)  # type: ignore[arg-type]

    def _BoolOp(self, node: A.BoolOp) -> pl.Expr:
        parts = [self.value(i) for i in node.items]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if node.op == "and" else (out | p)
        return out

    def _Compare(self, node: A.Compare) -> pl.Expr:
        a, b = self.value(node.left), self.value(node.right)  # type: ignore[arg-type]
        r = {"==": a.eq, "!=": a.ne, "<": a.lt, "<=": a.le, ">": a.gt, ">=": a.ge}[node.op](b)
        bounds, other, op = self.count_bounds.get(node.left.idx), b, node.op  # type: ignore[union-attr]
        if bounds is None and node.right.idx in self.count_bounds:  # type: ignore[union-attr]
            bounds, other, op = self.count_bounds[node.right.idx], a, _MIRROR[op]  # type: ignore[union-attr]
        if bounds is not None:
            lo, unk = bounds
            r = pl.when(r.is_null() & lo.is_not_null() & other.is_not_null()).then(
                _bounds(lo, lo + unk, op, other)).otherwise(r)
        return r

    def _Member(self, node: A.Member) -> pl.Expr:
        e, container = self.value(node.element), node.container  # type: ignore[arg-type]
        if isinstance(container, (A.Param, A.ListLit)):
            hit = e.is_in(self.value(container).implode())
        else:
            cont = self.value(container)  # type: ignore[arg-type]
            if isinstance(node.element, A.Lit):  # a null list counts null; 3x faster than list.contains
                hit = cont.list.count_matches(e) > 0
            else:
                hit = pl.when(cont.is_null()).then(_NONE_BOOL).otherwise(cont.list.contains(e))
        hit = pl.when(e.is_null()).then(_NONE_BOOL).otherwise(hit)
        return ~hit if node.negated else hit

    def _Known(self, node: A.Known) -> pl.Expr:
        x = self.value(node.operand)  # type: ignore[arg-type]
        return x.is_null() if node.negated else x.is_not_null()

    def _Arith(self, node: A.Arith) -> pl.Expr:
        a, b = self.value(node.left), self.value(node.right)  # type: ignore[arg-type]
        if node.op == "/":
            raise self.unsupported("division")
        return {"+": a.add, "-": a.sub, "*": a.mul}[node.op](b)

    def quant_parts(self, node: A.Quant) -> tuple[pl.Expr, pl.Expr]:
        """(source, the predicate's value for each item as a list column)."""
        src = self.value(node.source)  # type: ignore[arg-type]
        elem = self.fact_type(node.source).elem if isinstance(node.source, A.Fact) else None  # type: ignore[arg-type]
        if elem is None:
            raise self.unsupported("a quantifier over a computed list")
        self.vars[node.var or ""] = _Var(node.var or "", elem, self.depth + 1)
        self.item_dtypes[node.var or ""] = self.item_dtype(node)
        self.depth += 1
        try:
            pred = self.value(node.pred)  # type: ignore[arg-type]
        finally:
            self.depth -= 1
        return src, src.list.eval(pred)

    def item_dtype(self, node: A.Quant) -> pl.DataType | None:
        """The frame's type of the quantifier's items (None: the frame lacks the list)."""
        src = node.source
        if not isinstance(src, A.Fact):
            return None
        if src.var is None:
            dtype = fact_dtype(self.schema, src.path)
        else:
            dtype = field_dtype(self.item_dtypes.get(src.var), src.path[1:])
        return dtype.inner if isinstance(dtype, pl.List) else None  # type: ignore[attr-defined]

    def _Quant(self, node: A.Quant) -> pl.Expr:
        if node.pred is None:
            return self.value(node.source).list.len()  # type: ignore[arg-type]
        src, preds = self.quant_parts(node)
        trues = preds.list.eval(pl.element().fill_null(False)).list.sum()
        unknowns = preds.list.eval(pl.element().is_null()).list.sum()
        n = preds.list.len()
        if node.kind == "count":
            lo, unk = trues.cast(pl.Int64), unknowns.cast(pl.Int64)
            self.count_bounds[node.idx] = (lo, unk)
            return pl.when(unk == 0).then(lo).otherwise(pl.lit(None, dtype=pl.Int64))
        falses = n - trues - unknowns
        decisive, count_decisive = (True, trues) if node.kind == "any" else (False, falses)
        return (pl.when(src.is_null()).then(_NONE_BOOL)
                .when(count_decisive > 0).then(pl.lit(decisive))
                .when(unknowns > 0).then(_NONE_BOOL)
                .otherwise(pl.lit(not decisive)))

    def limit(self, node: A.Call) -> pl.Expr:
        """The struct column of ``due(limit)``/``status(limit)`` (``limits.limit_column``)."""
        from .limits import limit_column, why_not
        ref = node.args[0].ref  # type: ignore[attr-defined]
        if len(node.args) > 1 or self.depth or self.outer is not None:  # due(limit, d): due_from
            raise self.unsupported(f"{node.name}(...) of the time limit {ref.rule_id} inside a quantifier's predicate")
        reason = why_not(ref)
        if reason is not None:
            raise self.unsupported(f"{node.name}(...) of {reason}")
        return limit_column(ref, node.name, self.schema, self.today, self.mode)

    # --- functions ---------------------------------------------------------------------------
    def _period(self, node: A.Node, working: bool = False) -> tuple[int, str]:
        if not isinstance(node, A.Param):
            raise self.unsupported("a period that is not a parameter")
        length, unit = self.params[node.name].value  # type: ignore[misc]
        if unit not in ("days", "months", "years") and not (working and unit == "working_days"):
            raise self.unsupported(f"a period in {unit}")
        return length, unit

    def _working_within(self, node: A.Call) -> pl.Expr:
        """``within``/``elapsed`` with a period in working days, as ``codegen`` writes them: the
        period's last day counted once per distinct start (9999-12-31 past the calendar's end)."""
        if self.depth:
            raise self.unsupported(f"{node.name}(...) in working days inside a quantifier's predicate")
        length, _ = self._period(node.args[1], working=True)
        calendar = self.calendar

        def last_day(d: date) -> date:  # codegen._working_last_day
            try:
                return calendar.add_working_days(d, length).value
            except timecalc.DateOutOfRange:
                return date.max
        d = self.value(node.args[0])
        end = _map_distinct(d, self.moded(last_day), pl.Date)
        today = pl.lit(self.today, dtype=pl.Date)
        body = (d <= today) & (today <= end) if node.name == "within" else today > end
        return pl.when(d.is_null()).then(_NONE_BOOL).otherwise(body)

    def _Call(self, node: A.Call) -> pl.Expr:
        name = node.name
        if name in ("due", "status"):
            return self.limit(node).struct.field("text" if name == "status" else "date")
        if name in ("within", "elapsed") and _working_days(self.params, node.args[1]):
            return self._working_within(node)
        if name in ("within", "elapsed"):
            d = self.value(node.args[0])
            first = first_day_within(self._period(node.args[1]), self.today)
            running = pl.lit(False) if first is None else d >= pl.lit(first, dtype=pl.Date)
            if name == "within":
                return (d <= pl.lit(self.today, dtype=pl.Date)) & running
            return ~running
        if name == "days_between":
            a, b = (self.value(x) for x in node.args)
            return (b - a).dt.total_days()
        if self.depth:
            raise self.unsupported(f"{name}(...) inside a quantifier's predicate")
        if name in ("add", "sub"):
            length, unit = self._period(node.args[1], working=True)
            fn, calendar = (timecalc.add_period if name == "add" else timecalc.subtract_period), self.calendar

            def shifted(d: date) -> date | None:  # codegen._shifted, _working_day_end
                try:
                    return fn(d, length, unit, calendar).value  # type: ignore[arg-type]
                except timecalc.DateOutOfRange:
                    return None
            return _map_distinct(self.value(node.args[0]), self.moded(shifted), pl.Date)
        if name in ("year_end", "quarter_start", "quarter_end", "next_month_start"):
            return _map_distinct(self.value(node.args[0]), getattr(timecalc, name), pl.Date)
        if name in ("day_before", "day_after"):
            step = -1 if name == "day_before" else 1
            return _map_distinct(self.value(node.args[0]), lambda d: timecalc.shift_days(d, step), pl.Date)
        raise self.unsupported(f"the function {name}(...)")


_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _bounds(lo: pl.Expr, hi: pl.Expr, op: str, k: pl.Expr) -> pl.Expr:
    """``codegen._compare_bounds`` on columns: decided when every count in lo..hi agrees."""
    def tri(true: pl.Expr, false: pl.Expr) -> pl.Expr:
        return pl.when(true).then(pl.lit(True)).when(false).then(pl.lit(False)).otherwise(_NONE_BOOL)
    if op == ">=":
        return tri(lo >= k, hi < k)
    if op == ">":
        return tri(lo > k, hi <= k)
    if op == "<=":
        return tri(hi <= k, lo > k)
    if op == "<":
        return tri(hi < k, lo >= k)
    outside = (k < lo) | (k > hi)
    return tri(pl.lit(False), outside) if op == "==" else tri(outside, pl.lit(False))
