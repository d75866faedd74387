"""Safe YAML loading that records where every node is; pydantic errors turned into diagnostics.

Packs and cases are hand-written, so every mistake must name ``file:line:col``. We only *compose*
nodes with a SafeLoader subclass (PyYAML constructs nothing) and build plain values ourselves,
recording each value's and each key's location by YAML path. Any problem -> ``(None, diagnostics)``.
Ordinary files take a fast path that builds the same values and locations from libyaml's event
stream; anything unusual (aliases, tags, duplicate or null keys, deep nesting, syntax errors) is
handed to the checking loader, so every diagnostic comes from one place.

Scalars (YAML-1.2-core-like, conservative): ``true``/``false`` in any case are booleans, but
``yes/no/on/off/y/n`` stay strings; ``null``/``~``/empty are None; decimal ints (optional sign) and
floats (and ``.inf``/``.nan``) are numbers, EXCEPT that a leading zero (``010``) keeps the text, so
region/institution codes never lose digits; hex, octal, ``1_000``, ``12:30`` and dates stay strings.
Quoted/block scalars are strings. Keys are always strings: a plain key is taken verbatim (``12:`` is
``"12"``); empty/null keys, collection keys and keys with a non-string tag are ``non-string-key``.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, Union

import pydantic
import yaml
from pydantic import BaseModel
from yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import parsecache
from .errors import Diagnostic, DiagnosticBag, Location, did_you_mean

Path_ = tuple[str | int, ...]

_Y = "tag:yaml.org,2002:"
_PLAIN = "tag:dingdian,2024:plain"  # marks untagged plain scalars, resolved by _resolve_plain
_REFUSED = "tag:dingdian,2024:refused-alias"  # stands in for an alias we refused to follow
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_MAYBE_NOT_TEXT = frozenset("0123456789+-.~nNtTfF")  # first characters of nulls, booleans and numbers
_ALIAS_HINT = "write the value out; aliases are refused to keep files readable and to prevent size blow-ups"
_MAX_ALIAS_REPORTS = 20


@dataclass(frozen=True, eq=False)
class YamlDoc:
    """A loaded document: plain data plus where each value (and each mapping key) was written."""

    data: Any
    locations: Mapping[Path_, Location]
    key_locations: Mapping[Path_, Location]
    file: str

    def locate(self, path: Sequence[str | int]) -> Location:
        """Location of the deepest existing prefix of ``path``: errors about absent nodes land on the parent."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return Location(self.file)

    def locate_key(self, path: Sequence[str | int]) -> Location:
        """Location of the key of a mapping entry (for unknown-field errors), else ``locate(path)``."""
        return self.key_locations.get(tuple(path)) or self.locate(path)


