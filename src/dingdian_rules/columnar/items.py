"""``Compiler``: the rule compiler ``frames`` uses, ``expressions.RuleCompiler`` plus quantifiers
whose items are laid out as rows, for a predicate ``list.eval`` cannot run: one that reads a fact
outside the item (``s.ended_on > agreement.term_end``) or counts a date per value
(``due(time_limit.suspension_resume_application, s.started_on)``, ``add(...)``).

The list column is exploded with the row's index, the predicate is compiled as ordinary columns
(the item a struct column, each outside fact a column of its own), so the per-value helpers and
limits of ``expressions`` run on it as on any column; the items' values are then gathered back
into one list per row in their order, and the quantifier folds them as it folds ``list.eval``'s.

Missing facts follow ``conditions.trace``: for each item whose predicate is unknown, the item's
unknown facts, and an outside fact when it is unknown and the predicate read it for some item
(the per-case trace keeps one value per node: a fact only behind an ``and`` that an earlier
operand settled for every item was never read, and is not named).
"""

from __future__ import annotations

from typing import Any, Callable

import polars as pl

from ..conditions import ast as A
from .columns import fact_column
from .expressions import _ELEMENTWISE, RuleCompiler, _map_distinct, _Var, _working_days
from .missing import MissingFacts, Part, as_list, only_if

_BOUNDS = pl.Struct({"lo": pl.Int64, "unk": pl.Int64})


def needs_rows(node: A.Quant, params: dict[str, Any]) -> bool:
    """Whether the quantifier's predicate (nested ones included) reads anything ``list.eval`` cannot
    reach: a fact outside the items it binds, a time limit, or a date helper counted per value."""
    bound: set[str] = set()
    stack: list[A.Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Quant) and n.pred is not None:
            bound.add(n.var or "")
            stack.append(n.pred)
            if n is not node:
                stack.append(n.source)  # type: ignore[arg-type]
            continue
        if isinstance(n, A.Fact) and (n.var is None or n.var not in bound):
            return True
        if isinstance(n, A.Call) and (n.name not in _ELEMENTWISE or _working_days(params, n.args[1])):
            return True
        stack.extend(A.children(n))
    return False


class Compiler(RuleCompiler):
    """``RuleCompiler``, with a quantifier ``list.eval`` cannot run laid out as rows (``ItemRows``)
    and ``due(limit, d)`` counted from an item's date there."""

    def _Quant(self, node: A.Quant) -> pl.Expr:
        if node.pred is None or not needs_rows(node, self.params):
            return super()._Quant(node)
        if self.depth or self.outer is not None:
            raise self.unsupported("a quantifier reading a fact outside its item, or a counted date, "
                                   "inside another quantifier")
        rows = self.rows.get(node.idx)
        if rows is None:
            rows = self.rows[node.idx] = ItemRows(self, node)
        if node.kind != "count":
            return rows.value()
        bounds = rows.value()
        lo, unk = bounds.struct.field("lo"), bounds.struct.field("unk")
        self.count_bounds[node.idx] = (lo, unk)
        return pl.when(unk == 0).then(lo).otherwise(pl.lit(None, dtype=pl.Int64))

    def _Call(self, node: A.Call) -> pl.Expr:
        if node.name == "due" and len(node.args) > 1:
            return self.due_from(node)
        return super()._Call(node)

    def due_from(self, node: A.Call) -> pl.Expr:
        """``due(limit, d)`` on an item's date: the limit's own count from ``d`` (``LimitRef.due_from``),
        once per distinct day. Only where its missing facts are those of ``d`` (a quantifier's
        item laid out as a row; a limit without days added, whose count reads nothing else)."""
        from .limits import count_from
        ref = node.args[0].ref  # type: ignore[attr-defined]
        if self.outer is None or self.depth:
            raise self.unsupported(f"due(...) of the time limit {ref.rule_id} from a date outside a quantifier")
        if ref.hours or ref.named_day or ref.spec.rule.deadline_extend is not None:
            raise self.unsupported(f"due(...) of the time limit {ref.rule_id} (in hours, on a named day, "
                                   f"or with days added) from an item's date")
        return _map_distinct(self.value(node.args[1]), self.moded(count_from(ref, self.today)), pl.Date)


