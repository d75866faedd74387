"""Properties that compare jurisdictions: what the texts say must hold across the bundled packs.

Each property states a legal expectation and names the articles it rests on; which packs keep a
rule unchanged is read from provenance (``ProvenanceStep``), not from hand-kept lists, and the
few pack names that do appear are the subjects of the expectation itself (Nantong and Jiangsu;
Qinghai and Jiangsu tiers). Cases come from the public strategies of ``dingdian_rules.testing``;
run fast with ``HYPOTHESIS_PROFILE=ci``, widely with ``thorough`` (docs/testing.md). A property
that fails because a pack is wrong is kept, marked ``xfail(strict=True)`` with the reason, never
weakened (``_LOOSENED``, ``_UNREVIEWED``). Needs every bundled pack to load.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

import pytest
from hypothesis import event, example, given, strategies as st

import dingdian_rules as dr
from dingdian_rules.analysis.diff import diff_packs, rule_parameters
from dingdian_rules.facts.models import Case, Conduct
from dingdian_rules.packs.resolved import ResolvedPack
from dingdian_rules.testing import as_of_dates, dated_cases, dates_near

import boundary_cases
from oracles import SEVERITY, art12_grounds, ground_outcome, required_outcome, severity_problem

PACKS: dict[str, ResolvedPack] = {pid: dr.load_pack(pid) for pid in dr.bundled_pack_ids()}
NATIONAL = PACKS["national"]
DECIDING = ("application", "agreement", "request", "conduct")



def statuses(d: dr.Decision) -> dict[str, str]:
    return {r.id: r.status for r in d.rules}


def unchanged_since(rule_id: str, child: ResolvedPack, ancestor: ResolvedPack) -> bool:
    """The child has the ancestor's rule as it is: every step the child's chain adds after the
    ancestor is ``inherited`` or ``restated`` (the child's own text repeating it, logic unchanged),
    and every parameter the rule reads has the ancestor's value."""
    ra = next((r for r in ancestor.rules if r.id == rule_id), None)
    rc = next((r for r in child.rules if r.id == rule_id), None)
    if ra is None or rc is None:
        return False
    later = rc.provenance[len(ra.provenance):]
    if rc.provenance[:len(ra.provenance)] != ra.provenance or any(s.action not in ("inherited", "restated") for s in later):
        return False
    return all(child.parameters[p].value == ancestor.parameters[p].value for p in rule_parameters(rc))


def deciding_ids(pack: ResolvedPack, question: str) -> set[str]:
    """Rules that decide the question's outcome when they fire (``may`` rules only in conduct)."""
    plan = pack.plans[question]  # type: ignore[index]
    return {plan.rules[i].id for _, idx in plan.stages for i in idx}


# --- the nine grounds of national art. 12 ------------------------------------------------------

ART12 = tuple(r.id for r in NATIONAL.rules if r.kind == "non_acceptance"
              and r.citation.document == "nhsa_order_2" and r.citation.article == 12)


def test_national_pack_encodes_the_nine_art12_grounds() -> None:
    """National art. 12 lists nine grounds (（一）–（九）); the national pack has one rule for each item."""
    items = sorted(NATIONAL.rule(rid).citation.item for rid in ART12)  # type: ignore[type-var]
    assert items == list(range(1, 10))


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_pack_keeps_the_nine_grounds_unchanged(pack_id: str) -> None:
    """No pack changes a ground of national art. 12. The texts repeat them word for word: Jiangsu
    art. 9 (9(7) drops 曾, 9(9) adds 规章 to 法律法规: the inherited fact covers both), Foshan
    art. 12, Zhongshan (draft) art. 9; Guangdong is a pass-through of national (its text is not
    in the sources), Nantong forwards Jiangsu (通医保发〔2023〕67号), and the Qinghai agreement says
    nothing on applications, so national art. 12 binds its agency as a 规章. So every pack must
    inherit the nine rules unchanged (read from provenance), with the national parameters."""
    pack = PACKS[pack_id]
    changed = [rid for rid in ART12 if not unchanged_since(rid, pack, NATIONAL)]
    assert changed == [], f"{pack_id} changes art. 12 grounds {changed}: " + "; ".join(
        s.describe() for rid in changed for r in pack.rules if r.id == rid for s in r.provenance)


def art12_established(case: Case, as_of: date) -> list[str]:
    """The art. 12 items that the known facts alone establish (oracles.art12_grounds, without
    art. 9's bar)."""
    return art12_grounds(case, as_of, with_art9_bar=False)


ART12_ITEM = {rid: f"12({NATIONAL.rule(rid).citation.item})" for rid in ART12}


def _examples(pairs: list[tuple[Case, date]]) -> Callable[[Any], Any]:
    def deco(test: Any) -> Any:
        for case, as_of in pairs:
            test = example(case_date=(case, as_of))(test)
        return test
    return deco


BAR_EXAMPLES = [(c, a) for g, _, c, a in boundary_cases.bar_cases() if g != "9"]
"""Art. 12(4)-(7) on the anniversary of each bar (barred) and the day after (not barred)."""


@_examples(BAR_EXAMPLES)
@given(case_date=dated_cases("application"))
def test_the_nine_grounds_answer_alike_in_every_pack(case_date: tuple[Case, date]) -> None:
    """National art. 12 = Jiangsu art. 9 = Foshan art. 12 = Zhongshan art. 9 (不予受理定点申请):
    (a) each ground has the same status (fired / not fired / unknown) in every pack that keeps it
    unchanged (from provenance; all of them, see the test above); (b) in every pack a ground fires
    exactly when the known facts establish it, read from the text (未满 N 年 still bars on the
    anniversary, not the day after; the examples sit on both days), so a bar changed in national
    and inherited everywhere is seen too; (c) when one fires, every pack answers ``not_accepted``:
    不予受理 comes before materials and conditions, whatever else is unknown."""
    case, as_of = case_date
    decisions = {pid: dr.evaluate(p, case, "application", as_of=as_of, trace=False) for pid, p in PACKS.items()}
    for rid in ART12:
        keep = [pid for pid in PACKS if unchanged_since(rid, PACKS[pid], NATIONAL)]
        answers = {pid: statuses(decisions[pid])[rid] for pid in keep}
        assert len(set(answers.values())) == 1, (rid, answers)
    established = set(art12_established(case, as_of))
    for pid, d in decisions.items():
        fired = {ART12_ITEM[rid] for rid in d.fired if rid in ART12}
        assert fired == established, (pid, sorted(fired), sorted(established))
    event(f"grounds established by the text: {bool(established)}")
    if established:
        wrong = {pid: d.outcome for pid, d in decisions.items()
                 if d.outcome != ground_outcome(pid, case, as_of, "not_accepted")}
        assert not wrong, (established, wrong)


# --- Nantong and Jiangsu ------------------------------------------------------------------------


def test_nantong_and_jiangsu_have_no_difference() -> None:
    """通医保发〔2023〕67号 forwards 苏医保规〔2023〕3号 unchanged (现将…转发给你们，请认真遵照执行)
    and Jiangsu art. 2 applies the rules in the whole province; the city templates art. 49 para. 2
    asks for are not in the sources. So the resolved packs have the same rules and parameters."""
    d = diff_packs(PACKS["jiangsu"], PACKS["jiangsu_nantong"])
    assert d.identical, d.to_text()


def _comparable(d: dr.Decision) -> dict[str, Any]:
    """The decision's JSON without what names the pack (its id, chain, fingerprint, and the
    provenance lines that say which packs of the chain inherited each rule) and the record (the
    decision's own id and time, and the input digest, which hashes the pack's id and fingerprint)."""
    out = d.to_dict()
    out.pop("pack")
    out.pop("record")
    for r in out["rules"]:
        r.pop("provenance")
        for p in r["parameters"]:
            p.pop("provenance")
    return out


@given(case_date=dated_cases(None))
def test_nantong_and_jiangsu_agree_on_everything(case_date: tuple[Case, date]) -> None:
    """通医保发〔2023〕67号 (a forward with no provision of its own) and Jiangsu art. 2 (本省行政区域内
    …适用本实施细则): for every question, Nantong's decision equals Jiangsu's in everything but the
    pack's name, chain, fingerprint and provenance: outcome, fired and unknown rules, missing facts, measures
    with amounts, deadlines and warnings."""
    case, as_of = case_date
    for question in dr.QUESTIONS:
        a = dr.evaluate(PACKS["jiangsu"], case, question, as_of=as_of, trace=False)
        b = dr.evaluate(PACKS["jiangsu_nantong"], case, question, as_of=as_of, trace=False)
        assert _comparable(a) == _comparable(b), question


# --- aggravating circumstances never lower a tier -------------------------------------------------

QINGHAI = PACKS["qinghai_agreement"]
JIANGSU = PACKS["jiangsu"]
QINGHAI_AGGRAVATIONS = ("large_social_impact", "serious_social_impact", "larger_fund_loss", "major_fund_loss",
                        "egregious_nature", "fraud_purpose", "insurance_fraud_confirmed")
JIANGSU_AGGRAVATIONS = ("refused_to_correct", "serious_impact", "severe_consequences", "fraud_purpose",
                        "particularly_serious", "loss_amount")
QINGHAI_ITEMS = tuple(f"{i.citation.article}.{i.citation.item}" for lst in QINGHAI.item_lists.values()
                      for i in lst.items if "conduct.breach_items" in i.when)  # the art. 63-67 item codes
QINGHAI_ITEM_FACTS = ("services_beyond_licence_billed", "unqualified_staff_services_billed")  # arts. 65(10), 66(7), 67(4)


def _tier_facts(pack: ResolvedPack) -> set[str]:
    """Conduct facts (``conduct.x``) read by the pack's tiered measure rules."""
    return {path.split(".", 1)[1] for r in pack.rules if r.tier and r.condition is not None
            for path in r.condition.fact_paths.values() if path.startswith("conduct.") and "[" not in path}


JIANGSU_ITEM_FACTS = tuple(sorted(_tier_facts(JIANGSU) - set(JIANGSU_AGGRAVATIONS)))  # arts. 42-44 items, art. 35


def tier(d: dr.Decision, mandatory_only: bool = False) -> int:
    """The highest tier among the measures the decision orders (or allows)."""
    return max((m.tier or 0 for m in d.measures if m.mandatory or not mandatory_only), default=0)


RANK = {"no_measures": 0, "measures_available": 1, "measures_required": 2}


def _check_aggravation(pack: ResolvedPack, case: Case, worse: Case, as_of: date) -> None:
    before = dr.evaluate(pack, case, "conduct", as_of=as_of, trace=False)
    after = dr.evaluate(pack, worse, "conduct", as_of=as_of, trace=False)
    event(f"tier {tier(before)} -> {tier(after)}")
    event(f"measures {'grow' if len(after.measures) > len(before.measures) else 'stay'}")
    assert tier(after) >= tier(before), (before.fired, after.fired)
    assert tier(after, True) >= tier(before, True), (before.fired, after.fired)
    assert set(before.fired) <= set(after.fired), set(before.fired) - set(after.fired)
    if before.outcome in RANK and after.outcome in RANK:
        assert RANK[after.outcome] >= RANK[before.outcome], (before.outcome, after.outcome)


@st.composite
def qinghai_aggravations(draw: Any) -> tuple[Case, Case, date]:
    case, as_of = draw(dated_cases("conduct", unknown_rates=st.sampled_from([0.0, 0.05])))
    data = case.model_dump()
    conduct = data["conduct"]
    conduct["breach_items"] = draw(st.lists(st.sampled_from(QINGHAI_ITEMS), max_size=3))
    for fact in QINGHAI_ITEM_FACTS:
        conduct[fact] = draw(st.sampled_from([False, False, False, True, None]))
    base = Case.model_validate(data)
    worse = dict(conduct)
    for fact in draw(st.lists(st.sampled_from(QINGHAI_AGGRAVATIONS), min_size=1, max_size=2, unique=True)):
        worse[fact] = True
    if draw(st.booleans()):  # a further item found is an aggravation too
        worse["breach_items"] = conduct["breach_items"] + [draw(st.sampled_from(QINGHAI_ITEMS))]
    return base, Case.model_validate({**data, "conduct": worse}), as_of


@given(cases_date=qinghai_aggravations())
def test_aggravation_never_lowers_a_qinghai_tier(cases_date: tuple[Case, Case, date]) -> None:
    """青海 agreement arts. 63-67 escalate: art. 64 takes art. 63 conduct 造成社会影响较大; art. 65
    art. 63/64 conduct with 较大损失 or 社会影响较大; art. 66 art. 65 conduct with those or
    以骗取医疗保障基金支出为目的; art. 67 any of it 性质恶劣, 造成医保基金重大损失 or 社会影响严重; art. 75
    spares self-corrected breaches except 骗取医保基金行为. So adding an aggravating circumstance (or a
    further item found) never lowers the highest tier ordered or allowed, never drops a measure
    rule that fired, and never turns required measures into optional ones."""
    _check_aggravation(QINGHAI, *cases_date)


@st.composite
def jiangsu_aggravations(draw: Any) -> tuple[Case, Case, date]:
    case, as_of = draw(dated_cases("conduct", unknown_rates=st.sampled_from([0.0, 0.05])))
    data = case.model_dump()
    conduct = data["conduct"]
    for fact in draw(st.lists(st.sampled_from(JIANGSU_ITEM_FACTS), max_size=1)):
        conduct[fact] = True
    base = Case.model_validate(data)
    worse = dict(conduct)
    for fact in draw(st.lists(st.sampled_from(JIANGSU_AGGRAVATIONS), min_size=1, max_size=2, unique=True)):
        if fact == "loss_amount":
            worse[fact] = (conduct[fact] or 0.0) + draw(st.sampled_from([1.0, 5000.0, 250000.0]))
        else:
            worse[fact] = True
    if draw(st.booleans()):  # a further item found is an aggravation too
        worse[draw(st.sampled_from(JIANGSU_ITEM_FACTS))] = True
    return base, Case.model_validate({**data, "conduct": worse}), as_of


@given(cases_date=jiangsu_aggravations())
def test_aggravation_never_lowers_a_jiangsu_tier(cases_date: tuple[Case, Case, date]) -> None:
    """Jiangsu arts. 42-44: within each tier the text adds measures for 拒不改正, 造成严重影响
    (art. 42), 造成医保基金损失, 拒不改正或者造成严重后果, 以骗取医疗保障基金为目的 (art. 43),
    造成医保基金损失 and 情节特别严重 (art. 44); none of them takes a measure away. So adding one (or
    a larger loss, or a further item found) never lowers the highest tier, never drops a measure
    rule that fired, and never turns required measures into optional ones."""
    _check_aggravation(JIANGSU, *cases_date)


# --- liquidated damages -------------------------------------------------------------------------

DAMAGES_CAPS = {"su_ybg_2023_3": 30.0, "qinghai_agreement_2025": 30.0}
"""Texts that cap liquidated damages, with the highest cap: Jiangsu art. 48 para. 4 (一般不超过违约
造成损失的30%; art. 43 ≤20%, art. 44 20%-30%) and the Qinghai agreement arts. 65-67 (≤10%, 20%,
30% of 违规费用). National art. 38(4), Foshan art. 41 and Zhongshan art. 37 leave the amount to
the agreement (按照协议约定)."""


def damages_cap(pack: ResolvedPack) -> float | None:
    caps = [cap for doc, cap in DAMAGES_CAPS.items() if doc in pack.sources]
    return min(caps) if caps else None


@st.composite
def damages_cases(draw: Any) -> tuple[Case, date]:
    case, as_of = draw(dated_cases("conduct", unknown_rates=st.sampled_from([0.0, 0.05])))
    data = case.model_dump()
    conduct = data["conduct"]
    conduct["breached_agreement"] = draw(st.sampled_from([True, True, False, None]))
    conduct["breach_items"] = draw(st.lists(st.sampled_from(QINGHAI_ITEMS), max_size=2))
    for fact in draw(st.lists(st.sampled_from(JIANGSU_ITEM_FACTS), max_size=2, unique=True)):
        conduct[fact] = True
    for fact in ("loss_amount", "non_compliant_costs"):
        conduct[fact] = draw(st.sampled_from([None, 0.0, 0.01, 99.99, 12345.67, 1e6, 123456789.12]))
    return Case.model_validate(data), as_of


@given(case_date=damages_cases())
def test_liquidated_damages_never_exceed_30_percent(case_date: tuple[Case, date]) -> None:
    """Jiangsu art. 48 para. 4 (违约金…一般不超过违约造成损失的30%; arts. 43-44 within it) and the
    Qinghai agreement arts. 65-67 (原则上不得超过乙方违规费用的10% / 20% / 30%): in every pack, a
    damages amount, when one is computed, is at most 30% of its base (the loss, or the
    non-compliant costs in Qinghai) and its lower bound never exceeds its upper one. In the
    packs built on those texts, every damages measure ordered or allowed on a known base has a
    cap; in the others (national art. 38(4) 按照协议约定) none is invented."""
    case, as_of = case_date
    for pid, pack in PACKS.items():
        d = dr.evaluate(pack, case, "conduct", as_of=as_of, trace=False)
        cap = damages_cap(pack)
        for m in d.measures:
            if m.max_amount is not None:
                assert m.base_amount is not None
                assert m.max_amount <= round(m.base_amount * 0.30, 2) + 0.005, (pid, m.rule_id, m.max_amount)
                assert m.min_amount is None or m.min_amount <= m.max_amount, (pid, m.rule_id)
            if "damages" in m.measure_id and m.base_amount is not None:
                event(f"damages computed in {pid}: {m.max_amount is not None}")
                assert (m.max_amount is not None) == (cap is not None), (pid, m.rule_id)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_a_higher_tier_never_caps_damages_lower(pack_id: str) -> None:
    """Jiangsu arts. 43-44 (≤20%, then 20%-30%) and Qinghai arts. 65-67 (≤10%, ≤20%, ≤30%): the
    damages cap grows with the tier, never shrinks."""
    pack = PACKS[pack_id]
    caps: dict[int, float] = {}
    for r in pack.rules:
        for m in r.measures:
            if r.tier and m.max_rate is not None:
                caps[r.tier] = max(caps.get(r.tier, 0.0), m.max_rate)
    ordered = [caps[t] for t in sorted(caps)]
    assert ordered == sorted(ordered), caps


# --- a lower pack never ignores its parent's grounds ----------------------------------------------

PAIRS = sorted((pid, p.meta.extends) for pid, p in PACKS.items() if p.meta.extends in PACKS)


@pytest.mark.parametrize("child_id, parent_id", PAIRS)
def test_a_child_changes_its_parents_rules_only_with_its_own_citation(child_id: str, parent_id: str) -> None:
    """Foshan art. 51, Zhongshan art. 53 (national and provincial rules prevail where they provide
    otherwise), Jiangsu art. 1 (根据…《医疗机构医疗保障定点管理暂行办法》): a lower pack may depart
    from its parent only by an explicit override or repeal that cites the lower pack's own text.
    Every parent rule is in the child, unchanged or overridden, or repealed by the child with a
    citation of the child's documents and a reason."""
    child, parent = PACKS[child_id], PACKS[parent_id]
    own_docs = {s.id for s in child.meta.sources}
    ids = {r.id for r in child.rules}
    repealed = {r.id: r for r in child.repealed}
    for r in parent.rules:
        if r.id in ids:
            steps = child.rule(r.id).provenance[len(r.provenance):]
            assert [s.pack for s in steps] == [child_id], (r.id, steps)
            if steps[0].action == "overridden":
                assert steps[0].citation is not None and steps[0].citation.document in own_docs, r.id
                assert steps[0].note, f"{r.id}: an override must say what it changes"
        else:
            rep = repealed.get(r.id)
            assert rep is not None and rep.pack == child_id, f"{child_id} drops {r.id} without repealing it"
            assert rep.citation.document in own_docs and rep.reason.strip(), r.id


def required(pack: ResolvedPack, rule_ids: set[str], question: str) -> str:
    """The most severe outcome the given rules of ``pack`` ask for when they fire
    (``oracles.required_outcome``: by kind, and for measures by modality)."""
    return max((required_outcome(pack.rule(rid).kind, pack.rule(rid).modality) for rid in rule_ids),
               key=SEVERITY[question].index)


GROUND_FACTS = ("breached_agreement", "staff_or_department_breach", "major_fund_risk", "data_not_provided_or_false",
                "insurance_fraud_confirmed", "settled_for_non_designated", "closure_not_reported",
                "principal_unable_or_dishonest", "admin_penalty_decision_unfulfilled")
"""Conduct facts of national arts. 38, 45 (may), 42 para. 2 (应中止) and 43 (应解除) that most packs
inherit, restate or override."""


@st.composite
def agreement_ground_cases(draw: Any) -> tuple[Case, date]:
    """Cases of every section whose agreement is in force, with one of ``GROUND_FACTS`` found, so
    that the parent's deciding rules fire in the agreement and conduct questions, which the drawn
    cases rarely reach."""
    case, as_of = draw(dated_cases(None, unknown_rates=st.sampled_from([0.0, 0.05])))
    data = case.model_dump()
    data["agreement"].update(term_start=as_of - timedelta(days=100), term_end=as_of + timedelta(days=200))
    data["conduct"][draw(st.sampled_from(GROUND_FACTS))] = True
    return Case.model_validate(data), as_of


CHILD_EXAMPLES = BAR_EXAMPLES + [(c, a) for _, _, c, a in boundary_cases.suspension_count_cases()] + [
    (c, a) for _, ok, c, a in boundary_cases.notice_cases(kind="rescind") if ok is not None] + [
    (boundary_cases.conduct(**{f: True}), boundary_cases.AS_OF) for f in GROUND_FACTS] + [
    (boundary_cases.agreement([], **{f: True}), boundary_cases.AS_OF) for f in GROUND_FACTS]
"""Art. 12 bars on both days, 1/2/3 suspensions (art. 43(1)), a request on both sides of art. 44's
notice day, and each ground of ``GROUND_FACTS`` alone, in a conduct case and in an agreement in force."""


@pytest.mark.parametrize("child_id, parent_id", PAIRS)
@_examples(CHILD_EXAMPLES)
@given(case_date=st.one_of(dated_cases(None), agreement_ground_cases()))
def test_a_child_never_ignores_a_ground_its_parent_applies(child_id: str, parent_id: str,
                                                          case_date: tuple[Case, date]) -> None:
    """A city (or province, or agreement) decision never ignores a ground its parent applies unless
    it repealed the ground explicitly. Rests on Foshan art. 51 and Zhongshan art. 53 (national and
    provincial rules prevail), on 通医保发〔2023〕67号 (Nantong applies Jiangsu as forwarded), on
    Jiangsu art. 1 and the Qinghai agreement arts. 66(11), 67(12) (the 规章 binds beside the
    agreement). For every case and question (application, agreement, request, conduct): each rule
    the parent evaluates is evaluated by the child too, unless the child repealed it; a rule the
    child keeps unchanged (provenance and parameter values) has the same status in both; and when
    such a rule fires in the parent and decides its outcome, the child answers at least what the
    text of that ground requires: not_accepted for 不予受理, rescind (or terminate) for 应解除,
    suspend or more for 应中止, request_refused, measures required for a shall measure and at least
    available for a may one (``oracles.severity_problem``: undetermined only while a rule that
    would decide more is unknown in the child)."""
    child, parent = PACKS[child_id], PACKS[parent_id]
    case, as_of = case_date
    repealed = {r.id for r in child.repealed if r.pack == child_id}
    for question in DECIDING:
        dp = dr.evaluate(parent, case, question, as_of=as_of, trace=False)
        dc = dr.evaluate(child, case, question, as_of=as_of, trace=False)
        sp, sc = statuses(dp), statuses(dc)
        kept = {rid for rid in sp if unchanged_since(rid, child, parent)}
        for rid, status in sp.items():
            if rid in repealed:
                continue
            assert rid in sc, f"{child_id} does not evaluate {rid}"
            if rid in kept:
                assert sc[rid] == status, (question, rid, status, sc[rid])
        deciding = {rid for rid in dp.fired if rid in kept and rid in deciding_ids(parent, question)}
        event(f"{question}: parent fires a kept deciding rule: {bool(deciding)}")
        if deciding:
            problem = severity_problem(dc, required(parent, deciding, question))
            assert problem is None, (question, sorted(deciding), dp.outcome, problem)


def _benign_agreement_case(**conduct: Any) -> Case:
    """An agreement case with every agreement and conduct fact known and benign, but ``conduct``."""
    facts: dict[str, Any] = {n: False for n, f in Conduct.model_fields.items() if "bool" in str(f.annotation)}
    facts.update(breach_items=[], drug_sales=[], loss_amount=0.0, non_compliant_costs=0.0, **conduct)
    return Case.model_validate({
        "institution": {"is_public": False},
        "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31", "suspensions": [], "renewal_agreed": True,
                      "home_region_action": "none", "is_home_region": True, "other_region_action": "none",
                      "other_region_in_province": False, "renewal_refused_by_institution": False,
                      "force_majeure_prevents_performance": False},
        "conduct": facts, "request": {}, "information_change": {"is_major": False, "reveals_ineligibility": False}})


