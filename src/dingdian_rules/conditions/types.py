"""Types of the condition language: ``Type`` and the named types (``BOOL``, ``DATE``, ``ERROR``...),
how a fact model's field annotation maps to a type, and ``ParamInfo``, what the checker
(``checker``) and the compiler need of a resolved parameter.
"""

from __future__ import annotations

from functools import lru_cache

import types as _pytypes
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel


@dataclass(frozen=True)
class Type:
    name: str  # bool | int | number | text | date | duration | enum | list | object
    elem: "Type | None" = None
    values: frozenset[str] | None = None  # enum values
    model: type[BaseModel] | None = None  # object types

    def __str__(self) -> str:
        if self.name == "list" and self.elem:
            return f"list of {self.elem}"
        if self.name == "enum" and self.values is not None:
            return "one of " + ", ".join(sorted(self.values)[:6]) + ("…" if len(self.values) > 6 else "")
        if self.name == "object" and self.model:
            return f"a {self.model.__name__} record"
        return self.name


BOOL, INT, NUM, TEXT, DATE, DURATION = (Type(n) for n in ("bool", "int", "number", "text", "date", "duration"))
# A date-time fact (a period in hours runs from it, 民法典 art. 201 para. 2): comparable with
# date-times only; a time limit in hours counts from it.
DATETIME = Type("datetime")
ANY_LIST = Type("list")
# The type of a part whose mistake is already reported (or of a parameter that failed the schema):
# checks that meet it stay silent, so one mistake does not cascade into several errors.
ERROR = Type("error")  # compared by identity: the checker alone makes it


# status(time_limit.x): the deadline statuses a decision shows (deadlines.deadline_status), and
# not_applicable when the limit's applies_when is false (no such deadline on this case).
DEADLINE_STATUSES = ("pending", "last_day_today", "lapsed", "met")
NOT_APPLICABLE = "not_applicable"
LIMIT_STATUS = Type("enum", values=frozenset(DEADLINE_STATUSES + (NOT_APPLICABLE,)))


def is_numeric(t: Type) -> bool:
    return t.name in ("int", "number")


def is_textual(t: Type) -> bool:
    return t.name in ("text", "enum")


@lru_cache(maxsize=None)
def type_of_annotation(annotation: object) -> Type:
    """Map a pydantic field annotation (``X | None``, ``list[Y]``, a model, an enum) to a Type.
    Cached: the fact model is fixed, and every condition that names a fact asks again."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, _pytypes.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return type_of_annotation(args[0])
    if origin is list:
        return Type("list", elem=type_of_annotation(typing.get_args(annotation)[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return BOOL
        if issubclass(annotation, Enum):
            return Type("enum", values=frozenset(str(m.value) for m in annotation))
        if issubclass(annotation, int):
            return INT
        if issubclass(annotation, float):
            return NUM
        if issubclass(annotation, str):
            return TEXT
        if issubclass(annotation, datetime):  # before date: a datetime is a date subclass
            return DATETIME
        if issubclass(annotation, date):
            return DATE
        from pydantic import BaseModel  # a fact model's field: pydantic is loaded already
        if issubclass(annotation, BaseModel):
            return Type("object", model=annotation)
    raise TypeError(f"fact annotation {annotation!r} has no condition-language type")


@lru_cache(maxsize=None)
def field_types(model: type[BaseModel]) -> dict[str, Type]:
    """Field name -> Type of a fact model (cached: fact models do not change while running)."""
    return {name: type_of_annotation(f.annotation) for name, f in model.model_fields.items()}


@dataclass(frozen=True)
class ParamInfo:
    """What the checker and compiler need of a resolved parameter."""

    type: Type
    value: object  # int | float | list[str] | (length, unit) for durations
