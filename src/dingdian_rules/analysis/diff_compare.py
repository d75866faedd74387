"""Comparing two resolved packs: ``diff_packs`` and its records, kept apart from their views (``diff_render``).

``diff_packs(a, b)`` compares the *resolved* forms (each pack flattened with its ancestors), so
two packs are compared by what they decide, whatever chain produced it: Nantong, which forwards
the Jiangsu rules unchanged, diffs empty against Jiangsu. ``b`` is read as the pack compared
against ``a`` (the base): a rule only in ``b`` is *added*, one ``b`` repealed is *repealed*.
Source documents and the chain are reported but are not differences; notes (commentary) are not
compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .diff_views import _RULE_SECTIONS, _squash, pack_diff_dict, pack_diff_markdown, pack_diff_text
from ..render import cite, source_titles
from ..packs.resolved import RepealedRule, ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule, rule_parameters
from ..packs.schema import Text

__all__ = ["FieldChange", "NormDifferenceDiff", "PackDiff", "ParameterDiff", "RULE_FIELDS", "RuleDiff", "diff_packs",
           "rule_parameters"]

RULE_FIELDS = ("kind", "title", "modality", "in_principle", "condition", "outcome", "measures", "deadline", "tier",
               "questions", "citation")
"""Fields of a rule that are compared (``note`` is commentary and is not)."""

# --- the comparison ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One field of a rule that differs, shown as text on both sides."""

    field: str
    a: str
    b: str


@dataclass(frozen=True)
class ParameterDiff:
    """A parameter only in A, only in B, or in both with another value, unit or citation."""

    id: str
    change: str  # only_in_a | only_in_b | changed | restated
    a: ResolvedParameter | None
    b: ResolvedParameter | None
    fields: tuple[str, ...] = ()  # value / unit / citation, when changed

    @property
    def title(self) -> Text:
        return (self.a or self.b).title  # type: ignore[union-attr]

    @property
    def notes(self) -> tuple[str, ...]:
        """What B's own steps say they changed (override notes), when both have it."""
        return _own_notes(self.a, self.b)


@dataclass(frozen=True)
class RuleDiff:
    """A rule added in B, only in A, repealed by B, overridden / changed, or reading other parameter values."""

    id: str
    change: str  # added | removed | repealed | overridden | changed | parameters | restated
    a: ResolvedRule | None
    b: ResolvedRule | None
    fields: tuple[FieldChange, ...] = ()
    parameters: tuple[str, ...] = ()  # parameters the rule reads whose values differ
    repeal: RepealedRule | None = None  # B's repeal (repealed), or A's repeal of a rule B keeps (added)

    @property
    def rule(self) -> ResolvedRule:
        """B's rule, or A's when B has none."""
        return (self.b or self.a)  # type: ignore[return-value]

    @property
    def notes(self) -> tuple[str, ...]:
        """What B's own steps say (override notes, B's definition), when both have the rule."""
        return _own_notes(self.a, self.b)


@dataclass(frozen=True)
class NormDifferenceDiff:
    """A recorded lower-norm difference (``norm_differences:``) only in A, only in B, or recorded
    in both with other provisions, rules, reason or winner."""

    id: str
    change: str  # only_in_a | only_in_b | changed
    a: ResolvedNormDifference | None
    b: ResolvedNormDifference | None

    @property
    def record(self) -> ResolvedNormDifference:
        """B's record, or A's when B has none."""
        return (self.b or self.a)  # type: ignore[return-value]


def _norm_key(d: ResolvedNormDifference) -> tuple:
    dump = lambda cites: tuple(c.model_dump_json() for c in cites)  # noqa: E731
    return (d.rules, dump(d.lower), dump(d.higher), d.prevails, d.reason, dump(d.reason_cites), d.when)


def _own_notes(a: Any, b: Any) -> tuple[str, ...]:
    if a is None or b is None:
        return ()
    shared = {(s.action, s.pack) for s in a.provenance}
    return tuple(s.note for s in b.provenance if (s.action, s.pack) not in shared
                 and s.action in ("overridden", "restated") and s.note)


def _own_citation(x: ResolvedRule | ResolvedParameter) -> Any:
    """The provision that sets the logic or value (the latest override, else the definition):
    a restatement re-cites it in the child's words and changes nothing, so it is compared apart."""
    return next((p.citation for p in x.basis if p.role != "restated"), x.citation)


def _restatements(x: ResolvedRule | ResolvedParameter) -> set[tuple[str, str]]:
    return {(p.pack, p.citation.model_dump_json()) for p in x.basis if p.role == "restated"}


