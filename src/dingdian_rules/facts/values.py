"""The pydantic side of fact values: ``IsoDate`` and ``FactModel``, the base of every section model.

Values are read strictly (``written.WRITTEN_FORMS``): pydantic's lax mode would turn ``n`` into
false, ``0`` into 1970-01-01 and ``'12'`` into 12, and a wrong fact gives a wrong decision with no
diagnostic. ``IsoDate`` is the one date type of cases, packs and events. ``FactEnum`` (in
``enums``) and the readers of written dates (in ``written``) are re-exported here.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from .enums import FactEnum
from .written import WRITTEN_FORMS, parse_iso_date, parse_iso_datetime

__all__ = ["FactEnum", "FactModel", "IsoDate", "WRITTEN_FORMS", "parse_iso_date", "parse_iso_datetime"]


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


def _item_datetime(value: Any) -> Any:
    """Before strict validation of a date-time field: its text read by ``parse_iso_datetime``;
    anything else stays as given, and strict validation refuses it at the field (``bad-date``,
    with the date-time form as the hint). A ``datetime`` with a zone is refused as its text with
    the zone is: a date-time fact is Beijing time as written, and an offset would be dropped
    silently (2025-06-01T00:00Z is 08:00 in Beijing)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # a text with a zone: refused at the field like the written one
    if isinstance(value, str):
        try:
            return parse_iso_datetime(value)
        except ValueError:
            pass
    return value


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
