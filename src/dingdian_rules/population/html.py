"""The HTML page of a population comparison (``compare --format html``): the outcome counts of
each pack as a table with bars, each outcome change between two packs with the rules responsible
(id, title from the pack, rows), and the first differing rows. One self-contained page rendered by
``render.html`` from ``render/templates/compare.html.j2`` (autoescaped, Jinja2 imported only here)."""

from __future__ import annotations

from typing import Any

from ..render.html import render_page
from ..render.labels import OUTCOME_LABELS, QUESTION_LABELS, label
from .views import all_outcomes, rules_kind, sample_rows

__all__ = ["WORDS", "comparison_html"]

HTML_RULES = 10  # rules listed per side of a transition on the page

WORDS = {
    "zh": {"title": "规则包在同一人群上的比较", "question": "问题", "as_of": "评估日期", "per_row": "各行自己的 as_of（缺省为今天）",
           "input": "输入", "output": "结论不同的行已写入", "rows": "比较的行", "skipped": "问其他问题、未比较的行",
           "differing": "结论不同的行", "agreeing": "各规则包结论相同的行", "outcomes": "各规则包的结论（行数）",
           "outcome": "结论", "transitions": "结论的变化及主要原因", "pair": "规则包", "change": "结论变化", "count": "行数",
           "why": "主要原因（规则：行数）", "sample": "结论不同的行（示例）", "row": "行", "more": "另有 {} 条",
           "none": "没有结论不同的行：各规则包对这一人群的决定相同。", "packs": "规则包"},
    "en": {"title": "Packs compared on one population", "question": "Question", "as_of": "As of",
           "per_row": "each row's own as_of (default today)", "input": "Input", "output": "Differing rows written to",
           "rows": "Rows compared", "skipped": "Rows asking another question (left out)",
           "differing": "Rows decided differently", "agreeing": "Rows every pack decides alike",
           "outcomes": "Outcomes per pack (rows)", "outcome": "Outcome", "transitions": "How outcomes change, and why",
           "pair": "Packs", "change": "Change", "count": "Rows", "why": "Rules responsible (rule: rows)",
           "sample": "Rows decided differently (sample)", "row": "Row", "more": "{} more",
           "none": "No row is decided differently: the packs decide this population alike.", "packs": "Packs"},
}


def _percent(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}" if total else "0"


def comparison_html(cmp: Any, lang: str = "zh") -> str:
    """The comparison as one page; JSON stays the place for codes, this for people."""
    words = WORDS.get(lang, WORDS["zh"])
    packs = {p.id: p for p in cmp.packs}

    def title(pid: str, rule: str) -> str:
        try:
            t = packs[pid].rule(rule).title
        except KeyError:
            return ""
        return t.en if lang == "en" else t.zh

    def outcome(o: str) -> dict[str, str]:
        return {"code": o, "label": label(OUTCOME_LABELS, o, lang)}

    table = [{"outcome": outcome(o), "counts": [(cmp.outcomes[i].get(o, 0), _percent(cmp.outcomes[i].get(o, 0), cmp.rows))
                                                for i in cmp.pack_ids]} for o in all_outcomes(cmp)]
    transitions = []
    for t in cmp.transitions:
        sides = []
        for pid, o, rules in ((t.b, t.outcome_b, t.rules_b), (t.a, t.outcome_a, t.rules_a)):
            if rules:
                sides.append({"pack": pid, "kind": rules_kind(o, lang), "more": max(0, len(rules) - HTML_RULES),
                              "rules": [{"id": r, "title": title(pid, r), "rows": n} for r, n in rules[:HTML_RULES]]})
        transitions.append({"a": t.a, "b": t.b, "from": outcome(t.outcome_a), "to": outcome(t.outcome_b), "rows": t.rows,
                            "sides": sides})
    q = cmp.question
    return render_page(
        "compare.html.j2", lang=lang, w=words,
        packs=[{"id": p.id, "name": p.name.en if lang == "en" else p.name.zh} for p in cmp.packs],
        question=f"{QUESTION_LABELS.get(q, q)}（{q}）" if lang != "en" else q,
        as_of=cmp.as_of.isoformat() if cmp.as_of else words["per_row"], source=cmp.source, output=cmp.output,
        rows=cmp.rows, skipped=cmp.skipped, differing=cmp.differing, agreeing=cmp.rows - cmp.differing,
        differing_percent=_percent(cmp.differing, cmp.rows), table=table, transitions=transitions,
        sample=sample_rows(cmp, lang))
