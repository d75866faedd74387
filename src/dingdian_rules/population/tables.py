"""A batch table read as frames of facts, a chunk at a time, and the differing rows written out.

``iter_frames(path, chunk_rows)`` is the one reader ``compare`` uses (kept behind this one function
so that a shared chunked reader can replace it). Parquet is read a slice at a time by polars; its header is checked against the fact models (an unknown fact, overlapping columns or
a type the fact cannot take is a ``bad-column`` error, as the batch reader says) and each column
fitted to its fact's column type, a struct or list item lacking some fields getting them as nulls
(unknown). JSON Lines, JSON, CSV and a Parquet ``case`` column of JSON text go through the batch
reader's entries and the fact models, a chunk of ``Case`` objects at a time, so their values are
checked and a bad entry stops the run at its line and column.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import polars as pl
import pydantic

from ..batch.entries import Entry, _as_of, _entry_id, _question, _settings  # the batch's own entry rules
from ..batch.readers import input_format, read_entries
from ..batch.tables import pyarrow_parquet
from ..columnar.columns import case_schema, dtype_of, frame_from_cases, type_at
from ..errors import CaseError, Diagnostic, Location
from ..facts.models import Case
from ..reading.pydantic_errors import pydantic_diagnostics

__all__ = ["CHUNK_ROWS", "OUTPUT_FORMATS", "RowsWriter", "fit_frame", "iter_frames", "output_format"]

CHUNK_ROWS = 100_000
OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_DROPPED = ("name", "note")  # settings that do not reach a decision


def iter_frames(path: str, chunk_rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """The rows of a batch table (``.parquet``, ``.jsonl``, ``.json``, ``.csv``) as frames of at
    most ``chunk_rows`` rows: ``id``, ``question`` and ``as_of`` (a date) when the input has them,
    then the facts as struct or dotted columns. What makes the whole input unreadable raises
    ``CaseError`` now; a bad entry raises it when its chunk is read."""
    fmt = input_format(path)
    if fmt == "parquet":
        if not os.path.isfile(path):
            problem = "not a regular file" if os.path.exists(path) else "no such file"
            raise CaseError([Diagnostic("file-unreadable", f"cannot read file: {problem}", Location(path), "",
                                        "check the path and the file permissions")], f"{path}: not readable")
        try:
            lazy = pl.scan_parquet(path)
            schema = dict(lazy.collect_schema())
            rows = lazy.select(pl.len()).collect().item()  # from the footer, no data read
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise CaseError([Diagnostic("file-unreadable", f"not a readable Parquet file: {str(exc).splitlines()[0]}",
                                        Location(path), "", "give a Parquet file (or name the file after its format)")],
                            f"{path}: not Parquet") from None
        if schema.get("case") != pl.String:
            return _parquet_frames(lazy, rows, _fitting(schema, path), path, chunk_rows)
    if fmt == "stdin":
        raise CaseError([Diagnostic("unknown-format", "compare reads a file, not standard input", Location(path), "",
                                    "save the entries to a .jsonl, .csv or .parquet file")], "standard input")
    return _entry_frames(read_entries(path), chunk_rows)


def _parquet_frames(lazy: pl.LazyFrame, rows: int, fit: list[pl.Expr], source: str,
                    chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Slices of the file read by polars (only the row groups a slice needs; about twice as fast as
    pyarrow's batches here), fitted to the facts."""
    for start in range(0, rows, chunk_rows):
        try:
            yield lazy.slice(start, chunk_rows).select(fit).collect()
        except pl.exceptions.PolarsError as exc:  # e.g. an as_of text that is not a date
            raise CaseError([Diagnostic("bad-value", str(exc).splitlines()[0], Location(source, start + 1), "",
                                        "write dates as YYYY-MM-DD")], f"{source}: a value cannot be read") from None


def fit_frame(frame: pl.DataFrame, source: str = "<frame>") -> pl.DataFrame:
    """A frame given in memory checked and fitted as a Parquet chunk is (``_fitting``)."""
    return frame.select(_fitting(dict(frame.schema), source))