def format_path(path: Sequence[str | int]) -> str:
    """Render a YAML path for humans, e.g. ``rules[3].citation.quote``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[^\s.\[\]\"']+", part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


class _TooDeep(Exception):
    """Nesting beyond max_depth at ``args[0]`` (a mark), or alias expansion out of budget (None)."""


class _Loader(yaml.SafeLoader):
    """Composes nodes only; counts depth, refuses aliases, leaves plain scalars unresolved."""

    def __init__(self, text: str, file: str, bag: DiagnosticBag, max_aliases: int, max_depth: int) -> None:
        super().__init__(text)
        self.file, self.bag, self.max_aliases, self.max_depth = file, bag, max_aliases, max_depth
        self.depth = self.aliases = self.node_count = 0

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # type: ignore[override]
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, (False, False))  # no implicit typing by PyYAML

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            if self.aliases > self.max_aliases:
                self.get_event()
                if self.aliases <= self.max_aliases + _MAX_ALIAS_REPORTS:
                    self.bag.error("yaml-alias", f"alias '*{event.anchor}' is not allowed",
                                   _loc(self.file, event.start_mark), hint=_ALIAS_HINT)
                return ScalarNode(_REFUSED, "", event.start_mark, event.end_mark)
        nested = self.check_event(SequenceStartEvent, MappingStartEvent)
        if nested:
            self.depth += 1
            if self.depth > self.max_depth:
                raise _TooDeep(self.peek_event().start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1 if nested else 0
        self.node_count += 1
        return node


_STR_TAG, _SEQ_TAG, _MAP_TAG = _Y + "str", _Y + "seq", _Y + "map"
try:  # libyaml's event parser, when PyYAML was built with it
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - the checking loader alone is correct, only slower
    _CParser = None
_FAST_MAX_DEPTH = 32


class _Decline(Exception):
    """The fast path met something only the checking loader handles (an alias, anchor, tag,
    duplicate or null key, merge key, deep nesting, a second document, a syntax error)."""


class _MarkMap(Mapping):  # type: ignore[type-arg]
    """Path -> Location, kept as packed ints (line << 32 | column, 0-based) and turned into
    Locations only when asked: a successful load looks up a few hundred of the thousands of
    locations it records, and ints cost the garbage collector nothing."""

    __slots__ = ("_spots", "_file")

    def __init__(self, spots: dict[Path_, int], file: str) -> None:
        self._spots, self._file = spots, file

    def __getitem__(self, path: Path_) -> Location:
        spot = self._spots[path]
        return Location(self._file, (spot >> 32) + 1, (spot & 0xFFFFFFFF) + 1)

    def __iter__(self) -> typing.Iterator[Path_]:
        return iter(self._spots)

    def __len__(self) -> int:
        return len(self._spots)


def _build_fast(text: str, file: str) -> YamlDoc | None:
    """Plain values and their locations straight from libyaml's event stream (about 3x faster
    than composing nodes and walking them); None for an empty stream. Raises ``_Decline`` on
    anything unusual, so that every problem is reported by the checking loader, never here."""
    parser = _CParser(text)
    get = parser.get_event
    spots: dict[Path_, int] = {}
    key_spots: dict[Path_, int] = {}

    def scalar(event: Any, path: Path_) -> Any:
        if event.tag is not None or event.anchor is not None:
            raise _Decline
        mark = event.start_mark
        spots[path] = mark.line << 32 | mark.column
        text = event.value
        if not event.implicit[0]:
            return text  # quoted or block: text as written
        return text if text and text[0] not in _MAYBE_NOT_TEXT else _resolve_plain(text)

    def value(event: Any, path: Path_, depth: int) -> Any:
        cls = event.__class__
        if cls is ScalarEvent:
            return scalar(event, path)
        if event.tag is not None or event.anchor is not None or depth >= _FAST_MAX_DEPTH:
            raise _Decline
        mark = event.start_mark
        spots[path] = mark.line << 32 | mark.column
        if cls is MappingStartEvent:
            out: dict[str, Any] = {}
            while True:
                key_event = get()
                if key_event.__class__ is not ScalarEvent:
                    if key_event.__class__ is MappingEndEvent:
                        return out
                    raise _Decline  # a collection or alias as a key
                key = key_event.value
                if key_event.tag is not None or key_event.anchor is not None or key in out or \
                        (key_event.implicit[0] and (key in _NULLS or key == "<<")):
                    raise _Decline
                key_path = path + (key,)
                mark = key_event.start_mark
                key_spots[key_path] = mark.line << 32 | mark.column
                event = get()
                out[key] = scalar(event, key_path) if event.__class__ is ScalarEvent else \
                    value(event, key_path, depth + 1)
        if cls is SequenceStartEvent:
            items: list[Any] = []
            while True:
                event = get()
                cls = event.__class__
                if cls is ScalarEvent:
                    items.append(scalar(event, path + (len(items),)))
                elif cls is SequenceEndEvent:
                    return items
                else:
                    items.append(value(event, path + (len(items),), depth + 1))
        raise _Decline  # an alias

    try:
        get()  # StreamStartEvent
        event = get()
        if event.__class__ is StreamEndEvent:
            return None
        data = value(get(), (), 0)  # after DocumentStartEvent
        get()  # DocumentEndEvent
        if get().__class__ is not StreamEndEvent:
            raise _Decline  # a second document
    except yaml.YAMLError:
        raise _Decline from None
    finally:
        parser.dispose()
    return YamlDoc(data, _MarkMap(spots, file), _MarkMap(key_spots, file), file)


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1) if mark is not None else Location(file)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def _resolve_plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and any(c in text for c in ".eE"):
        return float(text)
    return _SPECIAL_FLOATS.get(text.lower(), text)


class _Builder:
    """Turns the node graph into plain values, recording locations and collecting problems."""

    def __init__(self, file: str, bag: DiagnosticBag, max_depth: int, budget: int) -> None:
        self.file, self.bag, self.max_depth, self.budget = file, bag, max_depth, budget
        self.locations: dict[Path_, Location] = {}
        self.key_locations: dict[Path_, Location] = {}
        self.active: set[int] = set()

    def tag_error(self, node: Node, path: Path_, detail: str = "") -> None:
        self.bag.error("yaml-tag", detail or f"tag '{_show_tag(node.tag)}' is not allowed",
                       _loc(self.file, node.start_mark), format_path(path),
                       "remove the tag; only plain text, numbers, true/false, null, lists and mappings are accepted")

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooDeep(None)  # only reachable through aliases that expand enormously
        self.locations[path] = _loc(self.file, node.start_mark)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.bag.error("yaml-alias", "alias refers to a node that contains it", _loc(self.file, node.start_mark),
                           format_path(path), _ALIAS_HINT)
            return None
        if depth + 1 > self.max_depth:
            raise _TooDeep(node.start_mark)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _Y + "seq":
                    self.tag_error(node, path)
                return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            if node.tag != _Y + "map":
                self.tag_error(node, path)
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        tag, text = node.tag, node.value
        if tag == _PLAIN:
            return _resolve_plain(text)
        if tag in (_Y + "str", _REFUSED):
            return text if tag != _REFUSED else None
        value = _resolve_plain(text)
        expected = {_Y + "int": int, _Y + "float": (int, float), _Y + "bool": bool, _Y + "null": type(None)}.get(tag)
        if expected is None:
            self.tag_error(node, path)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            self.tag_error(node, path, f"'{text}' is not a valid {_show_tag(tag)}")
        else:
            return float(value) if tag == _Y + "float" else value
        return None

    def key(self, node: Node, path: Path_) -> str | None:
        where = _loc(self.file, node.start_mark)
        if isinstance(node, ScalarNode):
            if node.tag == _REFUSED:
                return None  # already reported as yaml-alias
            if node.tag == _Y + "str" or (node.tag == _PLAIN and node.value not in _NULLS):
                return node.value
            if node.tag not in (_PLAIN, _Y + "int", _Y + "float", _Y + "bool", _Y + "null"):
                self.tag_error(node, path)
                return None
        self.bag.error("non-string-key", "mapping keys must be text", where, format_path(path),
                       "write a plain name such as `name:`, or quote the key, e.g. `'12':`")
        return None

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is None:
                continue
            if key_node.tag == _PLAIN and key == "<<":
                self.bag.error("yaml-alias", "merge keys (<<) are not supported", _loc(self.file, key_node.start_mark),
                               format_path(path), _ALIAS_HINT)
                continue
            if key in seen:
                self.bag.error("duplicate-key", f"duplicate key '{key}'", _loc(self.file, key_node.start_mark),
                               format_path(path + (key,)),
                               f"'{key}' is already set on line {seen[key].start_mark.line + 1}; "
                               "keep one (YAML would silently drop the first)")
                continue
            seen[key] = key_node
            self.key_locations[path + (key,)] = _loc(self.file, key_node.start_mark)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out


_SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "quote values that contain ': ', and check the indentation"),
    ("could not find expected ':'", "check that each key is followed by ': ' and the indentation lines up"),
    ("expected <block end>", "check the indentation of this line against the lines above"),
    ("found character", "quote values that start with a special character (@ ` % | > ! & * [ {)"),
    ("unexpected end of stream", "close the open quote or bracket"),
)


def _syntax_diagnostic(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        where = Location(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        return Diagnostic("yaml-syntax", f"character U+{exc.character:04X} is not allowed in YAML", where,
                          hint="remove control characters from the file")
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        context += f" started at line {context_mark.line + 1}"
    message = f"{problem} ({context})" if context else problem
    hint = next((h for key, h in _SYNTAX_HINTS if key in message),
                "check the indentation and quoting on this line and the line above")
    return Diagnostic("yaml-syntax", message, _loc(file, mark), hint=hint)


def _too_large(file: str, max_bytes: int) -> Diagnostic:
    return Diagnostic("file-too-large", f"file is larger than {max_bytes} bytes", Location(file),
                      hint="split the content into several smaller files")


def load_yaml(text: str, file: str, *, max_aliases: int = 0, max_depth: int = 64,
              max_bytes: int = 2_000_000) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Parse one YAML document safely; return the doc, or None plus every problem found."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return None, [_too_large(file, max_bytes)]
    text = text.removeprefix("\ufeff")
    if _CParser is not None and max_depth > _FAST_MAX_DEPTH:
        try:
            doc = _build_fast(text, file)
        except _Decline:
            pass
        else:
            if doc is not None and doc.data is not None:  # empty: the checking loader says so
                return doc, []
    bag, loader, builder, data = DiagnosticBag(), None, None, None
    try:
        loader = _Loader(text, file, bag, max_aliases, max_depth)
        loader.get_event()  # StreamStartEvent
        root = None if loader.check_event(StreamEndEvent) else loader.compose_document()
        if root is not None and not loader.check_event(StreamEndEvent):
            bag.error("multiple-documents", "a file must hold exactly one YAML document",
                      _loc(file, loader.peek_event().start_mark),
                      hint="remove the second `---` or move that document to its own file")
        if root is not None:
            builder = _Builder(file, bag, max_depth, budget=10 * loader.node_count + 10_000)
            data = builder.build(root, (), 0)
        if loader is not None and loader.aliases > max_aliases + _MAX_ALIAS_REPORTS:
            bag.error("yaml-alias", f"... and {loader.aliases - max_aliases - _MAX_ALIAS_REPORTS} more aliases",
                      Location(file), hint=_ALIAS_HINT)
    except _TooDeep as exc:
        if exc.args[0] is None:
            bag.error("yaml-alias", "aliases expand to too many values", Location(file), hint=_ALIAS_HINT)
        else:
            bag.error("too-deep", f"nesting is deeper than {max_depth} levels", _loc(file, exc.args[0]),
                      hint="flatten the structure; rule packs never need this much nesting")
    except RecursionError:
        bag.error("too-deep", "nesting is too deep to read", Location(file), hint="flatten the structure")
    except yaml.YAMLError as exc:
        bag.add(_syntax_diagnostic(exc, file, text))
    finally:
        if loader is not None:
            loader.dispose()
    if not bag.items and data is None:
        bag.error("empty-file", "the file holds no data", Location(file, 1, 1),
                  hint="a rule pack or case file must be a YAML mapping")
    if bag.has_errors or builder is None:
        return None, bag.items
    return YamlDoc(data, MappingProxyType(builder.locations), MappingProxyType(builder.key_locations), file), bag.items


def load_yaml_file(path: str | os.PathLike[str], *, max_aliases: int = 0, max_depth: int = 64,
                   max_bytes: int = 2_000_000, cache: bool = False) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Read a UTF-8 file (reading at most ``max_bytes``) and load it with :func:`load_yaml`.

    ``cache=True`` (pack files) reads and writes the on-disk parse cache (``parsecache``): only
    files that parse without any diagnostic are stored, so every mistake is reported afresh."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Diagnostic("file-unreadable", f"cannot read file: {exc.strerror or exc}", Location(file),
                                 hint="check the path and the file permissions")]
    if len(raw) > max_bytes:
        return None, [_too_large(file, max_bytes)]
    cache = cache and (max_aliases, max_depth) == (0, 64)  # entries are written with the defaults
    if cache:
        hit = parsecache.fetch(raw)
        if hit is not None:
            data, spots, key_spots = hit
            return YamlDoc(data, _MarkMap(spots, file), _MarkMap(key_spots, file), file), []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1
        where = Location(file, raw.count(b"\n", 0, exc.start) + 1, column)
        return None, [Diagnostic("not-utf8", "file is not valid UTF-8", where,
                                 hint="save the file as UTF-8 (e.g. convert it from GBK/GB18030)")]
    doc, diags = load_yaml(text, file, max_aliases=max_aliases, max_depth=max_depth, max_bytes=max_bytes)
    if cache and doc is not None and not diags and isinstance(doc.locations, _MarkMap):
        parsecache.store(raw, doc.data, doc.locations._spots, doc.key_locations._spots)
    return doc, diags


# ---- pydantic ValidationError -> diagnostics -------------------------------------------------

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
    if _is_type_error(kind):
        expected = _type_expected(kind)
        message = f"expected {expected}, got {_short(value)}" if expected else f"{err['msg']}, got {_short(value)}"
        quote = kind == "string_type" and isinstance(value, (int, float, bool))
        return Diagnostic("type-mismatch", message, where, path, f"quote it to make it text: '{value}'" * quote)
    return Diagnostic("invalid-value", str(err["msg"]), where, path)
