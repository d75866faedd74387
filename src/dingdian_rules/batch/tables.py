"""Batch input from tables, one row an entry: CSV and Parquet (with pyarrow, the ``parquet`` extra).

Columns: ``id``, ``question``, ``as_of``, ``name``, ``note`` as in a case file, then one column per
fact with a dotted name (``institution.beds``), or one ``case`` column holding the whole case.
A CSV cell is text, and becomes a value by one rule, never by guessing from the fact: an empty
cell is a fact not given; a cell that reads as a JSON number, ``true``, ``false``, ``null``, a
JSON string in double quotes, a list ``[…]`` or an object ``{…}`` is that JSON value; any other
cell is its text. The fact models then refuse a wrong type where it stands: ``beds`` = ``abc`` is
text, not an integer, and the error names the row's line and the column. Setting columns are
always text. Parquet cells keep their own types (a date column gives dates, a double column
doubles, which an integer fact refuses); Parquet cannot tell an absent value from null, so both
mean a fact not given, also inside a ``case`` struct.
"""

from __future__ import annotations

import csv
import re
from typing import Any, Iterable, Iterator

from ..errors import CaseError, Diagnostic, Location
from ..reading.json_reader import parse_json
from .entries import SETTINGS, Entry

__all__ = ["batch_entries", "csv_entries", "parquet_entries", "cell_value", "pyarrow_parquet", "PARQUET_HINT",
           "unreadable_parquet"]

PARQUET_HINT = "Parquet needs pyarrow: pip install 'dingdian-rules[parquet]'"
_JSON_CELL = re.compile(r'-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|["\[{].*', re.S)


def _columns(names: list[str], source: str, line: int) -> list[tuple[str, ...]]:
    """Each column's path in an entry; CaseError for an empty, repeated or overlapping name."""
    paths: list[tuple[str, ...]] = []
    problems = []
    for i, name in enumerate(names, 1):
        parts = tuple(name.split("."))
        path = (name,) if name in SETTINGS else parts if parts[0] == "case" else ("case", *parts)
        if not name or "" in parts:
            problems.append(Diagnostic("bad-column", f"column {i} has an empty name or part: {name!r}",
                                       Location(source, line, i), name, "name fact columns like institution.beds"))
        for j, other in enumerate(paths, 1):
            if other[:len(path)] == path or path[:len(other)] == other:
                problems.append(Diagnostic("bad-column", f"column {i} '{name}' overlaps column {j} '{names[j - 1]}'",
                                           Location(source, line, i), name,
                                           "give a fact once: either a whole mapping or its dotted fields"))
        paths.append(path)
    if problems:
        raise CaseError(problems, f"{source}: bad header")
    return paths


def cell_value(text: str) -> tuple[Any, str | None]:
    """A CSV cell's value by the module's rule, or (None, the JSON error) for a cell that starts
    like JSON and is not."""
    if not _JSON_CELL.fullmatch(text):
        return text, None
    data, problems = parse_json(text, "<cell>")
    return (None, problems[0].message) if problems else (data, None)


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _entry(values: dict[tuple[str, ...], Any], source: str, number: int, line: int | None, row: int,
           locations: dict, problems: list[Diagnostic]) -> Entry:
    data: dict[str, Any] = {"case": {}}
    for path, value in values.items():
        _put(data, path, value)
    return Entry(data, source, number, line, row, column=0, locations=locations, problems=tuple(problems))


def csv_entries(path: str) -> Iterator[Entry]:
    """The rows of a CSV file (UTF-8, with or without a BOM, comma-separated, a header row)."""
    try:
        handle = open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise CaseError([Diagnostic("file-unreadable", f"cannot read file: {exc.strerror or exc}", Location(path),
                                    "", "check the path and the file permissions")], f"{path}: not readable") from None
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        handle.close()
        raise CaseError([Diagnostic("csv-syntax", str(exc), Location(path, 1))], f"{path}: bad header") from None
    if header is None:
        handle.close()
        raise CaseError([Diagnostic("empty-file", "the file holds no header row", Location(path, 1, 1), "",
                                    "the first row names the columns: id,question,as_of,institution.type,…")])
    try:
        paths = _columns(header, path, 1)
    except CaseError:
        handle.close()
        raise
    return _csv_rows(handle, reader, header, paths, path)


