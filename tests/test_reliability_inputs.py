"""Regression tests for the input defects of the December 2026 reliability review (issue 11, part A).

D1 extreme dates, D2 conditions that validate but could not run, D4 silent type conversions,
D7 unencodable output, D12/D15/D17 the JSON and JSON Lines input paths. Each test fails on the
code before the fix (the review's ``reliability_repro.py`` shows the old behaviour).
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.conditions.compile import MAX_CODE_LEVELS, MAX_CODE_LOOPS, code_nesting, compile_expr, fuse
from dingdian_rules.conditions.parser import ConditionSyntaxError, parse_counted
from dingdian_rules.conditions.types import DURATION, Checker, ParamInfo
from dingdian_rules.facts import Case
from dingdian_rules.timecalc import DEFAULT_CALENDAR

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
AS_OF = date(2025, 6, 1)
PARAMS = {"bar": ParamInfo(DURATION, (3, "years")), "notice": ParamInfo(DURATION, (5, "working_days"))}


def compiled(text: str, params: dict[str, ParamInfo] = PARAMS):
    root, size = parse_counted(text)
    checker = Checker(Case, params)
    checker.check(root)
    return compile_expr(text, root, size, checker.fact_paths, params, DEFAULT_CALENDAR, "test")


def mini_pack(tmp_path: Path, rules_yaml: str, name: str = "mini") -> Path:
    """A one-file pack quoting the national source text (as the review's reproducers build them)."""
    folder = tmp_path / name
    (folder / "rules").mkdir(parents=True)
    (folder / "sources").mkdir()
    shutil.copy(ROOT / "rulepacks/national/sources/national_nhsa_order_2_2020.txt", folder / "sources/src.txt")
    (folder / "pack.yaml").write_text(
        f"id: {name}\nname: {{zh: 测试, en: T}}\nlevel: city\nextends: null\n"
        "sources:\n  - {id: src, title: t, issuer: i, status: in_force, file: sources/src.txt}\n", encoding="utf-8")
    (folder / "rules/a.yaml").write_text(rules_yaml, encoding="utf-8")
    return folder


def rule(when: str, kind: str = "suspension", outcome: str = "suspend") -> str:
    return ("rules:\n  - id: r.one\n    kind: " + kind + "\n    title: {zh: 规则, en: R}\n"
            "    citation: {document: src, article: 6, quote: 正式运营至少3个月}\n    modality: shall\n"
            f"    when: {when}\n    outcome: {outcome}\n")


# --- D2: what validates, evaluates --------------------------------------------------------------
@pytest.mark.parametrize("op", ["and", "or"])
@pytest.mark.parametrize("n", [99, 100, 150])
def test_long_and_or_chains_evaluate_traced_and_untraced(tmp_path, op, n):
    """Old code: the generator nested one `if` per operand; 100 operands broke Python's indentation limit."""
    cond = f" {op} ".join(["institution.is_public"] * n)
    pack = dr.load_pack(mini_pack(tmp_path, rule(cond)))
    for value, expected in ((True, "suspend"), (False, "continue")):
        for trace in (False, True):
            d = dr.evaluate(pack, {"institution": {"is_public": value}}, "agreement", as_of=AS_OF, trace=trace)
            assert d.outcome == expected
    d = dr.evaluate(pack, {"institution": {}}, "agreement", as_of=AS_OF, trace=True)
    assert d.outcome == "undetermined" and d.missing_facts == ("institution.is_public",)


def test_long_chain_short_circuits_like_before():
    """The flat chain stops at the first deciding operand: later operands stay unevaluated in the trace."""
    expr = compiled(" and ".join(["institution.is_public", "institution.has_it_connection"] * 60))
    c = Case.model_validate({"institution": {"is_public": False, "has_it_connection": True}})
    value, slots = expr.run_traced(c, AS_OF, set())
    assert value is False and expr.fast(c, AS_OF, set()) is False
    from dingdian_rules.trace import build_trace
    tree = build_trace(expr, slots)
    assert tree.children[0].evaluated and not any(k.evaluated for k in tree.children[1:])


@pytest.mark.parametrize("values", list(itertools.product([True, False, None], repeat=3)))
def test_flat_chain_keeps_kleene_logic(values):
    c = Case.model_validate({"institution": dict(zip(("is_public", "has_it_connection", "has_insurance_staff"), values))})
    names = ["institution.is_public", "institution.has_it_connection", "institution.has_insurance_staff"]
    known = [v for v in values if v is not None]
    all_ = False if False in known else (None if None in values else True)
    any_ = True if True in known else (None if None in values else False)
    assert compiled(" and ".join(names)).fast(c, AS_OF, set()) is all_
    assert compiled(" or ".join(names)).fast(c, AS_OF, set()) is any_
    assert compiled(f"(({names[0]} or {names[1]}) and not {names[2]}) or {names[1]}").fast(c, AS_OF, set()) is \
        _kor(_kand(_kor(values[0], values[1]), _knot(values[2])), values[1])


def _kand(a, b):
    return False if False in (a, b) else (None if None in (a, b) else True)


def _kor(a, b):
    return True if True in (a, b) else (None if None in (a, b) else False)


def _knot(a):
    return None if a is None else not a


def _nested_any(depth: int) -> str:
    text = f"s{depth - 1}.requested_by_institution"
    for i in reversed(range(depth)):
        text = f"any(s{i} in agreement.suspensions where {text})"
    return text


def test_quantifiers_nested_up_to_the_limit_evaluate_and_beyond_are_a_located_load_error(tmp_path):
    """Old code: 21 nested quantifiers validated, then failed with 'too many statically nested blocks'."""
    ok = _nested_any(MAX_CODE_LOOPS)
    pack = dr.load_pack(mini_pack(tmp_path, rule(ok)))
    case = {"agreement": {"suspensions": [{"requested_by_institution": True}]}}
    assert dr.evaluate(pack, case, "agreement", as_of=AS_OF, trace=False).outcome == "suspend"
    assert dr.evaluate(pack, case, "agreement", as_of=AS_OF, trace=True).outcome == "suspend"
    too_deep = _nested_any(21)
    with pytest.raises(dr.PackError) as exc:
        dr.load_pack(mini_pack(tmp_path, rule(too_deep), "deep"))
    d = exc.value.diagnostics[0]
    assert d.code == "condition-syntax" and "any/all/count" in d.message
    assert d.location.file.endswith("a.yaml") and d.location.line == 7 and d.location.column > 10
    with pytest.raises(ConditionSyntaxError):
        parse_counted(too_deep)


def test_block_levels_beyond_the_limit_are_refused_before_compiling(monkeypatch):
    """MAX_TREE_DEPTH and MAX_CODE_LOOPS already keep block levels under the limit; the level check
    stays so that raising either cannot let through a condition Python would not compile."""
    text = "institution.is_public or (institution.beds > 3 and (institution.is_public or institution.has_it_connection))"
    (levels, node), _ = code_nesting(parse_counted(text)[0])
    assert levels == 3 and text[node.start:node.end] == "institution.has_it_connection"
    from dingdian_rules.conditions import parser
    monkeypatch.setattr(parser, "MAX_CODE_LEVELS", 2)
    with pytest.raises(ConditionSyntaxError, match="block levels") as exc:
        parse_counted(text)
    assert exc.value.offset == text.index("institution.has_it_connection")


@pytest.mark.parametrize("text", [
    " or ".join(["false"] * 440 + ["institution.is_public"]),  # as many operands as 4,000 characters hold
    "any(p in institution.people where p.is_on_dishonesty_list or (institution.is_public and not "
    "any(q in institution.people where q.is_on_dishonesty_list and institution.beds > 3 or count(x in institution.people "
    "where x.is_on_dishonesty_list) >= 2)))",
    _nested_any(MAX_CODE_LOOPS),
])
def test_code_nesting_bounds_the_generated_code(text):
    """The checker's measure is an upper bound of the indentation the generator writes (plus the
    function body and a leaf's own indented line), for fast, traced and fused code alike."""
    expr = compiled(text)
    (levels, _), (loops, _) = code_nesting(expr.root)
    sources = [expr.fast_source, expr.python_source]
    for src in sources:
        deepest = max((len(line) - len(line.lstrip(" "))) // 4 for line in src.splitlines() if line.strip())
        assert deepest <= 1 + levels + 2
        assert max(line.count("for ") for line in src.splitlines()) <= 1
    fuse([expr, expr], "test")(Case(), AS_OF, set())
    assert loops <= MAX_CODE_LOOPS


# --- D1: extreme but valid dates ----------------------------------------------------------------
EXTREMES = (date(1, 1, 1), date(1, 1, 2), date(1, 3, 1), date(9999, 12, 30), date(9999, 12, 31))
PACK_IDS = ("national", "guangdong", "guangdong_foshan", "guangdong_zhongshan", "jiangsu", "jiangsu_nantong",
            "qinghai_agreement")


def _filled(model, day: date, flag: bool) -> dict:
    """Every fact of ``model`` given: every date is ``day``, every list holds one item."""
    from dingdian_rules.testing import _fields
    out = {}
    for name, kind, detail in _fields(model):
        if kind == "model":
            out[name] = _filled(detail, day, flag)
        elif kind == "list":
            item = {"date": day, "str": "63.2"}.get(getattr(detail, "__name__", ""))
            if item is None:
                item = _filled(detail, day, flag) if hasattr(detail, "model_fields") else list(detail)[0].value
            out[name] = [item]
        else:
            out[name] = {"bool": flag, "int": 1, "float": 1.0, "date": day, "str": "x"}.get(kind) \
                if kind != "enum" else list(detail)[0].value
    return out


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_question_answers_with_every_date_at_the_calendar_ends(pack_id):
    """Old code: OverflowError from timecalc (e.g. 9999-12-31 + 3 months) for any case with such a date."""
    pack = dr.load_pack(pack_id)
    for day, flag, as_of in itertools.product(EXTREMES, (True, False), (date(1, 1, 1), AS_OF, date(9999, 12, 31))):
        case = dr.parse_case(_filled(Case, day, flag))
        for q in ("application", "agreement", "request", "conduct", "deadlines"):
            for trace in (False, True):
                d = dr.evaluate(pack, case, q, as_of=as_of, trace=trace)
            d.to_dict()
            assert {w.code for w in d.warnings} >= ({"date-out-of-range"} if any(
                x.due is None and not x.missing for x in d.deadlines) else set())


def test_a_period_past_the_calendar_is_still_running():
    """within/elapsed compare today with the last day: past 9999-12-31 no day is after it."""
    params = {"bar": ParamInfo(DURATION, (3, "years")), "wd": ParamInfo(DURATION, (10, "working_days"))}
    for period in ("bar", "wd"):
        within, elapsed = compiled(f"within(institution.operating_since, ${period})", params), \
            compiled(f"elapsed(institution.operating_since, ${period})", params)
        c = Case.model_validate({"institution": {"operating_since": "9999-12-25"}})
        for today in (date(9999, 12, 25), date(9999, 12, 31)):
            assert within.fast(c, today, set()) is True and within.run_traced(c, today, set())[0] is True
            assert elapsed.fast(c, today, set()) is False and elapsed.run_traced(c, today, set())[0] is False
        assert within.fast(c, AS_OF, set()) is False  # not yet happened


def test_add_and_sub_past_the_calendar_are_unknown_and_say_why():
    params = {"bar": ParamInfo(DURATION, (3, "months")), "wd": ParamInfo(DURATION, (10, "working_days"))}
    for text, day, year in (("add(request.effective_on, $bar)", "9999-12-01", 10000),
                            ("sub(request.effective_on, $bar)", "0001-01-03", 0),
                            ("add(request.effective_on, $wd)", "9999-12-25", 10000),
                            ("sub(request.effective_on, $wd)", "0001-01-05", 0)):
        expr = compiled(f"request.filed_on > {text}", params)
        c = Case.model_validate({"request": {"effective_on": day, "filed_on": day}})
        est: set[int] = set()
        assert expr.fast(c, AS_OF, est) is None and est == {year}
        value, slots = expr.run_traced(c, AS_OF, set())
        assert value is None
        from dingdian_rules.trace import missing_facts
        assert missing_facts(expr, slots) == set()  # nothing is missing: the day does not exist


def test_year_one_request_is_undetermined_with_a_warning():
    pack = dr.load_pack("national")
    case = {"institution": {"is_public": False},
            "request": {"kind": "suspend", "filed_on": "0001-01-02", "effective_on": "0001-01-03"}}
    for trace in (False, True):
        d = dr.evaluate(pack, case, "request", as_of=AS_OF, trace=trace)
        assert d.outcome == "undetermined"
        assert "date-out-of-range" in {w.code for w in d.warnings}
        assert "calendar-estimated" not in {w.code for w in d.warnings}


def test_deadlines_past_the_calendar_have_no_due_day_and_a_warning():
    pack = dr.load_pack("national")
    case = {"application": {"materials_received_on": "9999-12-30", "accepted_on": "9999-12-01", "supplement_days": 40}}
    d = dr.evaluate(pack, case, "deadlines", as_of=AS_OF)
    dues = {x.rule_id: x for x in d.deadlines}
    assert dues["time_limit.materials_notice"].due is None and dues["time_limit.evaluation_period"].due is None
    assert "date-out-of-range" in {w.code for w in d.warnings}
    d.to_dict()
    # an extension that runs past the end: 9999-10-01 + 3 months = 9999-12-31, plus 40 days
    case["application"]["accepted_on"] = "9999-10-01"
    d = dr.evaluate(pack, case, "deadlines", as_of=AS_OF)
    assert {x.rule_id: x for x in d.deadlines}["time_limit.evaluation_period"].due is None
    assert "date-out-of-range" in {w.code for w in d.warnings}


def test_timecalc_raises_a_typed_error_and_offers_safe_helpers():
    from dingdian_rules import timecalc as tc
    for fn, day, unit, after in ((tc.add_period, date(9999, 12, 31), "days", True),
                                 (tc.add_period, date(9999, 12, 31), "months", True),
                                 (tc.add_period, date(9999, 12, 31), "working_days", True),
                                 (tc.subtract_period, date(1, 1, 1), "years", False),
                                 (tc.subtract_period, date(1, 1, 1), "working_days", False)):
        with pytest.raises(tc.DateOutOfRange) as exc:
            fn(day, 1, unit)
        assert exc.value.after is after and isinstance(exc.value, OverflowError)
        assert exc.value.year == (tc.AFTER_CALENDAR if after else tc.BEFORE_CALENDAR)
    with pytest.raises(tc.DateOutOfRange):
        tc.roll_to_working_day(date(9999, 12, 31), tc.WorkdayCalendar([tc.YearArrangement(
            9999, frozenset({date(9999, 12, 31)}), frozenset())]))
    assert tc.shift_days(date(9999, 12, 31), 1) is None and tc.shift_days(date(1, 1, 1), -1) is None
    assert tc.shift_days(date(2025, 1, 1), 1) == date(2025, 1, 2)
    assert tc.last_day_capped(date(9999, 1, 1), 2, "years").value == date.max
    assert tc.within_period(date(9999, 12, 31), date(9999, 12, 31), 10**6, "days")
    assert not tc.elapsed_period(date(9999, 12, 31), date(9999, 12, 31), 5, "working_days")
    assert tc.add_period(date(1, 1, 1), tc.MAX_PERIOD["months"], "months").value <= date.max
    assert tc.add_period(date(1, 1, 1), tc.MAX_PERIOD["years"], "years").value <= date.max
    assert tc.add_period(date(1, 1, 1), tc.MAX_PERIOD["days"], "days").value == date.max


def _naive_walk(cal, d: date, n: int, step: int) -> tuple[date, bool]:
    from datetime import timedelta
    estimated = False
    while n:
        d += timedelta(days=step)
        working, est = cal.is_working_day(d)
        estimated |= est
        n -= working
    return d, estimated


@pytest.mark.parametrize("start", [date(2026, 12, 20), date(2027, 3, 4), date(2030, 12, 28), date(2100, 6, 15)])
@pytest.mark.parametrize("n", [1, 5, 6, 11, 260, 261, 1000, 5003])
def test_working_day_walk_skips_weeks_in_estimated_years_with_the_same_result(start, n):
    from dingdian_rules import timecalc as tc
    for step, fn in ((1, tc.add_period), (-1, tc.subtract_period)):
        got = fn(start, n, "working_days")
        day, estimated = _naive_walk(tc.DEFAULT_CALENDAR, start, n, step)
        assert (got.value, got.estimated) == (day, estimated)
        assert set(got.uncovered_years) == {y for y in range(min(start.year, day.year), max(start.year, day.year) + 1)
                                            if not tc.DEFAULT_CALENDAR.covers(y)}


def test_cli_answers_for_dates_at_the_calendar_ends(tmp_path):
    from dingdian_rules.cli import main
    case = tmp_path / "far.yaml"
    case.write_text("institution: {operating_since: 9999-12-31}\nrequest: {kind: suspend, filed_on: 0001-01-02, "
                    "effective_on: 0001-01-03}\n", encoding="utf-8")
    for verb in ("evaluate", "explain"):
        for fmt in ("text", "json", "md"):
            assert main([verb, "--pack", "national", str(case), "--as-of", "9999-12-31", "--format", fmt]) == 0
    pack = mini_pack(tmp_path, rule("institution.is_public"))
    (pack / "tests").mkdir()
    (pack / "tests/far.yaml").write_text(
        "scenarios:\n  - name: year 9999\n    question: agreement\n    as_of: 9999-12-31\n"
        "    case: {institution: {is_public: true, operating_since: 9999-12-31}}\n    expect: {outcome: suspend}\n",
        encoding="utf-8")
    assert main(["test", str(pack)]) == 0
