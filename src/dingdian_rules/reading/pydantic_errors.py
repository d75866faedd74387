"""pydantic ``ValidationError`` -> diagnostics at the YAML location of each offending value.

A schema error names the key or value where it was written (file:line:col), says what was
expected in words an analyst reads (``true or false``, ``one of …``), and suggests the field
meant when a key is unknown (did-you-mean over the model's fields and aliases). pydantic's own
sentences (``String should have at least 2 characters``) never reach the user: every constraint
our models use is said in the project's words with a hint, and the usual slips (是/否 for a
boolean, 2024/01/01 for a date, a full-width colon after a key) get a hint of their own.
"""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Union

import pydantic
from pydantic import BaseModel

from ..errors import Diagnostic, did_you_mean
from .slips import BOOL_WORDS, iso_date
from .yaml_doc import Path_, YamlDoc, format_path

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


def _diagnose(err: dict[str, Any], rel: Path_, model: type[BaseModel], doc: YamlDoc,
              base: Path_, root: Any) -> Diagnostic:
    kind, full, value, ctx = err["type"], base + rel, err.get("input"), err.get("ctx") or {}
    where, path = doc.locate(full), format_path(full)
    if kind == "extra_forbidden" and rel:
        names = list(dict.fromkeys(n for tp in _types_at(model, rel[:-1]) if _is_model(tp) for n in _input_names(tp)))
        present = _value_at(root, rel[:-1])
        key = str(rel[-1])
        hint = _key_slip(key, names) or did_you_mean(
            key, [n for n in names if not isinstance(present, dict) or n not in present])
        hint = hint or ("allowed fields: " + ", ".join(names) if names else "")
        return Diagnostic("unknown-field", f"unknown field '{key}'", doc.locate_key(full), path, hint)
    if kind == "missing":
        name = rel[-1] if rel else "?"
        return Diagnostic("missing-field", f"missing required field '{name}'", where, path,
                          f"add `{name}: {_EXAMPLES.get(str(name), '...')}`")
    if kind in _DATE_ERRORS and kind.startswith("datetime"):
        return Diagnostic("bad-date", f"not a valid date-time: {_short(value)}", where, path,
                          "write date-times as YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, Beijing time without a zone "
                          "(quote it in YAML)")
    if kind in _DATE_ERRORS:
        iso = iso_date(value) if isinstance(value, str) else None
        return Diagnostic("bad-date", f"not a valid date: {_short(value)}", where, path,
                          "write dates as YYYY-MM-DD" + (f": {iso}" if iso else ""))
    if kind in ("enum", "literal_error"):
        allowed = _allowed_values(_types_at(model, rel), ctx)
        hint = did_you_mean(str(value), allowed) or ("allowed values: " + ", ".join(allowed) if allowed else "")
        return Diagnostic("bad-value", f"{_short(value)} is not an allowed value", where, path,
                          _value_slip(value) or hint)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = str(ctx.get("discriminator", "type")).strip("'\"")
        if kind == "union_tag_not_found":
            return Diagnostic("missing-field", f"missing required field '{key}'", where, path, f"add `{key}: ...`")
        allowed = [t.strip().strip("'\"") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]
        hint = did_you_mean(str(ctx.get("tag")), allowed) or "allowed values: " + ", ".join(allowed)
        return Diagnostic("bad-value", f"{key} {_short(ctx.get('tag'))} is not an allowed value",
                          doc.locate(full + (key,)), format_path(full + (key,)), hint)
    if kind == "string_unicode":
        return Diagnostic("invalid-value", f"text is not valid Unicode (it holds a lone surrogate): {_short(value)}",
                          where, path, "write the character itself; in JSON a pair such as \\ud83d\\ude00 is one character")
    if kind == "finite_number":
        return Diagnostic("type-mismatch", f"expected a finite number, got {_short(value)}", where, path,
                          "write a number such as 12.5; .inf and .nan are not amounts")
    if _is_type_error(kind):
        expected = _type_expected(kind)
        message = f"expected {expected}, got {_short(value)}" if expected else f"not a valid value: {_short(value)}"
        quote = kind == "string_type" and isinstance(value, (int, float, bool))
        hint = f"quote it to make it text: '{value}'" if quote else _type_hint(kind, value)
        return Diagnostic("type-mismatch", message, where, path, hint)
    message, hint = _constraint(kind, value, ctx, err, rel)
    return Diagnostic("invalid-value", message, where, path, _value_slip(value) or hint)


# Examples for a missing field's hint: what the value looks like.
_EXAMPLES = {"citation": "{document: <source id>, article: <N>, quote: <the words of the text>}",
             "title": "{zh: <中文标题>, en: <English title>}", "quote": "<the words of the source text>",
             "document": "<source id from pack.yaml>", "article": "<N of 第N条>",
             "kind": "<eligibility, non_acceptance, suspension, …>", "modality": "<shall, may, shall_not or effect>",
             "name": "{zh: <中文名>, en: <English name>}", "level": "<national, province, city or agreement>"}
_KEY_SLIP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*：")


def _key_slip(key: str, names: list[str]) -> str:
    """A key written with a full-width colon or indented with a full-width space."""
    m = _KEY_SLIP.match(key.lstrip("\u3000 "))
    if m is not None:
        return f"'{m.group(1)}：' has a full-width colon: write `{m.group(1)}:` (ASCII ':' and a space)"
    if key.startswith("\u3000"):
        return "the key starts with a full-width space (U+3000): indent with ASCII spaces"
    return ""


