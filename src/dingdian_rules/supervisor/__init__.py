"""Event-driven supervision: post an institution's events, advance time, read decisions as they come due.

``Supervisor(pack)`` folds each institution's events into facts (``dingdian_rules.supervisor.folding.fold``),
lets a durable_rules ruleset compiled from the pack decide which rules fire, and builds the same
``Decision`` objects as ``dingdian_rules.evaluate``. See docs/supervision.md.

May import: errors, reading, time, facts, conditions, packs, evaluation.
"""

from .event_models import EventError, EventOrderError, UnknownInstitutionError
from .compiler import CompiledPack, compile_pack
from .runtime import Due, Supervisor, TimelineEntry
from .standing import Standing

__all__ = ["CompiledPack", "Due", "EventError", "EventOrderError", "Standing", "Supervisor", "TimelineEntry",
           "UnknownInstitutionError", "compile_pack"]
