"""Civil Code art. 203 inside conditions: a rule that acts on a time limit counts the limit's own
last day (``due(time_limit.x[, start])``, ``status(time_limit.x)``), rolled past rest days and
holidays, so the deadline a decision shows and the rule that acts on it never disagree.

Expected dates are read from the texts and the State Council's 2025 arrangement: National Day
and Mid-Autumn 2025-10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked (docs/time.md). The
legal review of December 2026 gives the cases (rows 4, 8, 9; C4, C8, C9).
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, strategies as st

import dingdian_rules as dr
from dingdian_rules.conditions.parser import ConditionSyntaxError, parse
from dingdian_rules.supervisor import Supervisor
from dingdian_rules.time.periods import add_period, roll_to_working_day, subtract_period
from oracles import NAT_FALSE

NATIONAL = dr.load_pack("national")
QINGHAI = dr.load_pack("qinghai_agreement")


def suspension_case(started_on: date, resume: date | None = None) -> dict:
    s: dict = {"started_on": started_on.isoformat(), "requested_by_institution": True}
    if resume is not None:
        s["resume_applied_on"] = resume.isoformat()
    return {"institution": {"type": "clinic", "is_public": False},
            "agreement": {"term_start": "2025-01-01", "term_end": "2099-12-31", "suspensions": [s],
                          "is_home_region": True, "home_region_action": "none"},
            "conduct": NAT_FALSE}


def due(decision: dr.Decision, rule_id: str) -> date | None:
    return next(d.due for d in decision.deadlines if d.rule_id == rule_id)


def child(tmp_path: Path, rules: str, name: str = "kid") -> Path:
    folder = tmp_path / name
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.yaml").write_text(f"id: {name}\nname: {{zh: 子, en: kid}}\nlevel: city\nextends: national\n",
                                      encoding="utf-8")
    (folder / "rules" / "x.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    return folder


RULE = """\
rules:
  - id: termination.kid
    kind: termination
    title: {{zh: 测试, en: test}}
    citation: {{document: nhsa_order_2, article: 42, paragraph: 2, quote: 原则上医保协议自动终止}}
    modality: effect
    in_principle: true
    when: "{when}"
    outcome: terminate
