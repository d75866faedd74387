"""Compile checked condition trees into Python functions, once, at load time.

A condition becomes a ``CompiledExpr``, whose fast and traced functions are generated from the
checked tree (``codegen``) and compiled to bytecode on first use; ``fuse`` joins the fast code of
a question's conditions into one function.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable

from .. import time as timecalc
from . import ast as A
from .codegen import _Gen
from .types import ParamInfo


class _NotEvaluated:
    __slots__ = ()

    def __repr__(self) -> str:
        return "not evaluated"


NOT_EVALUATED = _NotEvaluated()


class CompiledExpr:
    """A condition (or value expression), checked and ready to run for one resolved pack.

    Python source for the fast and traced variants is generated from the checked tree on first
    use and compiled to bytecode then: many conditions are never called in a process (untraced
    evaluation runs the question's fused function), and loading every bundled pack stays fast.
    Nothing is parsed or looked up by name when it runs."""

    __slots__ = ("text", "root", "size", "fact_paths", "_params", "_calendar", "_name", "_code", "item_var")

    def __init__(self, text: str, root: A.Node, size: int, fact_paths: dict[int, str],
                 params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, name: str,
                 item_var: str | None = None) -> None:
        """``item_var``: a variable bound to one item of a list (a per-item deadline's start),
        passed as the functions' last argument ``I``."""
        self.text, self.root, self.size, self.fact_paths = text, root, size, fact_paths
        self._params, self._calendar, self._name = params, calendar, name
        self._code: dict[bool, tuple[str, dict[str, Any]]] = {}
        self.item_var = item_var

    def _generated(self, traced: bool) -> tuple[str, dict[str, Any]]:
        hit = self._code.get(traced)
        if hit is None:
            gen = _Gen(self._params, self._calendar, traced)
            if self.item_var is not None:
                gen.vars[self.item_var] = "I"
            result = gen.expr(self.root)
            args = "c, today, E, T" if traced else "c, today, E"
            if self.item_var is not None:
                args += ", I=None"
            src = f"def _f({args}):\n" + "\n".join(gen.lines) + f"\n    return {result}\n"
            namespace: dict[str, Any] = dict(gen.consts)
            namespace["__builtins__"] = {"len": len, "tuple": tuple}
            hit = self._code[traced] = (src, namespace)
        return hit

    def _function(self, traced: bool) -> Callable[..., Any]:
        src, namespace = self._generated(traced)
        fn = namespace.get("_f")
        if fn is None:
            label = f"<condition {self._name}{' traced' if traced else ''}>"
            exec(compile(src, label, "exec"), namespace)  # noqa: S102
            fn = namespace["_f"]
        return fn

    @property
    def fast(self) -> Callable[..., Any]:
        return self._function(False)

    @property
    def traced(self) -> Callable[..., Any]:
        return self._function(True)

    @property
    def fast_source(self) -> str:
        return self._generated(False)[0]

    @property
    def fast_consts(self) -> dict[str, Any]:
        return {k: v for k, v in self._generated(False)[1].items() if k.startswith("_k")}

    @property
    def python_source(self) -> str:
        return self.fast_source + "\n" + self._generated(True)[0]

    def run_traced(self, case: object, today: date, est: set[int], item: object = None) -> tuple[Any, list[Any]]:
        slots = [NOT_EVALUATED] * self.size
        if self.item_var is not None:
            return self.traced(case, today, est, slots, item), slots
        return self.traced(case, today, est, slots), slots


def compile_expr(text: str, root: A.Node, size: int, fact_paths: dict[int, str],
                 params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, name: str,
                 item_var: str | None = None) -> CompiledExpr:
    """The compiled form of one checked tree (Python generated and compiled on first use)."""
    return CompiledExpr(text, root, size, fact_paths, params, calendar, name, item_var)


_NAMES = re.compile(r"\b_([tk])(\d+)\b")


def fuse(exprs: "list[CompiledExpr] | tuple[CompiledExpr, ...]", name: str) -> Callable[..., tuple]:
    """One function computing every expression's fast value, returned as a tuple.

    The bodies are the expressions' own generated code (from their checked trees), with each
    expression's temporaries and constants renamed apart; one call per question instead of one
    per rule. Results equal calling each ``fast`` in turn (a test checks it)."""
    lines = ["def _plan(c, today, E):"]
    namespace: dict[str, Any] = {"__builtins__": {"len": len, "tuple": tuple}}
    results = []
    for i, expr in enumerate(exprs):
        body = expr.fast_source.split("\n")[1:]  # drop the def line
        ret = next(line for line in reversed(body) if line.strip().startswith("return "))
        rename = lambda m, i=i: f"_r{i}{m.group(1)}{m.group(2)}"  # noqa: E731
        for line in body:
            if line is ret or not line.strip():
                continue
            lines.append(_NAMES.sub(rename, line))
        results.append(_NAMES.sub(rename, ret.strip()[len("return "):]))
        for k, v in expr.fast_consts.items():
            namespace[_NAMES.sub(rename, k)] = v
    lines.append("    return (" + "".join(f"{r}, " for r in results) + ")")
    exec(compile("\n".join(lines) + "\n", f"<plan {name}>", "exec"), namespace)  # noqa: S102
    return namespace["_plan"]


# Python refuses more than 20 nested loops and about 100 levels of indentation. The checker
# (``parser.parse_counted``) refuses a condition whose generated code would need more, so a
# condition that loads always compiles; the limits are far above anything a rule needs.
MAX_CODE_LEVELS = 90
MAX_CODE_LOOPS = 16


def code_nesting(root: A.Node) -> tuple[tuple[int, A.Node], tuple[int, A.Node]]:
    """How deeply the code ``_Gen`` writes for this tree nests, in one walk without recursion:
    ((block levels, the node that starts the deepest), (nested loops, the innermost quantifier)).
    An and/or operand after the first opens one level; a quantifier's predicate opens two (its
    guard and its loop) and a loop. Nothing else adds a level: a leaf writes at most one indented
    line of its own."""
    levels, loops = (0, root), (0, root)
    stack = [(root, 0, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, lv, lp = pop()
        if lv > levels[0]:
            levels = (lv, node)
        if isinstance(node, A.BoolOp):
            for i, item in enumerate(node.items):
                push((item, lv + (i > 0), lp))
        elif isinstance(node, A.Quant) and node.pred is not None:
            if lp + 1 > loops[0]:
                loops = (lp + 1, node)
            push((node.source, lv, lp))  # type: ignore[arg-type]
            push((node.pred, lv + 2, lp + 1))
        else:
            for kid in A.children(node):
                push((kid, lv, lp))
    return levels, loops
