"""Text and Markdown views of a pack comparison (``dingdian-rules diff``), in Chinese or, with
``lang="en"``, English. The records they read (``PackDiff`` …) and the JSON are in ``diff_report``;
these functions only read a record's attributes, so the two modules do not import each other."""

from __future__ import annotations

from typing import Any, Sequence

from ..packs.resolved import ResolvedNormDifference, ResolvedParameter, ResolvedRule, join_zh
from ..render import cite, source_titles
from ..render.packs import deadline_line
from ..render.labels import KIND_LABELS, MODALITY_LABELS, UNIT_LABELS, code_text, tr

_NORM_CHANGES = {"only_in_a": ("仅 A 有", "only in A"), "only_in_b": ("B 中记录", "recorded in B"),
                 "changed": ("B 中记录不同", "recorded differently in B")}
_PREVAILS = {"higher": "上位规定", "lower": "本级规定"}
_PARAM_CHANGES = {"only_in_a": ("仅 A 有", "only in A"), "only_in_b": ("B 新增", "added in B"),
                  "changed": ("已改变", "changed"), "restated": ("B 重述", "restated in B")}
RULE_SECTIONS = (
    ("added", ("B 新增的规则", "B 有，A 没有"), ("Rules added in B", "in B, not in A")),
    ("overridden", ("被变更的规则", "两者都有，B 以变更声明改动"), ("Rules overridden", "in both, changed by an override")),
    ("changed", ("定义不同的规则", "两者都有，定义不同，且两者之间没有变更声明"),
     ("Rules defined differently", "in both, defined differently without an override between them")),
    ("parameters", ("所读参数取值不同的规则", "文字相同，但所读的参数取值不同"),
     ("Rules reading other parameter values", "same text, but a parameter they read differs")),
    ("repealed", ("B 废止的规则", "A 有，B 明确废止"), ("Rules repealed in B", "in A, repealed explicitly by B")),
    ("removed", ("仅 A 有的规则", "A 有，B 既没有也未废止"), ("Rules only in A", "in A, neither in B nor repealed by it")),
    ("restated", ("B 重述的规则", "同一规则；B 以自己的条文重述，B 的决定先引用 B 的规定"),
     ("Rules restated in B", "same rule; B's own text restates it, and B's decisions cite B's provision first")),
)
FIELD_LABELS = {"kind": "类别", "title": "标题", "modality": "规范", "in_principle": "原则上", "condition": "条件",
                "outcome": "结论", "measures": "处理措施", "deadline": "期限", "tier": "档次", "questions": "问题",
                "citation": "引用", "value": "取值", "unit": "单位"}
_SUMMARY = (  # (count key, Chinese, English)
    ("parameters_changed", "个参数改变", "parameter(s) changed"), ("parameters_only_in_b", "个参数新增", "parameter(s) added"),
    ("parameters_only_in_a", "个参数仅 A 有", "parameter(s) only in A"), ("rules_added", "条规则新增", "rule(s) added"),
    ("rules_overridden", "条被变更", "overridden"), ("rules_changed", "条定义不同", "defined differently"),
    ("rules_parameters", "条所读参数改变", "reading changed parameters"), ("rules_repealed", "条被废止", "repealed"),
    ("rules_removed", "条仅 A 有", "only in A"), ("rules_restated", "条由 B 以自己的条文重述", "restated in B's own words"),
    ("parameters_restated", "个参数重述", "parameter(s) restated"),
    ("norm_differences_only_in_b", "项下位规定不一致记录在 B 中", "lower-norm difference(s) recorded in B"),
    ("norm_differences_changed", "项下位规定不一致记录不同", "lower-norm difference(s) recorded differently"),
    ("norm_differences_only_in_a", "项下位规定不一致仅 A 有", "lower-norm difference(s) only in A"))


def summary(d: Any, lang: str = "zh") -> str:
    """The counts of a comparison in a sentence (English: ``PackDiff.summary()``, which JSON carries)."""
    if lang == "en":
        return d.summary()
    if d.identical:
        return (f"没有差异：`{d.b.id}` 的参数和规则与 `{d.a.id}` 相同（取值、条件、处理措施、期限和引用均相同）。")
    c = d.counts()
    return "；".join(f"{c[key]} {zh}" for key, zh, _ in _SUMMARY if c[key]) + "。"


def _field(name: str, lang: str) -> str:
    return name if lang == "en" else f"{FIELD_LABELS.get(name, name)}[{name}]"


