"""Article coverage: heading extraction, numerals, every bundled article accounted for, coverage.yaml errors."""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path

import pytest

from dingdian_rules.cli import coverage as coverage_cli
from dingdian_rules.analysis.coverage import (CLASSES, STATUS_LABEL, STATUSES, article_sequence_problems, chinese_numeral,
                                     coverage_report, extract_articles, report_markdown, report_text)
from dingdian_rules.analysis.coverage_status import encodings
from dingdian_rules.errors import PackError
from dingdian_rules.packs.chain import bundled_pack_ids, bundled_root
from dingdian_rules.packs.loader import load_pack


# --- numerals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("十九", 19), ("二十", 20), ("二十一", 21), ("八十三", 83),
    ("九十九", 99), ("一百", 100), ("一百零一", 101), ("一百零三", 103), ("一百一十", 110), ("一百十", 110),
    ("一百二十五", 125), ("两", 2), ("12", 12), ("１２", 12),
])
def test_chinese_numeral(text, value):
    assert chinese_numeral(text) == value


@pytest.mark.parametrize("text", ["", "零", "百", "二三", "十百", "一零", "二十三四", "条", "十十"])
def test_chinese_numeral_rejects(text):
    with pytest.raises(ValueError):
        chinese_numeral(text)


def test_numerals_one_to_two_hundred_round_trip():
    digits = "零一二三四五六七八九"

    def spell(n: int) -> str:
        hundreds, rest = divmod(n, 100)
        tens, ones = divmod(rest, 10)
        out = (digits[hundreds] + "百") if hundreds else ""
        if tens:
            out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
        elif hundreds and ones:
            out += "零"
        return out + (digits[ones] if ones else "")

    for n in range(1, 200):
        assert chinese_numeral(spell(n)) == n, spell(n)


# --- extraction -------------------------------------------------------------------------------
SAMPLE = """# 测试办法

## 第一章 总则

第一条 为了测试，制定本办法。

**第二条** 依照本办法第四十二条规定，经办机构应当处理。
第二十一条规定的情形不适用。

- 第三条　（全角空格）医疗机构符合第七条基本条件的，可以申请。
[bookmark: _GoBack]第四条 本办法自公布之日起施行。
  ### 第一百条 也可以是三位数。
第五条情形之一的，不是标题。
"""


def test_extract_articles_headings_only():
    arts = extract_articles(SAMPLE)
    assert [a.number for a in arts] == [1, 2, 3, 4, 100]
    assert [a.line for a in arts] == [5, 7, 10, 11, 12]
    assert arts[1].text.startswith("第二条 依照本办法第四十二条规定")  # Markdown bold marks removed
    # 第四十二条 / 第七条 inside sentences, 第二十一条规定 and 第五条情形 at a line start are mentions, not headings


def test_sequence_problems_report_gaps_and_duplicates():
    arts = extract_articles("第一条 甲。\n第二条 乙。\n第二条 乙（重复片段）。\n第五条 丙。\n")
    codes = [(d.code, d.location.line) for d in article_sequence_problems(arts, "x.txt")]
    assert codes == [("article-duplicate", 3), ("article-gap", 4)]
    assert article_sequence_problems(extract_articles(SAMPLE.split("  ###")[0]), "x.txt") == []


@pytest.mark.parametrize("path", sorted(bundled_root().glob("*/sources/*.txt")), ids=lambda p: p.name)
def test_every_bundled_text_numbers_articles_one_to_n(path):
    arts = extract_articles(path.read_text(encoding="utf-8"))
    numbers = [a.number for a in arts]
    assert numbers == list(range(1, len(numbers) + 1)), f"{path}: {numbers}"
    assert len(numbers) >= 50


# --- bundled packs: every article accounted for -----------------------------------------------
@lru_cache(maxsize=None)
def bundled(pack_id: str):
    return load_pack(pack_id)


