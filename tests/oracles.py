"""Independent readings of the national text, written from the law for tests to compare the
packs against (never derived from the packs or the engine)."""

from __future__ import annotations

from datetime import date

from dingdian_rules.facts import Case, EvaluationResult, RescissionGround
from dingdian_rules.timecalc import elapsed_period, within_period


def art12_grounds(case: Case, as_of: date, *, with_art9_bar: bool = True) -> list[str]:
    """The art. 12 grounds (and art. 9's 1-year bar) that the known facts establish, read from
    the text with 未满 n 年 counted per 民法典 arts. 201-202 (``within_period``)."""
    inst, hist = case.institution, case.history
    out = []
    if inst is not None:
        if inst.main_scope_non_basic is True:
            out.append("12(1)")
        if inst.basic_services_follow_price_policy is False:
            out.append("12(2)")
        if inst.has_unfulfilled_admin_penalty is True:
            out.append("12(3)")
        for p in inst.people or ():
            if any(within_period(d, as_of, 5, "years") for d in p.serious_violation_rescissions or ()):
                out.append("12(7)")
            if p.is_on_dishonesty_list is True:
                out.append("12(8)")
        if inst.other_statutory_non_acceptance_ground is True:
            out.append("12(9)")
    if hist is not None:
        if any(within_period(d, as_of, 3, "years") for d in hist.fraudulent_application_found_on or ()):
            out.append("12(4)")
        for r in hist.rescissions or ():
            if r.on is None:
                continue
            if r.ground == RescissionGround.violation_of_law and (
                    within_period(r.on, as_of, 3, "years")
                    or (elapsed_period(r.on, as_of, 3, "years") and r.admin_penalty_fulfilled is False)):
                out.append("12(5)")
            if r.ground == RescissionGround.serious_breach and (
                    within_period(r.on, as_of, 1, "years")
                    or (elapsed_period(r.on, as_of, 1, "years") and r.breach_liability_fulfilled is False)):
                out.append("12(6)")
        for e in (hist.evaluations or ()) if with_art9_bar else ():
            if (e.is_reevaluation is True and e.result == EvaluationResult.failed and e.notified_on is not None
                    and within_period(e.notified_on, as_of, 1, "years")):
                out.append("9")
    return out