def _shown(f: Any, side: str, lang: str, r: Any = None) -> str:
    """One side of a changed field, with the words a Chinese reader needs: 是/否, 应当, the deadline …"""
    text = _code(getattr(f, side))
    if lang == "en":
        return text
    rule = getattr(r, side, None)
    if f.field == "deadline" and rule is not None and rule.deadline is not None:
        return _code(deadline_line(rule, lang).removeprefix("期限："))
    if f.field == "in_principle" and text in ("true", "false"):
        return "是" if text == "true" else "否"
    if f.field == "modality":
        return f"{MODALITY_LABELS.get(text, text)}[{text}]"
    if f.field == "condition":  # "when: …; requires: …" (diff._condition): the keys as the pack writes them
        for key, zh in (("applies_when", "适用条件"), ("requires", "要求"), ("when", "条件")):
            text = text.replace(f"{key}: ", f"{zh}[{key}]：")
    return text


def _change(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    zh, en = table[code]
    return tr(lang, zh, en)


def norm_difference_lines(n: ResolvedNormDifference, lang: str = "zh") -> list[str]:
    """A lower-norm record as lines of text: lower and higher provisions quoted, the winner and why."""
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    out = [t(f"  本级（{n.pack}）：", f"  lower ({n.pack}): ") + f"{n.lower_cited_as}{t('：', ': ')}"
           + " … ".join(f"“{c.quote}”" for c in n.lower),
           t("  上位：", "  higher: ") + f"{n.higher_cited_as}{t('：', ': ')}" + " … ".join(f"“{c.quote}”" for c in n.higher),
           t(f"  适用：{_PREVAILS[n.prevails]}：", f"  prevails: {n.prevails} ({_PREVAILS[n.prevails]}): ") + join_zh(n.reason)]
    if n.reason_cites:
        out.append(t("  理由依据：", "  because: ") + f"{n.reason_cited_as}{t('：', ': ')}"
                   + " … ".join(f"“{c.quote}”" for c in n.reason_cites))
    rules = ", ".join(n.rules) or t("（本规则包中已无）", "(none left in this pack)")
    when = t(f"；提示条件 {' '.join(n.when.split())}", f"; warned when {' '.join(n.when.split())}") if n.when else ""
    out.append(t("  涉及规则：", "  rules: ") + rules + when)
    return out


# --- Markdown ---------------------------------------------------------------------------------
def pack_diff_markdown(d: Any, level: int = 1, lang: str = "zh") -> str:
    """Tables of the differences, citations on both sides; ``level`` is the heading depth."""
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    h = "#" * level
    a, b = d.a, d.b
    ta, tb = source_titles(a), source_titles(b)
    lines = [f"{h} `{a.id}` → `{b.id}`", "",
             f"- A: `{a.id}` {a.name.zh} — {t('继承链', 'chain')} {' → '.join(a.chain)}",
             f"- B: `{b.id}` {b.name.zh} — {t('继承链', 'chain')} {' → '.join(b.chain)}", "", summary(d, lang), ""]
    if d.identical:
        extra = [s for s in b.sources if s not in a.sources]
        if extra:
            docs = ", ".join(f"`{s}`" for s in extra)
            lines += [t(f"B 增加了来源文件 {docs}，但没有自己的参数、规则、变更或废止。",
                        f"B adds source document(s) {docs} but no parameter, rule, override or repeal of its own."), ""]
        return "\n".join(lines).rstrip("\n") + "\n"
    if d.parameters:
        head = (["参数", "差异", "A", "B", "A 引用", "B 引用", "B 的说明"] if lang != "en" else
                ["parameter", "change", "A", "B", "A cites", "B cites", "B's note"])
        lines += [f"{h}# {t('参数', 'Parameters')}", "", md_row(head), md_row(["---"] * 7)]
        for p in d.parameters:
            fields = t("、", ", ").join(_field(f, lang) for f in p.fields)
            change = _change(_PARAM_CHANGES, p.change, lang) + (t(f"（{fields}）", f" ({fields})") if p.fields else "")
            lines.append(md_row([f"`{p.id}` {_title(p.title, lang)}", change, _pvalue(p.a, lang), _pvalue(p.b, lang),
                                 _cites(p.a, ta), _cites(p.b, tb), "; ".join(p.notes)]))
        lines.append("")
    for change, zh, en in RULE_SECTIONS:
        items = d.rules_by(change)
        if items:
            heading, meaning = zh if lang != "en" else en
            head, rows = _rule_table(change, items, ta, tb, lang)
            lines += [f"{h}# {heading}{t('（', ' (')}{len(items)}{t('）', ')')}", "", f"_{meaning}{t('。', '.')}_", "",
                      md_row(head), md_row(["---"] * len(head))] + [md_row(row) for row in rows] + [""]
    if d.norm_differences:
        lines += _norm_table(d, h, lang)
    details = [r for r in d.rules if any(f.field != "citation" for f in r.fields)]
    if details:
        lines += [f"{h}# {t('改变的字段', 'Changed fields')}", ""]
        for r in details:
            lines.append(f"- `{r.id}`")
            lines += [f"  - {_field(f.field, lang)}{t('：', ': ')}A `{_shown(f, 'a', lang, r)}` → B `{_shown(f, 'b', lang, r)}`"
                      for f in r.fields if f.field != "citation"]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _norm_table(d: Any, h: str, lang: str) -> list[str]:
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    head = (["记录", "差异", "本级规定", "上位规定", "适用", "理由", "规则"] if lang != "en" else
            ["record", "change", "lower provision", "higher provision", "prevails", "why", "rules"])
    lines = [f"{h}# {t('下位规定与上位规定不一致', 'Lower-norm differences')}{t('（', ' (')}{len(d.norm_differences)}{t('）', ')')}", "",
             t("_下位文本的某一规定被记录为与上位规定不一致；涉及这些规则的每个决定都带有 `lower-norm-difference` 警告，并引用两者原文。_",
               "_a provision of the lower text recorded as differing from a higher one; every decision touching "
               "the rules warns `lower-norm-difference`, quoting both._"), "",
             md_row(head), md_row(["---"] * 7)]
    for n in d.norm_differences:
        r = n.record
        when = t(f"（提示条件 `{_code(r.when)}`）", f" (warned when `{_code(r.when)}`)") if r.when else ""
        lines.append(md_row([f"`{n.id}`{t(f'（{r.pack}）', f' ({r.pack})')}", _change(_NORM_CHANGES, n.change, lang),
                             f"{r.lower_cited_as}：" + "…".join(f"“{c.quote}”" for c in r.lower),
                             f"{r.higher_cited_as}：" + "…".join(f"“{c.quote}”" for c in r.higher),
                             _PREVAILS[r.prevails], join_zh(r.reason) + (f"（{r.reason_cited_as}）" if r.reason_cites else ""),
                             ", ".join(f"`{x}`" for x in r.rules) + when]))
    return lines + [""]


# --- text -------------------------------------------------------------------------------------
def pack_diff_text(d: Any, lang: str = "zh") -> str:
    """The differences as plain lines (the default of ``dingdian-rules diff``)."""
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    a, b = d.a, d.b
    ta, tb = source_titles(a), source_titles(b)
    lines = [f"A: {a.id} ({' -> '.join(a.chain)})", f"B: {b.id} ({' -> '.join(b.chain)})", summary(d, lang).replace("`", "")]
    for p in d.parameters:
        fields = t("、", ", ").join(_field(f, lang) for f in p.fields)
        lines += ["", t(f"参数 {p.id}：", f"parameter {p.id}: ") + _change(_PARAM_CHANGES, p.change, lang)
                  + (t(f"（{fields}）", f" ({fields})") if p.fields else "")]
        if p.a:
            lines.append(f"  A: {_pvalue(p.a, lang)}  [{_cites(p.a, ta)}]")
        if p.b:
            lines.append(f"  B: {_pvalue(p.b, lang)}  [{_cites(p.b, tb)}]")
        lines += [t("  B 的说明：", "  B's note: ") + n for n in p.notes]
    for r in d.rules:
        zh = next(z for c, z, _ in RULE_SECTIONS if c == r.change)[0]
        reads = ", ".join(r.parameters)
        lines += ["", t(f"规则 {r.id}：{zh}", f"rule {r.id}: {r.change}")
                  + (t(f"（读取 {reads}）", f" (reads {reads})") if r.parameters else "")]
        if r.a:
            lines.append(f"  A: {_cites(r.a, ta)}")
        if r.b:
            lines.append(f"  B: {_cites(r.b, tb)}")
        if r.repeal and r.change == "repealed":
            lines.append(t(f"  由 {r.repeal.pack} 废止", f"  repealed by {r.repeal.pack}")
                         + f" [{cite(r.repeal.citation, tb)}]{t('：', ': ')}{_squash(r.repeal.reason)}")
        for f in r.fields:
            if f.field != "citation":
                lines += [f"  {_field(f.field, lang)}{t('：', ':')}", f"    A: {_shown(f, 'a', lang, r)}", f"    B: {_shown(f, 'b', lang, r)}"]
        lines += [t("  B 的说明：", "  B's note: ") + n for n in r.notes]
    for n in d.norm_differences:
        lines += ["", t(f"下位规定不一致 {n.id}：", f"lower-norm difference {n.id}: ") + _change(_NORM_CHANGES, n.change, lang)]
        lines += norm_difference_lines(n.record, lang)
    return "\n".join(lines) + "\n"


def _title(text: Any, lang: str) -> str:
    """A rule's or parameter's title: Chinese in both languages, as the English view always had it
    (the comparison is of Chinese texts; docs/jurisdictions.md is built from the English view)."""
    return text.zh


def _cites(x: ResolvedRule | ResolvedParameter | Any | None, titles: dict[str, str]) -> str:
    """The officer's citation, nearest provision first (with what it restates), for rules and parameters."""
    if x is None:
        return ""
    return getattr(x, "cited_as", "") or cite(x.citation, titles)


def _rule_table(change: str, items: Sequence[Any], ta: dict[str, str], tb: dict[str, str],
                lang: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one section of rule differences."""
    en = lang == "en"
    kind = lambda r: r.rule.kind if en else f"{KIND_LABELS.get(r.rule.kind, r.rule.kind)}（{r.rule.kind}）"  # noqa: E731
    if change == "added":
        return (["rule", "kind", "title", "B cites"] if en else ["规则", "类别", "标题", "B 引用"],
                [[f"`{r.id}`", kind(r), _title(r.rule.title, lang), _cites(r.b, tb)
                  + (tr(lang, f"（A：由 {r.repeal.pack} 废止）", f" (A: repealed by {r.repeal.pack})") if r.repeal else "")]
                 for r in items])
    if change in ("overridden", "changed"):
        return (["rule", "fields changed", "A cites", "B cites", "what B changed"] if en else
                ["规则", "改变的字段", "A 引用", "B 引用", "B 改动的内容"],
                [[f"`{r.id}`", tr(lang, "、", ", ").join(_field(f.field, lang) for f in r.fields)
                  + (tr(lang, f"；读取 {', '.join(r.parameters)}", f"; reads {', '.join(r.parameters)}") if r.parameters else ""),
                  _cites(r.a, ta), _cites(r.b, tb), "; ".join(r.notes)] for r in items])
    if change == "restated":
        return (["rule", "A cites", "B cites (its own provision first)", "B's note"] if en else
                ["规则", "A 引用", "B 引用（先引本级规定）", "B 的说明"],
                [[f"`{r.id}`", _cites(r.a, ta), _cites(r.b, tb), "; ".join(r.notes)] for r in items])
    if change == "parameters":
        return (["rule", "parameters", "cites"] if en else ["规则", "参数", "引用"],
                [[f"`{r.id}`", ", ".join(f"`{p}`" for p in r.parameters), _cites(r.b, tb)] for r in items])
    if change == "repealed":
        return (["rule", "A cites", "repealed by", "B cites", "reason"] if en else ["规则", "A 引用", "废止者", "B 引用", "理由"],
                [[f"`{r.id}`", _cites(r.a, ta), r.repeal.pack if r.repeal else "", _cites(r.repeal, tb),
                  _squash(r.repeal.reason if r.repeal else "")] for r in items])
    return (["rule", "kind", "title", "A cites"] if en else ["规则", "类别", "标题", "A 引用"],
            [[f"`{r.id}`", kind(r), _title(r.rule.title, lang), _cites(r.a, ta)] for r in items])


def _pvalue(p: ResolvedParameter | None, lang: str = "en") -> str:
    if p is None:
        return "—"
    value = (", ".join(code_text(v, lang) for v in p.value) if isinstance(p.value, tuple)
             else f"{p.value:g}" if isinstance(p.value, float) else str(p.value))
    if p.unit == "types":
        return value
    return f"{value} {p.unit}" if lang == "en" else f"{value}{UNIT_LABELS.get(p.unit, ' ' + p.unit)}"


def squash_text(text: str | None) -> str:
    """Text on one line (YAML block scalars keep their line breaks)."""
    return " ".join(text.split()) if text else ""


_squash = squash_text


def _cell(text: str) -> str:
    return _squash(str(text)).replace("|", "\\|")


def md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _code(text: str) -> str:
    return _squash(text).replace("`", "'") or "—"


__all__ = ["FIELD_LABELS", "RULE_SECTIONS", "md_row", "norm_difference_lines", "pack_diff_markdown",
           "pack_diff_text", "squash_text", "summary"]
