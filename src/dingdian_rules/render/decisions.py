"""Views of decisions: text and Markdown for people (the outcome, each rule with its citation and
trace, measures, deadlines, missing facts with their Chinese labels, rule notes in ``explain``),
in Chinese or, with ``lang="en"``, English; and the JSON of ``decisions_json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..conditions.trace import TraceNode
from ..evaluation.decision import Decision, DeadlineResult, MeasureResult, RuleResult
from ..packs.resolved import cite_zh
from .labels import (DEADLINE_STATUS_LABELS, OUTCOME_LABELS, QUESTION_LABELS, STATUS_LABELS, cite, fact_text,
                     json_default, label, modality_label, money, one_line, outcome_label, param_value, period_label,
                     squeeze, tr, value_text)

if TYPE_CHECKING:
    from ..packs.schema import Citation, Text


# --- traces ---------------------------------------------------------------------------------
def trace_lines(node: TraceNode, indent: int = 0, lang: str = "zh") -> list[str]:
    """The trace tree as indented ``text = value`` lines (未知 = unknown, （未求值） = not evaluated)."""
    text = one_line(node.text)
    if node.fact and node.fact != text:
        text += tr(lang, f"（事实 {node.fact}）", f" (fact {node.fact})")
    value = value_text(node.value, lang) if node.evaluated else tr(lang, "（未求值）", "(not evaluated)")
    lines = ["  " * indent + f"{text} = {value}"]
    for child in node.children:
        lines += trace_lines(child, indent + 1, lang)
    return lines


def _condition_head(r: RuleResult, lang: str) -> str:
    if r.rule.fires_on is False:
        return tr(lang, "要求（不满足时触发）", "Requirement (fires when not met)")
    return tr(lang, "条件（满足时触发）", "Condition (fires when met)")


def _title(t: Text, lang: str) -> str:
    return t.en if lang == "en" and t.en else t.zh


def _facts(paths: Iterable[str], lang: str, md: bool = False) -> str:
    return tr(lang, "、", ", ").join(fact_text(f, lang, md=md) for f in paths)


def rules_needing(decision: Decision) -> dict[str, list[RuleResult]]:
    """Missing fact → the unknown rules that need it (what the fact, once given, would decide);
    the text, Markdown and HTML views list missing facts from this one map."""
    out: dict[str, list[RuleResult]] = {f: [] for f in decision.missing_facts}
    for r in decision.rules:
        for f in r.missing:
            out.setdefault(f, []).append(r)
    return out


# --- decision: text -------------------------------------------------------------------------
def _cited(cited_as: str, c: Citation, titles: Mapping[str, str] | None) -> str:
    return cited_as or cite(c, titles)


def citation_lines(r: RuleResult, titles: Mapping[str, str] | None, pad: str, lang: str = "zh") -> list[str]:
    """依据 (nearest provision first, as an officer cites it), its words, the higher provision's
    words when the nearest restates it, the listed items that held, and the parameters used."""
    rule = r.rule
    lines = [f"{pad}{tr(lang, '依据：', 'Basis: ')}{_cited(rule.cited_as, rule.citation, titles)}",
             f"{pad}{tr(lang, '原文：', 'Text: ')}“{one_line(rule.citation.quote)}”"]
    basis = rule.basis
    if basis and basis[0].role == "restated":
        for p in basis[1:]:
            where = cite_zh(p.citation, rule.documents)
            lines.append(f"{pad}{tr(lang, f'上位原文（{where}）：', f'Higher text ({where}): ')}“{one_line(p.citation.quote)}”")
            if p.role != "restated":
                break
    for c in rule.also_cites:
        where = cite_zh(c, rule.documents, with_document=c.document != rule.citation.document)
        lines.append(f"{pad}{tr(lang, f'并见（{where}）：', f'See also ({where}): ')}“{one_line(c.quote)}”")
    for item in r.items:
        mark = "" if item.status == "held" else tr(lang, "（未知）", " (unknown)")
        lines.append(f"{pad}{tr(lang, '所涉情形', 'Item')}{mark}{tr(lang, '：', ': ')}"
                     f"{cite_zh(item.citation, with_document=False)}“{one_line(item.citation.quote)}”")
    if r.status in ("fired", "unknown"):
        for p in rule.parameters:
            how = f"{tr(lang, '；取值说明：', '; derivation: ')}{one_line(p.derivation)}" if p.derivation else ""
            lines.append(f"{pad}{tr(lang, '参数：', 'Parameter: ')}{_title(p.title, lang)} = {param_value(p.value, p.unit, lang)}"
                         f"{tr(lang, '（', ' (')}{_cited(p.cited_as, p.citation, titles)}"
                         + _param_change(p, lang) + how + tr(lang, "）", ")"))
    return lines


def _param_change(p: Any, lang: str) -> str:
    basis = p.basis
    if len(basis) > 1 and basis[0].role == "overridden":
        where = cite_zh(basis[1].citation, p.documents)
        return tr(lang, f"；变更了 {where} 的规定", f"; changes {where}")
    return ""


def _rule_text(r: RuleResult, titles: Mapping[str, str] | None, pad: str, lang: str) -> list[str]:
    rule = r.rule
    return [f"{pad}- {rule.id}  {_title(rule.title, lang)}",
            f"{pad}  {tr(lang, '规范：', 'Modality: ')}{modality_label(rule.modality, rule.in_principle, lang)}"
            ] + citation_lines(r, titles, pad + "  ", lang)


def _amount(m: MeasureResult, lang: str) -> str:
    if m.base_amount is None:
        return ""
    amount = tr(lang, f"基数 {money(m.base_amount)} 元", f"base {money(m.base_amount)} yuan")
    if m.min_amount is not None:
        amount += tr(lang, f"，最低 {money(m.min_amount)} 元", f", at least {money(m.min_amount)} yuan")
    if m.max_amount is not None:
        amount += tr(lang, f"，{'原则上' if m.in_principle else ''}最高 {money(m.max_amount)} 元",
                     f", at most {money(m.max_amount)} yuan{' in principle' if m.in_principle else ''}")
    return amount


def _span(m: MeasureResult, lang: str) -> str:
    if not (m.min_duration or m.max_duration):
        return ""
    open_ = tr(lang, "（不限）", "(no limit)")
    lo = period_label(*m.min_duration, lang) if m.min_duration else open_
    hi = period_label(*m.max_duration, lang) if m.max_duration else open_
    return f"{lo}{tr(lang, ' 至 ', ' to ')}{hi}"


def _measure_text(m: MeasureResult, titles: Mapping[str, str] | None, lang: str) -> list[str]:
    kind = tr(lang, "应当采取（强制）", "shall be taken (mandatory)") if m.mandatory else tr(lang, "可以采取（酌定）", "may be taken (discretionary)")
    tier = tr(lang, f"，第{m.tier}档", f", tier {m.tier}") if m.tier else ""
    lines = [f"  - {m.measure_id}  {_title(m.title, lang)}",
             f"    {tr(lang, '性质：', 'Nature: ')}{kind}{tier}{tr(lang, '；规则 ', '; rule ')}{m.rule_id}"]
    if m.base_amount is not None:
        amount = _amount(m, lang)
        if m.base_fact and m.base_fact.startswith("conduct.itemised_amounts"):
            amount += tr(lang, f"（按第{m.tier}档分项金额）", f" (tier {m.tier}'s itemised amounts)")
        lines.append(f"    {tr(lang, '金额：', 'Amount: ')}{amount}")
    if m.min_duration or m.max_duration:
        lines.append(f"    {tr(lang, '期限：', 'Duration: ')}{_span(m, lang)}")
    lines.append(f"    {tr(lang, '依据：', 'Basis: ')}{_cited(m.cited_as, m.citation, titles)}")
    return lines


def _deadline_text(d: DeadlineResult, titles: Mapping[str, str] | None, lang: str) -> list[str]:
    direction = tr(lang, "之后", "after") if d.direction == "after" else tr(lang, "之前", "before")
    lines = [f"  - {d.key}  {_title(d.title, lang)}",
             f"    {tr(lang, '规范：', 'Modality: ')}{modality_label(d.modality, d.in_principle, lang)}"]
    if d.item is not None:
        lines.append(f"    {tr(lang, '事项：', 'Item: ')}{_item_label(d, lang)}")
    lines.append(f"    {tr(lang, '起算：', 'Start: ')}{_title(d.start_event, lang)}{tr(lang, '（', ' (')}"
                 f"{_start_label(d, lang)}{tr(lang, '）', ')')}")
    if d.unit == "date":
        lines.append(tr(lang, "    期间：文本所定日期（不是自起算日计算的期间）",
                        "    Period: a date the text names (not a period counted from the start)"))
    else:
        lines.append(tr(lang, f"    期间：{period_label(d.length, d.unit)}，{_counting(d, lang)}{direction}计算",
                        f"    Period: {period_label(d.length, d.unit, lang)}, {direction} {_counting(d, lang)}"))
    if d.extra_days:
        lines.append(tr(lang, f"    另加：{d.extra_days}日（不计入期间的时间）", f"    Plus: {d.extra_days} days (time not counted)"))
    lines.append(f"    {tr(lang, '历法：', 'Calendar: ')}{d.calendar_text(lang)}")
    if d.due is None:
        missing = f"{tr(lang, '（缺少：', ' (missing: ')}{_facts(d.missing, lang)}{tr(lang, '）', ')')}" if d.missing else ""
        lines.append(tr(lang, "    届满日：无法计算", "    Last day: cannot be computed") + missing)
    else:
        if d.opens_on is not None:
            lines.append(f"    {tr(lang, '期间开始：', 'Opens: ')}{d.opens_on.isoformat()}")
        lines.append(f"    {tr(lang, '届满日：', 'Last day: ')}{_due_label(d)}" + (_estimate_note(d, lang) if d.estimated else ""))
        if d.rolled_from:
            lines.append(tr(lang, f"    顺延：原届满日 {d.rolled_from.isoformat()} 不是工作日，顺延至 {d.due.isoformat()}",
                            f"    Rolled: {d.rolled_from.isoformat()} is not a working day, moved to {d.due.isoformat()}"))
        lines.append(f"    {tr(lang, '状态：', 'Status: ')}{_deadline_status(d, lang)}")
        if d.missing:
            lines.append(f"    {tr(lang, '缺少：', 'Missing: ')}{_facts(d.missing, lang)}")
    lines += [f"    {tr(lang, '依据：', 'Basis: ')}{_cited(d.cited_as, d.citation, titles)}",
              f"    {tr(lang, '原文：', 'Text: ')}“{one_line(d.citation.quote)}”"]
    return lines


def _item_label(d: DeadlineResult, lang: str = "zh") -> str:
    """Which item of a list a per-item deadline belongs to: agreement.suspensions[0]（started_on 2025-03-01）."""
    lst, i, key, value = d.item  # type: ignore[misc]
    shown = value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)
    shown = tr(lang, "未知", "unknown") if shown is None else shown
    return f"{lst}[{i}]{tr(lang, '（', ' (')}{key} {shown}{tr(lang, '）', ')')}"


def _start_label(d: DeadlineResult, lang: str = "zh") -> str:
    if d.start_at is not None:
        return d.start_at.isoformat(sep=" ", timespec="minutes")
    return d.start.isoformat() if d.start else tr(lang, "未知", "unknown")


def _due_label(d: DeadlineResult) -> str:
    if d.due_at is not None:
        return d.due_at.isoformat(sep=" ", timespec="minutes")
    return d.due.isoformat()  # type: ignore[union-attr]


def _counting(d: DeadlineResult, lang: str = "zh") -> str:
    """How the period is counted from its start (民法典 art. 201)."""
    if d.unit == "date":
        return tr(lang, "依文本所定日期，", "the date the text names")
    if d.unit == "hours":
        return tr(lang, "自起算时刻", "the start's time")
    if d.start_counted:
        return tr(lang, "起算日计入，自起算日", "the start day (counted as day 1)")
    return tr(lang, "自起算日", "the start day")


def _deadline_status(d: DeadlineResult, lang: str = "zh") -> str:
    """The status on the evaluation day, with the day the act was done when the case gives it:
    已按期完成（2025-10-09 完成）, 已届满未完成（2025-10-10 完成，逾期）, 未届满."""
    status = d.status
    if status is None:
        return tr(lang, "无法确定", "undetermined")
    text = label(DEADLINE_STATUS_LABELS, status, lang)
    if d.done_on is not None and d.as_of is not None and d.done_on <= d.as_of:
        done = d.done_at.isoformat(sep=" ", timespec="minutes") if d.done_at is not None else d.done_on.isoformat()
        late = status == "lapsed"
        text += tr(lang, f"（{done} 完成{'，逾期' if late else ''}）", f" (done {done}{', late' if late else ''})")
    return text


def _outcome(d: Decision, lang: str) -> str:
    if _calendar_uncertain(d):
        return tr(lang, _CALENDAR_UNCERTAIN, "undetermined (turns on an unpublished holiday arrangement)")
    return label(OUTCOME_LABELS, d.outcome, lang)


def decision_text(decision: Decision, *, titles: Mapping[str, str] | None = None, explain: bool = False,
                  lang: str = "zh") -> str:
    """One decision in Chinese (or English); ``explain`` adds every candidate rule with its condition
    trace and the rule's note on how it reads the text."""
    d = decision
    q = label(QUESTION_LABELS, d.question, lang)
    outcome = f"{_outcome(d, lang)}  [undetermined]" if _calendar_uncertain(d) else outcome_label(d.outcome, lang)
    lines = [tr(lang, f"== {q}（{d.question}）==", f"== {q} =="), f"{tr(lang, '结论：', 'Outcome: ')}{outcome}",
             f"{tr(lang, '评估日期：', 'As of: ')}{d.as_of.isoformat()}"]
    if d.case_id:
        lines.append(f"{tr(lang, '案例：', 'Case: ')}{d.case_id}")
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    if rules or d.question != "deadlines":
        unknown = sum(1 for r in rules if r.status == "unknown")
        rest = len(rules) - len(fired) - unknown
        lines += ["", tr(lang, f"已检查 {len(rules)} 条规则：触发 {len(fired)}，未触发 {rest}，无法确定 {unknown}（explain 显示每条规则）",
                         f"{len(rules)} rules checked: {len(fired)} fired, {rest} not fired, {unknown} unknown "
                         "(explain shows every rule)")]
        lines += ["", tr(lang, "已触发的规则：", "Rules fired:") + ("" if fired else tr(lang, "无", " none"))]
        for r in fired:
            lines += _rule_text(r, titles, "  ", lang)
    if d.measures:
        lines += ["", tr(lang, "处理措施：", "Measures:")]
        for m in d.measures:
            lines += _measure_text(m, titles, lang)
    if d.deadlines:
        lines += ["", tr(lang, "期限：", "Deadlines:")]
        for dl in d.deadlines:
            lines += _deadline_text(dl, titles, lang)
    elif d.question == "deadlines":
        lines += ["", tr(lang, "期限：无（没有适用的期限规则）", "Deadlines: none (no time limit applies)")]
    notes = d.combination if lang == "en" else d.combination_zh
    if notes:
        lines += ["", tr(lang, "规则如何合并：", "How the rules combine:")] + [f"  - {n}" for n in notes]
    if d.warnings:
        lines += ["", tr(lang, "警告：", "Warnings:")] + [f"  - [{w.code}] {w.text(lang)}" for w in d.warnings]
    if d.outcome == "undetermined":
        lines += ["", tr(lang, "缺少的事实：", "Missing facts:")]
        for fact, needing in rules_needing(d).items():
            ids = [r.id for r in needing]
            lines.append(f"  - {fact_text(fact, lang)}" + (tr(lang, f"（规则 {', '.join(ids)}）", f" (rules {', '.join(ids)})") if ids else ""))
        if _calendar_uncertain(d):
            lines.append(tr(lang, "  - （结论取决于尚未公布的调休安排，见警告 calendar-uncertain）",
                            "  - (the outcome turns on an unpublished holiday arrangement: see warning calendar-uncertain)"))
    if explain:
        lines += ["", tr(lang, f"候选规则（按评估顺序，共{len(rules)}条）：", f"Candidate rules ({len(rules)}, in order of evaluation):")
                  + ("" if rules else tr(lang, "无", " none"))]
        for r in rules:
            rule = r.rule
            lines.append(f"  [{label(STATUS_LABELS, r.status, lang)}] {rule.id}  {_title(rule.title, lang)}"
                         f"{tr(lang, '（', ' (')}{modality_label(rule.modality, rule.in_principle, lang)}{tr(lang, '）', ')')}")
            lines += citation_lines(r, titles, "    ", lang)
            if rule.note:
                lines.append(f"    {tr(lang, '解读说明：', 'Note: ')}{one_line(rule.note)}")
            if r.missing:
                lines.append(f"    {tr(lang, '缺少：', 'Missing: ')}{_facts(r.missing, lang)}")
            if r.trace is not None:
                lines.append(f"    {_condition_head(r, lang)}{tr(lang, '：', ':')}")
                lines += ["      " + line for line in trace_lines(r.trace, 0, lang)]
    chain = " → ".join(d.pack_chain)
    lines += ["", tr(lang, f"规则包：{d.pack_id}（继承链 {chain}）", f"Pack: {d.pack_id} (chain {chain})"),
              f"{tr(lang, '指纹：', 'Fingerprint: ')}{d.pack_fingerprint}", f"{tr(lang, '决定编号：', 'Decision id: ')}{d.decision_id}"]
    return "\n".join(lines) + "\n"


