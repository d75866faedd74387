"""The facts that leave a rule unknown, as a list column: ``conditions.trace.missing_facts``
on columns. An unknown node is unknown because of its unknown children, down to unknown facts;
a quantifier that is unknown names, for each item whose predicate is unknown, every fact of that
item that is unknown (and, for an inner list, of every inner item), as the per-case walk does."""

from __future__ import annotations

import polars as pl

from ..conditions import ast as A
from .expressions import _EMPTY, RuleCompiler, _Var

_CONSTANT = (A.Lit, A.DateLit, A.Param, A.Today, A.Known)


def _concat(parts: list[pl.Expr]) -> pl.Expr:
    parts = [p for p in parts if p is not _EMPTY]
    if not parts:
        return _EMPTY
    return parts[0] if len(parts) == 1 else pl.concat_list(parts)


def _flat(nested: pl.Expr) -> pl.Expr:
    return nested.list.eval(pl.element().explode().drop_nulls())


class MissingFacts:
    """Builds the missing-facts expression of one rule with the compiler that built its status."""

    def __init__(self, compiler: RuleCompiler) -> None:
        self.c = compiler

    def path(self, node: A.Fact) -> pl.Expr:
        return pl.lit([self.c.cexpr.fact_paths[node.idx]], dtype=pl.List(pl.String))

    def walk(self, node: A.Node) -> pl.Expr:
        """What the per-case ``walk`` adds for ``node`` (outside any quantifier)."""
        if isinstance(node, _CONSTANT) or (isinstance(node, A.ListLit)):
            return _EMPTY
        v = self.c.value(node)
        if isinstance(node, A.Fact):
            return pl.when(v.is_null()).then(self.path(node)).otherwise(_EMPTY)
        if isinstance(node, A.Call) and node.name in ("due", "status"):  # the facts the limit's count lacked
            return pl.when(v.is_null()).then(self.c.limit(node).struct.field("missing")).otherwise(_EMPTY)
        if isinstance(node, A.Quant) and node.pred is not None:
            src = self.c.value(node.source)  # type: ignore[arg-type]
            return (pl.when(src.is_null()).then(self.walk(node.source))  # type: ignore[arg-type]
                    .when(v.is_null()).then(self.quantified(node)).otherwise(_EMPTY))
        kids = _concat([self.walk(k) for k in A.children(node)])
        return _EMPTY if kids is _EMPTY else pl.when(v.is_null()).then(kids).otherwise(_EMPTY)

    def _in_items(self, node: A.Quant, body) -> tuple[pl.Expr, pl.Expr]:
        """(source, ``body()`` per item, compiled with the quantifier's variable bound)."""
        c = self.c
        src, _ = c.quant_parts(node)  # binds the variable to the item type
        var = c.vars[node.var or ""]
        c.vars[node.var or ""] = _Var(var.name, var.type, c.depth + 1)
        c.depth += 1
        try:
            per_item = body()
        finally:
            c.depth -= 1
        return src, per_item

    def quantified(self, node: A.Quant) -> pl.Expr:
        src, per_item = self._in_items(node, lambda: pl.when(self.c.value(node.pred).is_null())  # type: ignore[arg-type]
                                       .then(self.unknown_in(node.pred)).otherwise(_EMPTY))  # type: ignore[arg-type]
        return _flat(src.list.eval(per_item))

    def unknown_in(self, node: A.Node) -> pl.Expr:
        """Every unknown fact below ``node`` for one item, decisive or not (``_unknown_in``)."""
        if isinstance(node, _CONSTANT) or isinstance(node, A.ListLit):
            return _EMPTY
        if isinstance(node, A.Fact):
            return pl.when(self.c.value(node).is_null()).then(self.path(node)).otherwise(_EMPTY)
        if isinstance(node, A.Quant) and node.pred is not None:
            src, per_item = self._in_items(node, lambda: self.unknown_in(node.pred))  # type: ignore[arg-type]
            return pl.when(src.is_null()).then(self.unknown_in(node.source)).otherwise(  # type: ignore[arg-type]
                _flat(src.list.eval(per_item)))
        return _concat([self.unknown_in(k) for k in A.children(node)])