def _value_slip(value: Any) -> str:
    """A value that swallowed the next line because that line's key has a full-width colon."""
    if isinstance(value, str):
        m = re.search(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)\s*：", value)
        if m is not None:
            return (f"'{m.group(1)}：' has a full-width colon, so YAML read that line as part of this value: "
                    f"write `{m.group(1)}:` (ASCII ':' and a space)")
    return ""


def _type_hint(kind: str, value: Any) -> str:
    """What to write instead, for the usual wrong types: values are never converted (docs/facts.md)."""
    if kind == "string_type" and isinstance(value, (int, float, bool)):
        return f"quote it to make it text: '{value}'"
    if kind.startswith("bool"):
        if isinstance(value, str) and value.strip() in BOOL_WORDS:
            word = value.strip()
            return f"write {str(BOOL_WORDS[word]).lower()} for '{word}' (true or false, not 是/否)"
        return "write true or false (yes, no, y, n, 0 and 1 are not booleans)"
    if kind in ("int_type", "float_type", "int_from_float") or kind.startswith(("int", "float")):
        if isinstance(value, bool):
            return "write a number (true and false are not numbers)"
        if isinstance(value, str):
            ascii_ = unicodedata.normalize("NFKC", value).strip()
            number = re.match(r"[-+]?\d+(\.\d+)?", ascii_)
            if number is not None and number.group(0) != value.strip():
                return f"write the number alone, in ASCII digits: {number.group(0)}"
            return "write the number without quotes"
        if kind != "float_type" and isinstance(value, float):
            return "write a whole number (12, not 12.0 or 1.2e1)"
    return _value_slip(value)


_PATTERNS = {  # the patterns of the models, in words
    r"^[a-z][a-z0-9_]*$": ("is not a valid id", "an id is snake_case: lower-case ASCII letters, digits and '_', "
                           "starting with a letter"),
    r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$": ("is not a valid rule id", "a rule id is snake_case parts joined by '.', "
                                        "e.g. non_acceptance.unpaid_penalty"),
    r"^[^\n]*$": ("must be one line", "remove the line breaks (a `>-` block joins its lines with spaces)"),
}


def _snake(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    parts = [re.sub(r"[^a-z0-9]+", "_", p.strip().lower()).strip("_") for p in value.split(".")]
    out = ".".join(p for p in parts if p)
    return out if re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*", out) and out != value else ""


def _field(rel: Path_) -> str:
    """The field's name for a message: ``quote``, or ``title.zh`` for a part of a bilingual text."""
    names = [str(p) for p in rel if isinstance(p, str)]
    if not names:
        return "the value"
    return ".".join(names[-2:]) if names[-1] in ("zh", "en") and len(names) > 1 else names[-1]


def _constraint(kind: str, value: Any, ctx: Mapping[str, Any], err: dict[str, Any], rel: Path_) -> tuple[str, str]:
    """(message, hint) for a value of the right type that breaks a constraint of the model."""
    name = _field(rel)
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        if not str(value).strip():
            message = f"{name} is empty"
        else:
            message = f"{name} {_short(value)} is too short (at least {n} characters)"
        if name == "quote":
            return message, "copy the words of the source text that the rule encodes"
        if n == 1:
            return message, "write the text"
        return message, f"write at least {n} characters" + (
            ": say what the child's text changes" if name == "changes" else
            ": say why, in a few words" if name == "reason" else "")
    if kind == "string_too_long":
        return f"{name} is too long (at most {ctx.get('max_length')} characters)", "shorten it"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        got = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else "?")
        word = "at least" if kind == "too_short" else "at most"
        return (f"{name} needs {word} {n} entr{'y' if n == 1 else 'ies'}, got {got}",
                "add an entry" if kind == "too_short" else "remove entries")
    bounds = {"greater_than_equal": ("ge", "or more"), "greater_than": ("gt", "more than"),
              "less_than_equal": ("le", "or less"), "less_than": ("lt", "less than")}
    if kind in bounds:
        key, words = bounds[kind]
        limit = ctx.get(key)
        said = f"{limit} {words}" if words.startswith("or") else f"{words} {limit}"
        hint = ("articles, paragraphs, items and tiers are numbered from 1 (第一条 is 1)"
                if name in ("article", "paragraph", "item", "tier") else
                "a count or an amount cannot be negative" if key == "ge" and limit == 0 else f"use a value {said}")
        return f"{name} must be {said}, got {_short(value)}", hint
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        words, hint = _PATTERNS.get(pattern, ("does not have the expected form", f"write it in the form {pattern}"))
        suggestion = _snake(value) if pattern in _PATTERNS and "id" in words else ""
        return f"{_short(value)} {words}", hint + (f" (did you mean '{suggestion}'?)" if suggestion else "")
    if kind == "finite_number":
        return f"{name} must be a finite number, got {_short(value)}", "write an ordinary number"
    if kind == "multiple_of":
        return f"{name} must be a multiple of {ctx.get('multiple_of')}, got {_short(value)}", ""
    if kind in ("value_error", "assertion_error"):  # our own validators' words
        text = str(ctx.get("error") or err["msg"])
        return re.sub(r"^(Value error|Assertion failed), ", "", text), ""
    return f"{name} is not valid: {_short(value)}", "see docs/pack-format.md for the field's form"
