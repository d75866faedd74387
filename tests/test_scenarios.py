"""Scenario cases: every bundled pack's tests/*.yaml as one pytest test each, and the comparison logic.

A bundled scenario fails here exactly as it fails in ``dingdian-rules test``; the test id is
``pack/file/scenario name``, so ``pytest -k national/application`` picks a pack's file.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.packs.chain import bundled_root
from dingdian_rules.packs.loader import load_pack
from dingdian_rules.analysis.scenarios import (ScenarioCase, ScenarioResult, check_expectation, load_scenario_file,
                                      run_scenario, run_scenarios, scenario_files)
from dingdian_rules.packs.scenario_schema import Expectation

PACKS = Path(__file__).parent / "fixtures" / "cli" / "packs"
MINI = PACKS / "mini"


# --- the bundled packs' scenarios -----------------------------------------------------------
def _bundled() -> list:
    params = []
    for pack_id in dr.bundled_pack_ids():
        for path in scenario_files(bundled_root() / pack_id):
            cases, broken = load_scenario_file(path)
            for item in cases:
                params.append(pytest.param(pack_id, item, id=f"{pack_id}/{path.name}/{item.name}"))
            for result in broken:
                params.append(pytest.param(pack_id, result, id=f"{pack_id}/{path.name}/{result.name}"))
    return params


@lru_cache(maxsize=None)
def _pack(pack_id: str) -> dr.ResolvedPack:
    return dr.load_pack(pack_id)


@pytest.mark.parametrize("pack_id,item", _bundled())
def test_bundled_scenario(pack_id: str, item: ScenarioCase | ScenarioResult) -> None:
    if isinstance(item, ScenarioResult):
        result = item
    else:
        try:
            pack = _pack(pack_id)
        except dr.PackError as exc:
            pytest.fail(str(exc), pytrace=False)
        result = run_scenario(pack, item)
    if not result.passed:
        pytest.fail(f"{result.location}: {result.name}\n  " + "\n  ".join(result.problems), pytrace=False)


# --- the runner on fixture packs ------------------------------------------------------------
def test_fixture_pack_passes():
    results = run_scenarios(MINI)
    assert [r.name for r in results][:2] == ["fraud found 2 years ago -> not accepted",
                                             "120 beds, department unknown -> undetermined"]
    assert all(r.passed and not r.problems for r in results)
    first = results[0]
    assert Path(first.file).name == "application.yaml" and (first.line, first.column) == (2, 5)
    assert first.question == "application" and first.decision is not None


def test_accepts_a_loaded_pack_and_search_paths():
    pack = dr.load_pack(MINI)
    assert len(run_scenarios(pack)) == len(run_scenarios("mini", search=[PACKS]))


def _failing() -> dict[str, ScenarioResult]:
    return {r.name: r for r in run_scenarios(PACKS / "mini_failing")}


def test_every_wrong_expectation_is_reported():
    results = _failing()
    assert results["passes"].passed
    wrong = results["every expectation wrong"]
    assert not wrong.passed
    assert wrong.problems == [
        "outcome: expected conditions_met, got not_accepted (fired: non_acceptance.fraud)",
        "fired: expected eligibility.insurance_department to fire, got unknown "
        "(missing: institution.has_insurance_department)",
        "fired: 'rescission.insurance_fraud' is not a candidate rule of the application question "
        "(it is a rescission rule of pack mini_failing)",
        "fired: 'non_acceptance.frau' is not a candidate rule of the application question; "
        "did you mean 'non_acceptance.fraud'?",
        "not_fired: non_acceptance.fraud fired, expected it not to fire",
        "missing: expected fact institution.type to be reported missing; "
        "missing facts: institution.has_insurance_department",
        "deadlines: time_limit.materials_notice due 2030-10-10, expected 2030-10-09",
        "deadlines: no deadline time_limit.other was computed (computed: time_limit.materials_notice)",
        "measures: expected measure interview; got none",
        "warnings: expected warning pack-draft; got none",
    ]


def test_unknown_is_not_not_fired():
    r = _failing()["unknown is not not_fired"]
    assert r.problems == ["not_fired: expected eligibility.insurance_department not to fire, got unknown "
                          "(missing: institution.has_insurance_department)"]


def test_invalid_scenarios_fail_with_located_diagnostics():
    results = _failing()
    bad_case = results["bad case data"]
    assert not bad_case.passed and (bad_case.line, bad_case.column) == (44, 27)
    assert [d.code for d in bad_case.diagnostics] == ["type-mismatch"]
    assert bad_case.diagnostics[0].path == "scenarios[3].case.institution.beds"
    bad_key = results["misspelt key"]
    assert (Path(bad_key.file).name, bad_key.line, bad_key.column) == ("invalid.yaml", 3, 15)
    assert bad_key.problems == ["error[bad-value]: 'aplication' is not an allowed value (at scenarios[0].question); "
                                "did you mean 'application'?"]


def test_one_bad_scenario_does_not_hide_the_others(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text("scenarios:\n"
                    "  - {name: good, question: deadlines, as_of: 2030-01-01, reading: art. 8, case: {}, "
                    "expect: {outcome: computed}}\n"
                    "  - {name: bad, question: deadlines, as_of: 2030-01-01, reading: art. 8, case: {}, "
                    "expect: {outcom: computed}}\n",
                    encoding="utf-8")
    cases, broken = load_scenario_file(path)
    assert [c.name for c in cases] == ["good"]
    assert [(b.name, b.line) for b in broken] == [("bad", 3)]
    assert any("unknown field 'outcom'" in p for p in broken[0].problems)


@pytest.mark.parametrize("text,code", [
    ("scenarios: [\n", "yaml-syntax"),
    ("- a list\n", "type-mismatch"),
    ("scenarios: []\nextra: 1\n", "unknown-field"),
])
def test_unreadable_scenario_file_is_one_failure(tmp_path, text, code):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    cases, broken = load_scenario_file(path)
    assert cases == [] and len(broken) == 1
    assert broken[0].name == "broken.yaml" and not broken[0].passed
    assert code in [d.code for d in broken[0].diagnostics]


def test_scenario_files_sorted(tmp_path):
    (tmp_path / "tests").mkdir()
    for name in ("b.yaml", "a.yaml", "notes.txt"):
        (tmp_path / "tests" / name).write_text("", encoding="utf-8")
    assert [p.name for p in scenario_files(tmp_path)] == ["a.yaml", "b.yaml"]
    assert scenario_files(tmp_path / "missing") == []


def test_check_expectation_directly():
    pack = dr.load_pack(MINI)
    case = {"conduct": {"breached_agreement": True, "loss_amount": 100}}
    decision = dr.evaluate(pack, case, "conduct", as_of=date(2030, 1, 1))
    good = Expectation(outcome="measures_available", fired=["measures.breach"], measures=["rectification"])
    assert check_expectation(decision, good) == []
    bad = Expectation(outcome="measures_available", not_fired=["nothing.here"], measures=["rescind_agreement"])
    problems = check_expectation(decision, bad)  # without the pack: no kind, no hint beyond the plan
    assert problems == ["not_fired: 'nothing.here' is not a candidate rule of the conduct question",
                        "measures: expected measure rescind_agreement; got interview, liquidated_damages, rectification"]


def test_pack_that_does_not_load_raises():
    with pytest.raises(dr.PackError):
        run_scenarios(PACKS / "broken")


@pytest.mark.parametrize("reading, ok", [
    (None, False), ("", False), ("the bar still runs", False), ("art. 12(4): 未满3年", True),
    ("第十二条第（四）项：未满3年", True), ("民法典 art. 203: rolled to the next working day", True),
])
def test_a_scenario_states_the_reading_that_decides_it(tmp_path, reading, ok):
    """Issue 16: ``reading:`` is required and cites the article that decides the expected answer."""
    path = tmp_path / "readings.yaml"
    line = "  - {name: r, question: deadlines, as_of: 2030-01-01, case: {}, expect: {outcome: computed}"
    line += (f", reading: '{reading}'" if reading is not None else "") + "}\n"
    path.write_text("scenarios:\n" + line, encoding="utf-8")
    cases, broken = load_scenario_file(path)
    assert (len(cases), len(broken)) == ((1, 0) if ok else (0, 1))
    if not ok:
        assert any("reading" in p for p in broken[0].problems)


def test_scenarios_assert_amounts_durations_and_what_is_ordered():
    """Issue 16: a changed rate or span fails a scenario, not only the load-time lint."""
    pack = load_pack("qinghai_agreement")
    case = {"conduct": {"breach_items": ["65.2"], "self_found_and_corrected": False, "non_compliant_costs": 100000}}
    decision = dr.evaluate(pack, case, "conduct", as_of=date(2025, 6, 1))
    good = Expectation(outcome="measures_required", mandatory=["refuse_or_recover_payment"],
                       amounts={"measures.tier3.options": {"liquidated_damages": {"base": 100000, "max": 10000}}},
                       durations={"measures.tier3.options": {"suspend_staff_or_department_services":
                                                             {"min": [3, "months"], "max": [6, "months"]}}})
    assert check_expectation(decision, good, pack) == []
    bad = Expectation(outcome="measures_required", mandatory=["liquidated_damages"],
                      amounts={"measures.tier3.options": {"liquidated_damages": {"max": 20000}}},
                      durations={"measures.tier3.options": {"suspend_staff_or_department_services":
                                                            {"max": [1, "years"]}}})
    problems = check_expectation(decision, bad, pack)
    assert [p.split(":")[0] for p in problems] == ["mandatory", "amounts", "durations"]
    assert "only allowed" in problems[0] and "is 10000.0, expected 20000" in problems[1]


def test_scenarios_assert_modality_and_parameters():
    """Issue 16: a time limit's modality decides no outcome and a parameter no rule reads shows in
    no decision, so a scenario can state both as the text gives them (art. 42: 不得超过180日 is
    shall_not; art. 8: 应当 … 5个工作日 is shall; art. 12(5): 未满3年)."""
    pack = load_pack("national")
    case = {"request": {"kind": "suspend", "effective_on": "2025-04-04", "filed_on": "2024-12-01"}}
    decision = dr.evaluate(pack, case, "deadlines", as_of=date(2025, 1, 1))
    good = Expectation(outcome="computed", modality={"time_limit.requested_suspension_max": "shall_not",
                                                     "time_limit.request_notice": "shall"},
                       parameters={"requested_suspension_max_days": 180, "violation_rescission_bar": 3})
    assert check_expectation(decision, good, pack) == []
    bad = Expectation(outcome="computed", modality={"time_limit.requested_suspension_max": "may",
                                                    "time_limit.no_such_limit": "shall"},
                      parameters={"requested_suspension_max_days": 181, "violation_rescision_bar": 3})
    problems = check_expectation(decision, bad, pack)
    assert problems[0] == "modality: time_limit.requested_suspension_max is shall_not, expected may"
    assert problems[1].startswith("modality: 'time_limit.no_such_limit' is not a candidate rule")
    assert problems[2] == "parameters: requested_suspension_max_days is 180 days, expected 181"
    assert problems[3] == ("parameters: 'violation_rescision_bar' is not a parameter of the pack; "
                           "did you mean 'violation_rescission_bar'?")
    assert check_expectation(decision, Expectation(outcome="computed", parameters={"x": 1}))[0].endswith(
        "cannot be checked without the pack")