# national art. 43(8) 可能造成医疗保障基金重大损失 -> 应解除; Qinghai's art. 67(8) says 造成 (caused)
QINGHAI_43_8 = (_benign_agreement_case(major_violation_major_loss=True), date(2025, 6, 1))
# national art. 44 para. 1: a non-renewal request 应提前3个月; Foshan art. 19 para. 2: 届满前3个月内
FOSHAN_44 = (Case.model_validate({"institution": {"is_public": False}, "agreement": {"term_end": "2025-12-31"},
                                  "request": {"kind": "not_renew", "filed_on": "2025-10-15",
                                              "effective_on": "2025-12-31"}}), date(2025, 6, 1))

# Pairs whose override loosens a parent ground, each xfail(strict) with the reason until the pack is
# fixed. Empty: Foshan art. 19 para. 2 and Qinghai art. 67(8) were both fixed in the packs (see their notes).
_LOOSENED: dict[tuple[str, str], str] = {}

# Reviewed waivers: a child's override that lifts a parent's mandatory ground in a situation its own
# article names. Each is excluded only in that situation, so the property still holds everywhere else.
_WAIVERS: dict[tuple[str, str], tuple[Callable[[Case], bool], str]] = {
    ("guangdong_foshan", "materials.licence_copy"): (
        lambda case: case.application.permits_verifiable_by_data_sharing is True,
        "Foshan art. 9 para. 2: a permit that can be verified through data sharing need not be provided "
        "(无需另行提供); national art. 7(2)'s purpose, proof of the licence, is met by the verification"),
}


