"""Views of a resolved pack (what ``dingdian-rules resolve`` prints): plain data, text and Markdown,
with every parameter and rule, its citation and its provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from ..evaluation.decision import basis_dict
from ..packs.resolved import ResolvedNormDifference, ResolvedPack, cite_zh, join_zh
from .labels import (KIND_LABELS, LEVEL_LABELS, PACK_STATUS_LABELS, cite, label, modality_label, one_line, outcome_label,
                     param_value, period_label, source_titles, squeeze, tr)

if TYPE_CHECKING:
    from ..packs.schema import Citation

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


def _pack_sections(pack: ResolvedPack, lang: str = "zh") -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """(section heading, [(entry head, detail lines)]): the one layout text and Markdown share."""
    titles = source_titles(pack)
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    sep, rp = t("：", ": "), t("）", ")")
    sources = []
    for sid, s in pack.sources.items():
        doc = s.document
        details = [t("发布：", "Issued by: ") + doc.issuer + (f"{t('，', ', ')}{doc.issued}" if doc.issued else ""),
                   t("施行：", "In force: ") + f"{doc.in_force or t('未定', 'not set')}"
                   + (t(f"，有效期至 {doc.expires}", f", valid to {doc.expires}") if doc.expires else "")
                   + t(f"；状态：{label(PACK_STATUS_LABELS, doc.status, lang)}", f"; status {doc.status}"),
                   t(f"文本：{doc.file}（规则包 {s.pack}）", f"Text: {doc.file} (pack {s.pack})")]
        sources.append((f"{sid}  《{doc.title}》" + (f"（{doc.number}）" if doc.number else ""), details))
    params = [(f"{p.id} = {param_value(p.value, p.unit, lang)}  {_title(p.title, lang)}",
               [t("依据：", "Basis: ") + f"{p.cited_as or cite(p.citation, titles)} “{one_line(p.citation.quote)}”"]
               + ([t("取值说明：", "Derivation: ") + one_line(p.derivation)] if p.derivation else [])
               + [t("来历：", "Provenance: ") + s.describe(lang) for s in p.provenance]
               + ([t("说明：", "Note: ") + one_line(p.note)] if p.note else []))
              for p in pack.parameters.values()]
    sections = [(t("来源文件", "Source documents"), sources), (t("参数", "Parameters"), params)]
    for kind, kind_label in KIND_LABELS.items():
        entries = []
        for r in (r for r in pack.rules if r.kind == kind):
            details = [t("规范：", "Modality: ") + modality_label(r.modality, r.in_principle, lang)]
            for text, head in ((r.when, t("条件（满足时触发）", "Condition (fires when met)")),
                               (r.requires, t("要求（不满足时触发）", "Requirement (fires when not met)")),
                               (r.applies_when, t("适用条件", "Applies when"))):
                if text:
                    details.append(f"{head}{sep}{one_line(text)}")
            if r.deadline:
                details.append(deadline_line(r, lang))
            for m in r.measures:
                extra = ""
                if m.measure.amount:
                    extra += t(f"；金额基数 {m.measure.amount.base}，比例 {m.min_rate or 0:g}%–{m.max_rate or 0:g}%",
                               f"; amount base {m.measure.amount.base}, rate {m.min_rate or 0:g}%–{m.max_rate or 0:g}%")
                if m.min_duration or m.max_duration:
                    open_ = t("（不限）", "(no limit)")
                    extra += (t("；期限 ", "; duration ") + (period_label(*m.min_duration, lang) if m.min_duration else open_)
                              + t(" 至 ", " to ") + (period_label(*m.max_duration, lang) if m.max_duration else open_))
                details.append(t("措施：", "Measure: ") + f"{m.measure.id} {_title(m.measure.title, lang)}{extra}")
            if r.tier:
                details.append(t(f"档次：第{r.tier}档", f"Tier: {r.tier}"))
            if r.outcome:
                details.append(t("结论：", "Outcome: ") + outcome_label(r.outcome, lang))
            if r.questions:
                details.append(t("问题：", "Questions: ") + ", ".join(r.questions))
            details += [t("依据：", "Basis: ") + (r.cited_as or cite(r.citation, titles)),
                        t("原文：", "Text: ") + f"“{one_line(r.citation.quote)}”"]
            for b in r.basis[1:]:
                role = label({"restated": "重述", "overridden": "变更", "defined": "原定"}, b.role, lang)
                details.append(t(f"上位规定（{role}，{b.pack}）：", f"Higher provision ({role}, {b.pack}): ")
                               + f"{cite_zh(b.citation, r.documents)} “{one_line(b.citation.quote)}”")
            for c in r.also_cites:
                details.append(t("并见：", "See also: ") + f"{cite_zh(c, r.documents)} “{one_line(c.quote)}”")
            for lst in r.item_lists:
                details += [t(f"所列情形 @{lst.id}：", f"Listed item @{lst.id}: ")
                            + f"{cite_zh(i.citation, with_document=False)} “{one_line(i.citation.quote)}”"
                            + t("（条件 ", " (condition ") + one_line(i.when) + rp for i in lst.items]
            details += [t(f"与上位规定不一致：{n.id}（{n.pack} 记录，适用{'上位' if n.prevails == 'higher' else '本级'}规定）",
                          f"Differs from a higher provision: {n.id} (recorded by {n.pack}; the "
                          f"{'higher' if n.prevails == 'higher' else 'lower'} provision applies)")
                        for n in r.norm_differences]
            details += [t("来历：", "Provenance: ") + s.describe(lang) for s in r.provenance]
            if r.note:
                details.append(t("说明：", "Note: ") + one_line(r.note))
            entries.append((f"{r.id}  {_title(r.title, lang)}", details))
        if entries:
            sections.append((t(f"规则：{kind_label}（{kind}）", f"Rules: {kind.replace('_', ' ')}"), entries))
    repealed = [(f"{r.id}" + t(f"（由 {r.pack} 废止）", f" (repealed by {r.pack})"),
                 [t("理由：", "Reason: ") + one_line(r.reason), t("依据：", "Basis: ") + cite(r.citation, titles)]
                 + [t("来历：", "Provenance: ") + s.describe(lang) for s in r.provenance]) for r in pack.repealed]
    sections.append((t("已废止的规则", "Repealed rules"), repealed))
    norms = [_norm_entry(n, lang) for n in pack.norm_differences]
    if norms:
        sections.append((t("下位规定与上位规定不一致", "Lower provisions that differ from higher ones"), norms))
    return sections


def _title(text: Any, lang: str) -> str:
    return text.en if lang == "en" and text.en else text.zh


def deadline_line(r: Any, lang: str = "zh") -> str:
    """A rule's time limit in one line: 期限：自…之后 3个月，遇非工作日顺延."""
    dl = r.deadline
    if r.deadline_length and dl.length:
        length = f"{period_label(*r.deadline_length, lang)}{tr(lang, f'（{dl.length}）', f' ({dl.length})')}"
    else:
        length = tr(lang, f"届满日 {one_line(dl.on)}", f"last day {one_line(dl.on)}") if dl.on else dl.length
    if lang == "en":
        return (f"Deadline: {length} {dl.direction} {dl.start_event.en or dl.start_event.zh} ({one_line(dl.start)})"
                + (", rolled to a working day" if dl.roll_to_working_day else "")
                + (f", plus {dl.extend_days} days" if dl.extend_days else "") + (f", done on {dl.done_on}" if dl.done_on else ""))
    return (f"期限：自{dl.start_event.zh}（{one_line(dl.start)}）{'之后' if dl.direction == 'after' else '之前'}"
            f" {length}" + ("，遇非工作日顺延" if dl.roll_to_working_day else "")
            + (f"，另加 {dl.extend_days} 日" if dl.extend_days else "") + (f"，完成日 {dl.done_on}" if dl.done_on else ""))


