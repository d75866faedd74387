"""Cases read without pydantic: a strict checker that builds twins of the fact models.

Importing pydantic and building the fact models is about half the CPU of one cold CLI answer
(issue 13 item 4, docs/performance.md), so a case read from plain data is first checked here,
from the models' fields as plain data (``shapes``, generated from the models). The checker
accepts only what the strict models accept, exactly as written: ``bool`` for a yes/no, ``int``
(not ``bool``) for a count, a finite ``int`` or ``float`` for an amount (held as ``float``),
``YYYY-MM-DD`` text or a ``date`` for a day, ``YYYY-MM-DDTHH:MM[:SS]`` text or a ``datetime``
for a moment, an enum's exact code, ``list`` for a list, ``dict`` for a section,
no unknown key. Whatever else it meets, it does not judge: ``build_case`` returns None and the
caller validates with the pydantic models, which give the located diagnostics. A test holds the
two equal over generated data, bad data included, so a case is never accepted here that the
models refuse, and an accepted case holds the values the models would hold.

Also ``fact_label`` and ``enum_label``, the Chinese labels of facts, from the same shapes.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

from ..twins import Twin, twin_class
from .enums import ENUMS
from .shapes import SHAPES
from .written import parse_iso_datetime

_NO = object()  # "not judged here": the pydantic models decide
_Check = Callable[[Any], Any]


def _bool(v: Any) -> Any:
    return v if v.__class__ is bool else _NO


def _int(ge: Any) -> _Check:
    def check(v: Any) -> Any:
        return v if v.__class__ is int and (ge is None or v >= ge) else _NO
    return check


def _float(ge: Any) -> _Check:
    def check(v: Any) -> Any:
        cls = v.__class__
        if cls is int:
            try:
                v = float(v)
            except OverflowError:
                return _NO
        elif cls is not float:
            return _NO
        if not math.isfinite(v) or (ge is not None and not v >= ge):
            return _NO
        return v
    return check


def _str(v: Any) -> Any:
    return v if v.__class__ is str else _NO


def _date(v: Any) -> Any:
    cls = v.__class__
    if cls is date:
        return v
    if cls is str and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:  # at this length and with these dashes, fromisoformat reads only YYYY-MM-DD
            return date.fromisoformat(v)
        except ValueError:
            return _NO
    return _NO


def _datetime(v: Any) -> Any:
    cls = v.__class__
    if cls is datetime:
        return v if v.tzinfo is None else _NO  # a zone is refused by the models (facts.values)
    if cls is str:
        try:
            return parse_iso_datetime(v)
        except ValueError:
            return _NO
    return _NO


def _enum(name: str) -> _Check:
    enum = ENUMS[name]
    members = enum._value2member_map_

    def check(v: Any) -> Any:
        cls = v.__class__
        if cls is str:
            return members.get(v, _NO)
        return v if cls is enum else _NO
    return check


def _list(item: _Check) -> _Check:
    def check(v: Any) -> Any:
        if v.__class__ is not list:
            return _NO
        out = []
        for x in v:
            if x is None:
                return _NO  # a list item is never unknown
            y = item(x)
            if y is _NO:
                return _NO
            out.append(y)
        return out
    return check


_BUILDERS: dict[str, _Check] = {}


def _model(name: str) -> _Check:
    """The builder of one model's twin from a dict (``_NO`` for anything it does not judge)."""
    built = _BUILDERS.get(name)
    if built is not None:
        return built
    rows = SHAPES[name]
    names = tuple(r[0] for r in rows)
    cls = twin_class(name, names)
    checks: dict[str, _Check] = {}
    template = dict.fromkeys(names)
    new = cls._of

    def build(data: Any) -> Any:
        if data.__class__ is not dict:
            return _NO
        fields = template.copy()
        for key, v in data.items():
            check = checks.get(key)
            if check is None:
                return _NO  # an unknown key (the models forbid extra keys)
            if v is not None:
                v = check(v)
                if v is _NO:
                    return _NO
            fields[key] = v
        return new(fields)

    _BUILDERS[name] = build  # before the fields, for models that nest themselves
    for field, kind, target, is_list, ge, _title in rows:
        check = _scalar(kind, target, ge)
        checks[field] = _list(check) if is_list else check
    return build


def _scalar(kind: str, target: str | None, ge: Any) -> _Check:
    if kind == "bool":
        return _bool
    if kind == "int":
        return _int(ge)
    if kind == "float":
        return _float(ge)
    if kind == "str":
        return _str
    if kind == "date":
        return _date
    if kind == "datetime":
        return _datetime
    if kind == "enum":
        return _enum(target)  # type: ignore[arg-type]
    if kind == "model":
        return _model(target)  # type: ignore[arg-type]
    raise ValueError(f"unknown fact kind {kind!r} in facts/shapes.py")


_build_case = _model("Case")
CaseTwin: type[Twin] = twin_class("Case", tuple(r[0] for r in SHAPES["Case"]))


def build_case(data: Any) -> Twin | None:
    """The case twin of ``data`` when the strict checker accepts it; None when the pydantic models
    must judge it (they refuse it with located diagnostics, or accept a form this checker leaves
    to them, such as a model instance inside the data)."""
    case = _build_case(data)
    return None if case is _NO else case


def is_case(value: Any) -> bool:
    """A built case: a case twin, or a ``facts.models.Case`` (checked only when that module was
    imported, so the check imports no pydantic)."""
    if value.__class__ is CaseTwin:
        return True
    import sys
    models = sys.modules.get(f"{__package__}.models")
    return models is not None and isinstance(value, models.Case)


_INDEX = re.compile(r"\[[0-9]*\]")


@lru_cache(maxsize=1024)
def _field(path: str) -> tuple[Any, ...] | None:
    """The shape row of the fact a dotted path names, or None. List items may be written
    ``people[]``, ``people[0]`` or plain ``people`` (decisions write ``institution.people[].role``)."""
    model: str | None = "Case"
    row = None
    for seg in _INDEX.sub("", path).split("."):
        rows = SHAPES.get(model) if model is not None else None
        row = next((r for r in rows if r[0] == seg), None) if rows else None
        if row is None:
            return None
        model = row[2] if row[1] == "model" else None
    return row


def fact_label(path: str) -> str | None:
    """The Chinese label of the fact at a dotted path (``institution.beds`` → 床位数), for
    showing missing facts and traces to people; None for a path that names no fact."""
    row = _field(path)
    return row[5] if row is not None else None


def enum_label(path: str, value: str) -> str | None:
    """The Chinese label of one value of an enum fact (``institution.type``, ``clinic`` → 诊所);
    None when the path is not an enum fact or the value is not one of its codes."""
    row = _field(path)
    if row is None or row[1] != "enum":
        return None
    member = ENUMS[row[2]]._value2member_map_.get(value)
    return member.label if member is not None else None  # type: ignore[attr-defined]


__all__ = ["CaseTwin", "build_case", "enum_label", "fact_label", "is_case"]
