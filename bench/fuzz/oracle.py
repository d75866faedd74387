"""What the documented schema says of a value, independently of the library's validation.

The fuzzer walks a pack file together with the models that document it (``schema.PackMeta``,
``rule_schema.RuleFile``, ``facts.Case``) to know what each node is, and judges a value it puts
there by the strict reading docs/errors.md and docs/facts.md state: a number is not text, ``true``
is not a number, a date is ``YYYY-MM-DD`` text, an enum value is one of its values exactly, a
constraint (``ge``, ``min_length``, ``pattern``) holds. ``accepts`` answers True (the value has
the field's type), False (it has not: a load must refuse it), or None (a model's inner checks
decide; the fuzzer makes no claim).
"""

from __future__ import annotations

import math
import re
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterator

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def split(ann: Any) -> tuple[Any, list[Any]]:
    """(the bare type, the constraints) of an annotation, through ``Annotated`` and ``FieldInfo``."""
    meta: list[Any] = []
    while typing.get_origin(ann) is typing.Annotated:
        args = typing.get_args(ann)
        ann = args[0]
        for m in args[1:]:
            meta += m.metadata if isinstance(m, FieldInfo) else [m]
    return ann, meta


def options(ann: Any) -> list[Any]:
    """The alternatives of a union (one item for anything else), each with the constraints
    written on the union (``int | None = Field(ge=0)``)."""
    bare, meta = split(ann)
    if typing.get_origin(bare) in (typing.Union, types.UnionType):
        args = typing.get_args(bare)
        return [typing.Annotated[(a, *meta)] if meta and a is not type(None) else a for a in args]
    return [ann]


def child(ann: Any, key: Any) -> Any | None:
    """The annotation of ``value[key]`` for a value of type ``ann`` (None when unknown)."""
    found = []
    for opt in options(ann):
        bare, _ = split(opt)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            if isinstance(key, str) and key in bare.model_fields:
                found.append(field_annotation(bare.model_fields[key]))
        elif typing.get_origin(bare) is list and isinstance(key, int):
            found.append(typing.get_args(bare)[0])
        elif typing.get_origin(bare) is dict and isinstance(key, str):
            found.append(typing.get_args(bare)[1])
    return found[0] if len(found) == 1 else (typing.Union[tuple(found)] if found else None)


def field_annotation(f: FieldInfo) -> Any:
    return typing.Annotated[f.annotation, f] if f.metadata else f.annotation


def model_of(ann: Any) -> type[BaseModel] | None:
    """The model a mapping of type ``ann`` is validated by (the one model among the options)."""
    models = [split(o)[0] for o in options(ann)]
    models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
    return models[0] if len(models) == 1 else None


def is_iso_date(value: Any) -> bool:
    if type(value) is not str or not _ISO.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def accepts(ann: Any, value: Any) -> bool | None:
    """Whether a strict reading of ``ann`` takes ``value`` (None: not decided here)."""
    results = [_accepts_one(opt, value) for opt in options(ann)]
    if any(r is True for r in results):
        return True
    if all(r is False for r in results):
        return False
    return None


def _constraints_hold(meta: list[Any], value: Any) -> bool:
    for m in meta:
        if isinstance(m, at.Ge) and not value >= m.ge:
            return False
        if isinstance(m, at.Gt) and not value > m.gt:
            return False
        if isinstance(m, at.MinLen) and not len(value) >= m.min_length:
            return False
        pattern = getattr(m, "pattern", None)
        if isinstance(pattern, str) and not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value):
            return False
        if getattr(m, "allow_inf_nan", True) is False and isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def _accepts_one(ann: Any, value: Any) -> bool | None:
    bare, meta = split(ann)
    if bare is type(None):
        return value is None
    if bare is Any:
        return True
    if value is None:
        return False
    origin = typing.get_origin(bare)
    if origin is typing.Literal:
        return type(value) is str and value in typing.get_args(bare)
    if origin is list:
        if type(value) is not list:
            return False
        if not _constraints_hold(meta, value):
            return False
        items = [accepts(typing.get_args(bare)[0], v) for v in value]
        return False if False in items else (None if None in items else True)
    if origin is dict:
        return None if type(value) is dict else False
    if isinstance(bare, type):
        if issubclass(bare, BaseModel):
            return None if type(value) is dict else False
        if issubclass(bare, Enum):
            return type(value) is str and value in {e.value for e in bare}
        if bare is bool:
            return type(value) is bool
        if bare is int:
            return type(value) is int and _constraints_hold(meta, value)
        if bare is float:
            return type(value) in (int, float) and _constraints_hold(meta, value) and (
                type(value) is int or math.isfinite(value))
        if bare is str:
            return type(value) is str and _constraints_hold(meta, value)
        if bare is date:
            return (is_iso_date(value) or (type(value) is date)) and not isinstance(value, datetime)
    return None


def walk(ann: Any, value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Any]]:
    """(path, value, annotation) of every node under ``value``, ``value`` itself first."""
    yield path, value, ann
    if type(value) is dict:
        for k, v in value.items():
            sub = child(ann, k) if ann is not None else None
            yield from walk(sub, v, path + (k,))
    elif type(value) is list:
        for i, v in enumerate(value):
            sub = child(ann, i) if ann is not None else None
            yield from walk(sub, v, path + (i,))


def annotation_at(ann: Any, path: tuple) -> Any:
    """The annotation of the node at ``path`` under a value of type ``ann``."""
    for k in path:
        if ann is None:
            return None
        ann = child(ann, k)
    return ann


def get(data: Any, path: tuple) -> Any:
    for k in path:
        data = data[k]
    return data
