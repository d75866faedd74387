"""The facts that leave a rule unknown, as a list column: ``conditions.trace.missing_facts``
on columns. An unknown node is unknown because of its unknown children, down to unknown facts;
a quantifier that is unknown names, for each item whose predicate is unknown, every fact of that
item that is unknown (and, for an inner list, of every inner item), as the per-case walk does."""

from __future__ import annotations

import polars as pl

from ..conditions import ast as A
from .expressions import _EMPTY, RuleCompiler, _Var

_CONSTANT = (A.Lit, A.DateLit, A.Param, A.Today, A.Known)
_NO = pl.lit(None, dtype=pl.String)

# A part is (condition, what): on rows where the condition holds, ``what`` is missing: a fact's
# path, or a List column of paths (what a quantifier or a time limit lacks), computed by
# ``frames`` on those rows only.
Part = tuple[pl.Expr, "str | pl.Expr"]
_ALWAYS = pl.lit(True)
ALWAYS = _ALWAYS  # the condition of a part that holds on every row


def only_if(cond: pl.Expr, parts: list[Part]) -> list[Part]:
    """The parts, kept on rows where ``cond`` holds (``_ALWAYS``: every row)."""
    if cond is _ALWAYS:
        return parts
    return [(cond if e is _ALWAYS else cond & e, what) for e, what in parts]


def as_list(parts: list[Part]) -> pl.Expr:
    """The sorted distinct paths the parts give on each row."""
    if not parts:
        return _EMPTY
    by_path: dict[str, list[pl.Expr]] = {}
    for e, what in parts:
        if isinstance(what, str):
            by_path.setdefault(what, []).append(e)
    lists = [pl.when(e).then(what).otherwise(_EMPTY) for e, what in parts if not isinstance(what, str)]
    scalars = [pl.when(pl.any_horizontal(conds)).then(pl.lit(path)).otherwise(_NO)
               for path, conds in sorted(by_path.items())]
    out = pl.concat_list(scalars + lists).list.drop_nulls()
    return out.list.unique().list.sort() if lists else out


def _flat(nested: pl.Expr) -> pl.Expr:
    return nested.list.eval(pl.element().explode().drop_nulls())


class MissingFacts:
    """Builds the missing-facts parts of one rule with the compiler that built its status."""

    def __init__(self, compiler: RuleCompiler) -> None:
        self.c = compiler

    def path(self, node: A.Fact) -> str:
        return self.c.cexpr.fact_paths[node.idx]

    def walk(self, node: A.Node, unknown: pl.Expr | None = None) -> list[Part]:
        """What the per-case ``walk`` adds for ``node`` (outside any quantifier). ``unknown``:
        whether ``node`` is unknown, when the caller has it (``ALWAYS`` on rows already kept
        to those where it is), instead of computing the node again."""
        if isinstance(node, _CONSTANT) or (isinstance(node, A.ListLit)):
            return []
        if unknown is None:
            unknown = self.c.value(node).is_null()
        if isinstance(node, A.Fact):
            return [(unknown, self.path(node))]
        if isinstance(node, A.Call) and node.name in ("due", "status"):  # the facts the limit's count lacked
            return only_if(unknown, [(_ALWAYS, self.c.limit(node).struct.field("missing"))])
        if isinstance(node, A.Quant) and node.pred is not None:
            src = self.c.value(node.source)  # type: ignore[arg-type]
            listed = src.is_not_null() if unknown is _ALWAYS else src.is_not_null() & unknown
            return (only_if(src.is_null(), self.walk(node.source))  # type: ignore[arg-type]
                    + only_if(listed, self.quantified(node)))
        kids = [p for k in A.children(node) for p in self.walk(k)]
        return only_if(unknown, kids)

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

    def quantified(self, node: A.Quant) -> list[Part]:
        """What an unknown quantifier lacks: for each item whose predicate is unknown, its unknown
        facts (on rows where the quantifier is unknown and its list known)."""
        rows = self.c.rows.get(node.idx)  # a quantifier whose items were laid out as rows (items.py)
        if rows is not None:
            return [(_ALWAYS, rows.missing())]
        src, per_item = self._in_items(node, lambda: only_if(
            self.c.value(node.pred).is_null(), self.unknown_in(node.pred)))  # type: ignore[arg-type]
        return _over_items(src, per_item)

    def unknown_in(self, node: A.Node) -> list[Part]:
        """Every unknown fact below ``node`` for one item, decisive or not (``_unknown_in``)."""
        if isinstance(node, _CONSTANT) or isinstance(node, A.ListLit):
            return []
        if isinstance(node, A.Fact):
            return [(self.c.value(node).is_null(), self.path(node))]
        if isinstance(node, A.Quant) and node.pred is not None:
            src, per_item = self._in_items(node, lambda: self.unknown_in(node.pred))  # type: ignore[arg-type]
            return (only_if(src.is_null(), self.unknown_in(node.source))  # type: ignore[arg-type]
                    + only_if(src.is_not_null(), _over_items(src, per_item)))
        return [p for k in A.children(node) for p in self.unknown_in(k)]


def _over_items(src: pl.Expr, per_item: list[Part]) -> list[Part]:
    """The parts of each item of the list ``src``, as parts of the row: a path is missing where
    some item has it (one boolean per path, which the caller packs as a bit), or, when a part is
    itself a list, the items' lists flattened."""
    if any(not isinstance(what, str) for _, what in per_item):
        return [(_ALWAYS, _flat(src.list.eval(as_list(per_item))))]
    by_path: dict[str, list[pl.Expr]] = {}
    for e, what in per_item:
        by_path.setdefault(what, []).append(e)  # type: ignore[arg-type]
    return [(src.list.eval(pl.any_horizontal(conds).fill_null(False)).list.any()
             if not any(e is _ALWAYS for e in conds) else src.list.len() > 0, path)
            for path, conds in sorted(by_path.items())]
