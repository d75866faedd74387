"""dingdian-rules: executable, explainable rule packs for 医疗机构医疗保障定点管理.

Typical use::

    from datetime import date
    import dingdian_rules as dr

    pack = dr.load_pack("national")                      # bundled id or a folder path
    decision = dr.evaluate(pack, {"institution": {...}}, "application", as_of=date(2025, 6, 1))
    decision.outcome, decision.fired, decision.missing_facts, decision.to_dict()

The library never prints; the ``dingdian-rules`` command renders decisions for people.
"""

from .errors import CaseError, DingdianError, Diagnostic, EvaluationError, Location, PackError
from .time.workdays import YearArrangement
from .facts.models import Case
from .facts.cases import load_case_file, parse_case
from .conditions.trace import TraceNode
from .packs.chain import bundled_pack_ids
from .packs.loader import check_pack, load_pack
from .packs.plans import QUESTIONS
from .packs.resolved import ResolvedPack, ResolvedParameter, ResolvedRule
from .evaluation.decision import Decision, DeadlineResult, DecisionWarning, MeasureResult, RuleResult
from .evaluation.evaluate import evaluate, evaluate_all
from .batch.evaluating import evaluate_many
from . import render
from .analysis import scenarios

__version__ = "0.1.0"

__all__ = [
    "Case", "CaseError", "DeadlineResult", "Decision", "DecisionWarning", "Diagnostic", "DingdianError",
    "EvaluationError", "Location", "MeasureResult", "PackError", "QUESTIONS", "ResolvedPack", "ResolvedParameter",
    "ResolvedRule", "RuleResult", "TraceNode", "YearArrangement", "bundled_pack_ids", "check_pack", "evaluate", "evaluate_all", "evaluate_many",
    "load_case_file", "load_pack", "parse_case", "render", "scenarios", "__version__",
]
