"""Independent readings of the national text, written from the law for tests to compare the
packs against (never derived from the packs or the engine): the art. 9/12 grounds, art. 43(1),
art. 44's notice, the grounds of arts. 41-44 with the outcome each requires, and how the
outcomes of a question rank (docs/questions.md). Periods are counted with ``timecalc``'s
Civil Code functions, which tests/test_timecalc.py checks against dates worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from dingdian_rules.evaluation.decision import Decision
from dingdian_rules.facts.institution import EvaluationResult, RescissionGround
from dingdian_rules.facts.models import Case
from dingdian_rules.time.periods import add_period, elapsed_period, roll_to_working_day, within_period


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


def art43_1(case: Case) -> bool | None:
    """Art. 43(1), first two limbs, read from the text in Kleene logic (None: the known facts do
    not settle it): 医保协议有效期内累计2次及以上被中止医保协议 (2次及以上 includes 2, 民法典 art. 1259;
    被中止 is a suspension the agency imposed, not one the institution asked for under art. 42
    para. 2) or 中止医保协议期间未按要求整改 (an imposed suspension not rectified as required).
    ``agreement.suspensions`` holds the current term's suspensions."""
    agr = case.agreement
    if agr is None or agr.suspensions is None:
        return None
    sus = agr.suspensions
    imposed = sum(1 for s in sus if s.requested_by_institution is False)
    maybe_imposed = sum(1 for s in sus if s.requested_by_institution is not True)
    twice = True if imposed >= 2 else False if maybe_imposed < 2 else None
    if any(s.requested_by_institution is False and s.rectified_as_required is False for s in sus):
        unrectified: bool | None = True
    elif all(s.requested_by_institution is True or s.rectified_as_required is True for s in sus):
        unrectified = False
    else:
        unrectified = None
    if twice is True or unrectified is True:
        return True
    if twice is False and unrectified is False:
        return False
    return None


def art44_notice(filed_on: date, effective_on: date) -> bool | None:
    """Art. 44 para. 1 (应提前3个月向经办机构提出申请): whether a request filed on ``filed_on`` to take
    effect on ``effective_on`` gives 3 months' notice, on every reading of 提前3个月 in use: True
    when filed on or before the day before ``effective_on`` counted back 3 months (the last day of
    the old state counted back, legal-review-2026-12.md row 9: 2025-06-30 for 2025-10-01), False
    when filed after the day ``effective_on`` itself counted back 3 months (2025-07-01, the pack's
    reading), None on the days in between, where the readings differ."""
    latest_on_every_reading = effective_on - timedelta(days=1) - relativedelta(months=3)
    latest_on_some_reading = effective_on - relativedelta(months=3)
    if filed_on <= latest_on_every_reading:
        return True
    if filed_on > latest_on_some_reading:
        return False
    return None


ART42_2_ITEMS = {1: "major_fund_risk", 2: "data_not_provided_or_false", 3: "agreement_requires_suspension",
                 4: "law_requires_suspension"}
"""Art. 42 para. 2 items (1)-(4), each read as one conduct fact: 经办机构应中止医保协议."""
ART43_ITEMS = {2: "obtained_designation_by_fraud", 3: "insurance_fraud_confirmed", 4: "settled_for_non_designated",
               5: "obstructed_supervision_seriously", 6: "major_change_not_registered", 7: "closure_not_reported",
               8: "major_violation_major_loss", 9: "licence_revoked_or_cancelled", 10: "principal_unable_or_dishonest",
               11: "admin_penalty_decision_unfulfilled", 13: "agreement_requires_rescission",
               14: "law_requires_rescission"}
"""Art. 43 items read as one conduct fact each (经办机构应解除医保协议); item 1 is ``art43_1``, item 12
(主动提出解除且经办机构同意) reads the request."""

NAT_FALSE: dict[str, bool] = dict.fromkeys([*ART42_2_ITEMS.values(), *ART43_ITEMS.values()], False)
"""Every national art. 42 para. 2 and art. 43 finding stated false: a case with no ground to suspend
or rescind (the base of rulepacks/national/tests/agreement.yaml and the review's NAT_FALSE)."""


def agreement_grounds(case: Case, as_of: date) -> dict[str, str]:
    """The grounds of arts. 41-44 that the known facts alone establish, each with the outcome the
    text gives it: ``41`` (续签未达成一致的，医保协议到期后自动终止: renewal not agreed and the term
    over) terminates; ``43(n)`` (应解除) rescinds; ``42(n)`` (应中止) and ``44.2 suspend`` (所在地
    中止，其他统筹区协议也同时中止) suspend; ``44.2 rescind`` rescinds. Item 43(6)'s reading with
    art. 40 (30 working days without an application) is left out: a ground left out only makes the
    oracle establish less."""
    out: dict[str, str] = {}
    agr, con, req = case.agreement, case.conduct, case.request
    if agr is not None:
        if agr.renewal_agreed is False and agr.term_end is not None and as_of > agr.term_end:
            out["41"] = "terminate"
        if agr.is_home_region is False and agr.home_region_action is not None:
            action = str(agr.home_region_action)
            if action == "suspended":
                out["44.2 suspend"] = "suspend"
            elif action == "rescinded":
                out["44.2 rescind"] = "rescind"
    if art43_1(case) is True:
        out["43(1)"] = "rescind"
    if con is not None:
        for item, fact in ART43_ITEMS.items():
            if getattr(con, fact) is True:
                out[f"43({item})"] = "rescind"
        for item, fact in ART42_2_ITEMS.items():
            if getattr(con, fact) is True:
                out[f"42({item})"] = "suspend"
    if req is not None and req.kind is not None and str(req.kind) == "rescind" and req.agency_agreed is True:
        out["43(12)"] = "rescind"
    return out


