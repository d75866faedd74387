"""Schema and YAML errors in the project's words: no pydantic sentence reaches the user, and the
usual slips of an analyst typing with a Chinese input method get a hint of their own."""

from __future__ import annotations

import pydantic
import pytest

from dingdian_rules.analysis.coverage import CoverageFile
from dingdian_rules.facts.models import Case
from dingdian_rules.packs.rule_schema import RuleFile
from dingdian_rules.packs.scenario_schema import ScenarioFile
from dingdian_rules.packs.schema import PackMeta
from dingdian_rules.reading.pydantic_errors import pydantic_diagnostics
from dingdian_rules.reading.yaml_reader import load_yaml

# pydantic's sentences start like this; none may reach a message or a hint
PYDANTIC_WORDS = ("should", "Input ", "String ", "List ", "Value error", "Field required", "Extra inputs")


def diagnose(model: type[pydantic.BaseModel], text: str):
    doc, diags = load_yaml(text, "t.yaml")
    assert doc is not None, diags
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(doc.data)
    return pydantic_diagnostics(info.value, model, doc)


def only(model: type[pydantic.BaseModel], text: str):
    diags = diagnose(model, text)
    assert len(diags) == 1, [d.format() for d in diags]
    return diags[0]


CITE = "{document: d, article: 1, quote: 原文}"
RULE = f"rules:\n  - {{id: a.b, kind: eligibility, title: {{zh: 甲, en: a}}, citation: {CITE}, modality: shall, requires: x}}\n"


@pytest.mark.parametrize("model, text, message, hint", [
    (RuleFile, RULE.replace("quote: 原文", 'quote: ""'), "quote is empty", "copy the words of the source text"),
    (RuleFile, RULE.replace("quote: 原文", "quote: 原"), "quote '原' is too short (at least 2 characters)",
     "copy the words"),
    (RuleFile, RULE.replace("zh: 甲", "zh: ''"), "title.zh is empty", "write the text"),
    (RuleFile, RULE.replace("article: 1", "article: 0"), "article must be 1 or more, got 0", "numbered from 1"),
    (RuleFile, RULE.replace("modality: shall", "modality: shall, tier: 0"), "tier must be 1 or more, got 0",
     "numbered from 1"),
    (RuleFile, RULE.replace("id: a.b", "id: Non-Acceptance.Fraud"), "'Non-Acceptance.Fraud' is not a valid rule id",
     "did you mean 'non_acceptance.fraud'?"),
    (RuleFile, "parameters:\n  - {id: Fraud Bar, title: {zh: 甲, en: a}, value: 3, unit: years, citation: " + CITE + "}\n",
     "'Fraud Bar' is not a valid id", "did you mean 'fraud_bar'?"),
    (RuleFile, "overrides:\n  - {id: a.b, changes: ab, citation: " + CITE + "}\n",
     "changes 'ab' is too short (at least 3 characters)", "say what the child's text changes"),
    (RuleFile, "item_lists:\n  - {id: l, document: d, article: 1, items: []}\n", "items needs at least 1 entry, got 0",
     "add an entry"),
    (CoverageFile, "documents:\n  d:\n    articles:\n      - {article: 1, class: scope, reason: \"a\\nb\"}\n",
     "'a\\nb' must be one line", "remove the line breaks"),
    (Case, "institution: {beds: -1}\n", "beds must be 0 or more, got -1", "cannot be negative"),
])
def test_constraints_are_said_in_the_projects_words(model, text, message, hint):
    d = only(model, text)
    assert d.code == "invalid-value"
    assert d.message == message
    assert hint in d.hint
    assert not any(w in d.message or w in d.hint for w in PYDANTIC_WORDS), d.format()


@pytest.mark.parametrize("value, hint", [
    ("是", "write true for '是'"), ("否", "write false for '否'"), ("maybe", "write true or false")])
def test_chinese_yes_no_for_a_boolean_gets_a_hint(value, hint):
    text = f"institution: {{is_public: {value}}}\n"
    d = only(Case, text)
    assert (d.code, d.location.line, d.location.column) == ("type-mismatch", 1, text.index(value) + 1)
    assert hint in d.hint


def test_a_date_written_the_chinese_way_gets_the_iso_form():
    d = only(Case, "institution: {operating_since: 2024年1月5日}\n")
    assert d.code == "bad-date" and d.hint == "write dates as YYYY-MM-DD: 2024-01-05"