def _outer_facts(node: A.Quant) -> list[A.Fact]:
    """The facts in the predicate (nested ones included) not bound by its quantifiers."""
    out: list[A.Fact] = []
    bound: set[str] = set()
    stack: list[A.Node] = [node.pred]  # type: ignore[list-item]
    bound.add(node.var or "")
    while stack:
        n = stack.pop()
        if isinstance(n, A.Quant) and n.pred is not None:
            bound.add(n.var or "")
        if isinstance(n, A.Fact) and (n.var is None or n.var not in bound):
            out.append(n)
            continue
        stack.extend(A.children(n))
    return sorted(out, key=lambda f: f.idx)


def _reached(c: RuleCompiler, root: A.Node, wanted: set[int]) -> dict[int, pl.Expr]:
    """For the wanted nodes, whether the per-case code evaluates them for an item: an operand of
    ``and``/``or`` runs only while no earlier operand settled the result; everything else runs
    when its parent does. (Nodes inside a nested quantifier's predicate are not followed.)"""
    out: dict[int, pl.Expr] = {}
    stack: list[tuple[A.Node, pl.Expr]] = [(root, pl.lit(True))]
    while stack:
        node, r = stack.pop()
        if node.idx in wanted:
            out[node.idx] = r
        if isinstance(node, A.BoolOp):
            stop = node.op == "or"  # `and` stops at the first false operand, `or` at the first true
            for item in node.items:
                stack.append((item, r))
                r = r & c.value(item).ne_missing(pl.lit(stop))
        elif isinstance(node, A.Quant):
            stack.append((node.source, r))  # type: ignore[arg-type]
        else:
            stack.extend((k, r) for k in A.children(node))
    return out


class _ItemMissing(MissingFacts):
    """``MissingFacts.unknown_in`` on one item, an outside fact named only where it was read."""

    def __init__(self, compiler: RuleCompiler, reached: dict[int, pl.Expr]) -> None:
        super().__init__(compiler)
        self.reached = reached

    def unknown_in(self, node: A.Node) -> list[Part]:
        if isinstance(node, A.Fact) and node.var is None:
            return [(self.c.value(node).is_null() & self.reached[node.idx], self.path(node))]
        return super().unknown_in(node)


