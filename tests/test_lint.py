"""Pack lint (issue 16): numbers and modal verbs read from the quotes the way the texts write them."""

from __future__ import annotations

import pytest

from dingdian_rules.packs.lint import modalities_in, modality_problem, number_in_quote


@pytest.mark.parametrize("value, unit, quote", [
    (3, "years", "以弄虚作假等不正当手段申请定点，自发现之日起未满3年的"),
    (3, "years", "自发现之日起未满三年的"),
    (3, "months", "正式运营至少3个月"),
    (2, "count", "医保协议有效期内累计2次及以上被中止医保协议"),
    (2, "count", "累计两次被中止"),
    (100, "beds", "100张床位以上的医疗机构应设内部医保管理部门"),
    (5, "working_days", "自收到材料之日起5个工作日内一次性告知"),
    (180, "days", "中止时间原则上不得超过180日"),
    (180, "days", "不得超过一百八十日"),
    (30, "percent", "违约金不超过损失金额的30%"),
    (0.3, "percent", "违约金不超过损失金额的30%"),
    (20, "percent", "违约金不超过损失金额的百分之二十"),
    (3, "months", "整改3-6个月"),
    (6, "months", "整改3-6个月"),
    (24, "hours", "24小时内"),
    (75, "yuan", "最高加价额不超过75元"),
])
def test_a_number_in_the_forms_the_texts_use_is_found(value, unit, quote):
    assert number_in_quote(value, unit, quote)


@pytest.mark.parametrize("value, unit, quote", [
    (2, "years", "自发现之日起未满3年的"),        # the wrong number
    (3, "months", "自发现之日起未满3年的"),       # the wrong unit
    (13, "years", "未满3年"),                    # a number inside another
    (3, "years", "未满13年"),
    (101, "beds", "100张床位以上"),
    (2, "months", "整改3-6个月"),
    (3, "working_days", "30个工作日内"),
    (20, "percent", "违约金不超过损失金额的30%"),
])
def test_a_number_that_is_not_in_the_quote_is_not_found(value, unit, quote):
    assert not number_in_quote(value, unit, quote)


@pytest.mark.parametrize("quote, found", [
    ("经办机构应当中止医保协议", {"shall"}),
    ("经办机构应中止医保协议", {"shall"}),
    ("经办机构可以中止医保协议", {"may"}),
    ("可申请医保定点", {"may"}),
    ("不得主动提出中止或者解除医保协议", {"shall_not"}),
    ("按相应规定处理", set()),            # 相应 is not 应
    ("与医保政策对应的内部管理制度", set()),  # 对应 is not 应
    ("可能造成重大风险的", set()),         # 可能 is not 可
    ("取得医疗机构执业许可证", set()),       # 许可 is not 可
    ("医保协议自动终止", set()),
    ("经经办机构同意，可以中止医保协议但中止时间原则上不得超过180日", {"may", "shall_not"}),
])
def test_modal_words_are_read_as_words(quote, found):
    assert modalities_in(quote) == found


def test_modality_disagreeing_with_the_quote_names_the_word():
    problem = modality_problem("may", "经办机构应当中止医保协议", (), None)
    assert problem and "应当" in problem and "shall" in problem
    assert modality_problem("shall", "经办机构应当中止医保协议", (), None) is None


def test_a_quote_without_a_modal_word_needs_a_further_citation_or_a_stated_source():
    item = "以弄虚作假等不正当手段申请取得定点的"
    assert modality_problem("shall", item, (), None)
    assert modality_problem("shall", item, ("定点医疗机构有以下情形之一的，经办机构应解除医保协议",), None) is None
    assert modality_problem("shall", item, ("有以下情形之一的，经办机构可以解除",), None)
    assert modality_problem("shall_not", "以医疗美容…为主要执业范围的", (), "不予受理 in the chapeau of art. 12: shall_not") is None
    # a stated source must name the modality it supports, so a changed modality is still refused
    assert modality_problem("may", "以医疗美容…为主要执业范围的", (), "不予受理 in the chapeau of art. 12: shall_not")


def test_an_effect_rule_quotes_no_modal_verb_of_its_own():
    assert modality_problem("effect", "原则上医保协议自动终止", (), None) is None
    assert modality_problem("effect", "医保协议可继续履行", (), None)


@pytest.mark.parametrize("value, unit, quote, governing", [
    (180, "days", "可以中止医保协议但中止时间原则上不得超过180日", ("shall_not", "不得")),       # art. 42: 不得 governs 180日
    (3, "working_days", "应告知申请人理由，申请人可在3个工作日内提出复核申请", ("may", "可")),  # Foshan art. 10(4)
    (3, "working_days", "应告知相应3个工作日", ("shall", "应")),                               # 相应 is no modal verb
    (5, "working_days", "自收到材料之日起5个工作日内", None),                                   # no modal word before it
    (6, "months", "不得超过180日", None),                                                        # the number is not there
])
def test_the_modal_word_governing_a_time_limit_is_the_nearest_before_its_number(value, unit, quote, governing):
    from dingdian_rules.packs.lint import governing_modality
    assert governing_modality(value, unit, quote) == governing
