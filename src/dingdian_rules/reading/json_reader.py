"""JSON and JSON Lines input, with the YAML reader's limits, codes and located diagnostics.

Values are read by the ``json`` module, so JSON means what JSON means: escaped surrogate pairs
join into one character, tabs are whitespace, ``NaN`` and ``Infinity`` are not numbers. The limits
are the YAML reader's (``reading.yaml_reader``): a size cap, UTF-8 with an optional BOM, nesting at most
``max_depth`` deep, duplicate keys refused; the codes are the same (``file-too-large``,
``not-utf8``, ``too-deep``, ``duplicate-key``, ``empty-file``), plus ``json-syntax``. Where each
value stands comes from reading the same text with the YAML reader (JSON is YAML's flow syntax),
so a schema error in a JSON case points at ``file:line:column`` exactly as in a YAML one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from typing import Any, Iterator

from ..errors import Diagnostic, Location
from .yaml_doc import YamlDoc
from .yaml_reader import load_yaml

__all__ = ["load_json", "load_json_file", "parse_json", "parse_json_document", "load_json_lines_file", "read_text_file",
           "json_lines", "locate_line"]

MAX_BYTES = 2_000_000
_JSON_HINT = "correct the JSON: keys and text in double quotes, no trailing commas, no comments"
# A JSON string, or a bracket, or a constant JSON does not have: for the depth and constant scans.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|([\[{])|([\]}])|(-?Infinity|NaN)\b')


class _Duplicate(Exception):
    pass


class _Constant(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return out


def _constant(name: str) -> Any:
    raise _Constant(name)


def _position(text: str, offset: int, first_line: int = 1) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return first_line + text.count("\n", 0, offset), offset - line_start + 1


def _scan(text: str, max_depth: int) -> tuple[int, int, str]:
    """Where the nesting first goes deeper than ``max_depth`` ("deep"), or where a NaN/Infinity
    stands ("constant"): (offset, -1, "") when neither is found."""
    depth = 0
    for m in _TOKENS.finditer(text):
        if m.group(1):
            depth += 1
            if depth > max_depth:
                return m.start(), depth, "deep"
        elif m.group(2):
            depth -= 1
        elif m.group(3):
            return m.start(), depth, "constant"
    return -1, -1, ""


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, d = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _parse(text: str, file: str, max_depth: int, first_line: int = 1) -> tuple[Any, list[Diagnostic]]:
    """The JSON value of ``text`` (None for blank text), or None and the diagnostics, each with
    its line and column in their own fields."""
    def at(offset: int) -> Location:
        return Location(file, *_position(text, max(offset, 0), first_line))

    if not text.strip():
        return None, []
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        return None, [Diagnostic("json-syntax", exc.msg, Location(file, first_line + exc.lineno - 1, exc.colno),
                                 hint=_JSON_HINT)]
    except _Constant as exc:
        return None, [Diagnostic("json-syntax", f"{exc.args[0]} is not a JSON number", at(_scan(text, 10**9)[0]),
                                 hint="write a finite number, or null for unknown")]
    except _Duplicate as exc:
        return None, [Diagnostic("duplicate-key", f"duplicate key '{exc.args[0]}'", _duplicate_at(text, file, first_line),
                                 hint="keep one (JSON readers silently keep only the last)")]
    except RecursionError:  # far deeper than any limit: find where it passed the limit
        return None, [Diagnostic("too-deep", f"nesting is deeper than {max_depth} levels",
                                 at(_scan(text, max_depth)[0]), hint="flatten the structure")]
    if isinstance(data, (dict, list)) and _depth(data) > max_depth:
        return None, [Diagnostic("too-deep", f"nesting is deeper than {max_depth} levels",
                                 at(_scan(text, max_depth)[0]), hint="flatten the structure")]
    return data, []


def parse_json(text: str, file: str, *, max_depth: int = 64, first_line: int = 1) -> tuple[Any, list[Diagnostic]]:
    """The JSON value of ``text`` (None for blank text) with this module's checks, or None and the
    diagnostics; no located document is built, so a caller that streams many values pays for
    locations (``load_json``) only when a value turns out to be wrong."""
    return _parse(text, file, max_depth, first_line)


def _duplicate_at(text: str, file: str, first_line: int) -> Location:
    """The YAML reader reports the second key with its line and column."""
    _, diags = load_yaml(text.replace("\t", " "), file)
    for d in diags:
        if d.code == "duplicate-key" and d.location is not None and d.location.line:
            return Location(file, d.location.line + first_line - 1, d.location.column)
    return Location(file, first_line, 1)


def parse_json_document(text: str, file: str, *, max_depth: int = 64, max_bytes: int = MAX_BYTES,
                        first_line: int = 1) -> tuple[Any, list[Diagnostic]]:
    """The value of one JSON document under ``load_json``'s limits and codes, without locating
    its values (for a caller that locates only when something is wrong, such as the service)."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return None, [Diagnostic("file-too-large", f"file is larger than {max_bytes} bytes", Location(file),
                                 hint="split the content into several smaller files")]
    data, diags = _parse(text.removeprefix("\ufeff"), file, max_depth, first_line)
    if data is None and not diags:
        return None, [Diagnostic("empty-file", "the file holds no data", Location(file, first_line, 1),
                                 hint="a case or events file must hold a JSON object or list")]
    return data, diags


