"""Lower-norm differences (issue 10 item 3): a child pack records that one of its provisions differs
from a higher one, which prevails and why; loads check the record, children inherit it, decisions
touching its rules warn ``lower-norm-difference`` quoting both texts, ``diff`` and
docs/jurisdictions.md show it. Behaviour is read from the texts: Qinghai art. 80(2)-(3) call 终止
what national art. 43(9) and (12) make a rescission with publication; the agreement is made under
the 规章 (art. 2), so the national consequence applies.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dingdian_rules import check_pack, evaluate, load_pack
from dingdian_rules.analysis.diff import diff_packs
from dingdian_rules.render import decision_markdown, decision_text

PACKS = Path(__file__).resolve().parents[1] / "rulepacks"
AS_OF = date(2025, 6, 1)

QH_FALSE = dict.fromkeys(
    ["major_fund_risk", "data_not_provided_or_false", "law_requires_suspension", "agreement_requires_suspension",
     "obtained_designation_by_fraud", "insurance_fraud_confirmed", "settled_for_non_designated",
     "obstructed_supervision_seriously", "major_change_not_registered", "change_info_inconsistent",
     "closure_not_reported", "major_violation_caused_major_loss", "major_violation_major_loss", "licence_revoked",
     "licence_cancelled", "principal_unable_or_dishonest", "admin_penalty_decision_unfulfilled",
     "law_requires_rescission", "unqualified_staff_services_billed", "services_beyond_licence_billed",
     "self_found_and_corrected", "fraud_purpose", "egregious_nature", "major_fund_loss", "serious_social_impact",
     "no_longer_meets_conditions", "law_requires_termination"], False)
QH_AGREEMENT = {"term_start": "2025-01-01", "term_end": "2025-12-31", "suspensions": [],
                "renewal_refused_by_institution": False, "force_majeure_prevents_performance": False,
                "home_region_action": "none", "is_home_region": False}


def qinghai_case(**conduct):
    return {"conduct": {**QH_FALSE, "breach_items": [], **conduct}, "agreement": dict(QH_AGREEMENT)}


def norm_warnings(decision):
    return [w for w in decision.warnings if w.code == "lower-norm-difference"]


@pytest.fixture(scope="module")
def qinghai():
    return load_pack("qinghai_agreement")


# ---- decisions -------------------------------------------------------------------------------

def test_c7_cancelled_licence_rescinds_under_the_national_rule_and_warns_quoting_both_texts(qinghai):
    d = evaluate(qinghai, qinghai_case(licence_cancelled=True), "agreement", as_of=AS_OF)
    assert d.outcome == "rescind"  # national art. 43(9): 应解除…并向社会公布 (was terminate, art. 80(2))
    assert "rescission.licence_cancelled" in d.fired
    (w,) = norm_warnings(d)
    assert "注销医疗机构执业许可证、诊所备案证或中医诊所备案证的" in w.message  # Qinghai art. 80(2)
    assert "有下列情形之一的，终止医保协议" in w.message
    assert "被吊销、注销医疗机构执业许可证或中医诊所备案证的" in w.message  # national art. 43(9)
    assert "第八十条第（二）项" in w.message and "国家医疗保障局令第2号 第四十三条第（九）项" in w.message
    assert "适用上位规定" in w.message and "rescission.licence_cancelled" in w.message


def test_c7_agreed_request_rescinds_under_national_43_12_with_the_warning(qinghai):
    case = qinghai_case()
    case["request"] = {"kind": "rescind", "agency_agreed": True}
    d = evaluate(qinghai, case, "agreement", as_of=AS_OF)
    assert d.outcome == "rescind" and "rescission.institution_request_agreed" in d.fired
    (w,) = norm_warnings(d)
    assert "乙方主动提出解除医保协议且甲方同意的" in w.message
    assert "定点医疗机构主动提出解除医保协议且经办机构同意的" in w.message


def test_a_rule_that_did_not_fire_gives_no_warning_and_an_unknown_one_does(qinghai):
    d = evaluate(qinghai, qinghai_case(), "agreement", as_of=AS_OF)
    assert d.outcome == "continue" and norm_warnings(d) == []
    case = qinghai_case()
    del case["conduct"]["licence_cancelled"]
    d = evaluate(qinghai, case, "agreement", as_of=AS_OF)
    assert d.outcome == "undetermined"
    assert [w.message.split("（")[1].split("，")[0] for w in norm_warnings(d)] == ["qinghai_80_2_licence_cancelled"]


def test_the_warning_is_the_same_untraced_and_in_text_and_markdown(qinghai):
    case = qinghai_case(licence_cancelled=True)
    traced = evaluate(qinghai, case, "agreement", as_of=AS_OF)
    fast = evaluate(qinghai, case, "agreement", as_of=AS_OF, trace=False)
    assert norm_warnings(fast) == norm_warnings(traced)
    message = norm_warnings(traced)[0].message
    assert f"[lower-norm-difference] {message}" in decision_text(traced)
    assert f"`lower-norm-difference`：{message}" in decision_markdown(traced)
    # the pack's own Chinese words, in both languages (docs/decision.md, Languages)
    assert {"code": "lower-norm-difference", "message": message,
            "text": {"zh": message, "en": message}} in traced.to_dict()["warnings"]


def test_a_time_limit_named_by_a_record_warns_when_its_deadline_is_given():
    zs = load_pack("guangdong_zhongshan")
    case = {"institution": {"type": "clinic", "is_public": False},
            "information_change": {"is_major": True, "approved_on": "2025-06-02"}}
    d = evaluate(zs, case, "deadlines", as_of=date(2025, 9, 1))
    assert any(x.rule_id == "time_limit.major_change_application" for x in d.deadlines)
    (w,) = norm_warnings(d)
    assert "time_limit.major_change_application" in w.message and "国家、省关于定点医疗机构的管理有另行规定的" in w.message
    d = evaluate(zs, {"institution": {"type": "clinic", "is_public": False}}, "deadlines", as_of=date(2025, 9, 1))
    assert norm_warnings(d) == []


def test_c1_jiangsu_suspends_and_nantong_inherits_the_record_with_provenance():
    for pid in ("jiangsu", "jiangsu_nantong"):
        pack = load_pack(pid)
        (rec,) = pack.norm_differences
        assert rec.id == "jiangsu_42_data_conduct" and rec.pack == "jiangsu"
        assert pack.rule("suspension.data_not_provided_or_false").norm_differences == (rec,)
    steps = [s.describe() for s in load_pack("jiangsu_nantong").norm_differences[0].provenance]
    assert steps[0] == "defined in jiangsu (su_ybg_2023_3 art. 42 item 3): the higher provision prevails"
    assert steps[1:] == ["inherited unchanged by jiangsu_nantong"]
    assert load_pack("national").norm_differences == ()


# ---- load checks -----------------------------------------------------------------------------

RECORD = """norm_differences:
  - id: {id}
    rules: [{rule}]
    lower:
      - {{document: {lower_doc}, article: 42, item: 3, quote: {lower_quote}}}
    higher:
      - {{document: nhsa_order_2, article: 42, paragraph: 2, item: 2, quote: 未按规定向经办机构及医疗保障行政部门提供有关数据或提供数据不真实的}}
    prevails: higher
    reason: 规章优先
