"""``dingdian_rules.analysis.diff`` and ``dingdian-rules diff``: comparisons of bundled packs whose
differences are known from their texts, the views (Markdown, JSON, text), the CLI verb, and
docs/jurisdictions.md kept in sync with the packs."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.cli import _common as c
from dingdian_rules.cli import diff as diff_verb
from dingdian_rules.analysis.diff import PackDiff, diff_packs, rule_parameters
from dingdian_rules.analysis.jurisdictions_doc import jurisdictions_markdown

PACKS = {pid: dr.load_pack(pid) for pid in dr.bundled_pack_ids()}
DOC = Path(__file__).resolve().parents[1] / "docs" / "jurisdictions.md"


def diff(a: str, b: str) -> PackDiff:
    return diff_packs(PACKS[a], PACKS[b])


def rule(d: PackDiff, rule_id: str):
    [r] = [r for r in d.rules if r.id == rule_id]
    return r


def param(d: PackDiff, param_id: str):
    [p] = [p for p in d.parameters if p.id == param_id]
    return p


# --- identical packs ------------------------------------------------------------------------------


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_a_pack_does_not_differ_from_itself(pack_id: str) -> None:
    d = diff(pack_id, pack_id)
    assert d.identical and d.parameters == () and d.rules == ()


def test_nantong_is_jiangsu() -> None:
    """通医保发〔2023〕67号 forwards 苏医保规〔2023〕3号 unchanged: an empty diff that says so."""
    d = diff("jiangsu", "jiangsu_nantong")
    assert d.identical
    assert all(n == 0 for n in d.counts().values())
    assert "No differences" in d.summary()
    md = d.to_markdown(lang="en")
    assert "No differences" in md and "tong_ybf_2023_67" in md  # the forward's own document is named
    assert "没有差异" in d.to_markdown() and "没有差异" in d.to_text()  # Chinese by default
    assert "|" not in md  # no tables
    data = d.to_dict()
    assert data["identical"] is True and data["parameters"] == [] and data["rules"] == []
    assert data["a"]["chain"] == ["national", "jiangsu"] and data["b"]["chain"][-1] == "jiangsu_nantong"
    assert d.to_text(lang="en").splitlines()[2].startswith("No differences")


def test_guangdong_is_a_pass_through_of_national() -> None:
    """The Guangdong provincial text is not in the sources: the pack passes national through."""
    assert diff("national", "guangdong").identical
    via_province, direct = diff("guangdong", "guangdong_foshan"), diff("national", "guangdong_foshan")
    assert via_province.counts() == direct.counts()
    assert [(r.id, r.change, r.fields) for r in via_province.rules] == [(r.id, r.change, r.fields) for r in direct.rules]


# --- known differences ------------------------------------------------------------------------------


def test_qinghai_pays_within_20_working_days() -> None:
    """Qinghai agreement art. 39 (不超过20个工作日) against national art. 30 (30个工作日内)."""
    d = diff("national", "qinghai_agreement")
    p = param(d, "payment_period")
    assert p.change == "changed" and p.fields == ("value", "citation")
    assert (p.a.value, p.a.unit, p.b.value, p.b.unit) == (30, "working_days", 20, "working_days")
    assert (p.a.citation.document, p.a.citation.article) == ("nhsa_order_2", 30)
    assert (p.b.citation.document, p.b.citation.article) == ("qinghai_agreement_2025", 39)
    assert any("20个工作日" in n for n in p.notes)  # the change is said: 20 working days, not 30
    r = rule(d, "time_limit.payment")
    assert r.change == "overridden" and [f.field for f in r.fields] == ["citation"]
    assert r.parameters == ("payment_period",)


def test_qinghai_replaces_national_handling_and_request_grounds() -> None:
    """Qinghai repeals national art. 38's open list (arts. 63-67 fix the measures) and the agreement
    pointer of art. 43(13); art. 68 turns art. 45's 可 into scoring that binds. National 42(2)(3)
    (suspension the agreement requires) stays: no text of the agreement lifts it (legal review row
    27). National 43(9) and 43(12) stay too (row 7): art. 80(2)-(3)'s 终止 is recorded as a
    lower-norm difference, not a repeal, and a cancelled licence rescinds under 43(9)."""
    d = diff("national", "qinghai_agreement")
    repealed = {r.id: r for r in d.rules_by("repealed")}
    assert set(repealed) == {"measures.breach_of_agreement", "rescission.agreement_requires"}
    assert all(r.repeal.pack == "qinghai_agreement" and r.repeal.citation.document == "qinghai_agreement_2025"
               for r in repealed.values())
    assert "rescission.institution_request_agreed" not in {r.id for r in d.rules}  # inherited unchanged
    staff = rule(d, "measures.staff_or_department")
    modality = next(f for f in staff.fields if f.field == "modality")
    assert (modality.a, modality.b) == ("may", "shall")
    added = {r.id for r in d.rules_by("added")}
    assert {"measures.tier1.items", "measures.tier5.items", "rescission.licence_cancelled"} <= added
    assert not {"termination.institution_request_agreed", "termination.licence_cancelled"} & added
    assert rule(d, "rescission.licence_cancelled").b.citation.document == "nhsa_order_2"
    assert {n.id for n in d.norm_differences} == {"qinghai_80_2_licence_cancelled", "qinghai_80_3_request_agreed"}


def test_foshan_states_180_natural_days_and_drops_in_principle() -> None:
    """Foshan art. 17 (180日（自然日）… 医保协议自动终止, no 原则上): the parameter keeps 180 days and
    changes only its citation; the termination rule loses in_principle."""
    d = diff("national", "guangdong_foshan")
    p = param(d, "requested_suspension_max_days")
    assert p.change == "changed" and p.fields == ("citation",)
    assert (p.a.value, p.b.value, p.b.unit) == (180, 180, "days")
    assert (p.b.citation.document, p.b.citation.article) == ("foshan_93", 17)
    assert any("自然日" in n for n in p.notes)  # the note says the 180 days are natural days
    r = rule(d, "termination.requested_suspension_lapsed")
    ip = next(f for f in r.fields if f.field == "in_principle")
    assert (ip.a, ip.b) == ("true", "false")
    assert rule(d, "non_acceptance.failed_reevaluation_bar").change == "overridden"  # art. 10(3)
    assert {"publicity_period", "referral_period"} <= {p.id for p in d.parameters if p.change == "only_in_b"}
    assert d.rules_by("repealed") == ()


def test_jiangsu_repeals_one_national_rule_with_its_own_article() -> None:
    """Jiangsu art. 8 (five materials, no provincial extras) repeals national art. 7(6). National
    art. 42(2)(2) (data not provided or false -> 应中止) stays: a 实施细则 cannot lift a mandatory
    suspension of the 规章 (legal review 2026-12, row 1)."""
    d = diff("national", "jiangsu")
    repealed = {r.id: r for r in d.rules_by("repealed")}
    assert set(repealed) == {"materials.provincial_other_materials"}
    mat = repealed["materials.provincial_other_materials"]
    assert (mat.a.citation.article, mat.a.citation.item) == (7, 6)
    assert (mat.repeal.pack, mat.repeal.citation.document, mat.repeal.citation.article) == ("jiangsu", "su_ybg_2023_3", 8)
    assert mat.repeal.reason
    lic = param(d, "eligible_licences")
    assert "clinic_record" in lic.b.value and "clinic_record" not in lic.a.value
    it = rule(d, "eligibility.it_connection")
    cond = next(f for f in it.fields if f.field == "condition")
    assert "can_upgrade_it_system" in cond.b and "can_upgrade_it_system" not in cond.a
    ev = rule(d, "time_limit.evaluation_period")
    assert {"deadline", "condition", "citation"} <= {f.field for f in ev.fields}
    assert ev.parameters == ("evaluation_result_period",)  # 20 working days (art. 12) replaces 3 months
    dmg = rule(d, "measures.breach_of_agreement")
    measures = next(f for f in dmg.fields if f.field == "measures")
    assert "0%–30% of conduct.loss_amount" in measures.b  # art. 48 para. 4


def test_the_reverse_diff_mirrors() -> None:
    """Read the other way, what B repealed is *added* (and says A repealed it), what B added is
    *only in A*, and parameters swap sides."""
    fwd, back = diff("national", "jiangsu"), diff("jiangsu", "national")
    assert {r.id for r in back.rules_by("added")} == {r.id for r in fwd.rules_by("repealed")}
    assert all(r.repeal is not None and r.repeal.pack == "jiangsu" for r in back.rules_by("added"))
    assert {r.id for r in back.rules_by("removed")} == {r.id for r in fwd.rules_by("added")}
    assert {r.id for r in back.rules_by("overridden")} == {r.id for r in fwd.rules_by("overridden")}
    assert {p.id for p in back.parameters if p.change == "only_in_a"} == \
        {p.id for p in fwd.parameters if p.change == "only_in_b"}


def test_siblings_are_compared_by_what_they_decide() -> None:
    """Foshan and Zhongshan each define their internet+ conditions (Foshan art. 8 adds the
    follow-up check) and each override the licence copy (both art. 9 / art. 8 data sharing)."""
    d = diff("guangdong_foshan", "guangdong_zhongshan")
    assert rule(d, "eligibility.internet_plus_conditions").change == "changed"
    assert rule(d, "materials.licence_copy").change == "overridden"
    assert "time_limit.objection_review_request" in {r.id for r in d.rules_by("removed")}
    assert "materials.staff_roster" in {r.id for r in d.rules_by("added")}


@pytest.mark.parametrize("child_id", [pid for pid in sorted(PACKS) if PACKS[pid].meta.extends])
def test_diff_against_the_parent_matches_provenance(child_id: str) -> None:
    """Against its parent, a pack's diff lists exactly what its own provenance steps say: rules it
    defines are added, rules it overrides are overridden, rules it repeals are repealed, and the
    parameters it defines or overrides are added or changed."""
    child = PACKS[child_id]
    d = diff_packs(PACKS[child.meta.extends], child)  # type: ignore[index]
    own = {(r.id, s.action) for r in child.rules for s in r.provenance if s.pack == child_id}
    assert {r.id for r in d.rules_by("added")} == {rid for rid, a in own if a == "defined"}
    assert {r.id for r in d.rules_by("overridden")} == {rid for rid, a in own if a == "overridden"}
    assert {r.id for r in d.rules_by("restated")} == {rid for rid, a in own if a == "restated"} - {
        rid for rid, a in own if a in ("overridden", "defined")} - {r.id for r in d.rules_by("parameters")}
    assert {r.id for r in d.rules_by("repealed")} == {r.id for r in child.repealed if r.pack == child_id}
    assert d.rules_by("removed") == () and d.rules_by("changed") == ()
    own_params = {(p.id, s.action) for p in child.parameters.values() for s in p.provenance if s.pack == child_id}
    assert {p.id for p in d.parameters if p.change == "only_in_b"} == {pid for pid, a in own_params if a == "defined"}
    assert {p.id for p in d.parameters if p.change == "changed"} == {pid for pid, a in own_params if a == "overridden"}
    assert {p.id for p in d.parameters if p.change == "restated"} == {pid for pid, a in own_params if a == "restated"}
    changed_values = {p.id for p in d.parameters if "value" in p.fields}
    for r in d.rules_by("parameters"):
        assert set(r.parameters) <= changed_values and set(r.parameters) <= rule_parameters(r.b)


# --- views ---------------------------------------------------------------------------------------


def test_markdown_cites_both_sides() -> None:
    md = diff("national", "jiangsu").to_markdown(lang="en")
    assert md.startswith("# `national` → `jiangsu`\n")
    zh = diff("national", "jiangsu").to_markdown()
    for heading in ("## 参数", "## B 新增的规则（27）", "## 被变更的规则（10）", "## B 废止的规则（1）", "## 改变的字段"):
        assert heading in zh
    for heading in ("## Parameters", "## Rules added in B (27)", "## Rules overridden (10)", "## Rules repealed in B (1)",
                    "## Changed fields"):
        assert heading in md
    row = next(line for line in md.splitlines() if line.startswith("| `materials.provincial_other_materials`"))
    assert "国家医疗保障局令第2号 第七条第（六）项" in row and "《江苏省医疗机构医疗保障定点管理实施细则》第八条" in row
    assert diff("national", "jiangsu").to_markdown(level=3).startswith("### ")


def test_json_is_plain_data_with_quotes() -> None:
    data = diff("national", "qinghai_agreement").to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["counts"]["rules_repealed"] == 2 and data["identical"] is False
    [pay] = [p for p in data["parameters"] if p["id"] == "payment_period"]
    assert pay["a"]["value"] == 30 and pay["b"]["value"] == 20
    assert "30个工作日内" in pay["a"]["citation"]["quote"] and "20个工作日" in pay["b"]["citation"]["quote"]
    assert pay["b"]["citation"]["label"].endswith("第三十九条")
    [rep] = [r for r in data["rules"] if r["id"] == "rescission.agreement_requires"]
    assert rep["change"] == "repealed" and rep["b"] is None and rep["repeal"]["citation"]["article"] == 67
    assert rep["a"]["provenance"] == ["defined in national (nhsa_order_2 art. 43 item 13)"]
    [rec] = [n for n in data["norm_differences"] if n["id"] == "qinghai_80_3_request_agreed"]
    assert rec["change"] == "only_in_b" and rec["a"] is None
    assert rec["b"]["higher"][0]["quote"] == "定点医疗机构主动提出解除医保协议且经办机构同意的"
    assert rec["b"]["rules"] == ["rescission.institution_request_agreed"]


def test_text_lists_every_difference() -> None:
    text = diff("national", "guangdong_foshan").to_text(lang="en")
    assert text.splitlines()[0] == "A: national (national)"
    zh = diff("national", "guangdong_foshan").to_text()
    assert "参数 requested_suspension_max_days：已改变（引用[citation]）" in zh
    assert "规则 termination.requested_suspension_lapsed：被变更的规则" in zh and "  原则上[in_principle]：" in zh
    assert "parameter requested_suspension_max_days: changed (citation)" in text
    assert "rule termination.requested_suspension_lapsed: overridden" in text
    assert "  in_principle:" in text


# --- the CLI verb ----------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The verb registered on its own parser (the owner adds it to ``cli/__init__.py``)."""
    p = argparse.ArgumentParser(prog="dingdian-rules", formatter_class=c.Formatter)
    sub = p.add_subparsers(dest="verb", required=True)
    diff_verb.register(sub)
    return p


