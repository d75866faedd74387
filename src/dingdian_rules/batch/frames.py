"""A batch file read as polars frames, a chunk of rows at a time, for the columnar engine
(``evaluate --engine columnar``) and for any verb that answers a registry a chunk at a time.

``iter_chunks(path, chunk_rows)`` reads the entries with the batch readers (JSON Lines, JSON, CSV,
``-``), validates each as the case engine does (``entries.prepare_entry``: the same located error
records for a bad entry), and lays the good ones out as one frame per chunk in the struct layout
``columnar.evaluate_frame`` reads (``chunks.Chunk``). A Parquet file is laid out by polars a record
batch at a time (``parquet_frames``), only suspicious rows read entry by entry. Memory is bounded
by ``chunk_rows``: a chunk's entries, cases and frame are dropped before the next chunk is read.

A Parquet file's columns are checked against the fact vocabulary before any row is read: a column
that names no fact or whose type no fact of that name can hold (a ``double`` for an integer fact,
a struct field that is no fact) stops the batch with a diagnostic naming the column, where the
case engine would give every row the same error record.

Importing this module imports polars and pyarrow (the ``columnar`` extra).
"""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import Iterator

import polars as pl

from .chunks import DEFAULT_CHUNK_ROWS, Chunk, check_parquet_columns, entries_chunk
from .entries import Entry
from .readers import input_format, read_entries

__all__ = ["DEFAULT_CHUNK_ROWS", "Chunk", "iter_chunks", "iter_frames"]


def iter_chunks(path: str, chunk_rows: int = DEFAULT_CHUNK_ROWS, *, question: str | None = None,
                as_of: date | None = None) -> Iterator[Chunk]:
    """The entries of a batch file (``-``: standard input), ``chunk_rows`` at a time, as ``Chunk``s.

    ``question`` and ``as_of`` win over the entries' own, as on the command line. What makes the
    whole input unreadable (no such file, an unknown extension, a bad CSV header, not Parquet, a
    Parquet column no fact can be read from) raises ``CaseError`` now, before any chunk."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    source = "<stdin>" if path == "-" else path
    if input_format(path) == "parquet":
        check_parquet_columns(path)
        from .parquet_frames import parquet_chunks
        table = parquet_chunks(path, chunk_rows, question, as_of)
        if table is not None:
            return table
    entries = read_entries(path, chunk_size=min(chunk_rows, 4096))
    return _chunks(entries, chunk_rows, question, as_of, source)


def _chunks(entries: Iterator[Entry], chunk_rows: int, question: str | None, as_of: date | None,
            source: str) -> Iterator[Chunk]:
    while group := list(islice(entries, chunk_rows)):
        yield entries_chunk(group, question, as_of, source)


def iter_frames(path: str, chunk_rows: int = DEFAULT_CHUNK_ROWS, *, question: str | None = None,
                as_of: date | None = None) -> Iterator[pl.DataFrame]:
    """Only the frames of ``iter_chunks`` (bad entries left out: use ``iter_chunks`` to report them)."""
    return (chunk.frame for chunk in iter_chunks(path, chunk_rows, question=question, as_of=as_of))
