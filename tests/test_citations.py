"""Citations an officer can sign (issue 8): quotes checked against the cited article, paragraph
and item; closed outcome vocabulary; local restatements cited first; cited item lists; the
parameters a decision used, with the provision that set them."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.packs.citations import quote_status
from dingdian_rules.errors import PackError
from dingdian_rules.packs.chain import bundled_pack_ids
from dingdian_rules.packs.loader import load_pack
from dingdian_rules.render import decision_text

BASE = Path(__file__).parent / "fixtures" / "packs" / "base"

CITY_TEXT = """测试市实施细则（测试夹具：虚构文本）

第一条 为规范定点管理，制定本细则。

第二条 以弄虚作假等不正当手段申请取得定点的，经办机构应当解除医保协议。

第三条 定点医疗机构有下列情形之一的，经办机构应当中止医保协议：

（一）伪造医学文书的；

（二）虚构医药服务项目的；

（三）拒绝监督检查的。

经办机构中止医保协议的，应当书面告知。

第四条 床位数在50张以上的医疗机构应设内部医保管理部门。
"""

CITY_META = """id: city
name: {zh: 测试市, en: Test city}
level: city
extends: base
sources:
  - id: city_rules
    title: 测试市实施细则
    number: 测试〔2024〕9号
    issuer: 测试市医疗保障局
    status: in_force
    file: sources/city.txt
"""


def make_city(tmp_path: Path, rules: str) -> Path:
    """A city pack over a copy of the `base` fixture, with one rule file."""
    shutil.copytree(BASE, tmp_path / "base")
    city = tmp_path / "city"
    (city / "rules").mkdir(parents=True)
    (city / "sources").mkdir()
    (city / "sources" / "city.txt").write_text(CITY_TEXT, encoding="utf-8")
    (city / "pack.yaml").write_text(CITY_META, encoding="utf-8")
    (city / "rules" / "city.yaml").write_text(rules, encoding="utf-8")
    return city


def errors_of(tmp_path: Path, rules: str) -> list:
    with pytest.raises(PackError) as exc:
        load_pack(make_city(tmp_path, rules))
    return [d for d in exc.value.diagnostics if d.severity == "error"]


RULE = """rules:
  - id: suspension.city_items
    kind: suspension
    title: {{zh: 第三条情形, en: Art. 3 items}}
    citation: {{document: city_rules, {where}, quote: {quote}}}
    modality: shall
    when: conduct.falsified_records
    outcome: suspend
"""


# --- 1. quotes checked against the cited article, paragraph and item ---------------------------

@pytest.mark.parametrize("where, quote, code, hint", [
    ("article: 2", "虚构医药服务项目的", "quote-outside-article", "第3条第1款第（2）项"),
    ("article: 9", "虚构医药服务项目的", "cited-article-missing", ""),
    ("article: 3, paragraph: 2", "虚构医药服务项目的", "quote-outside-paragraph", "第3条第1款第（2）项"),
    ("article: 3, paragraph: 3", "虚构医药服务项目的", "cited-paragraph-missing", ""),
    ("article: 3, item: 1", "虚构医药服务项目的", "quote-outside-item", "第3条第1款第（2）项"),
    ("article: 3, item: 3", "经办机构应当中止医保协议", "quote-outside-item", "第3条第1款"),
    ("article: 3, item: 5", "虚构医药服务项目的", "cited-item-missing", ""),
    ("article: 3, paragraph: 2, item: 2", "虚构医药服务项目的", "quote-outside-paragraph", "第3条第1款第（2）项"),
])
def test_a_quote_outside_its_cited_place_is_a_located_load_error(tmp_path, where, quote, code, hint):
    (error,) = errors_of(tmp_path, RULE.format(where=where, quote=quote))
    assert error.code == code
    assert error.location.file.endswith("city.yaml") and error.location.line == 5 and error.location.column > 1
    assert hint in error.hint


@pytest.mark.parametrize("where, quote", [
    ("article: 3, item: 2", "虚构医药服务项目的"),
    ("article: 3, paragraph: 1, item: 2", "虚构医药服务项目的"),
    ("article: 3", "经办机构中止医保协议的，应当书面告知"),
    ("article: 3, paragraph: 2", "经办机构中止医保协议的，应当书面告知"),
    ("article: 3, paragraph: 1", "定点医疗机构有下列情形之一的"),
])
def test_a_quote_inside_its_cited_place_loads(tmp_path, where, quote):
    pack = load_pack(make_city(tmp_path, RULE.format(where=where, quote=quote)))
    assert pack.rule("suspension.city_items").citation.quote == quote


@pytest.mark.parametrize("rules, path_part", [
    ("""parameter_overrides:
  - id: department_beds
    value: 50
    citation: {document: city_rules, article: 3, quote: 床位数在50张以上的医疗机构应设内部医保管理部门}
