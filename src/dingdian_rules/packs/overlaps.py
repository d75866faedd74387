"""Find rules of one resolved pack that catch the same conduct with different outcomes.

Two rules overlap when some boolean fact appears *positively* in both conditions (not under a
``not``), so one finding can fire both, and they lead to different results (kind, outcome or
tier). ``validate`` lists each pair as a ``rule-overlap`` warning; a decision in which both fire
says how they were combined (see ``Decision.combination``).
"""

from __future__ import annotations

from dataclasses import dataclass
from bisect import bisect_right

from ..conditions import ast as A
from ..conditions.compile import CompiledExpr
from ..errors import Diagnostic
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


MAX_OVERLAPS = 1_000  # pairs kept, for warnings and decisions' notes (the bundled packs have at most 84)
MAX_PAIR_CHECKS = 200_000  # pairs of rules with different results looked at before the analysis stops
NAMED_PER_WARNING = 20  # later rules a rule-overlap warning names before "and N more"


class Overlaps(list):
    """``find_overlaps``' pairs, in rule order; ``stopped_at`` is the rule at which the analysis
    stopped early, and ``why`` the limit it reached, else None."""

    stopped_at: ResolvedRule | None = None
    why: str = ""


def find_overlaps(all_rules: "tuple[ResolvedRule, ...] | list[ResolvedRule]") -> Overlaps:
    """Every pair of deciding rules that one finding can fire with different results.

    Rules are grouped by shared positive fact and, within a fact, by result, so only pairs with
    different results are ever looked at: thousands of rules with one result cost one pass.
    The number of real overlaps can still grow with the square of the rules (3,000 rules on one
    fact with two outcomes make 2.25 million pairs), so at most ``MAX_OVERLAPS`` pairs are kept
    and ``MAX_PAIR_CHECKS`` looked at; past either, the analysis stops and says so (a
    ``too-many-overlaps`` warning), so time and memory stay linear in the rules.
    """
    rules = [r for r in all_rules if r.kind in DECIDING_KINDS and r.fires_on is True]
    facts = [positive_facts(r.condition) for r in rules]
    pins = [required_values(r.condition) for r in rules]
    results = [(r.kind, r.outcome, r.tier) for r in rules]
    by_fact: dict[str, dict[tuple, list[int]]] = {}
    for i, r in enumerate(rules):
        for f in facts[i]:
            by_fact.setdefault(f, {}).setdefault(results[i], []).append(i)
    found: set[tuple[int, int]] = set()
    out = Overlaps()
    checks = 0
    for f in sorted(by_fact):
        groups = by_fact[f]
        if len(groups) < 2:
            continue  # one result: no pair of these rules overlaps
        for i in sorted(i for idx in groups.values() for i in idx):  # in rule order, so a stop is "at rule i"
            for result, idx in groups.items():
                checks += 1
                if result == results[i]:
                    continue
                for j in idx[bisect_right(idx, i):]:
                    checks += 1
                    if checks > MAX_PAIR_CHECKS:
                        out.stopped_at, out.why = rules[i], f"{MAX_PAIR_CHECKS:,} pairs of rules were compared"
                        return _ordered(out, found, rules, facts)
                    if (i, j) in found or _exclusive(pins[i], pins[j]):
                        continue
                    if len(found) >= MAX_OVERLAPS:
                        out.stopped_at, out.why = rules[i], f"more than {MAX_OVERLAPS:,} pairs overlap"
                        return _ordered(out, found, rules, facts)
                    found.add((i, j))
    return _ordered(out, found, rules, facts)


def _ordered(out: Overlaps, found: set[tuple[int, int]], rules: list[ResolvedRule],
             facts: list[frozenset[str]]) -> Overlaps:
    out.extend(Overlap(rules[i], rules[j], tuple(sorted(facts[i] & facts[j]))) for i, j in sorted(found))
    return out


def overlap_diagnostics(overlaps: list[Overlap]) -> list[Diagnostic]:
    """One ``rule-overlap`` warning per rule, naming the later rules it overlaps with (the
    first ``NAMED_PER_WARNING``, then how many more), and ``too-many-overlaps`` if the analysis
    stopped early."""
    grouped: dict[str, list[Overlap]] = {}
    for o in overlaps:
        grouped.setdefault(o.first.id, []).append(o)
    out = []
    for items in grouped.values():
        first = items[0].first
        others = "; ".join(f"'{o.second.id}' ({o.second.label}) on {', '.join(o.facts)}"
                           for o in items[:NAMED_PER_WARNING])
        if len(items) > NAMED_PER_WARNING:
            others += f"; and {len(items) - NAMED_PER_WARNING} more"
        out.append(Diagnostic(
            "rule-overlap", f"'{first.id}' ({first.label}) and other rules can fire on the same finding: {others}",
            first.location, first.id,
            "if intended (an escalation, or two articles naming the same conduct), say in the rules' notes how "
            "they relate; decisions list every rule that fired and state how they were combined", "warning"))
    stopped = getattr(overlaps, "stopped_at", None)
    if stopped is not None:
        out.append(Diagnostic(
            "too-many-overlaps", f"the overlap analysis stopped at '{stopped.id}' ({getattr(overlaps, 'why', '')}): "
            f"{len(overlaps):,} pairs of rules that one finding can fire with different results are reported, "
            "later ones are neither warned about nor noted in decisions", stopped.location, stopped.id,
            "group rules that catch the same finding, or give them one result (kind, outcome and tier)", "warning"))
    return out
