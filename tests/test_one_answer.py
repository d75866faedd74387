"""One case, one answer (issue 10 items 1 and 2), over every bundled pack.

1. The conduct and the agreement question decide agreement consequences from one fact
   vocabulary, so they cannot contradict each other: a mandatory agreement measure of the conduct
   question (suspend, rescind) never meets a definite agreement answer below it (``continue`` for
   a suspension, ``continue``/``suspend`` for a rescission); and a shall/effect agreement rule that
   fires on facts the conduct question reads is matched there by a mandatory measure at least as
   strong (Qinghai arts. 66(1)/(2)/(11) and 67 items, rescission.escalated_breach; Jiangsu art. 44
   情节特别严重 and its tier-3 suspension and rescission items).
2. Absent means unknown: no rule reads an absent finding as "not found". The only facts a rule may
   test with ``is known`` are the events listed in ``CLOSED_WORLD`` with the reason their absence
   means something; and an unknown fact never yields a definite answer that a value for it would
   change (Kleene monotonicity), for every question of every pack.

Cases come from ``dingdian_rules.testing`` plus strategies that reach the linked findings (breach
codes of arts. 63-67, Jiangsu art. 44 items with 情节特别严重). ``HYPOTHESIS_PROFILE=ci`` runs 60
fixed examples per property and pack, ``dev`` 300 random ones, ``thorough`` 2,000 (docs/testing.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given, strategies as st

import dingdian_rules as dr
from dingdian_rules.facts.models import Case
from dingdian_rules.packs.resolved import ResolvedPack
from dingdian_rules.testing import closed_world_facts, dated_cases, facts_read, fill_unknowns

PACKS: dict[str, ResolvedPack] = {pid: dr.load_pack(pid) for pid in dr.bundled_pack_ids()}
DECIDING = ("application", "agreement", "request", "conduct")

RANK = {"continue": 0, "suspended": 1, "suspend": 1, "rescind": 2, "terminate": 3}
"""How far an agreement answer goes: the agreement question's stages run termination, rescission,
suspension, so a definite answer of rank r means no ground of a higher rank fired. ``suspended`` (a
suspension already in effect, issue 9) goes as far as a suspension."""

AGREEMENT_MEASURES = {"suspend_agreement": 1, "suspend_agreement_up_to_rescission": 1, "rescind_agreement": 2,
                      "suspend_or_rescind_agreement": 1}
"""Conduct measures that are agreement consequences, with the agreement answer they need at least."""

CLOSED_WORLD: dict[str, str] = {
    "request.kind": "no request section: the institution made no request (an act of the caller's side)",
    "agreement.suspensions[].ended_on": "a suspension without an end date is still running (the field records an event)",
    "agreement.suspensions[].resume_applied_on": "no resume application was filed (the field records an act)",
    "information_change": "no change section: no change was approved",
    "agreement": ("no agreement section: no agreement has been signed, so no limit of an agreement's suspensions "
                  "runs (an agreement section without its suspensions list leaves them unknown)"),
    "information_change.applied_on": "no change application was filed (the field records an act)",
    "application.is_internet_supplementary": "what is applied for: an ordinary application unless it says otherwise",
    "application.publicity_started_on": "the agency's publicity (公示) has not started: no tip can have been confirmed in it",
    "application.accepted_on": ("no acceptance date: the agency has not accepted the application (its own act); 佛山 art. 13 "
                                "ends a procedure only after acceptance"),
    "application.listed_on": ("中山 art. 13: the agency has not put the institution on the list of those to sign (纳入拟签订"
                              "医保协议医疗机构名单, its own act): the month to sign has not started, nothing is waived"),
    "request.agency_notified_on": "the agency has not notified its consent (佛山 art. 19: 自告知之日起中止): no notice, no effect",
    "information_change.failed_evaluation_notified_on": ("中山 art. 39 para. 2: no failed evaluation was notified "
                                                         "(自评估结果告知送达次日起停止): the agency's own act"),
    "information_change.reregistered_on": "中山 art. 39: no re-registration has been completed (the field records an act)",
    "conduct.repayment_notified_on": ("青海 art. 60: no notice to pay was received (接到甲方通知后15日内): the period has "
                                      "not started, so nothing is overdue"),
    "conduct.drug_sales": ("青海 art. 44: no drug list, no drug examined; the closed world comes from breach_items, "
                           "where overpricing is art. 64(6) conduct ('64.6')"),
}
"""Facts a rule may read as meaningful when absent, each an event or act whose absence the text
itself treats as its not having happened (or closed by a list the caller states complete)."""


def _agreement_measures(d: dr.Decision) -> int:
    """The strongest agreement consequence the conduct decision orders (0: none)."""
    return max((AGREEMENT_MEASURES.get(m.measure_id, 0) for m in d.measures if m.mandatory), default=0)


# --- linked findings ----------------------------------------------------------------------------

_CODES = tuple(f"{a}.{i}" for a in range(63, 68) for i in range(1, 13))
_AGGRAVATIONS = ("larger_fund_loss", "major_fund_loss", "large_social_impact", "serious_social_impact",
                 "egregious_nature", "self_found_and_corrected", "fraud_purpose", "insurance_fraud_confirmed",
                 "particularly_serious", "services_beyond_licence_billed", "unqualified_staff_services_billed")


@st.composite
def linked_cases(draw: Any) -> tuple[Case, date]:
    """A dated case (every section) whose conduct carries a few breach codes and aggravations, the
    findings both questions read, each aggravation true, false or unknown."""
    case, as_of = draw(dated_cases(None, unknown_rates=st.sampled_from([0.0, 0.05, 0.15])))
    data = case.model_dump()
    conduct = data["conduct"]
    conduct["breach_items"] = draw(st.none() | st.lists(st.sampled_from(_CODES), max_size=3, unique=True))
    for name in _AGGRAVATIONS:
        conduct[name] = draw(st.sampled_from([False, False, False, True, None]))
    return Case.model_validate(data), as_of


def _c(**conduct: Any) -> Case:
    return Case.model_validate({"conduct": conduct})


C2 = _c(breach_items=["67.7"], self_found_and_corrected=False, fraud_purpose=False, insurance_fraud_confirmed=False)
C13 = _c(fictitious_services=True, particularly_serious=True)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
@given(case_date=st.one_of(linked_cases(), dated_cases(None)))
@example(case_date=(C2, date(2025, 6, 1)))
@example(case_date=(C13, date(2025, 6, 1)))
@example(case_date=(_c(breach_items=["66.2"], self_found_and_corrected=False, fraud_purpose=False,
                       insurance_fraud_confirmed=False), date(2025, 6, 1)))
def test_conduct_and_agreement_questions_agree(pack_id: str, case_date: tuple[Case, date]) -> None:
    """No case gets a mandatory agreement measure from the conduct question while the agreement
    question definitely answers less (continue, or suspend for a rescission), nor the reverse: a
    shall/effect agreement rule firing on facts the conduct question reads, while the conduct
    question definitely orders no measure as strong."""
    pack = PACKS[pack_id]
    case, as_of = case_date
    conduct = dr.evaluate(pack, case, "conduct", as_of=as_of, trace=False)
    agreement = dr.evaluate(pack, case, "agreement", as_of=as_of, trace=False)
    needed = _agreement_measures(conduct)
    event(f"conduct orders an agreement measure: {needed > 0}")
    if needed and agreement.outcome != "undetermined":
        assert RANK[agreement.outcome] >= needed, (conduct.fired, agreement.outcome)
    if agreement.outcome in ("undetermined", "continue") or conduct.outcome == "undetermined":
        return
    lists = linked_lists(pack)
    for r in agreement.rules:
        rule = r.rule
        if r.status != "fired" or rule.modality not in ("shall", "effect"):
            continue
        if {lst.id for lst in rule.item_lists} & lists:
            event(f"linked agreement rule fired: {rule.kind}")
            assert _agreement_measures(conduct) >= RANK[rule.outcome], (rule.id, conduct.fired)  # type: ignore[index]


def linked_lists(pack: ResolvedPack) -> set[str]:
    """Item lists that a conduct rule ordering or allowing an agreement measure decides on: an
    agreement rule reading one of them decides on the same finding (the link the texts make:
    Qinghai @art66_national_suspension_items, @art63..67_items; Jiangsu @art44_items)."""
    return {lst.id for r in pack.plans["conduct"].rules  # type: ignore[index]
            if any(m.measure.id in AGREEMENT_MEASURES for m in r.measures) for lst in r.item_lists}


@pytest.mark.parametrize("pack_id", ["qinghai_agreement", "jiangsu", "jiangsu_nantong"])
def test_the_links_are_seen(pack_id: str) -> None:
    """The reverse check reaches the linked rules the issue names (it is not vacuous)."""
    pack = PACKS[pack_id]
    lists = linked_lists(pack)
    linked = {r.id for r in pack.plans["agreement"].rules  # type: ignore[index]
              if r.modality in ("shall", "effect") and {lst.id for lst in r.item_lists} & lists}
    expected = {"qinghai_agreement": {"rescission.art67_items", "rescission.escalated_breach",
                                      "suspension.art66_national_grounds"},
                "jiangsu": {"suspension.particularly_serious"}, "jiangsu_nantong": {"suspension.particularly_serious"}}
    assert expected[pack_id] <= linked, linked


# --- absent means unknown -------------------------------------------------------------------------


@pytest.mark.parametrize("pack_id", sorted(PACKS))
@pytest.mark.parametrize("question", DECIDING)
def test_no_rule_reads_an_absent_finding_as_not_found(pack_id: str, question: str) -> None:
    """Only the events of ``CLOSED_WORLD`` are tested with ``is known``; any finding a flag reports
    is unknown when absent (legal review row 6 and §2 point 1: Qinghai read 65(10), 66(7), 67(4)
    and Foshan/Zhongshan another region's action as not found when absent)."""
    extra = closed_world_facts(PACKS[pack_id], question) - set(CLOSED_WORLD)
    assert not extra, f"{pack_id} {question} reads absence as meaningful for {sorted(extra)}"


def done_on_facts(pack: ResolvedPack) -> set[str]:
    """The facts time limits name as ``done_on`` (conduct.repaid_on, request.filed_on …): each records
    an act, absent = not done (docs/pack-format.md), so the limit's status reads the absence. The
    dev profile found this: a Qinghai art. 60 deduction (逾期未缴清) turned off when repaid_on was filled."""
    return {p for r in pack.rules if r.deadline_done is not None for p in r.deadline_done.fact_paths.values()}


C6 = _c(breach_items=[], self_found_and_corrected=False, staff_points_threshold_reached=False)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
@pytest.mark.parametrize("question", DECIDING)
@given(data=st.data())
def test_an_unknown_fact_never_decides_in_any_pack(pack_id: str, question: str, data: st.DataObject) -> None:
    """Kleene monotonicity in every pack: a definite outcome (favourable ones included: continue,
    no_measures, conditions_met, request_allowed) stays the same whatever values the unknown facts
    are given, except the ``CLOSED_WORLD`` events and the acts time limits record (``done_on``),
    which stay unknown."""
    pack = PACKS[pack_id]
    if question == "conduct" and pack_id == "qinghai_agreement" and data.draw(st.booleans()):
        case, as_of = C6, date(2025, 6, 1)  # review C6: conduct without the three former flags
    else:
        case, as_of = data.draw(dated_cases(question, unknown_rates=st.sampled_from([0.05, 0.15, 0.35])))
    d = dr.evaluate(pack, case, question, as_of=as_of, trace=False)
    event(f"outcome {d.outcome}")
    if d.outcome == "undetermined":
        return
    filled = data.draw(fill_unknowns(case, around=as_of, keep=set(CLOSED_WORLD) | done_on_facts(pack)))
    d2 = dr.evaluate(pack, filled, question, as_of=as_of, trace=False)
    assert d2.outcome == d.outcome, (d.fired, d2.fired)


# --- amounts per tier, caps in principle, warnings in the decision (issue 10 items 5, 6) -----------

from dingdian_rules.evaluation.decision_schema import DecisionModel  # noqa: E402
from dingdian_rules.render import decision_markdown, decision_text  # noqa: E402

JIANGSU = PACKS["jiangsu"]
QINGHAI = PACKS["qinghai_agreement"]
C20 = {"conduct": {"breached_agreement": True, "split_or_nominal_admission": True, "fictitious_services": True,
                   "loss_amount": 100000}}


def _damages(d: dr.Decision) -> dict[str, Any]:
    return {m.rule_id: m for m in d.measures if m.measure_id == "liquidated_damages"}


def test_c20_one_loss_under_two_tiers_says_how_the_amounts_combine() -> None:
    """Jiangsu arts. 43-44: 造成损失金额 20% / 20%-30%: one loss of 100,000 given for the whole case feeds
    both tiers; the decision warns that the amounts are not added (legal review C20)."""
    d = dr.evaluate(JIANGSU, C20, "conduct", as_of=date(2025, 6, 1))
    warning = [w for w in d.warnings if w.code == "amounts-combined"]
    assert len(warning) == 1
    assert "conduct.loss_amount = 100000" in warning[0].message and "tier 2" in warning[0].message
    assert "tier 3" in warning[0].message and "not added" in warning[0].message
    DecisionModel.model_validate_json(__import__("json").dumps(d.to_dict(), ensure_ascii=False))


def test_amounts_itemised_per_tier_rest_on_each_tiers_part() -> None:
    data = {"conduct": dict(C20["conduct"], itemised_amounts=[{"tier": 2, "item": "43(1)", "loss_amount": 60000},
                                                              {"tier": 3, "loss_amount": 25000},
                                                              {"tier": 3, "loss_amount": 15000}])}
    d = dr.evaluate(JIANGSU, data, "conduct", as_of=date(2025, 6, 1))
    dm = _damages(d)
    assert (dm["measures.tier2.fund_loss"].base_amount, dm["measures.tier2.fund_loss"].max_amount) == (60000, 12000)
    t3 = dm["measures.tier3.fund_loss"]
    assert (t3.base_amount, t3.min_amount, t3.max_amount) == (40000, 8000, 12000)
    assert t3.base_fact == "conduct.itemised_amounts (tier 3)"
    assert dm["measures.breach_of_agreement"].base_fact == "conduct.loss_amount"  # no tier: the whole loss
    assert not [w for w in d.warnings if w.code == "amounts-combined"]
    assert "按第3档分项金额" in decision_text(d)


def test_an_itemised_amount_left_unknown_is_missing() -> None:
    data = {"conduct": dict(C20["conduct"], itemised_amounts=[{"tier": 3, "item": "44(3)"}])}
    t3 = _damages(dr.evaluate(JIANGSU, data, "conduct", as_of=date(2025, 6, 1)))["measures.tier3.fund_loss"]
    assert t3.base_amount is None and t3.missing == ("conduct.itemised_amounts[].loss_amount",)


def test_one_tier_alone_needs_no_combination_warning() -> None:
    data = {"conduct": {"breached_agreement": True, "fictitious_services": True, "loss_amount": 100000}}
    d = dr.evaluate(JIANGSU, data, "conduct", as_of=date(2025, 6, 1))
    assert not [w for w in d.warnings if w.code == "amounts-combined"]


def _cap_quotes(pack: ResolvedPack, rule: Any, m: Any) -> str:
    rate = m.measure.amount.max_rate or ""
    if rate.startswith("$"):
        return pack.parameters[rate[1:]].citation.quote
    return rule.citation.quote


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_a_cap_written_in_principle_is_marked_so(pack_id: str) -> None:
    """Every damages cap whose text reads 原则上不得超过 (Qinghai arts. 65-67) is an ``in_principle`` amount,
    and no other is (Jiangsu's 不超过 is absolute)."""
    pack = PACKS[pack_id]
    for r in pack.rules:
        for m in r.measures:
            if m.measure.amount is None or m.measure.amount.max_rate is None:
                continue
            assert m.in_principle == ("原则上" in _cap_quotes(pack, r, m)), (r.id, m.measure.id)


def test_c12_cap_in_principle_is_shown_in_the_decision() -> None:
    d = dr.evaluate(QINGHAI, {"conduct": {"breach_items": ["66.2"], "self_found_and_corrected": False,
                                          "insurance_fraud_confirmed": False, "fraud_purpose": False,
                                          "non_compliant_costs": 100000}}, "conduct", as_of=date(2025, 6, 1))
    m = _damages(d)["measures.tier4.options"]
    assert (m.max_amount, m.in_principle) == (20000, True)
    assert m.to_dict()["in_principle"] is True
    assert "原则上最高 20,000 元" in decision_text(d) and "原则上最高 20,000 元" in decision_markdown(d)
    DecisionModel.model_validate_json(__import__("json").dumps(d.to_dict(), ensure_ascii=False))


def _tier1_case(**conduct: Any) -> dict[str, Any]:
    base = {"breach_items": ["63.3"], "self_found_and_corrected": False, "insurance_fraud_confirmed": False,
            "fraud_purpose": False, "larger_fund_loss": False, "major_fund_loss": False, "large_social_impact": False,
            "serious_social_impact": False, "egregious_nature": False}
    return {"conduct": dict(base, **conduct)}


def test_row30_art63_with_a_large_impact_is_tier_2_with_the_overlap_flagged() -> None:
    """Qinghai art. 64 takes 有第六十三条情形造成社会影响较大的; art. 65's 或社会影响较大的 also reaches it by its
    words. The decision applies art. 64 and warns (legal review row 30)."""
    d = dr.evaluate(QINGHAI, _tier1_case(large_social_impact=True), "conduct", as_of=date(2025, 6, 1))
    assert "measures.tier2.from_tier1" in d.fired and "measures.tier3.from_tier1" not in d.fired
    w = [w for w in d.warnings if w.code == "drafting-overlap"]
    assert len(w) == 1 and "第六十四条" in w[0].message and "第六十五条" in w[0].message
    assert "drafting-overlap" in decision_text(d) or w[0].message[:20] in decision_text(d)
    quiet = dr.evaluate(QINGHAI, _tier1_case(larger_fund_loss=True), "conduct", as_of=date(2025, 6, 1))
    assert "measures.tier3.from_tier1" in quiet.fired
    assert not [w for w in quiet.warnings if w.code == "drafting-overlap"]


# --- audit after the merge: one entry per measure ------------------------------------------------
C12 = {"conduct": {"breach_items": ["66.2"], "self_found_and_corrected": False, "fraud_purpose": False,
                   "insurance_fraud_confirmed": False, "staff_points_threshold_reached": False, "egregious_nature": False,
                   "major_fund_loss": False, "serious_social_impact": False, "larger_fund_loss": False,
                   "large_social_impact": False, "non_compliant_costs": 100000, "admin_penalty_liable": False,
                   "major_fund_risk_inspection": False}}


def test_c12_offers_each_art66_option_once() -> None:
    """Art. 66 sets one damages cap (20 %) and the staff/department suspension only as the case
    requires (可视情况): the options list each measure once (three were listed twice, one of them
    with the unconditional wording the rewrite replaced)."""
    d = dr.evaluate(PACKS["qinghai_agreement"], C12, "conduct", as_of=date(2025, 6, 1))
    options = [m for m in d.measures if m.rule_id == "measures.tier4.options"]
    ids = [m.measure_id for m in options]
    assert sorted(ids) == sorted(set(ids)) and {"suspend_agreement", "suspend_staff_or_department_services",
                                                 "publish_suspension", "liquidated_damages"} == set(ids)


def test_a_measure_listed_twice_in_one_rule_is_a_located_error(tmp_path) -> None:
    import shutil
    from dingdian_rules.packs.chain import bundled_root
    from dingdian_rules.analysis.validation import validate_pack
    for pid in ("national", "qinghai_agreement"):
        shutil.copytree(bundled_root() / pid, tmp_path / pid, ignore=shutil.ignore_patterns("tests"))
    tiers = tmp_path / "qinghai_agreement" / "rules" / "tiers.yaml"
    text = tiers.read_text(encoding="utf-8")
    head = text.index("- id: measures.tier4.options")
    at = text.index("  tier: 4\n", head)
    tiers.write_text(text[:at] + "  - id: publish_suspension\n    title: {zh: 向社会公布中止医保协议情况, en: Publish}\n"
                     + text[at:], encoding="utf-8")
    errors = [d for d in validate_pack(tmp_path / "qinghai_agreement").diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["duplicate-id"]
    line = text[:at].count("\n") + 1
    assert (Path(errors[0].location.file).name, errors[0].location.line) == ("tiers.yaml", line)


def test_a_limit_rules_act_on_is_unknown_when_its_list_or_date_is_absent() -> None:
    """A time limit that a rule acts on through due()/status() decides outcomes, so its
    `applies_when:` may read only closed-world facts: the per-suspension resume limit applied only
    when `agreement.suspensions is known` and the notice limit only when `request.effective_on is
    known` (absent read as 'no suspension' / 'no date'). Now an agreement without its suspensions
    list, or a request without its effective date, leaves the limit unknown and names the fact."""
    nat = PACKS["national"]
    d = dr.evaluate(nat, {"agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"}}, "deadlines",
                    as_of=date(2025, 6, 1))
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.suspension_resume_application"]
    assert x.due is None and "agreement.suspensions" in x.missing
    d = dr.evaluate(nat, {"request": {"kind": "not_renew", "filed_on": "2025-06-01"}}, "deadlines", as_of=date(2025, 6, 1))
    [x] = [x for x in d.deadlines if x.rule_id == "time_limit.request_notice"]
    assert x.due is None and "request.effective_on" in x.missing
    d = dr.evaluate(nat, {"institution": {"type": "clinic"}}, "deadlines", as_of=date(2025, 6, 1))
    assert not {"time_limit.suspension_resume_application", "time_limit.request_notice"} & {x.rule_id for x in d.deadlines}
