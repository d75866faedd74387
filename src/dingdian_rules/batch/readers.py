"""Batch input read lazily, one entry at a time: JSON Lines, a JSON list (or one entry), standard
input, and by extension the tables of ``batch.tables`` (CSV, Parquet).

Memory stays constant: JSON Lines is read line by line, and a JSON list item by item from a
sliding buffer. Each entry keeps its text, so a wrong value is reported at its line and column
(``reading.json_reader`` gives the checks and codes: duplicate keys, ``NaN``, nesting, syntax).
A bad line of JSON Lines is one error record and reading goes on; a syntax error inside a JSON list
leaves no reliable place to resume, so it is the last record.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..errors import CaseError, Diagnostic, Location
from ..reading.json_reader import MAX_BYTES, parse_json
from .entries import Entry, shift

__all__ = ["FORMATS", "read_entries", "input_format", "jsonl_entries", "json_entries"]

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}
_CHUNK = 1 << 16
_SPACE = " \t\r\n"


def input_format(path: str) -> str:
    """``jsonl``, ``json``, ``csv``, ``parquet`` or ``stdin`` for ``-``; CaseError for another extension."""
    if path == "-":
        return "stdin"
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CaseError([Diagnostic("unknown-format", f"cannot tell the format of '{path}' from its extension",
                                    Location(path), "", "name the file .jsonl, .json, .csv or .parquet, or give - "
                                    "for JSON Lines or JSON on standard input")], f"{path}: unknown input format")
    return fmt


def read_entries(path: str, *, chunk_size: int = 1024) -> Iterator[Entry]:
    """The entries of a batch file (or ``-``: standard input), read lazily. What makes the whole
    input unreadable (no such file, an unknown extension, a bad CSV header, not Parquet) raises
    ``CaseError`` now; a bad entry becomes an ``Entry`` with ``problems`` later."""
    fmt = input_format(path)
    if fmt == "stdin":
        return stdin_entries(sys.stdin.buffer)
    if fmt in ("csv", "parquet"):
        from . import tables  # pyarrow only when a Parquet file is read
        return tables.csv_entries(path) if fmt == "csv" else tables.parquet_entries(path, chunk_size)
    try:
        if not os.path.isfile(path):
            raise IsADirectoryError(21, "not a regular file") if os.path.exists(path) else FileNotFoundError(2, "no such file")
        handle = open(path, "rb")
    except OSError as exc:
        raise CaseError([Diagnostic("file-unreadable", f"cannot read file: {exc.strerror or exc}", Location(path), "",
                                    "check the path and the file permissions")], f"{path}: not readable") from None
    return _closing(handle, jsonl_entries(handle, path) if fmt == "jsonl" else json_entries(_chunks(handle), path))


def _closing(handle: BinaryIO, entries: Iterator[Entry]) -> Iterator[Entry]:
    with handle:
        yield from entries


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    return iter(lambda: stream.read(_CHUNK), b"")


def _entry_of(text: str, source: str, number: int, line: int, column: int = 1) -> Entry:
    data, problems = parse_json(text, source, first_line=line)
    problems = [replace(d, location=shift(d.location, line, column)) if d.location else d for d in problems]
    return Entry(data, source, number, line, text=text, column=column, problems=tuple(problems))


def jsonl_entries(lines: Iterable[bytes], source: str, first: int = 1) -> Iterator[Entry]:
    """One entry per non-blank line; a line that is not UTF-8 or not JSON is an entry with problems."""
    number = 0
    for n, raw in enumerate(lines, first):
        if len(raw) > MAX_BYTES:
            number += 1
            yield Entry(None, source, number, n, problems=(Diagnostic(
                "file-too-large", f"line is longer than {MAX_BYTES} bytes", Location(source, n, 1),
                hint="one entry per line; split large cases"),))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            number += 1
            yield Entry(None, source, number, n, problems=(Diagnostic(
                "not-utf8", "line is not valid UTF-8", Location(source, n, exc.start + 1),
                hint="save the file as UTF-8 (e.g. convert it from GBK/GB18030)"),))
            continue
        if n == 1:
            text = text.removeprefix("\ufeff")
        text = text.removesuffix("\n").removesuffix("\r")
        if text.strip():
            number += 1
            yield _entry_of(text, source, number, n)


class _Buffer:
    """A sliding window over UTF-8 chunks, counting lines of what it drops."""

    def __init__(self, chunks: Iterable[bytes], source: str) -> None:
        self.chunks = iter(chunks)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.source = source
        self.text, self.pos, self.eof = "", 0, False
        self.line, self.line_start = 1, 0  # line of ``pos``, and where that line starts (relative to ``text``)

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = next(self.chunks, None)
        tail = self.decoder.decode(chunk or b"", final=chunk is None)  # UnicodeDecodeError is the caller's
        self.eof = chunk is None
        keep = self.pos  # what is read is dropped, even inside a long line (line_start may go below 0)
        self.text, self.pos, self.line_start = self.text[keep:] + tail, 0, self.line_start - keep
        if self.line == 1 and self.line_start == 0:
            self.text = self.text.removeprefix("\ufeff")
        return True

    def advance(self, to: int) -> None:
        newlines = self.text.count("\n", self.pos, to)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.pos, to) + 1
        self.pos = to

    def skip_space(self) -> str:
        """The next character after whitespace ('' at the end)."""
        while True:
            end = self.pos
            while end < len(self.text) and self.text[end] in _SPACE:
                end += 1
            self.advance(end)
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]

    def where(self, offset: int | None = None) -> Location:
        at = self.pos if offset is None else offset
        line = self.line + self.text.count("\n", self.pos, at)
        start = self.text.rfind("\n", 0, at) + 1 if line != self.line else self.line_start
        return Location(self.source, line, at - start + 1)


_PLAIN = json.JSONDecoder()


def _syntax(buf: _Buffer, number: int, message: str, offset: int | None = None) -> Entry:
    at = buf.where(offset)
    return Entry(None, buf.source, number, at.line, column=at.column, problems=(Diagnostic(
        "json-syntax", message, at, hint="correct the JSON: keys and text in double quotes, no trailing commas, "
        "no comments; a batch JSON file is a list of entries or one entry"),))


def json_entries(chunks: Iterable[bytes], source: str, first_line: int = 1) -> Iterator[Entry]:
    """The entries of a JSON list, item by item, or the one entry a JSON object is."""
    buf = _Buffer(chunks, source)
    buf.line = first_line
    try:
        yield from _json_items(buf)
    except UnicodeDecodeError:
        yield Entry(None, source, 0, buf.line, problems=(Diagnostic(
            "not-utf8", "file is not valid UTF-8 after this line", Location(source, buf.line, 1),
            hint="save the file as UTF-8 (e.g. convert it from GBK/GB18030)"),))


def _json_items(buf: _Buffer) -> Iterator[Entry]:
    first = buf.skip_space()
    if first == "{":  # one entry: read it whole, with the limits of a case file
        while buf.more():
            if len(buf.text) > MAX_BYTES:
                yield Entry(None, buf.source, 1, 1, problems=(Diagnostic(
                    "file-too-large", f"one entry larger than {MAX_BYTES} bytes", Location(buf.source),
                    hint="write a list of entries, or JSON Lines"),))
                return
        yield _entry_of(buf.text[buf.pos:], buf.source, 1, buf.line, buf.pos - buf.line_start + 1)
        return
    if first != "[":
        if first:
            yield _syntax(buf, 1, "expected a list of entries `[...]` or one entry `{...}`")
        return
    buf.advance(buf.pos + 1)
    number = 0
    if buf.skip_space() == "]":
        return
    while True:
        number += 1
        start = buf.pos
        while True:
            try:
                _, end = _PLAIN.raw_decode(buf.text, start)
                if end < len(buf.text) or buf.eof:
                    break
            except json.JSONDecodeError as exc:
                if buf.eof or len(buf.text) - start > MAX_BYTES:
                    yield _syntax(buf, number, exc.msg, exc.pos)
                    return
            buf.more()
            start = buf.pos
        at = buf.where()
        yield _entry_of(buf.text[start:end], buf.source, number, at.line, at.column)
        buf.advance(end)
        sep = buf.skip_space()
        if sep == "]":
            buf.advance(buf.pos + 1)
            if buf.skip_space():
                yield _syntax(buf, number + 1, "text after the end of the list")
            return
        if sep != ",":
            yield _syntax(buf, number + 1, "expected ',' or ']' after an entry" if sep else "the list is not closed")
            return
        buf.advance(buf.pos + 1)
        buf.skip_space()


def stdin_entries(stream: BinaryIO, source: str = "<stdin>") -> Iterator[Entry]:
    """JSON Lines or JSON on a stream: a list (``[``) is JSON; an object whose first line is whole
    JSON starts JSON Lines; any other object is one JSON entry spanning lines."""
    first, line = b"", 0
    while not first.strip():
        first, line = stream.readline(), line + 1
        if not first:
            return
    head = first.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    rest = chain([first], iter(stream.readline, b""))
    if head.startswith(b"["):
        yield from json_entries(rest, source, line)
        return
    try:
        whole = json.loads(first.decode("utf-8").removeprefix("\ufeff")) is not None
    except (ValueError, UnicodeDecodeError):
        whole = False
    if whole or not head.startswith(b"{"):
        yield from jsonl_entries(rest, source, line)
    else:
        yield from json_entries(rest, source, line)

