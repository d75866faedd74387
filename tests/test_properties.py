"""Property tests of the evaluator and of the national pack (国家医疗保障局令第2号).

Cases come from ``dingdian_rules.testing``; run fast with ``HYPOTHESIS_PROFILE=ci`` (60
derandomized examples per test). Properties that fail because of an engine bug are kept and
marked ``xfail(strict=True)`` with the reason, and carry an explicit example of the bug (an
``@example`` or a fixed case), so they fail the same way under every profile and turn into an
XPASS error once it is fixed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from hypothesis import event, example, given, strategies as st

import dingdian_rules as dr
from dingdian_rules import testing
from dingdian_rules.facts import Case, InstitutionType, Licence, Material
from dingdian_rules.testing import (QUESTION_SECTIONS, as_of_dates, cases, closed_world_facts, complete_cases, dated_cases,
                                    dates_near, facts_read, fill_unknowns, leaf_fact_paths, rules_testing_known)
from dingdian_rules.timecalc import elapsed_period
from oracles import art12_grounds

PACK = dr.load_pack("national")
DECIDING = ("application", "agreement", "request", "conduct")
RATES = st.sampled_from([0.0, 0.05, 0.15, 0.35])



def statuses(d: dr.Decision) -> dict[str, str]:
    return {r.id: r.status for r in d.rules}


def without_traces(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: without_traces(v) for k, v in x.items() if k != "trace"}
    if isinstance(x, list):
        return [without_traces(v) for v in x]
    return x


def test_importing_the_library_does_not_need_hypothesis() -> None:
    """hypothesis is a test extra: only ``dingdian_rules.testing`` imports it."""
    code = "import sys, dingdian_rules; assert 'hypothesis' not in sys.modules, 'hypothesis imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_question_sections_cover_what_packs_read(pack_id: str) -> None:
    """``complete_cases(q)`` is complete only if q's rules read no section it leaves out."""
    pack = PACK if pack_id == "national" else dr.load_pack(pack_id)
    leaves = set(leaf_fact_paths())
    known = leaves | {p + "[]" for p in leaves} | set(Case.model_fields)  # a section may be tested as a whole
    for q in dr.QUESTIONS:
        read = facts_read(pack, q)
        assert read <= known, read - known
        sections = {p.split(".")[0] for p in read}
        assert sections <= set(QUESTION_SECTIONS[q]), f"{q}: add {sections - set(QUESTION_SECTIONS[q])}"


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("question", dr.QUESTIONS)
@given(case_date=st.data())
def test_evaluation_is_deterministic(question: str, case_date: st.DataObject) -> None:
    """The same case, asked twice, gives equal decisions, and tracing changes nothing but the
    traces: outcome, fired ids, unknown ids, missing facts, deadlines, measures, warnings and
    ``to_dict()`` (minus the ``trace`` trees only a traced decision has). Rests on no article: the
    answer must not depend on evaluation order or mode."""
    case, as_of = case_date.draw(dated_cases(question, unknown_rates=RATES))
    t1 = dr.evaluate(PACK, case, question, as_of=as_of, trace=True)
    t2 = dr.evaluate(PACK, case, question, as_of=as_of, trace=True)
    u1 = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    u2 = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    assert t1.to_dict() == t2.to_dict()
    assert u1.to_dict() == u2.to_dict()
    for a, b in ((t1, u1), (t1, t2)):
        assert a.outcome == b.outcome
        assert a.fired == b.fired
        assert a.unknown == b.unknown
        assert a.missing_facts == b.missing_facts
        assert a.deadlines == b.deadlines
        assert a.measures == b.measures
        assert a.warnings == b.warnings
    assert without_traces(t1.to_dict()) == u1.to_dict()
    assert all(r.trace is not None for r in t1.rules) and all(r.trace is None for r in u1.rules)
    round_trips(u1)  # untraced to_dict() is plain JSON (docs/decision.md)


