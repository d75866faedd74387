"""What a chunk of a batch file is for the columnar engine, and the pieces ``batch.frames`` and
``batch.parquet_frames`` share to build one: ``Chunk``, the frame's ``HEAD`` columns, ``asked``
(the questions ``evaluate_all`` asks), ``entries_chunk`` (entries validated as the case engine
does, laid out as a frame) and ``check_parquet_columns``.

Importing this module imports polars and pyarrow (the ``columnar`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Iterable

import polars as pl
import pyarrow as pa

from ..columnar.columns import case_schema, dtype_of, type_at
from ..errors import CaseError, Diagnostic, Location, did_you_mean
from ..facts.models import Case
from .entries import SETTINGS, BatchResult, Entry, Prepared, prepare_entry

__all__ = ["DEFAULT_CHUNK_ROWS", "HEAD", "Chunk", "asked", "check_parquet_columns", "entries_chunk"]

DEFAULT_CHUNK_ROWS = 20_000
# The columns of a chunk's frame before the case sections (``case_schema()``'s struct columns).
HEAD = {"entry": pl.Int64, "line": pl.Int64, "row": pl.Int64, "id": pl.String, "questions": pl.List(pl.String),
        "as_of": pl.Date}


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk of a batch file: the good entries as a frame, the bad ones as error records.

    ``frame`` has one row per good entry, in input order: ``entry`` (its position, from 1),
    ``line``, ``row`` and ``id`` as in a case-engine record, ``questions`` (what is asked: the
    entry's or ``--question``, else every question the case gives facts for, as ``evaluate_all``
    asks them), ``as_of`` (a date on every row), then one struct column per case section
    (``columnar.columns.case_schema()``). ``errors`` holds the entries that could not be read or
    validated, ``source`` the file's name as diagnostics give it."""

    frame: pl.DataFrame
    errors: tuple[BatchResult, ...]
    source: str = "<entries>"

    @property
    def rows(self) -> int:
        """Entries read in this chunk, good and bad."""
        return self.frame.height + len(self.errors)


def asked(case: Case) -> list[str]:
    """The questions ``evaluate_all`` asks about ``case``: those whose section it gives
    (``application`` when only ``institution`` is given), then ``deadlines``."""
    wanted = [q for q, section in (("application", case.application), ("agreement", case.agreement),
                                   ("request", case.request), ("conduct", case.conduct)) if section is not None]
    if not wanted and case.institution is not None:
        wanted = ["application"]
    return [*wanted, "deadlines"]


@lru_cache(maxsize=1)
def _arrow_sections() -> pa.Schema:
    return pl.DataFrame(schema=case_schema()).to_arrow().schema


def _frame(ready: list[Prepared]) -> pl.DataFrame:
    """The prepared rows as a frame: ``HEAD`` columns, then the sections (pydantic's dump and one
    Arrow conversion per section, about five times faster than polars building rows from dicts)."""
    dumps = [r.case.model_dump() for r in ready]
    columns = {
        "entry": pa.array([r.entry.number for r in ready], pa.int64()),
        "line": pa.array([r.entry.line for r in ready], pa.int64()),
        "row": pa.array([r.entry.row for r in ready], pa.int64()),
        "id": pa.array([r.id for r in ready], pa.string()),
        "questions": pa.array([[r.question] if r.question else asked(r.case) for r in ready], pa.list_(pa.string())),
        "as_of": pa.array([r.as_of for r in ready], pa.date32())}
    for f in _arrow_sections():
        columns[f.name] = pa.array([d[f.name] for d in dumps], type=f.type)
    return pl.from_arrow(pa.table(columns)).cast(HEAD, strict=True)  # type: ignore[union-attr]


def entries_chunk(entries: Iterable[Entry], question: str | None, as_of: date | None, source: str) -> Chunk:
    """Entries as a chunk: each validated as the case engine does (``prepare_entry``)."""
    ready: list[Prepared] = []
    errors: list[BatchResult] = []
    for entry in entries:
        done = prepare_entry(entry, question, as_of)
        (errors if isinstance(done, BatchResult) else ready).append(done)  # type: ignore[arg-type]
    return Chunk(_frame(ready), tuple(errors), source)


