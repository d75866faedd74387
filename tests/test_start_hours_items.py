"""Issue 9 items 2 and 3: whether a period's start day counts (民法典 art. 201 / art. 204), periods in
hours from a date-time (art. 201 para. 2; Qinghai art. 54), and deadlines per item of a list (each
suspension, each past rescission and failed re-evaluation; review row 32, §2.6, §2.8, case C18).
Expected days are counted from the texts by hand, not copied from output."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

import dingdian_rules as dr
from dingdian_rules.facts.cases import CaseError, parse_case
from dingdian_rules.evaluation.decision_schema import DecisionModel
from dingdian_rules.errors import PackError as PackLoadError
from dingdian_rules.render import decision_markdown, decision_text
from oracles import NAT_FALSE

NATIONAL = dr.load_pack("national")
FOSHAN = dr.load_pack("guangdong_foshan")
QINGHAI = dr.load_pack("qinghai_agreement")


def c18(started_on: str = "2025-03-01", **extra) -> dict:
    """C18: an agency suspension (index 0, no 180-day limit) and a requested one (index 1)."""
    return {"institution": {"type": "clinic", "is_public": False},
            "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31", "is_home_region": True,
                          "home_region_action": "none",
                          "suspensions": [{"started_on": "2025-01-10", "ended_on": "2025-02-01",
                                           "requested_by_institution": False, "rectified_as_required": True},
                                          {"started_on": started_on, "requested_by_institution": True, **extra}]},
            "conduct": NAT_FALSE}


def per_item(d: dr.Decision, rule_id: str) -> list:
    return [x for x in d.deadlines if x.rule_id == rule_id]


# --- item 3: a deadline per suspension (C18) ---------------------------------------------------------
@pytest.mark.parametrize("as_of, status, outcome", [
    # a requested suspension still running: the agreement stands suspended (art. 42 para. 2), not terminated
    (date(2025, 8, 27), "pending", "suspended"),
    (date(2025, 8, 28), "last_day_today", "suspended"),   # notified 03-01, not counted: day 180 is 08-28
    (date(2025, 8, 29), "lapsed", "terminate"),          # 超过180日 from the day after
])
def test_c18_each_suspension_shows_its_resume_deadline(as_of, status, outcome):
    d = dr.evaluate(NATIONAL, c18(), "deadlines", as_of=as_of)
    [x] = per_item(d, "time_limit.suspension_resume_application")  # the agency's suspension has none
    assert (x.due, x.status, x.key) == (date(2025, 8, 28), status, "time_limit.suspension_resume_application[1]")
    assert x.item == ("agreement.suspensions", 1, "started_on", date(2025, 3, 1))
    assert dr.evaluate(NATIONAL, c18(), "agreement", as_of=as_of).outcome == outcome


def test_c18_a_resume_application_on_the_last_day_meets_it():
    d = dr.evaluate(NATIONAL, c18(resume_applied_on="2025-08-28"), "agreement", as_of=date(2025, 9, 1))
    [x] = per_item(d, "time_limit.suspension_resume_application")
    assert (x.status, x.done_on) == ("met", date(2025, 8, 28))
    assert d.outcome == "suspended"  # applied in time: not terminated, still suspended until resumed


def test_the_per_suspension_deadline_rolls_past_national_day():
    d = dr.evaluate(NATIONAL, c18("2025-04-04"), "deadlines", as_of=date(2025, 10, 9))
    [x] = per_item(d, "time_limit.suspension_resume_application")
    assert (x.due, x.rolled_from, x.status) == (date(2025, 10, 9), date(2025, 10, 1), "last_day_today")


def test_two_requested_suspensions_give_two_deadlines():
    case = c18()
    case["agreement"]["suspensions"].append({"started_on": "2025-06-30", "requested_by_institution": True})
    d = dr.evaluate(NATIONAL, case, "deadlines", as_of=date(2025, 7, 1))
    got = {x.key: x.due for x in per_item(d, "time_limit.suspension_resume_application")}
    # 2025-06-30 + 180 days = 2025-12-27, a Saturday -> Monday 2025-12-29 (art. 203)
    assert got == {"time_limit.suspension_resume_application[1]": date(2025, 8, 28),
                   "time_limit.suspension_resume_application[2]": date(2025, 12, 29)}


def test_an_unknown_filter_lists_the_item_with_what_would_settle_it():
    case = c18()
    del case["agreement"]["suspensions"][1]["requested_by_institution"]
    d = dr.evaluate(NATIONAL, case, "deadlines", as_of=date(2025, 7, 1))
    [x] = per_item(d, "time_limit.suspension_resume_application")
    assert x.due == date(2025, 8, 28) and "agreement.suspensions[].requested_by_institution" in x.missing


def test_per_item_deadline_in_json_text_and_markdown():
    d = dr.evaluate(NATIONAL, c18(), "deadlines", as_of=date(2025, 8, 28))
    data = d.to_dict()
    [x] = [x for x in data["deadlines"] if x["rule_id"] == "time_limit.suspension_resume_application"]
    assert x["item"] == {"list": "agreement.suspensions", "index": 1, "key": "started_on", "value": "2025-03-01"}
    assert x["start_counted"] is False and x["due_at"] is None
    DecisionModel.model_validate_json(json.dumps(data))
    assert "agreement.suspensions[1]（started_on 2025-03-01）" in decision_text(d)
    assert "time_limit.suspension_resume_application[1]" in decision_markdown(d)


@pytest.mark.parametrize("as_of, status", [(date(2025, 5, 10), "last_day_today"), (date(2025, 5, 11), "lapsed")])
def test_the_bar_end_of_each_past_rescission(as_of, status):
    history = {"rescissions": [{"on": "2022-05-10", "ground": "violation_of_law", "admin_penalty_fulfilled": True},
                               {"on": "2024-02-29", "ground": "serious_breach", "breach_liability_fulfilled": True},
                               {"on": "2023-01-05", "ground": "other"}]}
    d = dr.evaluate(NATIONAL, {"history": history}, "deadlines", as_of=as_of)
    [v] = per_item(d, "time_limit.violation_rescission_bar_end")
    [b] = per_item(d, "time_limit.breach_rescission_bar_end")
    assert (v.due, v.status, v.item[1]) == (date(2025, 5, 10), status, 0)   # 未满3年: anniversary still barred
    assert (b.due, b.item[1], b.rolled_from) == (date(2025, 2, 28), 1, None)  # art. 202, not rolled (a bar)


def test_the_bar_end_of_each_failed_reevaluation_foshan_counts_from_the_procedure_end():
    history = {"evaluations": [{"result": "failed", "is_reevaluation": True, "notified_on": "2024-06-03",
                                "procedure_terminated_on": "2024-06-10"},
                               {"result": "failed", "is_reevaluation": False, "notified_on": "2024-01-03"}]}
    [n] = per_item(dr.evaluate(NATIONAL, {"history": history}, "deadlines", as_of=date(2025, 1, 1)),
                   "time_limit.failed_reevaluation_bar_end")
    [f] = per_item(dr.evaluate(FOSHAN, {"history": history}, "deadlines", as_of=date(2025, 1, 1)),
                   "time_limit.failed_reevaluation_bar_end")
    assert (n.due, n.item[2]) == (date(2025, 6, 3), "notified_on")
    assert (f.due, f.item[2]) == (date(2025, 6, 10), "procedure_terminated_on")


def test_a_question_without_per_item_limits_pays_nothing_for_them():
    plan = NATIONAL.plans["request"]
    plan.deadline_specs
    assert plan._specs[1] == ()


# --- item 2: the start day ------------------------------------------------------------------------
def kid_pack(tmp_path, deadline: str, param: str = "", extra_rules: str = ""):
    folder = tmp_path / "kid"
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text("id: kid\nname: {zh: 子, en: kid}\nlevel: city\nextends: national\n",
                                      encoding="utf-8")
    (folder / "rules" / "x.yaml").write_text(param + """\