# Overrides that lift a parent's mandatory ground in a situation the child's article names, found
# by the property below and NOT yet reviewed: each is excluded only in that situation (so the
# property still holds everywhere else), and pinned by a strict xfail test after this one, which
# turns into an XPASS error once the pack changes. A legal review either moves the entry to
# _WAIVERS (and deletes the xfail test) or has the pack fixed (and deletes both).
_UNREVIEWED: dict[tuple[str, str], tuple[Callable[[Case], bool], str]] = {
    ("jiangsu", "eligibility.management_systems"): (
        lambda case: case.institution.has_insurance_policy_rules is True,
        "Jiangsu art. 6(4) asks for 与医保政策对应的内部管理制度; national art. 6(4) for 医保管理制度、财务制度、"
        "统计信息管理制度、医疗质量安全核心制度等 (应当同时具备). The override accepts either, so an institution "
        "with the insurance rules but without the national systems meets Jiangsu's conditions, not national's"),
    ("jiangsu", "eligibility.it_connection"): (
        lambda case: case.institution.can_upgrade_it_system is True,
        "Jiangsu art. 6(5) asks that the institution 能按照…标准进行信息系统改造…实现与医保信息系统有效对接 (able "
        "to connect); national art. 6(5) that its system 与医保信息系统有效对接 (connected). The override accepts "
        "the ability, so an institution not yet connected meets Jiangsu's conditions, not national's"),
}


