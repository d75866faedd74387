"""Renderers (render.py) and the decision JSON schema (decision_schema.py)."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules import render
from dingdian_rules.render import decisions_md as render_decisions_md
from dingdian_rules.evaluation.decision_schema import OUTCOMES, DecisionModel, decision_json_schema
from dingdian_rules.packs.schema import Citation
from dingdian_rules.conditions.trace import TraceNode

MINI = Path(__file__).parent / "fixtures" / "cli" / "packs" / "mini"
AS_OF = date(2030, 10, 8)


@lru_cache(maxsize=None)
def mini() -> dr.ResolvedPack:
    return dr.load_pack(MINI)


CASES = {
    "application": {"case_id": "r-1", "institution": {"type": "clinic", "beds": 120},
                    "application": {"materials_received_on": "2030-09-27"},
                    "history": {"fraudulent_application_found_on": ["2028-03-01"]}},
    "agreement": {"agreement": {"term_start": "2030-01-01", "suspensions": [{"started_on": "2030-02-01"},
                                                                           {"started_on": "2030-04-01"}]}},
    "conduct": {"conduct": {"breached_agreement": True, "loss_amount": 10000}},
    "deadlines": {"application": {}},
    "request": {},
}


def decisions(trace: bool) -> list[dr.Decision]:
    return [dr.evaluate(mini(), case, q, as_of=AS_OF, trace=trace) for q, case in CASES.items()]


# --- small pieces ---------------------------------------------------------------------------
@pytest.mark.parametrize("n,zh", [(1, "一"), (8, "八"), (10, "十"), (12, "十二"), (20, "二十"), (43, "四十三"),
                                  (100, "一百"), (105, "一百零五"), (110, "一百一十"), (999, "九百九十九")])
def test_zh_number(n, zh):
    assert render.zh_number(n) == zh


def test_cite():
    c = Citation(document="d", article=42, paragraph=2, item=3, quote="原文")
    assert render.cite(c, {"d": "办法"}) == "《办法》第四十二条第二款第（三）项"
    assert render.cite(c) == "d 第四十二条第二款第（三）项"
    assert render.cite(Citation(document="d", article=8, quote="原文"), {"d": "办法"}) == "《办法》第八条"


def test_trace_lines_show_unknown_not_evaluated_and_facts():
    node = TraceNode("a.x or\n   b.y", None, True, children=(
        TraceNode("a.x", None, True, fact="a.x"),
        TraceNode("s.z", date(2030, 1, 2), True, fact="a.items[].z"),
        TraceNode("b.y", None, False, fact="b.y"),
        TraceNode("$p", (3, "months"), True),
        TraceNode("$types", tuple(f"t{i}" for i in range(9)), True),
        TraceNode("any(...)", (True, False), True),
    ))
    assert render.trace_lines(node) == [
        "a.x or b.y = 未知",
        "  a.x = 未知",
        "  s.z（事实 a.items[].z） = 2030-01-02",
        "  b.y = （未求值）",
        "  $p = 3个月",
        "  $types = [t0, t1, t2, t3, t4, t5, …（共9项）]",
        "  any(...) = [是, 否]",
    ]


def test_labels_cover_every_outcome_and_question():
    assert set(OUTCOMES) <= set(render.OUTCOME_LABELS)
    assert set(dr.QUESTIONS) == set(render.QUESTION_LABELS)
    assert render.OUTCOME_LABELS["undetermined"] == "无法确定（缺少事实）"
    assert render.MODALITY_LABELS == {"shall": "应当", "may": "可以", "shall_not": "不得", "effect": "依法生效"}


# --- decisions ------------------------------------------------------------------------------
def test_text_of_measures_and_in_principle():
    d = dr.evaluate(mini(), CASES["conduct"], "conduct", as_of=AS_OF)
    text = render.decision_text(d, titles=render.source_titles(mini()))
    assert "结论：可以采取处理措施  [measures_available]" in text
    assert "规范：可以（原则上）" in text
    assert "性质：可以采取（酌定）；规则 measures.breach" in text
    assert "金额：基数 10,000 元，最高 2,000 元" in text
    assert "期限：1个月 至 3个月" in text
    assert "缺少的事实" not in text


def test_deadlines_question_text():
    d = dr.evaluate(mini(), {"application": {"materials_received_on": "2030-09-27"}}, "deadlines", as_of=AS_OF)
    text = render.decision_text(d)
    assert "== 期限（deadlines）==" in text and "届满日：2030-10-10" in text
    assert "已触发的规则" not in text  # the deadlines question has no candidate rules


def test_markdown_escapes_table_cells():
    assert render_decisions_md._cell("a | b\n c") == "a \\| b c"
    d = dr.evaluate(mini(), CASES["conduct"], "conduct", as_of=AS_OF)
    md = render.decision_markdown(d)
    assert "| 措施 | 性质 | 金额 | 期限 | 规则 | 依据 |" in md
    assert "\n\n\n" not in md


def test_decisions_json_serializes_fact_records_in_traces():
    d = dr.evaluate(mini(), CASES["agreement"], "agreement", as_of=AS_OF)
    plain = json.loads(json.dumps(d.to_dict()))  # fact records in traces become plain objects
    suspensions = [n for r in plain["rules"] for n in _nodes(r.get("trace"))
                   if n.get("fact") == "agreement.suspensions"]
    assert suspensions and all(isinstance(x, dict) for n in suspensions for x in n["value"])
    data = json.loads(render.decisions_json([d]))
    assert data["decisions"][0]["fired"] == ["rescission.repeated_suspension"]


# --- the decision JSON schema cannot drift from Decision.to_dict() --------------------------
@pytest.mark.parametrize("trace", [True, False])
def test_real_decisions_match_the_model(trace):
    for d in decisions(trace):
        produced = json.loads(json.dumps(d.to_dict(), default=render.json_default))
        model = DecisionModel.model_validate_json(json.dumps(produced))
        # same keys in the same order, nothing added or lost on the way through the model
        assert model.model_dump(mode="json", exclude_unset=True) == produced
        assert list(model.model_dump(exclude_unset=True)) == list(produced)


def test_model_rejects_drift():
    produced = json.loads(render.decisions_json(decisions(False)[:1]))["decisions"][0]
    with pytest.raises(Exception):
        DecisionModel.model_validate_json(json.dumps({**produced, "extra": 1}))
    missing = dict(produced)
    del missing["warnings"]
    with pytest.raises(Exception):
        DecisionModel.model_validate_json(json.dumps(missing))
    with pytest.raises(Exception):
        DecisionModel.model_validate_json(json.dumps({**produced, "outcome": "maybe"}))


def test_decision_json_schema():
    schema = decision_json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["schema_version"]["const"] == 6
    assert schema["additionalProperties"] is False
    rule = schema["$defs"]["RuleModel"]
    assert "note" not in rule["required"] and "trace" not in rule["required"]
    assert "default" not in rule["properties"]["note"]


# --- packs ----------------------------------------------------------------------------------
def test_pack_views():
    pack = mini()
    text = render.pack_text(pack)
    # Chinese only: the English name is for --lang en, the level is 国家 rather than its code
    assert text.startswith("规则包 mini：命令行测试用规则包\n层级：国家\n")
    assert render.pack_text(pack, lang="en").startswith("Pack mini: CLI test pack (命令行测试用规则包)\nLevel: national\n")
    assert "damages_max_rate = 20%" in text and "department_bed_threshold = 100张" in text
    assert "期限：自收到材料之日（application.materials_received_on）之后 5个工作日（$notice_period），遇非工作日顺延" in text
    assert "已废止的规则（0）：无" in text
    data = render.pack_dict(pack)
    json.dumps(data)
    assert [r["id"] for r in data["rules"]] == [r.id for r in pack.rules]
    fraud = next(r for r in data["rules"] if r["id"] == "non_acceptance.fraud")
    assert fraud["provenance"] == ["defined in mini (test_measures art. 12 item 4)"]
    assert render.pack_markdown(pack).startswith("# 规则包 `mini`：命令行测试用规则包")


def _bundled_samples() -> list:
    """The first scenario of each bundled scenario file: real decisions of every question."""
    from dingdian_rules.packs.chain import bundled_root
    from dingdian_rules.analysis.scenarios import load_scenario_file, scenario_files
    out = []
    for pack_id in dr.bundled_pack_ids():
        for path in scenario_files(bundled_root() / pack_id):
            cases, _ = load_scenario_file(path)
            if cases:
                out.append(pytest.param(pack_id, cases[0].scenario, id=f"{pack_id}/{path.name}"))
    return out


@lru_cache(maxsize=None)
def _bundled_pack(pack_id: str) -> dr.ResolvedPack:
    return dr.load_pack(pack_id)


@pytest.mark.parametrize("pack_id,scenario", _bundled_samples())
def test_bundled_decisions_match_the_model_and_render(pack_id, scenario):
    try:
        pack = _bundled_pack(pack_id)
    except dr.PackError:
        pytest.skip(f"pack {pack_id} does not load (validate reports why)")
    d = dr.evaluate(pack, scenario.case, scenario.question, as_of=scenario.as_of)
    produced = json.loads(render.decisions_json([d]))["decisions"][0]
    assert DecisionModel.model_validate_json(json.dumps(produced)).model_dump(mode="json", exclude_unset=True) == produced
    titles = render.source_titles(pack)
    assert render.decision_text(d, titles=titles, explain=True).count("\n  [") == len(d.rules)
    assert render.decision_markdown(d, titles=titles, explain=True).startswith("## ")


def _nodes(node):
    if not node:
        return []
    return [node] + [x for c in node.get("children", []) for x in _nodes(c)]