""", "parameter_overrides[0].citation"),
    ("""overrides:
  - id: suspension.major_fund_risk
    changes: city wording
    citation: {document: city_rules, article: 2, quote: 拒绝监督检查的}
""", "overrides[0].citation"),
    ("""repeals:
  - id: suspension.on_request
    reason: the city does not allow requests
    citation: {document: city_rules, article: 1, quote: 拒绝监督检查的}
""", "repeals[0].citation"),
    ("""restatements:
  - rule: rescission.fraudulent_designation
    citation: {document: city_rules, article: 3, quote: 以弄虚作假等不正当手段申请取得定点的}
""", "restatements[0].citation"),
    ("""restatements:
  - rule: rescission.fraudulent_designation
    citation: {document: city_rules, article: 2, quote: 以弄虚作假等不正当手段申请取得定点的}
    also_cites:
      - {document: city_rules, article: 4, quote: 拒绝监督检查的}
""", "restatements[0].also_cites[0]"),
    ("""item_lists:
  - id: art3
    document: city_rules
    article: 3
    paragraph: 1
    items:
      - {item: 1, quote: 虚构医药服务项目的, when: conduct.fictitious_services}
""", "item_lists[0].items[0]"),
])
def test_every_kind_of_citation_is_checked_against_its_article(tmp_path, rules, path_part):
    (error,) = errors_of(tmp_path, rules)
    assert error.code in ("quote-outside-article", "quote-outside-item")
    assert error.path.startswith(path_part)


def test_every_citation_of_every_bundled_pack_lies_inside_its_article():
    """Rules (with their further citations and every provision of their basis), parameters, repeals
    and listed items of every bundled pack: each quote lies in the cited article, paragraph and item."""
    checked = 0
    for pid in bundled_pack_ids():
        pack = load_pack(pid)
        cites = [c for r in pack.rules for p in r.basis for c in (p.citation, *p.also_cites)]
        cites += [c for p in pack.parameters.values() for b in p.basis for c in (b.citation, *b.also_cites)]
        cites += [r.citation for r in pack.repealed]
        cites += [i.citation for lst in pack.item_lists.values() for i in lst.items]
        for c in cites:
            status, found, _ = quote_status(c.quote, str(pack.sources[c.document].path), c.article, c.paragraph, c.item)
            assert status == "ok", (pid, c, status, found)
            checked += 1
    assert checked > 500


# --- 2. closed vocabularies -----------------------------------------------------------------------

def test_an_unknown_outcome_is_a_located_error_with_a_did_you_mean(tmp_path):
    rules = RULE.format(where="article: 3, item: 1", quote="伪造医学文书的").replace("outcome: suspend",
                                                                                   "outcome: suspnd")
    (error,) = errors_of(tmp_path, rules)
    assert error.code == "bad-value" and error.location.line == 8 and "suspend" in error.hint


def test_an_outcome_that_does_not_suit_the_kind_is_refused(tmp_path):
    rules = RULE.format(where="article: 3, item: 1", quote="伪造医学文书的").replace("outcome: suspend",
                                                                                   "outcome: rescind")
    (error,) = errors_of(tmp_path, rules)
    assert error.code == "outcome-kind-mismatch" and error.location.line == 8 and "suspend" in error.hint


def test_a_scenario_expecting_an_unknown_outcome_is_refused():
    from dingdian_rules.packs.scenario_schema import Scenario
    with pytest.raises(Exception, match="conditons_met|literal"):
        Scenario.model_validate({"name": "x", "question": "application", "as_of": date(2025, 1, 1), "case": {},
                                 "expect": {"outcome": "conditons_met"}})


# --- 3. local restatements are cited first --------------------------------------------------------

RESTATE = """restatements:
  - rule: rescission.fraudulent_designation
    citation: {document: city_rules, article: 2, quote: 以弄虚作假等不正当手段申请取得定点的，经办机构应当解除医保协议}
    note: the city's art. 2 repeats national art. 43(2)
