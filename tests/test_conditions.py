"""The condition language: parser, type checker, compiled Kleene semantics, traces, missing facts.

Expected values come from docs/conditions.md and docs/time.md (Civil Code arts. 201-203): a tiny
reference implementation of three-valued logic is written here from the docs' definition, and
every compiled result is compared with it; the fast and traced compiled functions must agree.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dingdian_rules.conditions import ast as A
from dingdian_rules.conditions.checker import Checker, ConditionTypeError
from dingdian_rules.conditions.compile import NOT_EVALUATED, CompiledExpr, compile_expr
from dingdian_rules.conditions.parser import MAX_DEPTH, MAX_LENGTH, ConditionSyntaxError, parse, parse_counted
from dingdian_rules.conditions.types import BOOL, DATE, DURATION, INT, NUM, TEXT, ParamInfo, Type
from dingdian_rules.facts.models import Case
from dingdian_rules.time.workdays import DEFAULT_CALENDAR
from dingdian_rules.conditions.trace import build_trace, missing_facts

PARAMS = {
    "bar": ParamInfo(DURATION, (3, "years")),
    "three_months": ParamInfo(DURATION, (3, "months")),
    "thirty_days": ParamInfo(DURATION, (30, "days")),
    "notice": ParamInfo(DURATION, (5, "working_days")),
    "beds": ParamInfo(INT, 100),
    "rate": ParamInfo(NUM, 20.0),
    "types": ParamInfo(Type("list", elem=TEXT), ["general_hospital", "clinic"]),
    "bad_types": ParamInfo(Type("list", elem=TEXT), ["general_hospital", "clinc"]),
}
TODAY = date(2025, 6, 1)


def check(text: str) -> Type:
    return Checker(Case, PARAMS).check(parse(text))


def compiled(text: str) -> CompiledExpr:
    root, size = parse_counted(text)
    checker = Checker(Case, PARAMS)
    checker.check(root)
    return compile_expr(text, root, size, checker.fact_paths, PARAMS, DEFAULT_CALENDAR, "test")


def case(**sections) -> Case:
    return Case.model_validate(sections)


def run(text: str, c: Case, today: date = TODAY, expr: CompiledExpr | None = None):
    """Evaluate fast and traced; they must agree exactly; the trace root must hold the result."""
    expr = expr or compiled(text)
    fast = expr.fast(c, today, set())
    traced, slots = expr.run_traced(c, today, set())
    assert same(fast, traced), (text, fast, traced)
    tree = build_trace(expr, slots)
    assert tree.evaluated and same(tree.value, fast), (text, tree.value, fast)
    assert tree.text == text
    return fast


def same(x, y) -> bool:
    if isinstance(x, bool) or x is None or isinstance(y, bool) or y is None:
        return x is y
    return x == y


# ---- parser ----------------------------------------------------------------------------------

def shape(node: A.Node):
    """A compact structural view of a tree, for precedence tests."""
    if isinstance(node, A.BoolOp):
        return (node.op, *[shape(i) for i in node.items])
    if isinstance(node, A.Not):
        return ("not", shape(node.operand))
    if isinstance(node, A.Compare):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, A.Arith):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, A.Member):
        return ("not in" if node.negated else "in", shape(node.element), shape(node.container))
    if isinstance(node, A.Known):
        return ("is unknown" if node.negated else "is known", shape(node.operand))
    if isinstance(node, A.Fact):
        return ".".join(node.path)
    if isinstance(node, A.Param):
        return "$" + node.name
    if isinstance(node, A.Lit):
        return node.value
    if isinstance(node, A.ListLit):
        return [shape(i) for i in node.items]
    if isinstance(node, A.Quant):
        return (node.kind, node.var, shape(node.source), shape(node.pred) if node.pred else None)
    if isinstance(node, A.Call):
        return (node.name, *[shape(a) for a in node.args])
    if isinstance(node, A.DateLit):
        return node.value
    if isinstance(node, A.Today):
        return "today"
    raise AssertionError(node)


@pytest.mark.parametrize("text, expected", [
    ("not a and b or c", ("or", ("and", ("not", "a"), "b"), "c")),
    ("a or b and c", ("or", "a", ("and", "b", "c"))),
    ("a and b and c", ("and", "a", "b", "c")),
    ("not (a or b)", ("not", ("or", "a", "b"))),
    ("not not a", ("not", ("not", "a"))),
    ("not x == 1", ("not", ("==", "x", 1))),
    ("x + y * 2 >= 3", (">=", ("+", "x", ("*", "y", 2)), 3)),
    ("x - y - 1 < 0", ("<", ("-", ("-", "x", "y"), 1), 0)),
    ("x in $types", ("in", "x", "$types")),
    ("x not in ['a', 'b']", ("not in", "x", ["a", "b"])),
    ("not x in [1]", ("not", ("in", "x", [1]))),
    ("x is known and y is unknown", ("and", ("is known", "x"), ("is unknown", "y"))),
    ("any(s in xs where s.ok)", ("any", "s", "xs", "s.ok")),
    ("all(s in xs where not s.ok)", ("all", "s", "xs", ("not", "s.ok"))),
    ("count(s in xs where s.ok) >= 2", (">=", ("count", "s", "xs", "s.ok"), 2)),
    ("count(xs) == 0", ("==", ("count", None, "xs", None), 0)),
    ("count(s in xs) == 0", ("==", ("count", "s", "xs", None), 0)),
    ("within(d, $bar)", ("within", "d", "$bar")),
    ("days_between(a, today) > 3.5", (">", ("days_between", "a", "today"), 3.5)),
    ("d < date('2024-01-01')", ("<", "d", date(2024, 1, 1))),
    ('x == "clinic" or x == true', ("or", ("==", "x", "clinic"), ("==", "x", True))),
])
def test_parse_shapes_and_precedence(text, expected):
    assert shape(parse(text)) == expected


def test_node_spans_cover_their_text():
    text = "not (institution.beds >= $beds) and any(s in agreement.suspensions where s.requested_by_institution)"
    root = parse(text)
    assert (root.start, root.end) == (0, len(text))
    not_node, quant = root.items
    assert text[not_node.start:not_node.end] == "not (institution.beds >= $beds)"
    assert text[not_node.operand.start:not_node.operand.end] == "(institution.beds >= $beds)"
    assert text[quant.start:quant.end] == "any(s in agreement.suspensions where s.requested_by_institution)"
    assert text[quant.pred.start:quant.pred.end] == "s.requested_by_institution"


def test_nodes_are_numbered_in_preorder():
    root = parse("a and (b or not c)")
    seen = []

    def walk(n):
        seen.append(n.idx)
        for k in A.children(n):
            walk(k)
    walk(root)
    assert seen == list(range(len(seen)))


END = object()  # the error is at the end of the condition


def occurrence(text: str, token: str, n: int) -> int:
    """Offset of the n-th (1-based; -1 = last) occurrence of ``token`` in ``text``."""
    starts = [i for i in range(len(text)) if text.startswith(token, i)]
    return starts[n - 1] if n > 0 else starts[n]


@pytest.mark.parametrize("text, bad, message, hint", [
    ("institution.beds = 100", ("=", 1), "unexpected character", "'=='"),
    ("institution.is_public & institution.is_public", ("&", 1), "unexpected character", "'and'"),
    ("institution.is_public || institution.is_public", ("|", 1), "unexpected character", "'or'"),
    ("institution.name == 'abc", ("'", -1), "unexpected character", "quoted"),
    ("institution.beds >= ", END, "expected a value", ""),
    ("(institution.is_public", END, "expected ')'", "close"),
    ("institution.is_public and and institution.is_public", ("and", 2), "cannot start a value", ""),
    ("institution.is_public institution.is_public", ("institution", 2), "after a complete expression", "'and'"),
    ("institution.beds >= 100)", (")", -1), "unexpected ')'", ""),
    ("institution.beds is maybe", ("maybe", 1), "expected 'known' or 'unknown'", "is known"),
    ("withn(institution.operating_since, $bar)", ("withn", 1), "unknown function", "did you mean 'within'?"),
    ("within(institution.operating_since)", ("within", 1), "takes 2 argument", ""),
    ("date('2024-13-01') < today", ("'2024-13-01'", 1), "not a date", "YYYY-MM-DD"),
    ("date(2024) < today", ("2024", 1), "quoted date", ""),
    ("any(s in agreement.suspensions)", (")", -1), "needs 'where'", "any(s in"),
    ("any(agreement.suspensions)", ("agreement", 1), "needs the form", ""),
    ("institution.", END, "field name", ""),
    ("institution.beds >= [1, 2", END, "expected ']'", "]"),
    ("", END, "empty condition", "e.g."),
])
def test_syntax_error_offsets_point_at_the_bad_token(text, bad, message, hint):
    with pytest.raises(ConditionSyntaxError) as info:
        parse(text)
    offset = len(text) if bad is END else occurrence(text, *bad)
    assert info.value.offset == offset, (info.value.message, info.value.offset)
    assert message in info.value.message
    assert hint in info.value.hint


def test_condition_longer_than_the_limit_is_refused():
    text = "institution.is_public or " * (MAX_LENGTH // 25) + "institution.is_public"
    assert len(text) > MAX_LENGTH
    with pytest.raises(ConditionSyntaxError) as info:
        parse(text)
    assert info.value.offset == 0 and info.value.hint


def test_nesting_limit_is_an_error_not_a_recursion_error():
    ok = "(" * MAX_DEPTH + "institution.is_public" + ")" * MAX_DEPTH
    assert isinstance(parse(ok), A.Fact)
    for text in ("(" * 40 + "institution.is_public" + ")" * 40,
                 "not " * 40 + "institution.is_public",
                 "within(" * 40 + "x" + ", $bar)" * 40):
        with pytest.raises(ConditionSyntaxError) as info:
            parse(text)
        assert "nested" in info.value.message and info.value.offset < len(text)


def test_nested_list_literals_hit_the_nesting_limit():
    with pytest.raises(ConditionSyntaxError):
        parse("institution.type in " + "[" * 300 + "]" * 300)


def test_long_operator_chain_is_checked_without_recursion_error():
    text = "institution.beds" + " + 1" * 700 + " >= 100"
    assert len(text) < MAX_LENGTH
    try:
        assert check(text) == BOOL
    except (ConditionSyntaxError, ConditionTypeError):
        pass


# ---- type checker ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("institution.beds >= $beds", BOOL),
    ("institution.beds + 1", INT),
    ("institution.beds * $rate", NUM),
    ("conduct.loss_amount * 2", NUM),
    ("institution.operating_since", DATE),
    ("add(institution.operating_since, $bar)", DATE),
    ("days_between(institution.operating_since, today)", INT),
    ("count(agreement.suspensions)", INT),
    ("institution.type is known", BOOL),
    ("$bar", DURATION),
])
def test_types_of_well_formed_expressions(text, expected):
    assert check(text) == expected


@pytest.mark.parametrize("text, code, at, hint", [
    ("institution.operating_since > 3", "type-mismatch", "institution.operating_since", ""),
    ("institution.beds == 'many'", "type-mismatch", "institution.beds", ""),
    ("institution.is_public < true", "type-mismatch", "institution.is_public", ""),
    ("institution.is_public and institution.beds", "type-mismatch", "institution.beds", "x >= 3"),
    ("not institution.beds", "type-mismatch", "institution.beds", ""),
    ("institution.beds + institution.operating_since > 1", "type-mismatch", "institution.beds", "add("),
    ("institution.type in 3", "type-mismatch", "3", ""),
    ("institution.beds in ['a']", "type-mismatch", "institution.beds", ""),
    ("institution.beds in [1, 'a']", "type-mismatch", "'a'", ""),
    ("any(s in institution.beds where true)", "type-mismatch", "institution.beds", ""),
    ("any(s in agreement.suspensions where s.started_on)", "type-mismatch", "s.started_on", ""),
    ("within(institution.beds, $bar)", "type-mismatch", "institution.beds", ""),
    ("within(institution.operating_since, $beds)", "type-mismatch", "$beds", ""),
    ("within(institution.operating_since, 3)", "type-mismatch", "3", ""),
    ("days_between(institution.beds, today) > 1", "type-mismatch", "institution.beds", ""),
    ("institution.bed >= 1", "unknown-fact", "institution.bed", "did you mean 'beds'?"),
    ("institution.beds.count >= 1", "unknown-fact", "institution.beds", ""),
    ("instituton.beds >= 1", "unknown-fact", "instituton.beds", "did you mean 'institution'?"),
    ("s.started_on is known", "unknown-fact", "s.started_on", ""),
    ("any(s in agreement.suspensions where s.requested_by_instituton)", "unknown-fact",
     "s.requested_by_instituton", "did you mean 'requested_by_institution'?"),
    ("institution.type == 'clinc'", "unknown-value", "'clinc'", "did you mean 'clinic'?"),
    ("'clinc' != institution.type", "unknown-value", "'clinc'", "did you mean 'clinic'?"),
    ("institution.type in ['clinic', 'clinc']", "unknown-value", "'clinc'", "did you mean 'clinic'?"),
    ("institution.type not in $bad_types", "unknown-value", "$bad_types", "did you mean 'clinic'?"),
    ("'licence_copi' in application.materials", "unknown-value", "'licence_copi'", "did you mean 'licence_copy'?"),
    ("institution.type == 'zzzz'", "unknown-value", "'zzzz'", "allowed: "),
    ("$bedz > 1", "unknown-parameter", "$bedz", "did you mean 'beds'?"),
    ("within(institution.operating_since, $nothing_like_it)", "unknown-parameter", "$nothing_like_it",
     "parameters:"),
])
def test_type_errors_carry_code_offset_and_hint(text, code, at, hint):
    with pytest.raises(ConditionTypeError) as info:
        check(text)
    assert info.value.code == code, info.value.message
    assert info.value.offset == text.index(at), info.value.message
    assert hint in info.value.hint
    if hint:
        assert info.value.hint


def test_checker_records_fact_paths_with_item_markers():
    root = parse("any(s in agreement.suspensions where s.requested_by_institution and agreement.is_home_region)")
    checker = Checker(Case, PARAMS)
    checker.check(root)
    assert checker.used_facts == {"agreement.suspensions", "agreement.suspensions[].requested_by_institution",
                                  "agreement.is_home_region"}


# ---- Kleene logic against a reference written from the definition --------------------------------
# docs/conditions.md: "unknown and false is false, unknown or true is true, anything else touching
# unknown is unknown".

def k_and(*xs):
    if any(x is False for x in xs):
        return False
    if any(x is None for x in xs):
        return None
    return True


def k_or(*xs):
    if any(x is True for x in xs):
        return True
    if any(x is None for x in xs):
        return None
    return False


def k_not(x):
    return None if x is None else not x


VALUES = (True, False, None)
A_, B_, C_ = "institution.is_public", "institution.has_insurance_staff", "institution.has_insurance_department"


def abc(a, b, c) -> Case:
    return case(institution={"is_public": a, "has_insurance_staff": b, "has_insurance_department": c})


def test_reference_truth_tables_match_the_definition():
    assert [k_and(x, y) for x in VALUES for y in VALUES] == [
        True, False, None, False, False, False, None, False, None]
    assert [k_or(x, y) for x in VALUES for y in VALUES] == [
        True, True, True, True, False, None, True, None, None]
    assert [k_not(x) for x in VALUES] == [False, True, None]


FORMULAS = [
    (f"{A_} and {B_}", lambda a, b, c: k_and(a, b)),
    (f"{A_} or {B_}", lambda a, b, c: k_or(a, b)),
    (f"not {A_}", lambda a, b, c: k_not(a)),
    (f"not {A_} and {B_} or {C_}", lambda a, b, c: k_or(k_and(k_not(a), b), c)),
    (f"{A_} and ({B_} or {C_})", lambda a, b, c: k_and(a, k_or(b, c))),
    (f"{A_} and {B_} and {C_}", lambda a, b, c: k_and(a, b, c)),
    (f"{A_} or {B_} or {C_}", lambda a, b, c: k_or(a, b, c)),
    (f"not ({A_} or not {B_})", lambda a, b, c: k_not(k_or(a, k_not(b)))),
    (f"{A_} or {B_} and not {C_}", lambda a, b, c: k_or(a, k_and(b, k_not(c)))),
    (f"{A_} is known and {B_} is unknown", lambda a, b, c: (a is not None) and (b is None)),
    (f"{A_} == {B_}", lambda a, b, c: None if a is None or b is None else a == b),
    (f"{A_} == true", lambda a, b, c: None if a is None else a is True),
]


@pytest.mark.parametrize("text, ref", FORMULAS, ids=[t for t, _ in FORMULAS])
def test_compiled_logic_matches_the_reference_on_every_combination(text, ref):
    expr = compiled(text)
    for a, b, c in itertools.product(VALUES, repeat=3):
        assert same(run(text, abc(a, b, c), expr=expr), ref(a, b, c)), (text, a, b, c)


def test_is_known_is_never_unknown():
    for a in VALUES:
        assert run(f"{A_} is known", abc(a, None, None)) is (a is not None)
        assert run(f"{A_} is unknown", abc(a, None, None)) is (a is None)
    assert run("institution is unknown", case()) is True
    assert run("institution.beds is known", case()) is False  # a missing section makes its facts unknown


# ---- comparisons, arithmetic, membership ---------------------------------------------------------

@pytest.mark.parametrize("text, inst, expected", [
    ("institution.beds >= $beds", {"beds": 100}, True),
    ("institution.beds >= $beds", {"beds": 99}, False),
    ("institution.beds >= $beds", {}, None),
    ("institution.beds + 1 > $beds", {"beds": 100}, True),
    ("institution.beds + 1 > $beds", {}, None),
    ("institution.beds * 2 == 60", {"beds": 30}, True),
    ("institution.operating_since < date('2024-01-01')", {"operating_since": "2023-12-31"}, True),
    ("institution.operating_since < date('2024-01-01')", {"operating_since": "2024-01-01"}, False),
    ("institution.type == 'clinic'", {"type": "clinic"}, True),
    ("institution.type != 'clinic'", {"type": "clinic"}, False),
    ("institution.type == 'clinic'", {}, None),
    # membership with an enum fact and a `types` parameter, a list literal, or a list of facts
    ("institution.type in $types", {"type": "clinic"}, True),
    ("institution.type in $types", {"type": "tcm_hospital"}, False),
    ("institution.type in $types", {}, None),
    ("institution.type not in $types", {"type": "clinic"}, False),
    ("institution.type not in $types", {"type": "tcm_hospital"}, True),
    ("institution.type not in $types", {}, None),
    ("institution.type in ['clinic', 'outpatient_department']", {"type": "outpatient_department"}, True),
    ("institution.type not in ['clinic', 'outpatient_department']", {"type": "village_clinic"}, True),
    ("institution.licence in ['practice_licence', 'none']", {"licence": "none"}, True),
    ("'clinic' in [institution.type, 'general_hospital']", {"type": "clinic"}, True),
    ("'clinic' in [institution.type, 'general_hospital']", {"type": "tcm_hospital"}, False),
    ("'clinic' in [institution.type, 'general_hospital']", {}, None),  # might be the unknown item
    ("'general_hospital' in [institution.type, 'general_hospital']", {}, True),  # found among known items
    ("'clinic' not in [institution.type, 'general_hospital']", {}, None),
    ("'general_hospital' not in [institution.type, 'general_hospital']", {}, False),
    ("'clinic' not in [institution.type, 'general_hospital']", {"type": "tcm_hospital"}, True),
])
def test_values_comparisons_and_membership(text, inst, expected):
    assert same(run(text, case(institution=inst)), expected)


@pytest.mark.parametrize("materials, expected_in", [
    (["licence_copy", "application_form"], True), ([], False), (["application_form"], False), (None, None)])
def test_membership_in_an_enum_list_fact(materials, expected_in):
    c = case(application={"materials": materials})
    assert same(run("'licence_copy' in application.materials", c), expected_in)
    assert same(run("'licence_copy' not in application.materials", c), k_not(expected_in))


# ---- quantifiers with unknown items ----------------------------------------------------------------

ANY = "any(s in agreement.suspensions where s.requested_by_institution)"
ALL = "all(s in agreement.suspensions where s.requested_by_institution)"
COUNT = "count(s in agreement.suspensions where s.requested_by_institution)"


def suspensions(*flags):
    if flags == (Ellipsis,):
        return case(agreement={})
    return case(agreement={"suspensions": [{"requested_by_institution": f} for f in flags]})


@pytest.mark.parametrize("flags, any_, all_, count_", [
    ((), False, True, 0),
    ((True,), True, True, 1),
    ((False,), False, False, 0),
    ((None,), None, None, None),
    ((True, None), True, None, None),
    ((None, True), True, None, None),
    ((False, None), None, False, None),
    ((None, False), None, False, None),
    ((True, False), True, False, 1),
    ((True, True, False), True, False, 2),
    ((Ellipsis,), None, None, None),  # the list itself is unknown
])
def test_quantifiers_follow_kleene_over_items(flags, any_, all_, count_):
    c = suspensions(*flags)
    assert same(run(ANY, c), any_)
    assert same(run(ALL, c), all_)
    assert same(run(COUNT, c), count_)
    # any/all are the Kleene or/and of the items
    if flags != (Ellipsis,):
        assert same(any_, k_or(False, *flags)) and same(all_, k_and(True, *flags))


def test_count_of_a_list_and_nested_quantifiers():
    assert run("count(agreement.suspensions)", suspensions(None, None, True)) == 3
    assert run("count(agreement.suspensions)", suspensions(Ellipsis)) is None
    people = case(institution={"people": [
        {"serious_violation_rescissions": ["2019-01-01"]},
        {"serious_violation_rescissions": ["2024-01-01", "2010-05-05"]}]})
    text = ("any(p in institution.people where any(d in p.serious_violation_rescissions "
            "where within(d, $bar)))")
    assert run(text, people) is True
    assert run(text, people, today=date(2027, 1, 2)) is False  # 2024-01-01 + 3 years = 2027-01-01
    assert run(text, case(institution={"people": [{}]})) is None


def test_quantifier_predicate_may_use_outer_facts():
    text = "any(s in agreement.suspensions where s.started_on >= agreement.term_start)"
    c = case(agreement={"term_start": "2025-01-01", "suspensions": [{"started_on": "2024-06-01"},
                                                                       {"started_on": "2025-02-01"}]})
    assert run(text, c) is True
    c = case(agreement={"suspensions": [{"started_on": "2024-06-01"}]})
    assert run(text, c) is None


# ---- time functions at the boundaries (Civil Code arts. 201-202, docs/time.md) ---------------------

def since(d: str | None) -> Case:
    return case(institution={"operating_since": d})


WITHIN = "within(institution.operating_since, $bar)"
ELAPSED = "elapsed(institution.operating_since, $bar)"


@pytest.mark.parametrize("event, today, within, elapsed", [
    ("2023-05-10", date(2023, 5, 10), True, False),  # the event day itself
    ("2023-05-10", date(2026, 5, 9), True, False),
    ("2023-05-10", date(2026, 5, 10), True, False),  # the anniversary: the bar runs to 24:00
    ("2023-05-10", date(2026, 5, 11), False, True),  # the day after: fully run
    ("2024-02-29", date(2027, 2, 28), True, False),  # no 29 February in 2027: last day is the 28th
    ("2024-02-29", date(2027, 3, 1), False, True),
    ("2025-07-01", date(2025, 6, 1), False, False),  # an event after today has not happened yet
])
def test_within_and_elapsed_at_the_boundaries(event, today, within, elapsed):
    assert run(WITHIN, since(event), today) is within
    assert run(ELAPSED, since(event), today) is elapsed


def test_within_and_elapsed_with_an_unknown_date():
    assert run(WITHIN, since(None)) is None
    assert run(ELAPSED, since(None)) is None


@pytest.mark.parametrize("param, event, last_day", [
    ("three_months", "2024-11-30", date(2025, 2, 28)),
    ("three_months", "2024-10-31", date(2025, 1, 31)),
    ("thirty_days", "2025-01-01", date(2025, 1, 31)),
])
def test_month_and_day_periods_end_on_the_right_day(param, event, last_day):
    c = since(event)
    assert run(f"within(institution.operating_since, ${param})", c, last_day) is True
    assert run(f"within(institution.operating_since, ${param})", c, last_day + timedelta(days=1)) is False
    assert run(f"elapsed(institution.operating_since, ${param})", c, last_day) is False
    assert run(f"elapsed(institution.operating_since, ${param})", c, last_day + timedelta(days=1)) is True
    assert run(f"add(institution.operating_since, ${param}) == date('{last_day}')", c) is True


def test_add_sub_and_days_between():
    leap = since("2024-02-29")
    assert run("add(institution.operating_since, $bar) == date('2027-02-28')", leap) is True
    assert run("sub(date('2025-05-31'), $three_months) == date('2025-02-28')", leap) is True
    assert run("days_between(institution.operating_since, date('2024-03-31')) == 31", leap) is True
    assert run("days_between(institution.operating_since, today)", since("2025-05-01")) == 31
    assert run("add(institution.operating_since, $bar)", since(None)) is None
    assert run("days_between(institution.operating_since, today)", since(None)) is None


def test_working_day_period_uses_the_calendar_and_reports_estimates():
    # docs/time.md: around National Day 2025 the 5th working day after 2025-09-30 is 2025-10-14.
    c = case(application={"materials_received_on": "2025-09-30"})
    assert run("add(application.materials_received_on, $notice) == date('2025-10-14')", c) is True
    expr = compiled("within(application.materials_received_on, $notice)")
    est: set[int] = set()
    assert expr.fast(c, date(2025, 10, 14), est) is True and est == set()
    assert expr.fast(c, date(2025, 10, 15), est) is False
    # 2027 is not in the calendar: Monday-Friday is assumed and the year is reported
    c27 = case(application={"materials_received_on": "2027-01-01"})
    est = set()
    assert expr.fast(c27, date(2027, 1, 8), est) is True and est == {2027}
    traced_est: set[int] = set()
    expr.run_traced(c27, date(2027, 1, 8), traced_est)
    assert traced_est == {2027}


# ---- fast and traced agree; traces; missing facts ---------------------------------------------------

SEMANTIC = [f for f, _ in FORMULAS] + [
    ANY, ALL, COUNT, f"{COUNT} >= 1", "count(agreement.suspensions)",
    "institution.beds >= $beds or institution.has_insurance_department",
    "institution.type in $types and not institution.is_public",
    # "'clinic' in [institution.type, ...]" is left out: see test_missing_facts_inside_a_list_of_facts
    "within(institution.operating_since, $bar) or institution.beds is unknown",
    "any(s in agreement.suspensions where s.requested_by_institution and institution.is_public)",
    "all(s in agreement.suspensions where s.requested_by_institution or not institution.is_public)",
]
SEMANTIC_EXPRS = {t: compiled(t) for t in SEMANTIC}

tri = st.sampled_from(VALUES)
cases = st.builds(
    lambda a, b, c, beds, typ, since_days, flags: Case.model_validate({
        "institution": {"is_public": a, "has_insurance_staff": b, "has_insurance_department": c, "beds": beds,
                        "type": typ,
                        "operating_since": None if since_days is None else TODAY - timedelta(days=since_days)},
        "agreement": {"suspensions": None if flags is None else [{"requested_by_institution": f} for f in flags]},
    }),
    tri, tri, tri, st.one_of(st.none(), st.integers(0, 200)),
    st.one_of(st.none(), st.sampled_from(["clinic", "general_hospital", "tcm_hospital"])),
    st.one_of(st.none(), st.integers(-5, 1200)),
    st.one_of(st.none(), st.lists(tri, max_size=4)),
)


@settings(max_examples=150, deadline=None)
@given(c=cases, text=st.sampled_from(SEMANTIC))
def test_fast_and_traced_agree_and_the_trace_root_holds_the_result(c, text):
    expr = SEMANTIC_EXPRS[text]
    result = run(text, c, expr=expr)
    _, slots = expr.run_traced(c, TODAY, set())
    # missing facts: empty exactly when the result is known
    missing = missing_facts(expr, slots)
    assert (missing == set()) == (result is not None), (text, result, missing)


def test_trace_tree_shape_and_short_circuit():
    text = "institution.is_public and institution.beds >= $beds"
    expr = compiled(text)
    _, slots = expr.run_traced(abc(False, None, None), TODAY, set())
    tree = build_trace(expr, slots)
    assert tree.value is False
    left, right = tree.children
    assert (left.text, left.value, left.fact, left.evaluated) == ("institution.is_public", False,
                                                                   "institution.is_public", True)
    assert right.text == "institution.beds >= $beds" and right.evaluated is False
    _, slots = expr.run_traced(case(institution={"is_public": True, "beds": 120}), TODAY, set())
    tree = build_trace(expr, slots)
    assert tree.value is True
    beds, param = tree.children[1].children
    assert (beds.value, param.value, param.text) == (120, 100, "$beds")
    assert all(s is not NOT_EVALUATED for s in slots)


def test_trace_of_a_quantifier_holds_each_item_result():
    expr = compiled(ANY)
    _, slots = expr.run_traced(suspensions(False, None, True), TODAY, set())
    tree = build_trace(expr, slots)
    assert tree.value is True
    source, pred = tree.children
    assert source.fact == "agreement.suspensions"
    assert pred.value == (False, None, True)  # traced runs look at every item


def _missing(text: str, c: Case) -> set[str]:
    expr = compiled(text)
    value, slots = expr.run_traced(c, TODAY, set())
    return missing_facts(expr, slots)


@pytest.mark.parametrize("text, c, expected", [
    (f"{A_} and {B_}", abc(False, None, None), set()),  # a is False: b does not matter
    (f"{A_} and {B_}", abc(True, None, None), {B_}),
    (f"{A_} and {B_}", abc(None, None, None), {A_, B_}),
    (f"{A_} or {B_}", abc(True, None, None), set()),
    (f"{A_} or {B_}", abc(False, None, None), {B_}),
    (f"not {A_}", abc(None, True, True), {A_}),
    (f"{A_} and {B_} or {C_}", abc(True, None, True), set()),
    (f"{A_} and {B_} or {C_}", abc(None, True, False), {A_}),
    ("institution.beds >= $beds and institution.is_public", case(institution={"is_public": False}), set()),
    ("institution.beds >= $beds and institution.is_public", case(institution={"is_public": True}),
     {"institution.beds"}),
    ("institution.type in $types", case(), {"institution.type"}),
    ("within(institution.operating_since, $bar)", case(), {"institution.operating_since"}),
    ("institution.beds is known", case(), set()),
    (ANY, suspensions(Ellipsis), {"agreement.suspensions"}),
    (ANY, suspensions(False, None), {"agreement.suspensions[].requested_by_institution"}),
    (ANY, suspensions(True, None), set()),
    (ALL, suspensions(False, None), set()),
])
def test_missing_facts_name_exactly_the_unknown_facts_that_matter(text, c, expected):
    assert _missing(text, c) == expected


def test_missing_facts_of_an_unknown_quantifier_leave_out_known_facts():
    text = "any(s in agreement.suspensions where s.requested_by_institution and agreement.is_home_region)"
    c = case(agreement={"is_home_region": True, "suspensions": [{"requested_by_institution": None}]})
    assert _missing(text, c) == {"agreement.suspensions[].requested_by_institution"}
    c = case(agreement={"suspensions": [{"requested_by_institution": True}]})
    assert _missing(text, c) == {"agreement.is_home_region"}


def test_missing_facts_inside_a_list_of_facts():
    text = "'clinic' in [institution.type, 'general_hospital']"
    assert run(text, case(institution={})) is None
    assert _missing(text, case(institution={})) == {"institution.type"}


NESTED = ("any(p in institution.people where p.is_on_dishonesty_list "
          "or any(d in p.serious_violation_rescissions where within(d, $bar)))")


@pytest.mark.parametrize("person, expected", [
    ({"is_on_dishonesty_list": None, "serious_violation_rescissions": []},
     {"institution.people[].is_on_dishonesty_list"}),
    ({"is_on_dishonesty_list": False, "serious_violation_rescissions": None},
     {"institution.people[].serious_violation_rescissions"}),
])
def test_missing_facts_of_nested_quantifiers_leave_out_known_facts(person, expected):
    c = case(institution={"people": [person]})
    assert run(NESTED, c) is None
    assert _missing(NESTED, c) == expected


def test_compiled_source_is_generated_from_the_tree_not_the_text():
    text = "institution.name == '__import__(\"os\")'"
    expr = compiled(text)
    assert "__import__(\"os\")" not in expr.python_source.replace("'__import__(\"os\")'", "")
    assert run(text, case(institution={"name": '__import__("os")'})) is True


# --- count() with unknown items: a comparison is decided when every possible count agrees ------
AGENCY_COUNT = "count(s in agreement.suspensions where s.requested_by_institution == false)"


def _suspensions(*flags):
    return case(agreement={"suspensions": [{"requested_by_institution": f} for f in flags]})


@pytest.mark.parametrize("text, flags, expected", [
    (AGENCY_COUNT + " >= 2", (False, False, None), True),    # 2 definite, a third unknown: at least 2 either way
    (AGENCY_COUNT + " >= 2", (False, None, True), None),     # 1 definite, 1 unknown: 1 or 2
    (AGENCY_COUNT + " >= 3", (False, None, True), False),    # at most 2
    (AGENCY_COUNT + " < 1", (False, None), False),           # at least 1
    (AGENCY_COUNT + " == 0", (False, None), False),
    (AGENCY_COUNT + " != 5", (None, None), True),            # 0..2, never 5
    ("2 <= " + AGENCY_COUNT, (False, False, None), True),    # mirrored
    (AGENCY_COUNT, (False, None), None),                     # the count itself stays unknown
])
def test_count_bounds_decide_comparisons(text, flags, expected):
    assert run(text, _suspensions(*flags)) is expected


def test_count_of_an_unknown_list_stays_unknown():
    assert run(AGENCY_COUNT + " >= 0", case(agreement={})) is None