@pytest.mark.parametrize("child_id, parent_id", [
    pytest.param(c, p, marks=pytest.mark.xfail(strict=True, reason=_LOOSENED[(c, p)])) if (c, p) in _LOOSENED
    else (c, p) for c, p in PAIRS])
@given(case_date=st.one_of(dated_cases(None), agreement_ground_cases()))
@example(case_date=QINGHAI_43_8)
@example(case_date=FOSHAN_44)
@_examples(CHILD_EXAMPLES)
def test_an_override_never_loosens_a_mandatory_ground_of_the_parent(child_id: str, parent_id: str,
                                                                   case_date: tuple[Case, date]) -> None:
    """The stricter half of the property above, for rules the child overrides: when a mandatory
    ground of the parent (shall, shall_not, effect) fires and decides the parent's outcome, the
    child, unless it repealed that ground explicitly, answers at least what the parent's ground
    requires (not_accepted, rescind or terminate, suspend or more, request_refused, measures
    required; ``oracles.severity_problem``), never the default nor a milder outcome such as
    suspend where the parent rescinds. A lower text may add to, sharpen or restate a higher
    one, not loosen it: Foshan art. 51 (法律、法规、规章或上级政策文件另有规定的，从其规定),
    Zhongshan art. 53 (国家、省…另行规定的，从其规定), Jiangsu art. 1 (根据…《医疗机构医疗保障定点管理
    暂行办法》), and the Qinghai agreement arts. 66(11) and 67(12) (the 规章's grounds apply beside
    the agreement's). ``may`` grounds (national art. 45) are discretion an agreement may settle."""
    child, parent = PACKS[child_id], PACKS[parent_id]
    case, as_of = case_date
    repealed = {r.id for r in child.repealed if r.pack == child_id}
    for question in DECIDING:
        dp = dr.evaluate(parent, case, question, as_of=as_of, trace=False)
        grounds = {rid for rid in dp.fired if rid in deciding_ids(parent, question) and rid not in repealed
                   and parent.rule(rid).modality != "may"
                   and not any((child_id, rid) in known and known[(child_id, rid)][0](case)
                               for known in (_WAIVERS, _UNREVIEWED))}
        event(f"{question}: a mandatory parent ground fires: {bool(grounds)}")
        if grounds:
            dc = dr.evaluate(child, case, question, as_of=as_of, trace=False)
            problem = severity_problem(dc, required(parent, grounds, question))
            assert problem is None, (question, sorted(grounds), dp.outcome, problem)


