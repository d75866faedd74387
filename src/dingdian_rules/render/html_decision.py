"""The HTML decision page (``decisions_html``) and what it shows, as plain records the template lays out: each rule with its
citations grouped by article (the whole article, quotes marked), provenance, parameters and trace;
deadlines with the places of their days on a timeline; missing facts with the rules they would
settle. Kept apart from the template so the choices (what is cited, what a timeline spans) are
Python that tests can read, and the template stays layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from ..evaluation.decision import Decision, DeadlineResult, MeasureResult, RuleResult
from ..packs.articles import zh_numeral
from ..packs.resolved import CitedProvision, ProvenanceStep, ResolvedPack, ResolvedParameter, cite_zh
from .decisions import rules_needing
from .html import fact_label, render_page, ui_words
from .labels import (DEADLINE_STATUS_LABELS, KIND_LABELS, MODALITY_LABELS, OUTCOME_LABELS, QUESTION_LABELS,
                     STATUS_LABELS, money, one_line, param_value, period_label)
from .law_text import ArticleView, quoted_article

if TYPE_CHECKING:
    from ..packs.schema import Citation

__all__ = ["CitationGroup", "DeadlineView", "MissingFact", "RuleView", "basis_citations", "citation_groups", "decision_view",
           "decisions_html", "label", "provenance_steps"]

PROVENANCE_LABELS = {"defined": "制定", "inherited": "沿用（未改动）", "restated": "重述", "overridden": "修改",
                     "repealed": "废止"}
LEVEL_LABELS = {"national": "国家", "province": "省", "city": "市", "agreement": "协议"}
_CALENDAR_UNCERTAIN = "无法确定（取决于尚未公布的调休安排）"


def label(labels: dict[str, str], code: str | None, lang: str) -> str:
    """A code's Chinese label, or in English the code in words (``not_fired`` → ``not fired``)."""
    if code is None:
        return ""
    return labels.get(code, code) if lang == "zh" else code.replace("_", " ")


@dataclass
class CitationGroup:
    """The provisions of one rule that cite one article, and that article with their quotes marked."""

    title: str  # 《办法》第十二条
    entries: list[tuple[str, str, str]]  # (role, citation as an officer writes it, quote)
    article: ArticleView


@dataclass
class RuleView:
    id: str
    title: str
    status: str
    status_label: str
    modality: str
    kind: str
    outcome: str
    cited_as: str
    groups: list[CitationGroup]
    provenance: list[dict[str, str]]
    parameters: list[dict[str, str]]
    note: str | None
    missing: list[tuple[str, str]]
    condition_head: str
    trace: Any  # TraceNode | None


@dataclass
class DeadlineView:
    key: str
    title: str
    status: str  # the code ('' when unknown), for the colour
    status_label: str
    rows: list[tuple[str, str]]
    markers: list[dict[str, Any]] = field(default_factory=list)  # label, day, left (percent)
    span: tuple[float, float] | None = None  # the period on the timeline (percent from, to)
    cited_as: str = ""
    group: CitationGroup | None = None  # the article the limit cites, with its quote marked


@dataclass
class MissingFact:
    path: str
    label: str
    rules: list[tuple[str, str, str]]  # (rule id, title, what firing would mean)


def _titles(pack: ResolvedPack) -> dict[str, str]:
    return {sid: src.document.title for sid, src in pack.sources.items()}


def citation_groups(pack: ResolvedPack, cites: list[tuple[str, Citation]], lang: str = "zh") -> list[CitationGroup]:
    """Citations grouped by the article they cite, in the order first cited, each article whole
    from the pack chain's text with every quote of the group marked."""
    titles = _titles(pack)
    documents = {s: v.document for s, v in pack.sources.items()}
    groups: dict[tuple[str, int], list[tuple[str, Citation]]] = {}
    for role, c in cites:
        groups.setdefault((c.document, c.article), []).append((role, c))
    out = []
    for (document, number), items in groups.items():
        quotes = list(dict.fromkeys(c.quote for _, c in items))
        title = titles.get(document)
        head = (f"《{title}》" if title else document + " ") + f"第{zh_numeral(number)}条"
        entries = list(dict.fromkeys((role, cite_zh(c, documents), c.quote) for role, c in items))
        out.append(CitationGroup(head, entries, quoted_article(pack, document, number, quotes)))
    return out


