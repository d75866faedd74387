"""The views of a ``PopulationComparison``: JSON with stable codes (outcome codes, rule ids, pack
ids), and text and Markdown for people, in Chinese by default (outcome labels, rule titles from the
packs) or English."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from ..packs.plans import STAGES
from ..packs.resolved import ResolvedPack
from ..render.labels import OUTCOME_LABELS, QUESTION_LABELS, label, tr

# ``cmp`` below is a ``compare.PopulationComparison`` and ``t`` a ``compare.Transition``, typed Any:
# ``compare`` imports this module, which must not import it back.

__all__ = ["all_outcomes", "comparison_dict", "comparison_json", "comparison_markdown", "comparison_text",
           "outcome_order", "outcome_text", "rule_text", "rules_kind", "sample_rows", "TOP_RULES"]

TOP_RULES = 5  # rules named per side of an outcome change in text and Markdown (JSON has every one)


def outcome_order(question: str) -> list[str]:
    """The question's outcomes in the order of its stages, then its default, then undetermined."""
    stages, default = STAGES[question]
    seen: list[str] = []
    for stage in stages:
        for o in (stage.mandatory_outcome, stage.outcome, stage.converts[1] if stage.converts else None):
            if o and o not in seen:
                seen.append(o)
    return seen + [default, "undetermined"]


def comparison_dict(cmp: Any) -> dict[str, Any]:
    """Codes only: the same whatever ``--lang`` says, for scripts."""
    ids = cmp.pack_ids
    return {
        "question": cmp.question, "as_of": cmp.as_of.isoformat() if cmp.as_of else None, "input": cmp.source,
        "output": cmp.output, "packs": [{"id": p.id, "name": p.name.zh, "name_en": p.name.en} for p in cmp.packs],
        "rows": cmp.rows, "skipped": cmp.skipped, "differing": cmp.differing, "agreeing": cmp.rows - cmp.differing,
        "outcomes": cmp.outcomes, "transitions": [t.to_dict() for t in cmp.transitions],
        "sample": [{"row": r["row"], "id": r["id"],
                    "packs": {i: {"outcome": r[f"{i}.outcome"], "fired": r[f"{i}.fired"],
                                  "undetermined": r[f"{i}.undetermined"]} for i in ids}} for r in cmp.sample],
    }


def comparison_json(cmp: Any) -> str:
    return json.dumps(comparison_dict(cmp), ensure_ascii=False, indent=2) + "\n"


def outcome_text(outcome: str, lang: str) -> str:
    """不予受理 [not_accepted] in Chinese (the code kept for scripts and searching), the code in words in English."""
    return label(OUTCOME_LABELS, outcome, lang) if lang == "en" else f"{label(OUTCOME_LABELS, outcome, lang)} [{outcome}]"


def rule_text(pack: ResolvedPack, rule_id: str, lang: str) -> str:
    """A rule's id and its title from the pack (in ``lang``)."""
    try:
        title = pack.rule(rule_id).title
    except KeyError:
        return rule_id
    return f"{rule_id}（{title.zh}）" if lang != "en" else f"{rule_id} ({title.en})"


def _n(n: int) -> str:
    return f"{n:,}"


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def _pack_name(p: ResolvedPack, lang: str) -> str:
    return p.name.en if lang == "en" else p.name.zh


def all_outcomes(cmp: Any) -> list[str]:
    """Every outcome some pack gave, in the question's order."""
    order = outcome_order(cmp.question)
    given = {o for counts in cmp.outcomes.values() for o in counts}
    return sorted(given, key=lambda o: (order.index(o) if o in order else len(order), o))


