"""pydantic ``ValidationError`` -> diagnostics at the YAML location of each offending value.

A schema error names the key or value where it was written (file:line:col), says what was
expected in words an analyst reads (``true or false``, ``one of …``), and suggests the field
meant when a key is unknown (did-you-mean over the model's fields and aliases).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Union

import pydantic
from pydantic import BaseModel

from .errors import Diagnostic, did_you_mean
from .yamlio import Path_, YamlDoc, format_path

__all__ = ["pydantic_diagnostics"]


_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                "datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"}
_EXPECTED = {"string": "text", "int": "an integer", "float": "a number", "decimal": "a number",
             "bool": "true or false", "list": "a list", "tuple": "a list", "set": "a list",
             "frozen_set": "a list", "dict": "a mapping", "model": "a mapping", "dataclass": "a mapping",
             "none": "null", "bytes": "text"}


def _members(tp: Any) -> list[Any]:
    """Flatten Optional/Union/Annotated into the concrete types a value may take."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [] if tp is type(None) else [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_keys(name: str, info: Any, by_name: bool = True) -> list[str]:
    """Keys a field may be written under in YAML: its aliases, and its name unless aliased."""
    aliases = [a for a in (info.alias, info.validation_alias) if isinstance(a, str)]
    if isinstance(info.validation_alias, pydantic.AliasChoices):
        aliases += [c for c in info.validation_alias.choices if isinstance(c, str)]
    return list(dict.fromkeys(aliases + ([name] if by_name or not aliases else [])))


def _input_names(model: type[BaseModel]) -> list[str]:
    """Every key the model accepts, for did-you-mean hints."""
    by_name = bool(model.model_config.get("populate_by_name") or model.model_config.get("validate_by_name"))
    return [key for name, info in model.model_fields.items() for key in _field_keys(name, info, by_name)]


def _types_at(model: Any, path: Sequence[str | int]) -> list[Any]:
    """Walk the model's annotations along a data path (models, list[...], dict[str, ...], unions)."""
    current = _members(model)
    for part in path:
        nxt: list[Any] = []
        for tp in current:
            origin, args = typing.get_origin(tp), typing.get_args(tp)
            if _is_model(tp) and isinstance(part, str):
                for name, info in tp.model_fields.items():
                    if part in _field_keys(name, info):
                        nxt += _members(info.annotation)
            elif origin in (dict, Mapping, typing.Mapping) and len(args) == 2 and isinstance(part, str):
                nxt += _members(args[1])
            elif origin in (list, set, frozenset, Sequence) and args and isinstance(part, int):
                nxt += _members(args[0])
            elif origin is tuple and args and isinstance(part, int):
                item = args[0] if len(args) == 2 and args[1] is Ellipsis else args[min(part, len(args) - 1)]
                nxt += _members(item)
        current = nxt
    return current


def _allowed_values(types_: list[Any], ctx: Mapping[str, Any]) -> list[str]:
    values: list[str] = []
    for tp in types_:
        if typing.get_origin(tp) is typing.Literal:
            values += [v.value if isinstance(v, Enum) else v for v in typing.get_args(tp)]
        elif isinstance(tp, type) and issubclass(tp, Enum):
            values += [m.value for m in tp]
    if not values and "expected" in ctx:  # fall back to pydantic's "'a', 'b' or 'c'"
        values = [v.strip().strip("'\"") for v in re.split(r",\s*|\s+or\s+", str(ctx["expected"])) if v.strip()]
    return [str(v) for v in values]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clean(loc: tuple[Any, ...], data: Any, missing: bool) -> tuple[Path_, tuple[Any, ...]]:
    """Drop loc parts that are not in the data (union-branch tags, validator names).

    Returns the data path and, if something was dropped, ``(data path before it, dropped part)``:
    the union site and the branch the error belongs to.
    """
    out: list[str | int] = []
    branch: tuple[Any, ...] = ()
    for i, part in enumerate(loc):
        if (isinstance(data, dict) and part in data) or (
                isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)):
            out.append(part)
            data = data[part]
        elif missing and i == len(loc) - 1:
            out.append(part)
        elif not branch:
            branch = (tuple(out), part)
    return tuple(out), branch


def _type_expected(err_type: str) -> str | None:
    return next((_EXPECTED[p] for p in sorted(_EXPECTED, key=len, reverse=True) if err_type.startswith(p + "_")), None)


def _is_type_error(err_type: str) -> bool:
    return err_type not in _DATE_ERRORS and (err_type.endswith(("_type", "_parsing")) or err_type == "int_from_float")


_Entry = tuple[dict[str, Any], Path_]


