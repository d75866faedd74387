"""Stage logic of the evaluator, deadlines, pack-status warnings and bad case data.

The ``base`` fixture pack (tests/fixtures/packs/base) has a rule for every stage: application
(type/non-acceptance -> materials -> eligibility), agreement (rescission -> suspension, with one
``may`` suspension), conduct (one ``shall`` and two ``may`` measures rules) and three time limits.
Expected outcomes follow docs/pack-format.md and the module docstring of ``evaluate``: a stage
with a definite firing rule decides only if every earlier stage definitely passed; ``may`` rules
never decide an outcome alone; unknown facts never yield acceptance.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from dingdian_rules import CaseError, EvaluationError, evaluate, load_case_file, load_pack, parse_case
from dingdian_rules.facts.cases import case_from_json

FIX = Path(__file__).parent / "fixtures" / "packs"
ON = date(2025, 6, 1)
_KEEP = []  # loaded packs stay alive for the whole module, so no two packs ever share an id()


def load(path) -> object:
    pack = load_pack(path)
    _KEEP.append(pack)
    return pack


@pytest.fixture(scope="module")
def base():
    return load(FIX / "base")


def fresh_base(tmp_path: Path, edit_meta=None) -> Path:
    folder = tmp_path / "base"
    shutil.copytree(FIX / "base", folder)
    if edit_meta:
        meta = folder / "pack.yaml"
        meta.write_text(edit_meta(meta.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


GOOD_INSTITUTION = {"type": "general_hospital", "main_scope_non_basic": False, "operating_since": "2020-01-01",
                    "beds": 150, "has_insurance_department": True}
GOOD_APPLICATION = {"institution": GOOD_INSTITUTION, "application": {"materials": ["application_form"]},
                    "history": {"fraudulent_application_found_on": []}}


# ---- application stages -----------------------------------------------------------------------

def test_all_stages_pass(base):
    decision = evaluate(base, GOOD_APPLICATION, "application", as_of=ON)
    assert decision.outcome == "conditions_met"
    assert decision.fired == () and decision.unknown == () and decision.missing_facts == ()


def test_definite_non_acceptance_decides_even_when_other_facts_are_unknown(base):
    decision = evaluate(base, {"institution": {"main_scope_non_basic": True}}, "application", as_of=ON)
    assert decision.outcome == "not_accepted"
    assert decision.fired == ("non_acceptance.non_basic_scope",)
    assert "institution.type" in decision.missing_facts  # same stage, still unknown: reported, not decisive


def test_unlisted_institution_type_is_not_accepted(base):
    decision = evaluate(base, {"institution": {"type": "clinic"}}, "application", as_of=ON)
    assert decision.outcome == "not_accepted"
    assert decision.fired == ("institution_type.listed_types",)


def test_failing_later_stage_with_unknown_earlier_stage_is_undetermined(base):
    failing = {"institution": {**GOOD_INSTITUTION, "has_insurance_department": False},
               "application": {"materials": ["application_form"]}}  # no history: the fraud bar is unknown
    decision = evaluate(base, failing, "application", as_of=ON)
    assert decision.outcome == "undetermined"
    assert "eligibility.insurance_department" in decision.fired
    assert decision.unknown == ("non_acceptance.fraudulent_application",)
    assert decision.missing_facts == ("history.fraudulent_application_found_on",)
    settled = evaluate(base, {**failing, "history": {"fraudulent_application_found_on": []}}, "application", as_of=ON)
    assert settled.outcome == "conditions_not_met"
    assert settled.fired == ("eligibility.insurance_department",)


def test_missing_materials_with_unknown_first_stage_is_undetermined(base):
    case = {"institution": GOOD_INSTITUTION, "application": {"materials": []}}
    assert evaluate(base, case, "application", as_of=ON).outcome == "undetermined"
    case["history"] = {"fraudulent_application_found_on": []}
    assert evaluate(base, case, "application", as_of=ON).outcome == "materials_incomplete"


def test_unknown_last_stage_never_yields_acceptance(base):
    case = {**GOOD_APPLICATION, "institution": {**GOOD_INSTITUTION, "operating_since": None}}
    decision = evaluate(base, case, "application", as_of=ON)
    assert decision.outcome == "undetermined"
    assert decision.missing_facts == ("institution.operating_since",)


def test_fraud_bar_decides_at_stage_one(base):
    case = {**GOOD_APPLICATION, "history": {"fraudulent_application_found_on": ["2022-06-01"]}}
    # found 2022-06-01: the 3-year bar runs to 2025-06-01 inclusive and lifts on 2025-06-02
    assert evaluate(base, case, "application", as_of=date(2025, 6, 1)).outcome == "not_accepted"
    assert evaluate(base, case, "application", as_of=date(2025, 6, 2)).outcome == "conditions_met"


def test_trace_false_gives_the_same_answer(base):
    case = {"institution": {**GOOD_INSTITUTION, "has_insurance_department": False},
            "application": {"materials": ["application_form"]}}
    traced = evaluate(base, case, "application", as_of=ON)
    fast = evaluate(base, case, "application", as_of=ON, trace=False)
    assert (fast.outcome, fast.fired, fast.unknown, fast.missing_facts) == \
        (traced.outcome, traced.fired, traced.unknown, traced.missing_facts)
    assert not fast.traced and traced.traced


# ---- agreement: may rules never decide -----------------------------------------------------------

NO_GROUNDS = {"obtained_designation_by_fraud": False, "major_fund_risk": False}


def test_may_rule_that_fires_does_not_decide_the_agreement(base):
    case = {"conduct": NO_GROUNDS, "request": {"kind": "suspend", "agency_agreed": True}}
    decision = evaluate(base, case, "agreement", as_of=ON)
    assert "suspension.on_request" in decision.fired
    assert decision.outcome == "continue"


def test_unknown_may_rule_does_not_make_the_agreement_undetermined(base):
    decision = evaluate(base, {"conduct": NO_GROUNDS}, "agreement", as_of=ON)
    assert decision.unknown == ("suspension.on_request",)
    assert decision.outcome == "continue"


def test_shall_rule_decides_the_agreement(base):
    case = {"conduct": {**NO_GROUNDS, "major_fund_risk": True}}
    assert evaluate(base, case, "agreement", as_of=ON).outcome == "suspend"
    case = {"conduct": {"obtained_designation_by_fraud": True, "major_fund_risk": True}}
    assert evaluate(base, case, "agreement", as_of=ON).outcome == "rescind"


def test_suspension_with_unknown_rescission_ground_is_undetermined(base):
    decision = evaluate(base, {"conduct": {"major_fund_risk": True}}, "agreement", as_of=ON)
    assert decision.outcome == "undetermined"
    assert "conduct.obtained_designation_by_fraud" in decision.missing_facts


# ---- conduct: measures required or available -------------------------------------------------------

NO_CONDUCT = {"breached_agreement": False, "data_not_provided_or_false": False, "staff_or_department_breach": False}


def measures(decision):
    return sorted((m.measure_id, m.mandatory) for m in decision.measures)


def test_shall_measures_rule_gives_measures_required(base):
    decision = evaluate(base, {"conduct": {**NO_CONDUCT, "data_not_provided_or_false": True}}, "conduct", as_of=ON)
    assert decision.outcome == "measures_required"
    assert measures(decision) == [("suspend_agreement", True)]


def test_may_measures_rule_gives_measures_available(base):
    decision = evaluate(base, {"conduct": {**NO_CONDUCT, "breached_agreement": True}}, "conduct", as_of=ON)
    assert decision.outcome == "measures_available"
    assert measures(decision) == [("interview", False), ("suspend_or_withhold_payment", False)]
    assert all(m.rule_id == "measures.breach_of_agreement" for m in decision.measures)


def test_no_conduct_no_measures(base):
    decision = evaluate(base, {"conduct": NO_CONDUCT}, "conduct", as_of=ON)
    assert (decision.outcome, decision.measures) == ("no_measures", ())


def test_may_measures_with_an_unknown_shall_rule_is_undetermined(base):
    case = {"conduct": {**NO_CONDUCT, "breached_agreement": True, "data_not_provided_or_false": None}}
    decision = evaluate(base, case, "conduct", as_of=ON)
    assert decision.outcome == "undetermined"  # the shall rule could still make measures mandatory
    assert decision.missing_facts == ("conduct.data_not_provided_or_false",)


def test_may_measures_with_only_an_unknown_may_rule_are_available(base):
    # An unknown may rule can only add options; it cannot make anything mandatory.
    case = {"conduct": {**NO_CONDUCT, "breached_agreement": True, "staff_or_department_breach": None}}
    assert evaluate(base, case, "conduct", as_of=ON).outcome == "measures_available"


def test_shall_measures_with_an_unknown_may_rule_are_required(base):
    case = {"conduct": {**NO_CONDUCT, "data_not_provided_or_false": True, "breached_agreement": None}}
    assert evaluate(base, case, "conduct", as_of=ON).outcome == "measures_required"


# ---- deadlines ---------------------------------------------------------------------------------

def deadline(decision, rule_id):
    found = [d for d in decision.deadlines if d.rule_id == rule_id]
    assert len(found) == 1, [d.rule_id for d in decision.deadlines]
    return found[0]


def test_working_day_deadline_after_the_start(base):
    # docs/time.md: National Day 2025 (10-01..10-08 off, Saturday 10-11 worked): the 5th working day
    # after 2025-09-30 is 2025-10-14.
    decision = evaluate(base, {"application": {"materials_received_on": "2025-09-30"}}, "deadlines", as_of=ON)
    d = deadline(decision, "time_limit.materials_notice")
    assert (d.start, d.due, d.length, d.unit, d.direction) == (date(2025, 9, 30), date(2025, 10, 14), 5,
                                                               "working_days", "after")
    assert (d.estimated, d.rolled_from, d.missing) == (False, None, ())
    assert "calendar-estimated" not in {w.code for w in decision.warnings}


@pytest.mark.parametrize("effective, due", [
    ("2025-09-30", date(2025, 6, 30)),
    ("2025-05-31", date(2025, 2, 28)),  # no 31 February: the month's last day
])
def test_deadline_before_the_start(base, effective, due):
    decision = evaluate(base, {"request": {"effective_on": effective}}, "deadlines", as_of=ON)
    d = deadline(decision, "time_limit.request_notice")
    assert (d.direction, d.due, d.estimated) == ("before", due, False)


def test_deadline_not_computed_when_it_does_not_apply(base):
    decision = evaluate(base, {"application": {}}, "deadlines", as_of=ON)
    assert decision.deadlines == ()


def test_extend_days_are_added(base):
    # accepted 2025-03-10: 3 months end 2025-06-10; 3 supplement days are not counted -> 2025-06-13 (a Friday)
    case = {"application": {"accepted_on": "2025-03-10", "supplement_days": 3}}
    d = deadline(evaluate(base, case, "deadlines", as_of=ON), "time_limit.evaluation")
    assert (d.due, d.extra_days, d.rolled_from, d.missing) == (date(2025, 6, 13), 3, None, ())


def test_roll_to_working_day_on_a_holiday(base):
    # accepted 2025-07-01: 3 months end 2025-10-01, National Day; 10-01..10-08 are off, so art. 203
    # moves the last day to Thursday 2025-10-09.
    case = {"application": {"accepted_on": "2025-07-01", "supplement_days": 0}}
    d = deadline(evaluate(base, case, "deadlines", as_of=ON), "time_limit.evaluation")
    assert (d.due, d.rolled_from, d.estimated) == (date(2025, 10, 9), date(2025, 10, 1), False)


def test_roll_applies_to_the_extended_last_day(base):
    # 2025-06-10 + 5 days = Sunday 2025-06-15 -> Monday 2025-06-16
    case = {"application": {"accepted_on": "2025-03-10", "supplement_days": 5}}
    d = deadline(evaluate(base, case, "deadlines", as_of=ON), "time_limit.evaluation")
    assert (d.due, d.rolled_from, d.extra_days) == (date(2025, 6, 16), date(2025, 6, 15), 5)


def test_no_roll_on_a_working_day_and_none_for_rules_without_it(base):
    case = {"application": {"accepted_on": "2025-03-10", "supplement_days": 3},
            "request": {"effective_on": "2025-12-31"}}  # 3 months before: Tuesday 2025-09-30
    decision = evaluate(base, case, "deadlines", as_of=ON)
    assert deadline(decision, "time_limit.evaluation").rolled_from is None
    d = deadline(decision, "time_limit.request_notice")
    assert (d.due, d.rolled_from) == (date(2025, 9, 30), None)


def test_unknown_extension_is_reported_missing(base):
    case = {"application": {"accepted_on": "2025-03-10"}}
    d = deadline(evaluate(base, case, "deadlines", as_of=ON), "time_limit.evaluation")
    assert d.missing == ("application.supplement_days",)


def test_working_day_deadline_in_an_uncovered_year_is_estimated(base):
    # 2027 has no published arrangement in the calendar: Mon-Fri is assumed. 2027-01-01 is a Friday,
    # so the 5th weekday after it is Friday 2027-01-08.
    decision = evaluate(base, {"application": {"materials_received_on": "2027-01-01"}}, "application",
                        as_of=date(2026, 12, 31))
    d = deadline(decision, "time_limit.materials_notice")
    assert (d.due, d.estimated) == (date(2027, 1, 8), True)
    warning = next(w for w in decision.warnings if w.code == "calendar-estimated")
    assert "2027" in warning.message


def test_pack_holidays_for_2027_remove_the_estimate(tmp_path):
    folder = fresh_base(tmp_path, lambda text: text.replace("holidays: []\n", textwrap.dedent("""\
        holidays:
          - year: 2027
            holidays: [2027-01-01, 2027-01-04]
            makeup_workdays: []
            source: test fixture arrangement (not a published notice)
        """)))
    pack = load(folder)
    decision = evaluate(pack, {"application": {"materials_received_on": "2027-01-01"}}, "application",
                        as_of=date(2026, 12, 30))
    d = deadline(decision, "time_limit.materials_notice")
    # with 01-04 off, the 5 working days are 01-05..01-08 and 01-11
    assert (d.due, d.estimated) == (date(2027, 1, 11), False)
    assert "calendar-estimated" not in {w.code for w in decision.warnings}
    assert "test fixture arrangement" in d.calendar


# ---- pack status warnings -----------------------------------------------------------------------

def codes(decision):
    return [w.code for w in decision.warnings]


def test_in_force_pack_has_no_warnings(base):
    assert codes(evaluate(base, GOOD_APPLICATION, "application", as_of=ON)) == []


def test_draft_source_warns(tmp_path):
    pack = load(fresh_base(tmp_path, lambda t: t.replace("status: in_force", "status: draft")
                           .replace("in_force: 2021-02-01", "in_force: null")))
    assert codes(evaluate(pack, GOOD_APPLICATION, "application", as_of=date(2025, 6, 3))) == ["pack-draft"]


def test_expired_source_warns_after_its_last_day(tmp_path):
    pack = load(fresh_base(tmp_path, lambda t: t.replace("expires: null", "expires: 2024-12-31")))
    assert codes(evaluate(pack, GOOD_APPLICATION, "application", as_of=date(2024, 12, 31))) == []
    assert codes(evaluate(pack, GOOD_APPLICATION, "application", as_of=date(2025, 1, 1))) == ["pack-expired"]


def test_source_marked_expired_warns(tmp_path):
    pack = load(fresh_base(tmp_path, lambda t: t.replace("status: in_force", "status: expired")))
    assert codes(evaluate(pack, GOOD_APPLICATION, "application", as_of=date(2025, 6, 4))) == ["pack-expired"]


def test_source_not_yet_in_force_warns(base):
    assert codes(evaluate(base, GOOD_APPLICATION, "application", as_of=date(2021, 1, 31))) == [
        "pack-not-yet-in-force"]
    assert codes(evaluate(base, GOOD_APPLICATION, "application", as_of=date(2021, 2, 1))) == []


# ---- bad case data --------------------------------------------------------------------------------

@pytest.mark.parametrize("data, code, path, hint", [
    ({"institution": {"bedz": 3}}, "unknown-field", "institution.bedz", "did you mean 'beds'?"),
    ({"institutions": {}}, "unknown-field", "institutions", "did you mean 'institution'?"),
    ({"institution": {"beds": "many"}}, "type-mismatch", "institution.beds", ""),
    ({"institution": {"beds": 3.5}}, "type-mismatch", "institution.beds", ""),
    ({"institution": {"people": {"name": "x"}}}, "type-mismatch", "institution.people", ""),
    ({"institution": "big"}, "type-mismatch", "institution", ""),
    ({"institution": {"type": "clinc"}}, "bad-value", "institution.type", "did you mean 'clinic'?"),
    ({"application": {"accepted_on": "2025-02-30"}}, "bad-date", "application.accepted_on", "YYYY-MM-DD"),
    ({"history": {"fraudulent_application_found_on": ["2025-01-01", "soon"]}}, "bad-date",
     "history.fraudulent_application_found_on[1]", ""),
    ({"agreement": {"suspensions": [{"started_on": "2025-01-01", "ended": "2025-02-01"}]}}, "unknown-field",
     "agreement.suspensions[0].ended", ""),
    ({"institution": {"beds": -1}}, "invalid-value", "institution.beds", None),
])
def test_bad_case_data_raises_case_error_with_a_path(base, data, code, path, hint):
    with pytest.raises(CaseError) as info:
        parse_case(data)
    [d] = info.value.diagnostics
    assert (d.code, d.path) == (code, path), d.format()
    if hint is not None:
        assert hint in d.hint
    with pytest.raises(CaseError):
        evaluate(base, data, "application", as_of=ON)


@pytest.mark.parametrize("data", [[1, 2], "institution: {}", None, 3])
def test_case_that_is_not_a_mapping(base, data):
    with pytest.raises(CaseError) as info:
        parse_case(data)
    assert [d.code for d in info.value.diagnostics] == ["not-a-mapping"]
    assert info.value.diagnostics[0].hint
    with pytest.raises(CaseError):
        evaluate(base, data, "application", as_of=ON)


def test_every_mistake_of_a_case_is_reported_together():
    with pytest.raises(CaseError) as info:
        parse_case({"institution": {"bedz": 1, "type": "clinc"}, "application": {"accepted_on": "x"}})
    assert sorted((d.code, d.path) for d in info.value.diagnostics) == [
        ("bad-date", "application.accepted_on"), ("bad-value", "institution.type"),
        ("unknown-field", "institution.bedz")]


def test_case_from_json_syntax_error():
    with pytest.raises(CaseError) as info:
        case_from_json('{"institution": {"beds": 3,}}', source="c.json")
    [d] = info.value.diagnostics
    assert (d.code, d.location.file, d.location.line) == ("json-syntax", "c.json", 1)
    assert d.location.column == len('{"institution": {"beds": 3,') + 1


def test_case_file_errors_are_located(tmp_path):
    f = tmp_path / "case.yaml"
    f.write_text("case:\n  institution:\n    beds: many\nas_of: 2025-06-01\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case_file(f)
    [d] = info.value.diagnostics
    assert (d.code, d.path, d.location.line, d.location.column) == ("type-mismatch", "case.institution.beds", 3, 11)
    f.write_text("case:\n  institution: {}\nwhen: 2025-06-01\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case_file(f)
    [d] = info.value.diagnostics
    assert (d.code, d.location.line, d.location.column) == ("unknown-field", 3, 1)
    f.write_text("- institution: {}\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case_file(f)
    assert [d.code for d in info.value.diagnostics] == ["not-a-mapping"]
    f.write_text(json.dumps({"institution": {"beds": 3}}), encoding="utf-8")
    case, extras = load_case_file(f)
    assert case.institution.beds == 3 and extras == {}


def test_unknown_question_is_an_evaluation_error(base):
    with pytest.raises(EvaluationError) as info:
        evaluate(base, {}, "renewal", as_of=ON)
    for q in ("application", "agreement", "request", "conduct", "deadlines"):
        assert q in str(info.value)


def test_a_pack_may_be_named_by_id_or_folder_and_anything_else_is_a_clear_error() -> None:
    # evaluate_frame takes a pack id; evaluate raised AttributeError ('str' object has no attribute 'plans')
    import pytest as _pytest
    from pathlib import Path as _Path
    import dingdian_rules as _dr
    from dingdian_rules.errors import EvaluationError as _EvaluationError
    case = {"institution": {"type": "clinic", "beds": 0}}
    loaded = _dr.evaluate(_dr.load_pack("national"), case, "application", as_of="2025-06-01")
    folder = _Path(__file__).resolve().parents[1] / "rulepacks" / "national"
    for named in ("national", folder, str(folder)):
        got = _dr.evaluate(named, case, "application", as_of="2025-06-01")
        assert (got.outcome, got.fired, got.missing_facts) == (loaded.outcome, loaded.fired, loaded.missing_facts)
    assert set(_dr.evaluate_all("national", case, as_of="2025-06-01")) == {"application", "deadlines"}
    with _pytest.raises(_EvaluationError, match="pack must be a loaded pack"):
        _dr.evaluate(42, case, "application", as_of="2025-06-01")


@pytest.mark.parametrize("bad", ["2025/06/01", "20250601", 20250601, "2025-02-30"])
def test_as_of_is_a_day_or_its_iso_text_and_anything_else_is_a_clear_error(bad: object) -> None:
    # a string as_of raised TypeError ('<' not supported between 'str' and 'datetime.date') deep inside
    from datetime import datetime
    pack = load_pack("national")
    case = {"institution": {"type": "clinic", "beds": 0}}
    by_text = evaluate(pack, case, "application", as_of="2025-06-01")
    by_day = evaluate(pack, case, "application", as_of=date(2025, 6, 1))
    assert (by_text.outcome, by_text.as_of, by_text.fired) == (by_day.outcome, by_day.as_of, by_day.fired)
    for wrong in (bad, datetime(2025, 6, 1, 8, 0)):
        with pytest.raises(EvaluationError, match="as_of must be a day"):
            evaluate(pack, case, "application", as_of=wrong)