def _heading(cmp: Any, lang: str) -> list[str]:
    q = cmp.question
    day = cmp.as_of.isoformat() if cmp.as_of else tr(lang, "各行自己的 as_of（缺省为今天）", "each row's own as_of (default today)")
    lines = [tr(lang, f"问题：{QUESTION_LABELS.get(q, q)}（{q}）", f"Question: {q}"),
             tr(lang, f"评估日期：{day}", f"As of: {day}")]
    if cmp.source:
        lines.append(tr(lang, f"输入：{cmp.source}", f"Input: {cmp.source}"))
    lines.append(tr(lang, f"比较的行：{_n(cmp.rows)}", f"Rows compared: {_n(cmp.rows)}")
                 + (tr(lang, f"（另有 {_n(cmp.skipped)} 行问的是其他问题，未比较）",
                       f" ({_n(cmp.skipped)} rows asking another question were left out)") if cmp.skipped else ""))
    lines.append(tr(lang, f"结论不同的行：{_n(cmp.differing)}（{_share(cmp.differing, cmp.rows)}）；各规则包结论相同的行："
                          f"{_n(cmp.rows - cmp.differing)}",
                    f"Rows decided differently: {_n(cmp.differing)} ({_share(cmp.differing, cmp.rows)}); "
                    f"rows every pack decides alike: {_n(cmp.rows - cmp.differing)}"))
    if cmp.output:
        lines.append(tr(lang, f"结论不同的行已写入：{cmp.output}", f"Differing rows written to: {cmp.output}"))
    return lines


def _transition_title(cmp: Any, t: Any, lang: str) -> str:
    return (f"{t.a} {outcome_text(t.outcome_a, lang)} → {t.b} {outcome_text(t.outcome_b, lang)}："
            f"{_n(t.rows)} 行" if lang != "en" else
            f"{t.a} {outcome_text(t.outcome_a, lang)} → {t.b} {outcome_text(t.outcome_b, lang)}: {_n(t.rows)} rows")


def rules_kind(outcome: str, lang: str) -> str:
    """What decided an outcome: the fired rules, or the undetermined ones when it is undetermined."""
    undetermined = outcome == "undetermined"
    return tr(lang, "未确定的规则" if undetermined else "触发的规则", "undetermined rules" if undetermined else "fired rules")


def _side_rules(cmp: Any, t: Any, lang: str, top: int) -> list[tuple[str, str]]:
    """("jiangsu 未确定的规则", "rule（title）N 行；…") for each side that has responsible rules, B first."""
    packs = {p.id: p for p in cmp.packs}
    out = []
    for pid, outcome, rules in ((t.b, t.outcome_b, t.rules_b), (t.a, t.outcome_a, t.rules_a)):
        if rules:
            shown = [f"{rule_text(packs[pid], r, lang)} {_n(n)}" + tr(lang, " 行", " rows") for r, n in rules[:top]]
            more = tr(lang, f"，另 {len(rules) - top} 条", f"; {len(rules) - top} more") if len(rules) > top else ""
            out.append((f"{pid} {rules_kind(outcome, lang)}", tr(lang, "；", "; ").join(shown) + more))
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def sample_rows(cmp: Any, lang: str) -> list[dict[str, Any]]:
    """The sample's rows for people: per pack the outcome and the rules that decided it."""
    rows = []
    for r in cmp.sample:
        per = []
        for p in cmp.packs:
            outcome = r[f"{p.id}.outcome"]
            undetermined = outcome == "undetermined"
            rules = r[f"{p.id}.undetermined" if undetermined else f"{p.id}.fired"] or []
            kind = rules_kind(outcome, lang)
            per.append({"pack": p.id, "outcome": outcome, "outcome_text": outcome_text(outcome, lang), "kind": kind,
                        "rules": [rule_text(p, x, lang) for x in rules]})
        rows.append({"row": r["row"], "id": r["id"], "packs": per})
    return rows