def _norm_entry(n: ResolvedNormDifference, lang: str) -> tuple[str, list[str]]:
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    quotes = lambda cs: "…".join(f"“{one_line(c.quote)}”" for c in cs)  # noqa: E731
    higher = n.prevails == "higher"
    return (f"{n.id}  " + t(f"由 {n.pack} 记录", f"recorded by {n.pack}"),
            [t("本级：", "Lower: ") + f"{n.lower_cited_as} {quotes(n.lower)}",
             t("上位：", "Higher: ") + f"{n.higher_cited_as} {quotes(n.higher)}",
             t(f"适用：{'上位规定' if higher else '本级规定'}；理由：", f"Applies: the {'higher' if higher else 'lower'} provision; reason: ")
             + join_zh(n.reason)]
            + ([t("理由依据：", "Reason cites: ") + f"{n.reason_cited_as} {quotes(n.reason_cites)}"] if n.reason_cites else [])
            + [t("涉及规则：", "Rules: ") + (", ".join(n.rules) or t("无", "none"))]
            + ([t("提示条件：", "When: ") + one_line(n.when)] if n.when else [])
            + [t("来历：", "Provenance: ") + s.describe(lang) for s in n.provenance]
            + ([t("说明：", "Note: ") + one_line(n.note)] if n.note else []))


