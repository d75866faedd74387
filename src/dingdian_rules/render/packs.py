"""Views of a resolved pack (what ``dingdian-rules resolve`` prints): plain data, text and Markdown,
with every parameter and rule, its citation and its provenance."""

from __future__ import annotations

from typing import Any, Mapping

from ..evaluation.decision import basis_dict
from ..packs.resolved import ResolvedNormDifference, ResolvedPack, cite_zh, join_zh
from ..packs.schema import Citation
from .labels import KIND_LABELS, cite, modality_label, one_line, outcome_label, param_value, period_label, source_titles, squeeze

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
    params = [(f"{p.id} = {param_value(p.value, p.unit)}  {p.title.zh}",
               [f"依据：{p.cited_as or cite(p.citation, titles)} “{one_line(p.citation.quote)}”"]
               + ([f"取值说明：{one_line(p.derivation)}"] if p.derivation else [])
               + [f"来历：{s.describe()}" for s in p.provenance] + ([f"说明：{one_line(p.note)}"] if p.note else []))
              for p in pack.parameters.values()]
    sections = [("来源文件", sources), ("参数", params)]
    for kind, label in KIND_LABELS.items():
        entries = []
        for r in (r for r in pack.rules if r.kind == kind):
            details = [f"规范：{modality_label(r.modality, r.in_principle)}"]
            for name, text, head in (("when", r.when, "条件（满足时触发）"), ("requires", r.requires, "要求（不满足时触发）"),
                                     ("applies_when", r.applies_when, "适用条件")):
                if text:
                    details.append(f"{head}：{one_line(text)}")
            if r.deadline:
                dl = r.deadline
                length = (f"{period_label(*r.deadline_length)}（{dl.length}）" if r.deadline_length and dl.length
                          else f"届满日 {one_line(dl.on)}" if dl.on else dl.length)
                details.append(f"期限：自{dl.start_event.zh}（{one_line(dl.start)}）{'之后' if dl.direction == 'after' else '之前'}"
                               f" {length}" + ("，遇非工作日顺延" if dl.roll_to_working_day else "")
                               + (f"，另加 {dl.extend_days} 日" if dl.extend_days else "")
                               + (f"，完成日 {dl.done_on}" if dl.done_on else ""))
            for m in r.measures:
                extra = ""
                if m.measure.amount:
                    extra += f"；金额基数 {m.measure.amount.base}，比例 {m.min_rate or 0:g}%–{m.max_rate or 0:g}%"
                if m.min_duration or m.max_duration:
                    extra += (f"；期限 {period_label(*m.min_duration) if m.min_duration else '（不限）'} 至 "
                              f"{period_label(*m.max_duration) if m.max_duration else '（不限）'}")
                details.append(f"措施：{m.measure.id} {m.measure.title.zh}{extra}")
            if r.tier:
                details.append(f"档次：第{r.tier}档")
            if r.outcome:
                details.append(f"结论：{outcome_label(r.outcome)}")
            if r.questions:
                details.append(f"问题：{', '.join(r.questions)}")
            details += [f"依据：{r.cited_as or cite(r.citation, titles)}", f"原文：“{one_line(r.citation.quote)}”"]
            for b in r.basis[1:]:
                details.append(f"上位规定（{ {'restated': '重述', 'overridden': '变更', 'defined': '原定'}[b.role]}，{b.pack}）："
                               f"{cite_zh(b.citation, r.documents)} “{one_line(b.citation.quote)}”")
            for c in r.also_cites:
                details.append(f"并见：{cite_zh(c, r.documents)} “{one_line(c.quote)}”")
            for lst in r.item_lists:
                details += [f"所列情形 @{lst.id}：{cite_zh(i.citation, with_document=False)} “{one_line(i.citation.quote)}”"
                            f"（条件 {one_line(i.when)}）" for i in lst.items]
            details += [f"与上位规定不一致：{n.id}（{n.pack} 记录，适用{'上位' if n.prevails == 'higher' else '本级'}规定）"
                        for n in r.norm_differences]
            details += [f"来历：{s.describe()}" for s in r.provenance]
            if r.note:
                details.append(f"说明：{one_line(r.note)}")
            entries.append((f"{r.id}  {r.title.zh}（{r.title.en}）", details))
        if entries:
            sections.append((f"规则：{label}（{kind}）", entries))
    repealed = [(f"{r.id}（由 {r.pack} 废止）", [f"理由：{one_line(r.reason)}", f"依据：{cite(r.citation, titles)}"]
                 + [f"来历：{s.describe()}" for s in r.provenance]) for r in pack.repealed]
    sections.append(("已废止的规则", repealed))
    norms = [(f"{n.id}  由 {n.pack} 记录",
              [f"本级：{n.lower_cited_as} " + "…".join(f"“{one_line(c.quote)}”" for c in n.lower),
               f"上位：{n.higher_cited_as} " + "…".join(f"“{one_line(c.quote)}”" for c in n.higher),
               f"适用：{'上位规定' if n.prevails == 'higher' else '本级规定'}；理由：{join_zh(n.reason)}"]
              + ([f"理由依据：{n.reason_cited_as} " + "…".join(f"“{one_line(c.quote)}”" for c in n.reason_cites)]
                 if n.reason_cites else [])
              + [f"涉及规则：{', '.join(n.rules) or '无'}"]
              + ([f"提示条件：{one_line(n.when)}"] if n.when else []) + [f"来历：{s.describe()}" for s in n.provenance]
              + ([f"说明：{one_line(n.note)}"] if n.note else []))
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
    return "\n".join(squeeze(lines)).rstrip("\n") + "\n"
