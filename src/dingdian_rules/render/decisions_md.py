"""The Markdown view of decisions: the same content as the text view (``decisions``), as
GitHub-flavoured Markdown, in Chinese or, with ``lang="en"``, English."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..evaluation.decision import Decision
from .decisions import (_amount, _calendar_uncertain, _cited, _condition_head, _deadline_status, _due_label,
                        _estimate_note, _facts, _item_label, _outcome, _span, _start_label, _title, rules_needing,
                        citation_lines, trace_lines)
from .labels import QUESTION_LABELS, STATUS_LABELS, fact_text, label, modality_label, one_line, period_label, squeeze, tr


def _cell(text: Any) -> str:
    return one_line(str(text)).replace("|", "\\|") or " "


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def decision_markdown(decision: Decision, *, titles: Mapping[str, str] | None = None, explain: bool = False,
                      lang: str = "zh") -> str:
    """The same content as ``decision_text``, as GitHub-flavoured Markdown."""
    d = decision
    q = label(QUESTION_LABELS, d.question, lang)
    outcome = _outcome(d, lang)
    chain = " → ".join(d.pack_chain)
    lines = [f"## {q}（`{d.question}`）：{outcome}" if lang != "en" else f"## {q} (`{d.question}`): {outcome}", "",
             f"- {tr(lang, '结论：', 'Outcome: ')}**{outcome}**{tr(lang, f'（`{d.outcome}`）', f' (`{d.outcome}`)')}",
             f"- {tr(lang, '评估日期：', 'As of: ')}{d.as_of.isoformat()}"]
    if d.case_id:
        lines.append(f"- {tr(lang, '案例：', 'Case: ')}{d.case_id}")
    lines += [tr(lang, f"- 规则包：`{d.pack_id}`（继承链 {chain}）", f"- Pack: `{d.pack_id}` (chain {chain})"),
              f"- {tr(lang, '指纹：', 'Fingerprint: ')}`{d.pack_fingerprint}`",
              f"- {tr(lang, '决定编号：', 'Decision id: ')}`{d.decision_id}`"]
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    if rules or d.question != "deadlines":
        lines += ["", tr(lang, "### 已触发的规则", "### Rules fired"), ""] + ([] if fired else [tr(lang, "无", "None"), ""])
        for r in fired:
            rule = r.rule
            lines += [f"#### `{rule.id}` {_title(rule.title, lang)}", "",
                      f"- {tr(lang, '规范：', 'Modality: ')}{modality_label(rule.modality, rule.in_principle, lang)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "", lang)] + [""]
    if d.measures:
        rows = [[f"`{m.measure_id}` {_title(m.title, lang)}",
                 tr(lang, "应当（强制）", "shall (mandatory)") if m.mandatory else tr(lang, "可以（酌定）", "may (discretionary)"),
                 _amount(m, lang), _span(m, lang), f"`{m.rule_id}`", _cited(m.cited_as, m.citation, titles)]
                for m in d.measures]
        head = ["措施", "性质", "金额", "期限", "规则", "依据"] if lang != "en" else \
            ["Measure", "Nature", "Amount", "Duration", "Rule", "Basis"]
        lines += ["", tr(lang, "### 处理措施", "### Measures"), ""] + _table(head, rows) + [""]
    if d.deadlines:
        lines += _deadlines(d, titles, lang)
    notes = d.combination if lang == "en" else d.combination_zh
    if notes:
        lines += ["", tr(lang, "### 规则如何合并", "### How the rules combine"), ""] + [f"- {n}" for n in notes]
    if d.warnings:
        lines += ["", tr(lang, "### 警告", "### Warnings"), ""] + [f"- `{w.code}`{tr(lang, '：', ': ')}{w.text(lang)}"
                                                                  for w in d.warnings]
    if d.outcome == "undetermined":
        lines += ["", tr(lang, "### 缺少的事实", "### Missing facts"), ""]
        for fact, needing in rules_needing(d).items():
            ids = [r.id for r in needing]
            rules_ = ", ".join(f"`{i}`" for i in ids)
            lines.append(f"- {fact_text(fact, lang, md=True)}" + (tr(lang, f"（规则 {rules_}）", f" (rules {rules_})") if ids else ""))
        if _calendar_uncertain(d):
            lines.append(tr(lang, "- （结论取决于尚未公布的调休安排，见警告 `calendar-uncertain`）",
                            "- (the outcome turns on an unpublished holiday arrangement: see warning `calendar-uncertain`)"))
    if explain:
        lines += ["", tr(lang, "### 候选规则", "### Candidate rules"), ""] + ([] if rules else [tr(lang, "无", "None")])
        for r in rules:
            rule = r.rule
            lines += [f"#### [{label(STATUS_LABELS, r.status, lang)}] `{rule.id}` {_title(rule.title, lang)}", "",
                      f"- {tr(lang, '规范：', 'Modality: ')}{modality_label(rule.modality, rule.in_principle, lang)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "", lang)]
            if rule.note:
                lines.append(f"- {tr(lang, '解读说明：', 'Note: ')}{one_line(rule.note)}")
            if r.missing:
                lines.append(f"- {tr(lang, '缺少：', 'Missing: ')}{_facts(r.missing, lang, md=True)}")
            if r.trace is not None:
                lines += [f"- {_condition_head(r, lang)}{tr(lang, '：', ':')}", "", "```text"] + trace_lines(r.trace, 0, lang) + ["```"]
            lines.append("")
    return "\n".join(squeeze(lines)).rstrip("\n") + "\n"


def _deadlines(d: Decision, titles: Mapping[str, str] | None, lang: str) -> list[str]:
    rows = []
    for dl in d.deadlines:
        due = _due_label(dl) + (_estimate_note(dl, lang) if dl.estimated else "") if dl.due else tr(lang, "无法计算", "cannot be computed")
        if dl.rolled_from:
            due += tr(lang, f"（由 {dl.rolled_from.isoformat()} 顺延）", f" (rolled from {dl.rolled_from.isoformat()})")
        extra = tr(lang, f"，另加{dl.extra_days}日", f", plus {dl.extra_days} days") if dl.extra_days else ""
        extra += tr(lang, "，起算日计入", ", start day counted") if dl.start_counted else ""
        item = tr(lang, f"（{_item_label(dl, lang)}）", f" ({_item_label(dl, lang)})") if dl.item is not None else ""
        after = tr(lang, "之后", " after") if dl.direction == "after" else tr(lang, "之前", " before")
        opens = tr(lang, f"，自 {dl.opens_on.isoformat()} 起", f", from {dl.opens_on.isoformat()}") if dl.opens_on else ""
        period = (f"{period_label(dl.length, dl.unit, lang)}{after}{extra}" if dl.unit != "date"
                  else tr(lang, "文本所定日期", "a date the text names") + opens)
        start = f"{_title(dl.start_event, lang)}{tr(lang, '（', ' (')}{_start_label(dl, lang)}{tr(lang, '）', ')')}"
        rows.append([f"`{dl.key}` {_title(dl.title, lang)}{item}", modality_label(dl.modality, dl.in_principle, lang),
                     start, period, due, _deadline_status(dl, lang), dl.calendar_text(lang), _cited(dl.cited_as, dl.citation, titles)])
    head = ["规则", "规范", "起算", "期间", "届满日", "状态", "历法", "依据"] if lang != "en" else \
        ["Rule", "Modality", "Start", "Period", "Last day", "Status", "Calendar", "Basis"]
    lines = ["", tr(lang, "### 期限", "### Deadlines"), ""] + _table(head, rows) + [""]
    for dl in d.deadlines:
        lines.append(f"- `{dl.key}` {tr(lang, '原文：', 'text: ')}“{one_line(dl.citation.quote)}”")
        if dl.missing:
            lines.append(f"- `{dl.key}` {tr(lang, '缺少：', 'missing: ')}{_facts(dl.missing, lang, md=True)}")
    return lines


def decisions_markdown(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                       explain: bool = False, lang: str = "zh") -> str:
    return "\n".join(decision_markdown(d, titles=titles, explain=explain, lang=lang) for d in decisions)