_WORKING_DAY_BAR_PACK = """\
id: wd_bar
name: {zh: 工作日期限测试, en: Working-day bar fixture}
level: national
extends: null
region_code: "000000"
sources:
  - {id: nhsa_order_2, title: 医疗机构医疗保障定点管理暂行办法, number: 国家医疗保障局令第2号, issuer: 国家医疗保障局,
     issued: 2020-12-30, in_force: 2021-02-01, expires: null, status: in_force, file: sources/nhsa_order_2.txt}
holidays: []
"""
_WORKING_DAY_BAR_RULES = """\
parameters:
  - id: bar
    title: {zh: 期限, en: A bar counted in working days}
    value: 5
    unit: working_days
    citation: {document: nhsa_order_2, article: 8, quote: 自收到材料之日起5个工作日内一次性告知医疗机构补充}
rules:
  - id: non_acceptance.recent_fraud
    kind: non_acceptance
    title: {zh: 近期弄虚作假, en: Fraud found within the bar}
    citation: {document: nhsa_order_2, article: 12, item: 4, quote: 以弄虚作假等不正当手段申请定点，自发现之日起未满3年的}
    modality: shall_not
    modality_source: 不予受理 in art. 12's chapeau (a fixture; national cites the chapeau under also_cites)
    when: any(d in history.fraudulent_application_found_on where within(d, $bar))
    outcome: not_accepted
"""


def test_tracing_does_not_change_calendar_warnings(tmp_path: Any) -> None:
    """Tracing records values, it must not change the decision: here a bar counted in working
    days (a pack may set one, cf. art. 8's 5个工作日) whose first item decides any(), and a later
    item in 2003, a year the working-day calendar does not cover."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "sources").mkdir()
    national = dr.load_pack("national")
    src = next(iter(national.sources.values())).path
    (tmp_path / "sources" / "nhsa_order_2.txt").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "pack.yaml").write_text(_WORKING_DAY_BAR_PACK, encoding="utf-8")
    (tmp_path / "rules" / "rules.yaml").write_text(_WORKING_DAY_BAR_RULES, encoding="utf-8")
    pack = dr.load_pack(tmp_path)
    case = {"history": {"fraudulent_application_found_on": ["2025-05-30", "2003-01-06"]}}
    t = dr.evaluate(pack, case, "application", as_of=date(2025, 6, 3), trace=True)
    u = dr.evaluate(pack, case, "application", as_of=date(2025, 6, 3), trace=False)
    assert t.outcome == u.outcome == "not_accepted"
    assert t.warnings == u.warnings


# --- unknown facts ---------------------------------------------------------------------------


@pytest.mark.parametrize("question", DECIDING)
@given(data=st.data())
def test_an_unknown_fact_never_decides(question: str, data: st.DataObject) -> None:
    """Kleene monotonicity: a definite outcome, and each definitely fired / not fired rule, stay
    the same whatever values the unknown facts are given.

    Facts the pack tests with ``is known`` (``closed_world_facts``: request.kind, the home
    region's action, a suspension's ended_on / resume_applied_on) are read as events whose absence
    is meaningful, so they stay unknown here. Rests on the staged reading of arts. 5-7, 12 (an
    application), 41-43 (termination before rescission before suspension), 44 and 38/45."""
    case, as_of = data.draw(dated_cases(question, unknown_rates=RATES))
    d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    filled = data.draw(fill_unknowns(case, around=as_of, keep=closed_world_facts(PACK, question)))
    d2 = dr.evaluate(PACK, filled, question, as_of=as_of, trace=False)
    event(f"outcome {d.outcome}")
    if d.outcome != "undetermined":
        assert d2.outcome == d.outcome
    before, after = statuses(d), statuses(d2)
    for rid, status in before.items():
        if status != "unknown":
            assert after[rid] == status, rid


@pytest.mark.parametrize("question", DECIDING)
@given(data=st.data())
def test_missing_facts_are_sufficient(question: str, data: st.DataObject) -> None:
    """Giving complete values to every fact in ``missing_facts`` settles the case.

    Precisely, with C' = C with each listed fact filled (lists with fully known items;
    ``x[].f`` in every item): (a) every rule that was unknown and whose condition does not test
    ``is known`` is known under C'; (b) at least one rule that was unknown is known; (c) when no
    candidate rule of the question tests ``is known`` (application, request, conduct in the
    national pack), the outcome under C' is definite. A rule with ``is known`` can become unknown
    again when a closed-world fact it tests is filled for another rule, so (a) and (c) exclude it.
    Rests on arts. 5-7 and 12 (application), 41-44 and 38/45, as encoded."""
    case, as_of = data.draw(dated_cases(question, unknown_rates=st.sampled_from([0.1, 0.25, 0.5])))
    d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    event(f"outcome {d.outcome}")
    if d.outcome != "undetermined":
        return
    assert d.missing_facts, "an undetermined decision must say which facts would settle it"
    filled = data.draw(fill_unknowns(case, around=as_of, only=d.missing_facts, complete=True))
    d2 = dr.evaluate(PACK, filled, question, as_of=as_of, trace=False)
    nonmonotone = rules_testing_known(PACK)
    still = set(d.unknown) & set(d2.unknown)
    assert not (still - nonmonotone), f"still unknown after filling {d.missing_facts}: {still}"
    assert set(d.unknown) - set(d2.unknown), "no unknown rule was settled"
    if not ({r.id for r in PACK.plans[question].rules} & nonmonotone):
        assert d2.outcome != "undetermined", d2.missing_facts


@given(data=st.data())
def test_complete_cases_are_decided(data: st.DataObject) -> None:
    """With every fact known, every candidate rule of every question is known and each outcome
    is definite, with no missing facts (the staged decisions of arts. 5-7/12, 41-44, 38/45)."""
    as_of = data.draw(as_of_dates())
    case = data.draw(complete_cases(None, around=as_of))
    for question in dr.QUESTIONS:
        d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
        assert d.outcome != "undetermined", question
        assert d.unknown == () and d.missing_facts == (), question


# --- the national text -----------------------------------------------------------------------

ART5_TYPES = frozenset(InstitutionType) - {InstitutionType.internet_hospital, InstitutionType.other}
ART5_LICENCES = frozenset({Licence.practice_licence, Licence.tcm_clinic_record, Licence.military_civilian_service})
ART7_MATERIALS = frozenset({Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                            Material.it_system_materials, Material.fund_use_forecast,
                            Material.provincial_other_materials})




@given(case_date=dated_cases("application", unknown_rates=RATES))
def test_art12_ground_means_not_accepted(case_date: tuple[Case, date]) -> None:
    """Art. 12 (不予受理) and art. 9 para. 2 (1年内不得再次申请): when a ground is definitely
    fired, or the known facts alone establish one (read from the text), the application is
    ``not_accepted`` whatever else is unknown."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "application", as_of=as_of, trace=False)
    if any(r.rule.kind == "non_acceptance" and r.status == "fired" for r in d.rules):
        assert d.outcome == "not_accepted"
    grounds = art12_grounds(case, as_of)
    event(f"outcome {d.outcome}; grounds established by the text: {bool(grounds)}")
    if grounds:
        assert d.outcome == "not_accepted", grounds


