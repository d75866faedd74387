"""The editor schemas (`dingdian-rules schema KIND`) accept every bundled file as written and reject
an analyst's usual slips with an error that points at the slip (issue 14 item 3).

Validation runs as an editor without a format checker does: Draft202012Validator, no
``format_checker``, so a date must be caught by its pattern.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest

jsonschema = pytest.importorskip("jsonschema")
from jsonschema import Draft202012Validator  # noqa: E402
from jsonschema.exceptions import best_match  # noqa: E402

from dingdian_rules.analysis.schemas import KINDS, SCHEMA_IDS, fact_paths, schemas  # noqa: E402
from dingdian_rules.cli import main  # noqa: E402
from dingdian_rules.evaluation.decision_schema import SCHEMA_VERSION  # noqa: E402
from dingdian_rules.facts.models import Case  # noqa: E402
from dingdian_rules.packs.plans import QUESTIONS  # noqa: E402
from dingdian_rules.packs.schema import (MEASURE_NAMES, QUESTION_OUTCOMES, RULE_OUTCOMES,  # noqa: E402
                                         DecisionWarningCode, RuleKind)
from dingdian_rules.reading.yaml_reader import load_yaml, load_yaml_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PACKS = ROOT / "rulepacks"
EXAMPLES = ROOT / "examples"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _read(path: Path) -> Any:
    doc, diags = load_yaml_file(path)
    assert doc is not None, diags
    return doc.data


def _text(text: str) -> Any:
    doc, diags = load_yaml(text, "t.yaml")
    assert doc is not None, diags
    return doc.data


_VALIDATORS: dict[str, Draft202012Validator] = {}


def validator(kind: str) -> Draft202012Validator:
    if kind not in _VALIDATORS:
        _VALIDATORS[kind] = Draft202012Validator(schemas(kind))  # no format checker: as an editor may be
    return _VALIDATORS[kind]


def errors(kind: str, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(kind).iter_errors(data)]


def bundled() -> list[tuple[str, Path]]:
    files = [("pack", p) for p in sorted(PACKS.glob("*/pack.yaml"))]
    files += [("rules", p) for p in sorted(PACKS.glob("*/rules/*.yaml"))]
    files += [("scenario", p) for p in sorted(PACKS.glob("*/tests/*.yaml"))]
    files += [("case", p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    return files


# --- each schema stands alone ------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_one_valid_2020_12_schema_with_its_own_id(kind: str) -> None:
    schema = schemas(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == (SCHEMA_IDS[kind] if kind != "decision" else f"urn:dingdian-rules:decision:{SCHEMA_VERSION}")
    assert CJK.search(schema["description"])
    assert schemas(kind) == schema  # stable: the same text every time


def test_schema_without_a_kind_is_every_kind_under_its_name() -> None:
    every = schemas()
    assert list(every) == list(KINDS) == ["pack", "rules", "case", "scenario", "decision"]
    assert {every[k]["$id"] for k in KINDS} == {schemas(k)["$id"] for k in KINDS} and len(set(
        every[k]["$id"] for k in KINDS)) == 5


def test_kinds_listed_files_exist() -> None:
    kinds = {k for k, _ in bundled()}
    assert kinds == {"pack", "rules", "scenario", "case"}
    assert len(bundled()) > 40


# --- every bundled file validates as written -----------------------------------------------------

@pytest.mark.parametrize("kind,path", bundled(), ids=lambda x: str(x.relative_to(ROOT)) if isinstance(x, Path) else x)
def test_every_bundled_file_validates_as_written(kind: str, path: Path) -> None:
    assert errors(kind, _read(path)) == []


def test_a_bare_case_validates_like_the_case_file_form() -> None:
    data = _read(EXAMPLES / "application_clinic.yaml")
    assert errors("case", data["case"]) == []
    assert errors("case", {"case": data["case"]}) == []


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_decisions_of_every_example_validate(capsys: pytest.CaptureFixture[str], example: str) -> None:
    printed = _cli_json(capsys, "evaluate", "--pack", "national", "--format", "json", str(EXAMPLES / example))
    assert list(printed) == ["decisions"] and printed["decisions"]
    assert errors("decision", printed) == []  # the wrapper, as evaluate prints it
    for one in printed["decisions"]:
        assert errors("decision", one) == []  # one decision, as a batch line holds it
    traced = _cli_json(capsys, "explain", "--pack", "national", "--format", "json", str(EXAMPLES / example))
    assert errors("decision", traced) == []


def test_a_decision_with_a_wrong_outcome_or_extra_key_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    printed = _cli_json(capsys, "evaluate", "--pack", "national", "--format", "json",
                        str(EXAMPLES / "application_clinic.yaml"))
    printed["decisions"][0]["outcome"] = "rescindd"
    e = best_match(validator("decision").iter_errors(printed))
    assert list(e.absolute_path) == ["decisions", 0, "outcome"] and "'rescindd' is not one of" in e.message
    printed["decisions"][0]["outcome"] = "conditions_met"
    printed["extra"] = 1
    assert "'extra' was unexpected" in best_match(validator("decision").iter_errors(printed)).message


# --- an analyst's slips are rejected where they stand ------------------------------------------

SCENARIO = (PACKS / "national" / "tests" / "application.yaml").read_text(encoding="utf-8")
EXAMPLE = (EXAMPLES / "application_clinic.yaml").read_text(encoding="utf-8")
RULES = (PACKS / "national" / "rules" / "agreement.yaml").read_text(encoding="utf-8")
PACK = (PACKS / "national" / "pack.yaml").read_text(encoding="utf-8")


def _first_rule(text: str, field: str) -> int:
    return next(i for i, r in enumerate(_text(text)["rules"]) if field in r)


def slip(kind: str, data: Any) -> jsonschema.ValidationError:
    e = best_match(validator(kind).iter_errors(data))
    assert e is not None, "the slip was accepted"
    return e


def test_misspelt_expected_outcome_in_a_scenario() -> None:
    data = _text(SCENARIO)
    data["scenarios"][0]["expect"]["outcome"] = "conditons_met"
    e = slip("scenario", data)
    assert list(e.absolute_path) == ["scenarios", 0, "expect", "outcome"]
    assert "'conditons_met' is not one of" in e.message and "'conditions_met'" in e.message


def test_an_outcome_of_another_question_in_a_scenario() -> None:
    data = _text(SCENARIO)
    assert data["scenarios"][0]["question"] == "application"
    data["scenarios"][0]["expect"]["outcome"] = "suspend"  # an agreement outcome, not an application one
    e = slip("scenario", data)
    assert list(e.absolute_path) == ["scenarios", 0, "expect", "outcome"]
    assert "'suspend' is not one of" in e.message and "'conditions_met'" in e.message and "'rescind'" not in e.message


def test_misspelt_fact_in_a_scenario_case() -> None:
    data = _text(SCENARIO)
    data["scenarios"][0]["case"] = {"institution": {"type": "clinic", "bedz": 3}}
    e = slip("scenario", data)
    assert list(e.absolute_path) == ["scenarios", 0, "case", "institution"]
    assert "'bedz' was unexpected" in e.message


def test_misspelt_missing_fact_in_a_scenario() -> None:
    data = _text(SCENARIO)
    data["scenarios"][0]["expect"]["missing"] = ["institution.bedz"]
    e = slip("scenario", data)
    assert list(e.absolute_path) == ["scenarios", 0, "expect", "missing", 0]
    assert "'institution.beds'" in e.message


def test_misspelt_enum_value_in_a_case_file() -> None:
    data = _text(EXAMPLE)
    data["case"]["institution"]["type"] = "clinc"
    e = slip("case", data)
    assert list(e.absolute_path) == ["case", "institution", "type"]
    assert "'clinc' is not one of" in e.message and "'clinic'" in e.message


def test_a_number_written_as_text_in_a_case_is_named_by_its_type() -> None:
    data = _text(EXAMPLE)
    data["case"]["institution"]["beds"] = "many"
    e = slip("case", data)
    assert list(e.absolute_path) == ["case", "institution", "beds"]
    assert e.message == "'many' is not of type 'integer', 'null'"


@pytest.mark.parametrize("kind,text,where", [
    ("case", EXAMPLE, ["as_of"]),
    ("case", EXAMPLE, ["case", "institution", "operating_since"]),
    ("scenario", SCENARIO, ["scenarios", 0, "as_of"]),
    ("pack", PACK, ["sources", 0, "issued"]),
])
def test_a_date_written_with_slashes_is_caught_without_a_format_checker(kind: str, text: str, where: list) -> None:
    data = _text(text)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = "2024/11/01"
    e = slip(kind, data)
    assert list(e.absolute_path) == where
    assert "'2024/11/01' does not match" in e.message


def test_a_case_date_time_without_a_zone_is_accepted_and_a_wrong_one_is_not() -> None:
    # conduct.upload_fault_cleared_at is a date-time, written in Beijing time without a zone
    for written in ("2025-06-01T08:30", "2025-06-01 08:30", "2025-06-01T08:30:15"):
        assert errors("case", {"conduct": {"upload_fault_cleared_at": written}}) == []
    for written in ("2025-06-01T08:30:00+08:00", "2025-06-01", "2025/06/01 08:30"):
        e = slip("case", {"conduct": {"upload_fault_cleared_at": written}})
        assert list(e.absolute_path) == ["conduct", "upload_fault_cleared_at"] and "does not match" in e.message


def test_misspelt_modality_in_a_rule() -> None:
    data = _text(RULES)
    data["rules"][0]["modality"] = "shal"
    e = slip("rules", data)
    assert list(e.absolute_path) == ["rules", 0, "modality"]
    assert "'shal' is not one of" in e.message and "'shall'" in e.message


def test_unknown_measure_in_a_rule() -> None:
    text = (PACKS / "national" / "rules" / "measures.yaml").read_text(encoding="utf-8")
    data = _text(text)
    i = _first_rule(text, "measures")
    data["rules"][i]["measures"][0]["id"] = "fine_everyone"
    e = slip("rules", data)
    assert list(e.absolute_path) == ["rules", i, "measures", 0, "id"]
    assert "'fine_everyone' is not one of" in e.message and "'interview'" in e.message


def test_misspelt_outcome_in_a_rule() -> None:
    data = _text(RULES)
    data["rules"][0]["outcome"] = "rescindd"
    e = slip("rules", data)
    assert list(e.absolute_path) == ["rules", 0, "outcome"]
    assert "'rescindd' is not one of" in e.message


def test_an_outcome_that_does_not_suit_the_rule_kind() -> None:
    data = _text(RULES)
    rule = data["rules"][0]
    assert rule["kind"] == "suspension"
    rule["outcome"] = "rescind"  # a real outcome, of rescission rules (docs/pack-format.md)
    e = slip("rules", data)
    assert list(e.absolute_path) == ["rules", 0, "outcome"]
    assert "'rescind' is not one of ['suspend', None]" == e.message
    rule["kind"], rule["outcome"] = "time_limit", "suspend"  # a time limit has no outcome
    assert list(slip("rules", data).absolute_path) == ["rules", 0, "outcome"]


def test_misspelt_rule_kind() -> None:
    data = _text(RULES)
    data["rules"][0]["kind"] = "suspensoin"
    e = slip("rules", data)
    assert list(e.absolute_path) == ["rules", 0, "kind"] and "'suspension'" in e.message


@pytest.mark.parametrize("kind,text", [("pack", PACK), ("rules", RULES), ("case", EXAMPLE), ("scenario", SCENARIO)])
def test_unknown_top_level_key(kind: str, text: str) -> None:
    data = _text(text)
    data["rulez"] = []
    e = slip(kind, data)
    assert e.absolute_path == type(e.absolute_path)() and "'rulez' was unexpected" in e.message


def test_unknown_key_in_a_bare_case() -> None:
    data = _text(EXAMPLE)["case"]
    data["institutoin"] = {}
    assert "'institutoin' was unexpected" in slip("case", data).message


# --- the vocabularies are the code's own --------------------------------------------------------

def _collect(node: Any, key: str) -> list[Any]:
    out = []
    if isinstance(node, dict):
        if key in node:
            out.append(node[key])
        for v in node.values():
            out += _collect(v, key)
    elif isinstance(node, list):
        for v in node:
            out += _collect(v, key)
    return out


def test_fact_paths_are_those_the_testing_strategies_and_decisions_use() -> None:
    pytest.importorskip("hypothesis")
    from dingdian_rules.testing import leaf_fact_paths
    assert fact_paths() == leaf_fact_paths()
    assert "institution.beds" in fact_paths() and "agreement.suspensions[].ended_on" in fact_paths()


def test_enums_are_read_from_the_code() -> None:
    rules, scenario = schemas("rules")["$defs"], schemas("scenario")["$defs"]
    assert rules["Rule"]["properties"]["kind"]["enum"] == list(typing.get_args(RuleKind))
    assert set(rules["Measure"]["properties"]["id"]["enum"]) == set(MEASURE_NAMES)
    outcomes = {o for v in RULE_OUTCOMES.values() for o in v}
    assert set(rules["Rule"]["properties"]["outcome"]["enum"]) == outcomes | {None}
    per_kind = {b["if"]["properties"]["kind"]["const"]: b["then"]["properties"]["outcome"]
                for b in rules["Rule"]["allOf"]}
    assert per_kind["rescission"] == {"enum": ["rescind", None]} and per_kind["time_limit"] == {"type": "null"}
    assert set(per_kind) == set(typing.get_args(RuleKind))
    expect = scenario["Expectation"]["properties"]
    assert set(expect["outcome"]["enum"]) == {o for v in QUESTION_OUTCOMES.values() for o in v}
    assert expect["warnings"]["items"]["enum"] == list(typing.get_args(DecisionWarningCode))
    assert expect["missing"]["items"]["enum"] == fact_paths()
    assert scenario["Scenario"]["properties"]["question"]["enum"] == list(QUESTIONS)
    assert scenario["Scenario"]["properties"]["case"]["$ref"] == "#/$defs/Case"
    assert schemas("case")["$defs"]["CaseFile"]["properties"]["question"]["enum"] == [*QUESTIONS, None]


def test_no_optional_scalar_hides_its_error_behind_anyof_null() -> None:
    for kind in KINDS:
        for options in _collect(schemas(kind), "anyOf"):
            if {"type": "null"} in options and len(options) == 2:
                other = next(o for o in options if o != {"type": "null"})
                assert "$ref" in other, (kind, options)


def test_every_date_has_a_pattern() -> None:
    for kind in KINDS:
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("format") == "date":
                    assert node.get("pattern") == r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" or "\\d{4}" in node.get("pattern", ""), kind
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(schemas(kind))


# --- what a person reads in the editor ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pack", "rules", "scenario"])
def test_every_field_a_person_edits_has_a_chinese_description(kind: str) -> None:
    schema = schemas(kind)
    case_defs = set(schemas("case")["$defs"])
    lacking = []
    for name, definition in [("(root)", schema), *schema["$defs"].items()]:
        if kind == "scenario" and name in case_defs:
            continue  # the fact models carry their own titles and descriptions
        for field, prop in definition.get("properties", {}).items():
            if not CJK.search(prop.get("description", "")):
                lacking.append(f"{name}.{field}")
    assert lacking == []


def test_the_chinese_descriptions_of_closed_vocabularies_name_every_value() -> None:
    rules, scenario, pack = schemas("rules")["$defs"], schemas("scenario")["$defs"], schemas("pack")
    for prop in (rules["Rule"]["properties"]["kind"], rules["Rule"]["properties"]["modality"],
                 rules["Parameter"]["properties"]["unit"], scenario["Scenario"]["properties"]["question"],
                 scenario["Expectation"]["properties"]["deadline_status"], pack["properties"]["level"],
                 rules["Rule"]["properties"]["questions"], schemas("case")["$defs"]["CaseFile"]["properties"]["question"]):
        values = prop.get("enum") or prop.get("items", {}).get("enum") or prop["additionalProperties"]["enum"]
        zh = prop["description"].split("\n\n")[0]
        assert [v for v in values if v is not None and v not in zh] == [], zh


def test_case_schema_carries_the_fact_models_titles_and_descriptions() -> None:
    import dingdian_rules.facts as facts
    defs = schemas("case")["$defs"]
    # facts imports its names on first use, so walk its public names, not its (growing) namespace.
    public = [getattr(facts, name) for name in facts.__all__]
    models = [m for m in public if isinstance(m, type) and issubclass(m, facts.FactModel)
              and m is not facts.FactModel]
    assert Case in models and len(models) >= 15
    for model in models:
        props = defs[model.__name__]["properties"]
        for name, info in model.model_fields.items():
            if info.description:
                assert props[name]["description"] == info.description, name
            if info.title:
                assert props[name]["title"] == info.title, name
    for field, prop in defs["CaseFile"]["properties"].items():
        assert CJK.search(prop["description"]), field


# --- the verb and the service ----------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_schema_verb_writes_each_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.schema.json"
    assert main(["schema", kind, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text(encoding="utf-8")) == schemas(kind)


def test_schema_help_promises_only_the_exit_codes_it_can_return(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--help"]) == 0
    out = capsys.readouterr().out
    assert "failing scenarios" not in out and "validation errors" not in out
    assert "  0  success" in out and "  2  usage error" in out and "  1  " not in out and "  3  " not in out
    for kind in KINDS:
        assert kind in out