@pytest.mark.parametrize("pack_id", bundled_pack_ids())
def test_every_article_is_accounted_for(pack_id):
    report = coverage_report(bundled(pack_id))
    assert not report.errors, "\n".join(d.format() for d in report.errors)
    missing = "; ".join(f"{doc}: 第{', '.join(map(str, arts))}条" for doc, arts in report.unaccounted.items())
    assert not report.unaccounted, (
        f"{pack_id}: articles neither encoded nor classified: {missing} — add a rule citing them or an entry "
        f"in rulepacks/{pack_id}/coverage.yaml (see docs/coverage.md)")
    assert not [d for d in report.diagnostics if d.code == "classified-but-encoded"], report.diagnostics
    assert report.percent == 100.0
    for d in report.documents:
        for n, (cls, reason) in d.classified.items():
            assert cls in CLASSES
            assert "\n" not in reason and len(reason) <= 200, (pack_id, d.document, n)


def test_forwarding_notice_is_accounted_for_as_the_forwarded_document():
    report = coverage_report(bundled("jiangsu_nantong"))
    (doc,) = report.documents
    assert doc.document == "tong_ybf_2023_67" and doc.forwards == "su_ybg_2023_3"
    assert doc.total == 53 and not doc.unaccounted
    assert doc.status(5) == "decided" and doc.status(1) == "classified"
    assert doc.counts == doc.forwarded.counts


# --- fixtures: coverage.yaml mistakes -----------------------------------------------------------
SOURCE = """# 测试用办法

第一条 为了测试，制定本办法。

第二条 定点医疗机构未按规定提供数据的，经办机构应中止医保协议。依照第四条处理。

第三条 中止时间不得超过180日。

第四条 本办法自公布之日起施行。
"""

PACK = """id: {id}
name: {{zh: 测试, en: Test}}
level: {level}
extends: {extends}
sources:
  - id: {doc}
    title: 测试用办法
    issuer: 测试局
    status: in_force
    file: sources/text.txt
"""

RULES = """parameters:
  - id: max_days
    title: {zh: 中止上限, en: Max suspension}
    value: 180
    unit: days
    citation: {document: test_doc, article: 3, quote: 中止时间不得超过180日}
rules:
  - id: suspension.data
    kind: suspension
    title: {zh: 未按规定提供数据, en: Data not provided}
    citation: {document: test_doc, article: 2, quote: 定点医疗机构未按规定提供数据的}
    modality: shall
    when: conduct.data_not_provided_or_false
    outcome: suspend
"""


def make_pack(root: Path, pack_id: str, coverage: str | None, *, doc: str = "test_doc", extends: str = "null",
              rules: str | None = RULES) -> Path:
    folder = root / pack_id
    (folder / "sources").mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.format(id=pack_id, doc=doc, extends=extends,
                                                  level="national" if extends == "null" else "city"),
                                      encoding="utf-8")
    (folder / "sources" / "text.txt").write_text(SOURCE, encoding="utf-8")
    if rules:
        (folder / "rules").mkdir()
        (folder / "rules" / "main.yaml").write_text(rules, encoding="utf-8")
    if coverage is not None:
        (folder / "coverage.yaml").write_text(coverage, encoding="utf-8")
    return folder


GOOD = """documents:
  test_doc:
    articles:
      - {article: 1, class: principle, reason: "Purpose (为了测试)."}
      - {article: 4, class: scope, reason: "Date in force."}
"""


def test_fixture_complete(tmp_path):
    report = coverage_report(load_pack(make_pack(tmp_path, "root", GOOD)))
    (doc,) = report.documents
    assert [a.number for a in doc.articles] == [1, 2, 3, 4]
    assert [e.id for e in doc.cited[2]] == ["suspension.data"]
    assert [e.label() for e in doc.cited[3]] == ["$max_days (unused)"]
    assert [doc.status(n) for n in doc.numbers] == ["classified", "decided", "parameter_only", "classified"]
    assert doc.classified == {1: ("principle", "Purpose (为了测试)."), 4: ("scope", "Date in force.")}
    assert report.complete and report.percent == 100.0 and report.diagnostics == []


def test_fixture_unaccounted_article(tmp_path):
    cov = GOOD.replace('      - {article: 4, class: scope, reason: "Date in force."}\n', "")
    report = coverage_report(load_pack(make_pack(tmp_path, "root", cov)))
    assert report.unaccounted == {"test_doc": [4]}
    assert not report.complete and report.accounted == 3 and report.percent == 75.0
    assert "art.   4  UNACCOUNTED" in report_text(report, "en")
    assert "test_doc: 3/4 articles accounted for (75.0%)" in report_text(report, "en")