def load_json(text: str, file: str, *, max_depth: int = 64, max_bytes: int = MAX_BYTES,
              first_line: int = 1) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Parse one JSON document; return it as a ``YamlDoc`` (values from JSON, locations from the
    YAML reader), or None plus every problem found. ``first_line`` numbers a line of a larger file."""
    data, diags = parse_json_document(text, file, max_depth=max_depth, max_bytes=max_bytes, first_line=first_line)
    if diags:
        return None, diags
    text = text.removeprefix("\ufeff")
    # valid JSON has no raw tab inside a string, so tabs become spaces column for column
    located, _ = load_yaml(text.replace("\t", " "), file, max_depth=max_depth + 1, max_bytes=max_bytes)
    if located is None:  # YAML cannot read it (e.g. a key over 1024 characters): values stay unlocated
        return YamlDoc(data, {}, {}, file), []
    if first_line == 1:
        return YamlDoc(data, located.locations, located.key_locations, file), []
    shift = first_line - 1
    return YamlDoc(data, {p: Location(file, loc.line + shift, loc.column) for p, loc in located.locations.items()},
                   {p: Location(file, loc.line + shift, loc.column) for p, loc in located.key_locations.items()},
                   file), []


def read_text_file(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """The UTF-8 text of a file (a BOM is kept for the parser to drop), read at most ``max_bytes``
    + 1 bytes, or None and a located diagnostic. Only regular files are read: a named pipe or a
    device would block or never end."""
    file = os.fspath(path)
    try:
        try:
            mode = os.stat(file).st_mode
        except ValueError as exc:  # a NUL or an unencodable lone surrogate: no file has that name
            raise FileNotFoundError(errno.ENOENT, f"no file can have this name ({exc})", file) from None
        if not stat.S_ISREG(mode):
            return None, [Diagnostic("file-unreadable", "cannot read file: not a regular file", Location(file),
                                     hint="give the path of a file, not of a folder, pipe or device")]
        with open(file, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Diagnostic("file-unreadable", f"cannot read file: {exc.strerror or exc}", Location(file),
                                 hint="check the path and the file permissions")]
    if len(raw) > max_bytes:
        return None, [Diagnostic("file-too-large", f"file is larger than {max_bytes} bytes", Location(file),
                                 hint="split the content into several smaller files")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1
        return None, [Diagnostic("not-utf8", "file is not valid UTF-8", Location(file, raw.count(b"\n", 0, exc.start) + 1, column),
                                 hint="save the file as UTF-8 (e.g. convert it from GBK/GB18030)")]


def load_json_file(path: str | os.PathLike[str], *, max_depth: int = 64,
                   max_bytes: int = MAX_BYTES) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Read a JSON file with the limits of ``load_json``."""
    text, diags = read_text_file(path, max_bytes)
    if text is None:
        return None, diags
    return load_json(text, os.fspath(path), max_depth=max_depth, max_bytes=max_bytes)


def json_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line. Lines end at ``\\n`` only: JSON text may hold
    U+2028 and other characters that ``str.splitlines`` would split at."""
    for n, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        line = line.removesuffix("\r")
        if line.strip():
            yield n, line


def load_json_lines_file(path: str | os.PathLike[str], *, max_depth: int = 64,
                         max_bytes: int = MAX_BYTES) -> tuple[list[tuple[int, str, Any]] | None, list[Diagnostic]]:
    """Read a JSON Lines file: (line number, line, value) per non-blank line, or None and the
    diagnostics of every line that is not JSON (each with its line and column)."""
    file = os.fspath(path)
    text, diags = read_text_file(path, max_bytes)
    if text is None:
        return None, diags
    out: list[tuple[int, str, Any]] = []
    for n, line in json_lines(text):
        data, problems = _parse(line, file, max_depth, n)
        diags += problems
        if not problems:
            out.append((n, line, data))
    return (None, diags) if diags else (out, [])


def locate_line(line: str, file: str, n: int, max_depth: int = 64) -> YamlDoc:
    """Line ``n`` of a JSON Lines file as a located document, for the diagnostics of its value."""
    doc, _ = load_json(line, file, max_depth=max_depth, first_line=n)
    return doc if doc is not None else YamlDoc(None, {}, {}, file)
