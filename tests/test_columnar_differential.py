"""The columnar engine (``dingdian_rules.evaluate_frame``) against the per-case evaluator: every
generated case of every bundled pack and question, unknown facts included, gets the same outcome,
fired rules, undetermined rules and missing facts from both, down to an outcome undetermined by a
year's unpublished 调休; every bundled question compiles, and a construct the compiler cannot
express fails at compile time naming the rule and the construct. Also the null semantics the
compiler relies on (Kleene and/or)."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest

import pytest

pl = pytest.importorskip("polars")

from hypothesis import given, settings, strategies as st  # noqa: E402

import dingdian_rules as dr  # noqa: E402
from dingdian_rules.columnar import ColumnarUnsupported, compile_question, frame_from_cases  # noqa: E402
from dingdian_rules.packs.plans import QUESTIONS  # noqa: E402
from dingdian_rules.testing import as_of_dates, cases  # noqa: E402
from oracles import NAT_FALSE  # noqa: E402

# Every bundled pack and every question compiles (issue 15: "the goal is that no bundled rule needs
# ColumnarUnsupported"); test_an_unsupported_construct_fails_at_compile_time_naming_rule_and_construct
# keeps the error honest with a rule of its own.
PACK_IDS = ("national", "guangdong", "guangdong_foshan", "guangdong_zhongshan", "jiangsu", "jiangsu_nantong",
            "qinghai_agreement")
SUPPORTED = sorted((p, q) for p in PACK_IDS for q in QUESTIONS)
_PACKS: dict[str, dr.ResolvedPack] = {}


def _pack(pack_id: str) -> dr.ResolvedPack:
    if pack_id not in _PACKS:
        _PACKS[pack_id] = dr.load_pack(pack_id)
    return _PACKS[pack_id]


def _per_case(pack: dr.ResolvedPack, case: dr.Case, question: str, as_of: date) -> dict:
    d = dr.evaluate(pack, case, question, as_of=as_of, trace=False)
    return {"outcome": d.outcome, "fired": list(d.fired), "undetermined": list(d.unknown),
            "missing_facts": list(d.missing_facts)}


# a few cases per example, fewer examples than the profile's (each example compiles a question)
_FEW = settings(settings.default, max_examples=max(3, settings.default.max_examples // 20))


def _dated_rows(question: str, days: int = 1) -> st.SearchStrategy[list[tuple[dr.Case, date]]]:
    """(case, as_of) rows as ``dated_cases`` draws them, a few on each of up to ``days`` evaluation
    days, interleaved: each day is one pass of the engine, so days cost far more than rows."""
    one_day = st.tuples(as_of_dates(), st.sampled_from([0.0, 0.05, 0.15, 0.3])).flatmap(
        lambda t: st.lists(cases(question, unknown_rate=t[1], around=t[0]), min_size=1, max_size=6)
        .map(lambda found: [(c, t[0]) for c in found]))
    return st.lists(one_day, min_size=1, max_size=days).map(
        lambda drawn: [row for rows in zip_longest(*drawn) for row in rows if row is not None])


def _check_rows(pack: dr.ResolvedPack, question: str, pairs: list) -> None:
    frame = frame_from_cases(c for c, _ in pairs).with_columns(
        as_of=pl.Series([d for _, d in pairs], dtype=pl.Date))
    got = dr.evaluate_frame(pack, frame, question, as_of="as_of").to_dicts()
    assert got == [_per_case(pack, c, question, d) for c, d in pairs]


@pytest.mark.parametrize(("pack_id", "question"), SUPPORTED)
def test_every_row_gets_the_per_case_answer(pack_id: str, question: str) -> None:
    pack = _pack(pack_id)

    @_FEW
    @given(_dated_rows(question))
    def check(pairs: list) -> None:
        _check_rows(pack, question, pairs)

    check()


@pytest.mark.parametrize("question", ["application", "agreement"])
def test_rows_on_different_days_each_get_their_days_answer_in_order(question: str) -> None:
    pack = _pack("national")

    @_FEW
    @given(_dated_rows(question, days=3))
    def check(pairs: list) -> None:
        _check_rows(pack, question, pairs)

    check()


def test_a_constant_day_dotted_columns_and_an_arrow_table_give_the_same_rows() -> None:
    pack, day = _pack("national"), date(2025, 6, 1)

    @settings(settings.default, max_examples=3)
    @given(st.lists(cases("application", unknown_rate=0.2), min_size=5, max_size=10))
    def check(found: list) -> None:
        frame = frame_from_cases(found)
        expected = [_per_case(pack, c, "application", day) for c in found]
        assert dr.evaluate_frame(pack, frame, "application", as_of=day).to_dicts() == expected
        # institution as dotted columns (institution.type, institution.beds, ...) instead of a struct
        dotted = frame.drop("institution").with_columns(
            frame.get_column("institution").struct.unnest().rename(lambda n: "institution." + n))
        assert dr.evaluate_frame(pack, dotted, "application", as_of=day).to_dicts() == expected
        assert dr.evaluate_frame(pack, frame.to_arrow(), "application", as_of=day).to_dicts() == expected

    check()


def test_a_fact_the_frame_lacks_is_unknown_and_named_missing() -> None:
    pack = _pack("national")
    frame = pl.DataFrame({"institution.type": ["general_hospital"]})
    row = dr.evaluate_frame(pack, frame, "application", as_of=date(2025, 6, 1)).row(0, named=True)
    assert row["outcome"] == "undetermined"  # missing facts fail closed
    assert "institution.licence" in row["missing_facts"]
    assert "institution_type.eligible_types" in row["undetermined"]
    # a quantifier over a list the frame lacks (agreement.suspensions, its items laid out as rows)
    alike = dr.parse_case({"institution": {"type": "general_hospital"}})
    for question in ("agreement", "application"):
        got = dr.evaluate_frame(pack, frame, question, as_of=date(2025, 6, 1)).row(0, named=True)
        assert got == _per_case(pack, alike, question, date(2025, 6, 1))


def test_every_bundled_pack_is_a_pack_of_the_differential_test() -> None:
    from pathlib import Path
    bundled = {p.name for p in (Path(__file__).parent.parent / "rulepacks").iterdir() if (p / "pack.yaml").exists()}
    assert bundled == set(PACK_IDS)


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_question_of_every_bundled_pack_compiles(pack_id: str) -> None:
    pack = _pack(pack_id)
    for question in QUESTIONS:
        assert len(compile_question(pack, question)) == len(pack.plans[question].rules)


def _child_of_national(tmp_path, rules: str):
    """A city pack ``kid`` extending national with one rule file; its folder."""
    folder = tmp_path / "kid"
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.yaml").write_text("id: kid\nname: {zh: 子, en: kid}\nlevel: city\nextends: national\n",
                                      encoding="utf-8")
    (folder / "rules" / "x.yaml").write_text(rules, encoding="utf-8")
    return folder


def test_an_unsupported_construct_fails_at_compile_time_naming_rule_and_construct(tmp_path) -> None:
    # a rule of a child pack reading a named day of a year (day_in_year), which the columnar engine
    # does not express yet: it says so when the question is compiled, never answering differently
    folder = _child_of_national(tmp_path, """\