ART6_ALWAYS = ("operating_since", "physicians_first_registered_here", "principal_in_charge_of_insurance",
               "has_insurance_staff", "has_required_systems", "has_it_connection", "meets_other_statutory_conditions")


def art5_6_7_established(case: Case, as_of: date) -> bool:
    """Arts. 5, 6 (应当同时具备) and 7 (至少提供) established by the known facts alone."""
    inst, app = case.institution, case.application
    if inst is None or app is None:
        return False
    art5 = inst.licence in ART5_LICENCES and (inst.type in ART5_TYPES or (
        inst.type == InstitutionType.internet_hospital and app.is_internet_supplementary is True
        and inst.physical_institution_designated is True))
    art6 = (inst.operating_since is not None and elapsed_period(inst.operating_since, as_of, 3, "months")  # (1)
            and inst.physicians_first_registered_here is not None and inst.physicians_first_registered_here >= 1
            and inst.principal_in_charge_of_insurance is True and inst.has_insurance_staff is True  # (3)
            and ((inst.beds is not None and inst.beds < 100)  # (3) 100张床位以上
                 or (inst.has_insurance_department is True and inst.has_full_time_insurance_staff is True))
            and inst.has_required_systems is True and inst.has_it_connection is True  # (4), (5)
            and inst.meets_other_statutory_conditions is True)  # (6)
    art7 = app.materials is not None and ART7_MATERIALS <= set(app.materials)
    return art5 and art6 and art7