def run(capsys, *argv: str) -> tuple[int, str]:
    args = parser().parse_args(list(argv))
    code = args.run(args)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_cli_formats(capsys, fmt: str) -> None:
    code, out = run(capsys, "diff", "national", "qinghai_agreement", "--format", fmt)
    assert code == 0
    d = diff("national", "qinghai_agreement")
    assert out == {"text": d.to_text(), "md": d.to_markdown(), "json": d.to_json()}[fmt]


def test_cli_exit_code_and_output_file(capsys, tmp_path: Path) -> None:
    assert run(capsys, "diff", "jiangsu", "jiangsu_nantong", "--exit-code")[0] == 0
    assert run(capsys, "diff", "national", "jiangsu", "--exit-code")[0] == 1
    assert run(capsys, "diff", "national", "jiangsu")[0] == 0
    out = tmp_path / "d.json"
    code, printed = run(capsys, "diff", "national", "jiangsu", "-f", "json", "-o", str(out))
    assert code == 0 and printed == ""
    assert json.loads(out.read_text(encoding="utf-8"))["b"]["id"] == "jiangsu"


def test_cli_accepts_pack_folders(capsys) -> None:
    folder = str(Path(__file__).resolve().parents[1] / "rulepacks" / "jiangsu_nantong")
    code, out = run(capsys, "diff", "jiangsu", folder, "--format", "md")
    assert code == 0 and "没有差异" in out


