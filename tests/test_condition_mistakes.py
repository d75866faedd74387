"""Every mistake of a condition at once, and hints for the slips analysts make when typing one.

The checker goes on past a type error (the mistaken part takes the type ``ERROR``, which silences
the checks that would only repeat it), so `institution.beds == "50"` does not hide
`institution.type == 'clnic'`. A syntax error still stops the parse, but its hint names what an
unexpected character most likely meant (full-width punctuation, Chinese connectives, dates written
the Chinese way) and every other such slip in the same condition.
"""

from __future__ import annotations

import pytest

from dingdian_rules.conditions.parser import ConditionSyntaxError, parse
from dingdian_rules.reading.slips import iso_date
from dingdian_rules.conditions.checker import Checker, ConditionTypeError
from dingdian_rules.conditions.types import BOOL, DURATION, ERROR, INT, ParamInfo
from dingdian_rules.facts.models import Case

PARAMS = {"bar": ParamInfo(DURATION, (3, "years")), "beds": ParamInfo(INT, 100), "broken": ParamInfo(ERROR, None)}


def mistakes(text: str) -> list[tuple[str, str]]:
    """(code, the text at the error's offset) of every mistake the checker finds in ``text``."""
    checker = Checker(Case, PARAMS)
    checker.check_all(parse(text))
    return [(e.code, text[e.offset:e.offset + 12]) for e in checker.errors]


# ---- every type error of a condition -----------------------------------------------------------

def test_two_type_errors_in_one_condition_are_both_reported_each_at_its_own_offset():
    text = "institution.beds == \"50\" and institution.type == 'clnic'"
    checker = Checker(Case, PARAMS)
    checker.check_all(parse(text))
    got = [(e.code, e.offset) for e in checker.errors]
    assert got == [("type-mismatch", text.index("institution.beds")), ("unknown-value", text.index("'clnic'"))]
    assert "without quotes: 50" in checker.errors[0].hint
    assert checker.errors[1].hint == "did you mean 'clinic'?"


def test_check_still_raises_the_first_mistake():
    with pytest.raises(ConditionTypeError) as info:
        Checker(Case, PARAMS).check(parse("institution.bed > 1 and institution.type == 'clnic'"))
    assert info.value.code == "unknown-fact" and info.value.offset == 0


@pytest.mark.parametrize("text, expected", [
    # an unknown fact is reported once: the comparison with it stays silent
    ("institution.bed > 1 and instituton.beds > 2", [("unknown-fact", "institution."), ("unknown-fact", "instituton.b")]),
    # arithmetic on a mistake does not add "cannot compare"
    ("institution.bed + 1 > date('2024-01-01') and institution.is_public == 1",
     [("unknown-fact", "institution."), ("type-mismatch", "institution.")]),
    # a quantifier over an unknown list: its variable's fields are not reported again
    ("any(s in agreement.suspensionz where s.started_on > 3) or count(agreement.suspensions) == 'x'",
     [("unknown-fact", "agreement.su"), ("type-mismatch", "count(agreem")]),
    # an unknown parameter inside within() does not add "needs a period"
    ("within(institution.operating_since, $barr) and within(institution.beds, $bar)",
     [("unknown-parameter", "$barr) and w"), ("type-mismatch", "institution.")]),
    # a list item with a mistake does not make the list "mixed"
    ("institution.type in ['clinic', institution.bed, 'clnic']",
     [("unknown-fact", "institution."), ("unknown-value", "'clnic']")]),
    ("not institution.beds and institution.is_public < true",
     [("type-mismatch", "institution."), ("type-mismatch", "institution.")]),
])
def test_each_mistake_once_and_no_cascades(text, expected):
    assert mistakes(text) == expected


def test_a_parameter_that_failed_the_schema_is_silent():
    checker = Checker(Case, PARAMS)
    assert checker.check_all(parse("within(institution.operating_since, $broken)")) == BOOL
    assert checker.check_all(parse("institution.beds > $broken")) == BOOL
    assert checker.check_all(parse("institution.beds + $broken")) == ERROR
    assert checker.errors == []


