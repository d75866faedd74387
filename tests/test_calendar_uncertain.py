"""A decision's outcome never depends on an estimated day without saying so (issue 9 item 6).

For 2027, which no published arrangement covers, a decision made with the statutory holidays only
is compared with the decisions under arrangements the 2027 notice could publish (drawn within the
bounds of holidays.py and supplied as the caller's arrangement): a definite outcome must be the
outcome under every such arrangement, and an estimated last day must lie in its range."""

from __future__ import annotations

from datetime import date, timedelta

import hypothesis.strategies as st
from hypothesis import given

import dingdian_rules as dr
from dingdian_rules.time import holidays
from oracles import NAT_FALSE

NATIONAL = dr.load_pack("national")
QINGHAI = dr.load_pack("qinghai_agreement")



def _days(a: date, b: date):
    while a <= b:
        yield a
        a += timedelta(days=1)


@st.composite
def arrangements_2027(draw: st.DrawFn) -> dr.YearArrangement:
    """A 2027 arrangement as a notice could make it: per holiday, weekdays off next to it (补假 and
    bridge days) and no more make-up weekend days than bridge days."""
    statutory = holidays.statutory_holidays(2027)
    off: set[date] = set()
    makeup: set[date] = set()
    for c in holidays.clusters(2027):
        weekdays = sorted({d for a, b in c.off for d in _days(a, b) if d.weekday() < 5 and d not in statutory})
        chosen = draw(st.lists(st.sampled_from(weekdays), max_size=c.max_off, unique=True)) if weekdays else []
        off |= set(chosen)
        bridges = max(0, len(chosen) - sum(1 for d in c.days if d.weekday() >= 5))
        weekends = [d for d in _days(c.first, c.last) if d.weekday() >= 5 and d not in statutory]
        if weekends and bridges:
            makeup |= set(draw(st.lists(st.sampled_from(weekends), max_size=min(bridges, c.max_makeup), unique=True)))
    return dr.YearArrangement(2027, frozenset(statutory | off), frozenset(makeup), "drawn for the property test")


_PACKS: dict[tuple[str, dr.YearArrangement], dr.ResolvedPack] = {}


def _with(pack_id: str, arrangement: dr.YearArrangement) -> dr.ResolvedPack:
    key = (pack_id, arrangement)
    if key not in _PACKS:
        if len(_PACKS) > 64:
            _PACKS.clear()
        _PACKS[key] = dr.load_pack(pack_id, holidays=[arrangement])
    return _PACKS[key]


def _check(estimate: dr.Decision, actual: dr.Decision) -> None:
    codes = [w.code for w in estimate.warnings]
    if estimate.outcome != "undetermined":
        assert actual.outcome == estimate.outcome, (estimate.outcome, actual.outcome, estimate.as_of, codes)
    if actual.outcome != estimate.outcome:
        assert estimate.outcome == "undetermined" and "calendar-uncertain" in codes
    due = {d.rule_id: d for d in actual.deadlines}
    for d in estimate.deadlines:
        if d.estimated and d.earliest is not None and d.latest is not None:
            assert d.earliest <= due[d.rule_id].due <= d.latest, (d.rule_id, d.earliest, due[d.rule_id].due, d.latest)
        elif not d.estimated:
            assert due[d.rule_id].due == d.due


@given(arrangements_2027(), st.dates(date(2026, 11, 1), date(2027, 12, 20)), st.integers(0, 70))
def test_a_major_change_outcome_never_rests_on_an_estimated_day(arrangement, approved, wait) -> None:
    case = {"agreement": {"term_start": "2026-07-01", "term_end": "2028-06-30", "suspensions": [],
                          "is_home_region": True},
            "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": approved.isoformat()}}
    as_of = approved + timedelta(days=wait)
    estimate = dr.evaluate(NATIONAL, case, "agreement", as_of=as_of, trace=False)
    _check(estimate, dr.evaluate(_with("national", arrangement), case, "agreement", as_of=as_of, trace=False))