@pytest.mark.parametrize("rule_id, change", [
    ("eligibility.management_systems", {"has_required_systems": False, "has_insurance_policy_rules": True}),
    ("eligibility.it_connection", {"has_it_connection": False, "can_upgrade_it_system": True})])
@pytest.mark.xfail(strict=True, reason="Jiangsu's art. 6(4)/(5) overrides accept less than national art. 6(4)/(5) "
                   "(_UNREVIEWED); awaiting a legal review")
def test_jiangsu_keeps_national_art6_items_4_and_5(rule_id: str, change: dict[str, Any]) -> None:
    """National art. 6 (应当同时具备以下基本条件) items (4) and (5) bind beside Jiangsu art. 6 (Jiangsu
    art. 1: 根据…《医疗机构医疗保障定点管理暂行办法》). An application that meets everything else but
    fails national item (4) (no insurance, finance, statistics and quality systems) or (5) (not
    connected to the insurance system) is not conditions_met under Jiangsu either."""
    case = boundary_cases.application(institution=change)
    national = dr.evaluate(NATIONAL, case, "application", as_of=boundary_cases.AS_OF, trace=False)
    jiangsu = dr.evaluate(JIANGSU, case, "application", as_of=boundary_cases.AS_OF, trace=False)
    assert national.outcome == "conditions_not_met" and national.fired == (rule_id,)
    assert jiangsu.outcome == "conditions_not_met", (jiangsu.outcome, jiangsu.fired)


