"""Comparing two resolved packs: ``diff_packs``, which builds the records of ``diff_report`` (their views are there too).

``diff_packs(a, b)`` compares the *resolved* forms (each pack flattened with its ancestors), so
two packs are compared by what they decide, whatever chain produced it: Nantong, which forwards
the Jiangsu rules unchanged, diffs empty against Jiangsu. ``b`` is read as the pack compared
against ``a`` (the base): a rule only in ``b`` is *added*, one ``b`` repealed is *repealed*.
Source documents and the chain are reported but are not differences; notes (commentary) are not
compared.
"""

from __future__ import annotations

from typing import Any

from .diff_report import FieldChange, NormDifferenceDiff, PackDiff, ParameterDiff, RuleDiff, squash
from ..render import cite, source_titles
from ..packs.resolved import ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule, rule_parameters

__all__ = ["FieldChange", "NormDifferenceDiff", "PackDiff", "ParameterDiff", "RULE_FIELDS", "RuleDiff", "diff_packs",
           "rule_parameters"]

RULE_FIELDS = ("kind", "title", "modality", "in_principle", "condition", "outcome", "measures", "deadline", "tier",
               "questions", "citation")
"""Fields of a rule that are compared (``note`` is commentary and is not)."""

# --- the comparison ---------------------------------------------------------------------------
def _norm_key(d: ResolvedNormDifference) -> tuple:
    dump = lambda cites: tuple(c.model_dump_json() for c in cites)  # noqa: E731
    return (d.rules, dump(d.lower), dump(d.higher), d.prevails, d.reason, dump(d.reason_cites), d.when)


def _own_citation(x: ResolvedRule | ResolvedParameter) -> Any:
    """The provision that sets the logic or value (the latest override, else the definition):
    a restatement re-cites it in the child's words and changes nothing, so it is compared apart."""
    return next((p.citation for p in x.basis if p.role != "restated"), x.citation)


def _restatements(x: ResolvedRule | ResolvedParameter) -> set[tuple[str, str]]:
    return {(p.pack, p.citation.model_dump_json()) for p in x.basis if p.role == "restated"}


def _condition(r: ResolvedRule) -> str:
    return "; ".join(f"{name}: {squash(text)}" for name, text in (
        ("when", r.when), ("requires", r.requires), ("applies_when", r.applies_when)) if text)


def _measures(r: ResolvedRule) -> str:
    out = []
    for m in r.measures:
        text = m.measure.id
        amount, span = m.measure.amount, m.measure.duration
        if amount:
            lo = f"{m.min_rate:g}%" if m.min_rate is not None else "0%"
            hi = f"{m.max_rate:g}%" if m.max_rate is not None else "no cap"
            text += f" ({lo}–{hi} of {squash(amount.base)})"
        if span:
            lo = f"{m.min_duration[0]} {m.min_duration[1]}" if m.min_duration else "?"
            hi = f"{m.max_duration[0]} {m.max_duration[1]}" if m.max_duration else "?"
            text += f" ({lo} to {hi})"
        out.append(text)
    return ", ".join(out)


def _deadline(r: ResolvedRule) -> str:
    dl = r.deadline
    if dl is None:
        return ""
    length = (f"{r.deadline_length[0]} {r.deadline_length[1]}" if r.deadline_length and dl.length
              else f"on {squash(dl.on)}" if dl.on else dl.length)
    text = f"{length} {dl.direction} {squash(dl.start)}"
    if dl.extend_days:
        text += f", + {squash(dl.extend_days)} days"
    if dl.roll_to_working_day:
        text += ", last day rolled to a working day"
    if dl.done_on:
        text += f", done on {squash(dl.done_on)}"
    return text