def test_fixture_nonexistent_article_is_an_error_with_location(tmp_path):
    cov = GOOD + '      - {article: 9, class: other, reason: "There is no such article."}\n'
    folder = make_pack(tmp_path, "root", cov)
    report = coverage_report(load_pack(folder))
    (err,) = report.errors
    assert err.code == "unknown-article"
    assert "第9条" in err.message and "1-4" in err.message
    assert err.location.file == str(folder / "coverage.yaml") and err.location.line == 6
    assert err.path == "documents.test_doc.articles[2].article"
    assert not report.complete  # every article is accounted for, but the file has an error


def test_fixture_classified_but_encoded_warns_parameter_only_does_not(tmp_path):
    cov = GOOD + ('      - {article: 2, class: procedure, reason: "Classified although a rule cites it."}\n'
                  '      - {article: 3, class: other, reason: "Only a parameter cites it."}\n')
    report = coverage_report(load_pack(make_pack(tmp_path, "root", cov)))
    (warning,) = report.diagnostics
    assert warning.code == "classified-but-encoded" and warning.severity == "warning"
    assert "suspension.data" in warning.message and warning.location.line == 6
    assert report.complete


def test_fixture_quote_outside_the_cited_article_is_a_load_error(tmp_path):
    """A wrong article number no longer loads (it was a coverage warning before issue 8)."""
    rules = RULES.replace("{document: test_doc, article: 2, quote:", "{document: test_doc, article: 3, quote:")
    cov = GOOD + '      - {article: 2, class: other, reason: "Its rule cites art. 3 by mistake."}\n'
    with pytest.raises(PackError) as exc:
        load_pack(make_pack(tmp_path, "root", cov, rules=rules))
    (error,) = [d for d in exc.value.diagnostics if d.severity == "error"]
    assert error.code == "quote-outside-article" and error.location.file.endswith(".yaml")
    assert error.hint.startswith("the quote stands in 第2条")


def test_fixture_schema_errors_have_file_line(tmp_path):
    cov = """documents:
  test_doc:
    articles:
      - {article: 1, class: principal, reason: "Purpose."}
      - {article: 4, klass: scope, reason: "Date in force."}
"""
    report = coverage_report(load_pack(make_pack(tmp_path, "root", cov)))
    found = {(d.code, d.location.line) for d in report.errors}
    assert ("bad-value", 4) in found  # with a did-you-mean for 'principle'
    assert ("unknown-field", 5) in found
    assert any("principle" in d.hint for d in report.errors)
    assert report.unaccounted == {"test_doc": [1, 4]}  # nothing of a broken file is used


def test_fixture_duplicate_entry_and_unknown_document(tmp_path):
    cov = GOOD + """      - {article: 1, class: other, reason: "Again."}
  other_doc:
    articles: []
"""
    report = coverage_report(load_pack(make_pack(tmp_path, "root", cov)))
    assert sorted(d.code for d in report.errors) == ["duplicate-article", "unknown-document"]


def test_fixture_child_classifies_only_its_own_documents_and_forwards(tmp_path):
    make_pack(tmp_path, "root", GOOD)
    bad = """documents:
  test_doc:
    articles:
      - {article: 1, class: principle, reason: "Belongs to the parent."}
  child_doc:
    forwards: test_doc
"""
    child = make_pack(tmp_path, "child", bad, doc="child_doc", extends="root", rules=None)
    report = coverage_report(load_pack(child))
    assert sorted(d.code for d in report.errors) == ["missing-field", "not-own-document"]
    (doc,) = report.documents
    assert doc.forwards == "test_doc" and not doc.unaccounted  # the parent's coverage accounts for them
    assert doc.status(2) == "decided" and doc.status(1) == "classified"

    (child / "coverage.yaml").write_text("documents:\n  child_doc:\n    forwards: test_doc\n"
                                         "    reason: Forwards the parent unchanged.\n", encoding="utf-8")
    report = coverage_report(load_pack(child))
    assert report.complete and report.diagnostics == []


def test_fixture_without_coverage_file_everything_uncited_is_unaccounted(tmp_path):
    report = coverage_report(load_pack(make_pack(tmp_path, "root", None)))
    assert report.unaccounted == {"test_doc": [1, 4]} and report.coverage_file is None