# --- further properties the texts support ---------------------------------------------------------

DEADLINE_DOCS = {"nhsa_order_2": 30, "su_ybg_2023_3": 30, "foshan_93": 30, "zhongshan_draft": 30,
                 "qinghai_agreement_2025": 20}
"""Payment within N working days of the declaration: national art. 30, Jiangsu art. 29 para. 2,
Foshan art. 37, Zhongshan art. 31 para. 1 (30 each) and the Qinghai agreement art. 39 (20)."""


@st.composite
def claims(draw: Any) -> tuple[Case, date]:
    as_of = draw(as_of_dates())
    declared = draw(dates_near(as_of))
    return Case.model_validate({"claim": {"declared_on": declared}}), as_of


@given(case_date=claims())
def test_payment_is_never_later_than_national_and_earlier_in_qinghai(case_date: tuple[Case, date]) -> None:
    """原则上应当在…申报后30个工作日内拨付 (national art. 30; Jiangsu art. 29 para. 2; Foshan art. 37;
    Zhongshan art. 31 para. 1) and 不超过20个工作日 (Qinghai agreement art. 39): the last day for
    payment is the national one everywhere, except under the Qinghai agreement, where it comes
    strictly earlier (20 < 30 working days on the same calendar)."""
    case, as_of = case_date
    due = {}
    for pid, pack in PACKS.items():
        d = dr.evaluate(pack, case, "deadlines", as_of=as_of, trace=False)
        [payment] = [x for x in d.deadlines if x.rule_id == "time_limit.payment"]
        due[pid] = payment.due
        assert payment.length == DEADLINE_DOCS[payment.citation.document], (pid, payment.length)
        assert payment.unit == "working_days" and payment.in_principle
    for pid, d in due.items():
        if "qinghai_agreement_2025" in PACKS[pid].sources:
            assert d < due["national"], (pid, d, due["national"])
        else:
            assert d == due["national"], (pid, d, due["national"])