rules:
  - id: eligibility.kid_half_beds
    kind: eligibility
    title: {zh: 测试, en: test}
    citation: {document: nhsa_order_2, article: 6, item: 1, quote: 正式运营至少3个月}
    modality: shall
    also_cites:
      - {document: nhsa_order_2, article: 6, quote: 申请医保定点的医疗机构应当同时具备以下基本条件}
    requires: institution.operating_since <= day_in_year(institution.operating_since, 6, 30)
    derivation: 测试用的6月30日
    outcome: conditions_not_met
""")
    pack = dr.load_pack(folder)
    with pytest.raises(ColumnarUnsupported) as caught:
        compile_question(pack, "application")
    assert caught.value.rule_id == "eligibility.kid_half_beds" and "day_in_year" in caught.value.construct
    assert "eligibility.kid_half_beds" in str(caught.value) and caught.value.construct in str(caught.value)
    with pytest.raises(ColumnarUnsupported):
        dr.evaluate_frame(pack, frame_from_cases([dr.Case()]), "application", as_of=date(2025, 6, 1))
    compile_question(pack, "agreement")  # the rule's question only


def test_null_and_or_not_are_kleene() -> None:
    # the truth tables of Kleene's strong three-valued logic, unknown as null
    t, f, u = True, False, None
    a = [t, t, t, f, f, f, u, u, u]
    b = [t, f, u, t, f, u, t, f, u]
    rows = pl.DataFrame({"a": a, "b": b}, schema={"a": pl.Boolean, "b": pl.Boolean}).select(
        conj=pl.col("a") & pl.col("b"), disj=pl.col("a") | pl.col("b"), neg=~pl.col("a"))
    assert rows["conj"].to_list() == [t, f, u, f, f, f, u, f, u]
    assert rows["disj"].to_list() == [t, t, t, t, f, u, t, u, u]
    assert rows["neg"].to_list() == [f, f, f, t, t, t, u, u, u]


def test_a_bar_of_three_years_from_a_leap_day_ends_on_28_february() -> None:
    # 民法典 art. 202: a period with no corresponding day in its last month ends on that month's
    # last day, so a 3-year bar from 2024-02-29 still runs on 2027-02-28 and lifts on 2027-03-01
    from dingdian_rules.columnar.expressions import first_day_within
    assert first_day_within((3, "years"), date(2027, 2, 28)) <= date(2024, 2, 29)
    assert first_day_within((3, "years"), date(2027, 3, 1)) > date(2024, 2, 29)
    # one month from 31 January ends on the last day of February
    assert first_day_within((1, "months"), date(2025, 2, 28)) <= date(2025, 1, 31)
    assert first_day_within((1, "months"), date(2025, 3, 1)) > date(2025, 1, 31)


def _same_rows(pack: dr.ResolvedPack, question: str, found: list, as_of: date) -> list[dr.Decision]:
    """Evaluates the cases both ways on one day and asserts the same answers; the decisions."""
    decisions = [dr.evaluate(pack, c, question, as_of=as_of, trace=False) for c in found]
    expected = [{"outcome": d.outcome, "fired": list(d.fired), "undetermined": list(d.unknown),
                 "missing_facts": list(d.missing_facts)} for d in decisions]
    got = dr.evaluate_frame(pack, frame_from_cases(found), question, as_of=as_of).to_dicts()
    for g, e, c in zip(got, expected, found):
        assert g == e, c.model_dump(exclude_none=True)
    return decisions


def _days(first: date, count: int) -> list[date]:
    return [date.fromordinal(first.toordinal() + k) for k in range(count)]


# 2027 has no published 调休 in the bundled calendar: a working-day count through it is estimated,
# and a decided outcome that would differ with the count at its earliest or latest possible day is
# undetermined (evaluation.deadlines.calendar_check). Each case below varies one start day across
# the days whose counts run into 2027's Spring Festival, on one evaluation day.
_QINGHAI_NONE = dict.fromkeys(  # conduct_tiers.yaml's 'art. 60 over National Day': no ground for a measure
    ("admin_penalty_liable", "major_fund_risk_inspection", "self_found_and_corrected", "insurance_fraud_confirmed",
     "fraud_purpose", "larger_fund_loss", "major_fund_loss", "large_social_impact", "serious_social_impact",
     "egregious_nature", "unqualified_staff_services_billed", "services_beyond_licence_billed",
     "staff_points_threshold_reached"), False)
_CALENDAR_CASES = {
    # national art. 40: a major change not applied for within 30 working days rescinds (add(...))
    "national agreement": ("national", "agreement", date(2027, 2, 5), lambda d: {
        "agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [], "is_home_region": True},
        "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": d.isoformat()}},
        date(2026, 12, 1)),
    # Qinghai art. 60: 15 days from the notice, rolled past days off (status(time_limit.repayment))
    "qinghai conduct": ("qinghai_agreement", "conduct", date(2027, 2, 12), lambda d: {
        "conduct": {**_QINGHAI_NONE, "breach_items": [], "non_compliant_costs": 100000,
                    "repayment_notified_on": d.isoformat()}}, date(2027, 1, 4)),
    # Zhongshan art. 13: signing within 1 month of listing, rolled past days off (a waiver)
    "zhongshan application": ("guangdong_zhongshan", "application", date(2027, 2, 12), lambda d: {
        "application": {"listed_on": d.isoformat()}}, date(2026, 12, 25)),
}


@pytest.mark.parametrize("name", sorted(_CALENDAR_CASES))
def test_an_outcome_resting_on_an_estimated_working_day_is_undetermined_as_per_case(name: str) -> None:
    pack_id, question, as_of, facts, first = _CALENDAR_CASES[name]
    pack = _pack(pack_id)
    found = [dr.parse_case(facts(d)) for d in _days(first, 40)]
    decisions = _same_rows(pack, question, found, as_of)
    uncertain = [d for d in decisions if "calendar-uncertain" in [w.code for w in d.warnings]]
    assert uncertain and all(d.outcome == "undetermined" for d in uncertain)  # the rows test the check
    assert any(d.outcome != "undetermined" for d in decisions)
    flagged = dr.evaluate_frame(pack, frame_from_cases(found), question, as_of=as_of,
                                outputs=("outcome", "calendar_uncertain")).get_column("calendar_uncertain").to_list()
    assert flagged == ["calendar-uncertain" in [w.code for w in d.warnings] for d in decisions]


def test_a_fact_outside_the_item_is_missing_only_where_the_predicate_read_it() -> None:
    # national art. 41/42: termination.suspension_beyond_term reads agreement.term_end for each
    # suspension whose end is known (`s.ended_on is unknown or s.ended_on > agreement.term_end`), and
    # termination.requested_suspension_lapsed counts 180 days (rolled) from each suspension's start
    pack = _pack("national")
    suspensions = [
        [], [{"ended_on": None}], [{"ended_on": "2025-01-10"}], [{"ended_on": None}, {"ended_on": "2025-01-10"}],
        [{"requested_by_institution": True, "started_on": "2024-10-01"}],
        [{"requested_by_institution": True, "started_on": "2024-10-01", "resume_applied_on": "2025-03-01"}],
        [{"requested_by_institution": None, "started_on": "2024-10-01", "ended_on": "2025-05-01"}],
        [{"requested_by_institution": True}, {"requested_by_institution": False, "started_on": "2023-01-01"}],
        None,
    ]
    found = [dr.parse_case({"agreement": {"term_start": start, "term_end": end, "suspensions": s,
                                          "is_home_region": True}, "conduct": NAT_FALSE})
             for s in suspensions for start, end in ((None, None), ("2023-07-01", "2024-12-31"),
                                                     ("2024-07-01", "2026-06-30"))]
    _same_rows(pack, "agreement", found, date(2025, 6, 1))


def test_an_outside_fact_no_item_read_is_not_missing(tmp_path) -> None:
    # the per-case trace keeps one value per node: agreement.force_majeure_prevents_performance (no
    # national rule reads it) is read below only for an item requested by the institution, so with
    # none such it is not named, though unknown; with one, it is
    folder = _child_of_national(tmp_path, """\
