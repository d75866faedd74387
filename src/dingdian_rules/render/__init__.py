"""Renderers: decisions and resolved packs as Chinese text, Markdown and JSON strings.

The library never prints; these functions only build strings, so the ``dingdian-rules`` command
and library users show the same thing. Every view is read from the frozen ``Decision`` (or
``ResolvedPack``); nothing here evaluates a rule. Citations are written the Chinese way,
《办法》第十二条第（四）项, using the titles of the pack's source documents when given
(``source_titles(pack)``) and the document id otherwise.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable, Mapping

from pydantic import BaseModel

from ..packs.articles import zh_numeral
from ..evaluation.decision import Decision, DeadlineResult, MeasureResult, RuleResult, basis_dict
from ..packs.resolved import ResolvedNormDifference, ResolvedPack, cite_zh, join_zh
from ..packs.schema import Citation
from ..conditions.trace import TraceNode

__all__ = [
    "DEADLINE_STATUS_LABELS", "KIND_LABELS", "MODALITY_LABELS", "OUTCOME_LABELS", "QUESTION_LABELS", "STATUS_LABELS", "cite", "decision_markdown",
    "decision_text", "decisions_json", "decisions_markdown", "decisions_text", "json_default", "pack_dict",
    "pack_markdown", "pack_text", "source_titles", "trace_lines", "zh_number",
]

QUESTION_LABELS = {"application": "申请", "agreement": "协议", "request": "请求", "conduct": "违约处理",
                   "deadlines": "期限"}
OUTCOME_LABELS = {
    "not_accepted": "不予受理", "materials_incomplete": "申请材料不全（应一次性告知补充）",
    "conditions_not_met": "不符合申请条件", "conditions_met": "符合申请条件",
    "terminate": "终止医保协议", "rescind": "解除医保协议", "suspend": "中止医保协议", "continue": "继续履行",
    "request_refused": "请求不予准许", "request_allowed": "可以提出请求",
    "measures_required": "应当采取处理措施", "measures_available": "可以采取处理措施", "no_measures": "无需处理",
    "procedure_ended": "终结申请程序", "designation_waived": "视作放弃定点医疗机构资格",
    "suspended": "医保协议处于中止状态", "late_notice": "请求提出逾期（未提前告知）",
    "computed": "已计算期限", "undetermined": "无法确定（缺少事实）",
}
MODALITY_LABELS = {"shall": "应当", "may": "可以", "shall_not": "不得", "effect": "依法生效"}
STATUS_LABELS = {"fired": "已触发", "not_fired": "未触发", "unknown": "未知", "not_applicable": "不适用"}
DEADLINE_STATUS_LABELS = {"pending": "未届满", "last_day_today": "今日为最后一日", "lapsed": "已届满未完成",
                          "met": "已按期完成"}
KIND_LABELS = {
    "institution_type": "可申请定点的机构类型", "eligibility": "申请条件", "materials": "申请材料",
    "non_acceptance": "不予受理", "time_limit": "期限", "suspension": "中止", "rescission": "解除",
    "termination": "终止", "request_limit": "机构请求的限制", "measures": "处理方式",
    "late_notice": "逾期告知", "procedure_end": "终结申请程序", "waiver": "视作放弃", "suspended": "中止生效",
}
UNIT_LABELS = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年", "count": "", "beds": "张",
               "percent": "%", "yuan": "元", "hours": "小时", "types": ""}
_DIGITS = "零一二三四五六七八九"
_MAX_LIST = 6  # list values longer than this are shortened in text traces (JSON keeps them whole)


# --- small pieces ---------------------------------------------------------------------------
zh_number = zh_numeral  # re-exported: renderers and callers have used this name


def source_titles(pack: ResolvedPack) -> dict[str, str]:
    """Document id → title, for every source document of the pack's chain."""
    return {sid: src.document.title for sid, src in pack.sources.items()}


def cite(c: Citation, titles: Mapping[str, str] | None = None) -> str:
    """《title》第十二条第二款第（四）项 (the document id stands in when its title is not known)."""
    title = (titles or {}).get(c.document)
    text = f"《{title}》" if title else f"{c.document} "
    text += f"第{zh_number(c.article)}条"
    if c.paragraph:
        text += f"第{zh_number(c.paragraph)}款"
    if c.item:
        text += f"第（{zh_number(c.item)}）项"
    return text