def pack_text(pack: ResolvedPack, lang: str = "zh") -> str:
    """The flattened pack for people: metadata, sources, parameters, rules by kind, repeals."""
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    chain = " → ".join(pack.chain)
    counts = t(f"规则 {len(pack.rules)} 条，参数 {len(pack.parameters)} 个，已废止 {len(pack.repealed)} 条",
               f"{len(pack.rules)} rules, {len(pack.parameters)} parameters, {len(pack.repealed)} repealed")
    lines = [t(f"规则包 {pack.id}：{pack.name.zh}", f"Pack {pack.id}: {pack.name.en} ({pack.name.zh})"),
             t("层级：", "Level: ") + label(LEVEL_LABELS, pack.level, lang),
             t("继承链：", "Chain: ") + chain, t("指纹：", "Fingerprint: ") + pack.fingerprint, counts]
    for heading, entries in _pack_sections(pack, lang):
        lines += ["", f"{heading}{t('（', ' (')}{len(entries)}{t('）：', '): ')}" + ("" if entries else t("无", "none"))]
        for head, details in entries:
            lines.append(f"  - {head}")
            lines += [f"    {d}" for d in details]
    return "\n".join(lines) + "\n"


def pack_markdown(pack: ResolvedPack, lang: str = "zh") -> str:
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    lines = [t(f"# 规则包 `{pack.id}`：{pack.name.zh}", f"# Pack `{pack.id}`: {pack.name.en}"), "",
             t("- 层级：", "- Level: ") + label(LEVEL_LABELS, pack.level, lang),
             t("- 继承链：", "- Chain: ") + " → ".join(pack.chain), t("- 指纹：", "- Fingerprint: ") + f"`{pack.fingerprint}`",
             "- " + t(f"规则 {len(pack.rules)} 条，参数 {len(pack.parameters)} 个，已废止 {len(pack.repealed)} 条",
                      f"{len(pack.rules)} rules, {len(pack.parameters)} parameters, {len(pack.repealed)} repealed")]
    for heading, entries in _pack_sections(pack, lang):
        lines += ["", f"## {heading}{t('（', ' (')}{len(entries)}{t('）', ')')}", ""] + ([] if entries else [t("无", "None")])
        for head, details in entries:
            ident, _, rest = head.partition("  ")
            lines += [f"### `{ident}` {rest}".rstrip(), ""] + [f"- {d}" for d in details] + [""]
    return "\n".join(squeeze(lines)).rstrip("\n") + "\n"
