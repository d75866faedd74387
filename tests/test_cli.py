"""The ``dingdian-rules`` command: every verb, every exit code, JSON that parses, golden output.

Golden files live in tests/golden/. After an intended change of the rendering, regenerate them
with ``UPDATE_GOLDEN=1 pytest tests/test_cli.py`` and review the diff before committing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dingdian_rules.cli import main
from dingdian_rules.evaluation.decision_schema import DecisionModel
from decision_ids import DECIDED_AT, UUID7

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "cli"
PACKS = FIX / "packs"
CASES = FIX / "cases"
GOLDEN = HERE / "golden"
MINI = str(PACKS / "mini")
MINI_FAILING = str(PACKS / "mini_failing")
BROKEN = str(PACKS / "broken")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# What a golden file cannot pin: the decision id is new for every decision, and the fingerprint
# covers the installed chinesecalendar and tyme4py versions. Both are masked here and checked on
# their own (test_text_output_names_the_fingerprint_and_a_fresh_decision_id, tests/test_records.py).
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


def mask(text: str) -> str:
    return FINGERPRINT.sub("sha256:<fingerprint>", UUID7.sub("<decision-id>", text))


def check_golden(name: str, text: str) -> None:
    text = mask(text)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}; create it with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"output differs from {path}; if intended, regenerate with UPDATE_GOLDEN=1"


# --- help and usage (exit 0 / 2) ------------------------------------------------------------
def test_help_lists_verbs_and_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for verb in ("validate", "evaluate", "explain", "resolve", "schema", "test", "coverage", "diff", "replay", "verify"):
        assert verb in out
    assert "exit codes:" in out and "3  a pack failed to load" in out


@pytest.mark.parametrize("verb", ["validate", "evaluate", "explain", "resolve", "schema", "test", "coverage", "diff",
                                  "replay", "verify"])
def test_each_verb_has_help_with_an_example(capsys, verb):
    code, out, _ = run(capsys, verb, "--help")
    assert code == 0
    assert "examples:" in out and f"dingdian-rules {verb}" in out
    assert "exit codes:" in out


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["evaluate", str(CASES / "application.yaml")],  # --pack missing
    ["evaluate", "--pack", MINI, "--as-of", "2025-13-01", str(CASES / "application.yaml")],
    ["evaluate", "--pack", MINI, "--question", "applicaton", str(CASES / "application.yaml")],
    ["schema", "rule_file"],
    ["resolve", MINI, "--format", "yaml"],
])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err
    assert "Traceback" not in err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("dingdian-rules ")


# --- validate -------------------------------------------------------------------------------
def test_validate_clean_pack(capsys):
    code, out, _ = run(capsys, "validate", MINI)
    assert code == 0
    assert out.strip().endswith("mini: ok (7 rules, 7 parameters, 2 scenario files)")


@pytest.fixture
def warnings_only(tmp_path) -> Path:
    """mini_failing (one unused parameter) beside its parent, without its failing scenario files."""
    import shutil
    shutil.copytree(PACKS / "mini", tmp_path / "mini")
    shutil.copytree(PACKS / "mini_failing", tmp_path / "mini_failing", ignore=shutil.ignore_patterns("tests"))
    return tmp_path / "mini_failing"


def test_validate_warnings_allowed(capsys, warnings_only):
    code, out, _ = run(capsys, "validate", str(warnings_only))
    assert code == 0
    assert "extra.yaml:3:9: warning[unused-parameter]: parameter 'spare_period' is not used by any rule" in out
    assert "  hint: reference it as $spare_period" in out
    assert "mini_failing: ok (7 rules, 8 parameters, 1 warning)" in out


def test_validate_strict_fails_on_warnings(capsys, warnings_only):
    code, out, _ = run(capsys, "validate", "--strict", str(warnings_only))
    assert code == 1
    assert "warning[unused-parameter]" in out
    code, _, _ = run(capsys, "validate", "--strict", MINI)
    assert code == 0


def test_validate_checks_scenario_files(capsys):
    code, out, _ = run(capsys, "validate", MINI_FAILING)
    assert code == 1
    assert "invalid.yaml:3:15: error[bad-value]: 'aplication' is not an allowed value (at scenarios[0].question)" in out
    assert ("wrong.yaml:22:77: error[unknown-rule]: 'non_acceptance.frau' is not a rule of pack mini_failing "
            "(at scenarios[1].expect.fired[2])") in out
    assert "hint: did you mean 'non_acceptance.fraud'?" in out
    assert "wrong.yaml:44:27: error[type-mismatch]: expected an integer, got 'many' (at scenarios[3].case.institution.beds)" in out
    assert "mini_failing: 4 errors, 1 warning" in out


def test_validate_lists_every_error(capsys):
    code, out, _ = run(capsys, "validate", BROKEN, MINI)
    assert code == 1
    assert "rules.yaml:11:70: error[quote-not-in-source]" in out
    assert "rules.yaml:21:15: error[unknown-fact]: unknown fact 'institution.bed'" in out
    assert "hint: did you mean 'beds'?" in out
    assert "rules.yaml:28:82: error[unknown-parameter]" in out
    assert "(at rules[1].requires)" in out
    assert "broken: 3 errors, 0 warnings" in out
    assert "mini: ok" in out  # the other pack is still checked


def test_validate_json(capsys):
    code, out, _ = run(capsys, "validate", "--format", "json", BROKEN)
    assert code == 1
    data = json.loads(out)
    assert [d["code"] for d in data] == ["quote-not-in-source", "unknown-fact", "unknown-parameter"]
    assert set(data[0]) == {"code", "severity", "message", "file", "line", "column", "path", "hint"}
    assert data[1]["line"] == 21 and data[1]["column"] == 15


def test_validate_unknown_pack(capsys):
    code, out, _ = run(capsys, "validate", "nationl")
    assert code == 3  # as evaluate: the pack is not there to validate
    assert "error[pack-not-found]" in out and "hint: did you mean 'national'?" in out
    assert out.strip().endswith("nationl: not found")


def test_validate_defaults_to_bundled_packs(capsys, monkeypatch):
    import dingdian_rules.cli.validate as verb
    monkeypatch.setattr(verb, "bundled_pack_ids", lambda: [MINI])
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "mini: ok" in out


def test_validate_folder_given_as_dot(capsys, monkeypatch, warnings_only):
    monkeypatch.chdir(warnings_only)
    code, out, _ = run(capsys, "validate", ".")
    assert code == 0
    assert "pack-id-folder" not in out  # the folder is resolved, so its name is known
    assert ".: ok" in out


# --- evaluate / explain: golden output ------------------------------------------------------
APPLICATION = str(CASES / "application.yaml")


@pytest.mark.parametrize("verb,fmt,golden", [
    ("evaluate", "text", "evaluate_application.txt"),
    ("evaluate", "md", "evaluate_application.md"),
    ("explain", "text", "explain_application.txt"),
    ("explain", "md", "explain_application.md"),
])
def test_golden(capsys, verb, fmt, golden):
    code, out, err = run(capsys, verb, "--pack", MINI, APPLICATION, "--format", fmt)
    assert code == 0, err
    check_golden(golden, out)


def test_evaluate_text_content(capsys):
    code, out, _ = run(capsys, "evaluate", "--pack", MINI, APPLICATION)
    assert code == 0
    assert "结论：不予受理  [not_accepted]" in out
    assert "non_acceptance.fraud" in out and "规范：不得" in out
    assert "测试令第1号 第十二条第（四）项" in out  # the officer cites the document by its 文号
    assert "届满日：2030-10-10" in out
    assert "指纹：sha256:" in out
    assert "== 期限" not in out  # the file asks one question


def test_text_output_names_the_fingerprint_and_a_fresh_decision_id(capsys):
    from dingdian_rules import load_pack
    ids = []
    for _ in range(2):
        code, out, _ = run(capsys, "evaluate", "--pack", MINI, APPLICATION)
        assert code == 0
        assert f"指纹：{load_pack(MINI).fingerprint}" in out
        (line,) = [x for x in out.splitlines() if x.startswith("决定编号：")]
        assert UUID7.fullmatch(line.removeprefix("决定编号：")), line
        ids.append(line)
    assert ids[0] != ids[1]


def test_flags_override_the_case_file(capsys):
    code, out, _ = run(capsys, "evaluate", "--pack", MINI, APPLICATION, "--as-of", "2031-03-02",
                       "--question", "deadlines", "--format", "json")
    assert code == 0
    (decision,) = json.loads(out)["decisions"]
    assert decision["question"] == "deadlines" and decision["as_of"] == "2031-03-02"


def test_evaluate_all_questions_without_question(capsys):
    code, out, _ = run(capsys, "evaluate", "--pack", MINI, str(CASES / "conduct.json"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["question"] for d in data["decisions"]] == ["agreement", "conduct", "deadlines"]
    conduct = data["decisions"][1]
    assert conduct["outcome"] == "measures_available"
    damages = next(m for m in conduct["measures"] if m["measure_id"] == "liquidated_damages")
    assert damages["base_amount"] == 12500.5 and damages["max_amount"] == 2500.1
    assert "trace" not in conduct["rules"][0]  # evaluate: no traces; explain carries them


def test_evaluate_undetermined_names_missing_facts(capsys):
    code, out, _ = run(capsys, "evaluate", "--pack", MINI, str(CASES / "undetermined.yaml"), "--as-of", "2030-10-08")
    assert code == 0
    assert "结论：无法确定（缺少事实）  [undetermined]" in out
    assert "缺少的事实：" in out
    assert "  - 床位数（institution.beds）（规则 eligibility.insurance_department）" in out


def test_json_is_stable_and_valid(capsys):
    outs = []
    for _ in range(2):
        code, out, _ = run(capsys, "explain", "--pack", MINI, str(CASES / "conduct.json"), "--format", "json")
        assert code == 0
        outs.append(out)
    # the same text but for each decision's own id and time
    assert DECIDED_AT.sub("<time>", UUID7.sub("<id>", outs[0])) == DECIDED_AT.sub("<time>", UUID7.sub("<id>", outs[1]))
    ids = [d["record"]["decision_id"] for o in outs for d in json.loads(o)["decisions"]]
    assert len(set(ids)) == len(ids) == 6 and all(UUID7.fullmatch(i) for i in ids)
    data = json.loads(outs[0])
    assert list(data) == ["decisions"]
    for d in data["decisions"]:
        DecisionModel.model_validate_json(json.dumps(d))
        assert list(d)[:3] == ["schema_version", "question", "outcome"]
    assert "trace" in data["decisions"][0]["rules"][0]


def test_explain_traces_fact_lists(capsys, tmp_path):
    # list-of-record facts (agreement.suspensions) appear in traces; JSON must still serialize them
    case = tmp_path / "case.yaml"
    case.write_text("agreement:\n  term_start: 2030-01-01\n  suspensions:\n"
                    "    - {started_on: 2030-02-01}\n    - {started_on: 2030-04-01}\n", encoding="utf-8")
    code, out, _ = run(capsys, "explain", "--pack", MINI, str(case), "-q", "agreement", "--as-of", "2030-06-01")
    assert code == 0
    assert "[已触发] rescission.repeated_suspension" in out
    assert "agreement.suspensions = [{started_on: 2030-02-01}, {started_on: 2030-04-01}]" in out
    assert "（事实 agreement.suspensions[].started_on）" in out
    code, out, _ = run(capsys, "explain", "--pack", MINI, str(case), "-q", "agreement", "--as-of", "2030-06-01",
                       "-f", "json")
    assert code == 0
    rule = json.loads(out)["decisions"][0]["rules"][0]
    assert rule["trace"]["children"][0]["children"][0]["value"] == [{"started_on": "2030-02-01"},
                                                                    {"started_on": "2030-04-01"}]


# --- exit 3: pack did not load --------------------------------------------------------------
@pytest.mark.parametrize("verb", [["evaluate", "--pack"], ["explain", "--pack"]])
def test_broken_pack_exit_3(capsys, verb):
    code, out, err = run(capsys, *verb, BROKEN, APPLICATION)
    assert code == 3
    assert out == ""
    assert err.count("error[") == 3
    assert f"error: pack '{BROKEN}' did not load" in err
    assert "Traceback" not in err


def test_resolve_broken_and_unknown_pack_exit_3(capsys):
    assert run(capsys, "resolve", BROKEN)[0] == 3
    code, _, err = run(capsys, "resolve", "nationl")
    assert code == 3
    assert "error[pack-not-found]" in err and "did you mean 'national'?" in err


# --- exit 4: bad case file ------------------------------------------------------------------
def test_malformed_case_exit_4(capsys):
    code, out, err = run(capsys, "evaluate", "--pack", MINI, str(CASES / "malformed.yaml"))
    assert code == 4
    assert out == ""
    assert "malformed.yaml:3:9: error[type-mismatch]: expected an integer, got 'many' (at institution.beds)" in err
    assert "malformed.yaml:5:3: error[unknown-field]: unknown field 'materials_recieved_on'" in err
    assert "did you mean 'materials_received_on'?" in err


def test_bad_question_in_case_file_exit_4(capsys):
    code, _, err = run(capsys, "evaluate", "--pack", MINI, str(CASES / "bad_question.yaml"))
    assert code == 4
    assert "bad_question.yaml:1:11: error[bad-value]: 'applicaton' is not a question (at question)" in err
    assert "did you mean 'application'?" in err


def test_bad_as_of_in_case_file_exit_4(capsys, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("as_of: 2030-02-30\ncase: {institution: {beds: 3}}\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--pack", MINI, str(case))
    assert code == 4
    assert "case.yaml:1:8: error[bad-value]: not a valid date: '2030-02-30' (at as_of)" in err


@pytest.mark.parametrize("text,expected", [
    ("institution: [1, 2]\n", "error[type-mismatch]"),
    ("- just\n- a list\n", "error[not-a-mapping]"),
    ("institution: {type: clinic\n", "error[yaml-syntax]"),
    ("", "error[empty-file]"),
])
def test_unreadable_cases_exit_4(capsys, tmp_path, text, expected):
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--pack", MINI, str(case))
    assert code == 4
    assert expected in err and "Traceback" not in err


def test_missing_case_file_exit_4(capsys, tmp_path):
    code, _, err = run(capsys, "evaluate", "--pack", MINI, str(tmp_path / "nope.yaml"))
    assert code == 4
    assert "error[file-unreadable]" in err


# --- resolve --------------------------------------------------------------------------------
def test_resolve_text_shows_chain_and_provenance(capsys):
    code, out, _ = run(capsys, "resolve", MINI_FAILING)
    assert code == 0
    assert "继承链：mini → mini_failing" in out
    assert "指纹：sha256:" in out
    assert "fraud_bar = 3年" in out
    assert "来历：设立于 mini（test_measures 第十二条第（四）项）" in out
    assert "来历：原样继承于 mini_failing" in out
    assert "规则：不予受理（non_acceptance）（1）：" in out
    assert "措施：liquidated_damages 支付违约金；金额基数 conduct.loss_amount，比例 0%–20%" in out


def test_resolve_json_and_md(capsys, tmp_path):
    code, out, _ = run(capsys, "resolve", MINI, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "mini" and data["chain"] == ["mini"]
    assert {p["id"] for p in data["parameters"]} >= {"fraud_bar", "notice_period"}
    assert data["rules"][0]["citation"]["label"].startswith("《测试用定点管理办法》")
    target = tmp_path / "mini.md"
    code, out, _ = run(capsys, "resolve", MINI, "--format", "md", "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("# 规则包 `mini`")


# --- schema ---------------------------------------------------------------------------------
def test_schema_all(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["pack", "rules", "case", "scenario", "decision"]
    assert all(data[k]["$schema"] == "https://json-schema.org/draft/2020-12/schema" for k in data)
    assert data["decision"]["$defs"]["Decision"]["properties"]["schema_version"]["const"] == 6
    assert "institution" in data["case"]["$defs"]["Case"]["properties"]
    assert "rules" in data["rules"]["properties"] and "scenarios" in data["scenario"]["properties"]


@pytest.mark.parametrize("kind,key", [("case", "$defs"), ("decision", "$defs"), ("pack", "properties"),
                                      ("rules", "properties"), ("scenario", "properties")])
def test_schema_kind_to_file(capsys, tmp_path, kind, key):
    target = tmp_path / f"{kind}.json"
    code, out, _ = run(capsys, "schema", kind, "--output", str(target))
    assert code == 0 and out == ""
    assert key in json.loads(target.read_text(encoding="utf-8"))


def test_schema_output_into_missing_folder(capsys, tmp_path):
    code, _, err = run(capsys, "schema", "case", "--output", str(tmp_path / "no" / "such.json"))
    assert code == 2
    assert "error:" in err and "Traceback" not in err


# --- test -----------------------------------------------------------------------------------
def test_test_verb_passing(capsys):
    code, out, _ = run(capsys, "test", MINI, "--verbose", "--lang", "en")
    assert code == 0
    assert out.count(": ok: ") == 5
    assert out.strip().splitlines()[-2:] == [f"{MINI}: 5 passed, 0 failed", "total: 5 passed, 0 failed"]


def test_test_verb_failing(capsys):
    code, out, _ = run(capsys, "test", MINI_FAILING, MINI, "--lang", "en")
    assert code == 1
    lines = out.splitlines()
    assert any(line.endswith("wrong.yaml:12:5: FAIL every expectation wrong: outcome: expected conditions_met, "
                             "got not_accepted (fired: non_acceptance.fraud)") for line in lines)
    assert any("invalid.yaml:3:15: FAIL misspelt key: error[bad-value]" in line for line in lines)
    assert f"{MINI_FAILING}: 1 passed, 4 failed" in lines
    assert "total: 6 passed, 4 failed" in lines


def test_test_verb_broken_pack_exit_3(capsys):
    code, out, err = run(capsys, "test", BROKEN, MINI, "--lang", "en")
    assert code == 3
    assert f"{BROKEN}: did not load (3 errors)" in out
    assert "error[unknown-fact]" in err
    assert f"{MINI}: 5 passed, 0 failed" in out  # the other pack still ran


def test_test_verb_defaults_to_bundled(capsys, monkeypatch):
    import dingdian_rules.cli.test as verb
    monkeypatch.setattr(verb, "bundled_pack_ids", lambda: [MINI])
    code, out, _ = run(capsys, "test", "--lang", "en")
    assert code == 0 and "total: 5 passed, 0 failed" in out
