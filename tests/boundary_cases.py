"""Hand-built cases on both sides of the national text's boundaries, for the ``@example``s of the
property tests (tests/test_properties.py, tests/test_jurisdictions.py).

Each case is complete for its question (every fact a national rule of that question reads is
known) and benign except for the one fact at the boundary, so the boundary alone decides. Dates
are worked out by hand from the text and 民法典 arts. 201-202 (a period starts the day after the
event; a bar of N years still applies on the anniversary and lifts the next day); the expected
answers are in the comments and in ``tests/oracles.py``, never read from a pack.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dingdian_rules.facts.models import Case, Conduct

AS_OF = date(2025, 6, 1)  # a Sunday; every boundary below is placed on or around it

NATIONAL_MATERIALS = ["application_form", "licence_copy", "management_and_finance_rules", "it_system_materials",
                      "fund_use_forecast", "provincial_other_materials"]  # art. 7 items 1-6


def application(institution: dict[str, Any] | None = None, application: dict[str, Any] | None = None,
                history: dict[str, Any] | None = None) -> Case:
    """A complete application that meets arts. 5-7 and has no art. 12 ground, with the given facts
    changed: a general hospital holding a practice licence, in operation since 2024-06-01, 50 beds
    with an insurance department and full-time staff, every art. 7 material, no history."""
    inst = {"type": "general_hospital", "licence": "practice_licence", "is_public": False,
            "operating_since": "2024-06-01", "beds": 50, "physicians_first_registered_here": 2,
            "principal_in_charge_of_insurance": True, "has_insurance_staff": True, "has_insurance_department": True,
            "has_full_time_insurance_staff": True, "has_required_systems": True, "has_it_connection": True,
            "meets_other_statutory_conditions": True, "main_scope_non_basic": False,
            "basic_services_follow_price_policy": True, "has_unfulfilled_admin_penalty": False,
            "other_statutory_non_acceptance_ground": False, "physical_institution_designated": False,
            # Jiangsu art. 6 reads these too (the national pack does not): benign, so the case is complete there
            "has_insurance_policy_rules": True, "can_upgrade_it_system": True, "can_bear_civil_liability": True,
            "people": [{"role": "legal_representative", "is_on_dishonesty_list": False,
                        "serious_violation_rescissions": []}]}
    app = {"materials": NATIONAL_MATERIALS, "is_internet_supplementary": False}
    hist: dict[str, Any] = {"fraudulent_application_found_on": [], "rescissions": [], "evaluations": []}
    inst.update(institution or {})
    app.update(application or {})
    hist.update(history or {})
    return Case.model_validate({"institution": inst, "application": app, "history": hist})


# --- art. 12 (and art. 9 para. 2): bars of N years, on the anniversary and the day after ---------
# Each event is on 2022-06-01 (or N years before 2025-06-01): on the anniversary the bar still
# applies (未满 N 年, the period ends at 24:00 of that day), on the next day it has lifted.

def _ground_case(ground: str, event: date) -> Case:
    if ground == "12(4)":
        return application(history={"fraudulent_application_found_on": [event.isoformat()]})
    if ground == "12(5)":
        return application(history={"rescissions": [{"on": event.isoformat(), "ground": "violation_of_law",
                                                     "admin_penalty_fulfilled": True,
                                                     "breach_liability_fulfilled": True}]})
    if ground == "12(6)":
        return application(history={"rescissions": [{"on": event.isoformat(), "ground": "serious_breach",
                                                     "admin_penalty_fulfilled": True,
                                                     "breach_liability_fulfilled": True}]})
    if ground == "12(7)":
        return application(institution={"people": [{"role": "legal_representative", "is_on_dishonesty_list": False,
                                                    "serious_violation_rescissions": [event.isoformat()]}]})
    if ground == "9":
        return application(history={"evaluations": [{"result": "failed", "is_reevaluation": True,
                                                     "notified_on": event.isoformat()}]})
    raise ValueError(ground)


BAR_YEARS = {"12(4)": 3, "12(5)": 3, "12(6)": 1, "12(7)": 5, "9": 1}
"""未满3年 (art. 12(4), (5)), 未满1年 (12(6)), 未满5年 (12(7)), 1年内不得再次申请 (art. 9 para. 2)."""


def bar_cases() -> list[tuple[str, bool, Case, date]]:
    """(ground, barred?, case, as_of) on the anniversary (barred) and the day after (not barred)
    of each bar, the event being N years before 2025-06-01; plus a leap day: a rescission for a
    violation on 2024-02-29 is barred through 2027-02-28 (art. 202: no 29 February in 2027, so
    the month's last day) and not on 2027-03-01."""
    out = []
    for ground, years in BAR_YEARS.items():
        event = date(AS_OF.year - years, AS_OF.month, AS_OF.day)
        out.append((ground, True, _ground_case(ground, event), AS_OF))
        out.append((ground, False, _ground_case(ground, event), date(2025, 6, 2)))
    leap = _ground_case("12(5)", date(2024, 2, 29))
    out += [("12(5)", True, leap, date(2027, 2, 28)), ("12(5)", False, leap, date(2027, 3, 1))]
    return out


# --- art. 6: 100张床位以上 and 正式运营至少3个月 ------------------------------------------------

def bed_cases() -> list[tuple[int, bool, Case, date]]:
    """(beds, conditions met?, case, as_of): 99, 100 and 101 beds without an internal insurance
    department or full-time staff. 100张床位以上 includes 100 (民法典 art. 1259), so 99 beds need no
    department (conditions met) and 100 or 101 do (not met)."""
    no_dept = {"has_insurance_department": False, "has_full_time_insurance_staff": False}
    return [(beds, beds < 100, application(institution={"beds": beds, **no_dept}), AS_OF) for beds in (99, 100, 101)]


def operation_cases() -> list[tuple[str, bool, Case, date]]:
    """(start, conditions met?, case, as_of): 正式运营至少3个月 on 2025-06-01. From 2025-03-01 the 3
    months end on 2025-06-01 (art. 201: the start day is not counted; art. 202: the corresponding
    day), so on that day they have not yet run in full (the last day is still running); from
    2025-02-28 they ended on 2025-05-28 and have run. The oracle reads 至少3个月 as 3 months fully
    run (``elapsed_period``); 2025-03-01 is therefore not yet enough, 2025-02-28 is."""
    return [(start, ok, application(institution={"operating_since": start}), AS_OF)
            for start, ok in (("2025-02-28", True), ("2025-03-01", False), ("2025-03-02", False))]


# --- the agreement: art. 43(1) 累计2次及以上被中止 ----------------------------------------------

def _benign_conduct(**facts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {n: False for n, f in Conduct.model_fields.items() if "bool" in str(f.annotation)}
    out.update(breach_items=[], drug_sales=[], loss_amount=0.0, non_compliant_costs=0.0)
    out.update(facts)
    return out


def agreement(suspensions: list[dict[str, Any]], **conduct: Any) -> Case:
    """An agreement in force (2025-01-01 .. 2025-12-31, renewal agreed, home region, no action
    elsewhere) with the given suspensions and no other ground: no request, no information change."""
    return Case.model_validate({
        "institution": {"is_public": False},
        "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31", "suspensions": suspensions,
                      "renewal_agreed": True, "home_region_action": "none", "is_home_region": True,
                      "other_region_action": "none", "other_region_in_province": False,
                      "renewal_refused_by_institution": False, "force_majeure_prevents_performance": False},
        "conduct": _benign_conduct(**conduct), "request": {},
        "information_change": {"is_major": False, "reveals_ineligibility": False}})


def imposed(month: int) -> dict[str, Any]:
    """A suspension the agency imposed in the given month of 2025, ended after 9 days, rectified."""
    return {"started_on": f"2025-{month:02d}-01", "ended_on": f"2025-{month:02d}-10",
            "requested_by_institution": False, "rectified_as_required": True,
            "resume_applied_on": f"2025-{month:02d}-09"}


def requested(month: int) -> dict[str, Any]:
    """A suspension at the institution's own request (art. 42 para. 2), ended after 9 days."""
    return {**imposed(month), "requested_by_institution": True}


def suspension_count_cases() -> list[tuple[int, bool, Case, date]]:
    """(suspensions imposed, rescind?, case, as_of): 1 imposed suspension (plus 2 the institution
    asked for, which are not 被中止) does not rescind; exactly 2, and 3, do (2次及以上 includes 2)."""
    return [(1, False, agreement([imposed(2), requested(3), requested(4)]), AS_OF),
            (2, True, agreement([imposed(2), imposed(3)]), AS_OF),
            (3, True, agreement([imposed(2), imposed(3), imposed(4)]), AS_OF)]


# --- art. 44 para. 1: 应提前3个月 -----------------------------------------------------------------

def notice_cases(public: bool = False, kind: str = "not_renew") -> list[tuple[str, bool | None, Case, date]]:
    """(filed_on, notice sufficient?, case, as_of) for a request to take effect on 2025-10-01.
    Three months back from 2025-10-01 is 2025-07-01. Filed on 2025-06-30 or earlier the notice is
    sufficient on every reading; filed on 2025-07-02 it is not. Filed on 2025-07-01 itself the
    readings differ (the pack's note: sufficient; legal-review-2026-12.md row 9: the 3 months must
    run out before the effect begins, so the last day is 2025-06-30): None, no expectation here."""
    out = []
    for filed, ok in (("2025-06-30", True), ("2025-07-01", None), ("2025-07-02", False)):
        case = Case.model_validate({"institution": {"is_public": public},
                                    "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"},
                                    "request": {"kind": kind, "filed_on": filed, "effective_on": "2025-10-01"}})
        out.append((filed, ok, case, AS_OF))
    return out


def conduct(**facts: Any) -> Case:
    """A conduct case with every conduct fact known and benign but ``facts``."""
    return Case.model_validate({"institution": {"is_public": False}, "conduct": _benign_conduct(**facts)})
