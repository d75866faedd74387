"""Formulas: the positive and/or expressions durable_rules matches, and what it accepts of them.

A rule's three-valued condition is compiled into positive formulas: for every node ``T``
(definitely true), ``F`` (definitely false), ``U`` (unknown) and their complements (``Tri``), so
that durable_rules decides per rule whether it *fired* or is *unknown*. The helpers here build
and simplify those formulas, write them as durable_rules JSON, and keep them within what
durable_rules 2.0.28 builds (nesting, expansion, a trial build); ``compiler`` decides what to do
with one it refuses.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

_DR_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}

# --- formulas -------------------------------------------------------------------------------
# A formula is True, False, ("x", leaf-json), ("and", (f, ...)) or ("or", (f, ...)).


def _and(*items: Any) -> Any:
    out: list[Any] = []
    for f in items:
        if f is False:
            return False
        if f is True:
            continue
        if isinstance(f, tuple) and f[0] == "and":
            out.extend(f[1])
        elif f not in out:
            out.append(f)
    if not out:
        return True
    return out[0] if len(out) == 1 else ("and", tuple(out))


def _or(*items: Any) -> Any:
    out: list[Any] = []
    for f in items:
        if f is True:
            return True
        if f is False:
            continue
        if isinstance(f, tuple) and f[0] == "or":
            out.extend(f[1])
        elif f not in out:
            out.append(f)
    if not out:
        return False
    return out[0] if len(out) == 1 else ("or", tuple(out))


def _leaf(op: str, name: str, value: Any) -> Any:
    """A test of field ``name`` against a constant, or against another field (``("$m", other)``)."""
    if isinstance(value, tuple) and value[0] == "$m":
        value = {"$m": value[1]}
    if op == "==":
        return ("x", _Frozen({name: value}))
    return ("x", _Frozen({_DR_OP[op]: {name: value}}))


class _Frozen(dict):
    """A hashable dict (formula leaves are compared when formulas are simplified)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(repr(sorted(self.items(), key=lambda kv: kv[0])))


def to_json(f: Any) -> dict[str, Any]:
    """The durable_rules expression of a formula (``True`` must be handled by the caller)."""
    if isinstance(f, tuple):
        if f[0] == "x":
            return _plain(f[1])
        key = "$and" if f[0] == "and" else "$or"
        return {key: [to_json(i) for i in f[1]]}
    raise ValueError(f"constant formula {f!r} has no durable_rules expression")


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def depth(f: Any) -> int:
    """Nesting of and/or (durable_rules 2.0.28 refuses more than 4 levels: error 113)."""
    if isinstance(f, tuple) and f[0] in ("and", "or"):
        return 1 + max(depth(i) for i in f[1])
    return 0


def _leaf_key(leaf: Any) -> tuple[str, str, Any] | None:
    (k, v), = leaf[1].items()
    if k.startswith("$"):
        (name, value), = v.items()
        return (k, name, value)
    return ("==", k, v)


def _contradicts(term: tuple[Any, ...]) -> bool:
    eq: dict[str, Any] = {}
    neq: set[tuple[str, Any]] = set()
    for leaf in term:
        key = _leaf_key(leaf)
        if key is None or isinstance(key[2], dict):
            continue
        op, name, value = key
        if op == "==":
            if name in eq and eq[name] != value:
                return True
            eq[name] = value
        elif op == "$neq":
            neq.add((name, value))
    return any((n, v) in neq for n, v in eq.items())


def to_dnf(f: Any, cap: int = 64) -> Any:
    """An equivalent or-of-ands (contradictory terms dropped), or None past ``cap`` terms."""
    def terms(x: Any) -> list[tuple[Any, ...]] | None:
        if x is True:
            return [()]
        if x is False:
            return []
        if x[0] == "x":
            return [(x,)]
        parts = [terms(i) for i in x[1]]
        if any(p is None for p in parts):
            return None
        if x[0] == "or":
            out = [t for p in parts for t in p]  # type: ignore[union-attr]
        else:
            out = [()]
            for p in parts:
                out = [a + b for a in out for b in p]  # type: ignore[union-attr]
                out = [t for t in out if not _contradicts(t)]
                if len(out) > cap:
                    return None
        return out if len(out) <= cap else None
    ts = terms(f)
    if ts is None:
        return None
    return _or(*(_and(*t) for t in ts))


def dnf_terms(f: Any) -> int:
    """How many and-terms durable_rules expands ``f`` into (it compiles disjunctions into branches)."""
    if isinstance(f, tuple) and f[0] == "or":
        return sum(dnf_terms(i) for i in f[1])
    if isinstance(f, tuple) and f[0] == "and":
        n = 1
        for i in f[1]:
            n *= dnf_terms(i)
        return n
    return 1


MAX_LEAVES = 96
MAX_TERMS = 64  # durable_rules 2.0.28 fails (error 113) on large expansions; past this, Python decides


def shallow(f: Any) -> Any:
    """``f`` if durable_rules accepts its nesting and expansion, else its pruned DNF, else None."""
    if depth(f) <= 4 and dnf_terms(f) <= MAX_TERMS and formula_size(f) <= MAX_LEAVES:
        return f
    d = to_dnf(f, MAX_TERMS)
    return d if d is None or (depth(d) <= 4 and formula_size(d) <= MAX_LEAVES) else None


def formula_size(f: Any) -> int:
    if isinstance(f, tuple) and f[0] in ("and", "or"):
        return sum(formula_size(i) for i in f[1])
    return 1


@dataclass(frozen=True)
class Tri:
    """The five positive formulas of one boolean node."""

    T: Any
    F: Any
    U: Any

    @property
    def NT(self) -> Any:  # not definitely true
        return _or(self.F, self.U)

    @property
    def NF(self) -> Any:  # not definitely false
        return _or(self.T, self.U)


def _tri_and(items: list[Tri]) -> Tri:
    return Tri(_and(*(i.T for i in items)), _or(*(i.F for i in items)),
               _and(*(i.NF for i in items), _or(*(i.U for i in items))))


def _tri_or(items: list[Tri]) -> Tri:
    return Tri(_or(*(i.T for i in items)), _and(*(i.F for i in items)),
               _and(*(i.NT for i in items), _or(*(i.U for i in items))))


def _accepted(f: Any) -> bool:
    """Whether durable_rules builds a rule of this formula (tried on a throwaway ruleset, once per
    formula: the engine keeps native memory for every ruleset it ever created, so probing again
    on each compile of a pack grew a process that supervises freshly loaded packs without bound)."""
    if isinstance(f, bool):
        return True
    text = json.dumps({"r": {"all": [{"m": to_json(f)}]}})
    known = _ACCEPTED.get(text)
    if known is not None:
        return known
    import durable_rules_engine as dre

    try:
        handle = dre.create_ruleset(f"dd_probe_{next(_PROBES)}", text)
    except Exception:
        known = False
    else:
        dre.delete_ruleset(handle)
        known = True
    if len(_ACCEPTED) > 50_000:
        _ACCEPTED.clear()
    _ACCEPTED[text] = known
    return known


_PROBES = itertools.count()
_ACCEPTED: dict[str, bool] = {}  # a probed formula's JSON -> whether durable_rules builds it
