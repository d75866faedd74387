"""Deadline status (issue 9 item 4): every computed deadline says, relative to ``as_of``, whether it
is pending, on its last day, lapsed or met (with the limit's ``done_on`` fact), in every output,
and conditions read the same status with ``status(time_limit.x)`` (docs/time.md, docs/decision.md).
"""

from __future__ import annotations

import json
import sys
from datetime import date

import pytest

import dingdian_rules as dr
from dingdian_rules.packs import limits as dl_module
from dingdian_rules.packs.limits import deadline_status
from dingdian_rules.evaluation.decision import SCHEMA_VERSION
from dingdian_rules.evaluation.decision_schema import DecisionModel, decision_json_schema
from dingdian_rules.render import decision_markdown, decision_text

NATIONAL = dr.load_pack("national")
QINGHAI = dr.load_pack("qinghai_agreement")
DUE = date(2025, 10, 9)


@pytest.mark.parametrize("today, done, status", [
    (date(2025, 10, 8), None, "pending"),
    (DUE, None, "last_day_today"),
    (date(2025, 10, 10), None, "lapsed"),
    (date(2025, 10, 10), date(2025, 10, 9), "met"),        # done on the last day
    (date(2025, 10, 5), date(2025, 10, 1), "met"),         # done early, before the last day comes
    (date(2025, 10, 12), date(2025, 10, 10), "lapsed"),    # done late
    (date(2025, 10, 8), date(2025, 10, 9), "pending"),     # dated after as_of: not done yet on as_of
    (date(2025, 10, 10), date(2025, 10, 11), "lapsed"),
])
def test_status_from_the_last_day_and_the_day_done(today, done, status):
    assert deadline_status(DUE, done, today) == status


def test_no_last_day_no_status():
    assert deadline_status(None, None, DUE) is None


def repayment(as_of: date, repaid: str | None = None) -> dr.Decision:
    conduct = {"repayment_notified_on": "2025-09-16"}
    if repaid:
        conduct["repaid_on"] = repaid
    return dr.evaluate(QINGHAI, {"conduct": conduct}, "deadlines", as_of=as_of)


def test_the_status_of_each_deadline_with_its_done_on_fact():
    d = repayment(date(2025, 10, 10), "2025-10-09")
    dl = d.deadlines[0]
    assert (dl.rule_id, dl.due, dl.done_on, dl.status) == ("time_limit.repayment", DUE, date(2025, 10, 9), "met")
    assert repayment(date(2025, 10, 10)).deadlines[0].status == "lapsed"
    assert repayment(date(2025, 10, 9)).deadlines[0].status == "last_day_today"


def test_status_in_json_matches_the_schema():
    d = repayment(date(2025, 10, 10), "2025-10-09")
    data = d.to_dict()
    assert data["schema_version"] == SCHEMA_VERSION == 6
    dl = data["deadlines"][0]
    assert (dl["status"], dl["done_on"], dl["due"], dl["rolled_from"]) == ("met", "2025-10-09", "2025-10-09", "2025-10-01")
    DecisionModel.model_validate_json(json.dumps(data))
    props = decision_json_schema()["$defs"]["DeadlineModel"]["properties"]
    assert {"status", "done_on"} <= set(props)
    # an unknown last day has no status
    unknown = dr.evaluate(NATIONAL, {"application": {"accepted_on": "2025-09-30"}}, "deadlines", as_of=DUE).to_dict()
    evaluation = next(x for x in unknown["deadlines"] if x["rule_id"] == "time_limit.evaluation_period")
    assert evaluation["due"] is None and evaluation["status"] is None
    DecisionModel.model_validate_json(json.dumps(unknown))


def test_status_in_text_and_markdown():
    met = repayment(date(2025, 10, 10), "2025-10-09")
    assert "状态：已按期完成（2025-10-09 完成）" in decision_text(met)
    assert "| 已按期完成（2025-10-09 完成） |" in decision_markdown(met)
    late = repayment(date(2025, 10, 12), "2025-10-10")
    assert "状态：已届满未完成（2025-10-10 完成，逾期）" in decision_text(late)
    assert "状态：未届满" in decision_text(repayment(date(2025, 10, 5)))
    assert "状态：今日为最后一日" in decision_text(repayment(DUE))


def test_request_notice_is_met_by_its_filing_day():
    case = {"institution": {"is_public": False},
            "request": {"kind": "not_renew", "filed_on": "2025-09-30", "effective_on": "2026-01-01"}}
    d = dr.evaluate(NATIONAL, case, "request", as_of=date(2025, 10, 1))
    notice = next(x for x in d.deadlines if x.rule_id == "time_limit.request_notice")
    assert (notice.due, notice.done_on, notice.status) == (date(2025, 9, 30), date(2025, 9, 30), "met")


# --- status() in conditions ------------------------------------------------------------------------
def conduct(as_of: date, **facts) -> dr.Decision:
    base = {"breach_items": [], "self_found_and_corrected": False, "staff_points_threshold_reached": False,
            "admin_penalty_liable": False,  # 青海 art. 70: the referral finding, unknown when absent
            "major_fund_risk_inspection": False}  # 青海 art. 61 para. 2: no inspection under way (absent = unknown)
    return dr.evaluate(QINGHAI, {"conduct": {**base, **facts}}, "conduct", as_of=as_of)