# --- statuses: one fixture per status -------------------------------------------------------------
# A root pack and a child pack whose articles each get one status; the texts are made up for the test.
ROOT_TEXT = """# 测试用办法（夹具：虚构文本）

第一条 为了测试，制定本办法。

第二条 定点医疗机构未按规定提供数据的，经办机构应中止医保协议。

第三条 中止时间不得超过180日。经办机构应当在5日内书面通知。

第四条 定点医疗机构有下列情形之一的，经办机构应解除医保协议：

（一）虚构医药服务项目的；

（二）伪造医学文书的。

第五条 有第四条所列情形之一的，解除医保协议，并向社会公布。

第六条 经办机构中止医保协议的，应当书面告知定点医疗机构。

第七条 医疗机构主动提出中止医保协议的，经办机构可以中止。

第八条 本办法自公布之日起施行。
"""

ROOT_RULES = """parameters:
  - id: max_days
    title: {zh: 中止上限, en: Max suspension}
    value: 180
    unit: days
    citation: {document: root_doc, article: 3, quote: 中止时间不得超过180日}
  - id: notice_days
    title: {zh: 通知期限, en: Notice period}
    value: 5
    unit: days
    citation: {document: root_doc, article: 3, quote: 经办机构应当在5日内书面通知}
item_lists:
  - id: art4_items
    title: {zh: 第四条所列情形, en: Art. 4 items}
    document: root_doc
    article: 4
    items:
      - {item: 1, quote: 虚构医药服务项目的, when: conduct.fictitious_services}
      - {item: 2, quote: 伪造医学文书的, when: conduct.falsified_records}
rules:
  - id: suspension.data
    kind: suspension
    title: {zh: 未按规定提供数据, en: Data not provided}
    citation: {document: root_doc, article: 2, quote: 定点医疗机构未按规定提供数据的，经办机构应中止医保协议}
    also_cites:
      - {document: root_doc, article: 6, quote: 经办机构中止医保协议的，应当书面告知定点医疗机构}
    modality: shall
    when: conduct.data_not_provided_or_false
    outcome: suspend
  - id: rescission.listed
    kind: rescission
    title: {zh: 第四条情形, en: Art. 4 items}
    citation: {document: root_doc, article: 5, quote: 有第四条所列情形之一的，解除医保协议}
    modality: shall
    when: "@art4_items"
    outcome: rescind
  - id: suspension.requested
    kind: suspension
    title: {zh: 主动申请中止, en: Requested suspension}
    citation: {document: root_doc, article: 7, quote: 医疗机构主动提出中止医保协议的，经办机构可以中止}
    modality: may
    when: conduct.major_fund_risk
    outcome: suspend
"""

ROOT_COVERAGE = """documents:
  root_doc:
    articles:
      - {article: 1, class: principle, reason: "Purpose (为了测试)."}
      - {article: 8, class: scope, reason: "Date in force."}
"""

CHILD_TEXT = """# 测试市细则（夹具：虚构文本）

第一条 为了测试，制定本细则。

第二条 定点医疗机构未按规定提供数据的，经办机构应中止医保协议。

第三条 中止时间不得超过90日。

第四条 经办机构应当在5日内书面通知。

第五条 医疗机构不得主动提出中止医保协议。

第六条 定点医疗机构有本办法所列情形之一，且情节严重的，经办机构应解除医保协议。

第七条 本细则未尽事宜，另行规定。
"""

CHILD_RULES = """restatements:
  - rule: suspension.data
    citation: {document: child_doc, article: 2, quote: 定点医疗机构未按规定提供数据的，经办机构应中止医保协议}
  - parameter: notice_days
    citation: {document: child_doc, article: 4, quote: 经办机构应当在5日内书面通知}
parameter_overrides:
  - id: max_days
    value: 90
    citation: {document: child_doc, article: 3, quote: 中止时间不得超过90日}
repeals:
  - id: suspension.requested
    reason: the city allows no requested suspension
    citation: {document: child_doc, article: 5, quote: 医疗机构不得主动提出中止医保协议}
overrides:
  - id: rescission.listed
    changes: only serious cases
    citation: {document: child_doc, article: 6, quote: 情节严重的，经办机构应解除医保协议}
    when: "@art4_items and conduct.serious_social_impact"
"""