@given(arrangements_2027(), st.dates(date(2026, 12, 1), date(2027, 12, 20)), st.integers(0, 40))
def test_a_rolled_repayment_deadline_never_rests_on_an_estimated_day(arrangement, notified, wait) -> None:
    # Qinghai art. 60: 15 days from the notice, rolled past days off (民法典 art. 203); the
    # deduction is open once the rolled last day has passed (review case C8).
    case = {"conduct": {"breach_items": [], "self_found_and_corrected": False,
                        "staff_points_threshold_reached": False, "repayment_notified_on": notified.isoformat()}}
    as_of = notified + timedelta(days=wait)
    estimate = dr.evaluate(QINGHAI, case, "conduct", as_of=as_of, trace=False)
    actual = dr.evaluate(_with("qinghai_agreement", arrangement), case, "conduct", as_of=as_of, trace=False)
    _check(estimate, actual)
    # the measures offered follow too, when the outcome is definite
    if estimate.outcome != "undetermined":
        assert {m.measure_id for m in estimate.measures} == {m.measure_id for m in actual.measures}


def test_c10_outcome_is_definite_and_the_deadline_estimated() -> None:
    # review case C10: approval 2026-12-15, as_of 2027-01-27 -> continue (the 30th working day is
    # 2027-01-27, 元旦 being a statutory holiday); the deadline says it is estimated.
    case = {"agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [],
                          "is_home_region": True},
            "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": "2026-12-15"}}
    d = dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 1, 27))
    assert d.outcome == "continue"
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.major_change_application")
    assert (dl.due, dl.estimated, dl.earliest, dl.latest) == (date(2027, 1, 27), True, date(2027, 1, 27),
                                                              date(2027, 1, 27))
    as_json = dl.to_dict()
    assert as_json["estimated"] and as_json["earliest"] == as_json["latest"] == "2027-01-27"
    assert "calendar-uncertain" not in [w.code for w in d.warnings]
    # the old code counted 2027-01-01 as a working day: last day 01-26 and rescind on 01-27
    assert dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 1, 28)).outcome == "rescind"


def test_an_outcome_that_flips_is_undetermined_with_the_reason() -> None:
    case = {"agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [],
                          "is_home_region": True},
            "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": "2026-12-23"}}
    d = dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 2, 5))
    assert d.outcome == "undetermined"
    w = next(w for w in d.warnings if w.code == "calendar-uncertain")
    assert "2027-02-04 could be 2027-02-15" in w.message and "rescind" in w.message and "continue" in w.message
    dl = next(x for x in d.deadlines if x.rule_id == "time_limit.major_change_application")
    assert (dl.earliest, dl.due, dl.latest) == (date(2027, 2, 2), date(2027, 2, 4), date(2027, 2, 15))
    # the same decision, traced or not, and once the year is supplied it is decided
    assert dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 2, 5), trace=False).outcome == "undetermined"
    plain = dr.YearArrangement(2027, holidays.statutory_holidays(2027), frozenset(), "statutory days only")
    assert dr.evaluate(_with("national", plain), case, "agreement", as_of=date(2027, 2, 5)).outcome == "rescind"


def test_decisions_not_touching_2027_are_untouched() -> None:
    case = {"application": {"materials_received_on": "2025-09-30"}}
    d = dr.evaluate(NATIONAL, case, "deadlines", as_of=date(2025, 9, 30))
    dl = d.deadlines[0]
    assert not dl.estimated and dl.earliest is None and dl.latest is None
    assert [w.code for w in d.warnings if w.code.startswith("calendar")] == []


def test_text_and_markdown_say_why_and_show_the_range() -> None:
    from dingdian_rules.render import decision_markdown, decision_text

    case = {"agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [],
                          "is_home_region": True},
            "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": "2026-12-23"}}
    d = dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 2, 5))
    for out in (decision_text(d), decision_markdown(d)):
        assert "无法确定（取决于尚未公布的调休安排）" in out and "缺少事实" not in out
        assert "可能为 2027-02-02 至 2027-02-15" in out


def test_the_decision_json_with_a_range_and_calendar_uncertain_matches_its_schema() -> None:
    import json

    from dingdian_rules.evaluation.decision_schema import DecisionModel, decision_json_schema

    case = {"agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [],
                          "is_home_region": True},
            "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": "2026-12-23"}}
    data = dr.evaluate(NATIONAL, case, "agreement", as_of=date(2027, 2, 5)).to_dict()
    DecisionModel.model_validate_json(json.dumps(data))
    deadline = decision_json_schema()["$defs"]["DeadlineModel"]["properties"]
    assert {"earliest", "latest"} <= set(deadline)
