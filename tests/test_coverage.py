"""Article coverage: heading extraction, numerals, every bundled article accounted for, coverage.yaml errors."""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path

import pytest

from dingdian_rules.cli import coverage as coverage_cli
from dingdian_rules.coverage import (CLASSES, article_sequence_problems, chinese_numeral, coverage_report,
                                     extract_articles, report_markdown, report_text)
from dingdian_rules.errors import PackError
from dingdian_rules.loader import bundled_pack_ids, bundled_root, load_pack


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
    assert doc.status(5) == "encoded" and doc.status(1) == "classified"


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
    assert [e.id for e in doc.encoded[2]] == ["suspension.data"]
    assert [e.label() for e in doc.encoded[3]] == ["$max_days"]  # a parameter counts as encoding
    assert doc.classified == {1: ("principle", "Purpose (为了测试)."), 4: ("scope", "Date in force.")}
    assert report.complete and report.percent == 100.0 and report.diagnostics == []


def test_fixture_unaccounted_article(tmp_path):
    cov = GOOD.replace('      - {article: 4, class: scope, reason: "Date in force."}\n', "")
    report = coverage_report(load_pack(make_pack(tmp_path, "root", cov)))
    assert report.unaccounted == {"test_doc": [4]}
    assert not report.complete and report.accounted == 3 and report.percent == 75.0
    assert "art.   4  UNACCOUNTED" in report_text(report)
    assert "test_doc: 3/4 articles accounted for (75.0%)" in report_text(report)


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
    assert doc.status(2) == "encoded" and doc.status(1) == "classified"

    (child / "coverage.yaml").write_text("documents:\n  child_doc:\n    forwards: test_doc\n"
                                         "    reason: Forwards the parent unchanged.\n", encoding="utf-8")
    report = coverage_report(load_pack(child))
    assert report.complete and report.diagnostics == []


def test_fixture_without_coverage_file_everything_uncited_is_unaccounted(tmp_path):
    report = coverage_report(load_pack(make_pack(tmp_path, "root", None)))
    assert report.unaccounted == {"test_doc": [1, 4]} and report.coverage_file is None


# --- the CLI verb -------------------------------------------------------------------------------
def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="dingdian-rules")
    coverage_cli.register(parser.add_subparsers(dest="verb", required=True))
    args = parser.parse_args(["coverage", *argv])
    code = args.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_all_bundled_packs(capsys):
    code, out, err = run_cli(capsys)
    assert code == 0, out + err
    assert "nhsa_order_2: 53/53 articles accounted for (100%)" in out
    assert "qinghai_agreement_2025: 85/85 articles accounted for (100%)" in out
    assert "UNACCOUNTED" not in out
    assert out.rstrip().splitlines()[-1].startswith("total: ")


def test_cli_formats(capsys):
    code, out, _ = run_cli(capsys, "national", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data[0]["pack"] == "national" and data[0]["documents"][0]["unaccounted"] == []
    code, out, _ = run_cli(capsys, "national", "jiangsu", "-f", "md")
    assert code == 0 and "| 53 | classified | scope:" in out and "## Summary" in out
    assert report_markdown(coverage_report(bundled("national"))) in out


def test_cli_exit_codes(capsys, tmp_path):
    cov = GOOD.replace('      - {article: 4, class: scope, reason: "Date in force."}\n', "")
    folder = make_pack(tmp_path, "root", cov)
    code, out, _ = run_cli(capsys, str(folder))
    assert code == 1 and "art.   4  UNACCOUNTED" in out
    (folder / "coverage.yaml").write_text(GOOD + '      - {article: 7, class: other, reason: "No such."}\n',
                                          encoding="utf-8")
    code, out, err = run_cli(capsys, str(folder))
    assert code == 1 and "error[unknown-article]" in err and "coverage.yaml:6:" in err
    code, out, _ = run_cli(capsys, str(tmp_path / "nowhere"))
    assert code == 3