CHILD_COVERAGE = """documents:
  child_doc:
    articles:
      - {article: 1, class: principle, reason: "Purpose (为了测试)."}
"""


def status_packs(root: Path, child_coverage: str | None = CHILD_COVERAGE) -> tuple[Path, Path]:
    """The root (statuses decided, parameter_only, classified) and child (restated, parameter_only
    by override and restatement, repeal_only, decided by override, classified, unaccounted) packs."""
    folders = []
    for pid, doc, text, rules, cov, extends in (("root", "root_doc", ROOT_TEXT, ROOT_RULES, ROOT_COVERAGE, "null"),
                                                ("child", "child_doc", CHILD_TEXT, CHILD_RULES, child_coverage, "root")):
        folder = make_pack(root, pid, cov, doc=doc, extends=extends, rules=rules)
        (folder / "sources" / "text.txt").write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders[0], folders[1]


def statuses(report) -> dict[int, str]:
    (doc,) = report.documents
    return {n: doc.status(n) for n in doc.numbers}


def test_statuses_of_a_root_pack(tmp_path):
    root, _ = status_packs(tmp_path)
    report = coverage_report(load_pack(root))
    assert statuses(report) == {1: "classified", 2: "decided", 3: "parameter_only", 4: "decided", 5: "decided",
                                6: "decided", 7: "decided", 8: "classified"}
    doc = report.documents[0]
    assert [e.label() for e in doc.cited[4]] == ["rescission.listed (@art4_items)"]  # decided by the list's items
    assert [e.label() for e in doc.cited[6]] == ["suspension.data"]  # decided through also_cites
    assert [e.label() for e in doc.cited[3]] == ["$max_days (unused)", "$notice_days (unused)"]
    assert report.complete and report.diagnostics == []


def test_statuses_of_a_child_pack(tmp_path):
    _, child = status_packs(tmp_path)
    report = coverage_report(load_pack(child))
    assert statuses(report) == {1: "classified", 2: "restated", 3: "parameter_only", 4: "parameter_only",
                                5: "repeal_only", 6: "decided", 7: "unaccounted"}
    doc = report.documents[0]
    assert [e.label() for e in doc.cited[2]] == ["suspension.data (restatement)"]
    assert [e.label() for e in doc.cited[3]] == ["$max_days (override, unused)"]
    assert [e.label() for e in doc.cited[4]] == ["$notice_days (restatement, unused)"]
    assert [e.label() for e in doc.cited[5]] == ["suspension.requested (repeal)"]
    assert [e.label() for e in doc.cited[6]] == ["rescission.listed (override)"]
    assert doc.counts == {"decided": 1, "restated": 1, "parameter_only": 2, "repeal_only": 1, "classified": 1,
                          "unaccounted": 1}
    assert report.unaccounted == {"child_doc": [7]} and not report.complete
    assert report.counts == doc.counts


def test_a_rule_citation_is_its_nearest_provision_but_coverage_walks_the_whole_basis(tmp_path):
    """The child restates suspension.data, so the rule's citation is the child's art. 2; the root's
    arts. 2 and 6 (citation and also_cites of the definition) are still decided by it."""
    _, child = status_packs(tmp_path)
    pack = load_pack(child)
    assert pack.rule("suspension.data").citation.document == "child_doc"
    root_doc = encodings(pack)["root_doc"]
    assert {n: sorted(e.label() for e in encs) for n, encs in root_doc.items() if n in (2, 4, 6)} == {
        2: ["suspension.data"], 4: ["rescission.listed (@art4_items)"], 6: ["suspension.data"]}


def test_row_28_an_article_cited_only_by_a_parameter_or_a_repeal_is_not_decided(tmp_path):
    """Legal review row 28: such an article printed as "encoded", as if a rule decided it."""
    root, child = status_packs(tmp_path)
    root_doc = coverage_report(load_pack(root)).documents[0]
    child_doc = coverage_report(load_pack(child)).documents[0]
    assert root_doc.status(3) == "parameter_only"
    assert (child_doc.status(3), child_doc.status(4), child_doc.status(5)) == (
        "parameter_only", "parameter_only", "repeal_only")
    assert "art.   3  parameter only  $max_days (unused), $notice_days (unused)" in report_text(
        coverage_report(load_pack(root)), "en")
    assert "第3条    仅参数  $max_days（未使用）, $notice_days（未使用）" in report_text(coverage_report(load_pack(root)))


