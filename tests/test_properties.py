"""Property tests of the evaluator and of the national pack (国家医疗保障局令第2号).

Cases come from ``dingdian_rules.testing``, and for the text-based properties from strategies
built on it that reach the article's cases (a ground established, a boundary crossed, a decision
left open), with ``@example``s on both sides of each number (tests/boundary_cases.py). Run fast
with ``HYPOTHESIS_PROFILE=ci`` (60 derandomized examples per test), or ``thorough`` for 2,000
random ones (docs/testing.md). Properties that fail because of an engine bug are kept and
marked ``xfail(strict=True)`` with the reason, and carry an explicit example of the bug (an
``@example`` or a fixed case), so they fail the same way under every profile and turn into an
XPASS error once it is fixed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, event, example, given, strategies as st

import dingdian_rules as dr
from dingdian_rules import testing
from dingdian_rules.facts.institution import InstitutionType, Licence, Material
from dingdian_rules.facts.models import Case
from dingdian_rules.testing import (QUESTION_SECTIONS, as_of_dates, cases, closed_world_facts, complete_cases, dated_cases,
                                    dates_near, facts_read, fill_unknowns, leaf_fact_paths, rules_testing_known)
from dingdian_rules.time.periods import elapsed_period
from decision_ids import without_ids

import boundary_cases
from oracles import (ART42_2_ITEMS, ART43_ITEMS, SEVERITY, agreement_grounds, art12_grounds, art43_1, art44_notice,
                     severity_problem)

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


_same_input = without_ids  # a decision's JSON without its own id and time


@pytest.mark.parametrize("question", dr.QUESTIONS)
@given(case_date=st.data())
def test_evaluation_is_deterministic(question: str, case_date: st.DataObject) -> None:
    """The same case, asked twice, gives equal decisions, and tracing changes nothing but the
    traces: outcome, fired ids, unknown ids, missing facts, deadlines, measures, warnings and
    ``to_dict()`` (minus the ``trace`` trees only a traced decision has, and each decision's own id and time). Rests on no article: the
    answer must not depend on evaluation order or mode."""
    case, as_of = case_date.draw(dated_cases(question, unknown_rates=RATES))
    t1 = dr.evaluate(PACK, case, question, as_of=as_of, trace=True)
    t2 = dr.evaluate(PACK, case, question, as_of=as_of, trace=True)
    u1 = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    u2 = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    assert _same_input(t1.to_dict()) == _same_input(t2.to_dict())
    assert _same_input(u1.to_dict()) == _same_input(u2.to_dict())
    assert len({t1.decision_id, t2.decision_id, u1.decision_id, u2.decision_id}) == 4
    for a, b in ((t1, u1), (t1, t2)):
        assert a.outcome == b.outcome
        assert a.fired == b.fired
        assert a.unknown == b.unknown
        assert a.missing_facts == b.missing_facts
        assert a.deadlines == b.deadlines
        assert a.measures == b.measures
        assert a.warnings == b.warnings
    assert _same_input(without_traces(t1.to_dict())) == _same_input(u1.to_dict())
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
    modality_source: 不予受理 in art. 12's chapeau, shall_not (a fixture; national cites the chapeau under also_cites)
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


def _blank(data: dict[str, Any], path: str) -> None:
    """Make the fact at ``path`` unknown in a case's plain data: ``section.field``, or the whole
    list for a path into a list's items (``agreement.suspensions[].ended_on``), or a section."""
    parts = path.split("[]")[0].split(".")
    if len(parts) == 1:
        data[parts[0]] = None
    elif data.get(parts[0]) is not None:
        data[parts[0]][parts[1]] = None


@st.composite
def undetermined_cases(draw: Any, question: str) -> tuple[Case, date]:
    """Cases whose decision is ``undetermined``, the cases the property is about: a dated case
    with many unknowns, and when that one is decided, the same case with one to three of the
    facts its deciding rules read (the fired ones, or else any of the question's) made unknown.
    The few that are still decided are discarded with ``assume``."""
    case, as_of = draw(dated_cases(question, unknown_rates=st.sampled_from([0.1, 0.25, 0.5])))
    d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    event(f"undetermined as drawn: {d.outcome == 'undetermined'}")
    if d.outcome != "undetermined":
        rules = [r.rule for r in d.rules if r.status == "fired" and r.rule.modality != "may"] or \
            [r.rule for r in d.rules]
        paths = sorted({p for r in rules if r.condition is not None for p in r.condition.fact_paths.values()})
        data = case.model_dump()
        for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
            _blank(data, path)
        case = Case.model_validate(data)
    d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    assume(d.outcome == "undetermined")
    return case, as_of


@pytest.mark.parametrize("question", DECIDING)
@given(data=st.data())
def test_missing_facts_are_sufficient(question: str, data: st.DataObject) -> None:
    """Giving complete values to every fact in ``missing_facts`` settles the case.

    Precisely, for an undetermined decision on C, with C' = C with each listed fact filled (lists
    with fully known items; ``x[].f`` in every item): (a) every rule that was unknown and whose
    condition does not test ``is known`` is known under C'; (b) at least one rule that was unknown
    is known; (c) when no candidate rule of the question tests ``is known`` (application,
    request, conduct in the national pack), the outcome under C' is definite. A rule with ``is
    known`` can become unknown again when a closed-world fact it tests is filled for another
    rule, so (a) and (c) exclude it. Rests on arts. 5-7 and 12 (application), 41-44 and 38/45,
    as encoded. Cases come from ``undetermined_cases``, so every example reaches the check."""
    case, as_of = data.draw(undetermined_cases(question))
    d = dr.evaluate(PACK, case, question, as_of=as_of, trace=False)
    event(f"missing facts: {min(len(d.missing_facts), 5)}{'+' if len(d.missing_facts) >= 5 else ''}")
    assert d.outcome == "undetermined"
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
# Each property below compares the pack with a reading of the text (tests/oracles.py, or the
# test's own docstring) on generated cases built to reach the article's cases, and carries
# ``@example``s on both sides of the article's numbers (tests/boundary_cases.py), so a changed
# parameter or modality fails it under every profile, not only when a random draw happens to hit
# the boundary. ``assume`` (never an early return) discards the few cases the oracle cannot judge.

ART5_TYPES = frozenset(InstitutionType) - {InstitutionType.internet_hospital, InstitutionType.other}
ART5_LICENCES = frozenset({Licence.practice_licence, Licence.tcm_clinic_record, Licence.military_civilian_service})
ART7_MATERIALS = frozenset({Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                            Material.it_system_materials, Material.fund_use_forecast,
                            Material.provincial_other_materials})

ART12_ITEMS = {r.id: ("9" if r.citation.article == 9 else f"12({r.citation.item})")
               for r in PACK.rules if r.kind == "non_acceptance"}
"""Which ground each non-acceptance rule encodes, by its citation: art. 12 items 1-9, art. 9 para. 2."""


def _bar_examples(test: Any) -> Any:
    for _, _, case, as_of in boundary_cases.bar_cases():
        test = example(case_date=(case, as_of))(test)
    return test


@st.composite
def applications_with_history(draw: Any) -> tuple[Case, date]:
    """Applications whose history and people are drawn near the bars of arts. 9 and 12 (dates
    within two days of the 1-, 3- and 5-year anniversaries), on top of either a drawn institution
    or one that meets arts. 5-7, so that a ground, when the text establishes one, is often the only
    thing that keeps the application from being accepted."""
    case, as_of = draw(dated_cases("application", unknown_rates=RATES))
    if draw(st.booleans()):
        data = case.model_dump(mode="json")
        base = boundary_cases.application().model_dump(mode="json")
        people = data["institution"]["people"]
        data["institution"] = {**base["institution"], "people": people}
        data["application"] = base["application"]
        case = Case.model_validate(data)
    return case, as_of


@_bar_examples
@given(case_date=applications_with_history())
def test_art12_ground_means_not_accepted(case_date: tuple[Case, date]) -> None:
    """Art. 12 (不予受理) and art. 9 para. 2 (1年内不得再次申请): a ground fires exactly when the
    known facts establish it (read from the text, ``oracles.art12_grounds``: 未满 N 年 still bars on
    the anniversary and lifts the next day), and when one fires the application is
    ``not_accepted`` whatever else is unknown. A ground whose facts are partly unknown is never
    fired (it is unknown or not fired)."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "application", as_of=as_of, trace=False)
    grounds = set(art12_grounds(case, as_of))
    fired = {ART12_ITEMS[r.id] for r in d.rules if r.id in ART12_ITEMS and r.status == "fired"}
    event(f"outcome {d.outcome}; grounds established by the text: {bool(grounds)}")
    assert fired == grounds, (sorted(fired), sorted(grounds))
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


_ONE_IN_SIX = st.sampled_from([False] * 5 + [True])
_ART6_FLAGS = ("principal_in_charge_of_insurance", "has_insurance_staff", "has_required_systems", "has_it_connection",
               "meets_other_statutory_conditions", "physicians_first_registered_here", "type", "licence")


@st.composite
def applications_near_the_conditions(draw: Any) -> tuple[Case, date]:
    """Applications that meet arts. 5-7 (boundary_cases.application) except for a few facts, each
    taken from a drawn case (adverse or unknown at the drawn rates) with probability 1/6; beds at
    0, 99, 100, 101 or unknown with the department and full-time staff drawn; operation starting
    around 3 months before the evaluation date; and half the time the drawn history (art. 12)."""
    case, as_of = draw(dated_cases("application", unknown_rates=st.sampled_from([0.0, 0.02, 0.05, 0.1])))
    drawn = case.model_dump(mode="json")
    data = boundary_cases.application().model_dump(mode="json")
    inst, dinst = data["institution"], drawn["institution"]
    for f in _ART6_FLAGS:
        if draw(_ONE_IN_SIX):
            inst[f] = dinst[f]
    inst["beds"] = draw(st.sampled_from([0, 50, 99, 99, 100, 100, 101, 101, 300, None]))
    for f in ("has_insurance_department", "has_full_time_insurance_staff"):
        inst[f] = draw(st.sampled_from([True, True, False, None]))
    start = draw(st.sampled_from([-400, -3, -2, -1, 0, 1, 2, None]))
    if start is not None:
        inst["operating_since"] = (as_of - relativedelta(months=3) + timedelta(days=start)).isoformat()
    elif draw(st.booleans()):
        inst["operating_since"] = None
    if draw(_ONE_IN_SIX):
        data["application"]["materials"] = drawn["application"]["materials"]
    if draw(st.booleans()):
        data["history"] = drawn["history"]
        inst["people"] = dinst["people"]
    return Case.model_validate(data), as_of


def _with_examples(cases_: list[tuple[Any, Any, Case, date]]) -> Any:
    def deco(test: Any) -> Any:
        for _, _, case, as_of in cases_:
            test = example(case_date=(case, as_of))(test)
        return test
    return deco


@_with_examples(boundary_cases.bed_cases() + boundary_cases.operation_cases())
@given(case_date=applications_near_the_conditions())
def test_application_fails_closed(case_date: tuple[Case, date]) -> None:
    """Art. 6 (应当同时具备以下基本条件), with arts. 5, 7 and 12: an application is never
    ``conditions_met`` while a fact an art. 6 item needs is unknown. Operation, physicians,
    insurance responsibility, systems, IT and other conditions are always needed; beds may stay
    unknown only when the department and full-time staff are in place (art. 6(3): 100张床位以上
    includes 100). And, once every rule is known, it is ``conditions_met`` exactly when arts. 5-7
    are established by the facts (read from the text) and no art. 9 or 12 ground is."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "application", as_of=as_of, trace=False)
    inst = case.institution
    established = art5_6_7_established(case, as_of) and not art12_grounds(case, as_of)
    event(f"outcome {d.outcome}")
    event(f"arts. 5-7 established, no art. 12 ground: {established}")
    if any(getattr(inst, f) is None for f in ART6_ALWAYS):
        assert d.outcome != "conditions_met"
    if d.outcome == "conditions_met":
        assert established
    if not d.unknown:
        assert (d.outcome == "conditions_met") == established, (d.outcome, d.fired)


def _suspension(requested: st.SearchStrategy[bool | None], around: date) -> st.SearchStrategy[dict[str, Any]]:
    maybe_date = st.none() | dates_near(around)
    return st.fixed_dictionaries({
        "started_on": maybe_date, "ended_on": maybe_date, "resume_applied_on": maybe_date,
        "rectified_as_required": st.none() | st.booleans(), "requested_by_institution": requested})


def _in_force(draw: Any, data: dict[str, Any], as_of: date) -> None:
    """Three times in four, put the agreement's term around ``as_of`` (so no art. 41/42 expiry
    terminates it); otherwise keep the drawn term."""
    if draw(st.sampled_from([True, True, True, False])):
        data["agreement"]["term_start"] = (as_of - timedelta(days=draw(st.integers(0, 700)))).isoformat()
        data["agreement"]["term_end"] = (as_of + timedelta(days=draw(st.integers(1, 700)))).isoformat()


@st.composite
def repeated_suspension_cases(draw: Any, extra_origin: st.SearchStrategy[bool | None]) -> tuple[Case, date]:
    """Agreement cases with at least two suspensions imposed by the agency in the current term,
    plus up to two more whose origin is drawn from ``extra_origin``; the term is mostly in force."""
    case, as_of = draw(dated_cases("agreement", unknown_rates=RATES))
    imposed = draw(st.lists(_suspension(st.just(False), as_of), min_size=2, max_size=3))
    extra = draw(st.lists(_suspension(extra_origin, as_of), max_size=2))
    data = case.model_dump()
    data["agreement"]["suspensions"] = draw(st.permutations(imposed + extra))
    _in_force(draw, data, as_of)
    return Case.model_validate(data), as_of


def _assert_rescind_unless_terminated(case: Case, as_of: date) -> None:
    """Art. 43 (应解除) after arts. 41-42 (the agreement ends first when it terminates): with every
    termination trigger known, the outcome is ``terminate`` when one fires and ``rescind``
    otherwise, and art. 43(1) itself holds."""
    d = dr.evaluate(PACK, case, "agreement", as_of=as_of, trace=False)
    termination = {r.status for r in d.rules if r.rule.kind == "termination"}
    assume("unknown" not in termination)
    event(f"outcome {d.outcome}")
    assert statuses(d)["rescission.repeated_suspension"] == "fired"
    assert d.outcome == ("terminate" if "fired" in termination else "rescind"), (d.outcome, d.fired)


_SUSPENSION_COUNTS = [(n, c, a) for n, rescind, c, a in boundary_cases.suspension_count_cases() if rescind]


@example(case_date=(_SUSPENSION_COUNTS[0][1], _SUSPENSION_COUNTS[0][2]))  # exactly 2 (2次及以上 includes 2)
@example(case_date=(_SUSPENSION_COUNTS[1][1], _SUSPENSION_COUNTS[1][2]))  # 3
@given(case_date=repeated_suspension_cases(st.booleans()))
def test_art43_1_two_suspensions_rescind(case_date: tuple[Case, date]) -> None:
    """Art. 43(1) (医保协议有效期内累计2次及以上被中止医保协议 … 应解除): two or more suspensions
    imposed in the term rescind the agreement (or it terminates first under arts. 41-42, when a
    termination trigger fires); here every suspension's origin is known."""
    _assert_rescind_unless_terminated(*case_date)


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
    _assert_rescind_unless_terminated(*case_date)


@st.composite
def suspension_lists(draw: Any) -> tuple[Case, date]:
    """Agreement cases with 0-4 suspensions of any origin (imposed, requested, unknown) and any
    rectification, weighted towards 1-2 imposed ones."""
    case, as_of = draw(dated_cases("agreement", unknown_rates=RATES))
    origin = st.sampled_from([False, False, True, None])
    data = case.model_dump()
    data["agreement"]["suspensions"] = draw(st.lists(_suspension(origin, as_of), max_size=4))
    _in_force(draw, data, as_of)
    return Case.model_validate(data), as_of


@_with_examples(boundary_cases.suspension_count_cases())
@given(case_date=suspension_lists())
def test_art43_1_holds_exactly_when_the_text_says(case_date: tuple[Case, date]) -> None:
    """Art. 43(1) read from the text (``oracles.art43_1``, three-valued): 2次及以上 imposed
    suspensions in the term, or an imposed one not rectified, and nothing less. One imposed
    suspension, rectified, with any number the institution asked for, does not rescind. The
    rule's status is the reading's (fired / not fired / unknown)."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "agreement", as_of=as_of, trace=False)
    expected = art43_1(case)
    event(f"art. 43(1) by the text: {expected}")
    assert statuses(d)["rescission.repeated_suspension"] == {True: "fired", False: "not_fired", None: "unknown"}[expected]
    if expected is True:
        assert d.outcome in ("rescind", "terminate", "undetermined"), d.outcome
        assert d.outcome != "undetermined" or any(r.rule.kind == "termination" and r.status == "unknown"
                                                  for r in d.rules), d.unknown


def _ground_label(rule: Any) -> str:
    """The ground of arts. 41-44 a national agreement rule encodes, by its citation (as in
    ``oracles.agreement_grounds``)."""
    c = rule.citation
    if c.article == 44 and c.paragraph == 2:
        return f"44.2 {rule.outcome}"
    if c.article in (42, 43) and c.item is not None:
        return f"{c.article}({c.item})"
    return str(c.article) if c.article == 41 else f"{c.article}.{c.paragraph}"


AGREEMENT_GROUND_FACTS = [f"conduct.{f}" for f in (*ART42_2_ITEMS.values(), *ART43_ITEMS.values())] + [
    "request.rescind_agreed", "agreement.home_suspended", "agreement.home_rescinded", "agreement.renewal_failed"]


def _set_ground(data: dict[str, Any], ground: str, as_of: date) -> None:
    section, name = ground.split(".")
    if section == "conduct":
        data["conduct"][name] = True
    elif name == "rescind_agreed":
        data["request"] = {**(data.get("request") or {}), "kind": "rescind", "agency_agreed": True}
    elif name == "renewal_failed":
        data["agreement"].update(renewal_agreed=False, term_end=as_of - timedelta(days=1))
    else:
        data["agreement"].update(is_home_region=False, home_region_action=name.removeprefix("home_"))


def _ground_examples(test: Any) -> Any:
    for ground in AGREEMENT_GROUND_FACTS:
        data = boundary_cases.agreement([]).model_dump()
        _set_ground(data, ground, boundary_cases.AS_OF)
        test = example(case_date=(Case.model_validate(data), boundary_cases.AS_OF))(test)
    return test


@st.composite
def agreement_ground_cases(draw: Any) -> tuple[Case, date]:
    """Agreement cases (term mostly in force) with one or two grounds of arts. 41-44 set: a conduct
    fact of art. 42 para. 2 or art. 43, an agreed rescission request (43(12)), the home agency's
    suspension or rescission seen from another region (44 para. 2), or a renewal not agreed after
    the term (41)."""
    case, as_of = draw(dated_cases("agreement", unknown_rates=st.sampled_from([0.0, 0.02, 0.05])))
    data = case.model_dump()
    _in_force(draw, data, as_of)
    for ground in draw(st.lists(st.sampled_from(AGREEMENT_GROUND_FACTS), min_size=1, max_size=2, unique=True)):
        _set_ground(data, ground, as_of)
    return Case.model_validate(data), as_of


@_ground_examples
@given(case_date=agreement_ground_cases())
def test_a_ground_of_arts_41_to_44_decides_the_agreement(case_date: tuple[Case, date]) -> None:
    """Arts. 41 (自动终止), 42 para. 2 (经办机构应中止医保协议), 43 (经办机构应解除医保协议) and 44
    para. 2 (其他统筹区的医保协议也同时中止或解除): each ground the known facts establish
    (``oracles.agreement_grounds``) fires its rule, and the agreement's outcome is at least the
    one the text gives it: terminate before rescind before suspend (``oracles.severity_problem``;
    undetermined only while a rule that would decide more is unknown). The examples set each
    ground alone on an agreement with no other, so a ground whose rule stops deciding (a
    modality turned to may) is seen at once."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "agreement", as_of=as_of, trace=False)
    grounds = agreement_grounds(case, as_of)
    fired = {_ground_label(r.rule) for r in d.rules if r.status == "fired"}
    event(f"outcome {d.outcome}")
    assert set(grounds) <= fired, (sorted(set(grounds) - fired), d.fired)
    required = max(grounds.values(), key=SEVERITY["agreement"].index)
    assert severity_problem(d, required) is None, (grounds, severity_problem(d, required))
    binding = {_ground_label(r.rule) for r in d.rules if r.status == "fired" and r.rule.modality != "may"}
    if binding <= set(grounds) and d.outcome != "undetermined":
        assert d.outcome == required, (grounds, d.outcome)  # nothing beyond the grounds fired: exactly theirs


@st.composite
def public_requests(draw: Any) -> tuple[Case, date]:
    case, as_of = draw(dated_cases("request", unknown_rates=RATES))
    data = case.model_dump()
    data["institution"]["is_public"] = True
    data["request"]["kind"] = draw(st.sampled_from(["suspend", "rescind"]))
    return Case.model_validate(data), as_of


@_with_examples(boundary_cases.notice_cases(public=True, kind="suspend")
                + boundary_cases.notice_cases(public=True, kind="rescind"))
@given(case_date=public_requests())
def test_art44_public_institution_may_not_request_suspension_or_rescission(case_date: tuple[Case, date]) -> None:
    """Art. 44 para. 1 (公立医疗机构不得主动提出中止或解除医保协议): a public institution's request
    to suspend or rescind is refused, never ``request_allowed``, whatever else is unknown, and
    also when it gives 3 months' notice (the examples: filed before, on and after the notice day),
    so the refusal stands on the public-institution ground alone."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "request", as_of=as_of, trace=False)
    assert d.outcome == "request_refused"
    assert statuses(d)["request_limit.public_institution"] == "fired"


@st.composite
def requests_near_the_notice_day(draw: Any) -> tuple[Case, date]:
    """Requests of every kind to take effect about 3 months after the evaluation date, filed
    within 4 days of the notice day (or anywhere in the year before), by public and other
    institutions."""
    case, as_of = draw(dated_cases("request", unknown_rates=st.sampled_from([0.0, 0.05])))
    data = case.model_dump()
    effective = as_of + relativedelta(months=3) + timedelta(days=draw(st.integers(-40, 40)))
    shift = draw(st.one_of(st.integers(-4, 4), st.integers(-365, 60)))
    data["request"].update(kind=draw(st.sampled_from(["suspend", "rescind", "not_renew"])), effective_on=effective,
                           filed_on=effective - relativedelta(months=3) + timedelta(days=shift))
    return Case.model_validate(data), as_of


@_with_examples(boundary_cases.notice_cases(kind="not_renew") + boundary_cases.notice_cases(kind="rescind"))
@given(case_date=requests_near_the_notice_day())
def test_art44_notice_of_three_months(case_date: tuple[Case, date]) -> None:
    """Art. 44 para. 1 (定点医疗机构请求中止、解除医保协议或不再续签医保协议的，应提前3个月向经办机构
    提出申请): a request filed with 3 months' notice is not refused for lack of notice, one filed
    later is (``oracles.art44_notice``; the one or two days where the readings of 提前3个月 differ,
    legal-review-2026-12.md row 9, are left to the scenarios). With the notice given, a request
    the institution may make (not a public one to suspend or rescind) is allowed. A late request
    to suspend or rescind is refused (the agency must consent, arts. 42 para. 2, 43(12)); a late
    request not to renew is a late notice, never refused: renewal needs both sides (art. 10
    双方自愿签订, art. 41 未达成一致的…自动终止; legal review §2 point 4(a))."""
    case, as_of = case_date
    req, inst = case.request, case.institution
    assert req is not None and req.filed_on is not None and req.effective_on is not None and req.kind is not None
    sufficient = art44_notice(req.filed_on, req.effective_on)
    event(f"notice sufficient by the text: {sufficient}")
    assume(sufficient is not None)
    d = dr.evaluate(PACK, case, "request", as_of=as_of, trace=False)
    notice = "late_notice.non_renewal" if req.kind == "not_renew" else "request_limit.insufficient_notice"
    other = "request_limit.insufficient_notice" if req.kind == "not_renew" else "late_notice.non_renewal"
    assert statuses(d)[notice] == ("not_fired" if sufficient else "fired")
    assert statuses(d)[other] == "not_fired"
    if not sufficient:
        assert d.outcome == ("late_notice" if req.kind == "not_renew" else "request_refused"), (d.outcome, d.fired)
    elif inst is not None and inst.is_public is not None and req.kind is not None:
        public_bar = inst.is_public and req.kind in ("suspend", "rescind")
        assert d.outcome == ("request_refused" if public_bar else "request_allowed"), (d.outcome, d.fired)


@st.composite
def conduct_cases(draw: Any) -> tuple[Case, date]:
    """Conduct cases with the two national conduct facts (arts. 38, 45) each true, false or
    unknown, in even shares."""
    case, as_of = draw(dated_cases("conduct", unknown_rates=RATES))
    data = case.model_dump()
    for f in ("breached_agreement", "staff_or_department_breach"):
        data["conduct"][f] = draw(st.sampled_from([True, False, None]))
    return Case.model_validate(data), as_of


@given(case_date=conduct_cases())
@example(case_date=(Case.model_validate({"conduct": {"breached_agreement": True}}), date(2025, 6, 1)))
@example(case_date=(boundary_cases.conduct(breached_agreement=True), date(2025, 6, 1)))
@example(case_date=(boundary_cases.conduct(staff_or_department_breach=True), date(2025, 6, 1)))
@example(case_date=(boundary_cases.conduct(), date(2025, 6, 1)))
def test_art38_breach_makes_measures_available(case_date: tuple[Case, date]) -> None:
    """Arts. 38 and 45 (可 … 采取以下处理方式; 可对该人员或科室中止或终止医保结算): when a breach
    of the agreement (or by staff or a department) is found the agency may take the measures, so
    the outcome is ``measures_available`` and no measure is mandatory; when neither is found there
    are no measures; when neither is found but one is unknown, the answer waits for it. No rule of
    the national pack makes a measure mandatory."""
    case, as_of = case_date
    d = dr.evaluate(PACK, case, "conduct", as_of=as_of, trace=False)
    c = case.conduct
    found = (c.breached_agreement, c.staff_or_department_breach) if c is not None else (None, None)
    event(f"outcome {d.outcome}")
    assert not any(m.mandatory for m in d.measures)
    if True in found:
        assert d.outcome == "measures_available", d.unknown
    elif found == (False, False):
        assert d.outcome == "no_measures"
    else:
        assert d.outcome == "undetermined"


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
