"""HTML pages of the reports: two packs side by side (``diff --format html``), with both sides'
citations, quotes and whole articles, and every article of each document coloured by its coverage
status (``coverage --format html``). The records are ``diff_report``'s and ``coverage_status``'s;
the page layout is in the templates (``render/templates``), rendered by ``render.html``."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import Diagnostic
from ..packs.articles import zh_numeral
from ..packs.resolved import ResolvedPack, ResolvedParameter, ResolvedRule, RepealedRule
from ..render.html import render_page
from ..render.html_decision import basis_citations, citation_groups, label, provenance_steps
from ..render.labels import param_value
from ..render.law_text import article_paragraphs
from .coverage_status import STATUSES, CoverageReport, DocumentReport
from .diff_report import PackDiff, squash

__all__ = ["COVERAGE_STATUS_LABELS", "COVERAGE_STATUS_MEANINGS", "coverage_html", "diff_html"]

PARAMETER_CHANGES = {"changed": "B 变更", "only_in_b": "B 新增", "only_in_a": "仅 A 有", "restated": "B 重述"}
RULE_CHANGES = {"added": "B 新增", "overridden": "B 覆盖（修改）", "changed": "定义不同", "parameters": "所用参数值不同",
                "repealed": "B 废止", "removed": "仅 A 有", "restated": "B 以自己的条文重述"}
NORM_CHANGES = {"only_in_a": "仅 A 记录", "only_in_b": "B 记录", "changed": "B 记录不同"}
FIELD_LABELS = {"kind": "类别", "title": "标题", "modality": "规范性质", "in_principle": "原则上", "condition": "条件",
                "outcome": "结果", "measures": "处理措施", "deadline": "期限", "tier": "档次", "questions": "问题",
                "citation": "引用", "value": "取值", "unit": "单位"}
COVERAGE_STATUS_LABELS = {"decided": "规则决定", "restated": "重述", "parameter_only": "仅参数引用",
                          "repeal_only": "仅废止引用", "classified": "已分类", "unaccounted": "未说明"}
COVERAGE_STATUS_MEANINGS = {
    "decided": "有规则决定该条：规则的引用或并见、覆盖，或规则所用清单（@id）的某一项引用该条",
    "restated": "只有下级规则包对继承规则的重述引用该条",
    "parameter_only": "只有参数引用该条（没有规则读取该参数）",
    "repeal_only": "只有废止引用该条",
    "classified": "无引用；规则包的 coverage.yaml 给出分类和理由",
    "unaccounted": "以上都没有：该条尚未说明",
}


# --- diff ---------------------------------------------------------------------------------------
def _pack(p: ResolvedPack, lang: str) -> dict[str, str]:
    return {"id": p.id, "name": p.name.zh if lang == "zh" else p.name.en, "chain": " → ".join(p.chain)}


def _rule_side(rule: ResolvedRule | None, pack: ResolvedPack, lang: str) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"title": rule.title.zh if lang == "zh" else rule.title.en, "cited_as": rule.cited_as,
            "groups": citation_groups(pack, basis_citations(rule.basis, rule.citation, rule.also_cites, lang), lang),
            "provenance": provenance_steps(rule.provenance, pack, lang)}


def _param_side(p: ResolvedParameter | None, pack: ResolvedPack, lang: str) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"title": p.title.zh if lang == "zh" else p.title.en, "value": param_value(p.value, p.unit),
            "cited_as": p.cited_as, "groups": citation_groups(pack, basis_citations(p.basis, p.citation, (), lang), lang),
            "provenance": provenance_steps(p.provenance, pack, lang)}


def _repeal(rep: RepealedRule | None, pack: ResolvedPack, lang: str) -> dict[str, Any] | None:
    if rep is None:
        return None
    return {"pack": rep.pack, "reason": squash(rep.reason),
            "groups": citation_groups(pack, [("废止依据" if lang == "zh" else "repealed by", rep.citation)], lang)}


def diff_html(d: PackDiff, *, lang: str = "zh") -> str:
    """Two packs side by side: each differing parameter and rule with both sides' citations,
    quoted words and whole articles; a repeal with its reason and provision."""
    a, b = d.a, d.b
    params = [{"id": p.id, "title": p.title.zh if lang == "zh" else p.title.en,
               "change": label(PARAMETER_CHANGES, p.change, lang),
               "fields": [label(FIELD_LABELS, f, lang) for f in p.fields], "notes": list(p.notes),
               "a": _param_side(p.a, a, lang), "b": _param_side(p.b, b, lang), "open": p.change != "restated"}
              for p in sorted(d.parameters, key=lambda p: list(PARAMETER_CHANGES).index(p.change))]
    rules = []  # in the order of RULE_CHANGES: what changes a decision first, restatements last
    for r in sorted(d.rules, key=lambda r: list(RULE_CHANGES).index(r.change)):
        repeal_pack = b if r.change == "repealed" else a
        rules.append({"id": r.id, "title": r.rule.title.zh if lang == "zh" else r.rule.title.en,
                      "change": r.change, "change_label": label(RULE_CHANGES, r.change, lang),
                      "fields": [(label(FIELD_LABELS, f.field, lang), f.a, f.b) for f in r.fields
                                 if f.field != "citation"],
                      "parameters": list(r.parameters), "notes": list(r.notes),
                      "a": _rule_side(r.a, a, lang), "b": _rule_side(r.b, b, lang),
                      "repeal": _repeal(r.repeal, repeal_pack, lang), "open": r.change != "restated"})
    norms = [{"id": n.id, "change": label(NORM_CHANGES, n.change, lang), "pack": n.record.pack,
              "lower": n.record.lower_cited_as, "lower_quotes": [c.quote for c in n.record.lower],
              "higher": n.record.higher_cited_as, "higher_quotes": [c.quote for c in n.record.higher],
              "reason": squash(n.record.reason), "rules": list(n.record.rules)} for n in d.norm_differences]
    counts = [(label(PARAMETER_CHANGES, c, lang) + ("的参数" if lang == "zh" else " (parameters)"),
               sum(p.change == c for p in d.parameters)) for c in PARAMETER_CHANGES]
    counts += [(label(RULE_CHANGES, c, lang) + ("的规则" if lang == "zh" else " (rules)"), len(d.rules_by(c)))
               for c in RULE_CHANGES]
    return render_page("diff.html.j2", lang=lang, a=_pack(a, lang), b=_pack(b, lang), identical=d.identical,
                       counts=[(name, n) for name, n in counts if n], parameters=params, rules=rules, norms=norms)


# --- coverage -----------------------------------------------------------------------------------
def _document(doc: DocumentReport, lang: str) -> dict[str, Any]:
    texts: dict[int, list[str]] = {}
    for art in doc.articles:
        texts.setdefault(art.number, article_paragraphs(art))
    articles = [{"number": n, "heading": f"第{zh_numeral(n)}条", "status": status,
                 "label": label(COVERAGE_STATUS_LABELS, status, lang), "detail": detail,
                 "paragraphs": texts.get(n, [])} for n, status, detail in doc.rows()]
    return {"document": doc.document, "title": doc.title, "file": doc.file.name, "forwards": doc.forwards,
            "forward_reason": doc.forward_reason, "accounted": doc.accounted, "total": doc.total,
            "percent": f"{doc.percent:.1f}", "articles": articles,
            "counts": [(s, label(COVERAGE_STATUS_LABELS, s, lang), n) for s, n in doc.counts.items() if n]}


def coverage_html(reports: Sequence[CoverageReport], broken: Sequence[tuple[str, Sequence[Diagnostic]]] = (), *,
                  lang: str = "zh") -> str:
    """Every article of each pack's documents coloured by status, with a legend, what cites each
    article (or its class and reason) and its text; packs that did not load are named with their errors."""
    legend = [(s, label(COVERAGE_STATUS_LABELS, s, lang), COVERAGE_STATUS_MEANINGS[s] if lang == "zh" else s)
              for s in STATUSES]
    packs = [{"pack": r.pack, "accounted": r.accounted, "total": r.total, "percent": f"{r.percent:.1f}",
              "documents": [_document(doc, lang) for doc in r.documents],
              "errors": [x.format().splitlines()[0] for x in r.errors]} for r in reports]
    failed = [{"pack": ref, "errors": [x.format().splitlines()[0] for x in diags if x.severity == "error"]}
              for ref, diags in broken]
    return render_page("coverage.html.j2", lang=lang, legend=legend, packs=packs, failed=failed)
