"""The code generator of compiled conditions (``_Gen``), used once per condition at first run.

The generator emits Python source from the *checked syntax tree* (never from the raw condition
text): fact paths become attribute reads guarded for unknown (``None``), parameters become
constants, and Kleene three-valued logic is inlined as branches. Each condition gets two
functions: ``fast(case, today, est)`` and ``traced(case, today, est, T)``, the latter also storing
every node's value in ``T[node.idx]`` so a trace tree and the missing facts can be rebuilt after
the fact without slowing the untraced path. ``est`` collects calendar years that a working-day
count had to estimate, and ``timecalc.BEFORE_CALENDAR``/``AFTER_CALENDAR`` when an ``add``/``sub``
day lies outside 0001-01-01..9999-12-31 (the day is then unknown).

The helpers the generated code calls (count bounds, working-day and calendar-end arithmetic) are
here too. The limits on how deeply the generated code may nest (``compile.code_nesting``, enforced
by the parser) and ``compile.CompiledExpr``, which runs it, are in ``compile``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from .. import time as timecalc
from ..time.periods import natural_last_day
from . import ast as A
from .types import ParamInfo


class _Gen:
    def __init__(self, params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, traced: bool) -> None:
        self.params = params
        self.calendar = calendar
        self.traced = traced
        self.lines: list[str] = []
        self.indent = 1
        self.count = 0
        self.consts: dict[str, Any] = {}
        self.vars: dict[str, str] = {}
        self.count_bounds: dict[int, tuple[str, str]] = {}  # count node idx -> (lo, unk) variables

    def tmp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def const(self, value: Any) -> str:
        name = f"_k{len(self.consts)}"
        self.consts[name] = value
        return name

    def record(self, node: A.Node, var: str) -> str:
        if self.traced:
            self.emit(f"T[{node.idx}] = {var}")
        return var

    # --- expressions ---------------------------------------------------------------------
    def expr(self, node: A.Node) -> str:
        return self.record(node, getattr(self, "_" + type(node).__name__)(node))

    def _Lit(self, node: A.Lit) -> str:
        if isinstance(node.value, (bool, int, float)):
            return repr(node.value)
        return self.const(node.value)

    def _DateLit(self, node: A.DateLit) -> str:
        return self.const(node.value)

    def _Today(self, node: A.Today) -> str:
        return "today"

    def _Param(self, node: A.Param) -> str:
        value = self.params[node.name].value
        if isinstance(value, list):
            value = frozenset(value)
        return self.const(value)

    def _ListLit(self, node: A.ListLit) -> str:
        if all(isinstance(i, (A.Lit, A.DateLit)) for i in node.items):
            return self.const(frozenset(i.value for i in node.items))  # type: ignore[attr-defined]
        parts = [self.expr(i) for i in node.items]
        r = self.tmp()
        self.emit(f"{r} = [{', '.join(parts)}]")
        return r

    def _Fact(self, node: A.Fact) -> str:
        r = self.tmp()
        if node.var is not None:
            base, rest = self.vars[node.var], node.path[1:]
        else:
            base, rest = "c", node.path
        for seg in rest:
            if not seg.isidentifier():  # guaranteed by the checker; guards the generated source
                raise ValueError(f"bad field name {seg!r}")
        if node.var is None:  # the case itself is never unknown
            self.emit(f"{r} = {base}.{rest[0]}")
            rest = rest[1:]
        else:
            self.emit(f"{r} = {base}")
        for seg in rest:
            self.emit(f"if {r} is not None: {r} = {r}.{seg}")
        return r

    def _Not(self, node: A.Not) -> str:
        x = self.expr(node.operand)
        r = self.tmp()
        self.emit(f"{r} = None if {x} is None else (not {x})")
        return r

    def _BoolOp(self, node: A.BoolOp) -> str:
        # Flat, not nested: each operand after the first runs only while the result is not yet
        # decided, so a long chain costs one block level, not one per operand (Python allows
        # fewer than 100; see ``code_nesting``).
        r = self.tmp()
        stop, other = ("False", "True") if node.op == "and" else ("True", "False")
        self.emit(f"{r} = {other}")
        for i, item in enumerate(node.items):
            if i:
                self.emit(f"if {r} is not {stop}:")
                self.indent += 1
            x = self.expr(item)
            self.emit(f"if {x} is {stop}: {r} = {stop}")
            self.emit(f"elif {x} is None: {r} = None")
            if i:
                self.indent -= 1
        return r

    def _guard(self, *pairs: tuple[A.Node, str]) -> str:
        constant = (A.Lit, A.DateLit, A.Param, A.Today)
        checks = [f"{v} is None" for n, v in pairs
                  if not isinstance(n, constant) and not (
                      isinstance(n, A.ListLit) and all(isinstance(i, constant) for i in n.items))]
        return " or ".join(checks)

    def _emit_guarded(self, r: str, value: str, *operands: tuple[A.Node, str]) -> None:
        """``r = value``, or unknown when an operand that can be unknown is."""
        guard = self._guard(*operands)
        self.emit(f"{r} = None if ({guard}) else ({value})" if guard else f"{r} = {value}")

    def _Compare(self, node: A.Compare) -> str:
        a, b = self.expr(node.left), self.expr(node.right)
        r = self.tmp()
        self._emit_guarded(r, f"{a} {node.op} {b}", (node.left, a), (node.right, b))
        bounds, other, other_node, op = self.count_bounds.get(node.left.idx), b, node.right, node.op
        if bounds is None and node.right.idx in self.count_bounds:
            bounds, other, other_node, op = self.count_bounds[node.right.idx], a, node.left, _MIRROR[op]
        if bounds is not None:
            lo, unk = bounds
            decide = self.const(_compare_bounds)
            known = self._guard((other_node, other))
            check = f" and not ({known})" if known else ""
            self.emit(f"if {r} is None and {lo} is not None{check}:")
            self.emit(f"    {r} = {decide}({lo}, {lo} + {unk}, {op!r}, {other})")
        return r

    def _Member(self, node: A.Member) -> str:
        e = self.expr(node.element)
        container = node.container
        cont = self.expr(container)
        r = self.tmp()
        op = "not in" if node.negated else "in"
        if isinstance(container, A.ListLit) and not all(isinstance(i, (A.Lit, A.DateLit)) for i in container.items):
            # items may be unknown: found among known items -> True; else unknown if any item unknown
            hit, unk = ("False", "True") if node.negated else ("True", "False")
            self.emit(f"if {e} is None: {r} = None")
            self.emit(f"elif {e} in {cont}: {r} = {hit}")
            self.emit(f"elif None in {cont}: {r} = None")
            self.emit(f"else: {r} = {unk}")
            return r
        self._emit_guarded(r, f"{e} {op} {cont}", (node.element, e), (container, cont))
        return r

    def _Known(self, node: A.Known) -> str:
        x = self.expr(node.operand)
        r = self.tmp()
        self.emit(f"{r} = {x} is {'' if node.negated else 'not '}None")
        return r

    def _Arith(self, node: A.Arith) -> str:
        a, b = self.expr(node.left), self.expr(node.right)
        r = self.tmp()
        self._emit_guarded(r, f"{a} {node.op} {b}", (node.left, a), (node.right, b))
        return r

    def _Quant(self, node: A.Quant) -> str:
        src = self.expr(node.source)
        r = self.tmp()
        if node.pred is None:
            self.emit(f"{r} = None if {src} is None else len({src})")
            return r
        var = self.tmp()
        self.vars[node.var or ""] = var
        results = self.tmp()
        if node.kind == "count":
            # lo: items whose predicate is true; unk: items whose predicate is unknown. The count is
            # known only when unk == 0, but a comparison with a known number may still be decided by
            # the bounds lo..lo+unk (see _Compare).
            lo, unk = self.tmp(), self.tmp()
            self.count_bounds[node.idx] = (lo, unk)
            self.emit(f"{lo} = None")
            self.emit(f"{unk} = 0")
            self.emit(f"if {src} is not None:")
            self.indent += 1
            self.emit(f"{lo} = 0")

            def tally(p: str) -> None:
                self.emit(f"if {p} is True: {lo} += 1")
                self.emit(f"elif {p} is None: {unk} += 1")

            self._emit_item_loop(node, var, src, results, tally)
            self.indent -= 1
            self.emit(f"{r} = {lo} if {unk} == 0 else None")
            return r
        start = {"any": "False", "all": "True"}[node.kind]
        self.emit(f"if {src} is None: {r} = None")
        self.emit("else:")
        self.indent += 1
        self.emit(f"{r} = {start}")
        decisive, other = ("True", "False") if node.kind == "any" else ("False", "True")

        def settle(p: str) -> None:
            self.emit(f"if {p} is {decisive}:")
            self.emit(f"    {r} = {decisive}")
            self.emit("    break")  # the traced variant stops too: tracing must not change what is computed
            self.emit(f"if {p} is None and {r} is {other}: {r} = None")

        self._emit_item_loop(node, var, src, results, settle)
        self.indent -= 1
        return r

    def _emit_item_loop(self, node: A.Quant, var: str, src: str, results: str,
                        on_item: Callable[[str], None]) -> None:
        """``for var in src:``, evaluating the predicate for each item (every item's value kept
        for the trace when traced) and emitting ``on_item(p)``, the quantifier's own step."""
        if self.traced:
            self.emit(f"{results} = []")
        self.emit(f"for {var} in {src}:")
        self.indent += 1
        p = self.expr(node.pred)
        if self.traced:
            self.emit(f"{results}.append({p})")
        on_item(p)
        self.indent -= 1
        if self.traced:
            self.emit(f"T[{node.pred.idx}] = tuple({results})")

    def _period(self, node: A.Param) -> tuple[int, str]:
        length, unit = self.params[node.name].value  # type: ignore[misc]
        return length, unit

    def _end_expr(self, d: str, param: A.Param, name: str) -> str:
        """The code for ``add``/``sub``'s day (None past the calendar's ends, recorded in E), or
        for the last day ``within``/``elapsed`` compare with (capped at 9999-12-31, which keeps
        their answers: no day lies after such a period's end)."""
        length, unit = self._period(param)
        if name in ("within", "elapsed"):
            if unit == "working_days":
                return f"{self.const(_working_last_day)}({d}, {length}, {self.const(self.calendar)}, E)"
            return f"{self.const(natural_last_day)}({d}, {length}, {unit!r})"
        fn = self.const(timecalc.add_period if name == "add" else timecalc.subtract_period)
        if unit == "working_days":
            return f"{self.const(_working_day_end)}({fn}, {d}, {length}, {self.const(self.calendar)}, E)"
        return f"{self.const(_shifted)}({fn}, {d}, {length}, {unit!r}, E)"

    def _limit_call(self, node: A.Call) -> str:
        """``due(limit)``, ``due(limit, d)``, ``status(limit)``: the limit's own count
        (deadlines.LimitRef), never a copy of it. Traced, the limit's slot holds its id, or the
        facts that would settle it when the result is unknown."""
        limit = node.args[0]
        assert isinstance(limit, A.Limit) and limit.ref is not None
        ref = self.const(limit.ref)
        r = self.tmp()
        if node.name == "status":
            self.emit(f"{r} = {ref}.status(c, today, E)")
            own = "True"
        elif len(node.args) == 1:
            self.emit(f"{r} = {ref}.due(c, today, E)")
            own = "True"
        else:
            d = self.expr(node.args[1])
            self.emit(f"{r} = None if {d} is None else {ref}.due_from({d}, c, today, E)")
            own = "False"
        if self.traced:
            self.emit(f"T[{limit.idx}] = {self.const(limit.rule_id)} if {r} is not None else "
                      f"{ref}.missing(c, today, {own})")
        return r

    def _Call(self, node: A.Call) -> str:
        name = node.name
        if name in ("due", "status"):
            return self._limit_call(node)
        args = [self.expr(a) for a in node.args]
        r = self.tmp()
        if name in ("year_end", "quarter_start", "quarter_end", "next_month_start"):
            fn = self.const(getattr(timecalc, name))
            self.emit(f"{r} = None if {args[0]} is None else {fn}({args[0]})")
            if name == "next_month_start":  # None after December 9999: off the calendar, said why
                self.emit(f"if {r} is None and {args[0]} is not None: E.add({timecalc.AFTER_CALENDAR})")
            return r
        if name == "day_in_year":
            fn = self.const(timecalc.day_in_year)
            self.emit(f"{r} = None if {args[0]} is None else {fn}({args[0]}, {args[1]}, {args[2]})")
            return r
        if name in ("day_before", "day_after"):
            self.emit(f"{r} = None if {args[0]} is None else {self.const(_next_day)}({args[0]}, "
                      f"{-1 if name == 'day_before' else 1}, E)")
            return r
        if name in ("within", "elapsed", "add", "sub"):
            d = args[0]
            end = self._end_expr(d, node.args[1], name)  # type: ignore[arg-type]
            body = {
                "within": f"({d} <= today and today <= {end})",
                "elapsed": f"(today > {end})",
                "add": end,
                "sub": end,
            }[name]
            self.emit(f"{r} = None if {d} is None else {body}")
            return r
        if name == "days_between":
            a, b = args
            self.emit(f"{r} = None if ({a} is None or {b} is None) else ({b} - {a}).days")
            return r
        raise ValueError(f"unknown function {name}")


