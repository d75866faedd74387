"""Compile a resolved pack's agreement, request and conduct rules into a durable_rules ruleset.

Each candidate rule's condition is split at its Kleene skeleton (``and`` / ``or`` / ``not``)
into *atoms*. An atom durable_rules can test by itself becomes a test on a **direct field** of
the institution's fact (``conduct.major_fund_risk``, ``request.kind == 'suspend'``,
``request.filed_on > X``, ``agreement.home_region_action is known``, membership in a constant
list). Everything its expression language cannot do — date arithmetic and working days, ``any``
/ ``all`` / ``count`` over lists, comparisons with today — is a **derived fact**, computed in
Python by compiling that sub-expression with the same condition compiler the native evaluator
uses (so dates, calendars and parameters agree): a derived *value* (``sub(request.effective_on,
$request_lead_time)`` as a day number, a ``count(...)``) that durable_rules still compares, or a
derived *truth value* ``'T'`` / ``'F'`` / ``'U'`` (``any(s in agreement.suspensions where …)``).

Three-valued logic is compiled into positive formulas: for every node ``T`` (definitely true),
``F`` (definitely false), ``U`` (unknown) and their complements, so that durable_rules decides
per rule whether it *fired* (its condition has the value that makes it fire) or is *unknown*;
otherwise it did not fire. Unknown facts are sent as the sentinel ``'?'``, never left out
(testing a missing field loops in durable_rules 2.0.28); dates are day numbers (``toordinal``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Any, Callable, get_args, get_origin
import types
import weakref

from pydantic import BaseModel

from ..conditions import ast as A
from ..conditions.compile import CompiledExpr, compile_expr
from ..conditions.types import ParamInfo
from ..facts.models import Case
from ..packs.resolved import ResolvedPack, ResolvedRule

SENT = "?"  # an unknown value in a durable_rules fact
QUESTIONS = ("agreement", "request", "conduct")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
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


# --- fact paths -----------------------------------------------------------------------------
def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (types.UnionType,) or str(get_origin(annotation)) == "typing.Union":
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def path_kind(path: tuple[str, ...]) -> str:
    """``scalar``, ``list`` or ``object``: what a fact path holds (walked through the models)."""
    model: Any = Case
    ann: Any = Case
    for seg in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or seg not in model.model_fields:
            return "other"
        ann = _unwrap(model.model_fields[seg].annotation)
        if get_origin(ann) is list:
            return "list"
        model = ann
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "object"
    return "scalar"


def to_wire(v: Any) -> Any:
    """A Python fact value as durable_rules sees it."""
    if v is None:
        return SENT
    if isinstance(v, bool):
        return v
    if isinstance(v, date):
        return v.toordinal()
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (int, float, str)):
        return v
    raise TypeError(f"no durable_rules form for {type(v).__name__}")


def _getter(path: tuple[str, ...]) -> Callable[[Case], Any]:
    def get(case: Case) -> Any:
        v: Any = case
        for seg in path:
            v = getattr(v, seg)
            if v is None:
                return None
        return v
    return get


# --- the probe: which dates a time-dependent atom compares today with -----------------------
_SEEN: list[date] = []


class TodayProbe(date):
    """``today`` that records every date it is compared with (into ``_SEEN``).

    An atom's value can change only on a day where one of the comparisons it evaluated flips,
    so the next such day is when ``advance`` must look again. Python gives the subclass's
    reflected comparison priority, so ``d <= today`` is recorded too.
    """

    def __lt__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__lt__(self, o)

    def __le__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__le__(self, o)

    def __gt__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__gt__(self, o)

    def __ge__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__ge__(self, o)

    def __eq__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__eq__(self, o)

    def __ne__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__ne__(self, o)

    __hash__ = date.__hash__


def probe(d: date) -> TodayProbe:
    return TodayProbe(d.year, d.month, d.day)


_DAY = timedelta(days=1)


def _safely(expr: CompiledExpr, case: Case, today: date, est: set[int]) -> Any:
    """``expr`` on the case, or None (unknown) when its date arithmetic leaves years 1–9999."""
    try:
        return expr.fast(case, today, est)
    except OverflowError:
        return None


# --- compiled pack --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Derived:
    name: str
    expr: CompiledExpr
    kind: str  # "truth" (T/F/U) or "value" (number or day number)
    uses_today: bool
    daily: bool = False  # today feeds arithmetic the probe cannot follow: look again every day


@dataclass(frozen=True, eq=False)
class CompiledRule:
    index: int  # position in CompiledPack.rules
    question: str
    plan_index: int  # position among the question's plan rules
    rule: ResolvedRule
    fire: Any  # formula: the condition has the value that makes the rule fire
    unknown: Any  # formula: the condition is unknown


@dataclass(eq=False)
class CompiledPack:
    """Everything a supervisor of one pack needs, built once per resolved pack.

    It holds its pack weakly: it is the value of a cache keyed weakly by that pack, and a strong
    reference from the value would keep every pack ever supervised (and its compiled form) alive."""

    pack_ref: "weakref.ref[ResolvedPack]"
    rules: list[CompiledRule]
    fields: dict[str, tuple[str, ...]]  # direct field name -> fact path
    derived: list[Derived]
    by_question: dict[str, list[CompiledRule]] = field(default_factory=dict)
    getters: list[tuple[str, Callable[[Case], Any]]] = field(default_factory=list)

    @property
    def pack(self) -> ResolvedPack:
        pack = self.pack_ref()
        if pack is None:
            raise ReferenceError("the pack of this compiled form is gone; compile_pack() it again")
        return pack

    def derive(self, case: Case, today: date, est: set[int]) -> tuple[dict[str, Any], set[date]]:
        """The fact sent to durable_rules for ``case`` on ``today``, and the days it may change on.

        A derived value whose date arithmetic runs off the calendar (years 1 and 9999) is unknown
        rather than an ``OverflowError``: valid dates never stop the supervisor, and unknown
        fails closed as everywhere else. No day after 9999-12-31 is ever scheduled."""
        rec: dict[str, Any] = {}
        for name, get in self.getters:
            rec[name] = to_wire(get(case))
        critical: set[date] = set()
        t = probe(today)
        for d in self.derived:
            if d.uses_today:
                _SEEN.clear()
                v = _safely(d.expr, case, t, est)
                for x in _SEEN:
                    if isinstance(x, date):
                        critical.add(x)
                        if x < date.max:
                            critical.add(x + _DAY)
                _SEEN.clear()
                if d.daily and today < date.max:
                    critical.add(today + _DAY)
            else:
                v = _safely(d.expr, case, today, est)
            if d.kind == "truth":
                rec[d.name] = "U" if v is None else ("T" if v else "F")
            else:
                rec[d.name] = to_wire(v)
        return rec, critical

    def definition(self, action: Callable[[int, str], Callable[[Any], None]]) -> dict[str, Any]:
        """A fresh durable_rules ruleset definition whose actions are ``action(rule_index, 'fire'|'unknown')``."""
        out: dict[str, Any] = {}
        for cr in self.rules:
            for kind, f in (("fire", cr.fire), ("unknown", cr.unknown)):
                if f is False:
                    continue
                expr = {"k": "s"} if f is True else to_json(f)
                out[f"r{cr.index}{kind[0]}"] = {"all": [{"m": expr}], "run": action(cr.index, kind)}
        return out


class _Builder:
    def __init__(self, pack: ResolvedPack) -> None:
        self.pack = pack
        self.params: dict[str, ParamInfo] = dict(pack.param_infos)  # type: ignore[arg-type]
        self.fields: dict[str, tuple[str, ...]] = {}
        self.derived: list[Derived] = []
        self._counter = itertools.count()

    # -- atoms --
    def field(self, path: tuple[str, ...]) -> str:
        name = "__".join(path)
        self.fields[name] = path
        return name

    def derive(self, node: A.Node, cond: CompiledExpr, kind: str, rule: ResolvedRule) -> str:
        name = f"d{next(self._counter)}"
        expr = compile_expr(cond.text, node, cond.size, cond.fact_paths, self.params, self.pack.calendar,
                            f"{rule.id} (supervisor {name})")
        self.derived.append(Derived(name, expr, kind, _uses_today(node), _today_in_arithmetic(node)))
        return name

    def derived_truth(self, node: A.Node, cond: CompiledExpr, rule: ResolvedRule) -> Tri:
        d = self.derive(node, cond, "truth", rule)
        return Tri(_leaf("==", d, "T"), _leaf("==", d, "F"), _leaf("==", d, "U"))

    # -- operands of a comparison: ("const", v) | ("field", name) --
    def operand(self, node: A.Node, cond: CompiledExpr, rule: ResolvedRule) -> tuple[str, Any] | None:
        if isinstance(node, A.Lit) and isinstance(node.value, (bool, int, float, str)):
            return ("const", node.value)
        if isinstance(node, A.DateLit):
            return ("const", node.value.toordinal())
        if isinstance(node, A.Param):
            v = self.params[node.name].value
            return ("const", v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        if isinstance(node, A.Fact):
            if node.var is None and path_kind(node.path) == "scalar":
                return ("field", self.field(node.path))
            return None
        if isinstance(node, (A.Call, A.Quant, A.Arith)) and not _uses_today(node) and not _has_var(node):
            if isinstance(node, A.Quant) and node.kind != "count":
                return None
            return ("field", self.derive(node, cond, "value", rule))
        return None

    # -- boolean nodes --
    def tri(self, node: A.Node, cond: CompiledExpr, rule: ResolvedRule) -> Tri:
        if isinstance(node, A.BoolOp):
            items = [self.tri(i, cond, rule) for i in node.items]
            return _tri_and(items) if node.op == "and" else _tri_or(items)
        if isinstance(node, A.Not):
            x = self.tri(node.operand, cond, rule)  # type: ignore[arg-type]
            return Tri(x.F, x.T, x.U)
        if isinstance(node, A.Lit) and isinstance(node.value, bool):
            return Tri(node.value, not node.value, False)
        if _uses_today(node) or _has_var(node):
            return self.derived_truth(node, cond, rule)
        if isinstance(node, A.Fact) and node.var is None and path_kind(node.path) == "scalar":
            f = self.field(node.path)
            return Tri(_leaf("==", f, True), _leaf("==", f, False), _leaf("==", f, SENT))
        if isinstance(node, A.Known) and isinstance(node.operand, A.Fact) and node.operand.var is None \
                and path_kind(node.operand.path) == "scalar":
            f = self.field(node.operand.path)
            known, unknown = _leaf("!=", f, SENT), _leaf("==", f, SENT)
            return Tri(unknown, known, False) if node.negated else Tri(known, unknown, False)
        if isinstance(node, A.Compare):
            t = self.compare(node, cond, rule)
            if t is not None:
                return t
        if isinstance(node, A.Member):
            t = self.member(node, cond, rule)
            if t is not None:
                return t
        return self.derived_truth(node, cond, rule)

    def compare(self, node: A.Compare, cond: CompiledExpr, rule: ResolvedRule) -> Tri | None:
        left = self.operand(node.left, cond, rule)  # type: ignore[arg-type]
        right = self.operand(node.right, cond, rule)  # type: ignore[arg-type]
        if left is None or right is None or (left[0] == "const" and right[0] == "const"):
            return None
        op = node.op
        if left[0] == "const":
            left, right, op = right, left, _FLIP[op]
        name = left[1]
        if right[0] == "const":
            c = right[1]
            known = _leaf("!=", name, SENT)
            t = _leaf(op, name, c) if op != "!=" else _and(known, _leaf("!=", name, c))
            neg = _NEG[op]
            f = _and(known, _leaf(neg, name, c)) if neg != "==" else _leaf("==", name, c)
            if op in ("<", "<=", ">", ">="):
                t = _and(known, t)
            return Tri(t, f, _leaf("==", name, SENT))
        other = right[1]
        known = _and(_leaf("!=", name, SENT), _leaf("!=", other, SENT))
        return Tri(_and(known, _leaf(op, name, ("$m", other))), _and(known, _leaf(_NEG[op], name, ("$m", other))),
                   _or(_leaf("==", name, SENT), _leaf("==", other, SENT)))

    def member(self, node: A.Member, cond: CompiledExpr, rule: ResolvedRule) -> Tri | None:
        e = node.element
        if not (isinstance(e, A.Fact) and e.var is None and path_kind(e.path) == "scalar"):
            return None
        cont = node.container
        if isinstance(cont, A.ListLit) and all(isinstance(i, A.Lit) for i in cont.items):
            values = [i.value for i in cont.items]  # type: ignore[attr-defined]
        elif isinstance(cont, A.Param) and isinstance(self.params[cont.name].value, list):
            values = list(self.params[cont.name].value)  # type: ignore[arg-type]
        else:
            return None
        name = self.field(e.path)
        hit = _or(*(_leaf("==", name, v) for v in values))
        miss = _and(_leaf("!=", name, SENT), *(_leaf("!=", name, v) for v in values))
        unknown = _leaf("==", name, SENT)
        return Tri(miss, hit, unknown) if node.negated else Tri(hit, miss, unknown)


def _walk(node: A.Node):
    yield node
    for k in A.children(node):
        yield from _walk(k)


def _uses_today(node: A.Node) -> bool:
    # due()/status() count a time limit whose status changes with today, and whose own
    # expressions may read today: always computed in Python, with the probe.
    return any(isinstance(n, A.Today) or (isinstance(n, A.Call) and n.name in ("within", "elapsed", "due", "status"))
               for n in _walk(node))


def _today_in_arithmetic(node: A.Node) -> bool:
    """Today used other than as an operand of a comparison or inside within()/elapsed()."""
    for n in _walk(node):
        if isinstance(n, (A.Call, A.Arith, A.Quant, A.ListLit, A.Member)):
            if any(isinstance(k, A.Today) for k in A.children(n)):
                return True
    return False


def _has_var(node: A.Node) -> bool:
    return any(isinstance(n, A.Fact) and n.var is not None for n in _walk(node))


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
_CACHE: "weakref.WeakKeyDictionary[ResolvedPack, CompiledPack]" = weakref.WeakKeyDictionary()


def compile_pack(pack: ResolvedPack) -> CompiledPack:
    """Compile (once per resolved pack; cached) the agreement, request and conduct rules."""
    hit = _CACHE.get(pack)
    if hit is not None:
        return hit
    b = _Builder(pack)
    rules: list[CompiledRule] = []
    by_q: dict[str, list[CompiledRule]] = {}
    for q in QUESTIONS:
        plan = pack.plans[q]  # type: ignore[index]
        for i, r in enumerate(plan.rules):  # type: ignore[attr-defined]
            cond = r.condition
            tri = b.tri(cond.root, cond, r)
            fire = shallow(tri.T if r.fires_on is not False else tri.F)
            unknown = shallow(tri.U)
            if fire is None or unknown is None:
                whole = b.derived_truth(cond.root, cond, r)  # the whole condition, in Python
                if fire is None:
                    fire = whole.T if r.fires_on is not False else whole.F
                if unknown is None:
                    unknown = whole.U
            if not (_accepted(fire) and _accepted(unknown)):  # a limit of durable_rules not modelled above
                whole = b.derived_truth(cond.root, cond, r)
                fire, unknown = (whole.T if r.fires_on is not False else whole.F), whole.U
            cr = CompiledRule(len(rules), q, i, r, fire, unknown)
            rules.append(cr)
            by_q.setdefault(q, []).append(cr)
    cp = CompiledPack(weakref.ref(pack), rules, dict(b.fields), b.derived, by_q)
    cp.getters = [(name, _getter(path)) for name, path in cp.fields.items()]
    _CACHE[pack] = cp
    return cp
