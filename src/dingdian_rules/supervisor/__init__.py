"""Event-driven supervision: post an institution's events, advance time, read decisions as they come due.

``Supervisor(pack)`` folds each institution's events into facts (``dingdian_rules.supervisor.folding.fold``),
lets a durable_rules ruleset compiled from the pack decide which rules fire, and builds the same
``Decision`` objects as ``dingdian_rules.evaluate``. See docs/supervision.md.

May import: errors, reading, time, facts, conditions, packs, evaluation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .event_models import EventError, EventOrderError, UnknownInstitutionError

if TYPE_CHECKING:
    from .compiler import CompiledPack, compile_pack
    from .runtime import Due, Supervisor, TimelineEntry
    from .standing import Standing

__all__ = ["CompiledPack", "Due", "EventError", "EventOrderError", "Standing", "Supervisor", "TimelineEntry",
           "UnknownInstitutionError", "compile_pack"]

# The runtime loads durable_rules (about a tenth of a second); it is imported when first asked for,
# so that reading events (``supervisor.events``, the files ``replay`` reads) and every other verb
# do not pay for it.
_LAZY = {"CompiledPack": "compiler", "compile_pack": "compiler", "Due": "runtime", "Supervisor": "runtime",
         "TimelineEntry": "runtime", "Standing": "standing"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