def _pick_branches(errors: list[dict[str, Any]], root: Any) -> list[list[_Entry]]:
    """Per union site keep the branch that got deepest with the fewest errors (best effort).

    A returned group of several errors is a tie between scalar branches (e.g. ``int | str``),
    reported once as "expected an integer or text"; other groups hold one error.
    """
    sites: dict[Any, dict[Any, list[_Entry]]] = {}
    for index, err in enumerate(errors):
        path, branch = _clean(tuple(err["loc"]), root, err["type"] == "missing")
        site = branch[0] if branch else ("#", index)
        sites.setdefault(site, {}).setdefault(branch[1:], []).append((err, path))
    groups: list[list[_Entry]] = []
    for branches in sites.values():
        def score(entries: list[_Entry]) -> tuple[int, int]:
            return -max(len(path) for _, path in entries), len(entries)
        best = min(map(score, branches.values()))
        tied = [b for b in branches.values() if score(b) == best]
        if len(tied) > 1 and all(len(b) == 1 and _is_type_error(b[0][0]["type"]) for b in tied):
            groups.append([b[0] for b in tied])
        else:
            groups += [[entry] for entry in tied[0]]
    return groups


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def pydantic_diagnostics(exc: pydantic.ValidationError, model: type[BaseModel], doc: YamlDoc,
                         base: Sequence[str | int] = ()) -> list[Diagnostic]:
    """Translate a ValidationError on the data at ``base`` of ``doc`` into located diagnostics."""
    base, out = tuple(base), []
    root = _value_at(doc.data, base)
    for group in _pick_branches(exc.errors(include_url=False), root):
        err, rel = group[0]
        diag = _diagnose(err, rel, model, doc, base, root)
        if len(group) > 1:
            wanted = " or ".join(dict.fromkeys(_type_expected(e["type"]) or e["type"] for e, _ in group))
            diag = Diagnostic("type-mismatch", f"expected {wanted}, got {_short(err['input'])}",
                              diag.location, diag.path)
        if diag not in out:
            out.append(diag)
    return out


def _type_hint(kind: str, value: Any) -> str:
    """How to write the value instead: values are never converted (docs/facts.md)."""
    if kind == "string_type" and isinstance(value, (int, float, bool)):
        return f"quote it to make it text: '{value}'"
    if kind == "bool_type":
        return "write true or false (yes, no, y, n, 0 and 1 are not booleans)"
    if kind in ("int_type", "float_type", "int_from_float"):
        if isinstance(value, bool):
            return "write a number (true and false are not numbers)"
        if isinstance(value, str):
            return "write the number without quotes"
        if kind != "float_type" and isinstance(value, float):
            return "write a whole number (12, not 12.0 or 1.2e1)"
    return ""


def _diagnose(err: dict[str, Any], rel: Path_, model: type[BaseModel], doc: YamlDoc,
              base: Path_, root: Any) -> Diagnostic:
    kind, full, value, ctx = err["type"], base + rel, err.get("input"), err.get("ctx") or {}
    where, path = doc.locate(full), format_path(full)
    if kind == "extra_forbidden" and rel:
        names = list(dict.fromkeys(n for tp in _types_at(model, rel[:-1]) if _is_model(tp) for n in _input_names(tp)))
        present = _value_at(root, rel[:-1])
        hint = did_you_mean(str(rel[-1]), [n for n in names if not isinstance(present, dict) or n not in present])
        hint = hint or ("allowed fields: " + ", ".join(names) if names else "")
        return Diagnostic("unknown-field", f"unknown field '{rel[-1]}'", doc.locate_key(full), path, hint)
    if kind == "missing":
        name = rel[-1] if rel else "?"
        return Diagnostic("missing-field", f"missing required field '{name}'", where, path, f"add `{name}: ...`")
    if kind in _DATE_ERRORS:
        return Diagnostic("bad-date", f"not a valid date: {_short(value)}", where, path, "write dates as YYYY-MM-DD")
    if kind in ("enum", "literal_error"):
        allowed = _allowed_values(_types_at(model, rel), ctx)
        hint = did_you_mean(str(value), allowed) or ("allowed values: " + ", ".join(allowed) if allowed else "")
        return Diagnostic("bad-value", f"{_short(value)} is not an allowed value", where, path, hint)
    if kind == "string_unicode":
        return Diagnostic("invalid-value", f"text is not valid Unicode (it holds a lone surrogate): {_short(value)}",
                          where, path, "write the character itself; in JSON a pair such as \\ud83d\\ude00 is one character")
    if kind == "finite_number":
        return Diagnostic("type-mismatch", f"expected a finite number, got {_short(value)}", where, path,
                          "write a number such as 12.5; .inf and .nan are not amounts")
    if _is_type_error(kind):
        expected = _type_expected(kind)
        message = f"expected {expected}, got {_short(value)}" if expected else f"{err['msg']}, got {_short(value)}"
        return Diagnostic("type-mismatch", message, where, path, _type_hint(kind, value))
    return Diagnostic("invalid-value", str(err["msg"]), where, path)
