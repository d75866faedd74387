"""A Parquet batch file read as frames without a Python object per row: each record batch is laid
out in the struct layout of ``columnar.columns.case_schema()`` by polars expressions, and only
the rows a vectorised check finds suspicious go through the case engine's per-entry reading
(``tables.batch_entries`` and ``entries.prepare_entry``), which gives them their decisions' rows
or exactly the case engine's error records.

The check mirrors what the fact models refuse in a value a column's type lets through: an enum
code that is not one, a number outside its bounds, a non-finite number, date text that is not
``YYYY-MM-DD``, a question that is not one, an ``as_of`` that is not a date. The column types
themselves were checked before (``chunks.check_parquet_columns``). A file this path cannot lay
out (a ``case`` column of JSON text, an ``id`` that is neither text nor an integer, date-times
or nested dates written as text) is read entry by entry instead: the same results, slower.

A section struct is null on a row exactly when the case engine's entry would lack that section
(no column below it holds a value), so "every question the case gives facts for" is the same.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from enum import Enum
from typing import Any, Iterator

import annotated_types as at
import polars as pl
from pydantic import BaseModel

from ..columnar.columns import case_schema
from ..facts.models import Case
from ..packs.plans import QUESTIONS
from .entries import SETTINGS
from .chunks import HEAD, Chunk, entries_chunk

__all__ = ["parquet_chunks"]

_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SECTIONS = (("application", "application"), ("agreement", "agreement"), ("request", "request"),
             ("conduct", "conduct"))


class _Unsupported(Exception):
    """The file is read entry by entry instead."""


def _conform(expr: pl.Expr, actual: pl.DataType, expected: pl.DataType, top: bool) -> tuple[pl.Expr, pl.Expr | None]:
    """``expr`` (of type ``actual``) as exactly ``expected``, and the rows where a value did not
    survive the conversion (None: none can fail). Raises ``_Unsupported``."""
    if actual == expected:
        return expr, None
    if actual == pl.Null:
        return pl.lit(None, dtype=expected), None
    if (expected == pl.Int64 and actual in _INTS) or (expected == pl.Float64 and (actual in _INTS or actual == pl.Float32)):
        return expr.cast(expected, strict=False), expr.is_not_null() & expr.cast(expected, strict=False).is_null()
    if isinstance(expected, pl.Datetime) and isinstance(actual, pl.Datetime) and actual.time_zone is None:
        return expr.cast(expected), None
    if expected == pl.String and isinstance(actual, (pl.Categorical, pl.Enum)):
        return expr.cast(pl.String), None
    if expected == pl.Date and actual == pl.String and top:
        day = expr.str.to_date("%Y-%m-%d", strict=False)
        return day, expr.is_not_null() & (day.is_null() | ~expr.str.contains(_ISO))
    if isinstance(expected, pl.List) and isinstance(actual, (pl.List, pl.Array)):
        inner, bad = _conform(pl.element(), actual.inner, expected.inner, False)  # type: ignore[arg-type]
        if bad is not None:
            raise _Unsupported
        src = expr.cast(pl.List(actual.inner)) if isinstance(actual, pl.Array) else expr  # type: ignore[arg-type]
        return (src if inner is pl.element() else src.list.eval(inner)), None
    if isinstance(expected, pl.Struct) and isinstance(actual, pl.Struct):
        have = {f.name: f.dtype for f in actual.fields}
        fields = []
        for f in expected.fields:
            if f.name in have:
                value, bad = _conform(expr.struct.field(f.name), have[f.name], f.dtype, False)
                if bad is not None:
                    raise _Unsupported
            else:
                value = pl.lit(None, dtype=f.dtype)
            fields.append(value.alias(f.name))
        return pl.when(expr.is_not_null()).then(pl.struct(fields)).otherwise(pl.lit(None, dtype=expected)), None
    raise _Unsupported


def _section(prefix: tuple[str, ...], expected: pl.DataType, columns: dict[tuple[str, ...], tuple[str, pl.DataType]],
             bad: list[pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    """The value at ``prefix`` built from the columns at or below it, and the rows where it is given."""
    if prefix in columns:
        name, actual = columns[prefix]
        value, failed = _conform(pl.col(name), actual, expected, True)
        if failed is not None:
            bad.append(failed)
        return value, pl.col(name).is_not_null()
    below = [p for p in columns if p[:len(prefix)] == prefix]
    if not below:
        return pl.lit(None, dtype=expected), pl.lit(False)
    if not isinstance(expected, pl.Struct):
        raise _Unsupported
    fields, given = [], []
    for f in expected.fields:
        value, present = _section((*prefix, f.name), f.dtype, columns, bad)
        fields.append(value.alias(f.name))
        given.append(present)
    present = pl.any_horizontal(given)
    return pl.when(present).then(pl.struct(fields)).otherwise(pl.lit(None, dtype=expected)), present


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the item type, whether it is a list) of a field's annotation, ``| None`` removed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _refused(expr: pl.Expr, model: type[BaseModel]) -> list[pl.Expr]:
    """Per row, whether a value below ``expr`` (a struct of ``model``) is one the model refuses
    although the column's type allows it: an enum code that is not one, a bound, NaN or infinity."""
    out = []
    for name, info in model.model_fields.items():
        kind, is_list = _unwrap(info.annotation)
        value = pl.element() if is_list else expr.struct.field(name)
        checks: list[pl.Expr] = []
        if isinstance(kind, type) and issubclass(kind, Enum):
            checks.append(~value.is_in([m.value for m in kind]))
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            checks += _refused(value, kind)
        elif kind is float:
            checks.append(value.is_nan() | value.is_infinite())
        for bound in info.metadata:
            for attr, test in (("ge", value.lt), ("gt", value.le), ("le", value.gt), ("lt", value.ge)):
                if isinstance(bound, getattr(at, attr.capitalize())):
                    checks.append(test(getattr(bound, attr)))
        if not checks:
            continue
        one = pl.any_horizontal(checks).fill_null(False)
        out.append(expr.struct.field(name).list.eval(one).list.any().fill_null(False) if is_list else one)
    return out