# --- Parquet columns -----------------------------------------------------------------------------

_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def _fits(actual: pl.DataType, expected: pl.DataType, where: str) -> str | None:
    """Why a column of type ``actual`` cannot hold the fact of type ``expected`` (None: it can).
    What the case engine would still refuse row by row (an enum code, a negative count, a date
    text that is no date) is left to its per-row check."""
    if actual == expected or actual == pl.Null:
        return None
    if expected == pl.Int64 and actual in _INTS:
        return None
    if expected == pl.Float64 and (actual in _INTS or actual == pl.Float32):
        return None
    if expected in (pl.Date, pl.Datetime("us")) and (actual == pl.String or (expected == pl.Datetime("us")
                                                                              and isinstance(actual, pl.Datetime)
                                                                              and actual.time_zone is None)):
        return None
    if expected == pl.String and isinstance(actual, (pl.Categorical, pl.Enum)):
        return None
    if isinstance(expected, pl.List) and isinstance(actual, (pl.List, pl.Array)):
        return _fits(actual.inner, expected.inner, where + "[]")  # type: ignore[arg-type]
    if isinstance(expected, pl.Struct) and isinstance(actual, pl.Struct):
        fields = {f.name: f.dtype for f in expected.fields}
        for f in actual.fields:
            if f.name not in fields:
                hint = did_you_mean(f.name, list(fields))
                return f"{where} has a field '{f.name}' that is no fact" + (f" ({hint})" if hint else "")
            why = _fits(f.dtype, fields[f.name], f"{where}.{f.name}")
            if why:
                return why
        return None
    return f"{where} is {actual}, but the fact is {expected}"


def _expected(path: tuple[str, ...]) -> pl.DataType | None:
    if path == ("case",):
        return pl.Struct(case_schema())
    try:
        return dtype_of(type_at(Case, path[1:]))
    except KeyError:
        return None


def check_parquet_columns(path: str) -> None:
    """Every column of a Parquet file must name a setting or a fact whose type it can hold;
    ``CaseError`` naming each column that does not (as ``batch.tables`` refuses a bad header)."""
    from .tables import _columns, pyarrow_parquet, unreadable_parquet
    pq = pyarrow_parquet()
    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as exc:
        raise unreadable_parquet(path, exc) from None
    names = list(schema.names)
    paths = _columns(names, path, 0)
    types = pl.from_arrow(schema.empty_table()).schema  # type: ignore[union-attr]
    problems = []
    for i, (name, where) in enumerate(zip(names, paths), 1):
        actual = types[name]
        if where[0] in SETTINGS:
            ok = {"question": (pl.String, pl.Null), "as_of": (pl.Date, pl.String, pl.Null)}.get(where[0])
            if ok is not None and actual not in ok and not isinstance(actual, pl.Categorical):
                problems.append(Diagnostic("type-mismatch", f"column {name} is {actual}: write it as "
                                           + ("text" if where[0] == "question" else "a date (or YYYY-MM-DD text)"),
                                           Location(path, 0, i), name, "settings columns hold text or dates"))
            continue
        if where == ("case",) and actual == pl.String:
            continue  # the whole case as JSON text, read row by row
        expected = _expected(where)
        if expected is None:
            fact = ".".join(where[1:])
            hint = did_you_mean(fact.split(".")[-1], _field_names(where[1:-1])) or "see docs/facts.md for the facts"
            problems.append(Diagnostic("unknown-fact", f"column {name} names no fact", Location(path, 0, i), name, hint))
            continue
        why = _fits(actual, expected, name)
        if why:
            problems.append(Diagnostic("type-mismatch", f"column {why}", Location(path, 0, i), name,
                                       "write the column with the fact's type (docs/columnar.md, 'Facts as columns'), "
                                       "or use --engine case for an error record per row"))
    if problems:
        raise CaseError(problems, f"{path}: columns the facts cannot be read from")


def _field_names(path: tuple[str, ...]) -> list[str]:
    try:
        t = type_at(Case, path)
    except KeyError:
        return []
    from ..conditions.types import field_types
    return list(field_types(t.model)) if t.model is not None else []
