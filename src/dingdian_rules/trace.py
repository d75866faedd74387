"""Trace trees rebuilt from recorded node values, and the facts that would settle an unknown.

The compiled traced function only stores each node's value in a slot list; this module turns
slots plus the syntax tree into frozen ``TraceNode`` trees and computes missing facts with the
Kleene rule: an unknown node is unknown because of its unknown children, down to unknown facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import ast as A
from .conditions.compile import NOT_EVALUATED, CompiledExpr


@dataclass(frozen=True, slots=True)
class TraceNode:
    """One sub-expression: its text, the value it had, and its parts."""

    text: str
    value: Any  # True / False / None (unknown) / number / date / text / tuple of per-item results
    evaluated: bool
    fact: str | None = None
    children: tuple["TraceNode", ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "value": json_value(self.value) if self.evaluated else None,
                               "evaluated": self.evaluated}
        if self.fact:
            out["fact"] = self.fact
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out


def json_value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple, set, frozenset)):
        items = [json_value(x) for x in v]
        return sorted(items, key=str) if isinstance(v, (set, frozenset)) else items
    if isinstance(v, float) and v.is_integer():
        return v
    if hasattr(v, "value") and isinstance(getattr(v, "value"), str):  # enums
        return v.value
    return v


def build_trace(expr: CompiledExpr, slots: list[Any]) -> TraceNode:
    def walk(node: A.Node) -> TraceNode:
        v = slots[node.idx]
        evaluated = v is not NOT_EVALUATED
        kids = A.children(node)
        if isinstance(node, A.Quant):
            kids = [node.source] + ([node.pred] if node.pred is not None else [])
        return TraceNode(expr.text[node.start:node.end], v if evaluated else None, evaluated,
                         expr.fact_paths.get(node.idx), tuple(walk(k) for k in kids))
    return walk(expr.root)


def missing_facts(expr: CompiledExpr, slots: list[Any]) -> set[str]:
    """Facts whose unknown value made the expression unknown (empty when it is known)."""
    out: set[str] = set()

    def walk(node: A.Node) -> None:
        v = slots[node.idx]
        if isinstance(node, A.Quant) and node.pred is not None and isinstance(slots[node.pred.idx], tuple):
            if v is None:
                _quantified(node)
            return
        if v is not None:
            return
        if isinstance(node, A.Fact):
            out.add(expr.fact_paths[node.idx])
            return
        for k in A.children(node):
            walk(k)

    def _quantified(node: A.Quant) -> None:
        # Per item whose predicate was unknown: the item's own unknown fields, and outer facts that
        # were unknown. Nested quantifiers fall back to every fact they mention.
        items, results = slots[node.source.idx], slots[node.pred.idx]
        facts = [n for n in _walk(node.pred) if isinstance(n, A.Fact)]
        nested = any(isinstance(n, A.Quant) for n in _walk(node.pred))
        if nested or not isinstance(items, (list, tuple)):
            _static_facts(node.pred)
            return
        for item, res in zip(items, results):
            if res is not None:
                continue
            for f in facts:
                if f.var == node.var:
                    value = item
                    for seg in f.path[1:]:
                        value = getattr(value, seg, None) if value is not None else None
                    if value is None:
                        out.add(expr.fact_paths[f.idx])
                elif f.var is None and slots[f.idx] is None:
                    out.add(expr.fact_paths[f.idx])

    def _static_facts(node: A.Node) -> None:
        if isinstance(node, A.Fact):
            out.add(expr.fact_paths[node.idx])
        for k in A.children(node):
            _static_facts(k)

    walk(expr.root)
    return out


def _walk(node: A.Node):
    yield node
    for k in A.children(node):
        yield from _walk(k)