def _condition(r: ResolvedRule) -> str:
    return "; ".join(f"{name}: {_squash(text)}" for name, text in (
        ("when", r.when), ("requires", r.requires), ("applies_when", r.applies_when)) if text)


def _measures(r: ResolvedRule) -> str:
    out = []
    for m in r.measures:
        text = m.measure.id
        amount, span = m.measure.amount, m.measure.duration
        if amount:
            lo = f"{m.min_rate:g}%" if m.min_rate is not None else "0%"
            hi = f"{m.max_rate:g}%" if m.max_rate is not None else "no cap"
            text += f" ({lo}–{hi} of {_squash(amount.base)})"
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
              else f"on {_squash(dl.on)}" if dl.on else dl.length)
    text = f"{length} {dl.direction} {_squash(dl.start)}"
    if dl.extend_days:
        text += f", + {_squash(dl.extend_days)} days"
    if dl.roll_to_working_day:
        text += ", last day rolled to a working day"
    if dl.done_on:
        text += f", done on {_squash(dl.done_on)}"
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


# --- the result (its views are in diff_render) ------------------------------------------------
@dataclass(frozen=True, eq=False)
class PackDiff:
    """The differences between two resolved packs; empty when they decide alike."""

    a: ResolvedPack
    b: ResolvedPack
    parameters: tuple[ParameterDiff, ...]
    rules: tuple[RuleDiff, ...]
    norm_differences: tuple[NormDifferenceDiff, ...] = ()  # lower-norm records only in one pack, or changed

    @property
    def identical(self) -> bool:
        """No parameter, rule or lower-norm record differs (chains, source documents and notes may; a
        restatement, which changes only how a decision is cited, counts as a difference, and so does a
        lower-norm record, which changes the warnings decisions carry)."""
        return not self.parameters and not self.rules and not self.norm_differences

    @property
    def decides_alike(self) -> bool:
        """Every difference is a restatement or a lower-norm record: the two packs give every case the same
        outcome (a lower-norm record adds a warning, never another outcome)."""
        return all(p.change == "restated" for p in self.parameters) and all(r.change == "restated" for r in self.rules)

    def rules_by(self, change: str) -> tuple[RuleDiff, ...]:
        return tuple(r for r in self.rules if r.change == change)

    def counts(self) -> dict[str, int]:
        out = {f"parameters_{c}": sum(p.change == c for p in self.parameters)
               for c in ("only_in_a", "only_in_b", "changed", "restated")}
        out.update({f"rules_{c}": len(self.rules_by(c)) for c, _, _ in _RULE_SECTIONS})
        out.update({f"norm_differences_{c}": sum(n.change == c for n in self.norm_differences)
                    for c in ("only_in_a", "only_in_b", "changed")})
        return out

    def summary(self) -> str:
        if self.identical:
            return (f"No differences: `{self.b.id}` has the same parameters and rules as `{self.a.id}` "
                    f"(same values, conditions, measures, deadlines and citations).")
        c = self.counts()
        parts = [f"{n} {label}" for n, label in (
            (c["parameters_changed"], "parameter(s) changed"), (c["parameters_only_in_b"], "parameter(s) added"),
            (c["parameters_only_in_a"], "parameter(s) only in A"), (c["rules_added"], "rule(s) added"),
            (c["rules_overridden"], "overridden"), (c["rules_changed"], "defined differently"),
            (c["rules_parameters"], "reading changed parameters"), (c["rules_repealed"], "repealed"),
            (c["rules_removed"], "only in A"), (c["rules_restated"], "restated in B's own words"),
            (c["parameters_restated"], "parameter(s) restated"),
            (c["norm_differences_only_in_b"], "lower-norm difference(s) recorded in B"),
            (c["norm_differences_changed"], "lower-norm difference(s) recorded differently"),
            (c["norm_differences_only_in_a"], "lower-norm difference(s) only in A")) if n]
        return "; ".join(parts) + "."

    def brief(self) -> str:
        """The summary without the pack names: ``identical`` or the counts."""
        return "identical (decides alike)" if self.identical else self.summary()

    # JSON -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data (``diff --format json``): every difference with full citations on both sides."""
        return pack_diff_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    # Markdown -------------------------------------------------------------------------------
    def to_markdown(self, level: int = 1) -> str:
        """Tables of the differences, citations on both sides; ``level`` is the heading depth."""
        return pack_diff_markdown(self, level)

    # text -----------------------------------------------------------------------------------
    def to_text(self) -> str:
        """The differences as plain lines (the default of ``dingdian-rules diff``)."""
        return pack_diff_text(self)
