"""The load-time checker of the condition language, which resolves facts and parameters.

Checking happens once, when a pack is resolved: every fact path is looked up in the pydantic
fact models, every ``$parameter`` in the resolved pack, and every operator's operand types are
verified, so evaluation never looks anything up by name. The checker goes on after a mistake, so
an analyst sees every mistake of a condition at once: a part already reported takes the type
``ERROR``, which every check accepts silently, so one mistake is never reported twice.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..errors import did_you_mean
from ..reading.slips import BOOL_WORDS
from ..time.periods import MAX_PERIOD
from . import ast as A
from .types import (BOOL, DATE, DURATION, ERROR, INT, LIMIT_STATUS, NUM, TEXT, ParamInfo, Type, field_types, is_numeric,
                    is_textual)


class ConditionTypeError(Exception):
    """A condition is well-formed but mistyped or names something that does not exist."""

    def __init__(self, code: str, message: str, offset: int, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.offset, self.hint = code, message, offset, hint


@dataclass
class Checker:
    """Type-checks one condition tree; records each Fact node's resolved type and missing-path.

    ``check`` raises the first mistake; ``check_all`` collects every one in ``errors`` (in the
    order met), continuing past each with the type ``ERROR``."""

    root_model: type[BaseModel]
    params: dict[str, ParamInfo]
    limits: "typing.Mapping[str, object]" = field(default_factory=dict)  # time_limit id -> deadlines.LimitRef
    rolled: "typing.Mapping[str, str]" = field(default_factory=dict)  # period parameter -> the rolling limit it sets
    fact_types: dict[int, Type] = field(default_factory=dict)  # node idx -> type
    fact_paths: dict[int, str] = field(default_factory=dict)  # node idx -> display path of the fact
    used_facts: set[str] = field(default_factory=set)
    used_params: set[str] = field(default_factory=set)
    errors: list[ConditionTypeError] = field(default_factory=list)
    _scopes: list[dict[str, tuple[Type, str]]] = field(default_factory=list)

    def check(self, node: A.Node) -> Type:
        """The type of ``node``; raise its first mistake as ``ConditionTypeError``."""
        t = self.check_all(node)
        if self.errors:
            raise self.errors[0]
        return t

    def check_all(self, node: A.Node) -> Type:
        """The type of ``node`` (``ERROR`` when its own type is lost to a mistake); every mistake
        found is appended to ``errors``."""
        return self._visit(node)

    def check_bool(self, node: A.Node) -> None:
        t = self.check(node)
        if t != BOOL:
            raise ConditionTypeError("type-mismatch", f"the condition is {t}, not true/false", node.start,
                                     "compare it with something, e.g. `x >= 3` or `x == 'value'`")

    def _fail(self, code: str, message: str, offset: int, hint: str = "") -> Type:
        self.errors.append(ConditionTypeError(code, message, offset, hint))
        return ERROR

    # --- per node -------------------------------------------------------------------------
    def _visit(self, node: A.Node) -> Type:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _Lit(self, node: A.Lit) -> Type:
        v = node.value
        if isinstance(v, bool):
            return BOOL
        if isinstance(v, int):
            return INT
        if isinstance(v, float):
            return NUM
        return TEXT

    def _DateLit(self, node: A.DateLit) -> Type:
        return DATE

    def _Today(self, node: A.Today) -> Type:
        return DATE

    def _ListLit(self, node: A.ListLit) -> Type:
        types = [self._visit(i) for i in node.items]
        known = [(t, item) for t, item in zip(types, node.items) if t is not ERROR]
        if not known:
            return Type("list", elem=ERROR if types else TEXT)
        first = known[0][0]
        for t, item in known[1:]:
            if not self._compatible(first, t):
                self._fail("type-mismatch", f"list mixes {first} and {t}", item.start)
        return Type("list", elem=first)

    def _Param(self, node: A.Param) -> Type:
        info = self.params.get(node.name)
        if info is None:
            return self._fail("unknown-parameter", f"unknown parameter ${node.name}", node.start,
                              did_you_mean(node.name, self.params) or
                              "declare it under `parameters:` in this pack or a parent")
        self.used_params.add(node.name)
        return info.type

    def _Fact(self, node: A.Fact) -> Type:
        scope = self._lookup_var(node.path[0])
        if scope is not None:
            t, display = scope
            node.var = node.path[0]
            rest = node.path[1:]
        else:
            t, display, rest = Type("object", model=self.root_model), "", node.path
        for seg in rest:
            if t is ERROR:  # a quantifier over a list already reported
                return ERROR
            if t.name != "object" or t.model is None:
                return self._fail("unknown-fact", f"'{display}' is {t} and has no field '{seg}'", node.start)
            fields = field_types(t.model)
            if seg not in fields:
                where = display or "the case"
                candidates = list(fields) + ([] if display else [v for s in self._scopes for v in s])
                return self._fail(
                    "unknown-fact", f"unknown fact '{(display + '.' if display else '') + seg}' ({where} has no field '{seg}')",
                    node.start, did_you_mean(seg, candidates) or "see docs/facts.md for the fact names")
            t = fields[seg]
            display = f"{display}.{seg}" if display else seg
        if t is ERROR:
            return ERROR
        self.fact_types[node.idx] = t
        self.fact_paths[node.idx] = display
        self.used_facts.add(display)
        return t

    def _Not(self, node: A.Not) -> Type:
        self._expect_bool(node.operand, "not")
        return BOOL

    def _BoolOp(self, node: A.BoolOp) -> Type:
        for item in node.items:
            self._expect_bool(item, node.op)
        return BOOL

    def _Known(self, node: A.Known) -> Type:
        self._visit(node.operand)
        return BOOL

    def _Compare(self, node: A.Compare) -> Type:
        lt, rt = self._visit(node.left), self._visit(node.right)
        if lt is not ERROR and rt is not ERROR:
            if not self._compatible(lt, rt):
                self._fail("type-mismatch", f"cannot compare {lt} with {rt}", node.start,
                           _compare_hint(node.left, node.right, lt, rt) or
                           "both sides must be numbers, dates, text or true/false")
            elif node.op not in ("==", "!=") and not (is_numeric(lt) or lt == DATE):
                self._fail("type-mismatch", f"'{node.op}' needs numbers or dates, not {lt}", node.start)
        self._check_enum_literal(lt, node.right)
        self._check_enum_literal(rt, node.left)
        return BOOL

    def _Member(self, node: A.Member) -> Type:
        et, ct = self._visit(node.element), self._visit(node.container)
        if ct is ERROR:
            return BOOL
        if ct.name != "list":
            self._fail("type-mismatch", f"'in' needs a list on its right, not {ct}", node.container.start)
            return BOOL
        if et is not ERROR and ct.elem is not None and not self._compatible(et, ct.elem):
            self._fail("type-mismatch", f"cannot look for {et} in a {ct}", node.start)
            return BOOL
        if et.name == "enum":
            self._check_enum_values(et, node.container)
        if ct.elem is not None and ct.elem.name == "enum":
            self._check_enum_literal(ct.elem, node.element)
        return BOOL

    def _Arith(self, node: A.Arith) -> Type:
        lt, rt = self._visit(node.left), self._visit(node.right)
        if lt is ERROR or rt is ERROR:
            return ERROR
        if not (is_numeric(lt) and is_numeric(rt)):
            return self._fail("type-mismatch", f"'{node.op}' needs numbers, not {lt} and {rt}", node.start,
                              "for dates use add(d, $period), sub(d, $period) or days_between(a, b)")
        return INT if lt == INT and rt == INT and node.op != "/" else NUM

    def _Quant(self, node: A.Quant) -> Type:
        st = self._visit(node.source)
        elem = st.elem if st.name == "list" and st.elem is not None else ERROR
        if st is not ERROR and elem is ERROR:
            self._fail("type-mismatch", f"{node.kind}() needs a list, not {st}", node.source.start)
        if node.pred is not None:
            source_path = self.fact_paths.get(node.source.idx, "list")
            self._scopes.append({node.var: (elem, source_path + "[]")})
            try:
                self._expect_bool(node.pred, "where")
            finally:
                self._scopes.pop()
        return INT if node.kind == "count" else BOOL

    def _Limit(self, node: A.Limit) -> Type:
        ref = self.limits.get(node.rule_id)
        if ref is None:
            return self._fail("unknown-time-limit", f"no time_limit rule '{node.rule_id}' in this pack or its "
                              "ancestors", node.start, did_you_mean(node.rule_id, self.limits) or
                              "due() and status() name a rule of kind time_limit by its id")
        node.ref = ref
        return Type("limit")

    def _Call(self, node: A.Call) -> Type:
        types = [self._visit(a) for a in node.args]
        name = node.name
        if name in ("due", "status") and isinstance(node.args[0], A.Limit) and node.args[0].ref is not None:
            ref = node.args[0].ref
            if getattr(ref, "named_day", False):
                self._fail("named-day-limit", f"{node.args[0].rule_id} names its last day (`on:`) rather than "
                           f"counting a period; {name}() counts periods", node.start,
                           "read the day the limit names (the same expression) in the condition")
            elif getattr(ref, "hours", False):
                self._fail("hour-period", f"{node.args[0].rule_id} is counted in hours, from a date-time: its end is "
                           f"a moment, not a day {name}() can give", node.start,
                           "conditions compare days; read the limit in the deadlines output")
            elif getattr(ref, "per_item", False) and len(node.args) == 1:
                self._fail("per-item-limit", f"{node.args[0].rule_id} has one deadline per item of a list: {name}() "
                           "must say which", node.start,
                           f"count it from the item's start inside any()/all(): due({node.args[0].rule_id}, s.started_on)")
        if name == "status":
            return ERROR if types[0] is ERROR else LIMIT_STATUS
        if name == "due":
            if len(types) == 2 and types[1] is not ERROR and types[1] != DATE:
                self._fail("type-mismatch", f"due() counts from a date, not {types[1]}", node.args[1].start)
            return DATE
        if name in ("year_end", "quarter_start", "quarter_end", "next_month_start"):
            if types[0] is not ERROR and types[0] != DATE:
                self._fail("type-mismatch", f"{name}() needs a date, not {types[0]}", node.args[0].start)
            return DATE
        if name == "day_in_year":
            if types[0] is not ERROR and types[0] != DATE:
                self._fail("type-mismatch", f"day_in_year() needs a date first, not {types[0]}", node.args[0].start)
            month, day = node.args[1], node.args[2]
            if not (isinstance(month, A.Lit) and isinstance(day, A.Lit) and type(month.value) is int
                    and type(day.value) is int and 1 <= month.value <= 12 and 1 <= day.value <= 31
                    and day.value <= (29 if month.value == 2 else 30 if month.value in (4, 6, 9, 11) else 31)):
                self._fail("type-mismatch", "day_in_year() takes a month and a day written as whole numbers that "
                           "make a day of a year, e.g. day_in_year(d, 6, 30)", node.args[1].start)
            return DATE
        if name in ("day_before", "day_after"):
            if types[0] is not ERROR and types[0] != DATE:
                self._fail("type-mismatch", f"{name}() needs a date, not {types[0]}", node.args[0].start)
            return DATE
        if name in ("within", "elapsed", "add", "sub"):
            if types[0] is not ERROR and types[0] != DATE:
                self._fail("type-mismatch", f"{name}() needs a date first, not {types[0]}", node.args[0].start)
            if types[1] is ERROR:
                pass
            elif types[1] != DURATION:
                self._fail("type-mismatch", f"{name}() needs a period ($parameter in days, working_days, "
                           f"months or years) second, not {types[1]}", node.args[1].start)
            elif not isinstance(node.args[1], A.Param):
                self._fail("type-mismatch", f"{name}() takes its period as a $parameter", node.args[1].start)
            elif self.params[node.args[1].name].value[1] == "hours":  # type: ignore[index]
                self._fail("hour-period", f"{name}() counts whole days; ${node.args[1].name} is in hours, which run "
                           "from a date-time (民法典 art. 201 para. 2)", node.args[1].start,
                           "make it the length of a time_limit whose start is a date-time fact")
            else:
                length, unit = self.params[node.args[1].name].value  # type: ignore[misc]
                limit = self.rolled.get(node.args[1].name)
                if limit is not None:
                    self._fail("period-not-rolled", f"${node.args[1].name} is the period of {limit}, whose last day "
                               f"moves past rest days and holidays (民法典 art. 203); {name}() does not move it, so "
                               "this condition and that deadline could disagree", node.start,
                               f"count the limit itself: due({limit}, <start>) for its last day, or "
                               f"status({limit})")
                if length > MAX_PERIOD[unit]:  # e.g. a child's parameter_overrides gave it
                    self._fail("bad-parameter", f"${node.args[1].name} is {length} {unit}, longer than the calendar "
                               f"(0001-01-01 to 9999-12-31): {name}() could never be evaluated", node.args[1].start,
                               f"a period here is at most {MAX_PERIOD[unit]} {unit}")
            return BOOL if name in ("within", "elapsed") else DATE
        if name == "days_between":
            for t, a in zip(types, node.args):
                if t is not ERROR and t != DATE:
                    self._fail("type-mismatch", f"days_between() needs dates, not {t}", a.start)
            return INT
        return self._fail("unknown-function", f"unknown function {name}", node.start)

    # --- helpers --------------------------------------------------------------------------
    def _lookup_var(self, name: str) -> tuple[Type, str] | None:
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        return None

    def _expect_bool(self, node: A.Node, op: str) -> None:
        t = self._visit(node)
        if t is not ERROR and t != BOOL:
            self._fail("type-mismatch", f"'{op}' needs true/false, but this is {t}", node.start,
                       "compare it first, e.g. `x >= 3`")

    @staticmethod
    def _compatible(a: Type, b: Type) -> bool:
        if a is ERROR or b is ERROR:
            return True
        if is_numeric(a) and is_numeric(b):
            return True
        if is_textual(a) and is_textual(b):
            return True
        if a.name == "list" and b.name == "list":
            return a.elem is None or b.elem is None or Checker._compatible(a.elem, b.elem)
        return a.name == b.name

    def _check_enum_literal(self, enum_t: Type, other: A.Node | None) -> None:
        if enum_t.name == "enum" and isinstance(other, A.Lit) and isinstance(other.value, str):
            assert enum_t.values is not None
            if other.value not in enum_t.values:
                self._fail("unknown-value", f"'{other.value}' is not a value of this fact", other.start,
                           did_you_mean(other.value, enum_t.values) or "allowed: " + ", ".join(sorted(enum_t.values)))

    def _check_enum_values(self, enum_t: Type, container: A.Node) -> None:
        assert enum_t.values is not None
        if isinstance(container, A.ListLit):
            for item in container.items:
                self._check_enum_literal(enum_t, item)
        elif isinstance(container, A.Param):
            value = self.params[container.name].value
            if isinstance(value, list):
                for v in value:
                    if v not in enum_t.values:
                        self._fail("unknown-value",
                                   f"parameter ${container.name} lists '{v}', which is not a value of this fact",
                                   container.start, did_you_mean(str(v), enum_t.values) or "")


_TRUTH = {"true": True, "false": False, "yes": True, "no": False}


def _compare_hint(left: A.Node, right: A.Node, lt: Type, rt: Type) -> str:
    """The usual reason two sides do not compare: a quoted number, a quoted true/false, or a
    date written as a number."""
    names = {lt.name, rt.name}
    if names in ({"date", "int"}, {"date", "number"}):
        return "write a date as date('2024-01-01'); for a period use within(d, $period) or elapsed(d, $period)"
    for node, t, other in ((left, lt, rt), (right, rt, lt)):
        if t == TEXT and isinstance(node, A.Lit) and isinstance(node.value, str):
            text = node.value.strip()
            if is_numeric(other) and text.replace(".", "", 1).isdigit():
                return f"write the number without quotes: {text}"
            word = _TRUTH.get(text.lower(), BOOL_WORDS.get(text))
            if other == BOOL and word is not None:
                return f"write {str(word).lower()} without quotes"
    return ""
