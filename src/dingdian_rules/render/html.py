"""HTML pages: one self-contained page per report (inline CSS and a little inline JS, no network),
rendered from Jinja2 templates with autoescaping on, never by joining strings of HTML.

Jinja2 is imported only when a page is asked for, so evaluation and the other formats never pay for
it (tests/test_layout.py checks that a plain ``evaluate`` does not load it). This module holds the
environment, the words of the pages in both languages and ``render_page``; the decision page is
built by ``html_decision``, the diff and coverage pages by ``analysis.report_html``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .labels import value_text
from ..facts.plain import fact_label as _fact_label

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["UI", "environment", "fact_label", "render_page", "ui_words"]

# The words of the page itself (headings, legends); data labels come from ``labels`` and the views.
UI: dict[str, dict[str, str]] = {
    "zh": {
        "decision_title": "决定报告", "outcome": "结论", "modality": "规范性质", "as_of": "评估日期", "case": "案例",
        "pack": "规则包", "chain": "继承链", "fingerprint": "指纹", "decision_id": "决定编号",
        "rules": "候选规则", "rules_note": "按评估顺序列出每条候选规则；点击条件的各层可展开其求值。",
        "expand": "全部展开", "collapse": "全部折叠", "basis": "依据", "quote": "原文", "higher": "上位原文",
        "also": "并见", "item": "所涉情形", "article": "全文", "provenance": "来源链", "parameters": "所用参数",
        "param": "参数", "value": "取值", "set_by": "设定依据", "note": "解读说明", "missing": "缺少的事实",
        "condition_true": "条件（满足时触发）", "condition_false": "要求（不满足时触发）",
        "no_trace": "未记录求值过程（用 explain 查看）", "not_evaluated": "未求值", "unknown": "未知",
        "fact": "事实", "measures": "处理措施", "deadlines": "期限", "warnings": "警告", "combination": "规则如何合并",
        "missing_intro": "以下事实未提供；补充后可以确定这些规则：", "would_decide": "可确定的规则",
        "if_fired": "若触发", "start": "起算", "due": "届满日", "done": "完成", "today": "评估日", "opens": "期间开始",
        "status": "状态", "none": "无", "no_article": "来源文本中找不到该条。",
        "no_source": "该文件的来源文本无法读取。",
        "quote_not_found": "引文未在该条中找到（可能来源文本已修改），下面显示该条全文，未作标注。",
        "fired_count": "触发", "legend": "图例", "rule": "规则", "cited_as": "引用",
        "diff_title": "规则包比较", "coverage_title": "条文覆盖", "summary": "概要", "identical": "两个规则包决定相同。",
        "change": "变化", "field": "字段", "reason": "理由", "repealed_by": "废止于", "articles": "条文",
        "accounted": "已说明", "forwards": "转发", "cited_by": "引用者", "class": "分类", "did_not_load": "未能加载",
        "text_of": "条文", "norm_differences": "下位规定差异", "lower": "下位规定", "higher_norm": "上位规定",
        "prevails": "适用",
    },
    "en": {
        "decision_title": "Decision report", "outcome": "Outcome", "modality": "Modality", "as_of": "As of",
        "case": "Case", "pack": "Pack", "chain": "Chain", "fingerprint": "Fingerprint", "decision_id": "Decision id",
        "rules": "Candidate rules", "rules_note": "Every candidate rule in evaluation order; click a condition's "
        "levels to open their evaluation.", "expand": "Expand all", "collapse": "Collapse all", "basis": "Basis",
        "quote": "Quote", "higher": "Higher provision", "also": "See also", "item": "Item", "article": "Full text",
        "provenance": "Provenance", "parameters": "Parameters used", "param": "Parameter", "value": "Value",
        "set_by": "Set by", "note": "Reading note", "missing": "Missing facts",
        "condition_true": "Condition (fires when true)", "condition_false": "Requirement (fires when not met)",
        "no_trace": "No trace recorded (use explain)", "not_evaluated": "not evaluated", "unknown": "unknown",
        "fact": "fact", "measures": "Measures", "deadlines": "Deadlines", "warnings": "Warnings",
        "combination": "How rules were combined",
        "missing_intro": "These facts were not given; giving them settles these rules:", "would_decide": "Would settle",
        "if_fired": "if fired", "start": "start", "due": "last day", "done": "done", "today": "as of",
        "opens": "opens", "status": "Status", "none": "none", "no_article": "The source text has no such article.",
        "no_source": "The source text of this document cannot be read.",
        "quote_not_found": "The quote was not found in this article (the source text may have changed); the "
        "article is shown unmarked.", "fired_count": "fired", "legend": "Legend", "rule": "Rule",
        "cited_as": "Cited as", "diff_title": "Pack comparison", "coverage_title": "Article coverage",
        "summary": "Summary", "identical": "The two packs decide alike.", "change": "Change", "field": "Field",
        "reason": "Reason", "repealed_by": "Repealed by", "articles": "Articles", "accounted": "accounted for",
        "forwards": "forwards", "cited_by": "Cited by", "class": "Class", "did_not_load": "did not load",
        "text_of": "Text", "norm_differences": "Lower-norm differences", "lower": "Lower provision",
        "higher_norm": "Higher provision", "prevails": "Prevails",
    },
}


def ui_words(lang: str) -> dict[str, str]:
    """The page's words in ``lang`` (zh or en; anything else reads as zh)."""
    return UI.get(lang, UI["zh"])


def fact_label(path: str) -> str:
    """A fact's Chinese label, or its dotted path when it has none (a path the fact models do not
    define, such as a quantifier variable's)."""
    return _fact_label(path) or path


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates' environment (built once): autoescape on for every template, undefined names
    an error rather than an empty string."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("dingdian_rules.render", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["value_text"] = value_text
    env.globals["fact_label"] = fact_label
    return env


def render_page(template: str, *, lang: str = "zh", **context: Any) -> str:
    """One template rendered as a whole page, with the page's words (``ui``) and ``lang``."""
    return environment().get_template(template).render(lang=lang if lang in UI else "zh", ui=ui_words(lang),
                                                        **context)
