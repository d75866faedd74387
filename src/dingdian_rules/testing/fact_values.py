"""The shape of a case's facts and the values they are drawn from: ``leaf_fact_paths``, the date
strategies ``dates_near`` and ``as_of_dates``, and the weighted value lists of every leaf fact.

Values are drawn where rules flip: dates within two days of the 1-, 3- and 5-year anniversaries
before the reference date, three months and 180 days before it, three months after it, leap days
and the National Day holidays; beds around 100; counts 0-3; enum facts from their enums.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime, timedelta
from functools import lru_cache
from enum import Enum
from typing import Any, Iterable

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from pydantic import BaseModel

from ..facts.institution import EvaluationResult, InstitutionType, Licence, Material
from ..facts.models import Case, Conduct

REFERENCE_DATE = date(2025, 6, 1)

_NATIONAL_MATERIALS = (Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                       Material.it_system_materials, Material.fund_use_forecast, Material.provincial_other_materials)

# --- the shape of a case ------------------------------------------------------------------


def _field_kind(annotation: Any) -> tuple[str, Any]:
    """(kind, detail) of a fact field: model / list / enum / bool / int / float / date / str."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        assert len(inner) == 1, annotation
        return _field_kind(inner[0])
    if typing.get_origin(annotation) is list:
        return "list", args[0]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "model", annotation
        if issubclass(annotation, Enum):
            return "enum", annotation
        if issubclass(annotation, datetime):  # before date: a datetime is a date
            return "datetime", annotation
        for t in (bool, int, float, date, str):  # bool before int: bool is an int
            if issubclass(annotation, t):
                return t.__name__, annotation
    if typing.get_origin(annotation) is typing.Literal:
        return "literal", args
    raise TypeError(f"no strategy for fact type {annotation!r}")


def _fields(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    return [(name, *_field_kind(f.annotation)) for name, f in model.model_fields.items()]


def leaf_fact_paths(model: type[BaseModel] = Case, prefix: str = "") -> list[str]:
    """Every leaf fact path of ``model`` in the display form conditions and ``missing_facts`` use
    (``institution.beds``, ``agreement.suspensions[].ended_on``); a list is a leaf itself and so
    is each field of its items."""
    out: list[str] = []
    for name, kind, detail in _fields(model):
        path = prefix + name
        if kind == "model":
            out += leaf_fact_paths(detail, path + ".")
            continue
        if path == "case_id":
            continue
        out.append(path)
        if kind == "list" and isinstance(detail, type) and issubclass(detail, BaseModel):
            out += leaf_fact_paths(detail, path + "[].")
    return out


# --- values ---------------------------------------------------------------------------------
# Every scalar leaf is one draw from a finite, weighted list (benign values first and ``None``
# last, so hypothesis shrinks towards known, benign facts): a case has ~180 leaves and one draw
# each keeps generation cheap.


def _shift(d: date, months: int) -> date:
    from calendar import monthrange
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


def _anchors(around: date) -> list[date]:
    return [_shift(around, -12), _shift(around, -36), _shift(around, -60), _shift(around, -3),
            around - timedelta(days=180), _shift(around, 3), around, _shift(around, 12)]


_LEAP_DAYS = (date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29), date(2028, 2, 29))
_NATIONAL_DAY = tuple(date(2025, 9, 26) + timedelta(days=i) for i in range(18))  # 09-26 .. 10-13
_ADVERSITY = (0.0, 0.04, 0.15, 0.5)


