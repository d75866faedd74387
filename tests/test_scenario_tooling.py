"""``dingdian-rules test`` tooling (issue 14 item 4): ``-k`` selection, JSON and JUnit reports, ``-o``,
rule coverage by scenarios and ``--min-coverage``, Chinese text by default, and scenario files
that share a ``base:`` case.

The expected figures are worked out by hand from the fixture pack ``mini`` (tests/fixtures/cli/packs/
mini: seven rules) and the scenarios written here; each test's comment says how.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.scenario_base import merge_case
from dingdian_rules.analysis.scenario_filter import KeywordError, keyword_matcher
from dingdian_rules.analysis.scenarios import load_scenario_file, run_scenarios
from dingdian_rules.cli import main

PACKS = Path(__file__).parent / "fixtures" / "cli" / "packs"
MINI, MINI_FAILING = PACKS / "mini", PACKS / "mini_failing"
ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- -k ---------------------------------------------------------------------------------------
# mini's five scenarios: application.yaml "fraud found 2 years ago -> not accepted", "120 beds,
# department unknown -> undetermined", "50 beds -> conditions met"; conduct.yaml "breach -> measures
# available, damages capped at 20%", "suspended twice in the term -> rescind".
@pytest.mark.parametrize("expr,selected", [
    ("fraud", 1),                          # one name holds "fraud"
    ("FRAUD", 1),                          # case is ignored
    ("beds and not 120", 1),               # "50 beds"
    ("application or twice", 4),           # the three of application.yaml and "suspended twice"
    ("'-> not accepted'", 1),              # a quoted phrase with spaces
    ("not (beds or breach)", 2),           # fraud, suspended twice
    ("mini", 5),                           # the pack id matches every scenario
    ("nothing_like_this", 0),
])
def test_k_selects_by_name_file_and_pack(capsys, expr, selected):
    code, out, _ = run(capsys, "test", MINI, "-k", expr, "--lang", "en")
    assert code == 0
    deselected = f", {5 - selected} deselected" if selected < 5 else ""
    note = " (no scenarios)" if selected == 0 else ""
    assert f"{MINI}: {selected} passed, 0 failed{deselected}{note}" in out.splitlines()


@pytest.mark.parametrize("expr", ["", "(", "fraud and", "a b", "'open", "not", "beds)"])
def test_k_rejects_an_expression_that_does_not_parse(capsys, expr):
    code, out, err = run(capsys, "test", MINI, "-k", expr)
    assert code == 2 and out == "" and "-k" in err and "Traceback" not in err
    with pytest.raises(KeywordError):
        keyword_matcher(expr)


def test_keyword_precedence_is_or_and_not():
    # "a or b and c" is "a or (b and c)"; "not a and b" is "(not a) and b"
    m = keyword_matcher("a or b and c")
    assert m(["a"]) and not m(["b"]) and m(["bc"])
    m = keyword_matcher("not a and b")
    assert m(["b"]) and not m(["ab"])
    with pytest.raises(KeywordError):
        keyword_matcher("and")


# --- JUnit and JSON ---------------------------------------------------------------------------
def test_junit_parses_with_counts_and_located_failures(capsys, tmp_path):
    report = tmp_path / "report.xml"
    code, out, _ = run(capsys, "test", MINI_FAILING, MINI, "--format", "junit", "-o", report)
    assert code == 1 and out == ""  # -o: nothing on standard output
    root = ET.parse(report).getroot()
    # mini_failing: 1 passing scenario, 2 wrong expectations (failures), 2 invalid scenarios (errors:
    # invalid.yaml's misspelt key, wrong.yaml's bad case data); mini: 5 passing
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "2", "2")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"mini_failing", "mini"}
    failing = suites["mini_failing"]
    assert (failing.get("tests"), failing.get("failures"), failing.get("errors")) == ("5", "2", "2")
    cases = {c.get("name"): c for c in failing.iter("testcase")}
    wrong = cases["every expectation wrong"]
    assert wrong.get("classname") == "mini_failing.wrong" and wrong.get("line") == "12"
    failure = wrong.find("failure")
    assert failure is not None and failure.get("message", "").endswith(
        "wrong.yaml:12:5: outcome: expected conditions_met, got not_accepted (fired: non_acceptance.fraud)")
    assert "not_fired: non_acceptance.fraud fired, expected it not to fire" in (failure.text or "")
    misspelt = cases["misspelt key"].find("error")
    assert misspelt is not None and "invalid.yaml:3:15: error[bad-value]" in misspelt.get("message", "")
    assert all(c.find("failure") is None and c.find("error") is None for c in suites["mini"].iter("testcase"))
    assert {c.get("classname") for c in suites["mini"].iter("testcase")} == {"mini.application", "mini.conduct"}


def test_junit_reports_a_pack_that_does_not_load_as_an_error(capsys):
    code, out, err = run(capsys, "test", PACKS / "broken", "--format", "junit")
    assert code == 3 and "error[unknown-fact]" in err
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    assert suite.find("testcase/error").get("type") == "pack-error"  # type: ignore[union-attr]


def test_json_shape(capsys):
    code, out, _ = run(capsys, "test", MINI_FAILING, "-k", "not invalid", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["selection"] == "not invalid" and data["min_coverage"] is None
    (pack,) = data["packs"]
    # invalid.yaml's one scenario ("misspelt key") is deselected by its file name
    assert (pack["pack"], pack["loaded"], pack["passed"], pack["failed"], pack["deselected"]) == ("mini_failing", True, 1, 3, 1)
    assert "coverage" not in pack  # only with --coverage
    wrong = next(s for s in pack["scenarios"] if s["name"] == "every expectation wrong")
    assert set(wrong) == {"name", "file", "line", "column", "question", "passed", "problems", "problems_zh", "diagnostics"}
    assert "not_fired: non_acceptance.fraud fired, expected it not to fire" in wrong["problems"]
    assert "not_fired：non_acceptance.fraud 触发了，应不触发" in wrong["problems_zh"]
    assert (wrong["line"], wrong["column"], wrong["question"], wrong["passed"]) == (12, 5, "application", False)
    bad = next(s for s in pack["scenarios"] if s["name"] == "bad case data")
    assert bad["diagnostics"][0]["code"] == "type-mismatch" and bad["diagnostics"][0]["line"] == 44
    assert data["total"] == {"passed": 1, "failed": 3, "packs_not_loaded": 0, "packs_below_min_coverage": 0}


# --- rule coverage ----------------------------------------------------------------------------
EXTRA = """\
scenarios:
  - name: 150 beds without a department -> conditions not met
    question: application
    as_of: 2030-10-08
    reading: 第六条第（三）项：100张床位以上的医疗机构应设内部医保管理部门
    case:
      institution: {type: clinic, beds: 150, has_insurance_department: false}
      history: {fraudulent_application_found_on: []}
    expect:
      outcome: conditions_not_met
      fired: [eligibility.insurance_department]

  - name: no breach -> no measures
    question: conduct
    as_of: 2030-06-01
    reading: 第三十八条 applies only where a breach of the agreement is found
    case:
      conduct: {breached_agreement: false}
    expect:
      outcome: no_measures
      not_fired: [measures.breach]

  - name: wrong on purpose, fraud confirmed -> continue
    question: agreement
    as_of: 2030-06-01
    reading: 第四十三条第（三）项 says rescind; this scenario expects continue so that it fails
    case:
      conduct: {insurance_fraud_confirmed: true}
    expect:
      outcome: continue
