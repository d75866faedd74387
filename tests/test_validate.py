"""``validate`` checks a pack, its coverage file and its scenario files in one run, each mistake
with file:line:col; ``--strict`` fails on warnings; a pack that is not found exits 3."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from dingdian_rules.cli import main
from dingdian_rules.analysis.validation import check_scenario_file, validate_pack

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "cli" / "packs" / "mini"
EVERY_LAYER = HERE / "fixtures" / "packs" / "every-layer"
UNKNOWN_RULE = HERE / "fixtures" / "packs" / "unknown-rule"


def at(path: Path, line_text: str, token: str) -> tuple[int, int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    (hit,) = [i for i, text in enumerate(lines) if line_text in text]
    return hit + 1, lines[hit].index(token) + 1


def located(diags) -> set[tuple[str, str, int, int]]:
    return {(d.code, Path(d.location.file).name, d.location.line, d.location.column)
            for d in diags if d.severity == "error"}


@pytest.fixture
def mini(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    return tmp_path / "mini"


COVERAGE = """\
documents:
  test_measures:
    articles:
      - {article: 12, class: principl, reason: "a misspelt class"}
      - {article: 99, class: scope, reason: "an article the text does not have"}
"""


def test_coverage_file_mistakes_are_reported_with_their_place(mini):
    path = mini / "coverage.yaml"
    path.write_text(COVERAGE, encoding="utf-8")
    v = validate_pack(mini)
    assert located(v.diagnostics) == {("bad-value", "coverage.yaml", *at(path, "principl", "principl"))}
    assert next(d.hint for d in v.errors) == "did you mean 'principle'?"
    path.write_text(COVERAGE.replace("principl", "principle"), encoding="utf-8")
    v = validate_pack(mini)
    assert located(v.diagnostics) == {("unknown-article", "coverage.yaml", *at(path, "article: 99", "99"))}


def test_a_pack_that_does_not_load_still_has_its_coverage_and_scenario_files_checked(mini):
    (mini / "coverage.yaml").write_text(COVERAGE, encoding="utf-8")
    rules = mini / "rules" / "application.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("institution.beds", "institution.bedz", 1),
                     encoding="utf-8")
    scenarios = mini / "tests" / "application.yaml"
    scenarios.write_text(scenarios.read_text(encoding="utf-8").replace("beds: 120}", "bedz: 120}", 1),
                         encoding="utf-8")
    v = validate_pack(mini)
    assert v.pack is None
    got = {(code, file) for code, file, _, _ in located(v.diagnostics)}
    assert got == {("unknown-fact", "application.yaml"), ("bad-value", "coverage.yaml"),
                   ("unknown-field", "application.yaml")}
    unknown_field = next(d for d in v.errors if d.code == "unknown-field")
    assert (unknown_field.location.line, unknown_field.location.column) == at(scenarios, "bedz: 120", "bedz")
    assert unknown_field.path == "scenarios[0].case.institution.bedz"
    assert unknown_field.hint == "did you mean 'beds'?"


SCENARIOS = """\
scenarios:
  - name: a good scenario
    question: application
    as_of: 2030-10-08
    reading: 第十二条第（四）项
    case: {institution: {type: clinic, is_public: 是}}
    expect: {outcome: undetermined, not_fired: [non_acceptance.fraud], cited: {non_acceptance.frud: x}}
  - name: a broken scenario
    question: application
    as_off: 2030-10-08
    reading: 第六条
    case: {}
    expect: {outcome: conditons_met}
