"""What a Chinese analyst reads (issue 14 item 2): every sentence evaluate, explain, resolve, diff,
coverage and replay print in text and Markdown is Chinese by default, outside codes, ids and
paths (the checker in english_words.py says what may stay Latin, and why); missing facts carry
their Chinese labels; rule notes appear in explain; ``--lang en`` gives English.

Expected words are read from the law and the fact models' labels (床位数, 民法典第二百零一条),
not copied from the output.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.cli import main
from dingdian_rules.packs.schema import MEASURE_NAMES
from dingdian_rules.conditions.parser import FUNCTIONS, KEYWORDS, LIMIT_FUNCTIONS, QUANTIFIERS
from dingdian_rules.render.labels import (DEADLINE_STATUS_LABELS, KIND_LABELS, MODALITY_LABELS, OUTCOME_LABELS,
                                          QUESTION_LABELS)
from english_words import authored_texts, english_words

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PACKS = dr.bundled_pack_ids()
EVENTS = ROOT / "tests" / "fixtures" / "events" / "year_national.yaml"
VERBS = ("evaluate", "explain", "resolve", "diff", "coverage", "replay", "validate", "test", "schema", "verify", "serve")
HAN = re.compile(r"[\u4e00-\u9fff]")


def cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(argv))
    return out.getvalue() + err.getvalue()


@lru_cache(maxsize=1)
def names() -> frozenset[str]:
    """Codes the system defines: pack and document ids, questions, outcomes, rule kinds, measures,
    verbs, modality and deadline-status codes, and the condition language's words (a note that
    explains a condition names them)."""
    found = set(PACKS) | set(QUESTION_LABELS) | set(OUTCOME_LABELS) | set(KIND_LABELS) | set(MEASURE_NAMES) | set(VERBS)
    found |= set(MODALITY_LABELS) | set(DEADLINE_STATUS_LABELS)
    found |= KEYWORDS | set(FUNCTIONS) | set(LIMIT_FUNCTIONS) | set(QUANTIFIERS)
    for p in PACKS:
        found |= set(dr.load_pack(p).sources)
    return frozenset(found)


@lru_cache(maxsize=1)
def authored() -> frozenset[str]:
    return frozenset(authored_texts((ROOT / "rulepacks").iterdir()))


def english(text: str) -> list[str]:
    return english_words(text, names(), authored())


# --- the checker itself -------------------------------------------------------------------------
def test_checker_finds_english_sentences_and_lets_codes_through() -> None:
    assert english("历法：working days (2025: chinesecalendar 1.11.0)") == ["working days"]
    assert english("来历：defined in national（nhsa_order_2 第五条）") == ["defined"]
    assert english("缺少：床位数（institution.beds）；警告 [pack-expired]；规则 `eligibility.x`；第5条") == []
    assert english("  - interview  约谈；规则包 national；sha256:ab12；2025-06-01") == []
    assert english("```text\ninstitution.beds >= 100 and not x\n```") == []  # code blocks are code


# --- no English in the default output -----------------------------------------------------------
@pytest.mark.parametrize("pack", PACKS)
def test_evaluate_and_explain_of_every_example_are_chinese(pack: str) -> None:
    for example in EXAMPLES:
        for verb in ("evaluate", "explain"):
            for fmt in ("text", "md"):
                out = cli(verb, "--pack", pack, str(example), "--format", fmt)
                assert HAN.search(out), (verb, fmt, example.name)
                assert english(out) == [], (verb, pack, example.name, fmt)


@pytest.mark.parametrize("pack", PACKS)
def test_resolve_diff_and_coverage_of_every_pack_are_chinese(pack: str) -> None:
    for fmt in ("text", "md"):
        for argv in (("resolve", pack), ("coverage", pack), ("diff", "national", pack), ("diff", pack, "national")):
            out = cli(*argv, "--format", fmt)
            assert english(out) == [], (argv, fmt)


def test_replay_is_chinese() -> None:
    out = cli("replay", "--pack", "national", str(EVENTS))
    assert english(out) == []
    # hosp-a's second suspension in one term rescinds its agreement (national art. 43(1))
    assert "hosp-a：协议已解除[rescinded]，自 2025-06-05 起" in out


# --- what the analyst relies on -----------------------------------------------------------------
def test_missing_facts_carry_their_chinese_labels() -> None:
    incomplete = str(ROOT / "examples" / "application_incomplete.yaml")
    text = cli("evaluate", "--pack", "national", incomplete)
    assert "缺少的事实：" in text
    assert "  - 床位数（institution.beds）（规则 eligibility.insurance_department）" in text  # art. 6(3)
    md = cli("evaluate", "--pack", "national", incomplete, "--format", "md")
    assert "- 床位数（`institution.beds`）（规则 `eligibility.insurance_department`）" in md
    assert "缺少：" in cli("explain", "--pack", "national", incomplete) and "（institution.operating_since）" in text


def test_rule_notes_appear_in_explain() -> None:
    rule = dr.load_pack("national").rule("institution_type.eligible_types")
    assert rule.note and "可申请" in rule.note  # how art. 5's 可申请 is read
    note = " ".join(rule.note.split())
    clinic = str(ROOT / "examples" / "application_clinic.yaml")
    assert f"解读说明：{note}" in cli("explain", "--pack", "national", clinic)
    assert f"- 解读说明：{note}" in cli("explain", "--pack", "national", clinic, "--format", "md")
    assert f"Note: {note}" in cli("explain", "--pack", "national", clinic, "--lang", "en")


def test_calendars_combinations_and_warnings_in_chinese() -> None:
    clinic = str(ROOT / "examples" / "application_clinic.yaml")
    text = cli("evaluate", "--pack", "national", clinic)
    assert "历法：工作日（2025年：chinesecalendar" in text  # art. 8: 5 working days
    assert "历法：按公历月计算（民法典第二百零一条、第二百零二条）" in text  # art. 9: 3 months
    breach = cli("evaluate", "--pack", "national", str(ROOT / "examples" / "conduct_breach.yaml"))
    assert "规则如何合并：" in breach and "触发了 2 条规则" in breach
    # 佛医保〔2021〕93号 is valid for 2 years from 2022-01-01, so it has expired by 2025
    foshan = cli("evaluate", "--pack", "guangdong_foshan", clinic)
    assert "[pack-expired] 《佛山市医疗机构医疗保障定点管理实施办法》佛医保〔2021〕93号已于 2023-12-31 到期" in foshan
    resolved = cli("resolve", "guangdong_foshan")
    assert "层级：市级" in resolved and "状态：现行有效" in resolved and "来历：设立于 national（nhsa_order_2 第五条第一款）" in resolved


def test_lang_en_gives_english() -> None:
    clinic = str(ROOT / "examples" / "application_clinic.yaml")
    text = cli("evaluate", "--pack", "guangdong_foshan", clinic, "--lang", "en")
    assert "Outcome: conditions met  [conditions_met]" in text
    assert "Calendar: working days (2025: chinesecalendar" in text
    assert "expired on 2023-12-31 (its stated validity); check whether it was extended or replaced" in text
    assert "结论" not in text and "历法" not in text
    assert "defined in national (nhsa_order_2 art. 5 para. 1)" in cli("resolve", "national", "--lang", "en")
    assert "No differences" in cli("diff", "jiangsu", "jiangsu_nantong", "--lang", "en")
    assert "articles accounted for" in cli("coverage", "national", "--lang", "en")
    assert "decisions that came due" in cli("replay", "--pack", "national", str(EVENTS), "--lang", "en")
    incomplete = str(ROOT / "examples" / "application_incomplete.yaml")
    assert "  - institution.beds (rules eligibility.insurance_department)" in cli(
        "evaluate", "--pack", "national", incomplete, "--lang", "en")


def test_json_keeps_codes_and_gains_both_languages() -> None:
    out = json.loads(cli("evaluate", "--pack", "guangdong_foshan", str(ROOT / "examples" / "application_clinic.yaml"),
                         "--format", "json"))
    d = out["decisions"][0]
    assert d["schema_version"] == 6
    [expired] = [w for w in d["warnings"] if w["code"] == "pack-expired"]
    assert expired["message"] == expired["text"]["en"] and "到期" in expired["text"]["zh"]
    dl = d["deadlines"][0]
    assert dl["calendar"] == dl["calendar_text"]["en"] and dl["calendar_text"]["zh"].startswith("工作日（2025年")
    breach = json.loads(cli("evaluate", "--pack", "national", str(ROOT / "examples" / "conduct_breach.yaml"),
                            "--format", "json"))["decisions"][0]
    assert [t["en"] for t in breach["combination_text"]] == breach["combination"]
    assert breach["combination_text"][0]["zh"].startswith("触发了 2 条规则")


def test_a_folded_line_break_inside_chinese_prose_is_no_space() -> None:
    """A note wrapped in YAML (``note: >-``) reads as one Chinese sentence: the line break between
    two Chinese characters is dropped at load, while the spaces around a Latin code stay."""
    from dingdian_rules.packs.schema import fold_prose
    assert fold_prose("可以中止，\n  因此不单独作出决定") == "可以中止，因此不单独作出决定"
    assert fold_prose("理解为 agreement.renewal_agreed == false：\n未达成") == "理解为 agreement.renewal_agreed == false：未达成"
    cjk_gap = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef] [\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    for pid in PACKS:
        pack = dr.load_pack(pid)
        notes = [r.note for r in pack.rules if r.note] + [p.note for p in pack.parameters.values() if p.note]
        assert notes and [n for n in notes if cjk_gap.search(n)] == [], pid
