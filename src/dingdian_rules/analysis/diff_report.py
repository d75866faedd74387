"""The result of comparing two packs: the ``PackDiff`` records and their views (JSON data, Markdown
tables, plain text). How the packs are compared is in ``analysis.diff``, which builds these records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from ..render import cite, norm_difference_dict, source_titles
from .diff_views import RULE_SECTIONS, md_row, norm_difference_lines, pack_diff_markdown, pack_diff_text, squash_text
from ..packs.schema import Text
from ..packs.resolved import RepealedRule, ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule, join_zh

__all__ = ["FieldChange", "NormDifferenceDiff", "PackDiff", "ParameterDiff", "RuleDiff", "norm_difference_lines",
           "pack_diff_dict", "pack_diff_markdown", "pack_diff_text"]
# --- the records ------------------------------------------------------------------------------
def _own_notes(a: Any, b: Any) -> tuple[str, ...]:
    if a is None or b is None:
        return ()
    shared = {(s.action, s.pack) for s in a.provenance}
    return tuple(s.note for s in b.provenance if (s.action, s.pack) not in shared
                 and s.action in ("overridden", "restated") and s.note)


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
        out.update({f"rules_{c}": len(self.rules_by(c)) for c, _, _ in RULE_SECTIONS})
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
    def to_markdown(self, level: int = 1, lang: str = "zh") -> str:
        """Tables of the differences, citations on both sides; ``level`` is the heading depth."""
        return pack_diff_markdown(self, level, lang)

    # text -----------------------------------------------------------------------------------
    def to_text(self, lang: str = "zh") -> str:
        """The differences as plain lines (the default of ``dingdian-rules diff``)."""
        return pack_diff_text(self, lang)


# --- the views ----------------------------------------------------------------------------------
squash = squash_text


# --- JSON -------------------------------------------------------------------------------------
def pack_diff_dict(d: PackDiff) -> dict[str, Any]:
    """Plain data (``diff --format json``): every difference with full citations on both sides."""
    ta, tb = source_titles(d.a), source_titles(d.b)

    def pack(p: ResolvedPack) -> dict[str, Any]:
        return {"id": p.id, "name": p.name.model_dump(), "level": p.level, "chain": list(p.chain),
                "fingerprint": p.fingerprint, "sources": list(p.sources)}

    def citation(c: Any, titles: dict[str, str]) -> dict[str, Any] | None:
        return None if c is None else {**c.model_dump(mode="json"), "label": cite(c, titles)}

    def param(p: ResolvedParameter | None, titles: dict[str, str]) -> dict[str, Any] | None:
        if p is None:
            return None
        return {"value": list(p.value) if isinstance(p.value, tuple) else p.value, "unit": p.unit,
                "title": p.title.model_dump(), "citation": citation(p.citation, titles), "cited_as": p.cited_as,
                "provenance": [s.describe() for s in p.provenance]}

    def rule(r: ResolvedRule | None, titles: dict[str, str]) -> dict[str, Any] | None:
        if r is None:
            return None
        return {"kind": r.kind, "title": r.title.model_dump(), "modality": r.modality,
                "citation": citation(r.citation, titles), "cited_as": r.cited_as,
                "provenance": [s.describe() for s in r.provenance]}

    return {
        "a": pack(d.a), "b": pack(d.b), "identical": d.identical, "summary": d.summary(),
        "counts": d.counts(),
        "parameters": [{"id": p.id, "change": p.change, "fields": list(p.fields), "notes": list(p.notes),
                        "a": param(p.a, ta), "b": param(p.b, tb)} for p in d.parameters],
        "rules": [{"id": r.id, "change": r.change,
                   "fields": [{"field": f.field, "a": f.a, "b": f.b} for f in r.fields],
                   "parameters": list(r.parameters), "notes": list(r.notes),
                   "repeal": None if r.repeal is None else {
                       "pack": r.repeal.pack, "reason": squash(r.repeal.reason),
                       "citation": citation(r.repeal.citation, tb if r.change == "repealed" else ta)},
                   "a": rule(r.a, ta), "b": rule(r.b, tb)} for r in d.rules],
        "norm_differences": [{"id": n.id, "change": n.change,
                              "a": None if n.a is None else norm_difference_dict(n.a),
                              "b": None if n.b is None else norm_difference_dict(n.b)} for n in d.norm_differences],
    }
