"""The baseline: the national pack's application question written by hand in plain Python.

Same rules as ``rulepacks/national/rules/application.yaml`` (art. 5 type and permit, the art. 12
grounds and art. 9's bar, the art. 7 materials, the art. 6 conditions), in the same stages
(acceptance → materials → conditions), with the same period arithmetic from
``dingdian_rules.time``, and the same three deadlines of ``time_limits.yaml`` that the
evaluator computes for the application question (the art. 8 five-working-day notice, the art. 9
evaluation period plus supplement days, rolled past rest days and holidays, the art. 9
rectification period).

It assumes a *complete* case (no unknown facts): no three-valued logic, no traces, no
citations, no decision object. ``bench.run`` checks that it agrees with ``evaluate`` on a sample
of complete cases before timing either.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dingdian_rules.facts.institution import EvaluationResult, InstitutionType, Licence, Material, RescissionGround
from dingdian_rules.facts.models import Case
from dingdian_rules.time.periods import add_period, elapsed_period, roll_to_working_day, within_period
from dingdian_rules.time.workdays import DEFAULT_CALENDAR, WorkdayCalendar

ELIGIBLE_TYPES = frozenset(InstitutionType) - {InstitutionType.internet_hospital, InstitutionType.other}  # art. 5 (1)-(6)
ELIGIBLE_LICENCES = frozenset({Licence.practice_licence, Licence.tcm_clinic_record, Licence.military_civilian_service})
REQUIRED_MATERIALS = (Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                      Material.it_system_materials, Material.fund_use_forecast, Material.provincial_other_materials)


def not_accepted(case: Case, as_of: date) -> bool:
    """Art. 5 (type and permit), art. 12 items 1-9 and art. 9 para. 2."""
    inst, hist, app = case.institution, case.history, case.application
    if not ((inst.type in ELIGIBLE_TYPES
             or (inst.type == InstitutionType.internet_hospital and app.is_internet_supplementary
                 and inst.physical_institution_designated))
            and inst.licence in ELIGIBLE_LICENCES):
        return True
    if inst.main_scope_non_basic or not inst.basic_services_follow_price_policy or inst.has_unfulfilled_admin_penalty:
        return True
    for d in hist.fraudulent_application_found_on:
        if within_period(d, as_of, 3, "years"):
            return True
    for r in hist.rescissions:
        if r.ground == RescissionGround.violation_of_law and (
                within_period(r.on, as_of, 3, "years")
                or (elapsed_period(r.on, as_of, 3, "years") and not r.admin_penalty_fulfilled)):
            return True
        if r.ground == RescissionGround.serious_breach and (
                within_period(r.on, as_of, 1, "years")
                or (elapsed_period(r.on, as_of, 1, "years") and not r.breach_liability_fulfilled)):
            return True
    for p in inst.people:
        if p.is_on_dishonesty_list:
            return True
        for d in p.serious_violation_rescissions:
            if within_period(d, as_of, 5, "years"):
                return True
    if inst.other_statutory_non_acceptance_ground:
        return True
    for e in hist.evaluations:
        if e.is_reevaluation and e.result == EvaluationResult.failed and within_period(e.notified_on, as_of, 1, "years"):
            return True
    return False


def materials_complete(case: Case) -> bool:
    """Art. 7 items 1-6; item 6 (省级医疗保障行政部门…要求提供的其他材料) only where the province
    requires other materials (application.province_requires_other_materials)."""
    app = case.application
    have = app.materials
    return all(m in have for m in REQUIRED_MATERIALS
               if m != Material.provincial_other_materials or app.province_requires_other_materials)


def conditions_met(case: Case, as_of: date) -> bool:
    """Art. 6 items 1-6 (应当同时具备)."""
    inst = case.institution
    return (elapsed_period(inst.operating_since, as_of, 3, "months")
            and inst.physicians_first_registered_here >= 1
            and inst.principal_in_charge_of_insurance and inst.has_insurance_staff
            and (inst.beds < 100 or (inst.has_insurance_department and inst.has_full_time_insurance_staff))
            and inst.has_required_systems and inst.has_it_connection and inst.meets_other_statutory_conditions)


# art. 203's roll, cached as the engine caches it (a batch asks for the same days again and again)
_rolled = lru_cache(maxsize=65536)(roll_to_working_day)


def deadlines(case: Case, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> list[tuple[str, date]]:
    """The application question's deadlines: (rule id, last day)."""
    app = case.application
    out = []
    if app.materials_received_on is not None:  # art. 8: 5 working days
        out.append(("time_limit.materials_notice",
                    add_period(app.materials_received_on, 5, "working_days", calendar).value))
    if app.accepted_on is not None:  # art. 9 para. 1: 3 months, supplement days not counted, rolled (art. 203)
        due = add_period(app.accepted_on, 3, "months").value + timedelta(days=app.supplement_days or 0)
        out.append(("time_limit.evaluation_period", _rolled(due, calendar).value))
    if app.failed_evaluation_notified_on is not None:  # art. 9 para. 2: 3 months of rectification
        out.append(("time_limit.reevaluation_after_rectification",
                    add_period(app.failed_evaluation_notified_on, 3, "months").value))
    return out


def application(case: Case, as_of: date, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> tuple[str, list]:
    """(outcome, deadlines) of a complete application case, as the national pack decides it."""
    if not_accepted(case, as_of):
        outcome = "not_accepted"
    elif not materials_complete(case):
        outcome = "materials_incomplete"
    elif not conditions_met(case, as_of):
        outcome = "conditions_not_met"
    else:
        outcome = "conditions_met"
    return outcome, deadlines(case, calendar)