@given(case_date=dated_cases("application", unknown_rates=st.sampled_from([0.0, 0.02, 0.05, 0.1])))
def test_application_fails_closed(case_date: tuple[Case, date]) -> None:
    """Art. 6 (应当同时具备以下基本条件), with arts. 5 and 7: an application is never
    ``conditions_met`` while a fact an art. 6 item needs is unknown. Operation, physicians,
    insurance responsibility, systems, IT and other conditions are always needed; beds may stay
    unknown only when the department and full-time staff are in place (art. 6(3))."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "application", as_of=as_of, trace=False)
    inst = case.institution
    event(f"outcome {d.outcome}")
    if any(getattr(inst, f) is None for f in ART6_ALWAYS):
        assert d.outcome != "conditions_met"
    if d.outcome == "conditions_met":
        assert art5_6_7_established(case, as_of)


def _suspension(requested: st.SearchStrategy[bool | None], around: date) -> st.SearchStrategy[dict[str, Any]]:
    maybe_date = st.none() | dates_near(around)
    return st.fixed_dictionaries({
        "started_on": maybe_date, "ended_on": maybe_date, "resume_applied_on": maybe_date,
        "rectified_as_required": st.none() | st.booleans(), "requested_by_institution": requested})


@st.composite
def repeated_suspension_cases(draw: Any, extra_origin: st.SearchStrategy[bool | None]) -> tuple[Case, date]:
    """Agreement cases with at least two suspensions imposed by the agency in the current term,
    plus up to two more whose origin is drawn from ``extra_origin``."""
    case, as_of = draw(dated_cases("agreement", unknown_rates=RATES))
    imposed = draw(st.lists(_suspension(st.just(False), as_of), min_size=2, max_size=3))
    extra = draw(st.lists(_suspension(extra_origin, as_of), max_size=2))
    data = case.model_dump()
    data["agreement"]["suspensions"] = draw(st.permutations(imposed + extra))
    return Case.model_validate(data), as_of


def _assert_at_least_rescind(case: Case, as_of: date) -> None:
    d = dr.evaluate(PACK, case, "agreement", as_of=as_of, trace=False)
    event(f"outcome {d.outcome}")
    if any(r.rule.kind == "termination" and r.status == "unknown" for r in d.rules):
        return
    assert d.outcome in ("rescind", "terminate"), (d.outcome, d.unknown)


@given(case_date=repeated_suspension_cases(st.booleans()))
def test_art43_1_two_suspensions_rescind(case_date: tuple[Case, date]) -> None:
    """Art. 43(1) (医保协议有效期内累计2次及以上被中止医保协议 … 应解除): two or more suspensions
    imposed in the term lead at least to rescission (rescind, or terminate under arts. 41-42),
    whenever no termination trigger is unknown; here every suspension's origin is known."""
    _assert_at_least_rescind(*case_date)


_A43_REPRO = Case.model_validate({"agreement": {
    "term_start": "2025-01-01", "term_end": "2025-12-31", "renewal_agreed": True, "is_home_region": True,
    "suspensions": [{"requested_by_institution": False, "rectified_as_required": True, "started_on": "2025-02-01",
                     "ended_on": "2025-02-10"},
                    {"requested_by_institution": False, "rectified_as_required": True, "started_on": "2025-03-01",
                     "ended_on": "2025-03-10"},
                    {"rectified_as_required": True, "started_on": "2025-04-01", "ended_on": "2025-04-10"}]},
    "conduct": {f: False for f in ("obtained_designation_by_fraud", "insurance_fraud_confirmed",
                                   "settled_for_non_designated", "obstructed_supervision_seriously",
                                   "major_change_not_registered", "closure_not_reported", "major_violation_major_loss",
                                   "licence_revoked_or_cancelled", "principal_unable_or_dishonest",
                                   "admin_penalty_decision_unfulfilled", "agreement_requires_rescission",
                                   "law_requires_rescission")}})


@given(case_date=repeated_suspension_cases(st.none() | st.booleans()))
@example(case_date=(_A43_REPRO, date(2025, 6, 1)))
def test_art43_1_two_suspensions_rescind_with_a_third_of_unknown_origin(case_date: tuple[Case, date]) -> None:
    """Art. 43(1), as above, when a further suspension's origin (requested_by_institution) is
    unknown: two imposed suspensions already make 2次及以上, whatever the third is."""
    _assert_at_least_rescind(*case_date)