def test_a_date_compared_with_a_number_gets_a_date_hint():
    checker = Checker(Case, PARAMS)
    checker.check_all(parse("institution.operating_since > 20240101"))
    assert "date('2024-01-01')" in checker.errors[0].hint


def test_a_quoted_true_for_a_boolean_gets_a_hint():
    checker = Checker(Case, PARAMS)
    checker.check_all(parse("institution.is_public == '是'"))
    assert checker.errors[0].hint == "write true without quotes"


# ---- hints for analysts' slips -----------------------------------------------------------------

def syntax(text: str) -> ConditionSyntaxError:
    with pytest.raises(ConditionSyntaxError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize("text, at, hint", [
    ("（institution.beds < 50)", "（", "'（' is full-width punctuation: write `(` instead"),
    ("(institution.beds < 50）", "）", "write `)` instead"),
    ("institution.type == ‘clinic’", "‘", "write `'` instead; also '’' → `'`"),
    ("institution.type == “clinic”", "“", "write `\"` instead"),
    ("institution.type in ['clinic'，'general_hospital']", "，", "write `,` instead"),
    ("institution.beds ＜ 50", "＜", "write `<` instead"),
    ("institution.beds ＞ 50", "＞", "write `>` instead"),
    ("institution.beds ＝＝ 50", "＝", "'＝＝' is full-width punctuation: write `==` instead"),
    ("institution.beds ！＝ 50", "！", "write `!=` instead"),
    ("institution.beds ＞＝ 50", "＞", "write `>=` instead"),
    ("institution.beds：50", "：", "does not use"),
    ("institution.is_public；institution.beds > 1", "；", "join conditions with 'and' / 'or'"),
    ("institution.is_public 并且 institution.beds > 1", "并且", "write `and` instead of '并且'"),
    ("institution.is_public 而且 institution.beds > 1", "而且", "write `and` instead of '而且'"),
    ("institution.is_public 且 institution.beds > 1", "且", "write `and` instead of '且'"),
    ("institution.is_public 或者 institution.beds > 1", "或者", "write `or` instead of '或者'"),
    ("institution.is_public 或 institution.beds > 1", "或", "write `or` instead of '或'"),
    ("不是 institution.is_public", "不是", "write `not` instead of '不是'"),
    ("非 institution.is_public", "非", "write `not` instead of '非'"),
    ("institution.is_public == 是", "是", "write true for '是'"),
    ("institution.is_public == 否", "否", "write false for '否'"),
    ("institution.name == 中心", "中心", "Chinese text must be quoted"),
])
def test_fullwidth_punctuation_and_chinese_connectives_get_a_specific_hint(text, at, hint):
    exc = syntax(text)
    assert exc.offset == text.index(at)
    assert hint in exc.hint, exc.hint


def test_the_hint_lists_every_slip_of_the_condition_but_not_those_inside_quotes():
    exc = syntax("（institution.beds ＜ 50） 或者 institution.name == '并且'")
    assert exc.offset == 0
    assert exc.hint.endswith("also '＜' → `<`, '）' → `)`, '或者' → `or`")


@pytest.mark.parametrize("text, at, hint", [
    ("institution.operating_since > 2024/01/01", "/", "write a date as date('2024-01-01'), not 2024/01/01"),
    ("institution.operating_since > 2024年1月1日", "年", "write a date as date('2024-01-01'), not 2024年1月1日"),
    ("institution.operating_since > 2024-01-01", "2024", "write a date as date('2024-01-01')"),
    ("institution.operating_since > date('2024/1/1')", "'2024", "write date('2024-01-01')"),
])
def test_dates_written_the_chinese_way_get_a_date_literal_hint(text, at, hint):
    exc = syntax(text)
    assert exc.offset == text.index(at)
    assert hint in exc.hint, exc.hint


def test_arithmetic_that_is_not_a_date_still_parses():
    assert parse("institution.beds - 10 - 5 > 1") is not None
    assert parse("institution.beds - 1000 > 1") is not None


@pytest.mark.parametrize("text, iso", [("2024/1/1", "2024-01-01"), ("2024年12月31日", "2024-12-31"),
                                       ("2024.02.29", "2024-02-29"), ("2023/02/29", None), ("1/1/2024", None)])
def test_iso_date(text, iso):
    assert iso_date(text) == iso