def test_a_number_with_full_width_digits_or_a_unit_gets_a_hint():
    d = only(Case, "institution: {beds: １２０张}\n")
    assert d.code == "type-mismatch" and d.hint == "write the number alone, in ASCII digits: 120"


def test_a_misspelt_discriminator_tag_is_bad_value_with_a_did_you_mean():
    from dingdian_rules.supervisor.event_models import Event
    adapter = pydantic.TypeAdapter(list[Event])
    doc, _ = load_yaml("- {type: suspension_startd, institution_id: a, on: 2025-01-01}\n", "e.yaml")
    with pytest.raises(pydantic.ValidationError) as info:
        adapter.validate_python(doc.data)
    model = pydantic.create_model("Events", events=(list[Event], ...))
    diags = pydantic_diagnostics(info.value, model, doc)
    assert [(d.code, d.path, d.hint) for d in diags] == [
        ("bad-value", "[0].type", "did you mean 'suspension_started'?")]
    assert not any(w in diags[0].message for w in PYDANTIC_WORDS)


def test_missing_field_hint_shows_what_the_value_looks_like():
    d = only(RuleFile, RULE.replace(f", citation: {CITE}", ""))
    assert d.code == "missing-field" and d.hint.startswith("add `citation: {document:")


def test_no_pydantic_sentence_in_any_diagnostic_of_a_file_full_of_mistakes():
    text = """\
rules:
  - {id: Bad, kind: eligibility, title: {zh: '', en: ''}, citation: {document: d, article: 0, item: -1, quote: ''},
     modality: shal, tier: 0, outcome: rescindd, questions: [app], in_principle: 是, requires: 3}
item_lists:
  - {id: l, document: d, article: 1, items: []}
overrides:
  - {id: x, changes: '', citation: {document: d, article: 1, quote: q}}
"""
    diags = diagnose(RuleFile, text)
    assert len(diags) >= 12
    for d in diags:
        assert not any(w in d.message or w in d.hint for w in PYDANTIC_WORDS), d.format()
        assert d.hint, d.format()


# ---- YAML: a key with a full-width colon -------------------------------------------------------

@pytest.mark.parametrize("text, line, column, key", [
    ("rules:\n  - id: x\n    title： {zh: 标题, en: Title}\n    kind: eligibility\n", 3, 10, "title"),
    ("rules:\n  - id: x\n    title：标题\n    kind: eligibility\n", 3, 10, "title"),
    ("id： x\nname: {zh: a, en: b}\n", 1, 3, "id"),
    ("id: x\nname： y\n", 2, 5, "name"),
    ("case：\n  institution: {type: clinic}\n", 1, 5, "case"),
])
def test_a_full_width_colon_after_a_key_is_reported_at_the_colon(text, line, column, key):
    doc, diags = load_yaml(text, "t.yaml")
    assert doc is None
    (d,) = diags
    assert (d.code, d.location.line, d.location.column) == ("yaml-syntax", line, column)
    assert "full-width colon" in d.message
    assert d.hint == f"write `{key}:` with an ASCII colon followed by a space"


def test_a_full_width_colon_inside_a_value_is_not_blamed():
    doc, diags = load_yaml("quote: 医疗机构：a: b\n", "t.yaml")
    assert doc is None and "full-width" not in diags[0].message


def test_a_value_that_swallowed_a_full_width_key_line_gets_a_hint():
    d = only(RuleFile, "rules:\n  - id: a.b\n    kind: eligibility\n    modality: shall\n      note：读法\n"
             f"    title: {{zh: 甲, en: a}}\n    citation: {CITE}\n    requires: x\n")
    assert d.code == "bad-value" and "'note：' has a full-width colon" in d.hint


def test_a_key_indented_with_a_full_width_space_gets_a_hint():
    d = only(ScenarioFile, "scenarios: []\n\u3000note: x\n")
    assert d.code == "unknown-field" and "full-width space" in d.hint


def test_pack_meta_errors_too():
    d = only(PackMeta, "id: Bad-Id\nname: {zh: 甲, en: a}\nlevel: city\n")
    assert d.message == "'Bad-Id' is not a valid id" and "did you mean 'bad_id'?" in d.hint