"""


def test_every_mistake_of_a_scenario_file(mini):
    path = mini / "tests" / "more.yaml"
    path.write_text(SCENARIOS, encoding="utf-8")
    v = validate_pack(mini)
    assert located(v.diagnostics) == {
        ("type-mismatch", "more.yaml", *at(path, "is_public: 是", "是")),
        ("unknown-rule", "more.yaml", *at(path, "non_acceptance.frud", "non_acceptance.frud")),
        ("unknown-field", "more.yaml", *at(path, "as_off", "as_off")),
        ("missing-field", "more.yaml", *at(path, "- name: a broken scenario", "name")),
        ("bad-value", "more.yaml", *at(path, "conditons_met", "conditons_met")),
    }
    hints = {d.code: d.hint for d in v.errors}
    assert "write true for '是'" in hints["type-mismatch"]
    assert hints["unknown-rule"] == "did you mean 'non_acceptance.fraud'?"
    assert hints["bad-value"] == "did you mean 'conditions_met'?"


def test_a_scenario_file_with_a_full_width_colon(mini):
    path = mini / "tests" / "broken.yaml"
    path.write_text("scenarios:\n  - name： full-width colon\n", encoding="utf-8")
    (d,) = check_scenario_file(path)  # YAML reads the item as text, not as a mapping
    assert (d.code, d.location.line, d.location.column) == ("type-mismatch", 2, 5)
    assert d.hint == "'name：' has a full-width colon, so YAML read that line as part of this value: " \
                     "write `name:` (ASCII ':' and a space)"
    path.write_text("scenarios:\n  - name： full-width colon\n    question: application\n", encoding="utf-8")
    (d,) = check_scenario_file(path)
    assert (d.code, d.location.line, d.location.column) == ("yaml-syntax", 2, 9)


def test_validate_reports_every_layer_of_the_fixture_in_one_run(capsys):
    code = main(["validate", str(EVERY_LAYER)])
    out = capsys.readouterr().out
    assert code == 1
    for code_ in ("missing-field", "invalid-value", "bad-value", "condition-syntax", "unknown-fact", "type-mismatch",
                  "unknown-value", "quote-not-in-source", "quote-outside-article"):
        assert f"error[{code_}]" in out, code_
    assert out.strip().endswith("every-layer: 10 errors, 1 warning")


def test_json_holds_scenario_and_coverage_diagnostics(capsys, mini):
    (mini / "tests" / "more.yaml").write_text(SCENARIOS, encoding="utf-8")
    (mini / "coverage.yaml").write_text(COVERAGE, encoding="utf-8")
    assert main(["validate", "--format", "json", str(mini)]) == 1
    data = json.loads(capsys.readouterr().out)
    files = {Path(d["file"]).name for d in data if d["severity"] == "error"}
    assert files == {"more.yaml", "coverage.yaml"}


def test_exit_codes(capsys, mini):
    assert main(["validate", str(mini)]) == 0
    assert main(["validate", "--strict", str(mini)]) == 0
    assert main(["validate", str(mini), "no_such_pack"]) == 3  # a pack not found wins over the others
    assert main(["validate", str(EVERY_LAYER), "no_such_pack"]) == 3
    assert main(["validate", str(EVERY_LAYER)]) == 1
    capsys.readouterr()


def test_validate_help_documents_strict_and_exit_3(capsys):
    assert main(["validate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--strict" in out and "3  a pack was not found" in out


def test_bundled_packs_have_no_error_in_any_file():
    from dingdian_rules import bundled_pack_ids
    for pack_id in bundled_pack_ids():
        v = validate_pack(pack_id)
        assert v.errors == [], [d.format() for d in v.errors]


def test_check_scenario_file_without_a_pack_checks_schema_and_cases(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(SCENARIOS), encoding="utf-8")
    codes = sorted(d.code for d in check_scenario_file(path))
    assert codes == ["bad-value", "missing-field", "type-mismatch", "unknown-field"]  # no rule ids without a pack


def test_unknown_rule_fixture():
    path = UNKNOWN_RULE / "tests" / "application.yaml"
    v = validate_pack(UNKNOWN_RULE)
    (d,) = v.errors
    assert (d.code, d.location.line, d.location.column) == ("unknown-rule", *at(path, "fired:", "non_acceptance"))
    assert d.path == "scenarios[0].expect.fired[0]"
    assert d.hint == "did you mean 'non_acceptance.fraudulent_application'?"