def test_status_in_a_condition_is_the_deadlines_status():
    for as_of, repaid in ((date(2025, 10, 5), None), (DUE, None), (date(2025, 10, 10), None),
                          (date(2025, 10, 10), "2025-10-09"), (date(2025, 10, 12), "2025-10-10")):
        facts = {"repayment_notified_on": "2025-09-16", **({"repaid_on": repaid} if repaid else {})}
        d = conduct(as_of, **facts)
        shown = d.deadlines[0].status
        assert ("measures.repayment_deduction" in d.fired) == (shown == "lapsed"), (as_of, repaid)


def test_a_limit_that_does_not_apply_is_not_applicable_not_unknown():
    d = conduct(date(2025, 10, 10))          # no notice: no deadline, nothing overdue, nothing unknown
    assert d.deadlines == () and d.outcome == "no_measures"
    r = next(r for r in d.rules if r.id == "measures.repayment_deduction")
    assert r.status == "not_fired"
    values = []

    def walk(node):
        values.append((node.text, node.value))
        for k in node.children:
            walk(k)
    walk(r.trace)
    assert ("status(time_limit.repayment)", "not_applicable") in values


def test_unknown_applicability_makes_status_unknown(tmp_path):
    # Foshan's referral limit applies only to an art. 38 suspect: unknown suspicion, unknown status
    folder = tmp_path / "kid"
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.yaml").write_text("id: kid\nname: {zh: 子, en: kid}\nlevel: city\nextends: guangdong_foshan\n",
                                      encoding="utf-8")
    (folder / "rules" / "x.yaml").write_text("""\
rules:
  - id: measures.kid
    kind: measures
    title: {zh: 测试, en: test}
    citation: {document: foshan_93, article: 44, paragraph: 1, quote: 经办机构按照医保协议作出处理决定后5个工作日内将处理决定等材料移交同级医疗保障行政部门}
    modality: shall
    modality_source: read as shall for this test
    questions: [conduct]
    when: status(time_limit.referral_to_administration) == 'lapsed'
    measures:
      - {id: refer_to_administration, title: {zh: 移交, en: refer}}
""", encoding="utf-8")
    pack = dr.load_pack(folder)
    d = dr.evaluate(pack, {"conduct": {"handling_decided_on": "2025-06-03"}}, "conduct", as_of=date(2025, 6, 20))
    r = next(r for r in d.rules if r.id == "measures.kid")
    assert r.status == "unknown" and "conduct.suspected_regulation_art38_violation" in r.missing
    d = dr.evaluate(pack, {"conduct": {"handling_decided_on": "2025-06-03", "suspected_regulation_art38_violation": True}},
                    "conduct", as_of=date(2025, 6, 20))
    assert "measures.kid" in d.fired


# --- cost: nothing for a question that does not ask -----------------------------------------------
def test_status_is_computed_only_when_a_view_asks(monkeypatch):
    def boom(*_args):
        raise AssertionError("status computed in the hot path")
    monkeypatch.setattr("dingdian_rules.evaluation.decision.deadline_status", boom)
    case = {"application": {"materials_received_on": "2025-09-30", "accepted_on": "2025-09-30", "supplement_days": 12}}
    d = dr.evaluate(NATIONAL, case, "application", as_of=DUE, trace=False)
    assert d.outcome == "undetermined" and len(d.deadlines) == 2
    with pytest.raises(AssertionError, match="hot path"):
        d.deadlines[0].status


def test_a_working_day_count_is_never_rolled_at_run_time():
    # the roll of a working-day count (without days added) cannot move its day, so it is not run
    specs = {s.rule.id: s for s in NATIONAL.plans["application"].deadline_specs}
    assert specs["time_limit.materials_notice"].roll is False
    assert specs["time_limit.evaluation_period"].roll is True      # months plus supplement days: it can move
    plan = NATIONAL.plans["application"]
    assert all("due(" not in (r.when or r.requires or "") and "status(" not in (r.when or r.requires or "")
               for r in plan.rules)


def test_count_last_day_is_the_one_count(monkeypatch):
    # the decision's deadlines and the conditions' due()/status() both go through count_last_day
    calls = []
    real = dl_module.count_last_day

    def spy(spec, *args):
        calls.append(spec.rule.id)
        return real(spec, *args)
    monkeypatch.setattr(dl_module, "count_last_day", spy)
    monkeypatch.setattr(sys.modules["dingdian_rules.evaluation.deadlines"], "count_last_day", spy)
    conduct(date(2025, 10, 10), repayment_notified_on="2025-09-16")
    assert calls.count("time_limit.repayment") == 2   # once for the deduction's status, once for the deadline


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_the_inline_count_of_a_plain_limit_is_count_last_day(pack_id):
    # the decision counts a limit with no days added and no roll inline (its hot path); it must be
    # the same day as the one count conditions use
    import dataclasses

    from dingdian_rules.facts.models import Case
    deadlines_module = sys.modules["dingdian_rules.evaluation.deadlines"]
    pack = dr.load_pack(pack_id)
    plain = [s for s in pack.plans["deadlines"].deadline_specs if s.plain]
    assert plain or pack_id == "guangdong"
    days = [date(2024, 2, 29), date(2025, 9, 30), date(2025, 12, 31), date(2027, 1, 1), date(1, 1, 2), date(9999, 12, 1)]
    for spec in plain:
        for d in days:
            fixed = dataclasses.replace(spec, applies=None, start=lambda c, t, e, d=d: d)
            shown = deadlines_module.deadline_result(pack, fixed, Case(), DUE, set())
            counted = dl_module.count_last_day(fixed, d, Case(), DUE, set(), pack.calendar)
            assert (shown.due, shown.estimated) == (counted.due, counted.estimated), (spec.rule.id, d)