@st.composite
def public_requests(draw: Any) -> tuple[Case, date]:
    case, as_of = draw(dated_cases("request"))
    data = case.model_dump()
    data["institution"]["is_public"] = True
    data["request"]["kind"] = draw(st.sampled_from(["suspend", "rescind"]))
    return Case.model_validate(data), as_of


@given(case_date=public_requests())
def test_no_pack_lets_a_public_institution_request_suspension_or_rescission(case_date: tuple[Case, date]) -> None:
    """公立医疗机构不得主动提出中止或解除医保协议: national art. 44 para. 1, Jiangsu art. 39 para. 1,
    Foshan art. 19 para. 1, Zhongshan art. 43; the Qinghai agreement does not restate it and the
    national 规章 binds. In every pack such a request is refused, whatever else is unknown."""
    case, as_of = case_date
    for pid, pack in PACKS.items():
        d = dr.evaluate(pack, case, "request", as_of=as_of, trace=False)
        assert d.outcome == "request_refused", (pid, d.outcome, d.unknown)


@given(case_date=dated_cases(None, unknown_rates=st.sampled_from([0.0])))
def test_jiangsu_art44_rescission_and_suspension_items_decide_the_agreement(case_date: tuple[Case, date]) -> None:
    """Jiangsu art. 44 paras. 3-4: for items 4, 5, 6, 8 the agency 应当解除医保协议, for items 7 and 9
    应当中止医保协议. With every fact known, when the conduct question orders the rescission
    (measures.tier3.rescission) the agreement question ends the agreement (rescind, or terminate
    first under arts. 36-37), and when it orders the suspension (measures.tier3.suspension) the
    agreement does not simply continue."""
    case, as_of = case_date
    for pid in ("jiangsu", "jiangsu_nantong"):
        conduct = dr.evaluate(PACKS[pid], case, "conduct", as_of=as_of, trace=False)
        agreement = dr.evaluate(PACKS[pid], case, "agreement", as_of=as_of, trace=False)
        event(f"art. 44 rescission {'measures.tier3.rescission' in conduct.fired}, "
              f"suspension {'measures.tier3.suspension' in conduct.fired}")
        if "measures.tier3.rescission" in conduct.fired:
            assert agreement.outcome in ("rescind", "terminate"), (pid, agreement.outcome)
        if "measures.tier3.suspension" in conduct.fired:
            assert agreement.outcome in ("suspend", "rescind", "terminate"), (pid, agreement.outcome)
