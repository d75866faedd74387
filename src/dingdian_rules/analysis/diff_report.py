"""The result of comparing two packs: the ``PackDiff`` records and their views (JSON data, Markdown
tables, plain text). How the packs are compared is in ``analysis.diff``, which builds these records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from ..render import cite, norm_difference_dict, source_titles
from ..packs.schema import Text
from ..packs.resolved import RepealedRule, ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule, join_zh

__all__ = ["FieldChange", "NormDifferenceDiff", "PackDiff", "ParameterDiff", "RuleDiff", "norm_difference_lines",
           "pack_diff_dict", "pack_diff_markdown", "pack_diff_text"]
_NORM_CHANGES = {"only_in_a": "only in A", "only_in_b": "recorded in B", "changed": "recorded differently in B"}
_PREVAILS = {"higher": "上位规定", "lower": "本级规定"}

_PARAM_CHANGES = {"only_in_a": "only in A", "only_in_b": "added in B", "changed": "changed", "restated": "restated in B"}
_RULE_SECTIONS = (
    ("added", "Rules added in B", "in B, not in A"),
    ("overridden", "Rules overridden", "in both, changed by an override"),
    ("changed", "Rules defined differently", "in both, defined differently without an override between them"),
    ("parameters", "Rules reading other parameter values", "same text, but a parameter they read differs"),
    ("repealed", "Rules repealed in B", "in A, repealed explicitly by B"),
    ("removed", "Rules only in A", "in A, neither in B nor repealed by it"),
    ("restated", "Rules restated in B", "same rule; B's own text restates it, and B's decisions cite B's provision first"),
)


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


# --- the views ----------------------------------------------------------------------------------
def squash(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


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


def norm_difference_lines(n: ResolvedNormDifference) -> list[str]:
    """A lower-norm record as lines of text: lower and higher provisions quoted, the winner and why."""
    out = [f"  lower ({n.pack}): {n.lower_cited_as}: " + " … ".join(f"“{c.quote}”" for c in n.lower),
           f"  higher: {n.higher_cited_as}: " + " … ".join(f"“{c.quote}”" for c in n.higher),
           f"  prevails: {n.prevails} ({_PREVAILS[n.prevails]}): {join_zh(n.reason)}"]
    if n.reason_cites:
        out.append(f"  because: {n.reason_cited_as}: " + " … ".join(f"“{c.quote}”" for c in n.reason_cites))
    out.append(f"  rules: {', '.join(n.rules) or '(none left in this pack)'}"
               + (f"; warned when {' '.join(n.when.split())}" if n.when else ""))
    return out


# --- Markdown ---------------------------------------------------------------------------------
def pack_diff_markdown(d: PackDiff, level: int = 1) -> str:
    """Tables of the differences, citations on both sides; ``level`` is the heading depth."""
    h = "#" * level
    a, b = d.a, d.b
    ta, tb = source_titles(a), source_titles(b)
    lines = [f"{h} `{a.id}` → `{b.id}`", "",
             f"- A: `{a.id}` {a.name.zh} — chain {' → '.join(a.chain)}",
             f"- B: `{b.id}` {b.name.zh} — chain {' → '.join(b.chain)}", "", d.summary(), ""]
    if d.identical:
        extra = [s for s in b.sources if s not in a.sources]
        if extra:
            lines += [f"B adds source document(s) {', '.join(f'`{s}`' for s in extra)} but no parameter, "
                      "rule, override or repeal of its own.", ""]
        return "\n".join(lines).rstrip("\n") + "\n"
    if d.parameters:
        lines += [f"{h}# Parameters", "", md_row(["parameter", "change", "A", "B", "A cites", "B cites", "B's note"]),
                  md_row(["---"] * 7)]
        for p in d.parameters:
            change = _PARAM_CHANGES[p.change] + (f" ({', '.join(p.fields)})" if p.fields else "")
            lines.append(md_row([f"`{p.id}` {p.title.zh}", change, _pvalue(p.a), _pvalue(p.b), _cites(p.a, ta),
                               _cites(p.b, tb), "; ".join(p.notes)]))
        lines.append("")
    for change, heading, meaning in _RULE_SECTIONS:
        items = d.rules_by(change)
        if items:
            head, rows = _rule_table(change, items, ta, tb)
            lines += [f"{h}# {heading} ({len(items)})", "", f"_{meaning}._", "", md_row(head),
                      md_row(["---"] * len(head))] + [md_row(row) for row in rows] + [""]
    if d.norm_differences:
        lines += [f"{h}# Lower-norm differences ({len(d.norm_differences)})", "",
                  "_a provision of the lower text recorded as differing from a higher one; every decision touching "
                  "the rules warns `lower-norm-difference`, quoting both._", "",
                  md_row(["record", "change", "lower provision", "higher provision", "prevails", "why", "rules"]),
                  md_row(["---"] * 7)]
        for n in d.norm_differences:
            r = n.record
            lines.append(md_row([f"`{n.id}` ({r.pack})", _NORM_CHANGES[n.change],
                               f"{r.lower_cited_as}：" + "…".join(f"“{c.quote}”" for c in r.lower),
                               f"{r.higher_cited_as}：" + "…".join(f"“{c.quote}”" for c in r.higher),
                               _PREVAILS[r.prevails], join_zh(r.reason)
                               + (f"（{r.reason_cited_as}）" if r.reason_cites else ""),
                               ", ".join(f"`{x}`" for x in r.rules)
                               + (f" (warned when `{_code(r.when)}`)" if r.when else "")]))
        lines.append("")
    details = [r for r in d.rules if any(f.field != "citation" for f in r.fields)]
    if details:
        lines += [f"{h}# Changed fields", ""]
        for r in details:
            lines.append(f"- `{r.id}`")
            lines += [f"  - {f.field}: A `{_code(f.a)}` → B `{_code(f.b)}`" for f in r.fields if f.field != "citation"]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- text -------------------------------------------------------------------------------------
def pack_diff_text(d: PackDiff) -> str:
    """The differences as plain lines (the default of ``dingdian-rules diff``)."""
    a, b = d.a, d.b
    ta, tb = source_titles(a), source_titles(b)
    lines = [f"A: {a.id} ({' -> '.join(a.chain)})", f"B: {b.id} ({' -> '.join(b.chain)})",
             d.summary().replace("`", "")]
    for p in d.parameters:
        lines += ["", f"parameter {p.id}: {_PARAM_CHANGES[p.change]}" + (f" ({', '.join(p.fields)})" if p.fields else "")]
        if p.a:
            lines.append(f"  A: {_pvalue(p.a)}  [{_cites(p.a, ta)}]")
        if p.b:
            lines.append(f"  B: {_pvalue(p.b)}  [{_cites(p.b, tb)}]")
        lines += [f"  B's note: {n}" for n in p.notes]
    for r in d.rules:
        lines += ["", f"rule {r.id}: {r.change}" + (f" (reads {', '.join(r.parameters)})" if r.parameters else "")]
        if r.a:
            lines.append(f"  A: {_cites(r.a, ta)}")
        if r.b:
            lines.append(f"  B: {_cites(r.b, tb)}")
        if r.repeal and r.change == "repealed":
            lines.append(f"  repealed by {r.repeal.pack} [{cite(r.repeal.citation, tb)}]: {squash(r.repeal.reason)}")
        for f in r.fields:
            if f.field != "citation":
                lines += [f"  {f.field}:", f"    A: {_code(f.a)}", f"    B: {_code(f.b)}"]
        lines += [f"  B's note: {n}" for n in r.notes]
    for n in d.norm_differences:
        lines += ["", f"lower-norm difference {n.id}: {_NORM_CHANGES[n.change]}"] + norm_difference_lines(n.record)
    return "\n".join(lines) + "\n"


def _cites(x: ResolvedRule | ResolvedParameter | RepealedRule | None, titles: dict[str, str]) -> str:
    """The officer's citation, nearest provision first (with what it restates), for rules and parameters."""
    if x is None:
        return ""
    return getattr(x, "cited_as", "") or cite(x.citation, titles)