def _csv_rows(handle: Any, reader: Any, header: list[str], paths: list[tuple[str, ...]], source: str) -> Iterator[Entry]:
    with handle:
        number, line = 0, reader.line_num + 1
        while True:
            try:
                cells = next(reader, None)
            except csv.Error as exc:
                number += 1
                yield Entry(None, source, number, line, number, problems=(Diagnostic("csv-syntax", str(exc),
                                                                                     Location(source, line, 1)),))
                line = reader.line_num + 1
                continue
            if cells is None:
                return
            start, line = line, reader.line_num + 1
            if not cells:
                continue
            number += 1
            problems, values, locations = [], {}, {(): Location(source, start, 0), ("case",): Location(source, start, 0)}
            if len(cells) != len(header):
                problems.append(Diagnostic("bad-row", f"the row has {len(cells)} cells, the header {len(header)}",
                                           Location(source, start, 0), "", "quote cells that hold commas"))
            for i, (name, path, text) in enumerate(zip(header, paths, cells), 1):
                where = Location(source, start, i)
                locations[path] = where
                if any("\udc80" <= ch <= "\udcff" for ch in text):
                    problems.append(Diagnostic("not-utf8", f"column {name}: not valid UTF-8", where, name,
                                               "save the file as UTF-8 (e.g. convert it from GBK/GB18030)"))
                elif text == "":
                    continue
                elif path[0] in SETTINGS:
                    values[path] = text
                else:
                    value, error = cell_value(text)
                    if error:
                        problems.append(Diagnostic("json-syntax", f"column {name}: {error}", where, name,
                                                   "write list-valued facts as JSON, e.g. [\"application_form\"]"))
                    else:
                        values[path] = value
            yield _entry(values, source, number, start, number, locations, problems)


def pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise CaseError([Diagnostic("missing-extra", "reading or writing Parquet needs the pyarrow package",
                                    None, "", PARQUET_HINT)], PARQUET_HINT) from None
    return pq


def _plain(value: Any) -> Any:
    """A Parquet value as entry data: nulls dropped (absent and null are one thing in Parquet)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def unreadable_parquet(path: str, exc: Exception) -> CaseError:
    """The error of a file that pyarrow cannot open as Parquet."""
    return CaseError([Diagnostic("file-unreadable", f"not a readable Parquet file: {exc}", Location(path), "",
                                 "give a Parquet file (or name the file after its format)")], f"{path}: not Parquet")


def parquet_entries(path: str, batch_size: int = 1024) -> Iterator[Entry]:
    """The rows of a Parquet file, read a row group at a time in batches of ``batch_size`` rows."""
    pq = pyarrow_parquet()
    try:
        pfile = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise unreadable_parquet(path, exc) from None
    names = list(pfile.schema_arrow.names)
    paths = _columns(names, path, 0)
    return _parquet_rows(pfile, names, paths, path, batch_size)


def _parquet_rows(pfile: Any, names: list[str], paths: list[tuple[str, ...]], source: str,
                  batch_size: int) -> Iterator[Entry]:
    row = 0
    for batch in pfile.iter_batches(batch_size=batch_size):
        yield from batch_entries(batch, names, paths, source, range(row + 1, row + batch.num_rows + 1))
        row += batch.num_rows


def batch_entries(batch: Any, names: list[str], paths: list[tuple[str, ...]], source: str,
                  rows: Iterable[int]) -> Iterator[Entry]:
    """The entries of an Arrow record batch (or table) whose rows are rows ``rows`` of the file."""
    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
    for r, row in enumerate(rows):
        values, problems = {}, []
        locations = {(): Location(source, row, 0), ("case",): Location(source, row, 0)}
        for i, (name, path) in enumerate(zip(names, paths), 1):
            locations[path] = Location(source, row, i)
            value = columns[i - 1][r]
            if value is None:
                continue
            if path == ("case",) and isinstance(value, str):
                value, diags = parse_json(value, source)
                problems += [Diagnostic(d.code, f"column case: {d.message}", Location(source, row, i), "case",
                                        d.hint) for d in diags]
            values[path] = _plain(value) if path[0] not in SETTINGS else str(value) if path[0] == "id" else value
        yield _entry(values, source, row, None, row, locations, problems)
