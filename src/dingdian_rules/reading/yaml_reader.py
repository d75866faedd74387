"""Safe YAML loading that records where every node is (pydantic errors: ``schema_errors``).

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

import errno
import os
import re
import stat
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml
from yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import parse_cache as parsecache
from ..errors import Diagnostic, DiagnosticBag, Location

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
    if mark is not None:
        first = min(mark.line, context_mark.line if context_mark is not None else mark.line) - 1
        slip = _fullwidth_key(text, max(first, 0), mark.line, file)
        if slip is not None:
            return slip
    hint = next((h for key, h in _SYNTAX_HINTS if key in message),
                "check the indentation and quoting on this line and the line above")
    return Diagnostic("yaml-syntax", message, _loc(file, mark), hint=hint)


_FULLWIDTH_KEY = re.compile(r"^[ \t\u3000]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*：")


def _fullwidth_key(text: str, first: int, last: int, file: str) -> Diagnostic | None:
    """A key written with a full-width colon (``title：``, typed with a Chinese input method) on
    lines ``first``..``last`` (0-based): YAML reads it as text, and only fails a line or two later
    with a message that does not mention it, so the diagnostic points at the colon itself."""
    for n, line in enumerate(text.split("\n")[first:last + 1], first):
        m = _FULLWIDTH_KEY.match(line)
        if m is not None:
            key = m.group(1)
            return Diagnostic("yaml-syntax", f"'{key}：' has a full-width colon '：', so YAML does not read "
                              f"'{key}' as a key", Location(file, n + 1, m.end()),
                              hint=f"write `{key}:` with an ASCII colon followed by a space")
    return None


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


class NotRegularFileError(OSError):
    """A path names a named pipe, a device, a socket or a folder where a file is expected."""


_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of a regular file (symlinks followed), or ``OSError``.

    The path is opened without blocking and checked on the descriptor before a byte is read: a
    named pipe, a device, a socket or a folder is refused (``NotRegularFileError``). A FIFO among
    the rule files would otherwise block a load forever, and ``/dev/zero`` would be read. A name no
    file can have (a NUL, or a lone surrogate the file system cannot encode) is ``FileNotFoundError``."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except ValueError as exc:  # os.open's own refusal of such a name (UnicodeEncodeError is one too)
        raise FileNotFoundError(errno.ENOENT, f"no file can have this name ({exc})", os.fspath(path)) from None
    try:
        st = os.fstat(fd)
        _check_regular(st.st_mode, path)
        want = min(st.st_size, max_bytes) + 1  # a read of n bytes allocates n first: ask for what is there
        chunks = []
        while want > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
            if want == 0 and sum(map(len, chunks)) <= max_bytes:  # the file grew since fstat
                want = max_bytes + 1 - sum(map(len, chunks))
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def _check_regular(mode: int, path: str | os.PathLike[str]) -> None:
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
        raise NotRegularFileError(errno.EINVAL, f"it is {what}, not a regular file", os.fspath(path))


def read_file(path: str | os.PathLike[str], max_bytes: int = 2_000_000) -> tuple[bytes | None, list[Diagnostic]]:
    """A file's bytes, or None and the located diagnostic saying why it cannot be used
    (``file-unreadable``: missing, not permitted, not a regular file; ``file-too-large``)."""
    file = os.fspath(path)
    try:
        raw = read_regular_file(file, max_bytes)
    except OSError as exc:
        hint = ("pack, case and source files must be regular files" if isinstance(exc, NotRegularFileError)
                else "check the path and the file permissions")
        return None, [Diagnostic("file-unreadable", f"cannot read file: {exc.strerror or exc}", Location(file),
                                 hint=hint)]
    if len(raw) > max_bytes:
        return None, [_too_large(file, max_bytes)]
    return raw, []


def load_yaml_file(path: str | os.PathLike[str], *, max_aliases: int = 0, max_depth: int = 64,
                   max_bytes: int = 2_000_000, cache: bool = False) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Read a UTF-8 file (reading at most ``max_bytes``) and load it with :func:`load_yaml`.

    ``cache=True`` (pack files) reads and writes the on-disk parse cache (``parsecache``): only
    files that parse without any diagnostic are stored, so every mistake is reported afresh."""
    raw, diags = read_file(path, max_bytes)
    if raw is None:
        return None, diags
    return load_yaml_bytes(raw, os.fspath(path), max_aliases=max_aliases, max_depth=max_depth,
                           max_bytes=max_bytes, cache=cache)


def load_yaml_bytes(raw: bytes, file: str, *, max_aliases: int = 0, max_depth: int = 64,
                    max_bytes: int = 2_000_000, cache: bool = False) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """:func:`load_yaml_file` for bytes already read (by :func:`read_file`) from ``file``."""
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
