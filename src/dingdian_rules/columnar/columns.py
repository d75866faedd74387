"""Facts as columns: the polars type of each fact, where a fact path is found in a frame
(a struct column ``institution`` with a field ``beds``, or a dotted column ``institution.beds``),
and ``frame_from_cases``, which lays ``Case`` objects out as such a frame."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable

import polars as pl
from pydantic import BaseModel

from ..twins import Twin

from ..conditions.types import Type, field_types
from ..facts.models import Case

_SCALARS = {"bool": pl.Boolean, "int": pl.Int64, "number": pl.Float64, "text": pl.String, "enum": pl.String,
            "date": pl.Date, "datetime": pl.Datetime("us"), "duration": pl.Int64}


def dtype_of(t: Type) -> pl.DataType:
    """The column type of a fact of type ``t`` (enums as text, records as structs)."""
    if t.name == "list":
        return pl.List(dtype_of(t.elem) if t.elem is not None else pl.Null)
    if t.name == "object" and t.model is not None:
        return model_dtype(t.model)
    return _SCALARS[t.name]


def model_dtype(model: type[BaseModel]) -> pl.Struct:
    return pl.Struct({name: dtype_of(t) for name, t in field_types(model).items()})


def case_schema() -> dict[str, pl.DataType]:
    """The frame schema of whole cases: one struct column per case section."""
    return {name: dtype_of(t) for name, t in field_types(Case).items()}


def type_at(model: type[BaseModel], path: Iterable[str]) -> Type:
    """The type of the fact at ``path`` below ``model``."""
    t = Type("object", model=model)
    for seg in path:
        if t.name != "object" or t.model is None:
            raise KeyError(seg)
        t = field_types(t.model)[seg]
    return t


def fact_dtype(frame_schema: dict[str, pl.DataType], path: tuple[str, ...]) -> pl.DataType | None:
    """The frame's type of the fact at ``path`` (as ``fact_column`` reads it); None when the frame lacks it."""
    for cut in range(len(path), 0, -1):
        name = ".".join(path[:cut])
        if name in frame_schema:
            return field_dtype(frame_schema[name], path[cut:])
    return None


def field_dtype(dtype: pl.DataType | None, path: Iterable[str]) -> pl.DataType | None:
    """The type of the struct field at ``path`` below ``dtype``; None when there is none."""
    for seg in path:
        if not isinstance(dtype, pl.Struct):
            return None
        dtype = {f.name: f.dtype for f in dtype.fields}.get(seg)
    return dtype


def fact_column(frame_schema: dict[str, pl.DataType], path: tuple[str, ...]) -> pl.Expr | None:
    """The expression reading ``path`` from a frame with ``frame_schema``: the longest dotted
    column that is a prefix of the path, then struct fields; None when the frame lacks it."""
    for cut in range(len(path), 0, -1):
        name = ".".join(path[:cut])
        if name in frame_schema:
            expr, dtype = pl.col(name), frame_schema[name]
            for seg in path[cut:]:
                if not isinstance(dtype, pl.Struct):
                    return None
                fields = {f.name: f.dtype for f in dtype.fields}
                if seg not in fields:
                    return None
                expr, dtype = expr.struct.field(seg), fields[seg]
            return expr
    return _dotted_struct(frame_schema, ".".join(path))


def _dotted_struct(frame_schema: dict[str, pl.DataType], prefix: str) -> pl.Expr | None:
    """A section given as dotted columns (``information_change.is_major``, ...) read whole: a
    struct of them, unknown when every one is null, as the batch reader, which skips null cells,
    builds the section only from the cells given."""
    subs = list(dict.fromkeys(n[len(prefix) + 1:].split(".")[0] for n in frame_schema if n.startswith(prefix + ".")))
    if not subs:
        return None
    parts = []
    for seg in subs:
        name = f"{prefix}.{seg}"
        part = pl.col(name) if name in frame_schema else _dotted_struct(frame_schema, name)
        parts.append(part.alias(seg))  # type: ignore[union-attr]
    return pl.when(pl.any_horizontal([p.is_not_null() for p in parts])).then(pl.struct(parts))


def _plain(v: Any) -> Any:
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, Twin):
        return {k: _plain(getattr(v, k)) for k in v._fields}
    if isinstance(v, BaseModel):
        return {k: _plain(getattr(v, k)) for k in type(v).model_fields}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (date, datetime)) or v is None:
        return v
    return v


def frame_from_cases(cases: Iterable[Case]) -> pl.DataFrame:
    """Cases as a frame of struct columns (unknown facts as nulls), the layout ``evaluate_frame`` reads."""
    rows = [{k: _plain(getattr(c, k)) for k in Case.model_fields} for c in cases]
    return pl.DataFrame(rows, schema=case_schema()) if rows else pl.DataFrame(schema=case_schema())
