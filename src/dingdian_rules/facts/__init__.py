"""The facts of a case: the pydantic fact models, and cases built from data and files with located errors.

May import: errors, reading, time.
"""

from .institution import (Agreement, Application, Evaluation, EvaluationResult, History, Institution, InstitutionType,
                          Licence, Material, Person, PersonRole, RegionAction, Rescission, RescissionGround, Suspension)
from .models import (Case, Claim, Conduct, DrugSale, InformationChange, ItemisedAmount, Question, Request,
                     RequestKind, enum_label, fact_label)
from .values import WRITTEN_FORMS, FactEnum, FactModel, IsoDate, parse_iso_date, parse_iso_datetime

__all__ = [
    "WRITTEN_FORMS",
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
    "enum_label",
    "fact_label",
    "parse_iso_date",
    "parse_iso_datetime",
]
