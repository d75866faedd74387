"""How a decision is compared with a scenario's expectation: every difference as one sentence, in
English and in Chinese (``test`` prints the Chinese by default; pytest and JSON keep the English).
Ids, codes, dates and numbers stay as written in both languages."""

from __future__ import annotations

from typing import Iterable, NamedTuple

from ..errors import did_you_mean
from ..evaluation.decision import Decision
from ..packs.resolved import ResolvedPack, cite_zh
from ..packs.scenario_schema import Expectation

__all__ = ["Problem", "check_expectation", "expectation_problems"]


class Problem(NamedTuple):
    """One way a decision differs from its expectation, said in both languages."""

    en: str
    zh: str


def _list(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "none"


def _zh(items: Iterable[str]) -> str:
    items = list(items)
    return "、".join(items) if items else "无"


def check_expectation(decision: Decision, expect: Expectation, pack: ResolvedPack | None = None) -> list[str]:
    """Every way ``decision`` differs from ``expect``, one English sentence each (empty when it matches)."""
    return [p.en for p in expectation_problems(decision, expect, pack)]


def expectation_problems(decision: Decision, expect: Expectation, pack: ResolvedPack | None = None) -> list[Problem]:
    """Every way ``decision`` differs from ``expect``, in both languages (empty when it matches).

    Rule ids are checked against the question's candidate rules (``decision.rules``): an id that
    is not a candidate is a problem in itself, so a misspelt id can never pass silently.
    """
    problems: list[Problem] = []
    add = lambda en, zh: problems.append(Problem(en, zh))  # noqa: E731
    results = {r.id: r for r in decision.rules}
    if decision.outcome != expect.outcome:
        context, context_zh = f"fired: {_list(decision.fired)}", f"触发：{_zh(decision.fired)}"
        if decision.outcome == "undetermined":
            context += f"; missing facts: {_list(decision.missing_facts)}"
            context_zh += f"；缺少事实：{_zh(decision.missing_facts)}"
        add(f"outcome: expected {expect.outcome}, got {decision.outcome} ({context})",
            f"结果：应为 {expect.outcome}，实为 {decision.outcome}（{context_zh}）")

    def not_candidate(key: str, rule_id: str) -> Problem:
        en = f"{key}: '{rule_id}' is not a candidate rule of the {decision.question} question"
        zh = f"{key}：{rule_id} 不是 {decision.question} 问题的候选规则"
        if pack is not None and any(r.id == rule_id for r in pack.rules):
            kind = pack.rule(rule_id).kind
            en += f" (it is a {kind} rule of pack {pack.id})"
            zh += f"（它是规则包 {pack.id} 的 {kind} 规则）"
        else:
            hint = did_you_mean(rule_id, [*results, *(r.id for r in pack.rules)] if pack else list(results))
            en += f"; {hint}" if hint else ""
            zh += f"；{hint}" if hint else ""
        return Problem(en, zh)

    for rule_id in expect.fired:
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("fired", rule_id))
        elif r.status != "fired":
            add(f"fired: expected {rule_id} to fire, got {r.status}" + (f" (missing: {_list(r.missing)})" if r.missing else ""),
                f"fired：{rule_id} 应触发，实为 {r.status}" + (f"（缺少：{_zh(r.missing)}）" if r.missing else ""))
    for rule_id in expect.not_fired:
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("not_fired", rule_id))
        elif r.status == "fired":
            add(f"not_fired: {rule_id} fired, expected it not to fire", f"not_fired：{rule_id} 触发了，应不触发")
        elif r.status not in ("not_fired", "not_applicable"):  # not_applicable: a converter that gave nothing
            add(f"not_fired: expected {rule_id} not to fire, got {r.status}" + (f" (missing: {_list(r.missing)})" if r.missing else ""),
                f"not_fired：{rule_id} 应不触发，实为 {r.status}" + (f"（缺少：{_zh(r.missing)}）" if r.missing else ""))
    missing = decision.missing_facts
    for fact in expect.missing:
        if fact not in missing:
            add(f"missing: expected fact {fact} to be reported missing; missing facts: {_list(missing)}",
                f"missing：事实 {fact} 应列为缺少；缺少的事实：{_zh(missing)}")
    deadlines = {d.key: d for d in decision.deadlines}  # a per-item deadline as time_limit.x[index]
    for rule_id, due in expect.deadlines.items():
        d = deadlines.get(rule_id)
        if d is None:
            add(f"deadlines: no deadline {rule_id} was computed (computed: {_list(deadlines)})",
                f"deadlines：未计算期限 {rule_id}（已计算：{_zh(deadlines)}）")
        elif d.due is None:
            add(f"deadlines: {rule_id} has no due date (missing: {_list(d.missing)}), expected {due}",
                f"deadlines：{rule_id} 没有最后一日（缺少：{_zh(d.missing)}），应为 {due}")
        elif d.due != due:
            add(f"deadlines: {rule_id} due {d.due}, expected {due}", f"deadlines：{rule_id} 最后一日为 {d.due}，应为 {due}")
    for rule_id, status in expect.deadline_status.items():
        d = deadlines.get(rule_id)
        if d is None:
            add(f"deadline_status: no deadline {rule_id} was computed (computed: {_list(deadlines)})",
                f"deadline_status：未计算期限 {rule_id}（已计算：{_zh(deadlines)}）")
        elif d.status != status:
            add(f"deadline_status: {rule_id} is {d.status or 'unknown'} on {decision.as_of} "
                f"(due {d.due or 'unknown'}), expected {status}",
                f"deadline_status：{rule_id} 于 {decision.as_of} 为 {d.status or '未知'}（最后一日 {d.due or '未知'}），应为 {status}")
    measures = [m.measure_id for m in decision.measures]
    for measure in expect.measures:
        if measure not in measures:
            add(f"measures: expected measure {measure}; got {_list(dict.fromkeys(measures))}",
                f"measures：应有处理方式 {measure}；实有 {_zh(dict.fromkeys(measures))}")
    ordered = {m.measure_id for m in decision.measures if m.mandatory}
    for measure in expect.mandatory:
        if measure not in ordered:
            kinds = [("ordered" if m.mandatory else "allowed") for m in decision.measures if m.measure_id == measure]
            add(f"mandatory: expected {measure} to be ordered; " +
                (f"it is only {', '.join(dict.fromkeys(kinds))}" if kinds else "it is not computed"),
                f"mandatory：{measure} 应为应当采取；" + ("它仅为可以采取" if kinds else "未计算它"))
    by_rule = {(m.rule_id, m.measure_id): m for m in decision.measures}
    for rule_id, wanted in expect.amounts.items():
        for measure, amounts in wanted.items():
            m = by_rule.get((rule_id, measure))
            if m is None:
                add(f"amounts: {rule_id} computes no measure {measure}", f"amounts：{rule_id} 未计算处理方式 {measure}")
                continue
            for name in ("base", "min", "max"):
                want, got = getattr(amounts, name), getattr(m, f"{name}_amount")
                if want is not None and (got is None or abs(got - want) > 0.005):
                    add(f"amounts: {rule_id} {measure} {name} is {got}, expected {want}",
                        f"amounts：{rule_id} {measure} 的 {name} 为 {got}，应为 {want}")
    for rule_id, wanted in expect.durations.items():
        for measure, span in wanted.items():
            m = by_rule.get((rule_id, measure))
            if m is None:
                add(f"durations: {rule_id} computes no measure {measure}", f"durations：{rule_id} 未计算处理方式 {measure}")
                continue
            for name in ("min", "max"):
                want, got = getattr(span, name), getattr(m, f"{name}_duration")
                if want is not None and (got is None or tuple(got) != tuple(want)):
                    add(f"durations: {rule_id} {measure} {name} is {got}, expected {list(want)}",
                        f"durations：{rule_id} {measure} 的 {name} 为 {got}，应为 {list(want)}")
    deadline_citations = {d.rule_id: d.cited_as for d in decision.deadlines}
    for rule_id, label in expect.cited.items():
        r = results.get(rule_id)
        cited_as = r.cited_as if r is not None else deadline_citations.get(rule_id)
        if cited_as is None:
            p = not_candidate("cited", rule_id)
            if deadline_citations:
                p = Problem(p.en + f" (computed deadlines: {_list(deadline_citations)})",
                            p.zh + f"（已计算的期限：{_zh(deadline_citations)}）")
            problems.append(p)
        elif cited_as != label:
            add(f"cited: {rule_id} is cited as {cited_as}, expected {label}", f"cited：{rule_id} 引作 {cited_as}，应为 {label}")
    for rule_id, labels in expect.cited_items.items():
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("cited_items", rule_id))
            continue
        held = [cite_zh(i.citation, with_document=False) for i in r.items if i.status == "held"]
        if held != list(labels):
            add(f"cited_items: {rule_id} cites items {_list(held)}, expected {_list(labels)}",
                f"cited_items：{rule_id} 引用的项为 {_zh(held)}，应为 {_zh(labels)}")
    for rule_id, modality in expect.modality.items():
        r = results.get(rule_id)
        got = r.rule.modality if r is not None else next((d.modality for d in decision.deadlines if d.rule_id == rule_id),
                                                    None)
        if got is None:
            p = not_candidate("modality", rule_id)
            if deadlines:
                p = Problem(p.en + f" (computed deadlines: {_list(deadlines)})", p.zh + f"（已计算的期限：{_zh(deadlines)}）")
            problems.append(p)
        elif got != modality:
            add(f"modality: {rule_id} is {got}, expected {modality}", f"modality：{rule_id} 为 {got}，应为 {modality}")
    for param_id, value in expect.parameters.items():
        param = pack.parameters.get(param_id) if pack is not None else None
        if param is None:
            if pack is None:
                add(f"parameters: '{param_id}' cannot be checked without the pack", f"parameters：没有规则包，无法核对 {param_id}")
                continue
            hint = did_you_mean(param_id, list(pack.parameters))
            add(f"parameters: '{param_id}' is not a parameter of the pack" + (f"; {hint}" if hint else ""),
                f"parameters：{param_id} 不是该规则包的参数" + (f"；{hint}" if hint else ""))
        elif isinstance(param.value, (bool, list, tuple, str)) or abs(float(param.value) - value) > 1e-9:
            add(f"parameters: {param_id} is {param.value} {param.unit}, expected {value:g}",
                f"parameters：{param_id} 为 {param.value} {param.unit}，应为 {value:g}")
    codes = [w.code for w in decision.warnings]
    for code in expect.warnings:
        if code not in codes:
            add(f"warnings: expected warning {code}; got {_list(dict.fromkeys(codes))}",
                f"warnings：应有警告 {code}；实有 {_zh(dict.fromkeys(codes))}")
    for code in expect.no_warnings:
        if code in codes:
            add(f"no_warnings: the decision warns {code}, expected no such warning", f"no_warnings：决定含警告 {code}，应无此警告")
    return problems