class _Mismatch(Exception):
    """A column whose type its fact cannot take."""


def _fit(expr: pl.Expr, have: pl.DataType, want: pl.DataType) -> pl.Expr:
    """``expr`` (of type ``have``) as the fact's column type ``want``: fields a struct lacks are
    added as nulls, integers widened, anything else that differs is a ``_Mismatch``."""
    if have == want:
        return expr
    if isinstance(have, pl.Null):
        return expr.cast(want)
    if isinstance(want, pl.Struct):
        if not isinstance(have, pl.Struct):
            raise _Mismatch(f"is {have}, the fact is a record")
        fields = {f.name: f.dtype for f in have.fields}
        extra = sorted(set(fields) - {f.name for f in want.fields})
        if extra:
            raise _Mismatch(f"has a field the fact does not: {extra[0]}")
        built = pl.struct([(_fit(expr.struct.field(f.name), fields[f.name], f.dtype) if f.name in fields
                            else pl.lit(None, dtype=f.dtype)).alias(f.name) for f in want.fields])
        return pl.when(expr.is_null()).then(pl.lit(None, dtype=want)).otherwise(built)
    if isinstance(want, pl.List):
        if not isinstance(have, pl.List):
            raise _Mismatch(f"is {have}, the fact is a list")
        return expr.list.eval(_fit(pl.element(), have.inner, want.inner))
    if (want == pl.Int64 and have.is_integer()) or (want == pl.Float64 and have.is_numeric()) \
            or (want == pl.String and have in (pl.Categorical, pl.Enum)):
        return expr.cast(want)
    raise _Mismatch(f"is {have}, the fact is {want}")


def _fitting(schema: dict[str, pl.DataType], source: str) -> list[pl.Expr]:
    """The expressions turning a Parquet chunk into the frame ``iter_frames`` gives; CaseError
    naming every column that is not a fact, overlaps another or has a type its fact cannot take."""
    problems, exprs = [], []
    paths: list[tuple[str, ...]] = []
    sections = case_schema()
    for i, (name, dtype) in enumerate(schema.items(), 1):
        where = Location(source, 0, i)

        def bad(message: str, hint: str) -> None:
            problems.append(Diagnostic("bad-column", f"column {i} '{name}' {message}", where, name, hint))
        if name in _DROPPED:
            continue
        if name in ("id", "question"):
            exprs.append(pl.col(name).cast(pl.String))
            continue
        if name == "as_of":
            if dtype == pl.String:
                exprs.append(pl.col(name).str.to_date("%Y-%m-%d"))
            elif dtype == pl.Date:
                exprs.append(pl.col(name))
            else:
                bad(f"is {dtype}, not a date", "store as_of as a date or as YYYY-MM-DD text")
            continue
        if name == "case":
            if not isinstance(dtype, pl.Struct):
                bad(f"is {dtype}, not a case record", "a case column holds a struct of the case's sections")
                continue
            for field in dtype.fields:
                if field.name not in sections:
                    bad(f"has a section the case does not: {field.name}", "sections: " + ", ".join(sections))
                    continue
                try:
                    exprs.append(_fit(pl.col(name).struct.field(field.name), field.dtype, sections[field.name])
                                 .alias(field.name))
                except _Mismatch as exc:
                    bad(f"field {field.name} {exc}", "see docs/facts.md for each fact's type")
            continue
        path = tuple(name.split("."))
        overlap = next((j for j, p in enumerate(paths, 1) if p[:len(path)] == path or path[:len(p)] == p), None)
        paths.append(path)
        if overlap is not None:
            bad(f"overlaps another fact column ({overlap})", "give a fact once: either a whole mapping or its dotted fields")
            continue
        try:
            want = dtype_of(type_at(Case, path))
        except KeyError:
            bad("is not a fact", "name fact columns by their dotted path, e.g. institution.beds (docs/facts.md)")
            continue
        try:
            exprs.append(_fit(pl.col(name), dtype, want).alias(name))
        except _Mismatch as exc:
            bad(str(exc), "see docs/facts.md for each fact's type")
    if problems:
        raise CaseError(problems, f"{source}: bad header")
    return exprs