"""


@pytest.fixture
def covered_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack)
    (pack / "tests" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return pack


# By hand, over mini's seven rules, counting passing scenarios only:
# - non_acceptance.fraud: fired (fraud 2 years ago), not fired (120 beds; 50 beds, fraud 4 years ago) -> covered
# - time_limit.materials_notice: computed (materials received 2030-09-27), not applying (120 beds, 50 beds,
#   150 beds: no materials_received_on) -> covered
# - eligibility.insurance_department: fired (150 beds, no department), not fired (50 beds) -> covered
# - measures.breach: fired (breach), not fired (no breach) -> covered
# - rescission.repeated_suspension: fired (suspended twice), never seen not firing -> not covered
# - rescission.insurance_fraud: not fired (suspended twice); fired only in the failing scenario -> not covered
# - suspension.data_not_provided: not fired (suspended twice), never fired -> not covered
# 4 / 7 = 57.142...% -> shown 57.1
def test_coverage_figures_of_a_known_scenario_set(covered_pack):
    from dingdian_rules.analysis.scenario_coverage import rule_coverage
    import dingdian_rules as dr
    pack = dr.load_pack(covered_pack)
    cov = rule_coverage(pack, run_scenarios(pack))
    assert (cov.covered, cov.total, cov.percent, cov.scenarios) == (4, 7, 57.1, 7)
    assert sorted(cov.never_fired) == ["rescission.insurance_fraud", "suspension.data_not_provided"]
    assert cov.never_not_fired == ["rescission.repeated_suspension"]


def test_coverage_in_text_json_and_junit(capsys, covered_pack):
    code, out, _ = run(capsys, "test", covered_pack, "--coverage", "-k", "not wrong")
    assert code == 0
    lines = out.splitlines()
    assert f"{covered_pack} 规则覆盖率：4/7（57.1%），计入通过的场景 7 个" in lines
    assert "  从未见到不触发：rescission.repeated_suspension" in lines
    never = next(line for line in lines if line.startswith("  从未触发："))
    assert set(never.split("：")[1].split(", ")) == {"rescission.insurance_fraud", "suspension.data_not_provided"}

    code, out, _ = run(capsys, "test", covered_pack, "--coverage", "--format", "json", "-k", "not wrong")
    cov = json.loads(out)["packs"][0]["coverage"]
    assert (cov["rules"], cov["covered"], cov["percent"], cov["scenarios_counted"]) == (7, 4, 57.1, 7)
    by_rule = {r["id"]: r for r in cov["by_rule"]}
    assert by_rule["measures.breach"] == {"id": "measures.breach", "kind": "measures", "fired": 1, "not_fired": 1,
                                          "covered": True}

    code, out, _ = run(capsys, "test", covered_pack, "--coverage", "--format", "junit", "-k", "not wrong")
    props = {p.get("name"): p.get("value") for p in ET.fromstring(out).iter("property")}
    assert props["rule_coverage.percent"] == "57.1" and props["rule_coverage.covered"] == "4"
    assert props["rule_coverage.never_not_fired"] == "rescission.repeated_suspension"


@pytest.mark.parametrize("minimum,code", [("57", 0), ("57.1", 0), ("57.2", 1), ("100", 1), ("0", 0)])
def test_min_coverage_exit_code(capsys, covered_pack, minimum, code):
    # the exact ratio is 57.142...%: 57.1 is reached, 57.2 is not
    got, out, _ = run(capsys, "test", covered_pack, "-k", "not wrong", "--min-coverage", minimum, "--lang", "en")
    assert got == code
    assert (f"rule coverage 57.1% is below --min-coverage {minimum}%" in out) == (code == 1)


def test_min_coverage_fails_a_junit_testcase(capsys, covered_pack):
    code, out, _ = run(capsys, "test", covered_pack, "-k", "not wrong", "--min-coverage", "90", "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    case = suite.find("testcase[@classname='mini.coverage']")  # type: ignore[union-attr]
    assert case is not None and case.get("name") == "rule coverage >= 90%"
    assert case.find("failure").get("type") == "coverage-below-minimum"  # type: ignore[union-attr]
    assert suite.get("failures") == "1" and suite.get("tests") == "8"  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["-1", "101", "many"])
def test_min_coverage_is_a_percentage(capsys, value):
    code, _, err = run(capsys, "test", MINI, "--min-coverage", value)
    assert code == 2 and "--min-coverage" in err


def test_failing_scenarios_add_no_coverage(covered_pack):
    # with the failing scenario run, insurance_fraud is still never seen firing
    from dingdian_rules.analysis.scenario_coverage import rule_coverage
    import dingdian_rules as dr
    pack = dr.load_pack(covered_pack)
    cov = rule_coverage(pack, run_scenarios(pack))
    assert "rescission.insurance_fraud" in cov.never_fired


# --- Chinese by default -----------------------------------------------------------------------
def test_text_is_chinese_by_default(capsys):
    code, out, _ = run(capsys, "test", MINI_FAILING, MINI)
    assert code == 1
    lines = out.splitlines()
    assert f"{MINI_FAILING}：通过 1，失败 4" in lines and f"{MINI}：通过 5，失败 0" in lines
    assert lines[-1] == "合计：通过 6，失败 4"
    # the fixture expects conditions_met where non_acceptance.fraud fires, and expects that rule not to fire
    assert any(line.endswith("wrong.yaml:12:5: 失败 every expectation wrong: 结果：应为 conditions_met，实为 not_accepted"
                             "（触发：non_acceptance.fraud）") for line in lines)
    assert any(line.endswith("失败 every expectation wrong: not_fired：non_acceptance.fraud 触发了，应不触发") for line in lines)
    assert not any(word in out for word in (" passed", " failed", "FAIL ", "total:"))
    compared = [line for line in lines if "error[" not in line]  # diagnostics keep the error model's wording
    assert not any(word in line for line in compared for word in ("expected", " got "))


def test_chinese_verbose_and_broken(capsys):
    code, out, _ = run(capsys, "test", PACKS / "broken", MINI, "-v")
    assert code == 3
    assert f"{PACKS / 'broken'}：未能加载（3 个错误）" in out
    assert out.count(": 通过 ") == 5 and "合计：通过 5，失败 0，1 个规则包未能加载" in out


# --- base: ------------------------------------------------------------------------------------
def test_merge_semantics():
    base = {"institution": {"type": "clinic", "beds": 150, "people": [{"role": "principal"}]},
            "history": {"found": ["2029-06-01"]}}
    over = {"institution": {"beds": 50, "people": [], "type": None}, "history": {"found": ["2020-01-01"]},
            "conduct": {"x": True}}
    assert merge_case(base, over) == {"institution": {"beds": 50, "people": []},  # key by key; null removes
                                      "history": {"found": ["2020-01-01"]},     # a list replaces, never appends
                                      "conduct": {"x": True}}
    assert base["institution"]["beds"] == 150  # the base is not changed
    assert merge_case(base, {}) == base


BASED = """\
base:
  case:
    institution: {type: clinic, beds: 150, has_insurance_department: true}
    history: {fraudulent_application_found_on: [2029-06-01]}