rules:
  - id: time_limit.kid
    kind: time_limit
    title: {zh: 测试, en: test}
    citation: {document: nhsa_order_2, article: 42, paragraph: 2, quote: 中止时间原则上不得超过180日}
    modality: shall_not
    in_principle: true
    questions: [deadlines]
    deadline:
""" + deadline + extra_rules, encoding="utf-8")
    return dr.load_pack(folder)


@pytest.mark.parametrize("counts, due", [(False, date(2025, 8, 28)), (True, date(2025, 8, 27))])
def test_start_day_counts(tmp_path, counts, due):
    pack = kid_pack(tmp_path, f"""\
      start: request.effective_on
      start_event: {{zh: 起始日, en: first day}}
      length: $requested_suspension_max_days
      roll_to_working_day: false
      start_day_counts: {'true' if counts else 'false'}
""")
    d = dr.evaluate(pack, {"request": {"effective_on": "2025-03-01"}}, "deadlines", as_of=date(2025, 3, 1))
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.kid"]
    assert (x.due, x.start_counted) == (due, counts)
    assert ("起算日计入" in decision_text(d)) is counts


def test_a_per_item_limit_must_be_named_with_its_item(tmp_path):
    with pytest.raises(PackLoadError) as err:
        kid_pack(tmp_path, """\
      each: {item: s, list: agreement.suspensions, key: started_on}
      start: s.started_on
      start_event: {zh: 起始日, en: first day}
      length: $requested_suspension_max_days
      roll_to_working_day: false
