"""Safe YAML loading that records where every node is (pydantic errors: ``pydantic_errors``).

Packs and cases are hand-written, so every mistake must name ``file:line:col``. We only *compose*
nodes with a SafeLoader subclass (PyYAML constructs nothing) and build plain values ourselves,
recording each value's and each key's location by YAML path. Any problem -> ``(None, diagnostics)``.
Ordinary files take a fast path that builds the same values and locations from libyaml's event
stream; anything unusual (aliases, tags, duplicate or null keys, deep nesting, syntax errors) is
handed to the checking loader, so every diagnostic comes from one place.

The document model and scalar rules are in ``yaml_doc``, the checking loader in ``yaml_checking``;
this module holds the fast path, ``load_yaml`` that picks between the two, and reading files.

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
import stat
from types import MappingProxyType
from typing import Any

import yaml
from yaml.events import (MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent,
                         StreamEndEvent)

from . import parse_cache as parsecache
from ..errors import Diagnostic, DiagnosticBag, Location
from .yaml_checking import _ALIAS_HINT, _MAX_ALIAS_REPORTS, _Builder, _Loader, _loc, _syntax_diagnostic, _TooDeep
from .yaml_doc import _MAYBE_NOT_TEXT, _NULLS, Path_, YamlDoc, _MarkMap, _resolve_plain


try:  # libyaml's event parser, when PyYAML was built with it
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - the checking loader alone is correct, only slower
    _CParser = None
_FAST_MAX_DEPTH = 32


class _Decline(Exception):
    """The fast path met something only the checking loader handles (an alias, anchor, tag,
    duplicate or null key, merge key, deep nesting, a second document, a syntax error)."""


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

    ``cache=True`` (pack files) reads and writes the on-disk parse cache (``parse_cache``): only
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
