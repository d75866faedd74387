"""Compiling a load's conditions: parameters typed (``param_info``), conditions parsed, type-checked and compiled.

Compiled conditions are cached per process by their text and the type and value of each
parameter they read, so a child pack reuses its ancestors' compiled rules unless a parameter it
overrides changes them. Errors name the exact file:line:column inside the condition string.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Mapping

from .. import time as timecalc
from ..conditions.compile import CompiledExpr, compile_expr
from ..conditions.parser import ConditionSyntaxError, param_names, parse_counted
from ..conditions.checker import Checker
from ..conditions.types import DURATION, ERROR, INT, NUM, TEXT, ParamInfo, Type
from ..errors import DiagnosticBag, Location
from ..facts.models import Case
from ..reading.yaml_doc import YamlDoc, format_path
from ..reading.yaml_reader import read_regular_file

DURATION_UNITS = {"days", "working_days", "months", "years"}


def param_info(unit: str, value: object) -> tuple[ParamInfo | None, str]:
    if unit in DURATION_UNITS:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ParamInfo(DURATION, (value, unit)), ""
        return None, f"a {unit} parameter needs a whole number above 0"
    if unit == "hours":  # a period in hours: only a time limit's length (counted from a date-time)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ParamInfo(DURATION, (value, unit)), ""
        return None, "a hours parameter needs a whole number above 0"
    if unit in ("count", "beds"):
        if isinstance(value, int) and not isinstance(value, bool):
            return ParamInfo(INT, value), ""
        return None, f"a {unit} parameter needs a whole number"
    if unit in ("percent", "yuan"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ParamInfo(NUM, float(value)), ""
        return None, f"a {unit} parameter needs a number"
    if unit == "types":
        if isinstance(value, list):
            return ParamInfo(Type("list", elem=TEXT), list(value)), ""
        return None, "a types parameter needs a list of values"
    return None, f"unknown unit {unit}"


# due(time_limit.x …) and status(time_limit.x): conditions that read a time limit of their own pack
LIMIT_REF = re.compile(r"\b(?:due|status)\s*\(\s*([a-z][a-z0-9_]*(?:\s*\.\s*[a-z0-9_]+)+)")


def names_limits(text: str) -> bool:
    """Whether ``text`` may name a time limit (a cheap test first: most conditions do not)."""
    return ("due" in text or "status" in text) and LIMIT_REF.search(text) is not None


def limits_named(text: str | None) -> tuple[str, ...]:
    """The time_limit ids ``text`` names in due()/status(), without parsing it."""
    if not text or not names_limits(text):
        return ()
    return tuple(re.sub(r"\s+", "", m) for m in LIMIT_REF.findall(text))


class Compiler:
    def __init__(self, params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, bag: DiagnosticBag,
                 limits: Mapping[str, object] | None = None, rolled: Mapping[str, str] | None = None) -> None:
        """``limits``: time_limit id -> deadlines.LimitRef, for due()/status(); ``rolled``: period
        parameter -> the rolling time limit it is the length of (art. 203), for period-not-rolled."""
        self.params, self.calendar, self.bag = params, calendar, bag
        self.limits = limits or {}
        self.rolled = rolled or {}
        # Conditions naming a time limit hold this load's LimitRefs, which are bound only at the end
        # of the load: they are shared with other loads (``_COMPILED``) only once bound (``publish``).
        self._pending: dict[tuple, tuple[CompiledExpr, tuple]] = {}

    def compile(self, text: str, want: Type | None, where: tuple[YamlDoc, tuple], name: str,
                origin: tuple[str, Callable[[int], int]] | None = None,
                item: tuple[str, Type, str] | None = None) -> CompiledExpr | None:
        """Parse, check and compile ``text``; ``origin`` is (written text, offset map) when ``text``
        was expanded from what the analyst wrote (``@list`` references), so errors point there.

        A syntax error stops the parse and is reported alone; type errors are all reported, each
        at its own token. None after any error, or when the condition reads a parameter that
        failed the schema (already reported there)."""
        key = self._key(text, want)
        if key is not None and item is not None:
            key = key + (item[0], item[2])
        hit = _COMPILED.get(key) if key is not None else None
        if hit is None and key is not None and key in self._pending:
            hit = self._pending[key][0]
        if hit is not None:
            return hit
        try:
            root, size = parse_counted(text)
        except ConditionSyntaxError as exc:
            self._report([("condition-syntax", exc.message, exc.offset, exc.hint)], where, text, origin)
            return None
        checker = Checker(Case, self.params, self.limits, self.rolled)
        if item is not None:  # (variable, element type, list path): the item of a per-item deadline
            checker._scopes.append({item[0]: (item[1], item[2] + "[]")})
        t = checker.check_all(root)
        problems = [(e.code, e.message, e.offset, e.hint) for e in checker.errors]
        if want is not None and t is not ERROR and t != want and not (want == NUM and t == INT):
            problems.append(("type-mismatch", f"expected {want} here, but the expression is {t}", 0, ""))
        if problems:
            self._report(sorted(problems, key=lambda p: p[2]), where, text, origin)
            return None
        if t is ERROR:
            return None
        compiled = compile_expr(text, root, size, checker.fact_paths, self.params, self.calendar, name,
                                item[0] if item is not None else None)
        if key is not None:
            refs = tuple(self.limits[lid] for lid in dict.fromkeys(limits_named(text))) if names_limits(text) else ()
            if refs:
                self._pending[key] = (compiled, refs)
            else:
                _share(key, compiled)
        return compiled

    def publish(self) -> None:
        """Share the conditions naming time limits once the load has bound its limits (resolving,
        after ``_bind_limits``): one whose limit stayed unbound (its rule failed) is never shared,
        so no other load, in any thread, can evaluate a limit that has no rule yet."""
        for key, (compiled, refs) in self._pending.items():
            if all(getattr(ref, "rule", None) is not None for ref in refs):
                _share(key, compiled)
        self._pending.clear()

    def _report(self, problems: list[tuple[str, str, int, str]], where: tuple[YamlDoc, tuple], text: str,
                origin: tuple[str, Callable[[int], int]] | None) -> None:
        """One diagnostic per (code, message, offset, hint), located at its offset in the file."""
        doc, path = where
        base = doc.locate(path)
        for code, message, offset, hint in problems:
            written, at = (origin[0], origin[1](offset)) if origin else (text, offset)
            self.bag.error(code, f"{message} in `{_excerpt(written, at)}`", _offset_location(base, written, at),
                           format_path(path), hint)

    def _key(self, text: str, want: Type | None) -> tuple | None:
        """Everything a compiled condition depends on: its text, the expected type, the type and
        value of each parameter it names, and the calendar when a working-day period is used.
        Inherited rules then compile once for the whole chain, not once per child pack."""
        sig: list = []
        if names_limits(text):  # the limits it reads are part of what it computes
            for lid in dict.fromkeys(limits_named(text)):
                ref = self.limits.get(lid)
                signature = getattr(ref, "signature", None)
                if signature is None:
                    return None  # an unknown limit (reported with this pack's locations) or one never shared
                sig.append((lid, signature))
        names = param_names(text)
        uses_calendar = False
        for n in names:
            info = self.params.get(n)
            if info is None or info.type is ERROR:
                return None  # an error to report with this pack's locations, or one reported already
            value = info.value
            sig.append((n, info.type, tuple(value) if isinstance(value, list) else value, self.rolled.get(n)))
            uses_calendar = uses_calendar or (isinstance(value, tuple) and value[1:] == ("working_days",))
        return (text, want, tuple(sig), id(self.calendar) if uses_calendar else None)


_COMPILED: dict[tuple, CompiledExpr] = {}


def _share(key: tuple, compiled: CompiledExpr) -> None:
    if len(_COMPILED) > 20_000:
        _COMPILED.clear()
    _COMPILED[key] = compiled


def clear_caches() -> None:
    _COMPILED.clear()
    _lines.cache_clear()


def _file_lines(path: str) -> tuple[str, ...]:
    """Read afresh on every call (only errors are located with it) and split once per content,
    so an edited file is never located with its old lines."""
    try:
        return _lines(read_regular_file(path, 2_000_000))
    except OSError:
        return ()


@lru_cache(maxsize=128)
def _lines(raw: bytes) -> tuple[str, ...]:
    try:
        return tuple(raw.decode("utf-8").splitlines())
    except UnicodeDecodeError:
        return ()


def _offset_location(base: Location, text: str, offset: int) -> Location:
    """Where character ``offset`` of a condition stands in the file, for plain, quoted and block
    (``>-``, ``|``) scalars alike; falls back to the scalar's own position."""
    lines = _file_lines(base.file)
    if not base.line or base.line > len(lines):
        return base
    row = lines[base.line - 1]
    first = row[base.column - 1:base.column] if base.column else ""
    if first in ("'", '"'):
        segments = [(base.line, base.column + 1)]
    elif first in (">", "|"):
        segments = []
    else:
        segments = [(base.line, base.column)]
    start = base.line if segments else base.line + 1
    for n in range(start, len(lines) + 1):
        if n != base.line or not segments:
            content = lines[n - 1]
            stripped = content.lstrip()
            if not stripped or (n > base.line and segments and len(content) - len(stripped) < base.column - 1
                                and first not in (">", "|")):
                if segments and n > base.line:
                    break
                continue
            if n != base.line:
                segments.append((n, len(content) - len(stripped) + 1))
    remaining = offset
    for line_no, col in segments:
        row = lines[line_no - 1]
        seg_text = row[col - 1:].rstrip().rstrip('"').rstrip("'") if line_no == base.line else row[col - 1:].rstrip()
        if remaining <= len(seg_text):
            return Location(base.file, line_no, col + remaining)
        remaining -= len(seg_text) + 1  # folding turns the line break into one space
    return base


def _excerpt(text: str, offset: int, width: int = 60) -> str:
    if len(text) <= width:
        return text
    start = max(0, min(offset - width // 2, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