def basis_citations(basis: tuple[CitedProvision, ...], citation: Citation, also_cites: tuple[Citation, ...],
                    lang: str = "zh") -> list[tuple[str, Citation]]:
    """(role, citation) of a rule's or parameter's provisions, nearest first: 依据, then the higher
    provisions (上位原文) it restates or changes, each followed by its further citations (并见)."""
    ui = ui_words(lang)
    cites: list[tuple[str, Citation]] = []
    for i, p in enumerate(basis):
        cites.append((ui["basis"] if i == 0 else ui["higher"], p.citation))
        cites += [(ui["also"], c) for c in p.also_cites]
    if not basis:
        cites.append((ui["basis"], citation))
        cites += [(ui["also"], c) for c in also_cites]
    return cites


def _citations(r: RuleResult, lang: str) -> list[tuple[str, Citation]]:
    ui = ui_words(lang)
    rule = r.rule
    return basis_citations(rule.basis, rule.citation, rule.also_cites, lang) + [
        (ui["item"] + ("" if item.status == "held" else f"（{ui['unknown']}）"), item.citation) for item in r.items]


def provenance_steps(steps: tuple[ProvenanceStep, ...], pack: ResolvedPack, lang: str) -> list[dict[str, str]]:
    """Each step of a chain (national → province → city) with its action in words, the pack's name
    and level, the provision it cites and its note."""
    names = {m.id: (m.name.zh if lang == "zh" else m.name.en, m.level) for m in pack.metas}
    docs = {s: v.document for s, v in pack.sources.items()}
    out = []
    for s in steps:
        name, level = names.get(s.pack, (s.pack, ""))
        out.append({"action": s.action, "label": label(PROVENANCE_LABELS, s.action, lang), "pack": s.pack,
                    "name": name, "level": label(LEVEL_LABELS, level, lang),
                    "cite": cite_zh(s.citation, docs) if s.citation else "", "note": one_line(s.note)})
    return out


def _parameter(p: ResolvedParameter, pack: ResolvedPack, lang: str) -> dict[str, str]:
    basis = p.basis
    change = ""
    if len(basis) > 1 and basis[0].role == "overridden":
        change = f"修改了 {cite_zh(basis[1].citation, p.documents)} 的规定" if lang == "zh" else \
            f"changes {cite_zh(basis[1].citation, p.documents)}"
    return {"id": p.id, "title": p.title.zh if lang == "zh" else p.title.en, "value": param_value(p.value, p.unit),
            "cited_as": p.cited_as, "set_by": basis[0].pack if basis else "", "change": change,
            "derivation": one_line(p.derivation or "")}


def _rule(r: RuleResult, pack: ResolvedPack, lang: str) -> RuleView:
    rule = r.rule
    ui = ui_words(lang)
    modality = label(MODALITY_LABELS, rule.modality, lang) + (("（原则上）" if lang == "zh" else " (in principle)")
                                                              if rule.in_principle else "")
    params = [_parameter(p, pack, lang) for p in rule.parameters] if r.status in ("fired", "unknown") else []
    return RuleView(
        id=rule.id, title=rule.title.zh if lang == "zh" else rule.title.en, status=r.status,
        status_label=label(STATUS_LABELS, r.status, lang), modality=modality, kind=label(KIND_LABELS, rule.kind, lang),
        outcome=label(OUTCOME_LABELS, rule.outcome, lang), cited_as=rule.cited_as,
        groups=citation_groups(pack, _citations(r, lang), lang), provenance=provenance_steps(rule.provenance, pack, lang),
        parameters=params, note=rule.note, missing=[(f, fact_label(f)) for f in r.missing],
        condition_head=ui["condition_false"] if rule.fires_on is False else ui["condition_true"], trace=r.trace)


# --- deadlines ----------------------------------------------------------------------------------
def _day(d: date | None) -> str:
    return d.isoformat() if d else "—"