"""


# --- C4: the 180th day on National Day ------------------------------------------------------------
# Not terminated: the suspension still runs (art. 42 para. 1), so the agreement stands suspended.
@pytest.mark.parametrize("as_of, resume, outcome", [
    (date(2025, 10, 1), None, "suspended"),           # day 180, a holiday
    (date(2025, 10, 2), None, "suspended"),           # the unrolled count ended the agreement here
    (date(2025, 10, 8), None, "suspended"),           # the day before the rolled last day
    (date(2025, 10, 9), None, "suspended"),           # the rolled last day
    (date(2025, 10, 10), None, "terminate"),           # the day after
    (date(2025, 10, 10), date(2025, 10, 9), "suspended"),  # applied on the rolled last day: in time
    (date(2025, 10, 11), date(2025, 10, 10), "terminate"),  # applied the day after: too late
])
def test_c4_the_resume_limit_rolls_past_national_day(as_of, resume, outcome):
    d = dr.evaluate(NATIONAL, suspension_case(date(2025, 4, 4), resume), "agreement", as_of=as_of)
    assert d.outcome == outcome


def test_c4_the_deadline_and_the_termination_name_the_same_last_day():
    case = suspension_case(date(2025, 4, 4))
    case["request"] = {"kind": "suspend", "filed_on": "2025-01-02", "effective_on": "2025-04-04"}
    d = dr.evaluate(NATIONAL, case, "deadlines", as_of=date(2025, 10, 1))
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.requested_suspension_max")
    assert (dl.due, dl.rolled_from) == (date(2025, 10, 9), date(2025, 10, 1))
    # the suspension's own deadline (one per item) names the same day, and the termination reads it
    per_item = next(x for x in d.deadlines if x.rule_id == "time_limit.suspension_resume_application")
    assert (per_item.due, per_item.rolled_from, per_item.item[1:3]) == (date(2025, 10, 9), date(2025, 10, 1),
                                                                       (0, "started_on"))
    termination = NATIONAL.rule("termination.requested_suspension_lapsed")
    assert "due(time_limit.suspension_resume_application, s.started_on)" in termination.when
    # the rule reads the limit's parameter, and decisions cite it
    assert "requested_suspension_max_days" in termination.parameter_ids


def test_the_termination_explains_the_rolled_day_in_its_trace():
    d = dr.evaluate(NATIONAL, suspension_case(date(2025, 4, 4)), "agreement", as_of=date(2025, 10, 10))
    r = next(r for r in d.rules if r.id == "termination.requested_suspension_lapsed")
    values: dict[str, list] = {}

    def walk(node):
        if node.evaluated:
            values.setdefault(node.text, []).append(node.value)
        for k in node.children:
            walk(k)
    walk(r.trace)
    assert date(2025, 10, 9) in values["due(time_limit.suspension_resume_application, s.started_on)"]
    assert "time_limit.suspension_resume_application" in values["time_limit.suspension_resume_application"]


def test_c4_in_the_supervisor_comes_due_on_the_day_after_the_rolled_last_day():
    events = [{"type": "term_started", "institution_id": "c", "on": "2025-01-01", "term_end": "2025-12-31",
               "is_public": False},
              {"type": "suspension_started", "institution_id": "c", "on": "2025-04-04",
               "requested_by_institution": True}]
    with Supervisor(NATIONAL) as sup:
        sup.post_many(events)
        got = sup.advance(date(2025, 12, 31))
    assert [(d.on, d.outcome) for d in got if d.question == "agreement"] == [(date(2025, 10, 10), "terminate")]


# --- C8 and C9 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("as_of, repaid, fired", [
    (date(2025, 10, 5), None, False), (date(2025, 10, 9), None, False), (date(2025, 10, 10), None, True),
    (date(2025, 10, 10), date(2025, 10, 9), False), (date(2025, 10, 12), date(2025, 10, 10), True),
])
def test_c8_deduction_only_after_the_rolled_repayment_deadline(as_of, repaid, fired):
    conduct = {"breach_items": [], "self_found_and_corrected": False, "staff_points_threshold_reached": False,
               "repayment_notified_on": "2025-09-16"}
    if repaid:
        conduct["repaid_on"] = repaid.isoformat()
    d = dr.evaluate(QINGHAI, {"conduct": conduct}, "conduct", as_of=as_of)
    assert ("measures.repayment_deduction" in d.fired) is fired
    assert due(d, "time_limit.repayment") == date(2025, 10, 9)


@pytest.mark.parametrize("filed, effective, late", [
    (date(2025, 10, 1), date(2026, 1, 1), True), (date(2025, 9, 30), date(2026, 1, 1), False),
    (date(2025, 7, 1), date(2025, 10, 1), True), (date(2025, 6, 30), date(2025, 10, 1), False),
])
def test_c9_notice_is_counted_back_from_the_last_day_of_the_old_state(filed, effective, late):
    case = {"institution": {"is_public": False}, "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"},
            "request": {"kind": "not_renew", "filed_on": filed.isoformat(), "effective_on": effective.isoformat()}}
    d = dr.evaluate(NATIONAL, case, "request", as_of=filed)
    assert d.outcome == ("late_notice" if late else "request_allowed")  # non-renewal: late, never refused
    assert due(d, "time_limit.request_notice") == subtract_period(effective - timedelta(days=1), 3, "months").value


def test_c9_request_notice_and_renewal_application_agree_for_a_term_end():
    case = {"agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"},
            "request": {"kind": "not_renew", "effective_on": "2026-01-01"}}
    d = dr.evaluate(NATIONAL, case, "deadlines", as_of=date(2025, 9, 1))
    assert due(d, "time_limit.request_notice") == due(d, "time_limit.renewal_application") == date(2025, 9, 30)


# --- the property: a rule acting on a limit and the limit's deadline agree on every date ---------
DAYS = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 6, 1))  # years chinesecalendar covers


@given(start=DAYS, offset=st.integers(170, 200), resume_offset=st.none() | st.integers(170, 200))
@example(start=date(2025, 4, 4), offset=189, resume_offset=None)   # C4: the rolled last day
@example(start=date(2025, 4, 4), offset=188, resume_offset=188)    # C4: applied on it
def test_termination_agrees_with_the_180_day_deadline(start, offset, resume_offset):
    as_of = start + timedelta(days=offset)
    resume = start + timedelta(days=resume_offset) if resume_offset is not None else None
    case = suspension_case(start, resume)
    case["request"] = {"kind": "suspend", "effective_on": start.isoformat()}
    deadline = dr.evaluate(NATIONAL, case, "deadlines", as_of=as_of)
    last = due(deadline, "time_limit.requested_suspension_max")
    assert last == roll_to_working_day(add_period(start, 180, "days").value).value
    status = next(x.status for x in deadline.deadlines if x.rule_id == "time_limit.requested_suspension_max")
    fired = "termination.requested_suspension_lapsed" in dr.evaluate(NATIONAL, case, "agreement", as_of=as_of).fired
    applied_in_time = resume is not None and resume <= last
    assert fired == (as_of > last and not applied_in_time)
    assert fired == (status == "lapsed" and not applied_in_time)


@given(notice=DAYS, offset=st.integers(10, 30), paid_offset=st.none() | st.integers(10, 30))
@example(notice=date(2025, 9, 16), offset=19, paid_offset=None)   # C8
def test_deduction_agrees_with_the_repayment_deadline(notice, offset, paid_offset):
    as_of = notice + timedelta(days=offset)
    conduct = {"breach_items": [], "self_found_and_corrected": False, "staff_points_threshold_reached": False,
               "repayment_notified_on": notice.isoformat()}
    if paid_offset is not None:
        conduct["repaid_on"] = (notice + timedelta(days=paid_offset)).isoformat()
    d = dr.evaluate(QINGHAI, {"conduct": conduct}, "conduct", as_of=as_of)
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.repayment")
    assert dl.due == roll_to_working_day(add_period(notice, 15, "days").value).value
    assert ("measures.repayment_deduction" in d.fired) == (dl.status == "lapsed")


@given(effective=DAYS, filed_offset=st.integers(80, 100))
@example(effective=date(2026, 1, 1), filed_offset=92)   # C9: filed 2025-10-01
def test_request_refusal_agrees_with_the_notice_deadline(effective, filed_offset):
    filed = effective - timedelta(days=filed_offset)
    case = {"institution": {"is_public": False},
            "request": {"kind": "rescind", "filed_on": filed.isoformat(), "effective_on": effective.isoformat()}}
    d = dr.evaluate(NATIONAL, case, "request", as_of=filed)
    last = due(d, "time_limit.request_notice")
    assert ("request_limit.insufficient_notice" in d.fired) == (filed > last)
    # the same count as a renewal deadline for a term ending the day before the effect
    term = {"agreement": {"term_start": "2000-01-01", "term_end": (effective - timedelta(days=1)).isoformat()}}
    assert last == due(dr.evaluate(NATIONAL, term, "deadlines", as_of=filed), "time_limit.renewal_application")


# --- the language: due(), status(), day_before() and their mistakes -------------------------------
def test_due_and_status_take_a_rule_id_first():
    with pytest.raises(ConditionSyntaxError, match="takes a time_limit rule's id first"):
        parse("due('time_limit.x') > today")
    with pytest.raises(ConditionSyntaxError, match=r"due\(\) takes 1 or 2 argument"):
        parse("due(time_limit.x, today, today) > today")
    with pytest.raises(ConditionSyntaxError, match=r"status\(\) takes 1 argument"):
        parse("status(time_limit.x, today) == 'met'")


def test_unknown_time_limit_is_located_with_a_did_you_mean(tmp_path):
    folder = child(tmp_path, RULE.format(when="status(time_limit.repayment) == 'lapsed'"))
    diags = [d for d in dr.check_pack(folder) if d.severity == "error"]
    assert [d.code for d in diags] == ["unknown-time-limit"]
    d = diags[0]
    assert d.location.line == 8 and "time_limit.payment" in d.hint
    line = (folder / "rules" / "x.yaml").read_text(encoding="utf-8").splitlines()[d.location.line - 1]
    assert line[d.location.column - 1:].startswith("time_limit.repayment")


def test_a_misspelt_status_is_an_unknown_value(tmp_path):
    folder = child(tmp_path, RULE.format(when="status(time_limit.payment) == 'lapse'"))
    diags = [d for d in dr.check_pack(folder) if d.severity == "error"]
    assert [d.code for d in diags] == ["unknown-value"] and "lapsed" in diags[0].hint


def test_counting_a_rolling_limit_again_is_period_not_rolled(tmp_path):
    when = ("any(s in agreement.suspensions where elapsed(s.started_on, $requested_suspension_max_days))")
    folder = child(tmp_path, RULE.format(when=when))
    diags = [d for d in dr.check_pack(folder) if d.severity == "error"]
    assert [d.code for d in diags] == ["period-not-rolled"]
    assert "due(time_limit.requested_suspension_max, <start>)" in diags[0].hint
    # a period no rolling limit uses is a bar and stays allowed
    ok = child(tmp_path, RULE.format(when="any(d in history.fraudulent_application_found_on where "
                                          "within(d, $fraudulent_application_bar))"), name="kid2")
    assert [d for d in dr.check_pack(ok) if d.severity == "error"] == []


def test_a_working_day_limit_may_still_be_counted_with_add():
    # a working-day count ends on a working day: its roll never moves the day, so no disagreement
    rule = NATIONAL.rule("rescission.major_change_not_applied")
    assert "add(information_change.approved_on, $major_change_application_period)" in rule.when
    assert NATIONAL.rule("time_limit.major_change_application").deadline.roll_to_working_day


def test_a_time_limit_counted_from_itself_is_a_cycle(tmp_path):
    folder = child(tmp_path, """\
        overrides:
          - id: time_limit.payment
            changes: a test of a cycle
            citation: {document: nhsa_order_2, article: 30, quote: 原则上应当在定点医疗机构申报后30个工作日内拨付符合规定的医保费用}
            applies_when: status(time_limit.payment) != 'met'
        """)
    codes = [d.code for d in dr.check_pack(folder) if d.severity == "error"]
    assert codes == ["time-limit-cycle"]


def test_due_counts_from_a_start_of_its_own_and_day_before(tmp_path):
    when = ("any(s in agreement.suspensions where day_before(s.started_on) < due(time_limit.requested_suspension_max, "
            "s.started_on) and today > due(time_limit.requested_suspension_max, s.started_on))")
    pack = dr.load_pack(child(tmp_path, RULE.format(when=when)))
    for as_of, fired in ((date(2025, 10, 9), False), (date(2025, 10, 10), True)):
        d = dr.evaluate(pack, suspension_case(date(2025, 4, 4)), "agreement", as_of=as_of)
        assert ("termination.kid" in d.fired) is fired


def test_an_unknown_due_names_the_facts_the_limit_lacks():
    case = {"institution": {"is_public": False}, "request": {"kind": "suspend", "filed_on": "2025-07-01"}}
    d = dr.evaluate(NATIONAL, case, "request", as_of=date(2025, 7, 1), trace=False)
    r = next(r for r in d.rules if r.id == "request_limit.insufficient_notice")
    assert r.status == "unknown" and r.missing == ("request.effective_on",)
    assert d.outcome == "undetermined" and "request.effective_on" in d.missing_facts


def test_a_condition_naming_a_limit_is_shared_only_with_packs_that_count_the_limit_alike(tmp_path):
    # Jiangsu restates the national request notice unchanged: one compiled condition serves both
    from dingdian_rules.packs import loader
    loader.clear_caches()
    national, jiangsu = dr.load_pack("national"), dr.load_pack("jiangsu")
    rule = "request_limit.insufficient_notice"
    assert jiangsu.rule(rule).condition is national.rule(rule).condition
    # a child that changes the limit gets its own compiled condition, counting its own limit
    folder = child(tmp_path, """\
        overrides:
          - id: time_limit.request_notice
            changes: a test - the notice applies to suspension requests only
            citation: {document: nhsa_order_2, article: 44, paragraph: 1, quote: 应提前3个月向经办机构提出申请}
            applies_when: request.effective_on is known and request.kind == 'suspend'
        """)
    kid = dr.load_pack(folder)
    assert kid.rule(rule).condition is not national.rule(rule).condition
    case = {"institution": {"is_public": False},
            "request": {"kind": "rescind", "filed_on": "2025-07-01", "effective_on": "2025-10-01"}}
    assert dr.evaluate(NATIONAL, case, "request", as_of=date(2025, 7, 1)).outcome == "request_refused"
    assert dr.evaluate(kid, case, "request", as_of=date(2025, 7, 1)).outcome == "undetermined"
