"""Load-time inheritance over the fixture chain base -> child -> grandchild.

``child`` (tests/fixtures/packs/child) overrides ``eligibility.insurance_department`` (50 beds
instead of 100, citing its own art. 5), repeals ``non_acceptance.non_basic_scope`` (art. 8),
overrides the parameter ``fraud_bar`` (2 years instead of 3, art. 3) and adds
``materials.staff_roster`` (art. 7). ``grandchild`` changes nothing.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from dingdian_rules import evaluate, load_pack

FIX = Path(__file__).parent / "fixtures" / "packs"


@pytest.fixture(scope="module")
def base():
    return load_pack(FIX / "base")


@pytest.fixture(scope="module")
def child():
    return load_pack(FIX / "child")


@pytest.fixture(scope="module")
def grandchild():
    return load_pack(FIX / "grandchild")


def test_chain_is_root_first(base, child, grandchild):
    assert base.chain == ("base",)
    assert child.chain == ("base", "child")
    assert grandchild.chain == ("base", "child", "grandchild")
    assert (child.id, child.level, grandchild.level) == ("child", "city", "agreement")
    assert child.warnings == () and grandchild.warnings == ()


# ---- overrides -------------------------------------------------------------------------------

def test_override_replaces_only_the_named_fields_and_cites_the_child(base, child):
    old, new = base.rule("eligibility.insurance_department"), child.rule("eligibility.insurance_department")
    assert new.requires == "institution.beds < $child_department_beds or institution.has_insurance_department"
    assert old.requires == "institution.beds < $department_beds or institution.has_insurance_department"
    for name in ("kind", "title", "modality", "in_principle", "outcome", "questions", "note", "when",
                 "applies_when", "tier"):
        assert getattr(new, name) == getattr(old, name), name
    assert (new.citation.document, new.citation.article) == ("test_city_rules", 5)
    assert new.citation.quote == "床位数在50张以上的医疗机构应设内部医保管理部门"
    assert (old.citation.document, old.citation.article, old.citation.item) == ("nhsa_order_2", 6, 3)
    assert new.defined_in == "base"


def test_loading_a_child_leaves_the_parent_untouched():
    parent = load_pack(FIX / "base")
    load_pack(FIX / "child")
    rule = parent.rule("eligibility.insurance_department")
    assert "$department_beds" in rule.requires and rule.citation.document == "nhsa_order_2"
    assert parent.parameters["fraud_bar"].value == 3
    assert [p.describe() for p in rule.provenance] == ["defined in base (nhsa_order_2 art. 6 item 3)"]


def test_provenance_of_an_overridden_rule(child, grandchild):
    steps = [p.describe() for p in child.rule("eligibility.insurance_department").provenance]
    assert steps == [
        "defined in base (nhsa_order_2 art. 6 item 3)",
        "overridden by child (test_city_rules art. 5): the department is required from 50 beds, not 100",
    ]
    steps = [p.describe() for p in grandchild.rule("eligibility.insurance_department").provenance]
    assert steps[-1] == "inherited unchanged by grandchild" and len(steps) == 3


def test_provenance_of_untouched_and_new_rules(child, grandchild):
    assert [p.describe() for p in child.rule("non_acceptance.fraudulent_application").provenance] == [
        "defined in base (nhsa_order_2 art. 12 item 4)", "inherited unchanged by child"]
    assert [p.describe() for p in grandchild.rule("non_acceptance.fraudulent_application").provenance] == [
        "defined in base (nhsa_order_2 art. 12 item 4)", "inherited unchanged by child",
        "inherited unchanged by grandchild"]
    assert [p.describe() for p in child.rule("materials.staff_roster").provenance] == [
        "defined in child (test_city_rules art. 7)"]
    assert [p.describe() for p in grandchild.rule("materials.staff_roster").provenance] == [
        "defined in child (test_city_rules art. 7)", "inherited unchanged by grandchild"]


def test_every_inherited_rule_records_every_later_pack(base, grandchild):
    for rule in grandchild.rules:
        packs = [p.pack for p in rule.provenance]
        assert packs[0] in ("base", "child")
        assert packs[-1] == "grandchild"
        assert packs == sorted(packs, key=grandchild.chain.index)


def test_parameter_override_value_citation_and_provenance(child, grandchild):
    p = child.parameters["fraud_bar"]
    assert (p.value, p.unit) == (2, "years")
    assert (p.citation.document, p.citation.article) == ("test_city_rules", 3)
    assert [s.describe() for s in p.provenance] == [
        "defined in base (nhsa_order_2 art. 12 item 4)",
        "overridden by child (test_city_rules art. 3): the city bars a fraudulent applicant for 2 years, not 3"]
    assert [s.describe() for s in grandchild.parameters["fraud_bar"].provenance][-1] == \
        "inherited unchanged by grandchild"
    assert [s.describe() for s in child.parameters["min_operation"].provenance] == [
        "defined in base (nhsa_order_2 art. 6 item 1)", "inherited unchanged by child"]
    assert child.parameters["child_department_beds"].value == 50


def test_child_adds_a_rule(base, child):
    assert "materials.staff_roster" in {r.id for r in child.rules}
    assert "materials.staff_roster" not in {r.id for r in base.rules}
    assert len(child.rules) == len(base.rules) - 1 + 1  # one repealed, one added


# ---- repeals ---------------------------------------------------------------------------------

def test_repealed_rule_is_gone_and_listed_with_its_reason(base, child, grandchild):
    rid = "non_acceptance.non_basic_scope"
    assert rid in {r.id for r in base.rules} and base.repealed == ()
    for pack in (child, grandchild):
        assert rid not in {r.id for r in pack.rules}
        with pytest.raises(KeyError):
            pack.rule(rid)
        [rep] = pack.repealed
        assert (rep.id, rep.pack) == (rid, "child")
        assert rep.reason == "the city sends these institutions to a separate measure (art. 8)"
        assert (rep.citation.document, rep.citation.article) == ("test_city_rules", 8)
        assert rep.provenance[-1].describe() == ("repealed by child (test_city_rules art. 8): the city sends these "
                                                 "institutions to a separate measure (art. 8)")


def test_repealed_rule_is_not_a_candidate_any_more(base, child):
    case = {"institution": {"main_scope_non_basic": True}}
    on = date(2025, 6, 1)
    assert "non_acceptance.non_basic_scope" in evaluate(base, case, "application", as_of=on).fired
    decision = evaluate(child, case, "application", as_of=on)
    assert "non_acceptance.non_basic_scope" not in {r.id for r in decision.rules}
    assert decision.fired == () and decision.outcome == "undetermined"  # the rest is unknown


# ---- parameter overrides change results --------------------------------------------------------

GOOD_APPLICANT = {
    "institution": {"type": "general_hospital", "main_scope_non_basic": False, "operating_since": "2020-01-01",
                    "beds": 30, "has_insurance_department": False},
    "application": {"materials": ["application_form", "staff_roster"]},
    "history": {"fraudulent_application_found_on": ["2023-03-01"]},
}


def _param_node(trace, text):
    if trace.text == text:
        return trace
    for kid in trace.children:
        found = _param_node(kid, text)
        if found is not None:
            return found
    return None


def test_parameter_override_changes_the_outcome(base, child):
    # Fraud found on 2023-03-01. A 3-year bar (base) runs to 2026-03-01; a 2-year bar (child) to
    # 2025-03-01 (Civil Code art. 201-202), so on 2025-06-01 only the base bar still applies.
    on = date(2025, 6, 1)
    under_base = evaluate(base, GOOD_APPLICANT, "application", as_of=on)
    under_child = evaluate(child, GOOD_APPLICANT, "application", as_of=on)
    assert under_base.outcome == "not_accepted"
    assert "non_acceptance.fraudulent_application" in under_base.fired
    assert under_child.outcome == "conditions_met"
    assert "non_acceptance.fraudulent_application" not in under_child.fired
    # The reason is the changed number: the trace shows the bar each pack used.
    for decision, bar in ((under_base, (3, "years")), (under_child, (2, "years"))):
        result = next(r for r in decision.rules if r.id == "non_acceptance.fraudulent_application")
        node = _param_node(result.trace, "$fraud_bar")
        assert node is not None and node.value == bar


@pytest.mark.parametrize("on, fired", [(date(2025, 3, 1), True), (date(2025, 3, 2), False)])
def test_child_bar_boundary(child, on, fired):
    # The anniversary day is still inside the bar; the day after is not (docs/time.md).
    decision = evaluate(child, GOOD_APPLICANT, "application", as_of=on)
    assert ("non_acceptance.fraudulent_application" in decision.fired) is fired


def test_rule_override_changes_the_outcome(base, child):
    case = {**GOOD_APPLICANT, "history": {"fraudulent_application_found_on": []},
            "institution": {**GOOD_APPLICANT["institution"], "beds": 60}}
    on = date(2025, 6, 1)
    assert evaluate(base, case, "application", as_of=on).outcome == "conditions_met"  # 60 < 100
    decision = evaluate(child, case, "application", as_of=on)  # 60 >= 50 and no department
    assert decision.outcome == "conditions_not_met"
    assert decision.fired == ("eligibility.insurance_department",)


# ---- fingerprint -----------------------------------------------------------------------------

def test_fingerprint_is_stable(tmp_path, base):
    again = load_pack(FIX / "base")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", base.fingerprint)
    assert again.fingerprint == base.fingerprint
    shutil.copytree(FIX / "base", tmp_path / "base")
    assert load_pack(tmp_path / "base").fingerprint == base.fingerprint  # content, not location


def test_fingerprint_changes_with_a_parameter_value(tmp_path, base):
    shutil.copytree(FIX / "base", tmp_path / "base")
    params = tmp_path / "base" / "rules" / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    assert text.count("    value: 3\n    unit: years") == 1
    params.write_text(text.replace("    value: 3\n    unit: years", "    value: 4\n    unit: years\n    derivation: a test edit"),
                      encoding="utf-8")
    edited = load_pack(tmp_path / "base")
    assert edited.parameters["fraud_bar"].value == 4
    assert edited.fingerprint != base.fingerprint


def test_fingerprint_differs_along_the_chain(base, child, grandchild):
    assert len({base.fingerprint, child.fingerprint, grandchild.fingerprint}) == 3


def test_decision_carries_the_chain_and_fingerprint(child):
    decision = evaluate(child, GOOD_APPLICANT, "application", as_of=date(2025, 6, 1))
    assert decision.pack_chain == ("base", "child")
    assert decision.pack_fingerprint == child.fingerprint
    d = decision.to_dict()
    assert d["pack"] == {"id": "child", "chain": ["base", "child"], "fingerprint": child.fingerprint}
    rule = next(r for r in d["rules"] if r["id"] == "eligibility.insurance_department")
    assert rule["provenance"][1].startswith("overridden by child (test_city_rules art. 5)")