scenarios:
  - name: the base itself -> not accepted
    question: application
    as_of: 2030-10-08
    reading: 第十二条第（四）项：2029-06-01 is within 3 years
    expect: {outcome: not_accepted, fired: [non_acceptance.fraud]}
  - name: older fraud replaces the list -> conditions met
    question: application
    as_of: 2030-10-08
    reading: 第十二条第（四）项：2020-01-01 is more than 3 years ago; 第六条第（三）项 the department exists
    case:
      history: {fraudulent_application_found_on: [2020-01-01]}
    expect: {outcome: conditions_met, not_fired: [non_acceptance.fraud, eligibility.insurance_department]}
  - name: one fact changed, beds kept from the base -> conditions not met
    question: application
    as_of: 2030-10-08
    reading: 第六条第（三）项：150 beds need a department
    case:
      institution: {has_insurance_department: false}
      history: {fraudulent_application_found_on: []}
    expect: {outcome: conditions_not_met, fired: [eligibility.insurance_department]}
  - name: null makes the fact unknown -> undetermined
    question: application
    as_of: 2030-10-08
    reading: 第六条第（三）项：150 beds, whether a department exists is not given
    case:
      institution: {has_insurance_department: null}
      history: {fraudulent_application_found_on: []}
    expect: {outcome: undetermined, missing: [institution.has_insurance_department]}
