"""Tokenizer and recursive-descent parser for condition strings; errors carry the offset."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..facts.written import parse_iso_date
from ..reading.slips import iso_date, slip_hint
from . import ast as A
from .compile import MAX_CODE_LEVELS, MAX_CODE_LOOPS, code_nesting

MAX_LENGTH = 4000
MAX_DEPTH = 32
MAX_TREE_DEPTH = 64

_TOKEN = re.compile(  # whitespace is skipped inside the match; `bad` catches any other character
    r"""
    \s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | (?P<str>'[^'\n]*'|"[^"\n]*")
    | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.|\+|-|\*)
    | (?P<bad>\S)
    )""",
    re.VERBOSE | re.DOTALL,
)
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?![\d.])")
_COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_ADD_OPS = frozenset({"+", "-"})
KEYWORDS = {"and", "or", "not", "in", "is", "known", "unknown", "where", "true", "false", "today"}
QUANTIFIERS = {"any", "all", "count"}
FUNCTIONS = {"within": 2, "elapsed": 2, "add": 2, "sub": 2, "days_between": 2, "date": 1,
             "day_before": 1, "day_after": 1, "due": (1, 2), "status": 1,
             # calendar functions as the texts use them (docs/time.md, "Calendar days the texts name")
             "year_end": 1, "quarter_start": 1, "quarter_end": 1, "next_month_start": 1, "day_in_year": 3}
LIMIT_FUNCTIONS = ("due", "status")  # their first argument names a time_limit rule


def _arity(name: str) -> tuple[int, ...]:
    n = FUNCTIONS[name]
    return n if isinstance(n, tuple) else (n,)


def _takes(name: str) -> str:
    counts = _arity(name)
    return " or ".join(map(str, counts)) + " argument" + ("" if counts == (1,) else "(s)")


class ConditionSyntaxError(Exception):
    """A condition does not parse; ``offset`` is the 0-based position in the string."""

    def __init__(self, message: str, offset: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


class Tok(NamedTuple):
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    append, make = tokens.append, tuple.__new__
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        pos = m.start(kind)
        if kind == "bad":
            ch = text[pos]
            raise ConditionSyntaxError(f"unexpected character {ch!r}", pos, slip_hint(text, pos))
        append(make(Tok, (kind, m.group(kind), pos)))
    append(Tok("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        # token texts, for `at`: a num, str or param token's text never equals a word or operator
        self.texts = [t.text for t in self.toks]
        self.i = 0
        self.depth = 0

    # --- helpers -------------------------------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def at(self, text: str) -> bool:
        return self.texts[self.i] == text

    def take(self) -> Tok:
        self.i += 1
        return self.toks[self.i - 1]

    def expect(self, text: str, hint: str = "") -> Tok:
        if not self.at(text):
            got = self.tok.text or "end of condition"
            raise ConditionSyntaxError(f"expected '{text}' but found '{got}'", self.tok.pos, hint)
        return self.take()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionSyntaxError(
                f"condition nested more than {MAX_DEPTH} levels deep", self.tok.pos,
                "split it into simpler rules or flatten the parentheses")

    # --- grammar -------------------------------------------------------------------------
    def parse(self) -> A.Node:
        if self.tok.kind == "end":
            raise ConditionSyntaxError("empty condition", 0, "write an expression, e.g. institution.beds >= 100")
        node = self.or_expr()
        if self.tok.kind != "end":
            raise ConditionSyntaxError(f"unexpected '{self.tok.text}' after a complete expression",
                                       self.tok.pos, "join conditions with 'and' / 'or'")
        return node

    def or_expr(self) -> A.Node:
        return self._bool("or", self.and_expr)

    def and_expr(self) -> A.Node:
        return self._bool("and", self.not_expr)

    def _bool(self, op: str, sub) -> A.Node:
        first = sub()
        items = [first]
        texts = self.texts
        while texts[self.i] == op:
            self.i += 1
            items.append(sub())
        if len(items) == 1:
            return first
        return A.BoolOp(first.start, items[-1].end, op=op, items=items)

    def not_expr(self) -> A.Node:
        if self.texts[self.i] == "not":
            t = self.take()
            self.enter()
            operand = self.not_expr()
            self.depth -= 1
            return A.Not(t.pos, operand.end, operand=operand)
        return self.comparison()

    def comparison(self) -> A.Node:
        left = self.sum()
        t = self.toks[self.i]
        if t.kind == "op" and t.text in _COMPARE_OPS:
            self.take()
            right = self.sum()
            return A.Compare(left.start, right.end, op=t.text, left=left, right=right)
        if self.at("in"):
            self.take()
            right = self.sum()
            return A.Member(left.start, right.end, element=left, container=right)
        if self.at("not") and self.toks[self.i + 1].text == "in":
            self.take(); self.take()
            right = self.sum()
            return A.Member(left.start, right.end, element=left, container=right, negated=True)
        if self.at("is"):
            self.take()
            if self.at("known") or self.at("unknown"):
                w = self.take()
                return A.Known(left.start, w.pos + len(w.text), operand=left, negated=w.text == "unknown")
            raise ConditionSyntaxError("expected 'known' or 'unknown' after 'is'", self.tok.pos,
                                       "write 'x is known' or 'x is unknown'; compare values with '=='")
        return left

    def sum(self) -> A.Node:
        left = self.product()
        texts = self.texts
        while texts[self.i] in _ADD_OPS:
            op = self.take().text
            right = self.product()
            left = A.Arith(left.start, right.end, op=op, left=left, right=right)
        return left

    def product(self) -> A.Node:
        left = self.primary()
        while self.texts[self.i] == "*":
            self.take()
            right = self.primary()
            left = A.Arith(left.start, right.end, op="*", left=left, right=right)
        return left

    def primary(self) -> A.Node:
        t = self.toks[self.i]
        if t.kind == "num":
            self.take()
            if len(t.text) == 4 and self.texts[self.i] == "-":
                written = _ISO_DATE.match(self.text, t.pos)
                if written is not None:
                    raise ConditionSyntaxError(f"{written.group(0)} is not a date here (it reads as a subtraction)",
                                               t.pos, f"write a date as date('{written.group(0)}')")
            value = float(t.text) if "." in t.text else int(t.text)
            return A.Lit(t.pos, t.pos + len(t.text), value=value)
        if t.kind == "str":
            self.take()
            return A.Lit(t.pos, t.pos + len(t.text), value=t.text[1:-1])
        if t.kind == "param":
            self.take()
            return A.Param(t.pos, t.pos + len(t.text), name=t.text[1:])
        if self.at("("):
            self.take()
            self.enter()
            node = self.or_expr()
            self.depth -= 1
            close = self.expect(")", "close the parenthesis")
            node.start, node.end = min(node.start, t.pos), max(node.end, close.pos + 1)
            return node
        if self.at("["):
            return self.list_literal()
        if t.kind == "name":
            return self.name_expr()
        got = t.text or "end of condition"
        raise ConditionSyntaxError(f"expected a value but found '{got}'", t.pos,
                                   "a value is a fact path, $parameter, number, 'text', true/false or a function")

    def list_literal(self) -> A.Node:
        open_ = self.take()
        self.enter()
        items: list[A.Node] = []
        while not self.at("]"):
            items.append(self.sum())
            if not self.at(","):
                break
            self.take()
        close = self.expect("]", "close the list with ']' and separate items with ','")
        self.depth -= 1
        return A.ListLit(open_.pos, close.pos + 1, items=items)

    def name_expr(self) -> A.Node:
        t = self.take()
        word = t.text
        if word in ("true", "false"):
            return A.Lit(t.pos, t.pos + len(word), value=word == "true")
        if word == "today":
            return A.Today(t.pos, t.pos + len(word))
        if word in KEYWORDS:
            raise ConditionSyntaxError(f"'{word}' cannot start a value", t.pos)
        if self.at("(") and (word in QUANTIFIERS or word in FUNCTIONS):
            return self.call(t)
        if self.at("("):
            from ..errors import did_you_mean
            hint = did_you_mean(word, list(QUANTIFIERS | FUNCTIONS.keys())) or \
                "functions: any, all, count, within, elapsed, add, sub, days_between, date, day_before, " \
                "day_after, due, status, year_end, quarter_start, quarter_end, next_month_start, day_in_year"
            raise ConditionSyntaxError(f"unknown function '{word}'", t.pos, hint)
        path = [word]
        end = t.pos + len(word)
        while self.at("."):
            self.take()
            seg = self.tok
            if seg.kind != "name":
                raise ConditionSyntaxError("expected a field name after '.'", seg.pos)
            self.take()
            path.append(seg.text)
            end = seg.pos + len(seg.text)
        return A.Fact(t.pos, end, path=tuple(path))

    def call(self, name_tok: Tok) -> A.Node:
        name = name_tok.text
        self.expect("(")
        self.enter()
        if name in QUANTIFIERS:
            node = self.quantifier(name_tok)
        else:
            args: list[A.Node] = []
            while not self.at(")"):
                args.append(self.or_expr())
                if not self.at(","):
                    break
                self.take()
            close = self.expect(")", f"{name}() takes {_takes(name)} separated by ','")
            if len(args) not in _arity(name):
                raise ConditionSyntaxError(f"{name}() takes {_takes(name)}, got {len(args)}", name_tok.pos)
            if name in LIMIT_FUNCTIONS:
                args[0] = self.limit(args[0], name)
            if name == "date":
                arg = args[0]
                if not (isinstance(arg, A.Lit) and isinstance(arg.value, str)):
                    raise ConditionSyntaxError("date() takes a quoted date like date('2024-01-01')", arg.start)
                try:
                    value = parse_iso_date(arg.value)
                except ValueError:
                    iso = iso_date(arg.value)
                    raise ConditionSyntaxError(f"'{arg.value}' is not a date", arg.start,
                                               f"write date('{iso}')" if iso else "write dates as YYYY-MM-DD") from None
                node = A.DateLit(name_tok.pos, close.pos + 1, value=value)
            else:
                node = A.Call(name_tok.pos, close.pos + 1, name=name, args=args)
        self.depth -= 1
        return node

    def limit(self, arg: A.Node, name: str) -> A.Node:
        """The first argument of due()/status(): a time_limit rule's id, written as it is."""
        if not isinstance(arg, A.Fact) or len(arg.path) < 2:
            raise ConditionSyntaxError(f"{name}() takes a time_limit rule's id first, e.g. "
                                       f"{name}(time_limit.repayment)", arg.start,
                                       "write the id as in the rule file, without quotes")
        return A.Limit(arg.start, arg.end, rule_id=".".join(arg.path))

    def quantifier(self, name_tok: Tok) -> A.Node:
        kind = name_tok.text
        # form 1: any(v in source where pred) ; form 2 (count only): count(source)
        if self.tok.kind == "name" and self.toks[self.i + 1].text == "in" \
                and self.tok.text not in KEYWORDS:
            var = self.take().text
            self.take()  # in
            source = self.sum()
            pred: A.Node | None = None
            if self.at("where"):
                self.take()
                pred = self.or_expr()
            elif kind != "count":
                raise ConditionSyntaxError(f"{kind}() needs 'where' and a condition", self.tok.pos,
                                           f"e.g. {kind}(s in agreement.suspensions where s.rectified_as_required)")
            close = self.expect(")", "close the parenthesis")
            return A.Quant(name_tok.pos, close.pos + 1, kind=kind, var=var, source=source, pred=pred)
        if kind == "count":
            source = self.sum()
            close = self.expect(")", "close the parenthesis")
            return A.Quant(name_tok.pos, close.pos + 1, kind=kind, var=None, source=source, pred=None)
        raise ConditionSyntaxError(f"{kind}() needs the form {kind}(x in list where condition)",
                                   self.tok.pos)


