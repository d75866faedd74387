"""The event-driven supervisor: cross-event rules, time, input handling, isolation, CLI."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("durable", reason="durable-rules (the supervisor's engine) is not installed")

import dingdian_rules as dr
from dingdian_rules.time import periods as timecalc
from dingdian_rules.supervisor.events import EventError, EventOrderError, UnknownInstitutionError, fold, load_events_file, parse_event
from dingdian_rules.supervisor import Supervisor
from decision_ids import without_ids

FIXTURES = Path(__file__).parent / "fixtures" / "events"
NATIONAL = dr.load_pack("national")


def ev(type_: str, on: str, inst: str = "h1", **kw):
    return parse_event({"type": type_, "institution_id": inst, "on": on, **kw})


def opened(sup: Supervisor, inst: str = "h1", on: str = "2025-01-01", end: str = "2025-12-31", **kw) -> None:
    assert sup.post(ev("term_started", on, inst, term_end=end, is_public=False, **kw)) == []


# --- cross-event rules ------------------------------------------------------------------------
def test_second_agency_suspension_in_a_term_rescinds_art_43_1():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        assert sup.post(ev("suspension_started", "2025-02-01")) == []
        sup.post(ev("suspension_ended", "2025-02-28"))
        dues = sup.post(ev("suspension_started", "2025-05-10"))
        assert [(d.on, d.question, d.outcome, d.newly_fired) for d in dues] == [
            (date(2025, 5, 10), "agreement", "rescind", ("rescission.repeated_suspension",))]
        decision = dues[0].decision
        assert decision.rules[[r.id for r in decision.rules].index("rescission.repeated_suspension")].rule.citation.article == 43
        st = sup.standing("h1")
        assert (st.state, st.since, st.rule_ids) == ("rescinded", date(2025, 5, 10), ("rescission.repeated_suspension",))
        assert sup.standing("h1", date(2025, 3, 1)).state == "in_force"
        assert sup.standing("h1", date(2025, 2, 10)).state == "suspended"


def test_a_requested_suspension_does_not_count_towards_the_two():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("suspension_started", "2025-02-01", requested_by_institution=True))
        sup.post(ev("suspension_ended", "2025-02-28"))
        assert sup.post(ev("suspension_started", "2025-05-10")) == []
        assert sup.decisions("h1")["agreement"].outcome == "suspended"  # running (art. 42 para. 1), not rescinded


def test_suspensions_of_an_earlier_term_do_not_count_after_renewal():
    with Supervisor(NATIONAL) as sup:
        opened(sup, end="2025-06-30")
        sup.post(ev("suspension_started", "2025-02-01"))
        sup.post(ev("suspension_ended", "2025-02-28"))
        sup.post(ev("term_renewed", "2025-05-01", next_term_end="2026-06-30"))
        assert sup.advance(date(2025, 7, 1)) == []  # the renewed term starts quietly
        assert sup.post(ev("suspension_started", "2025-09-01")) == []
        assert sup.decisions("h1")["agreement"].outcome == "suspended"  # running (art. 42 para. 1), not rescinded
        assert sup.standing("h1").term_start == date(2025, 7, 1)


def test_requested_suspension_over_180_days_terminates_art_42():
    # 超过180日 excludes day 180: from 2025-03-01 (not counted) day 180 is 2025-08-28.
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("suspension_started", "2025-03-01", requested_by_institution=True))
        assert sup.advance(date(2025, 8, 28)) == []
        dues = sup.advance(date(2025, 8, 29))
        assert [(d.on, d.outcome, d.newly_fired, d.cause) for d in dues] == [
            (date(2025, 8, 29), "terminate", ("termination.requested_suspension_lapsed",), "time")]
        assert dues[0].decision.rules[0].rule.in_principle is True


def test_advance_far_ahead_dates_the_termination_on_the_day_it_came_due():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("suspension_started", "2025-03-01", requested_by_institution=True))
        dues = sup.advance(date(2025, 12, 1))
        assert [(d.on, d.outcome) for d in dues] == [(date(2025, 8, 29), "terminate")]
        assert sup.standing("h1", date(2025, 8, 28)).state == "suspended"
        assert sup.standing("h1", date(2025, 8, 29)).state == "terminated"


@pytest.mark.parametrize("resume_on, terminates", [("2025-08-28", False), ("2025-08-29", True)])
def test_a_resume_application_by_day_180_prevents_termination(resume_on, terminates):
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("suspension_started", "2025-03-01", requested_by_institution=True))
        dues = sup.post(ev("resume_applied", resume_on)) + sup.advance(date(2025, 10, 1))
        assert any(d.outcome == "terminate" for d in dues) is terminates
        native = dr.evaluate(NATIONAL, fold(sup.history("h1"), date(2025, 10, 1)), "agreement", as_of=date(2025, 10, 1))
        assert (native.outcome == "terminate") is terminates


def test_an_event_after_a_lapse_first_brings_the_lapse_due():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("suspension_started", "2025-03-01", requested_by_institution=True))
        dues = sup.post(ev("claim_declared", "2025-10-01"))
        assert [(d.on, d.cause) for d in dues] == [(date(2025, 8, 29), "time")]


def test_expiry_without_renewal_terminates_the_day_after_the_term_art_41():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("renewal_failed", "2025-10-15"))
        dues = sup.advance(date(2026, 1, 31))
        assert [(d.on, d.newly_fired) for d in dues] == [(date(2026, 1, 1), ("termination.renewal_not_agreed",))]


# --- art. 40: 30 working days to apply for a major change ---------------------------------------
def _late_day(approved: date) -> date:
    return timecalc.add_period(approved, 30, "working_days", NATIONAL.calendar).value + timedelta(days=1)


def test_national_rescinds_when_a_major_change_is_not_applied_for_in_30_working_days_art_40_43_6():
    # Approved Mon 2025-03-03. Working days after it: 4 in the week of 3 March, then full weeks
    # (10-14, 17-21, 24-28 March) give 19, 31 March and 1-3 April give 23; 4 April is 清明 (a
    # holiday), so 7-11 April give 28 and 14, 15 April the 29th and 30th. The period ends
    # 2025-04-15; on 2025-04-16 the change is 未办理 and art. 43(6) rescinds.
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("information_changed", "2025-03-03", is_major=True))
        dues = sup.advance(date(2025, 6, 30))
        assert [(d.on, d.question, d.newly_fired) for d in dues] == [
            (date(2025, 4, 16), "agreement", ("rescission.major_change_not_applied",))]
        deadline = {d.rule_id: d for d in sup.decisions("h1")["agreement"].deadlines}["time_limit.major_change_application"]
        assert deadline.due == date(2025, 4, 15) == _late_day(date(2025, 3, 3)) - timedelta(days=1)


@pytest.mark.parametrize("applied, fires", [(None, True), ("late", True), ("in_time", False)])
def test_a_pack_rule_for_art_40_comes_due_on_the_31st_working_day(applied, fires):
    pack = dr.load_pack(FIXTURES / "packs" / "national_art40")
    approved = date(2025, 3, 3)
    late = _late_day(approved)
    with Supervisor(pack) as sup:
        opened(sup)
        sup.post(ev("information_changed", approved.isoformat(), is_major=True))
        if applied == "in_time":
            sup.post(ev("change_applied", (late - timedelta(days=1)).isoformat()))
        assert sup.advance(late - timedelta(days=1)) == []
        if applied == "late":
            sup.post(ev("change_applied", late.isoformat()))
        dues = sup.advance(date(2025, 12, 31))
        if applied == "late":
            dues = [d for d in sup.timeline("h1") if d.kind == "due"]
            dues = [d.due for d in dues]
        # the fixture's own conduct rule; national art. 43(6) (agreement question) is tested above
        got = [(d.on, d.question, d.newly_fired) for d in dues if d.question == "conduct"]
        want = [(late, "conduct", ("measures.major_change_not_applied_in_time",))] if fires else []
        assert got == want


# --- input handling -----------------------------------------------------------------------------
def test_out_of_order_events_are_refused():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        sup.post(ev("claim_declared", "2025-03-01"))
        with pytest.raises(EventOrderError, match="before the institution's clock 2025-03-01"):
            sup.post(ev("claim_paid", "2025-02-28"))
        sup.advance(date(2025, 6, 1))
        with pytest.raises(EventOrderError, match=r"advance\(\)"):
            sup.post(ev("claim_paid", "2025-05-31"))
        sup.post(ev("claim_paid", "2025-06-01"))  # the clock's own day is accepted
        with pytest.raises(EventOrderError):
            sup.advance(date(2025, 5, 1))


def test_an_exact_duplicate_is_ignored_and_reported():
    with Supervisor(NATIONAL) as sup:
        opened(sup)
        first = sup.post(ev("conduct_found", "2025-02-10", conduct={"data_not_provided_or_false": True}))
        assert [d.outcome for d in first] == ["suspend"]
        assert sup.post(ev("conduct_found", "2025-02-10", conduct={"data_not_provided_or_false": True})) == []
        assert len(sup.duplicates) == 1
        assert [t.kind for t in sup.timeline("h1")] == ["event", "event", "due", "duplicate"]
        assert len(sup.history("h1")) == 2
        # the same content with a distinguishing note is a second, real event
        sup.post(ev("suspension_started", "2025-02-11"))
        sup.post(ev("suspension_ended", "2025-02-11"))
        sup.post(ev("suspension_started", "2025-02-11", note="second suspension that day"))
        assert len(sup.duplicates) == 1


def test_unknown_institution_and_impossible_events():
    with Supervisor(NATIONAL) as sup:
        with pytest.raises(UnknownInstitutionError, match="no term_started"):
            sup.post(ev("suspension_started", "2025-02-01", "nobody"))
        with pytest.raises(UnknownInstitutionError):
            sup.standing("nobody")
        opened(sup)
        with pytest.raises(EventError, match="no suspension is in progress"):
            sup.post(ev("suspension_ended", "2025-02-01"))
        assert len(sup.history("h1")) == 1  # nothing of the refused event was recorded
        with pytest.raises(EventOrderError, match="advance"):
            sup.standing("h1", date(2026, 1, 1))


def test_invalid_event_data_is_refused_with_the_reason():
    with pytest.raises(EventError, match="no_such_fact"):
        parse_event({"type": "conduct_found", "institution_id": "h1", "on": "2025-01-01", "conduct": {"no_such_fact": True}})
    with pytest.raises(EventError, match="type"):
        parse_event({"type": "visit", "institution_id": "h1", "on": "2025-01-01"})
    with pytest.raises(EventError, match="term_end"):
        parse_event({"type": "term_started", "institution_id": "h1", "on": "2025-05-01", "term_end": "2025-01-01"})


def test_fold_is_closed_world_for_findings_and_open_for_the_rest():
    case = fold([ev("term_started", "2025-01-01", term_end="2025-12-31")], date(2025, 2, 1))
    assert case.conduct.insurance_fraud_confirmed is False and case.conduct.breach_items == []
    assert case.agreement.renewal_agreed is None and case.institution.is_public is None
    assert case.agreement.suspensions == [] and case.request is None
    with pytest.raises(EventError, match="one institution"):
        fold([ev("term_started", "2025-01-01", "a", term_end="2025-12-31"),
              ev("term_started", "2025-01-01", "b", term_end="2025-12-31")], date(2025, 2, 1))


def test_same_day_duplicates_regression_found_by_the_differential_test():
    """Found by the differential test: a same-day repeat of an event was ignored by the supervisor
    but applied by fold. Both now count an exact same-day duplicate once."""
    from test_supervisor_differential import INST, check

    events = [parse_event(e) for e in (
        {"type": "term_started", "institution_id": INST, "on": "2025-01-01", "term_end": "2025-01-31", "is_public": False},
        {"type": "suspension_started", "institution_id": INST, "on": "2025-01-01"},
        {"type": "suspension_ended", "institution_id": INST, "on": "2025-01-01"},
        {"type": "suspension_started", "institution_id": INST, "on": "2025-01-01"},
    )]
    for pid in ("national", "guangdong_zhongshan"):
        check(pid, events, date(2025, 1, 1))
        check(pid, events, date(2025, 3, 1))


# --- same Decision as the native evaluator ------------------------------------------------------
def test_decisions_have_the_native_shape_and_content():
    history = [ev("term_started", "2025-01-01", term_end="2025-12-31", is_public=False),
               ev("conduct_found", "2025-02-10", conduct={"breached_agreement": True, "insurance_fraud_confirmed": True}),
               ev("request_filed", "2025-03-01", kind="rescind", effective_on="2025-04-01")]
    with Supervisor(NATIONAL) as sup:
        sup.post_many(history)
        sup.advance(date(2025, 3, 15))
        mine = sup.decisions("h1")
    case = fold(history, date(2025, 3, 15))
    for q in ("agreement", "conduct", "request"):
        native = dr.evaluate(NATIONAL, case, q, as_of=date(2025, 3, 15), trace=False)
        assert _same_input(mine[q].to_dict()) == _same_input(native.to_dict())
    assert mine["request"].outcome == "request_refused"
    assert mine["conduct"].measures and mine["agreement"].outcome == "rescind"


# --- isolation ----------------------------------------------------------------------------------
def test_two_supervisors_and_two_packs_never_see_each_others_facts():
    qinghai = dr.load_pack("qinghai_agreement")
    with Supervisor(NATIONAL) as a, Supervisor(NATIONAL) as b, Supervisor(qinghai) as c:
        assert len({a.ruleset_name, b.ruleset_name, c.ruleset_name}) == 3
        for s in (a, b, c):
            opened(s)
        a.post(ev("suspension_started", "2025-02-01"))
        a.post(ev("suspension_ended", "2025-02-10"))
        assert [d.outcome for d in a.post(ev("suspension_started", "2025-03-01"))] == ["rescind"]
        assert b.post(ev("suspension_started", "2025-03-01")) == []
        assert b.decisions("h1")["agreement"].outcome == "suspended"
        c.post(ev("suspension_started", "2025-03-01"))
        assert c.decisions("h1")["agreement"].outcome != "rescind"
        facts = {s.ruleset_name: s._engine.facts() for s in (a, b, c)}
        assert all(len(f) == 1 for f in facts.values())
        assert all(f[0]["id"].startswith("h1#") for f in facts.values())
        assert facts[a.ruleset_name][0] != facts[b.ruleset_name][0]
        opened(b, "h2")
        assert len(b._engine.facts()) == 2 and len(a._engine.facts()) == 1
    b2 = Supervisor(NATIONAL)
    opened(b2)
    assert b2.decisions("h1")["agreement"].outcome == "continue"  # nothing left behind by closed ones
    b2.close()
    b2.close()  # idempotent
    with pytest.raises(EventError, match="closed"):
        b2.post(ev("claim_declared", "2025-02-01"))


def test_many_institutions_in_one_supervisor():
    with Supervisor(NATIONAL) as sup:
        for i in range(1500):  # durable_rules keeps at most 1024 sessions: one session holds them all
            opened(sup, f"i{i}")
            if i % 2:
                sup.post(ev("suspension_started", "2025-03-01", f"i{i}", requested_by_institution=True))
        dues = sup.advance(date(2025, 12, 31))
        assert len(dues) == 750 and {d.on for d in dues} == {date(2025, 8, 29)}


# --- files and CLI --------------------------------------------------------------------------------
def test_events_files_yaml_and_jsonl(tmp_path):
    events = load_events_file(FIXTURES / "year_national.yaml")
    assert len(events) == 13 and events[0].type == "term_started"
    p = tmp_path / "e.jsonl"
    p.write_text("\n".join(json.dumps(e.model_dump(mode="json")) for e in events) + "\n", encoding="utf-8")
    assert load_events_file(p) == events
    p.write_text('{"type": "term_started"\n', encoding="utf-8")
    with pytest.raises(EventError) as exc:
        load_events_file(p)
    assert exc.value.diagnostics[0].code == "json-syntax"


def _replay(argv, capsys):
    from dingdian_rules.cli import replay

    parser = argparse.ArgumentParser()
    replay.add_parser(parser.add_subparsers())
    args = parser.parse_args(["replay", *argv])
    code = replay.run(args)
    return code, capsys.readouterr()


def test_replay_text_and_json(capsys):
    code, out = _replay(["--pack", "national", str(FIXTURES / "year_national.yaml")], capsys)
    assert code == 0  # Chinese by default
    assert ("2025-06-05  hosp-a  协议[agreement]：中止医保协议[suspend] → 解除医保协议[rescind] "
            "[rescission.repeated_suspension]（事件 中止开始[suspension_started]）") in out.out
    assert "2025-12-30  clinic-b  协议[agreement]：医保协议处于中止状态[suspended] → 终止医保协议[terminate]" in out.out
    code, out = _replay(["--pack", "national", str(FIXTURES / "year_national.yaml"), "--lang", "en"], capsys)
    assert code == 0
    assert "2025-06-05  hosp-a  agreement: suspend -> rescind [rescission.repeated_suspension]" in out.out
    # day 180 after 2025-07-01 is Sunday 12-28; the last day to apply rolls to 12-29 (民法典 art. 203)
    assert "2025-12-30  clinic-b  agreement: suspended -> terminate [termination.requested_suspension_lapsed]  (time)" in out.out
    assert "hosp-a: rescinded since 2025-06-05" in out.out
    code, out = _replay(["--pack", "national", str(FIXTURES / "year_national.yaml"), "--format", "json",
                         "--as-of", "2025-07-01"], capsys)
    data = json.loads(out.out)
    assert data["as_of"] == "2025-07-01"
    assert data["institutions"]["clinic-b"]["standing"]["state"] == "suspended"
    assert [d["on"] for d in data["due"]][-1] == "2025-06-05"


def test_replay_reports_bad_events(tmp_path, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text("- {type: suspension_started, institution_id: x, on: 2025-01-01}\n", encoding="utf-8")
    code, out = _replay(["--pack", "national", str(p)], capsys)
    assert code == 4 and "no term_started" in out.err


def test_a_last_day_in_a_year_without_a_notice_is_undetermined_until_every_arrangement_agrees():
    # National art. 40 / 43(6) approved 2026-12-23: the 30th working day is 2027-02-04 counted with
    # the statutory holidays only, 02-02 at the earliest and 02-15 at the latest (2027's 调休 is
    # unpublished; docs/time.md). The supervisor reports undetermined from 02-03, again on 02-05
    # (the rule now fires counted with the statutory holidays only, still undetermined) and, once
    # every arrangement has the period run out, rescind on 02-16.
    with Supervisor(NATIONAL) as sup:
        opened(sup, on="2026-07-01", end="2027-06-30")
        sup.post(ev("information_changed", "2026-12-23", is_major=True))
        dues = sup.advance(date(2027, 3, 31))
        got = [(d.on, d.question, d.outcome) for d in dues if d.question == "agreement"]
        assert got == [(date(2027, 2, 3), "agreement", "undetermined"), (date(2027, 2, 5), "agreement", "undetermined"),
                       (date(2027, 2, 16), "agreement", "rescind")]
        assert "calendar-uncertain" in [w.code for w in dues[0].decision.warnings]
        assert sup.standing("h1").state == "rescinded"


_same_input = without_ids  # a decision's JSON without its own id and time