def _entry_case(entry: Entry) -> tuple[Case, str | None, date, str | None]:
    """An entry's case, question, as_of and id by the batch verb's rules, or its located CaseError."""
    if entry.problems:
        raise CaseError(list(entry.problems), f"{entry.source}: entry {entry.number} cannot be read")
    data = entry.data
    if not isinstance(data, dict):
        raise CaseError([Diagnostic("not-a-mapping", f"an entry must be a mapping, not {type(data).__name__}",
                                    entry.here(), "", "write {\"question\": …, \"as_of\": …, \"case\": {…}}")],
                        f"{entry.source}: entry {entry.number} is not a mapping")
    raw, base = _settings(entry, data)
    question, day = _question(entry, data, None), _as_of(entry, data, None)
    try:
        case = Case.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise CaseError(pydantic_diagnostics(exc, Case, entry.doc(), base),
                        f"{entry.source}: entry {entry.number} is not a valid case") from None
    return case, question, day, _entry_id(data)


def _entry_frames(entries: Iterator[Entry], chunk_rows: int) -> Iterator[pl.DataFrame]:
    rows: list[tuple[Case, str | None, date, str | None]] = []

    def frame() -> pl.DataFrame:
        settings = pl.DataFrame({"id": [r[3] for r in rows], "question": [r[1] for r in rows],
                                 "as_of": [r[2] for r in rows]}, schema={"id": pl.String, "question": pl.String,
                                                                         "as_of": pl.Date})
        return pl.concat([settings, frame_from_cases([r[0] for r in rows])], how="horizontal")
    for entry in entries:
        rows.append(_entry_case(entry))
        if len(rows) == chunk_rows:
            yield frame()
            rows = []
    if rows:
        yield frame()


# --- writing the differing rows -------------------------------------------------------------------

def output_format(path: str) -> str:
    """``parquet``, ``jsonl`` or ``csv`` by the extension; ValueError for another."""
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the format of '{path}' from its extension: name it .parquet, .jsonl or .csv")
    return fmt


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and records as JSON text in their cells (the batch reader's CSV rule), dates as ISO text."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Struct):
            out.append(col.struct.json_encode())
        elif isinstance(dtype, pl.List):  # wrapped in a record to encode: {"v":[…]} -> […]
            text = pl.struct(col.alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}")
            out.append(pl.when(col.is_null()).then(None).otherwise(text).alias(name))
        else:
            out.append(col)
    return frame.select(out)


class RowsWriter:
    """Frames appended to one Parquet, JSON Lines or CSV file as they come (bounded memory); the
    file exists, with its header or schema, even when no row is written."""

    def __init__(self, path: str) -> None:
        self.path, self.format = path, output_format(path)
        self._parquet: Any = None
        self._schema: Any = None
        self._handle: Any = None
        self._header = True
        if self.format == "parquet":
            pyarrow_parquet()  # a missing extra is named before any work
        else:
            self._handle = open(path, "wb")

    def write(self, frame: pl.DataFrame) -> None:
        if self.format == "parquet":
            table = frame.to_arrow()
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pyarrow_parquet().ParquetWriter(self.path, self._schema)
            self._parquet.write_table(table.cast(self._schema))
        elif self.format == "jsonl":
            if frame.height:
                frame.write_ndjson(self._handle)
        else:
            _csv_ready(frame).write_csv(self._handle, include_header=self._header)
            self._header = False

    def close(self) -> None:
        if self._parquet is None and self.format == "parquet":  # no chunk at all: an empty table
            self.write(pl.DataFrame(schema={"row": pl.Int64, "id": pl.String}))
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> RowsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
