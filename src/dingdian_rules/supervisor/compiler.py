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

The formulas live in ``formulas``, the wire form of a case's facts and the ``today`` probe in
``case_wire``; this module builds a pack's formulas and derived facts (``compile_pack``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable
import weakref

from ..conditions import ast as A
from ..conditions.compile import CompiledExpr, compile_expr
from ..conditions.types import ParamInfo
from ..facts.models import Case
from ..packs.resolved import ResolvedPack, ResolvedRule
from .case_wire import _DAY, _SEEN, SENT, _getter, _safely, path_kind, probe, to_wire
from .formulas import Tri, _accepted, _and, _leaf, _or, _tri_and, _tri_or, shallow, to_json

QUESTIONS = ("agreement", "request", "conduct")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}

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