# The review's row 28: these articles are cited only by parameters or a repeal.
ROW_28 = [("guangdong_foshan", 16), ("guangdong_zhongshan", 40), ("jiangsu", 29), ("qinghai_agreement", 33),
          ("qinghai_agreement", 54)]  # Qinghai 61 was repeal-only until its repeal was dropped (review row 27)


def rule_cited_articles(pack, roles: tuple[str, ...] = ("defined", "overridden", "restated")) -> set[tuple[str, int]]:
    """Written out apart from coverage: every (document, article) a rule of the pack cites through
    provisions of the given roles, their further citations and (unless only restatements are
    asked for) the items of the lists it uses."""
    out = {(c.document, c.article) for r in pack.rules for p in r.basis if p.role in roles
           for c in (p.citation, *p.also_cites)}
    if roles != ("restated",):
        out |= {(i.citation.document, i.citation.article) for r in pack.rules for lst in r.item_lists
                for i in lst.items}
    return out


@pytest.mark.parametrize("pack_id, article", ROW_28)
def test_row_28_bundled_articles_are_decided_only_when_a_rule_cites_them(pack_id, article):
    pack = bundled(pack_id)
    (doc,) = coverage_report(pack).documents
    decided_by_a_rule = (doc.document, article) in rule_cited_articles(pack, ("defined", "overridden"))
    assert (doc.status(article) == "decided") == decided_by_a_rule, (pack_id, article, doc.rows()[article - 1])
    if not decided_by_a_rule:  # today: parameters no rule reads, or a restatement
        assert doc.status(article) in ("parameter_only", "repeal_only", "restated")


@pytest.mark.parametrize("pack_id", bundled_pack_ids())
def test_bundled_statuses_agree_with_what_cites_each_article(pack_id):
    """decided ⇔ a rule cites it, or a parameter a rule reads does; restated, parameter_only and
    repeal_only only when nothing stronger does."""
    pack = bundled(pack_id)
    deciding = rule_cited_articles(pack, ("defined", "overridden"))
    read = {pid for r in pack.rules for pid in r.parameter_ids}
    deciding |= {(c.document, c.article) for prm in pack.parameters.values() if prm.id in read for p in prm.basis
                 if p.role != "restated" for c in (p.citation, *p.also_cites)}
    restating = rule_cited_articles(pack, ("restated",)) | {
        (c.document, c.article) for prm in pack.parameters.values() if prm.id in read for p in prm.basis
        if p.role == "restated" for c in (p.citation, *p.also_cites)}
    by_param = {(c.document, c.article) for prm in pack.parameters.values() for p in prm.basis
                for c in (p.citation, *p.also_cites)}
    by_repeal = {(r.citation.document, r.citation.article) for r in pack.repealed}
    report = coverage_report(pack)
    for d in report.documents:
        src = d.forwarded or d
        for n in d.numbers:
            key = (src.document, n)
            expected = ("decided" if key in deciding else "restated" if key in restating else
                        "parameter_only" if key in by_param else "repeal_only" if key in by_repeal else "classified")
            assert d.status(n) == expected, (pack_id, key, d.rows()[n - 1])
        assert sum(d.counts.values()) == d.total


def test_classified_but_encoded_warns_for_decided_and_restated_articles_only(tmp_path):
    cov = CHILD_COVERAGE + "".join(f'      - {{article: {n}, class: other, reason: "Classified as well."}}\n'
                                   for n in (2, 3, 4, 5, 6, 7))
    _, child = status_packs(tmp_path, cov)
    report = coverage_report(load_pack(child))
    warnings = {d.location.line: d for d in report.diagnostics}
    assert {d.code for d in report.diagnostics} == {"classified-but-encoded"}
    assert sorted(warnings) == [5, 9]  # art. 2 (restated) and art. 6 (decided), not 3, 4, 5 or 7
    assert "a rule restates it (suspension.data (restatement))" in warnings[5].message
    assert "a rule decides it (rescission.listed (override))" in warnings[9].message
    assert warnings[5].hint.startswith("remove this classification")
    assert statuses(report)[3] == "parameter_only" and statuses(report)[7] == "classified"
    assert report.complete


