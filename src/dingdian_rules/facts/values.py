"""How fact values are written and read, and the base classes of the fact models.

Values are read strictly (``WRITTEN_FORMS``): pydantic's lax mode would turn ``n`` into false,
``0`` into 1970-01-01 and ``'12'`` into 12, and a wrong fact gives a wrong decision with no
diagnostic. ``IsoDate`` is the one date type of cases, packs and events.

``FactModel`` and ``FactEnum`` are the bases of every section model (``institution``, ``models``).
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError, core_schema

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date-time as a case writes it: the day, T or one space, hours and minutes, optional seconds;
# Beijing time, no zone, no fraction (a period in hours runs from it, 民法典 art. 201 para. 2).
_ISO_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")

# How each kind of value is written in a case (YAML or JSON), for docs/facts.md and the hints.
WRITTEN_FORMS: tuple[tuple[str, str, str], ...] = (
    ("bool", "`true` or `false`", "`yes`, `n`, `0`, `1`, `'true'`"),
    ("int", "a whole number: `12`", "`12.0`, `1e3`, `'12'`, `true`"),
    ("number", "a finite number: `12`, `12.5`", "`.inf`, `.nan`, `'12.5'`, `true`"),
    ("date", "`YYYY-MM-DD`, from `0001-01-01` to `9999-12-31` (quoted or not)",
     "`20250601`, `0` and other numbers (they are not Unix timestamps), `2025-06-01T00:00:00`, `2025/06/01`"),
    ("date-time", "`YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`, seconds optional (`…T08:30:15`), Beijing time; "
     "quote it in YAML", "a zone (`Z`, `+08:00`), a fraction of a second, `24:00`, a date alone, a number"),
    ("text", "text; quote it when it would read as a number or `true`/`false`", "a number or `true` unquoted"),
    ("enum", "one of the listed values, exactly", "another spelling or case"),
    ("list", "a list `[...]` of the item type; `[]` is known empty", "a single value without `[...]`"),
)


def parse_iso_date(text: str) -> date:
    """The day written ``YYYY-MM-DD``; ValueError for anything else. (Python 3.11's
    ``date.fromisoformat`` also reads ``20250601`` and ``2025-W23-1``, which nobody means here.)"""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date written YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def _written_date(value: Any) -> Any:
    """Before validation: ``YYYY-MM-DD`` text becomes a date, a date stays; a number (which lax
    pydantic reads as a Unix timestamp), a datetime or any other text is refused."""
    if isinstance(value, str):
        try:
            return parse_iso_date(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "not a date written YYYY-MM-DD") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError("date_type", "not a date: write YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_written_date)]


def parse_iso_datetime(text: str) -> datetime:
    """The moment written ``YYYY-MM-DDTHH:MM[:SS]`` (or with one space for ``T``), Beijing time
    without a zone; ValueError for anything else (a zone, a fraction, 24:00, a date alone)."""
    m = _ISO_DATETIME.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not a date-time written YYYY-MM-DDTHH:MM[:SS]: {text!r}")
    day = date.fromisoformat(m.group(1))
    return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))


def _item_datetime(value: Any) -> Any:
    """Before strict validation of a date-time field: its text read by ``parse_iso_datetime``;
    anything else stays as given, and strict validation refuses it at the field (``bad-date``,
    with the date-time form as the hint)."""
    if isinstance(value, str):
        try:
            return parse_iso_datetime(value)
        except ValueError:
            pass
    return value


class FactEnum(StrEnum):
    """Base of the fact enums: their values are matched exactly even in the strict fact models
    (strict pydantic accepts only enum members, and a case is written as text). Each member is
    declared ``name = "code", "中文"``: the code is the value cases and JSON use, the Chinese label
    (``.label``) is what a person reads."""

    label: str

    def __new__(cls, value: str, label: str = "") -> FactEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema = handler(source)
        schema["strict"] = False  # lax enum validation: the exact values, as text
        return schema


_DATE_FIELDS: dict[type, dict[str, bool | None]] = {}


def _date_fields(model: type[BaseModel]) -> dict[str, bool | None]:
    """Field name -> whether it holds a list of dates (None: a date-time), for the models' date
    and date-time fields (cached)."""
    hit = _DATE_FIELDS.get(model)
    if hit is None:
        hit = {}
        for name, info in model.model_fields.items():
            ann = info.annotation
            if typing.get_origin(ann) in (typing.Union, types.UnionType):
                ann = next(a for a in typing.get_args(ann) if a is not type(None))
            if ann is date:
                hit[name] = False
            elif ann is datetime:
                hit[name] = None  # type: ignore[assignment]  # a date-time (None: neither date nor list)
            elif typing.get_origin(ann) is list and typing.get_args(ann)[0] is date:
                hit[name] = True
        _DATE_FIELDS[model] = hit
    return hit


class FactModel(BaseModel):
    """Base of all fact models: unknown keys are errors, facts are immutable once built, and values
    are read strictly (module docstring), dates as ``YYYY-MM-DD``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _dates_as_written(cls, data: Any) -> Any:
        # Annotations stay plain ``date`` (the condition checker and the supervisor read them), so
        # strict validation takes only date objects: this reads the YYYY-MM-DD text of the date
        # fields first. Anything else stays as given, and strict validation refuses it where it
        # stands (a list item at its index). One call per record, not one per field.
        fields = _date_fields(cls)
        if not fields or data.__class__ is not dict:
            return data
        out = None
        for name, is_list in fields.items():
            value = data.get(name)
            if is_list is None:
                if value is None:
                    continue
                new = _item_datetime(value)
            elif value.__class__ is str and not is_list:
                new: Any = _item_date(value)
            elif is_list and value.__class__ is list:
                new = [_item_date(v) if v.__class__ is str else v for v in value]
            else:
                continue
            if out is None:
                out = dict(data)
            out[name] = new
        return data if out is None else out


def _item_date(value: str) -> Any:
    """``value`` as a date when it is written YYYY-MM-DD, else unchanged (strict validation then
    refuses it where it stands). At length 10 with dashes at 4 and 7, ``date.fromisoformat``
    reads nothing but YYYY-MM-DD with ASCII digits (the same test as ``parse_iso_date``)."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return value