"""


def _pack_with(tmp_path: Path, text: str) -> Path:
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack, ignore=shutil.ignore_patterns("tests"))
    (pack / "tests").mkdir()
    (pack / "tests" / "based.yaml").write_text(text, encoding="utf-8")
    return pack


def test_base_merge_runs_as_documented(capsys, tmp_path):
    pack = _pack_with(tmp_path, BASED)
    results = run_scenarios(pack)
    assert [(r.name, r.passed) for r in results] == [
        ("the base itself -> not accepted", True), ("older fraud replaces the list -> conditions met", True),
        ("one fact changed, beds kept from the base -> conditions not met", True),
        ("null makes the fact unknown -> undetermined", True)], [r.problems for r in results]
    code, out, _ = run(capsys, "test", pack)
    assert code == 0 and f"{pack}：通过 4，失败 0" in out


def test_a_bad_fact_in_the_base_is_located_in_the_base(capsys, tmp_path):
    pack = _pack_with(tmp_path, BASED.replace("beds: 150", "beds: many"))
    cases, broken = load_scenario_file(pack / "tests" / "based.yaml")
    assert cases == [] and len(broken) == 1
    (result,) = broken
    assert result.name == "based.yaml base" and not result.passed
    (d,) = result.diagnostics
    third = BASED.replace("beds: 150", "beds: many").splitlines()[2]  # "    institution: {type: clinic, beds: many, ...}"
    column = third.index("many") + 1
    assert (d.code, d.location.line, d.location.column, d.path) == ("type-mismatch", 3, column, "base.case.institution.beds")
    code, out, err = run(capsys, "validate", pack)
    assert code == 1 and f"based.yaml:3:{column}: error[type-mismatch]" in out + err


def test_a_bad_fact_in_a_scenario_is_located_in_the_scenario(tmp_path):
    text = BASED.replace("      institution: {has_insurance_department: false}",
                         "      institution: {has_insurance_department: nope}")
    pack = _pack_with(tmp_path, text)
    cases, broken = load_scenario_file(pack / "tests" / "based.yaml")
    assert len(cases) == 4 and broken == []  # the case's facts are checked when the scenario runs
    results = {r.name: r for r in run_scenarios(pack)}
    bad = results["one fact changed, beds kept from the base -> conditions not met"]
    written = "      institution: {has_insurance_department: nope}"
    line, column = text.splitlines().index(written) + 1, written.index("nope") + 1
    assert not bad.passed and (bad.diagnostics[0].location.line, bad.diagnostics[0].location.column) == (line, column)
    assert sum(r.passed for r in results.values()) == 3  # the others still run


def test_a_merged_error_in_a_base_value_points_at_the_base(tmp_path):
    # a value the scenario did not write is located at the base's line (MergedLocations), one it
    # wrote at its own
    from dingdian_rules.analysis.scenario_base import merged_doc
    from dingdian_rules.reading.yaml_reader import load_yaml_file
    pack = _pack_with(tmp_path, BASED)
    doc, _ = load_yaml_file(pack / "tests" / "based.yaml")
    view = merged_doc(doc, 2, doc.data["scenarios"][2], doc.data["base"]["case"])
    assert view.locate(("scenarios", 2, "case", "institution", "beds")).line == 3  # from the base
    own = BASED.splitlines().index("      institution: {has_insurance_department: false}") + 1
    assert view.locate(("scenarios", 2, "case", "institution", "has_insurance_department")).line == own  # its own
    assert view.data["scenarios"][2]["case"]["institution"] == {"type": "clinic", "beds": 150,
                                                                 "has_insurance_department": False}


def test_national_files_use_a_base_and_keep_their_scenarios():
    # the two files that repeated the complete case now state it once; every scenario still runs
    for name, count in (("application.yaml", 60), ("agreement.yaml", 50)):
        path = ROOT / "rulepacks" / "national" / "tests" / name
        assert path.read_text(encoding="utf-8").count("\nbase:\n") == 1
        cases, broken = load_scenario_file(path)
        assert broken == [] and len(cases) == count


def test_nantong_copies_stay_equal_to_their_jiangsu_scenarios():
    # rulepacks/jiangsu_nantong/tests/from_jiangsu_*.yaml copy Jiangsu scenarios (Nantong forwards
    # Jiangsu unchanged) so that the Nantong pack's rules are covered; a copy must not drift
    copies = sorted((ROOT / "rulepacks" / "jiangsu_nantong" / "tests").glob("from_jiangsu_*.yaml"))
    assert copies
    for copy in copies:
        original = ROOT / "rulepacks" / "jiangsu" / "tests" / copy.name.removeprefix("from_jiangsu_")
        theirs = {c.name: c.scenario for c in load_scenario_file(original)[0]}
        ours, broken = load_scenario_file(copy)
        assert broken == [] and ours, copy
        for item in ours:
            assert item.scenario == theirs.get(item.name), f"{copy.name}: {item.name}"


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_every_bundled_pack_keeps_full_rule_coverage(pack_id: str) -> None:
    """Issue 14's bar, held: each rule of every bundled pack is seen fired by a passing scenario
    and seen not fired by another, so a new rule without scenarios fails here, naming it."""
    from dingdian_rules.analysis.scenario_coverage import rule_coverage
    pack = dr.load_pack(pack_id)
    results = run_scenarios(pack)
    assert all(r.passed for r in results)
    coverage = rule_coverage(pack, results)
    assert (coverage.never_fired, coverage.never_not_fired) == ([], []) and coverage.meets(100)
