"""Plain twins of pydantic model instances: what an answering process holds instead of pydantic
objects, so that one CLI answer never imports pydantic (issue 13 item 4: importing pydantic and
building its models is more than half of a cold answer's CPU).

A twin has the model's field names as attributes, in the model's order, holding the values
pydantic would hold (nested models as twins), and the part of the pydantic model API the package
uses on data: ``model_dump(mode=..., exclude_none=..., exclude=...)``, ``model_dump_json``, equality, hashing,
``repr``. It is immutable, as the frozen models are, and pickles by model name and values (the
pack cache stores resolved packs made of twins). Twins are made in two places: the resolved pack
converts its pydantic pack-file objects once at load (``packs.twinning``), and a case read from
plain data is checked and built by ``facts.plain`` without pydantic. Tests hold every twin's
``model_dump`` equal to its model's.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

_CLASSES: dict[tuple[str, tuple[str, ...]], type["Twin"]] = {}


class Twin:
    """Base of the twin classes; ``twin_class`` makes one per model (name and field names)."""

    _model: str = ""
    _fields: tuple[str, ...] = ()

    def __init__(self, *values: Any) -> None:
        if len(values) != len(self._fields):
            raise TypeError(f"{self._model} has {len(self._fields)} fields, not {len(values)}")
        object.__setattr__(self, "__dict__", dict(zip(self._fields, values)))

    @classmethod
    def _of(cls, fields: dict[str, Any]) -> "Twin":
        """The twin holding ``fields``, a dict of every field in order, taken as it is (no copy)."""
        twin = object.__new__(cls)
        object.__setattr__(twin, "__dict__", fields)
        return twin

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{self._model} is frozen: '{name}' cannot be set")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{self._model} is frozen: '{name}' cannot be deleted")

    def _values(self) -> tuple[Any, ...]:
        return tuple(self.__dict__.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Twin):
            return NotImplemented
        return self._model == other._model and self._fields == other._fields and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self._model, self._values()))

    def __repr__(self) -> str:
        return f"{self._model}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._model, self._fields, self._values()))

    def model_dump(self, *, mode: str = "python", exclude_none: bool = False,
                   exclude: set[str] | frozenset[str] | None = None) -> dict[str, Any]:
        """The fields as pydantic's ``model_dump`` gives them: nested models as dicts; with
        ``mode="json"`` dates as ``YYYY-MM-DD``, enums as their values, tuples as lists."""
        json = mode == "json"
        out: dict[str, Any] = {}
        for name in self._fields:
            if exclude and name in exclude:
                continue
            value = getattr(self, name)
            if value is None and exclude_none:
                continue
            out[name] = _dump(value, json, exclude_none)
        return out

    def model_dump_json(self, *, exclude_none: bool = False) -> str:
        """The fields as compact JSON, as pydantic's ``model_dump_json`` writes them (field order
        kept, no spaces, Chinese unescaped)."""
        import json
        return json.dumps(self.model_dump(mode="json", exclude_none=exclude_none), ensure_ascii=False,
                          separators=(",", ":"))

    @property
    def model_fields_set(self) -> set[str]:
        """The fields that hold a value (a twin keeps no record of which were written)."""
        return {f for f in self._fields if getattr(self, f) is not None}


def _dump(value: Any, json: bool, exclude_none: bool) -> Any:
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if isinstance(value, Twin):
        return value.model_dump(mode="json" if json else "python", exclude_none=exclude_none)
    if cls is list:
        return [_dump(v, json, exclude_none) for v in value]
    if cls is tuple:
        items = [_dump(v, json, exclude_none) for v in value]
        return items if json else tuple(items)
    if cls is dict:
        return {k: _dump(v, json, exclude_none) for k, v in value.items()}
    if json:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, (set, frozenset)):
            return [_dump(v, json, exclude_none) for v in value]
    return value


def twin_class(model: str, fields: tuple[str, ...]) -> type[Twin]:
    """The twin class of a model with these fields (one per name and fields, made on first use)."""
    key = (model, fields)
    cls = _CLASSES.get(key)
    if cls is None:
        cls = type(model, (Twin,), {"_model": model, "_fields": fields,
                                    "__module__": __name__, "__qualname__": f"Twin[{model}]"})
        _CLASSES[key] = cls
    return cls


def _rebuild(model: str, fields: tuple[str, ...], values: tuple[Any, ...]) -> Twin:
    """Unpickling: the twin of ``model`` with these values."""
    return twin_class(model, tuple(fields))(*values)


def is_model(value: Any) -> bool:
    """A pydantic model instance or a twin, without importing pydantic: what the renderers show
    as a record of fields."""
    if isinstance(value, Twin):
        return True
    import sys
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


__all__ = ["Twin", "is_model", "twin_class"]
