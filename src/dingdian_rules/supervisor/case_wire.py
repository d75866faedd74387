"""How a case reaches durable_rules: what a fact path holds, a fact value's wire form, and the
probe ``today`` that finds the days a time-dependent derived fact may change on.

Unknown facts are sent as the sentinel ``'?'``, never left out (testing a missing field loops in
durable_rules 2.0.28); dates are day numbers (``toordinal``).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Any, Callable, get_args, get_origin
import types

from pydantic import BaseModel

from ..conditions.compile import CompiledExpr
from ..facts.models import Case

SENT = "?"  # an unknown value in a durable_rules fact


# --- fact paths -----------------------------------------------------------------------------
def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (types.UnionType,) or str(get_origin(annotation)) == "typing.Union":
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def path_kind(path: tuple[str, ...]) -> str:
    """``scalar``, ``list`` or ``object``: what a fact path holds (walked through the models)."""
    model: Any = Case
    ann: Any = Case
    for seg in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or seg not in model.model_fields:
            return "other"
        ann = _unwrap(model.model_fields[seg].annotation)
        if get_origin(ann) is list:
            return "list"
        model = ann
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "object"
    return "scalar"


def to_wire(v: Any) -> Any:
    """A Python fact value as durable_rules sees it."""
    if v is None:
        return SENT
    if isinstance(v, bool):
        return v
    if isinstance(v, date):
        return v.toordinal()
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (int, float, str)):
        return v
    raise TypeError(f"no durable_rules form for {type(v).__name__}")


def _getter(path: tuple[str, ...]) -> Callable[[Case], Any]:
    def get(case: Case) -> Any:
        v: Any = case
        for seg in path:
            v = getattr(v, seg)
            if v is None:
                return None
        return v
    return get


# --- the probe: which dates a time-dependent atom compares today with -----------------------
_SEEN: list[date] = []


class TodayProbe(date):
    """``today`` that records every date it is compared with (into ``_SEEN``).

    An atom's value can change only on a day where one of the comparisons it evaluated flips,
    so the next such day is when ``advance`` must look again. Python gives the subclass's
    reflected comparison priority, so ``d <= today`` is recorded too.
    """

    def __lt__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__lt__(self, o)

    def __le__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__le__(self, o)

    def __gt__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__gt__(self, o)

    def __ge__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__ge__(self, o)

    def __eq__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__eq__(self, o)

    def __ne__(self, o: Any) -> bool:
        _SEEN.append(o)
        return date.__ne__(self, o)

    __hash__ = date.__hash__


def probe(d: date) -> TodayProbe:
    return TodayProbe(d.year, d.month, d.day)


_DAY = timedelta(days=1)


def _safely(expr: CompiledExpr, case: Case, today: date, est: set[int]) -> Any:
    """``expr`` on the case, or None (unknown) when its date arithmetic leaves years 1–9999."""
    try:
        return expr.fast(case, today, est)
    except OverflowError:
        return None
