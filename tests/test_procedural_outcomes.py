"""Outcomes the texts decide (issue 9 item 7; legal review rows 3, 14-18, 20, cases C3, C14-C17).

Each test states the reading of the text and fails on the engine before these outcomes existed:
佛山 art. 13 answered not_accepted for an accepted application, 中山 art. 13 conditions_met after
the signing month lapsed, a late non-renewal was request_refused, an agreed suspension continue,
and 佛山 art. 44's referral was not a measure at all.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

import dingdian_rules as dr
from dingdian_rules import render
from dingdian_rules.evaluation.decision_schema import OUTCOMES, DecisionModel
from dingdian_rules.packs.plans import STAGES
from oracles import NAT_FALSE

ROOT = Path(__file__).resolve().parents[1]
CLINIC = yaml.safe_load((ROOT / "examples" / "application_clinic.yaml").read_text(encoding="utf-8"))["case"]
NATIONAL = dr.load_pack("national")
FOSHAN = dr.load_pack("guangdong_foshan")
ZHONGSHAN = dr.load_pack("guangdong_zhongshan")
JIANGSU = dr.load_pack("jiangsu")
QINGHAI = dr.load_pack("qinghai_agreement")


def clinic(**application) -> dict:
    case = copy.deepcopy(CLINIC)
    case["application"].update(application)
    return case


def valid_json(d) -> dict:
    produced = json.loads(render.decisions_json([d]))["decisions"][0]
    DecisionModel.model_validate_json(json.dumps(produced))
    return produced


# --- vocabulary -----------------------------------------------------------------------------------
def test_new_outcomes_are_in_the_schema_and_have_chinese_labels():
    for outcome in ("procedure_ended", "designation_waived", "late_notice", "suspended"):
        assert outcome in OUTCOMES
        assert render.OUTCOME_LABELS[outcome]
    assert render.OUTCOME_LABELS["procedure_ended"] == "终结申请程序"
    assert render.OUTCOME_LABELS["designation_waived"] == "视作放弃定点医疗机构资格"
    stages = {q: [s.outcome for s in st] for q, (st, _) in STAGES.items()}
    assert stages["application"][0] == "designation_waived"  # a lapse decides before the earlier procedure
    assert stages["agreement"] == ["terminate", "rescind", "suspend", "suspended"]
    assert stages["request"] == ["request_refused", "late_notice"]


# --- 佛山 art. 13: procedure_ended (C15) ------------------------------------------------------------
def _dishonest(case: dict) -> dict:
    case["institution"]["people"][0]["is_on_dishonesty_list"] = True
    return case


def test_c15_a_ground_found_after_acceptance_ends_the_procedure():
    d = dr.evaluate(FOSHAN, _dishonest(clinic()), "application", as_of=date(2025, 6, 1))
    assert d.outcome == "procedure_ended"
    assert {"procedure_end.ground_after_acceptance", "non_acceptance.principal_dishonest"} <= set(d.fired)
    assert valid_json(d)["outcome"] == "procedure_ended"
    assert "终结申请程序" in render.decision_text(d)


def test_c15_before_acceptance_or_under_national_it_is_not_accepted():
    before = clinic()
    del before["application"]["accepted_on"]
    assert dr.evaluate(FOSHAN, _dishonest(before), "application", as_of=date(2025, 6, 1)).outcome == "not_accepted"
    # national has no art. 13: an accepted application with a ground is still not accepted
    assert dr.evaluate(NATIONAL, _dishonest(clinic()), "application", as_of=date(2025, 6, 1)).outcome == "not_accepted"
    # acceptance dated after the evaluation day has not happened yet
    assert dr.evaluate(FOSHAN, _dishonest(clinic()), "application", as_of=date(2025, 5, 19)).outcome == "not_accepted"


def test_c15_the_converter_is_not_reported_as_fired_when_no_ground_was_found():
    d = dr.evaluate(FOSHAN, clinic(), "application", as_of=date(2025, 6, 1))
    assert d.outcome == "conditions_met"
    assert "procedure_end.ground_after_acceptance" not in d.fired
    status = {r.rule.id: r.status for r in d.rules}
    assert status["procedure_end.ground_after_acceptance"] == "not_applicable"


def test_c15_no_bar_follows_an_ended_procedure():
    """佛山 art. 13 attaches no bar (unlike art. 10(3)): the same clinic, cleared of the ground, applies again."""
    again = clinic(accepted_on="2025-06-02")
    assert dr.evaluate(FOSHAN, again, "application", as_of=date(2025, 6, 2)).outcome == "conditions_met"


# --- 中山 art. 13: designation_waived (C14) --------------------------------------------------------
def _listed(**application) -> dict:
    case = clinic(listed_on="2025-09-01", **application)
    case["application"]["materials"] = [*case["application"]["materials"], "staff_roster"]
    return case


@pytest.mark.parametrize("as_of, signed, outcome", [
    (date(2025, 10, 8), None, "conditions_met"),      # the day before the last day
    (date(2025, 10, 9), None, "conditions_met"),      # the last day, rolled from National Day 10-01
    (date(2025, 10, 10), None, "designation_waived"),  # the day after
    (date(2025, 12, 1), None, "designation_waived"),   # C14
    (date(2025, 12, 1), "2025-10-09", "conditions_met"),
    (date(2025, 12, 1), "2025-10-10", "designation_waived"),  # signed after the month: 1个月内不签订
])
def test_c14_not_signed_within_the_rolled_month_is_a_waiver(as_of, signed, outcome):
    case = _listed(**({"agreement_signed_on": signed} if signed else {}))
    d = dr.evaluate(ZHONGSHAN, case, "application", as_of=as_of)
    assert d.outcome == outcome
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.signing_after_listing")
    assert dl.due == date(2025, 10, 9)  # the rule and the deadline count the same last day


# --- late notice of non-renewal (C9, C17) -------------------------------------------------------------
@pytest.mark.parametrize("pack", [NATIONAL, FOSHAN, ZHONGSHAN, JIANGSU])
def test_a_late_non_renewal_request_is_a_late_notice_never_refused(pack):
    case = {"institution": {"is_public": False}, "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"},
            "request": {"kind": "not_renew", "filed_on": "2025-11-01", "effective_on": "2026-01-01"}}
    d = dr.evaluate(pack, case, "request", as_of=date(2025, 11, 1))
    assert (d.outcome, d.fired) == ("late_notice", ("late_notice.non_renewal",))
    case["request"]["kind"] = "suspend"  # a suspension needs the agency's consent: refused when late
    assert dr.evaluate(pack, case, "request", as_of=date(2025, 11, 1)).outcome == "request_refused"


def test_foshan_deemed_consent_ends_the_agreement_at_expiry():
    case = {"institution": {"type": "clinic", "is_public": False},
            "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31", "suspensions": [], "renewal_agreed": False,
                          "is_home_region": True, "home_region_action": "none", "other_region_action": "none"},
            "conduct": dict(NAT_FALSE),
            "request": {"kind": "not_renew", "filed_on": "2025-11-01", "effective_on": "2026-01-01"}}
    assert dr.evaluate(FOSHAN, case, "agreement", as_of=date(2025, 12, 31)).outcome == "continue"
    d = dr.evaluate(FOSHAN, case, "agreement", as_of=date(2026, 1, 1))
    assert d.outcome == "terminate" and "termination.non_renewal_agreed_at_expiry" in d.fired


# --- an agreement that stands suspended (C3) -----------------------------------------------------
def _c3(**request) -> dict:
    return {"institution": {"type": "clinic", "is_public": False},
            "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31", "suspensions": [], "is_home_region": True,
                          "home_region_action": "none", "other_region_action": "none"},
            "conduct": dict(NAT_FALSE),
            "request": {"kind": "suspend", "filed_on": "2025-03-01", "effective_on": "2025-06-01", "agency_agreed": True,
                        **request}}


@pytest.mark.parametrize("pack", [NATIONAL, FOSHAN])
def test_c3_an_agreed_suspension_in_effect_is_suspended_not_continue(pack):
    d = dr.evaluate(pack, _c3(), "agreement", as_of=date(2025, 6, 15))
    assert d.outcome == "suspended" and "suspended.institution_request_agreed" in d.fired
    assert valid_json(d)["outcome"] == "suspended"
    assert dr.evaluate(pack, _c3(agency_agreed=False), "agreement", as_of=date(2025, 6, 15)).outcome == "continue"
    assert dr.evaluate(pack, _c3(kind="rescind"), "agreement", as_of=date(2025, 6, 15)).outcome == "rescind"


def test_c3_foshan_suspends_from_the_notice_day_national_from_the_day_asked():
    notified = _c3(agency_notified_on="2025-04-10")
    assert dr.evaluate(FOSHAN, notified, "agreement", as_of=date(2025, 4, 9)).outcome == "continue"
    assert dr.evaluate(FOSHAN, notified, "agreement", as_of=date(2025, 4, 10)).outcome == "suspended"
    assert dr.evaluate(NATIONAL, notified, "agreement", as_of=date(2025, 4, 10)).outcome == "continue"
    assert dr.evaluate(NATIONAL, notified, "agreement", as_of=date(2025, 6, 1)).outcome == "suspended"


def test_a_running_suspension_is_suspended_until_its_last_day():
    case = _c3()
    del case["request"]
    case["agreement"]["suspensions"] = [{"started_on": "2025-06-01", "ended_on": "2025-07-31",
                                         "requested_by_institution": True}]
    outcomes = [dr.evaluate(NATIONAL, case, "agreement", as_of=d).outcome
                for d in (date(2025, 5, 31), date(2025, 6, 1), date(2025, 7, 31), date(2025, 8, 1))]
    assert outcomes == ["continue", "suspended", "suspended", "continue"]


# --- referral to the administration (C16, row 17, row 20) ----------------------------------------
def test_c16_referral_is_a_mandatory_measure_with_its_time_limit():
    conduct = {"breached_agreement": True, "staff_or_department_breach": False,
               "staff_or_department_policy_violation": False, "suspected_regulation_art38_violation": True,
               "handling_decided_on": "2025-06-03", "insurance_fraud_confirmed": True}
    d = dr.evaluate(FOSHAN, {"conduct": conduct}, "conduct", as_of=date(2025, 6, 20))
    assert d.outcome == "measures_required"
    assert {m.measure_id for m in d.measures if m.mandatory} == {"refer_to_administration"}
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.referral_to_administration")
    assert (dl.due, dl.status) == (date(2025, 6, 10), "lapsed")
    conduct["referred_on"] = "2025-06-10"
    dl = next(x for x in dr.evaluate(FOSHAN, {"conduct": conduct}, "conduct", as_of=date(2025, 6, 20)).deadlines
              if x.rule_id == "time_limit.referral_to_administration")
    assert dl.status == "met"


@pytest.mark.parametrize("pack, fact, rule", [
    (JIANGSU, "violation_of_law_found", "measures.referral_violation_of_law"),
    (QINGHAI, "admin_penalty_liable", "measures.referral_admin_penalty"),
])
def test_row17_referral_on_a_finding_unknown_when_absent(pack, fact, rule):
    base = yaml.safe_load((ROOT / "rulepacks" / pack.id / "tests" / "referral.yaml").read_text(encoding="utf-8"))
    case = copy.deepcopy(base["scenarios"][0]["case"])
    as_of = base["scenarios"][0]["as_of"]
    case["conduct"][fact] = True
    d = dr.evaluate(pack, case, "conduct", as_of=as_of)
    assert d.outcome == "measures_required" and rule in d.fired
    case["conduct"][fact] = False
    assert dr.evaluate(pack, case, "conduct", as_of=as_of).outcome == "no_measures"
    del case["conduct"][fact]
    d = dr.evaluate(pack, case, "conduct", as_of=as_of)
    assert d.outcome == "undetermined" and f"conduct.{fact}" in d.missing_facts


def test_row20_zhongshan_stops_services_the_day_after_a_failed_evaluation_is_served():
    case = _c3()
    del case["request"]
    case["conduct"].update(false_information_in_change_filing=False, licence_expired=False)
    case["information_change"] = {"reregistered_on": "2025-03-01", "is_major": False,
                                  "failed_evaluation_notified_on": "2025-06-16"}
    assert dr.evaluate(ZHONGSHAN, case, "agreement", as_of=date(2025, 6, 16)).outcome == "continue"
    d = dr.evaluate(ZHONGSHAN, case, "agreement", as_of=date(2025, 6, 17))
    assert d.outcome == "terminate" and "termination.reregistration_evaluation_failed" in d.fired