def test_json_view_has_stable_status_codes_and_counts(tmp_path):
    _, child = status_packs(tmp_path)
    data = coverage_report(load_pack(child)).to_dict()
    assert data["loaded"] is True and list(data["counts"]) == list(STATUSES)
    doc = data["documents"][0]
    assert doc["counts"] == data["counts"] and doc["unaccounted"] == [7]
    rows = {a["article"]: a for a in doc["articles"]}
    assert [rows[n]["status"] for n in range(1, 8)] == [
        "classified", "restated", "parameter_only", "parameter_only", "repeal_only", "decided", "unaccounted"]
    assert rows[1]["class"] == "principle" and rows[1]["cited_by"] == []
    assert rows[3]["cited_by"] == [{"id": "max_days", "via": "parameter_override", "pack": "child",
                                    "status": "parameter_only", "unused": True}]
    assert rows[6]["cited_by"][0]["via"] == "override"


def test_text_and_markdown_views_show_each_status_and_counts(tmp_path):
    _, child = status_packs(tmp_path)
    report = coverage_report(load_pack(child))
    text, md = report_text(report, "en"), report_markdown(report, "en")
    for label in ("decided", "restated", "parameter only", "repeal only", "classified", "UNACCOUNTED"):
        assert label in text and f"| {label} |" in md
    summary = ("child_doc: 6/7 articles accounted for (85.7%): 1 decided, 1 restated, 2 parameter only, "
               "1 repeal only, 1 classified, 1 UNACCOUNTED")
    assert summary in text and f"**{summary}**" in md


def test_docs_and_help_name_every_status():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "coverage.md").read_text(encoding="utf-8")
    for status in STATUSES:
        assert f"`{status}`" in docs, status
        assert STATUS_LABEL[status] in coverage_cli.EPILOG, status


# --- the CLI verb -------------------------------------------------------------------------------
def run_cli(capsys, *argv: str, lang: str = "en") -> tuple[int, str, str]:
    """The verb's exit code and output; in English unless ``lang`` says otherwise (these tests
    check the English wording; test_cli_prints_chinese_by_default the default)."""
    parser = argparse.ArgumentParser(prog="dingdian-rules")
    coverage_cli.register(parser.add_subparsers(dest="verb", required=True))
    args = parser.parse_args(["coverage", *argv] + ([] if lang == "zh" else ["--lang", lang]))
    code = args.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_all_bundled_packs(capsys):
    code, out, err = run_cli(capsys)
    assert code == 0, out + err
    assert "nhsa_order_2: 53/53 articles accounted for (100%): " in out
    assert "qinghai_agreement_2025: 85/85 articles accounted for (100%): " in out
    assert "UNACCOUNTED" not in out and "encoded" not in out
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("total: ") and " decided" in last and "unaccounted" not in last


def test_cli_bundled_reports_account_for_every_article_in_every_view(capsys):
    code, out, _ = run_cli(capsys, "--format", "json")
    data = json.loads(out)
    assert code == 0 and {p["pack"] for p in data} == set(bundled_pack_ids())
    for p in data:
        assert p["loaded"] and p["counts"]["unaccounted"] == 0, p["pack"]
        for d in p["documents"]:
            assert d["unaccounted"] == [] and sum(d["counts"].values()) == d["total"]
            assert {a["status"] for a in d["articles"]} <= set(STATUSES) - {"unaccounted"}
    code, out, _ = run_cli(capsys, "--format", "md")
    assert code == 0 and "| UNACCOUNTED |" in out  # the summary's column header
    assert not [line for line in out.splitlines() if line.startswith("| ") and "| UNACCOUNTED |" in line
                and not line.startswith("| pack |")]