# --- how outcomes rank (docs/questions.md) ------------------------------------------------------
# Not a reading of one article but of how the measures' stages combine: 不予受理 comes before
# materials and conditions (arts. 7, 12); an agreement that ends (arts. 41-42) is not also
# rescinded, a rescission (art. 43) outranks a suspension (art. 42); a mandatory measure outranks
# an optional one. An unknown fact that could decide something more severe leaves the answer open.

SEVERITY = {
    # procedure_ended is a not_accepted or conditions_not_met ground found after acceptance (佛山 art. 13):
    # it ends the procedure, so it ranks with the most severe; designation_waived is decided first
    "application": ("conditions_met", "conditions_not_met", "materials_incomplete", "not_accepted", "procedure_ended",
                    "designation_waived"),
    "agreement": ("continue", "suspended", "suspend", "rescind", "terminate"),
    "request": ("request_allowed", "late_notice", "request_refused"),
    "conduct": ("no_measures", "measures_available", "measures_required"),
}
KIND_OUTCOME = {"institution_type": "not_accepted", "non_acceptance": "not_accepted",
                "materials": "materials_incomplete", "eligibility": "conditions_not_met", "termination": "terminate",
                "rescission": "rescind", "suspension": "suspend", "request_limit": "request_refused",
                "late_notice": "late_notice", "waiver": "designation_waived", "suspended": "suspended",
                "procedure_end": "procedure_ended"}
# Packs whose text ends an accepted application on a ground found after acceptance (佛医保〔2021〕93号
# art. 13: 受理医保定点申请后发现…应当终结申请程序), read from the text, not from the packs.
ENDS_PROCEDURE_AFTER_ACCEPTANCE = frozenset({"guangdong_foshan"})


# 中山 art. 13: 自纳入拟签订医保协议医疗机构名单之日起1个月内不签订医保协议的，视作放弃定点医疗机构资格.
WAIVES_UNSIGNED_AFTER_LISTING = frozenset({"guangdong_zhongshan"})


def designation_waived(pack_id: str, case: Case, as_of: date) -> bool:
    """中山 art. 13 read from the text: listed, and no signing by the last day of the month (the day
    after listing not counted, 民法典 arts. 201-202, moved past rest days and holidays, art. 203),
    which has passed by ``as_of``. An absent signing date is "not signed"."""
    app = case.application
    if pack_id not in WAIVES_UNSIGNED_AFTER_LISTING or app is None or app.listed_on is None:
        return False
    last = roll_to_working_day(add_period(app.listed_on, 1, "months").value).value
    signed = app.agreement_signed_on
    return as_of > last and (signed is None or signed > last or signed > as_of)


def ground_outcome(pack_id: str, case: Case, as_of: date, ground_outcome: str) -> str:
    """The outcome a not_accepted / conditions_not_met ground gives in ``pack_id``: designation_waived
    where the signing period lapsed (decided first), procedure_ended once the application was
    accepted (on or before ``as_of``) where the text says so."""
    if designation_waived(pack_id, case, as_of):
        return "designation_waived"
    app = case.application
    if (pack_id in ENDS_PROCEDURE_AFTER_ACCEPTANCE and app is not None and app.accepted_on is not None
            and app.accepted_on <= as_of):
        return "procedure_ended"
    return ground_outcome


def required_outcome(kind: str, modality: str) -> str:
    """The outcome a firing rule of this kind and modality asks for."""
    if kind == "measures":
        return "measures_available" if modality == "may" else "measures_required"
    return KIND_OUTCOME[kind]


def severity_problem(decision: Decision, required: str) -> str | None:
    """None when ``decision`` answers at least ``required`` (its outcome is as severe or more), or
    is ``undetermined`` because a binding rule that would decide something more severe is
    unknown; otherwise what is wrong. A ``may`` rule binds only in the conduct question."""
    order = SEVERITY[decision.question]
    if decision.outcome in order:
        if order.index(decision.outcome) >= order.index(required):
            return None
        return f"{decision.outcome} is milder than {required} (fired: {', '.join(decision.fired) or 'none'})"
    if decision.outcome == "undetermined":
        blockers = [r.id for r in decision.rules if r.status == "unknown"
                    and (r.rule.modality != "may" or decision.question == "conduct")
                    and order.index(required_outcome(r.rule.kind, r.rule.modality)) > order.index(required)]
        if blockers:
            return None
        return (f"undetermined although no unknown rule could decide more than {required} "
                f"(unknown: {', '.join(decision.unknown) or 'none'})")
    return f"unexpected outcome {decision.outcome}"