def _modality(modality: str, in_principle: bool) -> str:
    return MODALITY_LABELS.get(modality, modality) + ("（原则上）" if in_principle else "")


def _outcome(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return f"{label}  [{outcome}]" if label else outcome


def _period(length: int, unit: str) -> str:
    return f"{length}{UNIT_LABELS.get(unit, ' ' + unit)}"


def _money(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for values a trace may hold (fact models, dates, sets, enums)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _value(v: Any) -> str:
    """A trace value for people: 是/否/未知, ISO dates, short lists."""
    if v is True:
        return "是"
    if v is False:
        return "否"
    if v is None:
        return "未知"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return _money(v).replace(",", "")
    if isinstance(v, BaseModel):
        fields = v.model_dump(exclude_none=True)
        return "{" + ", ".join(f"{k}: {_value(getattr(v, k))}" for k in fields) + "}"
    if isinstance(v, (list, tuple, set, frozenset)):
        items = sorted(v, key=str) if isinstance(v, (set, frozenset)) else list(v)
        if len(items) == 2 and isinstance(items[0], int) and isinstance(items[1], str) and items[1] in UNIT_LABELS:
            return _period(items[0], items[1])  # a duration parameter, e.g. (3, 'months')
        shown = ", ".join(_value(x) for x in items[:_MAX_LIST])
        more = f", …（共{len(items)}项）" if len(items) > _MAX_LIST else ""
        return f"[{shown}{more}]"
    if hasattr(v, "value") and isinstance(v.value, str):
        return v.value
    return str(v)


# --- traces ---------------------------------------------------------------------------------
def trace_lines(node: TraceNode, indent: int = 0) -> list[str]:
    """The trace tree as indented ``text = value`` lines (未知 = unknown, （未求值） = not evaluated)."""
    text = _one_line(node.text)
    if node.fact and node.fact != text:
        text += f"（事实 {node.fact}）"
    value = _value(node.value) if node.evaluated else "（未求值）"
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
             f"{pad}原文：“{_one_line(rule.citation.quote)}”"]
    basis = rule.basis
    if basis and basis[0].role == "restated":
        for p in basis[1:]:
            lines.append(f"{pad}上位原文（{cite_zh(p.citation, rule.documents)}）：“{_one_line(p.citation.quote)}”")
            if p.role != "restated":
                break
    for c in rule.also_cites:
        lines.append(f"{pad}并见（{cite_zh(c, rule.documents, with_document=c.document != rule.citation.document)}）："
                     f"“{_one_line(c.quote)}”")
    for item in r.items:
        mark = "" if item.status == "held" else "（未知）"
        lines.append(f"{pad}所涉情形{mark}：{cite_zh(item.citation, with_document=False)}“{_one_line(item.citation.quote)}”")
    if r.status in ("fired", "unknown"):
        for p in rule.parameters:
            lines.append(f"{pad}参数：{p.title.zh} = {_param_value(p.value, p.unit)}（{_cited(p.cited_as, p.citation, titles)}"
                         + _param_change(p) + (f"；取值说明：{_one_line(p.derivation)}" if p.derivation else "") + "）")
    return lines


def _param_change(p: Any) -> str:
    basis = p.basis
    if len(basis) > 1 and basis[0].role == "overridden":
        return f"；变更了 {cite_zh(basis[1].citation, p.documents)} 的规定"
    return ""


def _rule_text(r: RuleResult, titles: Mapping[str, str] | None, pad: str) -> list[str]:
    rule = r.rule
    return [f"{pad}- {rule.id}  {rule.title.zh}",
            f"{pad}  规范：{_modality(rule.modality, rule.in_principle)}"] + citation_lines(r, titles, pad + "  ")


def _measure_text(m: MeasureResult, titles: Mapping[str, str] | None) -> list[str]:
    kind = "应当采取（强制）" if m.mandatory else "可以采取（酌定）"
    tier = f"，第{m.tier}档" if m.tier else ""
    lines = [f"  - {m.measure_id}  {m.title.zh}", f"    性质：{kind}{tier}；规则 {m.rule_id}"]
    if m.base_amount is not None:
        amount = f"基数 {_money(m.base_amount)} 元"
        if m.min_amount is not None:
            amount += f"，最低 {_money(m.min_amount)} 元"
        if m.max_amount is not None:
            amount += f"，{'原则上' if m.in_principle else ''}最高 {_money(m.max_amount)} 元"
        if m.base_fact and m.base_fact.startswith("conduct.itemised_amounts"):
            amount += f"（按第{m.tier}档分项金额）"
        lines.append(f"    金额：{amount}")
    if m.min_duration or m.max_duration:
        lo = _period(*m.min_duration) if m.min_duration else "（不限）"
        hi = _period(*m.max_duration) if m.max_duration else "（不限）"
        lines.append(f"    期限：{lo} 至 {hi}")
    lines.append(f"    依据：{_cited(m.cited_as, m.citation, titles)}")
    return lines


def _deadline_text(d: DeadlineResult, titles: Mapping[str, str] | None) -> list[str]:
    direction = "之后" if d.direction == "after" else "之前"
    lines = [f"  - {d.key}  {d.title.zh}",
             f"    规范：{_modality(d.modality, d.in_principle)}"]
    if d.item is not None:
        lines.append(f"    事项：{_item_label(d)}")
    lines += [f"    起算：{d.start_event.zh}（{_start_label(d)}）",
              (f"    期间：{_period(d.length, d.unit)}，{_counting(d)}{direction}计算" if d.unit != "date"
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
    lines += [f"    依据：{_cited(d.cited_as, d.citation, titles)}", f"    原文：“{_one_line(d.citation.quote)}”"]
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
    outcome = f"{_CALENDAR_UNCERTAIN}  [undetermined]" if _calendar_uncertain(d) else _outcome(d.outcome)
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
                         f"（{_modality(rule.modality, rule.in_principle)}）")
            lines += citation_lines(r, titles, "    ")
            if rule.note:
                lines.append(f"    解读说明：{_one_line(rule.note)}")
            if r.missing:
                lines.append(f"    缺少：{', '.join(r.missing)}")
            if r.trace is not None:
                lines.append(f"    {_condition_head(r)}：")
                lines += ["      " + line for line in trace_lines(r.trace)]
    lines += ["", f"规则包：{d.pack_id}（继承链 {' → '.join(d.pack_chain)}）", f"指纹：{d.pack_fingerprint}"]
    return "\n".join(lines) + "\n"


def decisions_text(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                   explain: bool = False) -> str:
    return "\n".join(decision_text(d, titles=titles, explain=explain) for d in decisions)


# --- decision: Markdown ---------------------------------------------------------------------
def _cell(text: Any) -> str:
    return _one_line(str(text)).replace("|", "\\|") or " "


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
    lines += [f"- 规则包：`{d.pack_id}`（继承链 {' → '.join(d.pack_chain)}）", f"- 指纹：`{d.pack_fingerprint}`"]
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    if rules or d.question != "deadlines":
        lines += ["", "### 已触发的规则", ""] + ([] if fired else ["无", ""])
        for r in fired:
            rule = r.rule
            lines += [f"#### `{rule.id}` {rule.title.zh}", "",
                      f"- 规范：{_modality(rule.modality, rule.in_principle)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "")] + [""]
    if d.measures:
        rows = []
        for m in d.measures:
            amount = ""
            if m.base_amount is not None:
                amount = f"基数 {_money(m.base_amount)} 元" + (
                    f"，最低 {_money(m.min_amount)} 元" if m.min_amount is not None else "") + (
                    f"，{'原则上' if m.in_principle else ''}最高 {_money(m.max_amount)} 元" if m.max_amount is not None else "")
            span = ""
            if m.min_duration or m.max_duration:
                span = (f"{_period(*m.min_duration) if m.min_duration else '（不限）'} 至 "
                        f"{_period(*m.max_duration) if m.max_duration else '（不限）'}")
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
            rows.append([f"`{dl.key}` {dl.title.zh}{item}", _modality(dl.modality, dl.in_principle),
                         f"{dl.start_event.zh}（{_start_label(dl)}）",
                         (f"{_period(dl.length, dl.unit)}{'之后' if dl.direction == 'after' else '之前'}{extra}"
                          if dl.unit != "date" else "文本所定日期" + (f"，自 {dl.opens_on.isoformat()} 起" if dl.opens_on else "")),
                         due, _deadline_status(dl), dl.calendar, _cited(dl.cited_as, dl.citation, titles)])
        lines += ["", "### 期限", ""] + _table(["规则", "规范", "起算", "期间", "届满日", "状态", "历法", "依据"], rows) + [""]
        for dl in d.deadlines:
            lines.append(f"- `{dl.key}` 原文：“{_one_line(dl.citation.quote)}”")
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
                      f"- 规范：{_modality(rule.modality, rule.in_principle)}"]
            lines += ["- " + line for line in citation_lines(r, titles, "")]
            if rule.note:
                lines.append(f"- 解读说明：{_one_line(rule.note)}")
            if r.missing:
                lines.append(f"- 缺少：{', '.join(f'`{f}`' for f in r.missing)}")
            if r.trace is not None:
                lines += [f"- {_condition_head(r)}：", "", "```text"] + trace_lines(r.trace) + ["```"]
            lines.append("")
    return "\n".join(_squeeze(lines)).rstrip("\n") + "\n"


def decisions_markdown(decisions: Iterable[Decision], *, titles: Mapping[str, str] | None = None,
                       explain: bool = False) -> str:
    return "\n".join(decision_markdown(d, titles=titles, explain=explain) for d in decisions)


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out


# --- decision: JSON -------------------------------------------------------------------------
def decisions_json(decisions: Iterable[Decision], *, indent: int | None = 2) -> str:
    """``{"decisions": [decision.to_dict(), …]}`` with the key order of ``to_dict``."""
    data = {"decisions": [d.to_dict() for d in decisions]}
    return json.dumps(data, ensure_ascii=False, indent=indent, default=json_default) + "\n"


# --- resolved packs -------------------------------------------------------------------------
def _param_value(value: Any, unit: str) -> str:
    if isinstance(value, tuple):
        return "、".join(value)
    if unit in ("days", "working_days", "months", "years"):
        return _period(value, unit)
    if unit == "percent":
        return f"{_money(value)}%"
    return f"{_money(value) if isinstance(value, float) else value}{UNIT_LABELS.get(unit, '')}"


def _citation_json(c: Citation, titles: Mapping[str, str]) -> dict[str, Any]:
    return {**c.model_dump(mode="json"), "label": cite(c, titles)}


def norm_difference_dict(n: ResolvedNormDifference) -> dict[str, Any]:
    """A lower-norm record as plain data: both provisions with their quotes and labels, the winner, why."""
    def cites(cs: Any) -> list[dict[str, Any]]:
        return [{**c.model_dump(mode="json"), "label": cite_zh(c, n.documents)} for c in cs]
    return {"id": n.id, "pack": n.pack, "rules": list(n.rules), "prevails": n.prevails, "reason": join_zh(n.reason),
            "lower": cites(n.lower), "higher": cites(n.higher), "reason_cites": cites(n.reason_cites),
            "when": " ".join(n.when.split()) if n.when else None,
            "lower_cited_as": n.lower_cited_as, "higher_cited_as": n.higher_cited_as,
            "provenance": [s.describe() for s in n.provenance], "note": " ".join(n.note.split()) if n.note else None}


def pack_dict(pack: ResolvedPack) -> dict[str, Any]:
    """The flattened pack as plain data (what ``resolve --format json`` prints)."""
    titles = source_titles(pack)
    return {
        "id": pack.id, "name": pack.name.model_dump(), "level": pack.level, "chain": list(pack.chain),
        "fingerprint": pack.fingerprint,
        "sources": [{**s.document.model_dump(mode="json"), "pack": s.pack} for s in pack.sources.values()],
        "parameters": [{"id": p.id, "title": p.title.model_dump(), "value": list(p.value) if isinstance(p.value, tuple)
                        else p.value, "unit": p.unit, "citation": _citation_json(p.citation, titles),
                        "cited_as": p.cited_as, "derivation": p.derivation, "basis": [basis_dict(b) for b in p.basis],
                        "provenance": [s.describe() for s in p.provenance], "note": p.note}
                       for p in pack.parameters.values()],
        "item_lists": [{"id": lst.id, "pack": lst.pack, "title": lst.title.model_dump() if lst.title else None,
                        "items": [{"citation": _citation_json(i.citation, titles), "cited_as":
                                   cite_zh(i.citation, pack.sources and {k: v.document for k, v in pack.sources.items()}),
                                   "when": i.when} for i in lst.items]} for lst in pack.item_lists.values()],
        "rules": [{"id": r.id, "kind": r.kind, "title": r.title.model_dump(), "modality": r.modality,
                   "in_principle": r.in_principle, "when": r.when, "requires": r.requires,
                   "applies_when": r.applies_when, "fires_when": "false" if r.fires_on is False else "true",
                   "outcome": r.outcome, "questions": list(r.questions),
                   "deadline": r.deadline.model_dump(mode="json") if r.deadline else None,
                   "measures": [m.measure.model_dump(mode="json", exclude_none=True) for m in r.measures],
                   "tier": r.tier, "citation": _citation_json(r.citation, titles), "cited_as": r.cited_as,
                   "basis": [basis_dict(b) for b in r.basis], "item_lists": [lst.id for lst in r.item_lists],
                   "provenance": [s.describe() for s in r.provenance], "note": r.note} for r in pack.rules],
        "repealed": [{"id": r.id, "pack": r.pack, "reason": r.reason, "citation": _citation_json(r.citation, titles),
                      "provenance": [s.describe() for s in r.provenance]} for r in pack.repealed],
        "norm_differences": [norm_difference_dict(n) for n in pack.norm_differences],
        "warnings": [w.to_dict() for w in pack.warnings],
    }


def _pack_sections(pack: ResolvedPack) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """(section heading, [(entry head, detail lines)]): the one layout text and Markdown share."""
    titles = source_titles(pack)
    sources = []
    for sid, s in pack.sources.items():
        doc = s.document
        details = [f"发布：{doc.issuer}" + (f"，{doc.issued}" if doc.issued else ""),
                   f"施行：{doc.in_force or '未定'}" + (f"，有效期至 {doc.expires}" if doc.expires else "")
                   + f"；状态 {doc.status}", f"文本：{doc.file}（规则包 {s.pack}）"]
        sources.append((f"{sid}  《{doc.title}》" + (f"（{doc.number}）" if doc.number else ""), details))
    params = [(f"{p.id} = {_param_value(p.value, p.unit)}  {p.title.zh}",
               [f"依据：{p.cited_as or cite(p.citation, titles)} “{_one_line(p.citation.quote)}”"]
               + ([f"取值说明：{_one_line(p.derivation)}"] if p.derivation else [])
               + [f"来历：{s.describe()}" for s in p.provenance] + ([f"说明：{_one_line(p.note)}"] if p.note else []))
              for p in pack.parameters.values()]
    sections = [("来源文件", sources), ("参数", params)]
    for kind, label in KIND_LABELS.items():
        entries = []
        for r in (r for r in pack.rules if r.kind == kind):
            details = [f"规范：{_modality(r.modality, r.in_principle)}"]
            for name, text, head in (("when", r.when, "条件（满足时触发）"), ("requires", r.requires, "要求（不满足时触发）"),
                                     ("applies_when", r.applies_when, "适用条件")):
                if text:
                    details.append(f"{head}：{_one_line(text)}")
            if r.deadline:
                dl = r.deadline
                length = (f"{_period(*r.deadline_length)}（{dl.length}）" if r.deadline_length and dl.length
                          else f"届满日 {_one_line(dl.on)}" if dl.on else dl.length)
                details.append(f"期限：自{dl.start_event.zh}（{_one_line(dl.start)}）{'之后' if dl.direction == 'after' else '之前'}"
                               f" {length}" + ("，遇非工作日顺延" if dl.roll_to_working_day else "")
                               + (f"，另加 {dl.extend_days} 日" if dl.extend_days else "")
                               + (f"，完成日 {dl.done_on}" if dl.done_on else ""))
            for m in r.measures:
                extra = ""
                if m.measure.amount:
                    extra += f"；金额基数 {m.measure.amount.base}，比例 {m.min_rate or 0:g}%–{m.max_rate or 0:g}%"
                if m.min_duration or m.max_duration:
                    extra += (f"；期限 {_period(*m.min_duration) if m.min_duration else '（不限）'} 至 "
                              f"{_period(*m.max_duration) if m.max_duration else '（不限）'}")
                details.append(f"措施：{m.measure.id} {m.measure.title.zh}{extra}")
            if r.tier:
                details.append(f"档次：第{r.tier}档")
            if r.outcome:
                details.append(f"结论：{_outcome(r.outcome)}")
            if r.questions:
                details.append(f"问题：{', '.join(r.questions)}")
            details += [f"依据：{r.cited_as or cite(r.citation, titles)}", f"原文：“{_one_line(r.citation.quote)}”"]
            for b in r.basis[1:]:
                details.append(f"上位规定（{ {'restated': '重述', 'overridden': '变更', 'defined': '原定'}[b.role]}，{b.pack}）："
                               f"{cite_zh(b.citation, r.documents)} “{_one_line(b.citation.quote)}”")
            for c in r.also_cites:
                details.append(f"并见：{cite_zh(c, r.documents)} “{_one_line(c.quote)}”")
            for lst in r.item_lists:
                details += [f"所列情形 @{lst.id}：{cite_zh(i.citation, with_document=False)} “{_one_line(i.citation.quote)}”"
                            f"（条件 {_one_line(i.when)}）" for i in lst.items]
            details += [f"与上位规定不一致：{n.id}（{n.pack} 记录，适用{'上位' if n.prevails == 'higher' else '本级'}规定）"
                        for n in r.norm_differences]
            details += [f"来历：{s.describe()}" for s in r.provenance]
            if r.note:
                details.append(f"说明：{_one_line(r.note)}")
            entries.append((f"{r.id}  {r.title.zh}（{r.title.en}）", details))
        if entries:
            sections.append((f"规则：{label}（{kind}）", entries))
    repealed = [(f"{r.id}（由 {r.pack} 废止）", [f"理由：{_one_line(r.reason)}", f"依据：{cite(r.citation, titles)}"]
                 + [f"来历：{s.describe()}" for s in r.provenance]) for r in pack.repealed]
    sections.append(("已废止的规则", repealed))
    norms = [(f"{n.id}  由 {n.pack} 记录",
              [f"本级：{n.lower_cited_as} " + "…".join(f"“{_one_line(c.quote)}”" for c in n.lower),
               f"上位：{n.higher_cited_as} " + "…".join(f"“{_one_line(c.quote)}”" for c in n.higher),
               f"适用：{'上位规定' if n.prevails == 'higher' else '本级规定'}；理由：{join_zh(n.reason)}"]
              + ([f"理由依据：{n.reason_cited_as} " + "…".join(f"“{_one_line(c.quote)}”" for c in n.reason_cites)]
                 if n.reason_cites else [])
              + [f"涉及规则：{', '.join(n.rules) or '无'}"]
              + ([f"提示条件：{_one_line(n.when)}"] if n.when else []) + [f"来历：{s.describe()}" for s in n.provenance]
              + ([f"说明：{_one_line(n.note)}"] if n.note else []))
             for n in pack.norm_differences]
    if norms:
        sections.append(("下位规定与上位规定不一致", norms))
    return sections


def pack_text(pack: ResolvedPack) -> str:
    """The flattened pack for people: metadata, sources, parameters, rules by kind, repeals."""
    lines = [f"规则包 {pack.id}：{pack.name.zh}（{pack.name.en}）", f"层级：{pack.level}",
             f"继承链：{' → '.join(pack.chain)}", f"指纹：{pack.fingerprint}",
             f"规则 {len(pack.rules)} 条，参数 {len(pack.parameters)} 个，已废止 {len(pack.repealed)} 条"]
    for heading, entries in _pack_sections(pack):
        lines += ["", f"{heading}（{len(entries)}）：" + ("" if entries else "无")]
        for head, details in entries:
            lines.append(f"  - {head}")
            lines += [f"    {d}" for d in details]
    return "\n".join(lines) + "\n"


def pack_markdown(pack: ResolvedPack) -> str:
    lines = [f"# 规则包 `{pack.id}`：{pack.name.zh}", "", f"- 英文名：{pack.name.en}", f"- 层级：{pack.level}",
             f"- 继承链：{' → '.join(pack.chain)}", f"- 指纹：`{pack.fingerprint}`",
             f"- 规则 {len(pack.rules)} 条，参数 {len(pack.parameters)} 个，已废止 {len(pack.repealed)} 条"]
    for heading, entries in _pack_sections(pack):
        lines += ["", f"## {heading}（{len(entries)}）", ""] + ([] if entries else ["无"])
        for head, details in entries:
            ident, _, rest = head.partition("  ")
            lines += [f"### `{ident}` {rest}".rstrip(), ""] + [f"- {d}" for d in details] + [""]
    return "\n".join(_squeeze(lines)).rstrip("\n") + "\n"


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