def test_cli_unknown_pack_raises_pack_error(capsys) -> None:
    with pytest.raises(dr.PackError, match="pack 'nowhere' did not load"):
        run(capsys, "diff", "national", "nowhere")


def test_cli_help_has_examples(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["diff", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "dingdian-rules diff" in out and "exit codes:" in out and "--exit-code" in out


def test_deprecated_module_main_still_works(capsys) -> None:
    # python -m dingdian_rules.diff A B [fmt] is kept for one release (CHANGELOG.md)
    sys.modules.pop("dingdian_rules.diff", None)
    with pytest.warns(DeprecationWarning, match="dingdian_rules.analysis.diff"):
        main = importlib.import_module("dingdian_rules.diff").main
    assert main(["jiangsu", "jiangsu_nantong", "text"]) == 0
    assert "没有差异" in capsys.readouterr().out
    assert main(["only-one"]) == 2


# --- docs/jurisdictions.md -----------------------------------------------------------------------


def test_jurisdictions_doc_is_up_to_date() -> None:
    assert DOC.is_file(), "docs/jurisdictions.md is missing: run `python -m dingdian_rules.analysis.jurisdictions_doc > docs/jurisdictions.md`"
    assert DOC.read_text(encoding="utf-8") == jurisdictions_markdown(), \
        "docs/jurisdictions.md is stale: run `python -m dingdian_rules.analysis.jurisdictions_doc > docs/jurisdictions.md`"


def test_jurisdictions_doc_shows_the_tree_and_every_pack_against_national() -> None:
    text = jurisdictions_markdown()
    tree = text.split("```", 2)[1]
    assert tree.splitlines()[1].startswith("national (national) — 国家医疗保障局令第2号: in force from 2021-02-01")
    assert "│   └── jiangsu_nantong (city) — 通医保发〔2023〕67号" in tree
    assert "decides as `jiangsu`" in tree and "decides as `national`" in tree
    assert "draft for comment" in tree and "valid through 2023-12-31" in tree
    for pid in PACKS:
        if pid != "national":
            assert f"### `national` → `{pid}`" in text
    assert "### `jiangsu` → `jiangsu_nantong`" in text