""", extra_rules="""\
  - id: termination.kid
    kind: termination
    title: {zh: 测试, en: test}
    citation: {document: nhsa_order_2, article: 42, paragraph: 2, quote: 中止时间原则上不得超过180日}
    modality: effect
    when: today > due(time_limit.kid)
    outcome: terminate
""")
    assert "per-item-limit" in {d.code for d in err.value.diagnostics}


# --- item 2: periods in hours from a date-time ----------------------------------------------------
@pytest.mark.parametrize("as_of, uploaded, status", [
    (date(2025, 6, 1), None, "pending"),
    (date(2025, 6, 2), None, "last_day_today"),
    (date(2025, 6, 3), None, "lapsed"),
    (date(2025, 6, 2), "2025-06-02T08:30", "met"),      # at the 24th hour: in time
    (date(2025, 6, 2), "2025-06-02 08:31", "lapsed"),   # a minute late
    (date(2025, 6, 1), "2025-06-01T23:00", "met"),
])
def test_qinghai_art54_24_hours_from_the_time_the_fault_was_cleared(as_of, uploaded, status):
    conduct = {"breach_items": [], "upload_fault_cleared_at": "2025-06-01T08:30"}
    if uploaded:
        conduct["delayed_data_uploaded_at"] = uploaded
    d = dr.evaluate(QINGHAI, {"conduct": conduct}, "deadlines", as_of=as_of)
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.failure_upload"]
    # art. 201 para. 2: from the stated time, not from the next day (which would end 06-02 24:00 or later)
    assert (x.due_at, x.due, x.unit, x.status) == (datetime(2025, 6, 2, 8, 30), date(2025, 6, 2), "hours", status)
    data = d.to_dict()
    DecisionModel.model_validate_json(json.dumps(data))
    [j] = [j for j in data["deadlines"] if j["rule_id"] == "time_limit.failure_upload"]
    assert (j["start_at"], j["due_at"]) == ("2025-06-01T08:30:00", "2025-06-02T08:30:00")


@pytest.mark.parametrize("bad", ["2025-06-01", "2025-06-01T08:30Z", "2025-06-01T08:30+08:00", "2025-06-01T24:00",
                                 "2025-06-01T08:30:00.5", "2025/06/01 08:30", 20250601, True])
def test_a_bad_date_time_is_a_located_error(bad):
    with pytest.raises(CaseError) as err:
        parse_case({"conduct": {"upload_fault_cleared_at": bad}})
    [diag] = err.value.diagnostics
    assert (diag.code, diag.path) == ("bad-date", "conduct.upload_fault_cleared_at")
    assert "YYYY-MM-DDTHH:MM" in diag.hint


def test_qinghai_art54_is_decided_in_coverage():
    # before: parameter_only ($failure_upload_hours alone cited art. 54; review row 28, §2.11)
    from dingdian_rules.analysis.coverage import coverage_report
    [doc] = [d for d in coverage_report(QINGHAI).documents if d.document == "qinghai_agreement_2025"]
    assert doc.status(54) == "decided"


def test_an_hour_limit_refuses_day_settings(tmp_path):
    with pytest.raises(PackLoadError) as err:
        kid_pack(tmp_path, """\
      start: conduct.upload_fault_cleared_at
      start_event: {zh: 起始, en: start}
      length: $kid_hours
      roll_to_working_day: true
""", param="""\
parameters:
  - id: kid_hours
    title: {zh: 小时, en: hours}
    value: 24
    unit: hours
    citation: {document: nhsa_order_2, article: 42, paragraph: 2, quote: 中止时间原则上不得超过180日}
    derivation: a test value
""")
    assert "hour-period" in {d.code for d in err.value.diagnostics}