def decisions_text(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                   explain: bool = False, lang: str = "zh") -> str:
    return "\n".join(decision_text(d, titles=titles, explain=explain, lang=lang) for d in decisions)


# --- decision: JSON -------------------------------------------------------------------------
def decisions_json(decisions: Iterable[Decision], *, indent: int | None = 2) -> str:
    """``{"decisions": [decision.to_dict(), …]}`` with the key order of ``to_dict``."""
    data = {"decisions": [d.to_dict() for d in decisions]}
    return json.dumps(data, ensure_ascii=False, indent=indent, default=json_default) + "\n"


def _estimate_note(d: DeadlineResult, lang: str = "zh") -> str:
    """（估算…）for a last day counted through a year whose 调休 is not yet published."""
    if d.earliest is None or d.latest is None:
        return tr(lang, "（估算：该年调休未公布）", " (estimated: the year's holiday arrangement is not published)")
    if d.earliest == d.latest:
        return tr(lang, "（估算：该年调休未公布，但任何调休安排下均为此日）",
                  " (estimated: the arrangement is not published, but every possible one gives this day)")
    lo, hi = d.earliest.isoformat(), d.latest.isoformat()
    return tr(lang, f"（估算：该年调休未公布，可能为 {lo} 至 {hi}）",
              f" (estimated: the arrangement is not published; it may be {lo} to {hi})")


_CALENDAR_UNCERTAIN = "无法确定（取决于尚未公布的调休安排）"


def _calendar_uncertain(d: Decision) -> bool:
    """An undetermined outcome that turns on a year's unpublished 调休, not on a missing fact."""
    return d.outcome == "undetermined" and any(w.code == "calendar-uncertain" for w in d.warnings)