def _plan(schema: dict[str, pl.DataType], question: str | None,
          as_of: date | None) -> tuple[list[pl.Expr], pl.Expr, pl.Expr]:
    """The expressions of a chunk's frame (``HEAD`` columns but ``entry``/``line``/``row``, then the
    sections), and the suspicious rows: values a conversion lost or a bad setting, read from the
    raw columns, and values the fact models refuse, read from the laid-out sections. Raises
    ``_Unsupported``."""
    from .tables import _columns
    names = list(schema)
    paths = dict(zip(_columns(names, "<parquet>", 0), names))
    bad: list[pl.Expr] = []
    settings = {p[0]: n for p, n in paths.items() if p[0] in SETTINGS}
    facts: dict[tuple[str, ...], tuple[str, pl.DataType]] = {}
    for p, n in paths.items():
        if p == ("case",):
            if not isinstance(schema[n], pl.Struct):
                raise _Unsupported  # JSON text
            for f in schema[n].fields:  # type: ignore[union-attr]
                facts[(f.name,)] = (n, f.dtype)
        elif p[0] not in SETTINGS:
            facts[p[1:]] = (n, schema[n])
    exprs = []
    ident = settings.get("id")
    if ident is not None and not (schema[ident] in _INTS or schema[ident] in (pl.String, pl.Null)):
        raise _Unsupported
    exprs.append((pl.col(ident).cast(pl.String) if ident else pl.lit(None, dtype=pl.String)).alias("id"))
    sections, present = {}, {}
    for name, dtype in case_schema().items():
        prefix = (name,)
        if prefix in facts and facts[prefix][0] == paths.get(("case",)):
            value, _ = _conform(pl.col(facts[prefix][0]).struct.field(name), facts[prefix][1], dtype, False)
            given = pl.col(facts[prefix][0]).struct.field(name).is_not_null()
        else:
            value, given = _section(prefix, dtype, facts, bad)
        sections[name], present[name] = value.alias(name), given
    q = settings.get("question")
    if question is not None:
        questions = pl.lit([question], dtype=pl.List(pl.String))
    else:
        wanted = pl.concat_list([pl.when(present[s]).then(pl.lit(k)) for k, s in _SECTIONS]).list.drop_nulls()
        wanted = pl.when((wanted.list.len() == 0) & present["institution"]).then(
            pl.lit(["application"], dtype=pl.List(pl.String))).otherwise(wanted)
        questions = wanted.list.concat(pl.lit(["deadlines"], dtype=pl.List(pl.String)))
        if q is not None:
            asked = pl.col(q).cast(pl.String)
            bad.append(asked.is_not_null() & ~asked.is_in(list(QUESTIONS)))
            questions = pl.when(asked.is_not_null()).then(pl.concat_list([asked])).otherwise(questions)
    exprs.append(questions.alias("questions"))
    day = settings.get("as_of")
    if as_of is not None or day is None:
        exprs.append(pl.lit(as_of or date.today(), dtype=pl.Date).alias("as_of"))
    else:
        value, failed = _conform(pl.col(day), schema[day], pl.Date, True)
        if failed is not None:
            bad.append(failed)
        exprs.append(value.fill_null(pl.lit(date.today(), dtype=pl.Date)).alias("as_of"))
    exprs += list(sections.values())
    refused = []
    for name in case_schema():  # checked on the laid-out frame: each section is built once
        model, _ = _unwrap(Case.model_fields[name].annotation)
        if isinstance(model, type) and issubclass(model, BaseModel):
            refused += _refused(pl.col(name), model)
    return exprs, _any(bad), _any(refused)


