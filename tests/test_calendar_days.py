"""Issue 9 item 5: calendar days as the texts name them - year end (Foshan art. 10(5), review row 19),
quarter (Foshan art. 40, row 23) and the first day of the next month (Zhongshan art. 44 para. 3
次月恢复). Expected days are read from the texts, not copied from output."""

from __future__ import annotations

import json
from datetime import date

import pytest

import dingdian_rules as dr
from dingdian_rules import time as timecalc
from dingdian_rules.evaluation.decision_schema import DecisionModel
from dingdian_rules.render import decision_markdown, decision_text

FOSHAN = dr.load_pack("guangdong_foshan")
ZHONGSHAN = dr.load_pack("guangdong_zhongshan")


@pytest.mark.parametrize("d, year_end, q_start, q_end, next_month", [
    (date(2025, 1, 1), date(2025, 12, 31), date(2025, 1, 1), date(2025, 3, 31), date(2025, 2, 1)),
    (date(2025, 6, 30), date(2025, 12, 31), date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 1)),
    (date(2025, 9, 30), date(2025, 12, 31), date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 1)),
    (date(2025, 12, 31), date(2025, 12, 31), date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 1)),
    (date(2024, 1, 31), date(2024, 12, 31), date(2024, 1, 1), date(2024, 3, 31), date(2024, 2, 1)),
])
def test_calendar_functions(d, year_end, q_start, q_end, next_month):
    assert (timecalc.year_end(d), timecalc.quarter_start(d), timecalc.quarter_end(d),
            timecalc.next_month_start(d)) == (year_end, q_start, q_end, next_month)
    assert timecalc.next_month_start(date(9999, 12, 5)) is None
    assert timecalc.day_in_year(date(2025, 3, 1), 2, 29) == date(2025, 2, 28)


def first_agreement(signed: str, term_end: str | None = None, as_of: date = date(2025, 12, 31)) -> dr.Decision:
    agreement: dict = {"first_signed_on": signed}
    if term_end:
        agreement["term_end"] = term_end
    return dr.evaluate(FOSHAN, {"agreement": agreement}, "deadlines", as_of=as_of)


@pytest.mark.parametrize("signed, rule, end", [
    ("2025-01-01", "time_limit.first_agreement_end_same_year", date(2025, 12, 31)),
    ("2025-06-30", "time_limit.first_agreement_end_same_year", date(2025, 12, 31)),   # （含当日）
    ("2025-07-01", "time_limit.first_agreement_end_next_year", date(2026, 12, 31)),
    ("2025-12-31", "time_limit.first_agreement_end_next_year", date(2026, 12, 31)),
    ("2024-02-29", "time_limit.first_agreement_end_same_year", date(2024, 12, 31)),
])
def test_foshan_10_5_first_agreement_end(signed, rule, end):
    d = first_agreement(signed)
    got = [(x.rule_id, x.due, x.unit, x.rolled_from) for x in d.deadlines if x.rule_id.startswith("time_limit.first_")]
    assert got == [(rule, end, "date", None)]  # one clause applies; a day the text names is not rolled


def test_foshan_10_5_warns_when_the_given_term_end_differs():
    d = first_agreement("2025-07-01", term_end="2025-12-31")
    [w] = [w for w in d.warnings if w.code == "deadline-differs"]
    assert "2026-12-31" in w.message and "agreement.term_end" in w.message
    assert not [w for w in first_agreement("2025-07-01", "2026-12-31").warnings if w.code == "deadline-differs"]
    data = d.to_dict()
    DecisionModel.model_validate_json(json.dumps(data))


@pytest.mark.parametrize("as_of, status", [(date(2025, 9, 30), "pending"), (date(2025, 10, 1), "pending"),
                                           (date(2025, 12, 31), "last_day_today"), (date(2026, 1, 1), "lapsed")])
def test_foshan_40_assessment_in_the_last_quarter(as_of, status):
    d = dr.evaluate(FOSHAN, {"agreement": {"social_insurance_year_end": "2025-12-31"}}, "deadlines", as_of=as_of)
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.annual_assessment"]
    assert (x.opens_on, x.due, x.status) == (date(2025, 10, 1), date(2025, 12, 31), status)
    assert x.to_dict()["opens_on"] == "2025-10-01"
    assert "期间开始：2025-10-01" in decision_text(d) and "自 2025-10-01 起" in decision_markdown(d)


def test_foshan_40_a_social_insurance_year_ending_30_june():
    d = dr.evaluate(FOSHAN, {"agreement": {"social_insurance_year_end": "2026-06-30"}}, "deadlines",
                    as_of=date(2026, 3, 31))
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.annual_assessment"]
    assert (x.opens_on, x.due) == (date(2026, 4, 1), date(2026, 6, 30))


@pytest.mark.parametrize("confirmed, resumes", [("2025-11-14", date(2025, 12, 1)), ("2025-12-31", date(2026, 1, 1)),
                                                ("2025-11-01", date(2025, 12, 1))])
def test_zhongshan_44_service_resumes_the_next_month(confirmed, resumes):
    case = {"agreement": {"suspensions": [{"started_on": "2025-08-01", "requested_by_institution": False,
                                           "scheduled_end_on": "2025-10-31", "resume_applied_on": "2025-10-20",
                                           "resume_confirmed_on": confirmed}]}}
    d = dr.evaluate(ZHONGSHAN, case, "deadlines", as_of=date(2025, 11, 1))
    got = {x.key: (x.opens_on, x.due) for x in d.deadlines}
    assert got["time_limit.service_resumption[0]"] == (None, resumes)
    # the window: the 10 working days ending with the suspension's last day (Fri 2025-10-31)
    assert got["time_limit.resume_application_window[0]"] == (date(2025, 10, 20), date(2025, 10, 31))
    # 20 working days from receipt 2025-10-20 (not counted)
    assert got["time_limit.resume_verification[0]"] == (None, date(2025, 11, 17))


def test_a_named_day_limit_cannot_be_counted_in_a_condition(tmp_path):
    folder = tmp_path / "kid"
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.yaml").write_text("id: kid\nname: {zh: 子, en: kid}\nlevel: city\nextends: guangdong_foshan\n",
                                      encoding="utf-8")
    (folder / "rules" / "x.yaml").write_text("""\
rules:
  - id: termination.kid
    kind: termination
    title: {zh: 测试, en: test}
    citation: {document: foshan_93, article: 40, quote: 经办机构应当在每个社保年度结束前1个季度内按照医保协议对定点医疗机构开展年度考核评分}
    modality: effect
    when: today > due(time_limit.annual_assessment)
    outcome: terminate
""", encoding="utf-8")
    with pytest.raises(dr.PackError) as err:
        dr.load_pack(folder)
    assert "named-day-limit" in {d.code for d in err.value.diagnostics}


def test_calendar_functions_in_conditions_are_checked():
    from dingdian_rules.conditions.parser import parse_counted
    from dingdian_rules.conditions.checker import Checker
    from dingdian_rules.facts.models import Case
    root, _ = parse_counted("agreement.first_signed_on <= day_in_year(agreement.first_signed_on, 2, 30)")
    checker = Checker(Case, {})
    checker.check_all(root)
    assert [e.code for e in checker.errors] == ["type-mismatch"]