def comparison_text(cmp: Any, lang: str = "zh", top: int = TOP_RULES) -> str:
    ids = cmp.pack_ids
    lines = [tr(lang, "规则包在同一人群上的比较：", "Packs compared on one population:")]
    lines += [f"  {_ljust(p.id, max(map(len, ids)))}  {_pack_name(p, lang)}" for p in cmp.packs]
    lines += _heading(cmp, lang)
    lines += ["", tr(lang, "各规则包的结论（行数）：", "Outcomes per pack (rows):")]
    outcomes = all_outcomes(cmp)
    width = max([_width(outcome_text(o, lang)) for o in outcomes] + [8]) + 2
    cols = [max(len(i), 9) + 2 for i in ids]
    lines.append("  " + " " * width + "".join(_rjust(i, w) for i, w in zip(ids, cols)))
    for o in outcomes:
        lines.append("  " + _ljust(outcome_text(o, lang), width)
                     + "".join(_rjust(_n(cmp.outcomes[i].get(o, 0)), w) for i, w in zip(ids, cols)))
    if cmp.transitions:
        lines += ["", tr(lang, "结论的变化（每对规则包）及主要原因：", "How outcomes change (each pair of packs) and why:")]
        for t in cmp.transitions:
            lines.append("  " + _transition_title(cmp, t, lang))
            for who, text in _side_rules(cmp, t, lang, top):
                lines.append(f"    {who}{tr(lang, '：', ': ')}{text}")
    if cmp.sample:
        lines += ["", tr(lang, f"结论不同的行（前 {len(cmp.sample)} 行）：", f"Rows decided differently (first {len(cmp.sample)}):")]
        for r in sample_rows(cmp, lang):
            lines.append("  " + tr(lang, f"第 {r['row']} 行", f"row {r['row']}") + (f"  {r['id']}" if r["id"] else ""))
            for p in r["packs"]:
                rules = (tr(lang, "；", "; ") + p["kind"] + tr(lang, "：", ": ") + tr(lang, "、", ", ").join(p["rules"])
                         if p["rules"] else "")
                lines.append(f"    {p['pack']}{tr(lang, '：', ': ')}{p['outcome_text']}{rules}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def comparison_markdown(cmp: Any, lang: str = "zh", top: int = TOP_RULES) -> str:
    ids = cmp.pack_ids
    out = [f"# {tr(lang, '规则包在同一人群上的比较', 'Packs compared on one population')}", ""]
    out += [f"- `{p.id}` {_md(_pack_name(p, lang))}" for p in cmp.packs] + [""]
    out += [f"- {_md(line)}" for line in _heading(cmp, lang)] + [""]
    out += [f"## {tr(lang, '各规则包的结论（行数）', 'Outcomes per pack (rows)')}", "",
            f"| {tr(lang, '结论', 'outcome')} | " + " | ".join(f"`{i}`" for i in ids) + " |",
            "| --- | " + " | ".join("---:" for _ in ids) + " |"]
    for o in all_outcomes(cmp):
        out.append(f"| {_md(outcome_text(o, lang))} | " + " | ".join(_n(cmp.outcomes[i].get(o, 0)) for i in ids) + " |")
    if cmp.transitions:
        out += ["", f"## {tr(lang, '结论的变化及主要原因', 'How outcomes change, and why')}", "",
                f"| {tr(lang, '规则包', 'packs')} | {tr(lang, '结论', 'outcomes')} | {tr(lang, '行数', 'rows')} | "
                f"{tr(lang, '主要原因（规则：行数）', 'rules responsible (rule: rows)')} |", "| --- | --- | ---: | --- |"]
        for t in cmp.transitions:
            why = "<br>".join(f"{_md(who)}{tr(lang, '：', ': ')}{_md(text)}" for who, text in _side_rules(cmp, t, lang, top))
            out.append(f"| `{t.a}` → `{t.b}` | {_md(outcome_text(t.outcome_a, lang))} → "
                       f"{_md(outcome_text(t.outcome_b, lang))} | {_n(t.rows)} | {why} |")
    if cmp.sample:
        out += ["", f"## {tr(lang, f'结论不同的行（前 {len(cmp.sample)} 行）', f'Rows decided differently (first {len(cmp.sample)})')}",
                "", f"| {tr(lang, '行', 'row')} | id | " + " | ".join(f"`{i}`" for i in ids) + " |",
                "| ---: | --- | " + " | ".join("---" for _ in ids) + " |"]
        for r in sample_rows(cmp, lang):
            cells = [f"{_md(p['outcome_text'])}" + (f"<br>{_md(p['kind'])}：" if lang != "en" else f"<br>{_md(p['kind'])}: ")
                     + "、".join(_md(x) for x in p["rules"]) if p["rules"] else _md(p["outcome_text"]) for p in r["packs"]]
            out.append(f"| {r['row']} | {_md(r['id'] or '')} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
