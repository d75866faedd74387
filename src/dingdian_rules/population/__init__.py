"""Packs compared on a population: the same registry answered under several packs with the columnar
engine, the outcome counts per pack, the rows whose outcome differs with the rules responsible, and
those rows written out (``dingdian-rules compare``, docs/columnar.md "Comparing packs on a registry").

``compare_frame(packs, frame, question)`` compares a frame in memory; ``compare_file(packs, path,
question, output=...)`` reads a batch table (Parquet, JSON Lines, JSON, CSV) a chunk at a time,
adds up the counts chunk by chunk and streams the differing rows to ``output``, so memory stays
bounded whatever the input's size. Both return a ``PopulationComparison`` with its text, Markdown,
JSON and HTML views. Built on ``columnar``, this is the one place besides it that imports polars
(the ``columnar`` extra): only when a name below is first used, never on ``import dingdian_rules``.

May import: errors, reading, time, facts, conditions, packs, evaluation, render, batch, columnar.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compare import PopulationComparison, Transition, compare_file, compare_frame

__all__ = ["PopulationComparison", "Transition", "compare_file", "compare_frame"]


def __getattr__(name: str) -> Any:  # polars is imported only when the comparison is used
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".compare", __name__), name)
    globals()[name] = value
    return value