def _any(flags: list[pl.Expr]) -> pl.Expr:
    return (pl.any_horizontal(flags).fill_null(True) if flags else pl.lit(False)).alias("bad")


def parquet_chunks(path: str, chunk_rows: int, question: str | None, as_of: date | None) -> Iterator[Chunk] | None:
    """The chunks of a Parquet file whose columns were checked, or None when the file must be read
    entry by entry (module docstring)."""
    from .tables import _columns, pyarrow_parquet
    pfile = pyarrow_parquet().ParquetFile(path)
    names = list(pfile.schema_arrow.names)
    schema = dict(pl.from_arrow(pfile.schema_arrow.empty_table()).schema)  # type: ignore[union-attr]
    try:
        plan = _plan(schema, question, as_of)
    except _Unsupported:
        return None
    return _read(pfile, names, _columns(names, path, 0), plan, chunk_rows, question, as_of, path)


def _read(pfile: Any, names: list[str], paths: list[tuple[str, ...]], plan: tuple[list[pl.Expr], pl.Expr, pl.Expr],
          chunk_rows: int, question: str | None, as_of: date | None, source: str) -> Iterator[Chunk]:
    from .tables import batch_entries
    before = 0
    for batch in pfile.iter_batches(batch_size=chunk_rows):
        raw = pl.from_arrow(batch)
        numbers = pl.int_range(before + 1, before + raw.height + 1, dtype=pl.Int64, eager=True)
        exprs, lost, refused = plan
        laid = raw.select(exprs)
        flagged = raw.select(lost).get_column("bad") | laid.select(refused).get_column("bad")
        good = laid.filter(~flagged).with_columns(
            entry=numbers.filter(~flagged), line=pl.lit(None, dtype=pl.Int64), row=numbers.filter(~flagged))
        good = good.select(*HEAD, *case_schema())
        errors: tuple = ()
        if flagged.any():  # the case engine's reading of those rows: their errors, or their rows
            idx = flagged.arg_true().to_list()
            entries = batch_entries(batch.take(idx), names, paths, source, [before + i + 1 for i in idx])
            checked = entries_chunk(entries, question, as_of, source)
            good = pl.concat([good, checked.frame]).sort("entry")
            errors = checked.errors
        yield Chunk(good, errors, source)
        before += raw.height
