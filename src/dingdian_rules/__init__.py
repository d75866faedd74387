"""dingdian-rules: executable, explainable rule packs for 医疗机构医疗保障定点管理.

Typical use::

    from datetime import date
    import dingdian_rules as dr

    pack = dr.load_pack("national")                      # bundled id or a folder path
    decision = dr.evaluate(pack, {"institution": {...}}, "application", as_of=date(2025, 6, 1))
    decision.outcome, decision.fired, decision.missing_facts, decision.to_dict()

The library never prints; the ``dingdian-rules`` command renders decisions for people.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import render
    from .analysis import scenarios
    from .batch.evaluating import evaluate_many
    from .columnar.frames import evaluate_frame
    from .population.compare import compare_frame
    from .conditions.trace import TraceNode
    from .errors import CaseError, DingdianError, Diagnostic, EvaluationError, Location, PackError
    from .evaluation.decision import Decision, DeadlineResult, DecisionWarning, MeasureResult, RuleResult
    from .evaluation.evaluate import evaluate, evaluate_all
    from .facts.cases import load_case_file, parse_case
    from .facts.models import Case
    from .packs.chain import bundled_pack_ids
    from .packs.loader import check_pack, load_pack
    from .packs.plans import QUESTIONS
    from .packs.resolved import ResolvedPack, ResolvedParameter, ResolvedRule
    from .time.workdays import YearArrangement

__version__ = "0.1.0"  # equal to evaluation.identity.ENGINE_VERSION, which decisions carry (a test checks)

__all__ = [
    "Case", "CaseError", "DeadlineResult", "Decision", "DecisionWarning", "Diagnostic", "DingdianError",
    "EvaluationError", "Location", "MeasureResult", "PackError", "QUESTIONS", "ResolvedPack", "ResolvedParameter",
    "ResolvedRule", "RuleResult", "TraceNode", "YearArrangement", "bundled_pack_ids", "check_pack", "compare_frame", "evaluate", "evaluate_all", "evaluate_frame",
    "evaluate_many", "load_case_file", "load_pack", "parse_case", "render", "scenarios", "__version__",
]

# Each public name and the module that defines it. ``import dingdian_rules`` imports none of them:
# a name is imported when first used, so a program that only needs, say, the errors or the CLI's
# --help does not pay for pydantic's model building, the pack loader or the evaluator (issue 13).
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["CaseError", "DingdianError", "Diagnostic", "EvaluationError", "Location", "PackError"], ".errors"),
    "YearArrangement": ".time.workdays", "Case": ".facts.models", "load_case_file": ".facts.cases",
    "parse_case": ".facts.cases", "TraceNode": ".conditions.trace", "bundled_pack_ids": ".packs.chain",
    "check_pack": ".packs.loader", "load_pack": ".packs.loader", "QUESTIONS": ".packs.plans",
    **dict.fromkeys(["ResolvedPack", "ResolvedParameter", "ResolvedRule"], ".packs.resolved"),
    **dict.fromkeys(["Decision", "DeadlineResult", "DecisionWarning", "MeasureResult", "RuleResult"], ".evaluation.decision"),
    "evaluate": ".evaluation.evaluate", "evaluate_all": ".evaluation.evaluate", "evaluate_many": ".batch.evaluating",
    "evaluate_frame": ".columnar.frames",  # needs the columnar extra (polars)
    "compare_frame": ".population.compare",  # needs the columnar extra (polars)
}
_MODULES = {"render": ".render", "scenarios": ".analysis.scenarios"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name], __name__)
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
