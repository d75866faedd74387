"""One load reports the mistakes of every layer of every file (usability review §1 item 5).

A file that fails the schema is resolved with the entries that passed it: a rule that fails is
left out and the others are still checked. Entries left out that name their id are stood in for,
so references to them raise no second, misleading error; when what was left out is not known by
name (an unreadable file), errors about unknown names are held back. ``load_pack`` still loads all
or nothing.
"""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from dingdian_rules import PackError, check_pack, load_pack

FIX = Path(__file__).parent / "fixtures" / "packs"


def errors(diags):
    return [d for d in diags if d.severity == "error"]


def at(path: Path, line_text: str, token: str, nth: int | None = None) -> tuple[int, int]:
    """1-based (line, column) of ``token`` on the line holding ``line_text`` (the only one, or the ``nth``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, text in enumerate(lines) if line_text in text]
    assert len(hits) == 1 or nth is not None, (line_text, hits)
    hit = hits[nth or 0]
    return hit + 1, lines[hit].index(token) + 1


def located(diags) -> set[tuple[str, str, int, int]]:
    return {(d.code, Path(d.location.file).name, d.location.line, d.location.column) for d in errors(diags)}


# ---- a rule file with a mistake of every layer --------------------------------------------------

def test_a_rule_file_with_mistakes_of_every_layer_reports_all_of_them_in_one_load():
    bad = FIX / "every-layer" / "rules" / "bad.yaml"
    expected = {
        # schema: an empty quote (in the project's words), a missing citation, an unknown outcome
        ("invalid-value", "bad.yaml", *at(bad, 'quote: ""}', '""')),
        ("missing-field", "bad.yaml", *at(bad, "- id: non_acceptance.no_citation", "id:", nth=0)),
        ("bad-value", "bad.yaml", *at(bad, "outcome: rescindd", "rescindd")),
        # condition syntax
        ("condition-syntax", "bad.yaml", *at(bad, "admin_penalty = true", "= true")),
        # an unknown fact
        ("unknown-fact", "bad.yaml", *at(bad, "institution.bed <", "institution.bed")),
        # two type errors in one condition
        ("type-mismatch", "bad.yaml", *at(bad, 'institution.beds == "50"', "institution.beds")),
        ("unknown-value", "bad.yaml", *at(bad, 'institution.beds == "50"', "'clnic'")),
        # citations: a misquote and a quote outside the cited article
        ("quote-not-in-source", "bad.yaml", *at(bad, "quote: 自发现之日起未满5年的", "自发现之日起未满5年的")),
        ("quote-outside-article", "bad.yaml", *at(bad, "article: 21, item: 4", "以弄虚作假")),
        # the override names the rule that failed the schema, defined in the same pack: a mistake of its own
        ("override-own-rule", "bad.yaml", *at(bad, "- id: non_acceptance.no_citation", "non_acceptance", nth=1)),
    }
    diags = check_pack(FIX / "every-layer")
    got = located(diags)
    assert got == expected, sorted(got ^ expected)
    hints = {d.code: d.hint for d in errors(diags)}
    assert hints["bad-value"] == "did you mean 'rescind'?"
    assert "without quotes: 50" in hints["type-mismatch"]
    assert "第12条" in hints["quote-outside-article"]


def test_the_every_layer_fixture_raises_the_same_diagnostics_from_load_pack():
    with pytest.raises(PackError) as info:
        load_pack(FIX / "every-layer")
    assert list(info.value.diagnostics) == check_pack(FIX / "every-layer")


def test_no_diagnostic_is_reported_twice():
    for folder in ("every-layer", "every-layer-meta", "several-mistakes", "several-mistakes-resolve"):
        diags = check_pack(FIX / folder)
        places = Counter((d.code, d.location, d.message) for d in diags)
        assert max(places.values()) == 1, [k for k, n in places.items() if n > 1]


def test_diagnostics_are_ordered_by_line_within_each_file():
    diags = [d for d in check_pack(FIX / "every-layer") if d.location.file.endswith("bad.yaml")]
    assert [(d.location.line, d.location.column) for d in diags] == sorted(
        (d.location.line, d.location.column) for d in diags)


def test_a_pack_yaml_that_fails_the_schema_does_not_stop_the_rule_files_being_resolved():
    folder = FIX / "every-layer-meta"
    meta, bad = folder / "pack.yaml", folder / "rules" / "bad.yaml"
    assert located(check_pack(folder)) == {
        ("bad-value", "pack.yaml", *at(meta, "level: cty", "cty")),
        ("bad-value", "pack.yaml", *at(meta, "status: in_forse", "in_forse")),
        # the source that failed the schema still has its file: its quotes are checked
        ("quote-not-in-source", "bad.yaml", *at(bad, "这句话引用了未能读取的文件", "这句话")),
        ("unknown-fact", "bad.yaml", *at(bad, "has_insurance_departmnt", "institution.has_insurance_departmnt")),
        ("unknown-document", "bad.yaml", *at(bad, "nhsa_ordr_2", "nhsa_ordr_2")),
    }


# ---- what is left out raises no second error ----------------------------------------------------

def make_pack(tmp_path: Path, name: str, files: dict[str, str], *, extends: str = "base", meta: str = "") -> Path:
    """A pack ``name`` in tmp_path beside a copy of ``base`` (and of its other packs)."""
    if not (tmp_path / "base").exists():
        shutil.copytree(FIX / "base", tmp_path / "base")
    folder = tmp_path / name
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(meta or f"id: {name}\nname: {{zh: 子, en: {name}}}\nlevel: city\n"
                                      f"extends: {extends}\n", encoding="utf-8")
    for file, text in files.items():
        (folder / "rules" / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


BROKEN_PARENT = {"x.yaml": """\
    parameters:
      - id: city_beds
        title: {zh: 床位数, en: Beds}
        value: 50
        unit: bedz
        citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
      - id: city_bar
        title: {zh: 期限, en: Bar}
        value: 3
        unit: years
        citation: {document: nhsa_order_2, article: 12, item: 4, quote: 自发现之日起未满3年的, paragraph: 0}
    item_lists:
      - id: city_grounds
        document: nhsa_order_2
        article: 12
        items: []
    rules:
      - id: non_acceptance.city_penalty
        kind: non_acceptance
        title: {zh: 未依法履行行政处罚责任, en: Administrative penalty not fulfilled}
        citation: {document: nhsa_order_2, article: 12, item: 3, quote: 未依法履行行政处罚责任的}
        modality: shal
        when: institution.has_unfulfilled_admin_penalty
        outcome: not_accepted
    """}

CHILD_OF_BROKEN = {"y.yaml": """\
    parameter_overrides:
      - id: city_bar
        value: 2
        citation: {document: nhsa_order_2, article: 12, item: 4, quote: 自发现之日起未满3年的}
    overrides:
      - id: non_acceptance.city_penalty
        changes: the grandchild reads the ground more narrowly
        citation: {document: nhsa_order_2, article: 12, item: 3, quote: 这句话不在原文里}
    restatements:
      - parameter: city_beds
        citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
    rules:
      - id: eligibility.city_department
        kind: eligibility
        title: {zh: 床位, en: Beds}
        citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
        modality: shall
        requires: institution.beds < $city_beds or @city_grounds or institution.has_insurance_departmen
        outcome: conditions_not_met
    """}


def test_references_to_entries_that_failed_the_schema_raise_no_second_error(tmp_path):
    make_pack(tmp_path, "parent", BROKEN_PARENT)
    child = make_pack(tmp_path, "kid", CHILD_OF_BROKEN, extends="parent")
    diags = errors(check_pack(child))
    codes = Counter(d.code for d in diags)
    # parent: `unit: bedz`, `paragraph: 0`, `items: []`, `modality: shal`; child: its misquote and its misspelt fact
    assert codes == Counter({"bad-value": 2, "invalid-value": 2, "quote-not-in-source": 1, "unknown-fact": 1}), \
        [d.format() for d in diags]
    assert not {"override-unknown-rule", "restate-unknown-rule", "override-unknown-parameter", "unknown-parameter",
                "unknown-item-list"} & set(codes)


def test_an_unreadable_rule_file_holds_back_errors_about_unknown_names_only(tmp_path):
    folder = make_pack(tmp_path, "kid", {
        "a.yaml": "parameters:\n\t- id: city_beds\n",  # a tab: not YAML; what it defines is unknown
        "b.yaml": """\
            rules:
              - id: eligibility.city_department
                kind: eligibility
                title: {zh: 床位, en: Beds}
                citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
                modality: shall
                requires: institution.beds < $city_beds or institution.bed > 1 or institution.is_public == 'yes'
                outcome: conditions_not_met
            """})
    got = sorted(d.code for d in errors(check_pack(folder)))
    assert got == ["type-mismatch", "unknown-fact", "yaml-syntax"]  # no unknown-parameter for $city_beds


def test_a_rule_that_fails_without_an_id_holds_back_errors_about_unknown_names(tmp_path):
    folder = make_pack(tmp_path, "kid", {"x.yaml": """\
        rules:
          - kind: non_acceptance
            title: {zh: 未依法履行行政处罚责任, en: no id}
            citation: {document: nhsa_order_2, article: 12, item: 3, quote: 未依法履行行政处罚责任的}
            modality: shall_not
            when: institution.has_unfulfilled_admin_penalty
            outcome: not_accepted
        repeals:
          - id: non_acceptance.perhaps_the_rule_above
            reason: the rule above may have had this id
            citation: {document: nhsa_order_2, article: 12, item: 3, quote: 这句话不在原文里}
        """})
    got = sorted(d.code for d in errors(check_pack(folder)))
    assert got == ["missing-field", "quote-not-in-source"]


def test_an_unknown_top_level_key_holds_back_errors_about_unknown_names(tmp_path):
    folder = make_pack(tmp_path, "kid", {"x.yaml": """\
        parameter:
          - id: city_beds
        rules:
          - id: eligibility.city_department
            kind: eligibility
            title: {zh: 床位, en: Beds}
            citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
            modality: shall
            requires: institution.beds < $city_beds or institution.is_public == 3
            outcome: conditions_not_met
        """})
    diags = errors(check_pack(folder))
    assert sorted(d.code for d in diags) == ["type-mismatch", "unknown-field"]
    assert next(d.hint for d in diags if d.code == "unknown-field") == "did you mean 'parameters'?"


def test_a_pack_yaml_whose_extends_fails_stops_the_chain_but_its_rule_files_are_still_read(tmp_path):
    folder = make_pack(tmp_path, "kid", {"x.yaml": "rules:\n  - id: Bad\n"},
                       meta="id: kid\nname: {zh: 子, en: kid}\nlevel: city\nextends: [base]\n")
    got = sorted({d.code for d in errors(check_pack(folder))})
    assert got == ["invalid-value", "missing-field", "type-mismatch"]


def test_no_unused_parameter_warning_when_a_rule_was_left_out(tmp_path):
    folder = make_pack(tmp_path, "kid", {"x.yaml": """\
        parameters:
          - id: city_beds
            title: {zh: 床位数, en: Beds}
            value: 50
            unit: beds
            citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
            derivation: a city's own number, for the test
        rules:
          - id: eligibility.city_department
            kind: eligibility
            title: {zh: 床位, en: Beds}
            citation: {document: nhsa_order_2, article: 6, item: 3, quote: 100张床位以上的医疗机构应设内部医保管理部门}
            modality: shal
            requires: institution.beds < $city_beds or institution.has_insurance_department
            outcome: conditions_not_met
        """})
    assert [(d.code, d.severity) for d in check_pack(folder) if d.code != "pack-id-folder"] == [("bad-value", "error")]


def test_bundled_packs_still_load_and_check_clean():
    for pack_id in ("national", "jiangsu_nantong"):
        assert not errors(check_pack(pack_id))
        load_pack(pack_id)
