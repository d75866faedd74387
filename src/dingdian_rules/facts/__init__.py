"""The facts of a case: the pydantic fact models, the pydantic-free case reader that builds their
twins (``plain``), and cases built from data and files with located errors.

Names are imported on first use, so that ``from ..facts import fact_label`` or the enums do not
import pydantic and build the models (issue 13 item 4: a cold answer never imports pydantic).

May import: errors, twins, reading, time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .enums import (EvaluationResult, FactEnum, InstitutionType, Licence, Material, PersonRole, RegionAction,
                        RequestKind, RescissionGround)
    from .institution import Agreement, Application, Evaluation, History, Institution, Person, Rescission, Suspension
    from .models import Case, Claim, Conduct, DrugSale, InformationChange, ItemisedAmount, Question, Request
    from .plain import enum_label, fact_label
    from .values import FactModel, IsoDate
    from .written import WRITTEN_FORMS, parse_iso_date, parse_iso_datetime

_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["EvaluationResult", "FactEnum", "InstitutionType", "Licence", "Material", "PersonRole",
                     "RegionAction", "RequestKind", "RescissionGround"], ".enums"),
    **dict.fromkeys(["Agreement", "Application", "Evaluation", "History", "Institution", "Person", "Rescission",
                     "Suspension"], ".institution"),
    **dict.fromkeys(["Case", "Claim", "Conduct", "DrugSale", "InformationChange", "ItemisedAmount", "Question",
                     "Request"], ".models"),
    **dict.fromkeys(["enum_label", "fact_label"], ".plain"),
    **dict.fromkeys(["FactModel", "IsoDate"], ".values"),
    **dict.fromkeys(["WRITTEN_FORMS", "parse_iso_date", "parse_iso_datetime"], ".written"),
}

__all__ = [
    "Agreement",
    "Application",
    "Case",
    "Claim",
    "Conduct",
    "DrugSale",
    "Evaluation",
    "EvaluationResult",
    "FactEnum",
    "FactModel",
    "History",
    "InformationChange",
    "Institution",
    "InstitutionType",
    "IsoDate",
    "ItemisedAmount",
    "Licence",
    "Material",
    "Person",
    "PersonRole",
    "Question",
    "RegionAction",
    "Request",
    "RequestKind",
    "Rescission",
    "RescissionGround",
    "Suspension",
    "WRITTEN_FORMS",
    "enum_label",
    "fact_label",
    "parse_iso_date",
    "parse_iso_datetime",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