"""
FRAUD_CASE = {"conduct": {"obtained_designation_by_fraud": True, "major_fund_risk": False}}


def test_a_restated_rule_cites_the_local_article_first_then_the_national_one(tmp_path):
    pack = load_pack(make_city(tmp_path, RESTATE))
    d = dr.evaluate(pack, FRAUD_CASE, "agreement", as_of=date(2025, 6, 1))
    assert d.outcome == "rescind"
    (r,) = [r for r in d.to_dict()["rules"] if r["id"] == "rescission.fraudulent_designation"]
    assert r["cited_as"] == "测试〔2024〕9号 第二条（依据 国家医疗保障局令第2号 第四十三条第（二）项）"
    assert [(b["pack"], b["role"], b["citation"]["article"]) for b in r["basis"]] == [
        ("city", "restated", 2), ("base", "defined", 43)]
    assert r["citation"]["document"] == "city_rules"
    text = decision_text(d)
    assert "依据：测试〔2024〕9号 第二条（依据 国家医疗保障局令第2号 第四十三条第（二）项）" in text
    assert "上位原文（国家医疗保障局令第2号 第四十三条第（二）项）：“以弄虚作假等不正当手段申请取得定点的”" in text


def test_a_restatement_leaves_the_logic_and_records_provenance(tmp_path):
    base = load_pack(BASE)
    city = load_pack(make_city(tmp_path, RESTATE))
    a, b = base.rule("rescission.fraudulent_designation"), city.rule("rescission.fraudulent_designation")
    assert (a.when, a.modality, a.outcome) == (b.when, b.modality, b.outcome)
    assert [p.action for p in b.provenance] == ["defined", "restated"]
    assert city.fingerprint != base.fingerprint


@pytest.mark.parametrize("rules, code", [
    (RESTATE.replace("rule: rescission.fraudulent_designation", "rule: rescission.fraudulent_desig"),
     "restate-unknown-rule"),
    (RESTATE.replace("rule: rescission.fraudulent_designation", "parameter: department_bedz"),
     "restate-unknown-parameter"),
    (RESTATE.replace("  - rule: rescission.fraudulent_designation\n",
                     "  - rule: rescission.fraudulent_designation\n    parameter: department_beds\n"),
     "bad-restatement"),
    (RESTATE + RESTATE.replace("restatements:\n", ""), "restate-own-rule"),
])
def test_restatement_mistakes_are_located_errors(tmp_path, rules, code):
    errors = errors_of(tmp_path, rules)
    assert code in {e.code for e in errors}
    assert all(e.location.file.endswith("city.yaml") and e.location.line for e in errors)


# --- 4. item-level citations ----------------------------------------------------------------------

ITEMS = """item_lists:
  - id: art3
    title: {zh: 第三条所列情形, en: Art. 3 items}
    document: city_rules
    article: 3
    paragraph: 1
    items:
      - {item: 1, quote: 伪造医学文书的, when: conduct.falsified_records}
      - {item: 2, quote: 虚构医药服务项目的, when: conduct.fictitious_services}
      - {item: 3, quote: 拒绝监督检查的, when: conduct.refused_or_obstructed_supervision}
rules:
  - id: suspension.city_items
    kind: suspension
    title: {zh: 第三条情形：中止, en: "Art. 3 items: suspend"}
    citation: {document: city_rules, article: 3, paragraph: 1, quote: 定点医疗机构有下列情形之一的，经办机构应当中止医保协议}
    modality: shall
    when: "@art3 and not conduct.major_fund_risk"
    outcome: suspend
