"""What a pack's conditions read: the facts (``facts_read``), the facts read closed-world with
``is known`` (``closed_world_facts``) and the rules that test ``is known`` (``rules_testing_known``).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..packs.compiling import limits_named
from ..conditions import ast as A
from ..packs.resolved import ResolvedPack


def _exprs(pack: ResolvedPack, question: str | None = None) -> Iterable[tuple[str, Any]]:
    """(rule id, compiled expression) of every condition, deadline and amount of the pack, or of
    ``question``'s candidate and deadline rules."""
    if question is None:
        rules: Iterable[Any] = pack.rules
    else:
        plan = pack.plans[question]  # type: ignore[index]
        rules = plan.rules + plan.deadline_rules  # type: ignore[attr-defined]
    for r in rules:
        for e in (r.condition, r.deadline_start, r.deadline_extend):
            if e is not None:
                yield r.id, e
        for m in r.measures:
            if m.amount_base is not None:
                yield r.id, m.amount_base


def _walk(node: A.Node) -> Iterable[A.Node]:
    yield node
    for k in A.children(node):
        yield from _walk(k)


def closed_world_facts(pack: ResolvedPack, question: str | None = None) -> frozenset[str]:
    """Fact paths that some condition of ``pack`` (of ``question``'s candidate rules, if given)
    tests with ``is known`` / ``is unknown``.

    Such a fact is read closed-world: its absence means something (no request was made, no
    resume application was filed), so filling it may legitimately change a definite answer.
    Monotonicity properties keep these unknown (``fill_unknowns(..., keep=...)``)."""
    out: set[str] = set()
    ids = None if question is None else {r.id for r in pack.plans[question].rules}  # type: ignore[attr-defined]
    exprs = list(_exprs(pack, question))
    if ids is not None:  # ... unless a rule acts on that limit through due()/status(): then it does
        named = {lim for r in pack.plans[question].rules for lim in limits_named(r.when)}  # type: ignore[attr-defined]
        ids |= named
        exprs += [(r.id, r.condition) for r in pack.rules if r.id in named and r.condition is not None]
    for rid, e in exprs:
        if ids is not None and rid not in ids:
            continue  # a deadline's `applies_when: x is known` decides no outcome, unless a rule acts on it
        for n in _walk(e.root):
            if isinstance(n, A.Known):
                out.update(e.fact_paths[k.idx] for k in _walk(n) if isinstance(k, A.Fact))
    return frozenset(out)


def facts_read(pack: ResolvedPack, question: str | None = None) -> frozenset[str]:
    """Fact paths the pack's conditions, deadlines and amounts read (of ``question``'s rules, if given)."""
    return frozenset(path for _, e in _exprs(pack, question) for path in e.fact_paths.values())


def rules_testing_known(pack: ResolvedPack) -> frozenset[str]:
    """Ids of the rules whose condition uses ``is known`` / ``is unknown`` (not monotone in the facts)."""
    return frozenset(r.id for r in pack.rules if r.condition is not None
                     and any(isinstance(n, A.Known) for n in _walk(r.condition.root)))
