"""Columnar evaluation: a pack's checked conditions compiled to polars expressions, so a whole
registry (a polars DataFrame, an Arrow table or a pandas frame) is answered in one pass with the
same outcome, fired rules, undetermined rules and missing facts as the per-case evaluator.

polars is an optional extra (``pip install 'dingdian-rules[columnar]'``): it is imported only
inside this subpackage, and ``import dingdian_rules`` never imports it. ``ColumnarUnsupported``
is raised at compile time for a construct the compiler cannot yet express, naming the rule and
the construct, never a silent difference.

May import: errors, twins, reading, time, facts, conditions, packs, evaluation.
"""

from __future__ import annotations

__all__ = ["ColumnarUnsupported", "compile_question", "evaluate_frame", "frame_from_cases"]


def __getattr__(name: str):  # polars is imported only when the engine is used
    if name in ("evaluate_frame", "compile_question"):
        from . import frames
        return getattr(frames, name)
    if name == "ColumnarUnsupported":
        from .expressions import ColumnarUnsupported
        return ColumnarUnsupported
    if name == "frame_from_cases":
        from .columns import frame_from_cases
        return frame_from_cases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