"""


def test_a_rule_on_a_cited_list_cites_the_items_that_held(tmp_path):
    pack = load_pack(make_city(tmp_path, ITEMS))
    case = {"conduct": {"falsified_records": False, "fictitious_services": True,
                        "refused_or_obstructed_supervision": True, "major_fund_risk": False,
                        "obtained_designation_by_fraud": False}}
    d = dr.evaluate(pack, case, "agreement", as_of=date(2025, 6, 1), trace=False)
    assert d.outcome == "suspend"
    (r,) = [r for r in d.rules if r.id == "suspension.city_items"]
    assert [(i.citation.item, i.citation.quote, i.status) for i in r.items] == [
        (2, "虚构医药服务项目的", "held"), (3, "拒绝监督检查的", "held")]
    text = decision_text(d)
    assert "所涉情形：第三条第一款第（二）项“虚构医药服务项目的”" in text
    assert "第（一）项" not in text


def test_a_listed_item_that_is_unknown_is_shown_as_unknown(tmp_path):
    pack = load_pack(make_city(tmp_path, ITEMS))
    case = {"conduct": {"falsified_records": False, "fictitious_services": None, "major_fund_risk": False,
                        "refused_or_obstructed_supervision": False, "obtained_designation_by_fraud": False}}
    d = dr.evaluate(pack, case, "agreement", as_of=date(2025, 6, 1))
    (r,) = [r for r in d.to_dict()["rules"] if r["id"] == "suspension.city_items"]
    assert r["status"] == "unknown"
    assert [(i["citation"]["item"], i["status"]) for i in r["items"]] == [(2, "unknown")]
    assert "conduct.fictitious_services" in d.missing_facts


def test_a_mistake_in_a_listed_item_is_reported_at_the_item(tmp_path):
    rules = ITEMS.replace("when: conduct.fictitious_services}", "when: conduct.fictitious_servics}")
    errors = errors_of(tmp_path, rules)
    assert [e.code for e in errors] == ["unknown-fact"]
    assert errors[0].location.line == 9 and "fictitious_services" in errors[0].hint


def test_an_unknown_list_reference_is_located_in_the_condition(tmp_path):
    rules = ITEMS.replace('"@art3 and', '"@art4 and')
    (error,) = errors_of(tmp_path, rules)
    assert error.code == "unknown-item-list" and error.location.line == 17 and "art3" in error.hint


def test_an_error_after_a_list_reference_points_into_the_written_condition(tmp_path):
    rules = ITEMS.replace("not conduct.major_fund_risk", "not conduct.major_fund_rsk")
    (error,) = errors_of(tmp_path, rules)
    assert error.code == "unknown-fact"
    line = (tmp_path / "city" / "rules" / "city.yaml").read_text(encoding="utf-8").splitlines()[error.location.line - 1]
    assert line[error.location.column - 1:].startswith("conduct.major_fund_rsk")


# --- 5. parameters in decisions -------------------------------------------------------------------

BEDS = """parameter_overrides:
  - id: department_beds
    value: 50
    changes: the city sets the threshold at 50 beds
    citation: {document: city_rules, article: 4, quote: 床位数在50张以上的医疗机构应设内部医保管理部门}
"""


def test_a_city_parameter_override_is_cited_in_the_decision(tmp_path):
    pack = load_pack(make_city(tmp_path, BEDS))
    case = dr.load_case_file(Path(__file__).parents[1] / "examples" / "application_clinic.yaml")[0]
    data = case.model_dump()
    data["institution"].update(beds=60, has_insurance_department=False)
    d = dr.evaluate(pack, data, "application", as_of=date(2025, 6, 1))
    (r,) = [r for r in d.to_dict()["rules"] if r["id"] == "eligibility.insurance_department"]
    assert r["status"] == "fired"
    (p,) = r["parameters"]
    assert (p["id"], p["value"]) == ("department_beds", 50)
    assert p["cited_as"] == "测试〔2024〕9号 第四条"
    assert [(b["pack"], b["role"]) for b in p["basis"]] == [("city", "overridden"), ("base", "defined")]
    assert "参数：" in decision_text(d) and "= 50张（测试〔2024〕9号 第四条；变更了 国家医疗保障局令第2号 第六条第（三）项 的规定）" in decision_text(d)


# --- 6. scenarios can assert citations ------------------------------------------------------------

def test_scenarios_assert_the_officer_citation_and_the_items_that_held(tmp_path):
    from dingdian_rules.analysis.scenarios import check_expectation
    from dingdian_rules.packs.scenario_schema import Expectation
    pack = load_pack(make_city(tmp_path, ITEMS + RESTATE))
    case = {"conduct": {"falsified_records": True, "fictitious_services": False, "major_fund_risk": False,
                        "refused_or_obstructed_supervision": False, "obtained_designation_by_fraud": True}}
    d = dr.evaluate(pack, case, "agreement", as_of=date(2025, 6, 1))
    good = Expectation(outcome="rescind", cited={
        "rescission.fraudulent_designation": "测试〔2024〕9号 第二条（依据 国家医疗保障局令第2号 第四十三条第（二）项）"},
        cited_items={"suspension.city_items": ["第三条第一款第（一）项"]})
    assert check_expectation(d, good, pack) == []
    bad = Expectation(outcome="rescind", cited={"rescission.fraudulent_designation": "国家医疗保障局令第2号 第四十三条第（二）项"},
                      cited_items={"suspension.city_items": ["第三条第一款第（二）项"]})
    problems = check_expectation(d, bad, pack)
    assert len(problems) == 2 and problems[0].startswith("cited:") and problems[1].startswith("cited_items:")


def test_an_unknown_measure_is_a_located_error_with_a_did_you_mean(tmp_path):
    rules = """rules:
  - id: measures.city
    kind: measures
    title: {zh: 处理, en: Handling}
    citation: {document: city_rules, article: 3, item: 1, quote: 伪造医学文书的}
    modality: may
    when: conduct.falsified_records
    measures:
      - id: liquidated_damage
        title: {zh: 支付违约金, en: Damages}