def _rule_field(pack: ResolvedPack, r: ResolvedRule, name: str) -> tuple[Any, str]:
    """(value compared, value shown) of one field."""
    if name == "title":
        return (r.title.zh, r.title.en), r.title.zh
    if name == "condition":
        text = _condition(r)
        return text, text
    if name == "measures":
        return [m.measure.model_dump(mode="json") for m in r.measures], _measures(r)
    if name == "deadline":
        return (r.deadline.model_dump(mode="json") if r.deadline else None), _deadline(r)
    if name == "citation":
        own = _own_citation(r)
        return own.model_dump(mode="json"), cite(own, source_titles(pack))
    if name == "questions":
        return r.questions, ", ".join(r.questions)
    value = getattr(r, name)
    return value, "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _param_fields(a: ResolvedParameter, b: ResolvedParameter) -> tuple[str, ...]:
    return tuple(name for name, x, y in (("value", a.value, b.value), ("unit", a.unit, b.unit),
                                         ("citation", _own_citation(a), _own_citation(b))) if x != y)


def diff_packs(a: ResolvedPack, b: ResolvedPack) -> PackDiff:
    """What differs between two resolved packs, B read against A (the base)."""
    params: list[ParameterDiff] = []
    for pid, pa in a.parameters.items():
        pb = b.parameters.get(pid)
        if pb is None:
            params.append(ParameterDiff(pid, "only_in_a", pa, None))
        elif fields := _param_fields(pa, pb):
            params.append(ParameterDiff(pid, "changed", pa, pb, fields))
        elif _restatements(pa) != _restatements(pb):
            params.append(ParameterDiff(pid, "restated", pa, pb, ("citation",)))
    params += [ParameterDiff(pid, "only_in_b", None, pb) for pid, pb in b.parameters.items() if pid not in a.parameters]
    changed_values = {p.id for p in params if p.change in ("only_in_a", "only_in_b") or "value" in p.fields
                      or "unit" in p.fields}

    rules_a = {r.id: r for r in a.rules}
    rules_b = {r.id: r for r in b.rules}
    repealed_a = {r.id: r for r in a.repealed}
    repealed_b = {r.id: r for r in b.repealed}
    rules: list[RuleDiff] = []
    for rid, ra in rules_a.items():
        rb = rules_b.get(rid)
        if rb is None:
            rep = repealed_b.get(rid)
            rules.append(RuleDiff(rid, "repealed" if rep else "removed", ra, None, repeal=rep))
            continue
        fields = []
        for name in RULE_FIELDS:
            (va, sa), (vb, sb) = _rule_field(a, ra, name), _rule_field(b, rb, name)
            if va != vb:
                fields.append(FieldChange(name, sa, sb))
        used = tuple(sorted((rule_parameters(ra) | rule_parameters(rb)) & changed_values))
        if fields:
            own = {(s.action, s.pack) for s in ra.provenance} ^ {(s.action, s.pack) for s in rb.provenance}
            change = "overridden" if any(action == "overridden" for action, _ in own) else "changed"
            rules.append(RuleDiff(rid, change, ra, rb, tuple(fields), used))
        elif used:
            rules.append(RuleDiff(rid, "parameters", ra, rb, (), used))
        elif _restatements(ra) != _restatements(rb):
            rules.append(RuleDiff(rid, "restated", ra, rb))
    rules += [RuleDiff(rid, "added", None, rb, repeal=repealed_a.get(rid)) for rid, rb in rules_b.items()
              if rid not in rules_a]
    norms_a = {d.id: d for d in a.norm_differences}
    norms_b = {d.id: d for d in b.norm_differences}
    norms = [NormDifferenceDiff(nid, "only_in_a", da, None) for nid, da in norms_a.items() if nid not in norms_b]
    norms += [NormDifferenceDiff(nid, "only_in_b" if nid not in norms_a else "changed", norms_a.get(nid), db)
              for nid, db in norms_b.items() if nid not in norms_a or _norm_key(norms_a[nid]) != _norm_key(db)]
    return PackDiff(a, b, tuple(params), tuple(rules), tuple(norms))
