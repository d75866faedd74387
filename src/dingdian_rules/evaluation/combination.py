"""How the rules that fired in one decision were combined into its outcome, in Chinese and English:
the combination notes a decision shows (the order of precedence per question, tiers, and findings
that other questions also catch)."""

from __future__ import annotations

from typing import Any, Sequence

COMBINATION_RULES = {
    "application": "The outcome is the first stage (waiver, acceptance, materials, conditions) with a firing rule; "
                   "after acceptance a ground may end the procedure instead.",
    "agreement": "The outcome is the most severe: termination over rescission over suspension over a suspension "
                 "in effect.",
    "request": "Any firing limit refuses the request; a late notice is reported as late.",
    "conduct": "Measures of every fired rule apply together; a shall or effect rule makes them mandatory.",
}
COMBINATION_RULES_ZH = {
    "application": "结论取第一个有规则触发的阶段（视作放弃、受理、材料、条件）；受理之后，某一情形也可使申请程序终结。",
    "agreement": "结论取最严重者：终止优先于解除，解除优先于中止，中止优先于已生效的中止状态。",
    "request": "任一限制触发即不予准许请求；未提前告知的，报告为逾期。",
    "conduct": "所有触发规则的处理措施一并适用；有“应当”或“依法生效”的规则触发时，相应措施为必须采取。",
}
QUESTION_ZH = {"application": "申请", "agreement": "协议", "request": "请求", "conduct": "违约处理", "deadlines": "期限"}


QUESTION_OF_KIND = {"institution_type": "application", "eligibility": "application", "materials": "application",
                    "non_acceptance": "application", "suspension": "agreement", "rescission": "agreement",
                    "termination": "agreement", "request_limit": "request", "measures": "conduct",
                    "late_notice": "request", "procedure_end": "application", "waiver": "application",
                    "suspended": "agreement"}


def combination_notes(question: str, plan: Any, fired: Sequence[Any]) -> list[tuple[str, str]]:
    """(Chinese, English) notes for the rules that ``fired`` (resolved rules, in plan order) of
    ``plan``; empty when at most one rule fired alone."""
    notes: list[tuple[str, str]] = []
    if len(fired) > 1:
        ids = ", ".join(f"{r.id} ({r.label})" for r in fired)
        ids_zh = "、".join(f"{r.id}（{r.title.zh}）" for r in fired)
        rule = COMBINATION_RULES.get(question, "every fired rule is listed")
        rule_zh = COMBINATION_RULES_ZH.get(question, "列出每一条触发的规则。")
        notes.append((f"触发了 {len(fired)} 条规则：{ids_zh}。{rule_zh}", f"{len(fired)} rules fired: {ids}. {rule}"))
        tiers = sorted({r.tier for r in fired if r.tier})
        if len(tiers) > 1:
            notes.append((f"第{'、'.join(map(str, tiers))}档均有规则触发；最高为第{tiers[-1]}档，各档的处理措施均连同其规则编号列出",
                          f"tiers {', '.join(map(str, tiers))} fired; the highest is tier {tiers[-1]}, and the "
                          "measures of every fired tier are listed with their rule ids"))
    fired_ids = {r.id for r in fired}
    in_plan = {r.id for r in plan.rules}
    elsewhere: dict[str, tuple[Any, set[str], set[str]]] = {}
    for o in getattr(plan, "overlaps", ()):
        for this, other in ((o.first, o.second), (o.second, o.first)):
            if this.id in fired_ids and other.id not in in_plan:
                entry = elsewhere.setdefault(other.id, (other, set(), set()))
                entry[1].add(this.id)
                entry[2].update(o.facts)
    for other, mine, facts in elsewhere.values():
        asked = QUESTION_OF_KIND.get(other.kind, "?")
        notes.append((f"{other.id}（{other.title.zh}，{QUESTION_ZH.get(asked, asked)}问题 {asked}）与 "
                      f"{'、'.join(sorted(mine))} 针对同一认定事实（{'、'.join(sorted(facts))}）：请同时询问该问题",
                      f"{other.id} ({other.label}, question {asked}) catches "
                      f"the same finding ({', '.join(sorted(facts))}) as {', '.join(sorted(mine))}: ask that "
                      "question too"))
    return notes