"""


def _jiangsu_with(tmp_path: Path, **fields) -> Path:
    for pid in ("national", "jiangsu"):
        shutil.copytree(PACKS / pid, tmp_path / pid, ignore=shutil.ignore_patterns("tests"))
    values = {"id": "jiangsu_42_data_conduct", "rule": "suspension.data_not_provided_or_false",
              "lower_doc": "su_ybg_2023_3", "lower_quote": "未按照规定通过医疗保障信息系统传送医疗保障基金使用有关数据的"}
    values.update(fields)
    (tmp_path / "jiangsu" / "rules" / "norm_differences.yaml").write_text(RECORD.format(**values), encoding="utf-8")
    return tmp_path / "jiangsu"


def _errors(folder: Path):
    return [d for d in check_pack(folder) if d.severity == "error"]


def test_a_well_formed_record_loads(tmp_path):
    pack = load_pack(_jiangsu_with(tmp_path))
    assert [d.id for d in pack.norm_differences] == ["jiangsu_42_data_conduct"]


def test_an_unknown_rule_id_is_a_located_error_with_a_suggestion(tmp_path):
    (d,) = _errors(_jiangsu_with(tmp_path, rule="suspension.data_not_provided_or_fals"))
    assert d.code == "norm-difference-unknown-rule"
    assert d.location.file.endswith("norm_differences.yaml") and d.location.line == 3
    assert d.path == "norm_differences[0].rules[0]" and "suspension.data_not_provided_or_false" in d.hint


def test_a_rule_the_chain_repealed_is_an_unknown_rule(tmp_path):
    (d,) = _errors(_jiangsu_with(tmp_path, rule="materials.provincial_other_materials"))
    assert d.code == "norm-difference-unknown-rule" and "repealed" in d.message


def test_a_quote_not_in_the_cited_article_is_a_located_error(tmp_path):
    diags = _errors(_jiangsu_with(tmp_path, lower_quote="未按照规定向社会公开医药费用、费用结构等信息的"))  # item 5, not 3
    assert diags and all(d.location.file.endswith("norm_differences.yaml") for d in diags)
    assert diags[0].path.startswith("norm_differences[0].lower[0]")
    diags = _errors(_jiangsu_with(tmp_path / "b", lower_quote="这句话不在任何条文中"))
    assert [d.code for d in diags] == ["quote-not-in-source"] or diags[0].code.startswith("quote-")


def test_a_lower_provision_citing_an_ancestor_document_is_an_error(tmp_path):
    diags = _errors(_jiangsu_with(tmp_path, lower_doc="nhsa_order_2",
                                  lower_quote="未按规定向经办机构及医疗保障行政部门提供有关数据或提供数据不真实的"))
    assert "norm-difference-level" in [d.code for d in diags]
    d = next(d for d in diags if d.code == "norm-difference-level")
    assert d.path == "norm_differences[0].lower[0].document"


def test_an_id_recorded_twice_in_the_chain_is_a_duplicate(tmp_path):
    folder = _jiangsu_with(tmp_path)
    text = (folder / "rules" / "norm_differences.yaml").read_text(encoding="utf-8")
    (folder / "rules" / "more.yaml").write_text(text, encoding="utf-8")
    assert "duplicate-id" in [d.code for d in _errors(folder)]


def test_a_child_that_repeals_a_named_rule_drops_it_from_the_record(tmp_path):
    folder = _jiangsu_with(tmp_path)
    shutil.copytree(PACKS / "jiangsu_nantong", tmp_path / "jiangsu_nantong", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "jiangsu_nantong" / "rules").mkdir(exist_ok=True)
    (tmp_path / "jiangsu_nantong" / "rules" / "repeal.yaml").write_text(
        "repeals:\n  - id: suspension.data_not_provided_or_false\n    reason: test of a repeal below a record\n"
        "    citation: {document: su_ybg_2023_3, article: 42, item: 3, quote: 未按照规定通过医疗保障信息系统传送医疗保障基金使用有关数据的}\n",
        encoding="utf-8")
    pack = load_pack(tmp_path / "jiangsu_nantong")
    (rec,) = pack.norm_differences
    assert rec.rules == () and rec.pack == "jiangsu"
    assert folder.exists()


def test_a_record_changes_the_fingerprint_and_a_pack_without_one_keeps_it(tmp_path):
    with_record = load_pack(_jiangsu_with(tmp_path / "a"))
    folder = _jiangsu_with(tmp_path / "b")
    (folder / "rules" / "norm_differences.yaml").unlink()
    without = load_pack(folder)
    assert with_record.fingerprint != without.fingerprint


# ---- diff ------------------------------------------------------------------------------------

def test_diff_lists_the_records_one_pack_has_and_the_other_lacks():
    national, qinghai = load_pack("national"), load_pack("qinghai_agreement")
    d = diff_packs(national, qinghai)
    assert [(n.id, n.change) for n in d.norm_differences] == [
        ("qinghai_80_2_licence_cancelled", "only_in_b"), ("qinghai_80_3_request_agreed", "only_in_b")]
    assert d.counts()["norm_differences_only_in_b"] == 2
    assert "第八十条第（二）项" in d.to_text() and "Lower-norm differences (2)" in d.to_markdown(lang="en")
    assert "## 下位规定与上位规定不一致（2）" in d.to_markdown()
    data = d.to_dict()["norm_differences"][0]["b"]
    assert data["prevails"] == "higher" and data["lower"][0]["quote"] == "注销医疗机构执业许可证、诊所备案证或中医诊所备案证的"
    back = diff_packs(qinghai, national)
    assert [n.change for n in back.norm_differences] == ["only_in_a", "only_in_a"]
    assert diff_packs(load_pack("jiangsu"), load_pack("jiangsu_nantong")).identical


def test_resolve_lists_the_records_and_marks_the_rules_they_bear_on():
    from dingdian_rules.render import pack_dict, pack_text
    pack = load_pack("jiangsu_nantong")
    text = pack_text(pack)
    assert "下位规定与上位规定不一致（1）" in text and "适用：上位规定" in text
    assert "与上位规定不一致：jiangsu_42_data_conduct（jiangsu 记录，适用上位规定）" in text
    (rec,) = pack_dict(pack)["norm_differences"]
    assert rec["rules"] == ["suspension.data_not_provided_or_false"] and rec["pack"] == "jiangsu"
    assert rec["higher"][0]["label"] == "国家医疗保障局令第2号 第四十二条第二款第（二）项"


def test_a_record_with_when_warns_only_where_it_holds_or_is_unknown():
    foshan = load_pack("guangdong_foshan")
    (rec,) = foshan.norm_differences
    assert rec.when == "request.kind == 'not_renew'"

    def case(kind):
        return {"institution": {"is_public": False}, "agreement": {"term_start": "2025-01-01", "term_end": "2025-12-31"},
                "request": {"kind": kind, "filed_on": "2025-11-01", "effective_on": "2026-01-01"}}
    late = date(2025, 11, 1)
    assert len(norm_warnings(evaluate(foshan, case("not_renew"), "request", as_of=late))) == 1
    d = evaluate(foshan, case("suspend"), "request", as_of=late)
    assert d.outcome == "request_refused" and norm_warnings(d) == []
    unknown = case("not_renew")
    del unknown["request"]["kind"]
    assert len(norm_warnings(evaluate(foshan, unknown, "request", as_of=late))) == 1


def test_a_mistake_in_when_is_a_located_error(tmp_path):
    folder = _jiangsu_with(tmp_path)
    path = folder / "rules" / "norm_differences.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "    when: conduct.no_such_fact\n", encoding="utf-8")
    (d,) = _errors(folder)
    assert d.code == "unknown-fact" and d.location.file.endswith("norm_differences.yaml") and d.location.line == 10
    assert d.path == "norm_differences[0].when" and d.location.column == 11