rules:
  - id: termination.kid_read_or_not
    kind: termination
    title: {zh: 测试, en: test}
    citation: {document: nhsa_order_2, article: 42, paragraph: 1, quote: 超过医保协议有效期的，医保协议终止}
    modality: effect
    when: >-
      any(s in agreement.suspensions where (s.requested_by_institution
                                             and agreement.force_majeure_prevents_performance)
          or s.rectified_as_required)
    outcome: terminate
""")
    pack = dr.load_pack(folder)
    items = [{"requested_by_institution": False}, {"requested_by_institution": True},
             {"requested_by_institution": None}, {"rectified_as_required": True}]
    found = [dr.parse_case({"agreement": {"term_start": "2024-07-01", "term_end": "2026-06-30", "suspensions": s,
                                          "is_home_region": True, "force_majeure_prevents_performance": fm},
                            "conduct": NAT_FALSE})
             for s in ([items[0]], [items[1]], [items[2]], [items[0], items[1]], [items[0], items[3]])
             for fm in (None, False)]
    decisions = _same_rows(pack, "agreement", found, date(2025, 6, 1))
    unread, read = decisions[0], decisions[6]  # the fact unknown: only [requested: false]; then with [requested: true]
    fact = "agreement.force_majeure_prevents_performance"
    assert "termination.kid_read_or_not" in unread.unknown and fact not in unread.missing_facts
    assert "agreement.suspensions[].rectified_as_required" in unread.missing_facts
    assert "termination.kid_read_or_not" in read.unknown and fact in read.missing_facts


def test_a_registry_of_dotted_columns_gets_the_batch_answers() -> None:
    # the synthetic registry gives sections as dotted columns (information_change.is_major, no
    # approved_on) and suspensions as a list of structs without every field: a section is known
    # when one of its cells is given, as the batch reader builds it, and a field the items lack is unknown
    from dingdian_rules.testing.registry import arrow_table, as_entry, registry_rows
    rows = list(registry_rows(300, seed=3, unknown_rate=0.05, agreement_share=1.0))
    frame = pl.from_arrow(arrow_table(rows))
    for pack_id in ("national", "qinghai_agreement"):
        pack = _pack(pack_id)
        got = dr.evaluate_frame(pack, frame, "agreement", as_of="as_of").to_dicts()
        for g, row in zip(got, rows):
            entry = as_entry(row)
            assert g == _per_case(pack, dr.parse_case(entry["case"]), "agreement", entry["as_of"]), entry