def _rule_table(change: str, items: Sequence[RuleDiff], ta: dict[str, str],
                tb: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one section of rule differences."""
    if change == "added":
        return (["rule", "kind", "title", "B cites"],
                [[f"`{r.id}`", r.rule.kind, r.rule.title.zh, _cites(r.b, tb)
                  + (f" (A: repealed by {r.repeal.pack})" if r.repeal else "")] for r in items])
    if change in ("overridden", "changed"):
        return (["rule", "fields changed", "A cites", "B cites", "what B changed"],
                [[f"`{r.id}`", ", ".join(f.field for f in r.fields)
                  + (f"; reads {', '.join(r.parameters)}" if r.parameters else ""),
                  _cites(r.a, ta), _cites(r.b, tb), "; ".join(r.notes)] for r in items])
    if change == "restated":
        return (["rule", "A cites", "B cites (its own provision first)", "B's note"],
                [[f"`{r.id}`", _cites(r.a, ta), _cites(r.b, tb), "; ".join(r.notes)] for r in items])
    if change == "parameters":
        return (["rule", "parameters", "cites"],
                [[f"`{r.id}`", ", ".join(f"`{p}`" for p in r.parameters), _cites(r.b, tb)] for r in items])
    if change == "repealed":
        return (["rule", "A cites", "repealed by", "B cites", "reason"],
                [[f"`{r.id}`", _cites(r.a, ta), r.repeal.pack if r.repeal else "", _cites(r.repeal, tb),
                  squash(r.repeal.reason if r.repeal else "")] for r in items])
    return (["rule", "kind", "title", "A cites"],
            [[f"`{r.id}`", r.rule.kind, r.rule.title.zh, _cites(r.a, ta)] for r in items])


def _pvalue(p: ResolvedParameter | None) -> str:
    if p is None:
        return "—"
    value = ", ".join(p.value) if isinstance(p.value, tuple) else f"{p.value:g}" if isinstance(p.value, float) else str(p.value)
    return value if p.unit == "types" else f"{value} {p.unit}"


def _cell(text: str) -> str:
    return squash(str(text)).replace("|", "\\|")


def md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _code(text: str) -> str:
    return squash(text).replace("`", "'") or "—"
