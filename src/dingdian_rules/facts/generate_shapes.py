"""Write ``facts/shapes.py``, the fact models' fields as plain data, from the pydantic models.

``python -m dingdian_rules.facts.generate_shapes > src/dingdian_rules/facts/shapes.py``; a test
keeps the file equal to what this prints, so the pydantic-free case reader (``facts.plain``) can
never drift from the models it stands in for.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from .enums import FactEnum
from .models import Case

_SCALARS = {bool: "bool", int: "int", float: "float", str: "str", date: "date", datetime: "datetime"}


def _kind(annotation: Any) -> tuple[str, str | None, bool]:
    """(kind, target model or enum name, is a list) of a field annotation ``X | None``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"a fact field holds one type: {annotation!r}")
        annotation = args[0]
    is_list = typing.get_origin(annotation) is list
    if is_list:
        annotation = typing.get_args(annotation)[0]
    if annotation in _SCALARS:
        return _SCALARS[annotation], None, is_list
    if isinstance(annotation, type) and issubclass(annotation, FactEnum):
        return "enum", annotation.__name__, is_list
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation.__name__, is_list
    raise TypeError(f"no plain reader for a fact field of type {annotation!r}: add one to facts.plain")


def shapes(root: type[BaseModel] = Case) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """Model name -> its fields as (name, kind, target, is_list, ge, title), in declaration order."""
    out: dict[str, tuple[tuple[Any, ...], ...]] = {}

    def walk(model: type[BaseModel]) -> None:
        if model.__name__ in out:
            return
        rows = []
        out[model.__name__] = ()
        for name, info in model.model_fields.items():
            if info.default is not None or info.default_factory is not None or info.alias or info.validation_alias:
                raise TypeError(f"{model.__name__}.{name}: a fact field is optional with default None and no alias")
            kind, target, is_list = _kind(info.annotation)
            ge = None
            for m in info.metadata:
                if type(m).__name__ == "Ge":
                    ge = m.ge
                else:
                    raise TypeError(f"{model.__name__}.{name}: no plain reader for the constraint {m!r}")
            rows.append((name, kind, target, is_list, ge, info.title))
            if kind == "model":
                walk(next(a for a in _models(info.annotation) if a.__name__ == target))
        out[model.__name__] = tuple(rows)

    walk(root)
    return out


def _models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for a in (annotation, *typing.get_args(annotation)):
        for b in (a, *typing.get_args(a)):
            if isinstance(b, type) and issubclass(b, BaseModel):
                found.append(b)
    return found


def render() -> str:
    """The text of ``facts/shapes.py``."""
    lines = ['"""The fact models\' fields as plain data, generated from the pydantic models by',
             "``python -m dingdian_rules.facts.generate_shapes``: do not edit (a test keeps it in sync).",
             "",
             "Each model: (field, kind, model or enum name, is a list, lower bound, Chinese title).",
             '"""', "", "SHAPES = {"]
    for model, rows in shapes().items():
        lines.append(f"    {model!r}: (")
        lines.extend(f"        {row!r}," for row in rows)
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