def test_cli_formats(capsys):
    code, out, _ = run_cli(capsys, "national", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data[0]["pack"] == "national" and data[0]["documents"][0]["unaccounted"] == []
    code, out, _ = run_cli(capsys, "national", "jiangsu", "-f", "md")
    assert code == 0 and "| 53 | classified | scope:" in out and "## Summary" in out
    assert report_markdown(coverage_report(bundled("national")), "en") in out


def test_cli_exit_codes(capsys, tmp_path):
    cov = GOOD.replace('      - {article: 4, class: scope, reason: "Date in force."}\n', "")
    folder = make_pack(tmp_path, "root", cov)
    code, out, _ = run_cli(capsys, str(folder))
    assert code == 1 and "art.   4  UNACCOUNTED" in out
    assert out.rstrip().endswith("1 article unaccounted for")
    code, out, _ = run_cli(capsys, str(folder), "--format", "json")
    assert code == 1 and json.loads(out)[0]["counts"]["unaccounted"] == 1
    (folder / "coverage.yaml").write_text(GOOD + '      - {article: 7, class: other, reason: "No such."}\n',
                                          encoding="utf-8")
    code, out, err = run_cli(capsys, str(folder))
    assert code == 1 and "error[unknown-article]" in err and "coverage.yaml:6:" in err
    (folder / "coverage.yaml").write_text(GOOD, encoding="utf-8")
    code, out, err = run_cli(capsys, str(folder))
    assert code == 0 and "1 decided, 1 parameter only, 2 classified" in out


def test_cli_exit_codes_for_each_status_fixture(capsys, tmp_path):
    root, child = status_packs(tmp_path)
    assert run_cli(capsys, str(root))[0] == 0  # parameter-only articles are accounted for
    code, out, _ = run_cli(capsys, str(child))  # art. 7 is unaccounted
    assert code == 1 and "art.   7  UNACCOUNTED" in out


def test_cli_a_pack_that_does_not_load_exits_3_and_says_so(capsys, tmp_path):
    code, out, err = run_cli(capsys, str(tmp_path / "nowhere"))
    assert code == 3
    assert "0/0" not in out and "100%" not in out
    assert f"{tmp_path / 'nowhere'}: did not load (1 error); its articles cannot be accounted for" in out
    assert "error[pack-not-found]" in out and "error[pack-not-found]" in err
    assert out.rstrip().splitlines()[-1] == ("total: no pack loaded, no article accounted for; 1 pack did not load "
                                             f"({tmp_path / 'nowhere'})")


def test_cli_a_broken_pack_beside_good_ones(capsys, tmp_path):
    """A citation outside its article is a load error now: exit 3, the other packs still reported."""
    rules = RULES.replace("{document: test_doc, article: 2, quote:", "{document: test_doc, article: 3, quote:")
    broken = make_pack(tmp_path, "root", GOOD, rules=rules)
    code, out, err = run_cli(capsys, "national", str(broken))
    assert code == 3 and "error[quote-outside-article]" in err and "error[quote-outside-article]" in out
    assert "nhsa_order_2: 53/53 articles accounted for (100%)" in out
    assert out.rstrip().splitlines()[-1].endswith(f"1 pack did not load ({broken})")
    code, out, _ = run_cli(capsys, "national", str(broken), "--format", "json")
    data = json.loads(out)  # standard output holds only the JSON
    assert code == 3 and [p["loaded"] for p in data] == [True, False]
    assert data[1]["pack"] == str(broken) and "quote-outside-article" in {d["code"] for d in data[1]["diagnostics"]}
    code, out, _ = run_cli(capsys, "national", str(broken), "--format", "md")
    assert code == 3 and f"**{broken} did not load** (1 error)" in out and "| (did not load) |" in out


def test_cli_prints_chinese_by_default(capsys):
    """An analyst reads the report in Chinese: statuses, classes, totals and the article numbers."""
    code, out, _ = run_cli(capsys, "national", lang="zh")
    assert code == 0
    assert "  第1条    已归类  原则[principle]：" in out  # art. 1 is classified as a principle in coverage.yaml
    assert "  第5条    已编码  institution_type.eligible_types" in out  # art. 5 decides the eligible types
    assert "nhsa_order_2：已交代 53/53 条（100%）：已编码 15 条，已归类 38 条" in out
    code, out, _ = run_cli(capsys, "national", "--format", "md", lang="zh")
    assert "| 53 | 已归类 | 适用范围[scope]：" in out and "| 条 | 状态 | 引用者 / 类别和理由 |" in out