@lru_cache(maxsize=256)
def _date_items(around: date) -> tuple[date, ...]:
    near = [a + timedelta(days=k) for a in _anchors(around) for k in range(-2, 3)]
    leap = [d + timedelta(days=k) for d in _LEAP_DAYS for k in (-1, 0, 1)]
    start = _shift(around, -84)
    spread = [start + timedelta(days=11 * i) for i in range(((_shift(around, 24) - start).days // 11) + 1)]
    # about 60% near an anchor, 10% leap days, 10% National Day, 20% anywhere
    return tuple(near * 12 + leap * 7 + list(_NATIONAL_DAY) * 5 + spread)


def dates_near(around: date = REFERENCE_DATE) -> SearchStrategy[date]:
    """Dates where periods counted from them flip on ``around``: within ±2 days of the 1-, 3- and
    5-year anniversaries, of 3 months and 180 days before, of 3 months and 1 year after; leap days
    (±1); days around National Day 2025 (working-day counts); and days spread over the 7 years
    before and 2 after."""
    return st.sampled_from(_date_items(around))


def as_of_dates(reference: date = REFERENCE_DATE) -> SearchStrategy[date]:
    """Evaluation dates: ``reference`` ±3 days, 2025-10-01..08 (National Day, with its make-up
    working days around it), leap-day anniversaries (2025-02-28/03-01, 2027-02-28/03-01,
    2028-02-29) and dates in 2027, a year the bundled working-day calendar may not cover."""
    return st.one_of(
        st.builds(lambda k: reference + timedelta(days=k), st.integers(-3, 3)),
        st.sampled_from([date(2025, 10, d) for d in range(1, 9)]),
        st.sampled_from([date(2025, 2, 28), date(2025, 3, 1), date(2027, 2, 28), date(2027, 3, 1),
                         date(2028, 2, 29), date(2028, 3, 1)]),
        st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    )


_BENIGN_BOOLS: dict[str, bool] = {
    # the value under which the fact gives no ground for refusal or sanction
    **{f"institution.{n}": True for n in (
        "principal_in_charge_of_insurance", "has_insurance_staff", "has_insurance_department",
        "has_full_time_insurance_staff", "has_required_systems", "has_it_connection",
        "meets_other_statutory_conditions", "basic_services_follow_price_policy", "physical_institution_designated")},
    **{f"institution.{n}": False for n in (
        "main_scope_non_basic", "has_unfulfilled_admin_penalty", "other_statutory_non_acceptance_ground")},
    "institution.people[].is_on_dishonesty_list": False,
    "application.is_internet_supplementary": False,
    "history.rescissions[].admin_penalty_fulfilled": True,
    "history.rescissions[].breach_liability_fulfilled": True,
    "agreement.renewal_agreed": True,
    "agreement.is_home_region": True,
    "agreement.suspensions[].rectified_as_required": True,
    "request.agency_agreed": False,
    **{f"conduct.{n}": False for n, f in Conduct.model_fields.items() if _field_kind(f.annotation)[0] == "bool"},
}

_EVENT_LISTS = frozenset({
    # lists of adverse events: empty unless the case is drawn adverse there
    "history.fraudulent_application_found_on", "history.rescissions", "history.evaluations",
    "institution.people[].serious_violation_rescissions", "agreement.suspensions", "conduct.breach_items",
    "conduct.drug_sales", "conduct.itemised_amounts",
})

_COMMON_TYPES = (InstitutionType.general_hospital, InstitutionType.tcm_hospital, InstitutionType.specialty_hospital,
                 InstitutionType.community_health_center, InstitutionType.township_health_center,
                 InstitutionType.outpatient_department, InstitutionType.clinic, InstitutionType.village_clinic,
                 InstitutionType.dialysis_center, InstitutionType.eldercare_medical_unit)


def _mix(benign: Iterable[Any], adverse: Iterable[Any], adversity: float) -> tuple[Any, ...]:
    """About 100 items, a share ``adversity`` of them adverse, benign ones first."""
    b, a = tuple(benign), tuple(adverse)
    nb, na = round(100 * (1 - adversity)), round(100 * adversity)
    return tuple(b[i % len(b)] for i in range(nb)) + tuple(a[i % len(a)] for i in range(na))


@lru_cache(maxsize=4096)
def _items(path: str, kind: str, detail: Any, around: date, adversity: float) -> tuple[Any, ...]:
    """The values a scalar leaf is drawn from (with repetition as weight)."""
    if path in _BENIGN_BOOLS:
        v = _BENIGN_BOOLS[path]
        return _mix((v,), (not v,), adversity)
    if path == "history.evaluations[].result":
        return _mix((EvaluationResult.passed,), (EvaluationResult.failed,), adversity)
    if path == "institution.type":
        return _mix(_COMMON_TYPES, tuple(InstitutionType), adversity)
    if path == "institution.licence":
        return _mix((Licence.practice_licence, Licence.tcm_clinic_record), tuple(Licence), adversity)
    if path == "institution.physicians_first_registered_here":
        return _mix((1, 2, 3), (0,), adversity)
    if path == "institution.beds":
        return (0, 20, 99, 100, 101, 500) * 5 + tuple(range(0, 301, 7))
    if path == "application.supplement_days":
        return (0, 1, 5, 30, 0, 1, 5, 30) + tuple(range(0, 61, 3))
    if path == "institution.operating_since":
        flip = [_shift(around, -3) + timedelta(days=k) for k in range(-2, 3)]
        settled = [_shift(around, -12 * y) for y in range(1, 6)]
        return tuple(settled * 2) + tuple(flip * 2) + _date_items(around)[::37]
    if path == "request.effective_on":
        return tuple(_shift(around, 3) + timedelta(days=k) for k in range(-2, 3)) * 20 + _date_items(around)[::3]
    if path.endswith("name"):
        return ("甲医院", "Clinic A", "张三")
    if path == "conduct.itemised_amounts[].tier":
        return (1, 2, 3, 4, 5)
    if path == "conduct.breach_items[]":
        return tuple(f"{a}.{i}" for a in range(63, 68) for i in range(1, 13))
    if kind == "bool":
        return (False, True)
    if kind == "int":
        return (0, 1, 2, 3)
    if kind == "float":
        return (0.0, 1000.0, 12345.5, 100000.0, 1000000.0)
    if kind == "date":
        return _date_items(around)
    if kind == "datetime":  # whole days near ``around`` at the start, middle and end of the day
        return tuple(datetime(d.year, d.month, d.day, h, m) for d in _date_items(around)[::5]
                     for h, m in ((0, 0), (8, 30), (23, 59)))
    if kind == "str":
        return ("a", "名称")
    if kind in ("enum", "literal"):
        return tuple(detail)
    raise TypeError(f"no values for {kind} fact {path}")


@lru_cache(maxsize=4096)
def _with_unknown(items: tuple[Any, ...], rate: float) -> SearchStrategy[Any]:
    if rate >= 1.0:
        return st.none()
    if rate <= 0.0:
        return st.sampled_from(items)
    if len(items) < 100:
        items = items * -(-100 // len(items))
    return st.sampled_from(items + (None,) * max(1, round(len(items) * rate / (1 - rate))))


@lru_cache(maxsize=512)
def _materials(adversity: float) -> SearchStrategy[list[Material]]:
    national = tuple(_NATIONAL_MATERIALS)
    benign = (national, tuple(Material))
    adverse = ((),) + tuple(tuple(x for x in national if x != m) for m in national) + (
        tuple(m for m in Material if m not in national), national[:3], national + (Material.staff_roster,))
    return st.sampled_from(_mix(benign, adverse, adversity)).map(list)