_PARAM_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=4096)
def param_names(text: str) -> tuple[str, ...]:
    """The parameters a condition or value names, sorted (``$x`` -> ``x``), without parsing it:
    also for the plain ``$id`` values of rates and durations."""
    return tuple(sorted(set(_PARAM_REF.findall(text))))


def parse(text: str) -> A.Node:
    """Parse a condition string into a tree whose nodes are numbered for tracing."""
    return parse_counted(text)[0]


def parse_counted(text: str) -> tuple[A.Node, int]:
    """``parse``, also returning the number of nodes (the size of a trace)."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"condition longer than {MAX_LENGTH} characters", 0,
                                   "split it into several rules")
    root = _Parser(text).parse()
    size, deepest, node = A.number_and_measure(root)
    if deepest > MAX_TREE_DEPTH:  # long operator chains nest to the left without parentheses
        raise ConditionSyntaxError(
            f"condition nested more than {MAX_TREE_DEPTH} levels deep (a long chain of operators counts)",
            node.start, "split it into simpler rules or use a parameter")
    (levels, deep_node), (loops, innermost) = code_nesting(root)
    if loops > MAX_CODE_LOOPS:
        raise ConditionSyntaxError(f"condition nests any/all/count more than {MAX_CODE_LOOPS} deep",
                                   innermost.start, "split it into simpler rules")
    if levels > MAX_CODE_LEVELS:
        raise ConditionSyntaxError(
            f"condition nests and/or and any/all/count too deeply ({levels} block levels; at most {MAX_CODE_LEVELS})",
            deep_node.start, "split it into simpler rules")
    return root, size