@st.composite
def public_requests(draw: Any) -> tuple[Case, date]:
    case, as_of = draw(dated_cases("request", unknown_rates=RATES))
    data = case.model_dump()
    data["institution"]["is_public"] = True
    data["request"]["kind"] = draw(st.sampled_from(["suspend", "rescind"]))
    return Case.model_validate(data), as_of


@given(case_date=public_requests())
def test_art44_public_institution_may_not_request_suspension_or_rescission(case_date: tuple[Case, date]) -> None:
    """Art. 44 para. 1 (公立医疗机构不得主动提出中止或解除医保协议): a public institution's request
    to suspend or rescind is refused, never ``request_allowed``, whatever else is unknown."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "request", as_of=as_of, trace=False)
    assert d.outcome != "request_allowed"
    assert d.outcome == "request_refused"


@given(case_date=dated_cases("conduct", unknown_rates=RATES))
@example(case_date=(Case.model_validate({"conduct": {"breached_agreement": True}}), date(2025, 6, 1)))
def test_art38_breach_makes_measures_available(case_date: tuple[Case, date]) -> None:
    """Arts. 38 and 45 (可 … 采取以下处理方式): when a breach is found the agency may take the
    measures, so the outcome is ``measures_available`` whatever the (equally optional) art. 45
    facts are; no rule of the national pack makes a measure mandatory."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "conduct", as_of=as_of, trace=False)
    if case.conduct is not None and case.conduct.breached_agreement is True:
        assert d.outcome == "measures_available", d.unknown


# --- JSON ------------------------------------------------------------------------------------


def round_trips(d: dr.Decision) -> None:
    out = d.to_dict()
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


@given(case_date=dated_cases(None, unknown_rates=st.sampled_from([0.0, 0.1])))
@example(case_date=(Case.model_validate({"institution": {"people": [{"is_on_dishonesty_list": False}]}}),
                    date(2025, 6, 1)))  # trace values that are fact records (a bug this test found)
def test_json_round_trip_traced(case_date: tuple[Case, date]) -> None:
    """Traced ``to_dict()`` is plain JSON too, for every question, including the trace values of
    lists of objects (institution.people, history.rescissions, agreement.suspensions, ...).
    Untraced decisions are checked in the determinism test."""
    case, as_of = case_date
    for question in dr.QUESTIONS:
        round_trips(dr.evaluate(PACK, case, question, as_of=as_of, trace=True))


@given(case=cases("agreement", unknown_rate=0.3))
def test_generated_cases_never_contradict_a_combined_fact(case: Case) -> None:
    """National art. 43(9) reads one fact for 吊销 or 注销, 青海 arts. 67(9) and 80(2) read one
    each: a generated case must not say "revoked or cancelled" and "neither" at once, or a
    comparison of the two packs would judge two different worlds."""
    for combined, parts in testing.COMBINED_FACTS.items():
        section, name = combined.split(".")
        facts = getattr(case, section)
        whole = getattr(facts, name)
        values = [getattr(facts, p.split(".")[1]) for p in parts]
        if all(v is not None for v in values) and whole is not None:  # unknown contradicts nothing
            assert whole == any(values)
        if whole is False:
            assert not any(values)


@given(data=st.data())
def test_filled_cases_never_contradict_a_combined_fact_and_keep_what_was_known(data: st.DataObject) -> None:
    """``fill_unknowns`` keeps the same consistency, and never changes a fact the case gave."""
    case = data.draw(cases("agreement", unknown_rate=0.6))
    filled = data.draw(fill_unknowns(case))
    for combined, parts in testing.COMBINED_FACTS.items():
        section, name = combined.split(".")
        before, after = getattr(case, section), getattr(filled, section)
        for n in (name, *(p.split(".")[1] for p in parts)):
            if getattr(before, n) is not None:
                assert getattr(after, n) == getattr(before, n)
        whole = getattr(after, name)
        values = [getattr(after, p.split(".")[1]) for p in parts]
        if all(v is not None for v in values) and whole is not None:
            assert whole == any(values)
        if whole is False:
            assert not any(values)
