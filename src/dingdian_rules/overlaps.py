"""Find rules of one resolved pack that catch the same conduct with different outcomes.

Two rules overlap when some boolean fact appears *positively* in both conditions (not under a
``not``), so one finding can fire both, and they lead to different results (kind, outcome or
tier). ``validate`` lists each pair as a ``rule-overlap`` warning; a decision in which both fire
says how they were combined (see ``Decision.combination``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from .conditions import ast as A
from .conditions.compile import CompiledExpr
from .errors import Diagnostic
from .resolved import ResolvedRule


@dataclass(frozen=True)
class Overlap:
    first: ResolvedRule
    second: ResolvedRule
    facts: tuple[str, ...]

    def describe(self) -> str:
        a, b = self.first, self.second
        return (f"'{a.id}' ({a.label}) and '{b.id}' ({b.label}) can both fire on "
                f"{', '.join(self.facts)}")


_ANALYSED: dict[int, tuple[CompiledExpr, frozenset[str], dict[str, object]]] = {}


def _analysis(expr: CompiledExpr) -> tuple[frozenset[str], dict[str, object]]:
    """Positive facts and pinned values of a compiled condition, computed once per condition
    (compiled conditions are shared by every pack of a chain)."""
    hit = _ANALYSED.get(id(expr))
    if hit is None or hit[0] is not expr:
        hit = (expr, _positive_facts(expr), _required_values(expr))
        _ANALYSED[id(expr)] = hit
    return hit[1], hit[2]


def positive_facts(expr: CompiledExpr | None) -> frozenset[str]:
    """Boolean facts whose truth can make the condition true (those not under a negation)."""
    return _analysis(expr)[0] if expr is not None else frozenset()


def required_values(expr: CompiledExpr | None) -> dict[str, object]:
    """Facts that a top-level conjunct pins to one literal (``request.kind == 'suspend'``)."""
    return _analysis(expr)[1] if expr is not None else {}


def _positive_facts(expr: CompiledExpr) -> frozenset[str]:
    found: set[str] = set()
    parents = _parents(expr.root)

    def walk(node: A.Node, negated: bool) -> None:
        if isinstance(node, A.Not):
            return  # exclusions (e.g. `not (self-corrected and not fraud)`) do not catch conduct
        if isinstance(node, A.Known):
            return
        if isinstance(node, A.Fact) and not negated:
            path = expr.fact_paths.get(node.idx, "")
            if node.idx in expr.fact_paths and _is_bool_position(node, parents.get(id(node))):
                found.add(path)
            return
        if isinstance(node, A.Compare) and node.op == "==" and isinstance(node.right, A.Lit) \
                and node.right.value is True and isinstance(node.left, A.Fact) and not negated:
            found.add(expr.fact_paths.get(node.left.idx, ""))
            return
        if isinstance(node, (A.BoolOp, A.Quant)):
            for k in A.children(node):
                walk(k, negated)

    walk(expr.root, False)
    found.discard("")
    return frozenset(found)


def _is_bool_position(node: A.Node, parent: A.Node | None) -> bool:
    # A fact used directly as a condition operand (not as a compared value): its parent is a
    # BoolOp, Not, Quant predicate, or it is the root.
    return parent is None or isinstance(parent, (A.BoolOp, A.Not)) or (
        isinstance(parent, A.Quant) and parent.pred is node)


def _parents(root: A.Node) -> dict[int, A.Node]:
    """id(node) -> its parent, for every node under ``root``."""
    out: dict[int, A.Node] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        for k in A.children(n):
            out[id(k)] = n
            stack.append(k)
    return out


DECIDING_KINDS = frozenset({"non_acceptance", "suspension", "rescission", "termination", "measures"})


def _required_values(expr: CompiledExpr) -> dict[str, object]:
    root = expr.root
    conjuncts = root.items if isinstance(root, A.BoolOp) and root.op == "and" else [root]
    pinned: dict[str, object] = {}
    for c in conjuncts:
        if isinstance(c, A.Compare) and c.op == "==" and isinstance(c.left, A.Fact) and isinstance(c.right, A.Lit):
            pinned[expr.fact_paths.get(c.left.idx, "")] = c.right.value
    return pinned


def _exclusive(a: dict[str, object], b: dict[str, object]) -> bool:
    return any(k in b and b[k] != v for k, v in a.items())


def find_overlaps(all_rules: "tuple[ResolvedRule, ...] | list[ResolvedRule]") -> list[Overlap]:
    """Every pair of deciding rules that one finding can fire with different results."""
    rules = [r for r in all_rules if r.kind in DECIDING_KINDS and r.fires_on is True]
    facts = {r.id: positive_facts(r.condition) for r in rules}
    pins = {r.id: required_values(r.condition) for r in rules}
    by_fact: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        for f in facts[r.id]:
            by_fact.setdefault(f, []).append(i)
    candidates = sorted({(i, j) for idx in by_fact.values() for i, j in combinations(idx, 2)})
    out = []
    for i, j in candidates:  # only pairs that share a positive fact, in rule order
        a, b = rules[i], rules[j]
        if (a.kind, a.outcome, a.tier) == (b.kind, b.outcome, b.tier) or _exclusive(pins[a.id], pins[b.id]):
            continue
        out.append(Overlap(a, b, tuple(sorted(facts[a.id] & facts[b.id]))))
    return out


def overlap_diagnostics(overlaps: list[Overlap]) -> list[Diagnostic]:
    """One ``rule-overlap`` warning per rule, naming every later rule it overlaps with."""
    grouped: dict[str, list[Overlap]] = {}
    for o in overlaps:
        grouped.setdefault(o.first.id, []).append(o)
    out = []
    for items in grouped.values():
        first = items[0].first
        others = "; ".join(f"'{o.second.id}' ({o.second.label}) on {', '.join(o.facts)}" for o in items)
        out.append(Diagnostic(
            "rule-overlap", f"'{first.id}' ({first.label}) and other rules can fire on the same finding: {others}",
            first.location, first.id,
            "if intended (an escalation, or two articles naming the same conduct), say in the rules' notes how "
            "they relate; decisions list every rule that fired and state how they were combined", "warning"))
    return out
