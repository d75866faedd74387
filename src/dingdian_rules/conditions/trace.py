"""Trace trees rebuilt from recorded node values, and the facts that would settle an unknown.

The compiled traced function only stores each node's value in a slot list; this module turns
slots plus the syntax tree into frozen ``TraceNode`` trees and computes missing facts with the
Kleene rule: an unknown node is unknown because of its unknown children, down to unknown facts.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from datetime import date
from typing import Any

from . import ast as A
from .compile import NOT_EVALUATED, CompiledExpr


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
    if hasattr(v, "model_dump"):  # a fact record (e.g. one suspension of a list)
        return v.model_dump(mode="json", exclude_none=True)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple, set, frozenset)):
        items = [json_value(x) for x in v]
        return sorted(items, key=str) if isinstance(v, (set, frozenset)) else items
    if isinstance(v, float) and not math.isfinite(v):  # arithmetic past the largest float: JSON has no Infinity
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
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
        if isinstance(node, A.ListLit) and isinstance(v, list) and None in v:
            for k in node.items:
                walk(k)
            return
        if isinstance(node, A.Limit):  # due()/status(): the facts the time limit's count lacked
            if isinstance(v, tuple):
                out.update(v)
            return
        if v is not None:
            return
        if isinstance(node, A.Fact):
            out.add(expr.fact_paths[node.idx])
            return
        for k in A.children(node):
            walk(k)

    def _quantified(node: A.Quant) -> None:
        # For each item whose predicate was unknown: the facts that are unknown for that item
        # (its own fields, inner lists, and outer facts), found by resolving them on the item.
        items, results = slots[node.source.idx], slots[node.pred.idx]
        if not isinstance(items, (list, tuple)):
            _static_facts(node.pred)
            return
        for item, res in zip(items, results):
            if res is None:
                _unknown_in(node.pred, {node.var: item})

    def _resolve(node: A.Node, env: dict) -> object:
        if isinstance(node, A.Fact) and node.var is not None and node.var in env:
            value = env[node.var]
            for seg in node.path[1:]:
                value = getattr(value, seg, None) if value is not None else None
            return value
        return slots[node.idx]

    def _unknown_in(node: A.Node, env: dict) -> None:
        if isinstance(node, A.Fact):
            if _resolve(node, env) is None:
                out.add(expr.fact_paths[node.idx])
            return
        if isinstance(node, A.Known):
            return  # `x is known` is never unknown
        if isinstance(node, A.Limit):
            if isinstance(slots[node.idx], tuple):
                out.update(slots[node.idx])
            return
        if isinstance(node, A.Quant) and node.pred is not None:
            source = _resolve(node.source, env)
            if source is None:
                _unknown_in(node.source, env)
                return
            if isinstance(source, (list, tuple)):
                for item in source:
                    _unknown_in(node.pred, {**env, node.var: item})
            return
        for k in A.children(node):
            _unknown_in(k, env)

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