class ItemRows:
    """One quantifier of a rule (compiled by ``c``), its items laid out as rows."""

    def __init__(self, c: Compiler, node: A.Quant) -> None:
        self.c, self.node = c, node
        self.source = c.value(node.source)  # type: ignore[arg-type]
        elem = c.fact_type(node.source).elem if isinstance(node.source, A.Fact) else None
        if elem is None:
            raise c.unsupported("a quantifier over a computed list")
        # a list the frame lacks is unknown on every row: no items to lay out (and a literal
        # source would give one value, not one a row)
        self.absent = node.source.var is None and fact_column(c.schema, node.source.path) is None  # type: ignore[union-attr]
        self.outer = _outer_facts(node)
        self.inputs = [c.value(f).alias(f"__o{f.idx}") for f in self.outer]
        sub = Compiler(c.rule_id, c.cexpr, {}, c.today, c.mode)
        sub.vars = dict(c.vars)
        sub.vars[node.var or ""] = _Var(node.var or "", elem, 0, pl.col("__item"))
        sub.item_dtypes = dict(c.item_dtypes)
        sub.item_dtypes[node.var or ""] = c.item_dtype(node)
        sub.outer = {f.idx: pl.col(f"__o{f.idx}") for f in self.outer}
        self.sub = sub
        self.pred = sub.value(node.pred)  # type: ignore[arg-type]  # compiled now: unsupported fails at compile time

    def _per_row(self, per_item: Callable[[pl.DataFrame], pl.DataFrame], dtype: pl.DataType,
                 finish: Callable[[pl.Expr, pl.Expr], pl.Expr]) -> pl.Expr:
        """``per_item`` (a frame of (__row, __v, ...) from the frame of items, one row per list
        row that has items) joined back to every row, then ``finish(unknown list, __v)``."""
        def run(s: pl.Series) -> pl.Series:
            rows = s.struct.unnest().with_row_index("__row")
            items = (rows.with_columns(__k=pl.int_ranges(0, pl.col("__src").list.len()))
                     .explode(["__src", "__k"]).filter(pl.col("__k").is_not_null())
                     .rename({"__src": "__item"}))
            back = rows.select("__row", pl.col("__src").is_null().alias("__unknown")).join(
                per_item(items), on="__row", how="left", maintain_order="left")
            return back.select(finish(pl.col("__unknown"), pl.col("__v")).alias("__v")).to_series()
        if self.absent:
            return finish(pl.lit(True), pl.lit(None, dtype=dtype))
        packed = pl.struct([self.source.alias("__src"), *self.inputs])
        return packed.map_batches(run, return_dtype=dtype)

    def value(self) -> pl.Expr:
        """``any``/``all``: the quantifier's value (``RuleCompiler._Quant``'s fold of the items'
        values); ``count``: a struct of the bounds {lo: items true, unk: items unknown}."""
        pred, kind = self.pred, self.node.kind
        decisive = kind == "any"

        def tally(items: pl.DataFrame) -> pl.DataFrame:
            v = items.select("__row", pred.alias("__p"))
            hit = pl.col("__p").eq_missing(pl.lit(decisive if kind != "count" else True)).sum()
            return v.group_by("__row").agg(__v=pl.struct(lo=hit.cast(pl.Int64),
                                                         unk=pl.col("__p").is_null().sum().cast(pl.Int64)))

        if kind == "count":
            def counted(unknown: pl.Expr, v: pl.Expr) -> pl.Expr:
                zero = pl.struct(lo=pl.lit(0, dtype=pl.Int64), unk=pl.lit(0, dtype=pl.Int64))
                return pl.when(unknown).then(pl.lit(None, dtype=_BOUNDS)).otherwise(
                    pl.when(v.is_null()).then(zero).otherwise(v))
            return self._per_row(tally, _BOUNDS, counted)

        def decided(unknown: pl.Expr, v: pl.Expr) -> pl.Expr:
            hits, unk = v.struct.field("lo").fill_null(0), v.struct.field("unk").fill_null(0)
            return (pl.when(unknown).then(pl.lit(None, dtype=pl.Boolean))
                    .when(hits > 0).then(pl.lit(decisive))
                    .when(unk > 0).then(pl.lit(None, dtype=pl.Boolean))
                    .otherwise(pl.lit(not decisive)))
        return self._per_row(tally, pl.Boolean, decided)

    def missing(self) -> pl.Expr:
        """The facts the items whose predicate is unknown lack (``MissingFacts.quantified``)."""
        plain = {f.idx for f in self.outer if f.var is None}
        reached = {i: r.any().over("__row") for i, r in _reached(self.sub, self.node.pred, plain).items()}  # type: ignore[arg-type]
        parts = _ItemMissing(self.sub, reached).unknown_in(self.node.pred)  # type: ignore[arg-type]
        per_item = as_list(only_if(self.pred.is_null(), parts))

        def gathered(items: pl.DataFrame) -> pl.DataFrame:
            long = items.select("__row", per_item.alias("__v")).explode("__v").drop_nulls("__v")
            return long.group_by("__row").agg(pl.col("__v").unique().sort())

        def listed(unknown: pl.Expr, v: pl.Expr) -> pl.Expr:
            return v.fill_null(pl.lit([], dtype=pl.List(pl.String)))
        return self._per_row(gathered, pl.List(pl.String), listed)
