"""Batch files: readers and writers of many case-file entries (JSON Lines, JSON, CSV, Parquet) and ``evaluate_many``.

``read_entries(path)`` streams the entries of a file (``-``: standard input) with constant memory;
``evaluate_many(pack, entries, jobs=N)`` yields one ``BatchResult`` per entry in input order (its
decisions, or its located errors); ``open_writer(path)`` writes them as JSON Lines or Parquet.
Parquet needs pyarrow (the ``parquet`` extra); nothing here imports it until a Parquet file is
read or written. ``batch.frames`` reads a batch file as polars frames a chunk at a time and
``batch.columnar_run`` answers them with the columnar engine (``evaluate --engine columnar``);
they import polars, so nothing imports them until that engine is asked for. See docs/cli.md
("Batch files").

May import: errors, reading, time, facts, conditions, packs, evaluation, render, columnar.
"""

from __future__ import annotations

from .entries import BatchResult, Entry
from .evaluating import evaluate_many
from .readers import read_entries
from .writers import BatchWriter, open_writer

__all__ = ["BatchResult", "BatchWriter", "Entry", "evaluate_many", "open_writer", "read_entries"]