_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _compare_bounds(lo: int, hi: int, op: str, k: Any) -> bool | None:
    """``count op k`` when the count is only known to lie in lo..hi: decided if every value in
    the range gives the same answer (filling the unknown items cannot change it), else unknown."""
    if op == ">=":
        return True if lo >= k else False if hi < k else None
    if op == ">":
        return True if lo > k else False if hi <= k else None
    if op == "<=":
        return True if hi <= k else False if lo > k else None
    if op == "<":
        return True if hi < k else False if lo >= k else None
    if op == "==":
        return False if k < lo or k > hi else None
    return True if k < lo or k > hi else None  # !=


def _next_day(d: date, step: int, est: set[int]) -> date | None:
    """The day before or after ``d``; None (recorded in ``est``) off the calendar's ends."""
    moved = timecalc.shift_days(d, step)
    if moved is None:
        est.add(timecalc.AFTER_CALENDAR if step > 0 else timecalc.BEFORE_CALENDAR)
    return moved


def _working_day_end(fn: Callable[..., timecalc.ComputedDate], d: date, length: int,
                     calendar: timecalc.WorkdayCalendar, est: set[int]) -> date | None:
    try:
        result = fn(d, length, "working_days", calendar)
    except timecalc.DateOutOfRange as exc:
        est.add(exc.year)
        return None
    if result.estimated:
        est.update(result.uncovered_years)
    return result.value


def _working_last_day(d: date, length: int, calendar: timecalc.WorkdayCalendar, est: set[int]) -> date:
    try:
        result = calendar.add_working_days(d, length)
    except timecalc.DateOutOfRange:
        return date.max
    if result.estimated:
        est.update(result.uncovered_years)
    return result.value


def _shifted(fn: Callable[..., timecalc.ComputedDate], d: date, length: int, unit: str, est: set[int]) -> date | None:
    try:
        return fn(d, length, unit).value
    except timecalc.DateOutOfRange as exc:
        est.add(exc.year)
        return None