"""
    (error,) = errors_of(tmp_path, rules)
    assert error.code == "bad-value" and error.location.line == 9 and "liquidated_damages" in error.hint


def test_a_list_of_codes_in_one_fact_list_is_tested_in_one_pass_with_the_same_answers(tmp_path):
    rules = ITEMS.replace("when: conduct.falsified_records}", "when: \"'3.1' in conduct.breach_items\"}").replace(
        "when: conduct.fictitious_services}", "when: \"'3.2' in conduct.breach_items\"}").replace(
        "when: conduct.refused_or_obstructed_supervision}", "when: \"'3.3' in conduct.breach_items\"}")
    pack = load_pack(make_city(tmp_path, rules))
    rule = pack.rule("suspension.city_items")
    assert "any(i in conduct.breach_items where i in ['3.1', '3.2', '3.3'])" in rule.condition.text
    for items, outcome, cited in ((["3.2", "9.9"], "suspend", [2]), ([], "continue", []), (None, "undetermined", [])):
        case = {"conduct": {"breach_items": items, "major_fund_risk": False, "obtained_designation_by_fraud": False}}
        d = dr.evaluate(pack, case, "agreement", as_of=date(2025, 6, 1))
        assert d.outcome == outcome
        (r,) = [r for r in d.rules if r.id == "suspension.city_items"]
        assert [i.citation.item for i in r.items if i.status == "held"] == cited


def test_decision_warning_codes_in_scenarios_are_a_closed_vocabulary():
    """A scenario that expects a misspelt warning code would never pass; it is refused when read."""
    from dingdian_rules.packs.scenario_schema import Expectation
    assert Expectation(outcome="computed", warnings=["calendar-estimated"]).warnings == ["calendar-estimated"]
    with pytest.raises(Exception, match="calendar-estimate"):
        Expectation(outcome="computed", warnings=["calendar-estimate"])


def test_the_vocabularies_match_what_the_engine_emits():
    """Every outcome a question's stages can give is in the schema's vocabulary, and every rule kind
    decides the outcome of its stage."""
    from dingdian_rules.packs.plans import STAGES
    from dingdian_rules.packs.schema import QUESTION_OUTCOMES, RULE_OUTCOMES
    for question, (stages, default) in STAGES.items():
        allowed = set(QUESTION_OUTCOMES[question])
        assert default in allowed and "undetermined" in allowed
        for st in stages:
            assert st.outcome in allowed and (st.mandatory_outcome or st.outcome) in allowed
            for kind in st.kinds:
                assert st.outcome in RULE_OUTCOMES[kind] or st.mandatory_outcome in RULE_OUTCOMES[kind]
            if st.converts:  # a converting kind gives its own outcome in place of the stage's
                assert st.converts[1] in allowed and RULE_OUTCOMES[st.converts[0]] == (st.converts[1],)
