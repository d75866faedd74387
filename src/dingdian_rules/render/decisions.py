"""Views of decisions: text and Markdown for people (the outcome, each rule with its citation and
trace, measures, deadlines, missing facts), and the JSON of ``decisions_json``."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from ..conditions.trace import TraceNode
from ..evaluation.decision import Decision, DeadlineResult, MeasureResult, RuleResult
from ..packs.resolved import cite_zh
from ..packs.schema import Citation
from .labels import (DEADLINE_STATUS_LABELS, OUTCOME_LABELS, QUESTION_LABELS, STATUS_LABELS, cite, json_default,
                     modality_label, money, one_line, outcome_label, param_value, period_label, squeeze, value_text)

# --- traces ---------------------------------------------------------------------------------
def trace_lines(node: TraceNode, indent: int = 0) -> list[str]:
    """The trace tree as indented ``text = value`` lines (未知 = unknown, （未求值） = not evaluated)."""
    text = one_line(node.text)
    if node.fact and node.fact != text:
        text += f"（事实 {node.fact}）"
    value = value_text(node.value) if node.evaluated else "（未求值）"
    lines = ["  " * indent + f"{text} = {value}"]
    for child in node.children:
        lines += trace_lines(child, indent + 1)
    return lines


def _condition_head(r: RuleResult) -> str:
    return "要求（不满足时触发）" if r.rule.fires_on is False else "条件（满足时触发）"


def _unknown_by_fact(decision: Decision) -> dict[str, list[str]]:
    """Missing fact → ids of the unknown rules that need it."""
    out: dict[str, list[str]] = {f: [] for f in decision.missing_facts}
    for r in decision.rules:
        for f in r.missing:
            out.setdefault(f, []).append(r.id)
    return out


# --- decision: text -------------------------------------------------------------------------
def _cited(cited_as: str, c: Citation, titles: Mapping[str, str] | None) -> str:
    return cited_as or cite(c, titles)


def citation_lines(r: RuleResult, titles: Mapping[str, str] | None, pad: str) -> list[str]:
    """依据 (nearest provision first, as an officer cites it), its words, the higher provision's
    words when the nearest restates it, the listed items that held, and the parameters used."""
    rule = r.rule
    lines = [f"{pad}依据：{_cited(rule.cited_as, rule.citation, titles)}",
             f"{pad}原文：“{one_line(rule.citation.quote)}”"]
    basis = rule.basis
    if basis and basis[0].role == "restated":
        for p in basis[1:]:
            lines.append(f"{pad}上位原文（{cite_zh(p.citation, rule.documents)}）：“{one_line(p.citation.quote)}”")
            if p.role != "restated":
                break
    for c in rule.also_cites:
        lines.append(f"{pad}并见（{cite_zh(c, rule.documents, with_document=c.document != rule.citation.document)}）："
                     f"“{one_line(c.quote)}”")
    for item in r.items:
        mark = "" if item.status == "held" else "（未知）"
        lines.append(f"{pad}所涉情形{mark}：{cite_zh(item.citation, with_document=False)}“{one_line(item.citation.quote)}”")
    if r.status in ("fired", "unknown"):
        for p in rule.parameters:
            lines.append(f"{pad}参数：{p.title.zh} = {param_value(p.value, p.unit)}（{_cited(p.cited_as, p.citation, titles)}"
                         + _param_change(p) + (f"；取值说明：{one_line(p.derivation)}" if p.derivation else "") + "）")
    return lines


def _param_change(p: Any) -> str:
    basis = p.basis
    if len(basis) > 1 and basis[0].role == "overridden":
        return f"；变更了 {cite_zh(basis[1].citation, p.documents)} 的规定"
    return ""


def _rule_text(r: RuleResult, titles: Mapping[str, str] | None, pad: str) -> list[str]:
    rule = r.rule
    return [f"{pad}- {rule.id}  {rule.title.zh}",
            f"{pad}  规范：{modality_label(rule.modality, rule.in_principle)}"] + citation_lines(r, titles, pad + "  ")


def _measure_text(m: MeasureResult, titles: Mapping[str, str] | None) -> list[str]:
    kind = "应当采取（强制）" if m.mandatory else "可以采取（酌定）"
    tier = f"，第{m.tier}档" if m.tier else ""
    lines = [f"  - {m.measure_id}  {m.title.zh}", f"    性质：{kind}{tier}；规则 {m.rule_id}"]
    if m.base_amount is not None:
        amount = f"基数 {money(m.base_amount)} 元"
        if m.min_amount is not None:
            amount += f"，最低 {money(m.min_amount)} 元"
        if m.max_amount is not None:
            amount += f"，{'原则上' if m.in_principle else ''}最高 {money(m.max_amount)} 元"
        if m.base_fact and m.base_fact.startswith("conduct.itemised_amounts"):
            amount += f"（按第{m.tier}档分项金额）"
        lines.append(f"    金额：{amount}")
    if m.min_duration or m.max_duration:
        lo = period_label(*m.min_duration) if m.min_duration else "（不限）"
        hi = period_label(*m.max_duration) if m.max_duration else "（不限）"
        lines.append(f"    期限：{lo} 至 {hi}")
    lines.append(f"    依据：{_cited(m.cited_as, m.citation, titles)}")
    return lines


def _deadline_text(d: DeadlineResult, titles: Mapping[str, str] | None) -> list[str]:
    direction = "之后" if d.direction == "after" else "之前"
    lines = [f"  - {d.key}  {d.title.zh}",
             f"    规范：{modality_label(d.modality, d.in_principle)}"]
    if d.item is not None:
        lines.append(f"    事项：{_item_label(d)}")
    lines += [f"    起算：{d.start_event.zh}（{_start_label(d)}）",
              (f"    期间：{period_label(d.length, d.unit)}，{_counting(d)}{direction}计算" if d.unit != "date"
               else "    期间：文本所定日期（不是自起算日计算的期间）")]
    if d.extra_days:
        lines.append(f"    另加：{d.extra_days}日（不计入期间的时间）")
    lines.append(f"    历法：{d.calendar}")
    if d.due is None:
        lines.append("    届满日：无法计算" + (f"（缺少：{', '.join(d.missing)}）" if d.missing else ""))
    else:
        if d.opens_on is not None:
            lines.append(f"    期间开始：{d.opens_on.isoformat()}")
        lines.append(f"    届满日：{_due_label(d)}" + (_estimate_note(d) if d.estimated else ""))
        if d.rolled_from:
            lines.append(f"    顺延：原届满日 {d.rolled_from.isoformat()} 不是工作日，顺延至 {d.due.isoformat()}")
        lines.append(f"    状态：{_deadline_status(d)}")
        if d.missing:
            lines.append(f"    缺少：{', '.join(d.missing)}")
    lines += [f"    依据：{_cited(d.cited_as, d.citation, titles)}", f"    原文：“{one_line(d.citation.quote)}”"]
    return lines


def _item_label(d: DeadlineResult) -> str:
    """Which item of a list a per-item deadline belongs to: agreement.suspensions[0]（started_on 2025-03-01）."""
    lst, i, key, value = d.item  # type: ignore[misc]
    shown = value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)
    return f"{lst}[{i}]（{key} {'未知' if shown is None else shown}）"


def _start_label(d: DeadlineResult) -> str:
    if d.start_at is not None:
        return d.start_at.isoformat(sep=" ", timespec="minutes")
    return d.start.isoformat() if d.start else "未知"


def _due_label(d: DeadlineResult) -> str:
    if d.due_at is not None:
        return d.due_at.isoformat(sep=" ", timespec="minutes")
    return d.due.isoformat()  # type: ignore[union-attr]


def _counting(d: DeadlineResult) -> str:
    """How the period is counted from its start (民法典 art. 201)."""
    if d.unit == "date":
        return "依文本所定日期，"
    if d.unit == "hours":
        return "自起算时刻"
    return "起算日计入，自起算日" if d.start_counted else "自起算日"


def _deadline_status(d: DeadlineResult) -> str:
    """The status on the evaluation day, with the day the act was done when the case gives it:
    已按期完成（2025-10-09 完成）, 已届满未完成（2025-10-10 完成，逾期）, 未届满."""
    status = d.status
    if status is None:
        return "无法确定"
    label = DEADLINE_STATUS_LABELS[status]
    if d.done_on is not None and d.as_of is not None and d.done_on <= d.as_of:
        done = d.done_at.isoformat(sep=" ", timespec="minutes") if d.done_at is not None else d.done_on.isoformat()
        label += f"（{done} 完成{'，逾期' if status == 'lapsed' else ''}）"
    return label


def decision_text(decision: Decision, *, titles: Mapping[str, str] | None = None, explain: bool = False) -> str:
    """One decision in Chinese; ``explain`` adds every candidate rule with its condition trace."""
    d = decision
    q = QUESTION_LABELS.get(d.question, d.question)
    outcome = f"{_CALENDAR_UNCERTAIN}  [undetermined]" if _calendar_uncertain(d) else outcome_label(d.outcome)
    lines = [f"== {q}（{d.question}）==", f"结论：{outcome}", f"评估日期：{d.as_of.isoformat()}"]
    if d.case_id:
        lines.append(f"案例：{d.case_id}")
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    if rules or d.question != "deadlines":
        unknown = sum(1 for r in rules if r.status == "unknown")
        lines += ["", f"已检查 {len(rules)} 条规则：触发 {len(fired)}，未触发 {len(rules) - len(fired) - unknown}，"
                  f"无法确定 {unknown}（explain 显示每条规则）"]
        lines += ["", "已触发的规则：" + ("" if fired else "无")]
        for r in fired:
            lines += _rule_text(r, titles, "  ")
    if d.measures:
        lines += ["", "处理措施："]
        for m in d.measures:
            lines += _measure_text(m, titles)
    if d.deadlines:
        lines += ["", "期限："]
        for dl in d.deadlines:
            lines += _deadline_text(dl, titles)
    elif d.question == "deadlines":
        lines += ["", "期限：无（没有适用的期限规则）"]
    if d.combination:
        lines += ["", "规则如何合并（combination）："] + [f"  - {n}" for n in d.combination]
    if d.warnings:
        lines += ["", "警告："] + [f"  - [{w.code}] {w.message}" for w in d.warnings]
    if d.outcome == "undetermined":
        lines += ["", "缺少的事实："]
        for fact, ids in _unknown_by_fact(d).items():
            lines.append(f"  - {fact}" + (f"（规则 {', '.join(ids)}）" if ids else ""))
        if _calendar_uncertain(d):
            lines.append("  - （结论取决于尚未公布的调休安排，见警告 calendar-uncertain）")
    if explain:
        lines += ["", f"候选规则（按评估顺序，共{len(rules)}条）：" + ("" if rules else "无")]
        for r in rules:
            rule = r.rule
            lines.append(f"  [{STATUS_LABELS.get(r.status, r.status)}] {rule.id}  {rule.title.zh}"
                         f"（{modality_label(rule.modality, rule.in_principle)}）")
            lines += citation_lines(r, titles, "    ")
            if rule.note:
                lines.append(f"    解读说明：{one_line(rule.note)}")
            if r.missing:
                lines.append(f"    缺少：{', '.join(r.missing)}")
            if r.trace is not None:
                lines.append(f"    {_condition_head(r)}：")
                lines += ["      " + line for line in trace_lines(r.trace)]
    lines += ["", f"规则包：{d.pack_id}（继承链 {' → '.join(d.pack_chain)}）", f"指纹：{d.pack_fingerprint}",
              f"决定编号：{d.decision_id}"]
    return "\n".join(lines) + "\n"


def decisions_text(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                   explain: bool = False) -> str:
    return "\n".join(decision_text(d, titles=titles, explain=explain) for d in decisions)


# --- decision: Markdown ---------------------------------------------------------------------
def _cell(text: Any) -> str:
    return one_line(str(text)).replace("|", "\\|") or " "


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def decision_markdown(decision: Decision, *, titles: Mapping[str, str] | None = None, explain: bool = False) -> str:
    """The same content as ``decision_text``, as GitHub-flavoured Markdown."""
    d = decision
    q = QUESTION_LABELS.get(d.question, d.question)
    label = _CALENDAR_UNCERTAIN if _calendar_uncertain(d) else OUTCOME_LABELS.get(d.outcome, d.outcome)
    lines = [f"## {q}（`{d.question}`）：{label}", "",
             f"- 结论：**{label}**（`{d.outcome}`）",
             f"- 评估日期：{d.as_of.isoformat()}"]
    if d.case_id:
        lines.append(f"- 案例：{d.case_id}")
    lines += [f"- 规则包：`{d.pack_id}`（继承链 {' → '.join(d.pack_chain)}）", f"- 指纹：`{d.pack_fingerprint}`",
              f"- 决定编号：`{d.decision_id}`"]
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    if rules or d.question != "deadlines":
        lines += ["", "### 已触发的规则", ""] + ([] if fired else ["无", ""])
        for r in fired:
            rule = r.rule
            lines += [f"#### `{rule.id}` {rule.title.zh}", "",
                      f"- 规范：{modality_label(rule.modality, rule.in_principle)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "")] + [""]
    if d.measures:
        rows = []
        for m in d.measures:
            amount = ""
            if m.base_amount is not None:
                amount = f"基数 {money(m.base_amount)} 元" + (
                    f"，最低 {money(m.min_amount)} 元" if m.min_amount is not None else "") + (
                    f"，{'原则上' if m.in_principle else ''}最高 {money(m.max_amount)} 元" if m.max_amount is not None else "")
            span = ""
            if m.min_duration or m.max_duration:
                span = (f"{period_label(*m.min_duration) if m.min_duration else '（不限）'} 至 "
                        f"{period_label(*m.max_duration) if m.max_duration else '（不限）'}")
            rows.append([f"`{m.measure_id}` {m.title.zh}", "应当（强制）" if m.mandatory else "可以（酌定）",
                         amount, span, f"`{m.rule_id}`", _cited(m.cited_as, m.citation, titles)])
        lines += ["", "### 处理措施", ""] + _table(["措施", "性质", "金额", "期限", "规则", "依据"], rows) + [""]
    if d.deadlines:
        rows = []
        for dl in d.deadlines:
            due = _due_label(dl) + (_estimate_note(dl) if dl.estimated else "") if dl.due else "无法计算"
            if dl.rolled_from:
                due += f"（由 {dl.rolled_from.isoformat()} 顺延）"
            extra = f"，另加{dl.extra_days}日" if dl.extra_days else ""
            extra += "，起算日计入" if dl.start_counted else ""
            item = f"（{_item_label(dl)}）" if dl.item is not None else ""
            rows.append([f"`{dl.key}` {dl.title.zh}{item}", modality_label(dl.modality, dl.in_principle),
                         f"{dl.start_event.zh}（{_start_label(dl)}）",
                         (f"{period_label(dl.length, dl.unit)}{'之后' if dl.direction == 'after' else '之前'}{extra}"
                          if dl.unit != "date" else "文本所定日期" + (f"，自 {dl.opens_on.isoformat()} 起" if dl.opens_on else "")),
                         due, _deadline_status(dl), dl.calendar, _cited(dl.cited_as, dl.citation, titles)])
        lines += ["", "### 期限", ""] + _table(["规则", "规范", "起算", "期间", "届满日", "状态", "历法", "依据"], rows) + [""]
        for dl in d.deadlines:
            lines.append(f"- `{dl.key}` 原文：“{one_line(dl.citation.quote)}”")
            if dl.missing:
                lines.append(f"- `{dl.key}` 缺少：{', '.join(f'`{f}`' for f in dl.missing)}")
    if d.combination:
        lines += ["", "### 规则如何合并", ""] + [f"- {n}" for n in d.combination]
    if d.warnings:
        lines += ["", "### 警告", ""] + [f"- `{w.code}`：{w.message}" for w in d.warnings]
    if d.outcome == "undetermined":
        lines += ["", "### 缺少的事实", ""]
        for fact, ids in _unknown_by_fact(d).items():
            lines.append(f"- `{fact}`" + (f"（规则 {', '.join(f'`{i}`' for i in ids)}）" if ids else ""))
        if _calendar_uncertain(d):
            lines.append("- （结论取决于尚未公布的调休安排，见警告 `calendar-uncertain`）")
    if explain:
        lines += ["", "### 候选规则", ""] + ([] if rules else ["无"])
        for r in rules:
            rule = r.rule
            lines += [f"#### [{STATUS_LABELS.get(r.status, r.status)}] `{rule.id}` {rule.title.zh}", "",
                      f"- 规范：{modality_label(rule.modality, rule.in_principle)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "")]
            if rule.note:
                lines.append(f"- 解读说明：{one_line(rule.note)}")
            if r.missing:
                lines.append(f"- 缺少：{', '.join(f'`{f}`' for f in r.missing)}")
            if r.trace is not None:
                lines += [f"- {_condition_head(r)}：", "", "```text"] + trace_lines(r.trace) + ["```"]
            lines.append("")
    return "\n".join(squeeze(lines)).rstrip("\n") + "\n"


def decisions_markdown(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                       explain: bool = False) -> str:
    return "\n".join(decision_markdown(d, titles=titles, explain=explain) for d in decisions)


# --- decision: JSON -------------------------------------------------------------------------
def decisions_json(decisions: Iterable[Decision], *, indent: int | None = 2) -> str:
    """``{"decisions": [decision.to_dict(), …]}`` with the key order of ``to_dict``."""
    data = {"decisions": [d.to_dict() for d in decisions]}
    return json.dumps(data, ensure_ascii=False, indent=indent, default=json_default) + "\n"


def _estimate_note(d: DeadlineResult) -> str:
    """（估算…）for a last day counted through a year whose 调休 is not yet published."""
    if d.earliest is None or d.latest is None:
        return "（估算：该年调休未公布）"
    if d.earliest == d.latest:
        return "（估算：该年调休未公布，但任何调休安排下均为此日）"
    return f"（估算：该年调休未公布，可能为 {d.earliest.isoformat()} 至 {d.latest.isoformat()}）"


_CALENDAR_UNCERTAIN = "无法确定（取决于尚未公布的调休安排）"


def _calendar_uncertain(d: Decision) -> bool:
    """An undetermined outcome that turns on a year's unpublished 调休, not on a missing fact."""
    return d.outcome == "undetermined" and any(w.code == "calendar-uncertain" for w in d.warnings)