def _deadline(d: DeadlineResult, pack: ResolvedPack, lang: str) -> DeadlineView:
    ui = ui_words(lang)
    status = d.status or ""
    status_label = label(DEADLINE_STATUS_LABELS, status, lang) if status else ("无法确定" if lang == "zh" else
                                                                                 "cannot be determined")
    period = period_label(d.length, d.unit) if d.unit != "date" else ("文本所定日期" if lang == "zh" else "a set day")
    rows = [(ui["modality"], label(MODALITY_LABELS, d.modality, lang)), (ui["start"], f"{d.start_event.zh if lang == 'zh' else d.start_event.en}（{_day(d.start)}）"),
            (ui["due"], _day(d.due) + (f"（由 {d.rolled_from.isoformat()} 顺延）" if d.rolled_from else "")),
            ("期间" if lang == "zh" else "period", period + (f" + {d.extra_days}日" if d.extra_days else "")),
            ("历法" if lang == "zh" else "calendar", d.calendar)]
    if d.missing:
        rows.append((ui["missing"], "、".join(fact_label(f) for f in d.missing)))
    view = DeadlineView(d.key, d.title.zh if lang == "zh" else d.title.en, status, status_label, rows,
                        cited_as=d.cited_as, group=citation_groups(pack, [(ui["basis"], d.citation)], lang)[0])
    days = [(ui["start"], d.start), (ui["opens"], d.opens_on), (ui["due"], d.due), (ui["today"], d.as_of),
            (ui["done"], d.done_on)]
    known = [(name, day) for name, day in days if day is not None]
    if d.due is None or len(known) < 2:
        return view
    lo, hi = min(day for _, day in known), max(day for _, day in known)
    width = max((hi - lo).days, 1)

    def left(day: date) -> float:
        return round(4 + 92 * (day - lo).days / width, 1)
    # alternate rows in time order, so neighbouring labels never share a row; the outermost
    # labels are anchored at their pin's side so they stay inside the timeline
    known.sort(key=lambda x: x[1])
    view.markers = [{"label": name, "day": day.isoformat(), "left": left(day), "row": i % 2,
                     "anchor": "start" if left(day) < 12 else "end" if left(day) > 88 else "middle"}
                    for i, (name, day) in enumerate(known)]
    begin = d.opens_on or d.start
    if begin is not None:
        view.span = (min(left(begin), left(d.due)), max(left(begin), left(d.due)))
    return view


def _measure(m: MeasureResult, lang: str) -> dict[str, str]:
    amount = ""
    if m.base_amount is not None:
        amount = f"基数 {money(m.base_amount)} 元" + (f"，最低 {money(m.min_amount)} 元" if m.min_amount is not None else "") \
            + (f"，最高 {money(m.max_amount)} 元" if m.max_amount is not None else "")
    span = ""
    if m.min_duration or m.max_duration:
        span = (f"{period_label(*m.min_duration) if m.min_duration else '（不限）'} 至 "
                f"{period_label(*m.max_duration) if m.max_duration else '（不限）'}")
    return {"id": m.measure_id, "title": m.title.zh if lang == "zh" else m.title.en, "rule": m.rule_id,
            "mandatory": ("应当（强制）" if m.mandatory else "可以（酌定）") if lang == "zh" else
            ("mandatory" if m.mandatory else "optional"), "amount": amount, "span": span, "cited_as": m.cited_as}


# --- the decision -------------------------------------------------------------------------------
def _missing(d: Decision, lang: str) -> list[MissingFact]:
    """Each missing fact with the unknown rules that need it, and what each would decide if it fired."""
    return [MissingFact(f, fact_label(f), [(r.id, r.rule.title.zh if lang == "zh" else r.rule.title.en,
                                            label(OUTCOME_LABELS, r.rule.outcome, lang)) for r in rules])
            for f, rules in rules_needing(d).items()]


def decision_view(d: Decision, pack: ResolvedPack, lang: str = "zh") -> dict[str, Any]:
    """Everything the page shows of one decision."""
    rules = d.rules
    fired = [r for r in rules if r.status == "fired"]
    uncertain = d.outcome == "undetermined" and any(w.code == "calendar-uncertain" for w in d.warnings)
    outcome = _CALENDAR_UNCERTAIN if uncertain and lang == "zh" else label(OUTCOME_LABELS, d.outcome, lang)
    modalities = list(dict.fromkeys(label(MODALITY_LABELS, r.rule.modality, lang) for r in fired))
    return {
        "question": d.question, "question_label": label(QUESTION_LABELS, d.question, lang),
        "outcome": d.outcome, "outcome_label": outcome, "modality": "、".join(modalities),
        "as_of": d.as_of.isoformat(), "case_id": d.case_id, "pack_id": d.pack_id, "chain": " → ".join(d.pack_chain),
        "fingerprint": d.pack_fingerprint, "decision_id": d.decision_id,
        "counts": [(s, label(STATUS_LABELS, s, lang), sum(1 for r in rules if r.status == s)) for s in STATUS_LABELS],
        "rules": [_rule(r, pack, lang) for r in rules],
        "measures": [_measure(m, lang) for m in d.measures],
        "deadlines": [_deadline(x, pack, lang) for x in d.deadlines],
        "warnings": [(w.code, w.message) for w in d.warnings], "combination": list(d.combination),
        "missing": _missing(d, lang) if d.outcome == "undetermined" else [],
    }


def decisions_html(decisions: Iterable[Decision], pack: ResolvedPack, *, lang: str = "zh") -> str:
    """The decisions of one case as one page: outcome, every candidate rule with its trace and the
    whole cited articles, provenance, parameters, deadlines on a timeline, missing facts."""
    return render_page("decision.html.j2", lang=lang, decisions=[decision_view(d, pack, lang) for d in decisions],
                       pack=pack)
