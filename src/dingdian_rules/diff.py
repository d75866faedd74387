"""Compare two resolved packs: parameters and rules added, overridden and repealed, with citations.

``diff_packs(a, b)`` compares the *resolved* forms (each pack flattened with its ancestors), so
two packs are compared by what they decide, whatever chain produced it: Nantong, which forwards
the Jiangsu rules unchanged, diffs empty against Jiangsu. ``b`` is read as the pack compared
against ``a`` (the base): a rule only in ``b`` is *added*, one ``b`` repealed is *repealed*.
Source documents and the chain are reported but are not differences; notes (commentary) are not
compared. ``python -m dingdian_rules.diff --jurisdictions`` writes docs/jurisdictions.md.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Sequence

from .loader import bundled_pack_ids, load_pack
from .render import cite, source_titles
from .resolved import RepealedRule, ResolvedPack, ResolvedParameter, ResolvedRule
from .schema import SourceDocument, Text

__all__ = ["FieldChange", "PackDiff", "ParameterDiff", "RuleDiff", "diff_packs", "jurisdictions_markdown",
           "pack_status", "rule_parameters"]

RULE_FIELDS = ("kind", "title", "modality", "in_principle", "condition", "outcome", "measures", "deadline", "tier",
               "questions", "citation")
"""Fields of a rule that are compared (``note`` is commentary and is not)."""

_PARAM_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


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
    change: str  # only_in_a | only_in_b | changed
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
    change: str  # added | removed | repealed | overridden | changed | parameters
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


def _own_notes(a: Any, b: Any) -> tuple[str, ...]:
    if a is None or b is None:
        return ()
    shared = {(s.action, s.pack) for s in a.provenance}
    return tuple(s.note for s in b.provenance if (s.action, s.pack) not in shared
                 and s.action == "overridden" and s.note)


def rule_parameters(rule: ResolvedRule) -> set[str]:
    """Ids of the parameters (``$id``) a rule reads in its condition, deadline and measures."""
    texts: list[str | None] = [rule.when, rule.requires, rule.applies_when]
    if rule.deadline:
        texts += [rule.deadline.length, rule.deadline.extend_days, rule.deadline.start]
    for m in rule.measures:
        if m.measure.amount:
            texts += [m.measure.amount.base, m.measure.amount.min_rate, m.measure.amount.max_rate]
        if m.measure.duration:
            texts += [m.measure.duration.min, m.measure.duration.max]
    return {name for t in texts if t for name in _PARAM_REF.findall(t)}


def _squash(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


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
    length = f"{r.deadline_length[0]} {r.deadline_length[1]}" if r.deadline_length else dl.length
    text = f"{length} {dl.direction} {_squash(dl.start)}"
    if dl.extend_days:
        text += f", + {_squash(dl.extend_days)} days"
    if dl.roll_to_working_day:
        text += ", last day rolled to a working day"
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
        return r.citation.model_dump(mode="json"), cite(r.citation, source_titles(pack))
    if name == "questions":
        return r.questions, ", ".join(r.questions)
    value = getattr(r, name)
    return value, "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _param_fields(a: ResolvedParameter, b: ResolvedParameter) -> tuple[str, ...]:
    return tuple(name for name, x, y in (("value", a.value, b.value), ("unit", a.unit, b.unit),
                                         ("citation", a.citation, b.citation)) if x != y)


def diff_packs(a: ResolvedPack, b: ResolvedPack) -> PackDiff:
    """What differs between two resolved packs, B read against A (the base)."""
    params: list[ParameterDiff] = []
    for pid, pa in a.parameters.items():
        pb = b.parameters.get(pid)
        if pb is None:
            params.append(ParameterDiff(pid, "only_in_a", pa, None))
        elif fields := _param_fields(pa, pb):
            params.append(ParameterDiff(pid, "changed", pa, pb, fields))
    params += [ParameterDiff(pid, "only_in_b", None, pb) for pid, pb in b.parameters.items() if pid not in a.parameters]
    changed_values = {p.id for p in params if p.change != "changed" or "value" in p.fields or "unit" in p.fields}

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
    rules += [RuleDiff(rid, "added", None, rb, repeal=repealed_a.get(rid)) for rid, rb in rules_b.items()
              if rid not in rules_a]
    return PackDiff(a, b, tuple(params), tuple(rules))


# --- the result and its views -----------------------------------------------------------------
_PARAM_CHANGES = {"only_in_a": "only in A", "only_in_b": "added in B", "changed": "changed"}
_RULE_SECTIONS = (
    ("added", "Rules added in B", "in B, not in A"),
    ("overridden", "Rules overridden", "in both, changed by an override"),
    ("changed", "Rules defined differently", "in both, defined differently without an override between them"),
    ("parameters", "Rules reading other parameter values", "same text, but a parameter they read differs"),
    ("repealed", "Rules repealed in B", "in A, repealed explicitly by B"),
    ("removed", "Rules only in A", "in A, neither in B nor repealed by it"),
)


@dataclass(frozen=True, eq=False)
class PackDiff:
    """The differences between two resolved packs; empty when they decide alike."""

    a: ResolvedPack
    b: ResolvedPack
    parameters: tuple[ParameterDiff, ...]
    rules: tuple[RuleDiff, ...]

    @property
    def identical(self) -> bool:
        """No parameter or rule differs (chains, source documents and notes may)."""
        return not self.parameters and not self.rules

    def rules_by(self, change: str) -> tuple[RuleDiff, ...]:
        return tuple(r for r in self.rules if r.change == change)

    def counts(self) -> dict[str, int]:
        out = {f"parameters_{c}": sum(p.change == c for p in self.parameters)
               for c in ("only_in_a", "only_in_b", "changed")}
        out.update({f"rules_{c}": len(self.rules_by(c)) for c, _, _ in _RULE_SECTIONS})
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
            (c["rules_removed"], "only in A")) if n]
        return "; ".join(parts) + "."

    def brief(self) -> str:
        """The summary without the pack names: ``identical`` or the counts."""
        return "identical (decides alike)" if self.identical else self.summary()

    # JSON -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data (``diff --format json``): every difference with full citations on both sides."""
        ta, tb = source_titles(self.a), source_titles(self.b)

        def pack(p: ResolvedPack) -> dict[str, Any]:
            return {"id": p.id, "name": p.name.model_dump(), "level": p.level, "chain": list(p.chain),
                    "fingerprint": p.fingerprint, "sources": list(p.sources)}

        def citation(c: Any, titles: dict[str, str]) -> dict[str, Any] | None:
            return None if c is None else {**c.model_dump(mode="json"), "label": cite(c, titles)}

        def param(p: ResolvedParameter | None, titles: dict[str, str]) -> dict[str, Any] | None:
            if p is None:
                return None
            return {"value": list(p.value) if isinstance(p.value, tuple) else p.value, "unit": p.unit,
                    "title": p.title.model_dump(), "citation": citation(p.citation, titles),
                    "provenance": [s.describe() for s in p.provenance]}

        def rule(r: ResolvedRule | None, titles: dict[str, str]) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"kind": r.kind, "title": r.title.model_dump(), "modality": r.modality,
                    "citation": citation(r.citation, titles), "provenance": [s.describe() for s in r.provenance]}

        return {
            "a": pack(self.a), "b": pack(self.b), "identical": self.identical, "summary": self.summary(),
            "counts": self.counts(),
            "parameters": [{"id": p.id, "change": p.change, "fields": list(p.fields), "notes": list(p.notes),
                            "a": param(p.a, ta), "b": param(p.b, tb)} for p in self.parameters],
            "rules": [{"id": r.id, "change": r.change,
                       "fields": [{"field": f.field, "a": f.a, "b": f.b} for f in r.fields],
                       "parameters": list(r.parameters), "notes": list(r.notes),
                       "repeal": None if r.repeal is None else {
                           "pack": r.repeal.pack, "reason": _squash(r.repeal.reason),
                           "citation": citation(r.repeal.citation, tb if r.change == "repealed" else ta)},
                       "a": rule(r.a, ta), "b": rule(r.b, tb)} for r in self.rules],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    # Markdown -------------------------------------------------------------------------------
    def to_markdown(self, level: int = 1) -> str:
        """Tables of the differences, citations on both sides; ``level`` is the heading depth."""
        h = "#" * level
        a, b = self.a, self.b
        ta, tb = source_titles(a), source_titles(b)
        lines = [f"{h} `{a.id}` → `{b.id}`", "",
                 f"- A: `{a.id}` {a.name.zh} — chain {' → '.join(a.chain)}",
                 f"- B: `{b.id}` {b.name.zh} — chain {' → '.join(b.chain)}", "", self.summary(), ""]
        if self.identical:
            extra = [s for s in b.sources if s not in a.sources]
            if extra:
                lines += [f"B adds source document(s) {', '.join(f'`{s}`' for s in extra)} but no parameter, "
                          "rule, override or repeal of its own.", ""]
            return "\n".join(lines).rstrip("\n") + "\n"
        if self.parameters:
            lines += [f"{h}# Parameters", "", _row(["parameter", "change", "A", "B", "A cites", "B cites", "B's note"]),
                      _row(["---"] * 7)]
            for p in self.parameters:
                change = _PARAM_CHANGES[p.change] + (f" ({', '.join(p.fields)})" if p.fields else "")
                lines.append(_row([f"`{p.id}` {p.title.zh}", change, _pvalue(p.a), _pvalue(p.b), _cites(p.a, ta),
                                   _cites(p.b, tb), "; ".join(p.notes)]))
            lines.append("")
        for change, heading, meaning in _RULE_SECTIONS:
            items = self.rules_by(change)
            if items:
                head, rows = _rule_table(change, items, ta, tb)
                lines += [f"{h}# {heading} ({len(items)})", "", f"_{meaning}._", "", _row(head),
                          _row(["---"] * len(head))] + [_row(row) for row in rows] + [""]
        details = [r for r in self.rules if any(f.field != "citation" for f in r.fields)]
        if details:
            lines += [f"{h}# Changed fields", ""]
            for r in details:
                lines.append(f"- `{r.id}`")
                lines += [f"  - {f.field}: A `{_code(f.a)}` → B `{_code(f.b)}`" for f in r.fields if f.field != "citation"]
            lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"

    # text -----------------------------------------------------------------------------------
    def to_text(self) -> str:
        """The differences as plain lines (the default of ``dingdian-rules diff``)."""
        a, b = self.a, self.b
        ta, tb = source_titles(a), source_titles(b)
        lines = [f"A: {a.id} ({' -> '.join(a.chain)})", f"B: {b.id} ({' -> '.join(b.chain)})",
                 self.summary().replace("`", "")]
        for p in self.parameters:
            lines += ["", f"parameter {p.id}: {_PARAM_CHANGES[p.change]}" + (f" ({', '.join(p.fields)})" if p.fields else "")]
            if p.a:
                lines.append(f"  A: {_pvalue(p.a)}  [{cite(p.a.citation, ta)}]")
            if p.b:
                lines.append(f"  B: {_pvalue(p.b)}  [{cite(p.b.citation, tb)}]")
            lines += [f"  B's note: {n}" for n in p.notes]
        for r in self.rules:
            lines += ["", f"rule {r.id}: {r.change}" + (f" (reads {', '.join(r.parameters)})" if r.parameters else "")]
            if r.a:
                lines.append(f"  A: {cite(r.a.citation, ta)}")
            if r.b:
                lines.append(f"  B: {cite(r.b.citation, tb)}")
            if r.repeal and r.change == "repealed":
                lines.append(f"  repealed by {r.repeal.pack} [{cite(r.repeal.citation, tb)}]: {_squash(r.repeal.reason)}")
            for f in r.fields:
                if f.field != "citation":
                    lines += [f"  {f.field}:", f"    A: {_code(f.a)}", f"    B: {_code(f.b)}"]
            lines += [f"  B's note: {n}" for n in r.notes]
        return "\n".join(lines) + "\n"


def _cites(x: ResolvedRule | ResolvedParameter | RepealedRule | None, titles: dict[str, str]) -> str:
    return cite(x.citation, titles) if x is not None else ""


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
    if change == "parameters":
        return (["rule", "parameters", "cites"],
                [[f"`{r.id}`", ", ".join(f"`{p}`" for p in r.parameters), _cites(r.b, tb)] for r in items])
    if change == "repealed":
        return (["rule", "A cites", "repealed by", "B cites", "reason"],
                [[f"`{r.id}`", _cites(r.a, ta), r.repeal.pack if r.repeal else "", _cites(r.repeal, tb),
                  _squash(r.repeal.reason if r.repeal else "")] for r in items])
    return (["rule", "kind", "title", "A cites"],
            [[f"`{r.id}`", r.rule.kind, r.rule.title.zh, _cites(r.a, ta)] for r in items])


def _pvalue(p: ResolvedParameter | None) -> str:
    if p is None:
        return "—"
    value = ", ".join(p.value) if isinstance(p.value, tuple) else f"{p.value:g}" if isinstance(p.value, float) else str(p.value)
    return value if p.unit == "types" else f"{value} {p.unit}"


def _cell(text: str) -> str:
    return _squash(str(text)).replace("|", "\\|")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _code(text: str) -> str:
    return _squash(text).replace("`", "'") or "—"


# --- the jurisdiction tree --------------------------------------------------------------------
def _document_status(doc: SourceDocument) -> str:
    label = doc.number or doc.title
    if doc.status == "draft":
        return f"{label}: draft for comment, no date in force (decisions warn pack-draft)"
    if doc.status == "expired":
        return f"{label}: expired"
    when = f"in force from {doc.in_force}" if doc.in_force else "in force (no date stated)"
    if doc.expires:
        when += f", valid through {doc.expires} (decisions after it warn pack-expired)"
    return f"{label}: {when}"


def pack_status(pack: ResolvedPack, parent: ResolvedPack | None = None) -> str:
    """One line on the pack's own text and its status, and whether it decides as its parent."""
    own = "; ".join(_document_status(d) for d in pack.meta.sources) or "no source text of its own"
    if parent is not None and diff_packs(parent, pack).identical:
        own += f"; no parameter or rule of its own: decides as `{parent.id}`"
    return own


def _tree_order(packs: dict[str, ResolvedPack]) -> list[tuple[str, int, bool, str]]:
    """(pack id, depth, last among its siblings, prefix) in tree order, roots first."""
    children: dict[str | None, list[str]] = {}
    for pid in sorted(packs):
        parent = packs[pid].meta.extends
        children.setdefault(parent if parent in packs else None, []).append(pid)
    out: list[tuple[str, int, bool, str]] = []

    def walk(pid: str, depth: int, last: bool, prefix: str) -> None:
        out.append((pid, depth, last, prefix))
        kids = children.get(pid, [])
        for i, kid in enumerate(kids):
            end = i == len(kids) - 1
            walk(kid, depth + 1, end, prefix + ("" if depth == 0 else "    " if last else "│   "))

    for root in children.get(None, []):
        walk(root, 0, True, "")
    return out


def _tree(packs: dict[str, ResolvedPack]) -> list[str]:
    lines = []
    for pid, depth, last, prefix in _tree_order(packs):
        p = packs[pid]
        head = "" if depth == 0 else prefix + ("└── " if last else "├── ")
        lines.append(f"{head}{pid} ({p.level}) — {pack_status(p, packs.get(p.meta.extends or ''))}")
    return lines


def jurisdictions_markdown(pack_ids: Sequence[str] | None = None, base: str = "national") -> str:
    """docs/jurisdictions.md: the jurisdiction tree with each pack's status and notes, how to compare
    two packs, every pack against ``base``, and each pack against its parent where that parent itself
    differs from ``base``."""
    ids = list(pack_ids) if pack_ids is not None else bundled_pack_ids()
    packs = {pid: load_pack(pid) for pid in ids}
    root = packs[base]
    order = [pid for pid, *_ in _tree_order(packs)]
    lines = ["# Jurisdictions", "",
             "Generated by `python -m dingdian_rules.diff --jurisdictions > docs/jurisdictions.md` from the bundled",
             "packs (a test keeps it in sync). Each pack implements and refines its parent (`extends`); inheritance",
             "is resolved at load time, so every comparison below is between *resolved* packs (a pack flattened",
             "with its ancestors). Where a lower text and a higher one differ, the packs encode the lower text's",
             "reading and say so in an override with its own citation (Zhongshan art. 53 and Foshan art. 51 keep",
             "national and provincial rules prevailing where they provide otherwise).", "",
             "## The jurisdiction tree", "", "```"] + _tree(packs) + ["```", "",
             "| pack | name | level | extends | rules | parameters | repealed | against its parent |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for pid in order:
        p = packs[pid]
        parent = packs.get(p.meta.extends or "")
        against = "—" if parent is None else diff_packs(parent, p).brief()
        lines.append(_row([f"`{pid}`", p.name.zh, p.level, p.meta.extends or "—", str(len(p.rules)),
                           str(len(p.parameters)), str(len(p.repealed)), against]))
    lines += ["", "## Comparing two packs", "",
              "```", "dingdian-rules diff national jiangsu                 # text",
              "dingdian-rules diff national qinghai_agreement --format md",
              "dingdian-rules diff jiangsu jiangsu_nantong --format json --exit-code", "```", "",
              "or from Python:", "", "```python", "import dingdian_rules as dr",
              "from dingdian_rules.diff import diff_packs", "",
              "d = diff_packs(dr.load_pack(\"national\"), dr.load_pack(\"jiangsu\"))",
              "d.identical, d.rules_by(\"repealed\"), d.to_markdown(), d.to_dict()", "```", "",
              "B is read against A: *added* rules are only in B; *overridden* ones are in both, with the fields",
              "that changed (modality, condition, outcome, measures, deadline, citation …) and the note B's override",
              "gives; *reading other parameter values* means the same rule text decides differently because a",
              "parameter it reads differs; *repealed* ones B removed explicitly, with its citation and reason.",
              "Citations are given on both sides; `--format json` adds the quoted text and the provenance. Notes",
              "(commentary) are not compared, and neither are chains and source documents: packs that decide",
              "alike give an empty diff.", "",
              "## The packs", ""]
    for pid in order:
        p = packs[pid]
        lines += [f"### `{pid}` {p.name.zh}", "", f"{p.name.en}. Level {p.level}"
                  + (f", extends `{p.meta.extends}`" if p.meta.extends else "") + f"; chain {' → '.join(p.chain)}.", ""]
        for d in p.meta.sources:
            lines.append(f"- 《{d.title}》" + (f"（{d.number}）" if d.number else "") + f", {d.issuer}: "
                         + _document_status(d).split(": ", 1)[1])
        if p.meta.note:
            lines += ([""] if p.meta.sources else []) + [_squash(p.meta.note)]
        lines.append("")
    lines += ["## Every pack against `national`", ""]
    for pid in order:
        if pid != base:
            lines += [diff_packs(root, packs[pid]).to_markdown(level=3), ""]
    below = [(packs[packs[pid].meta.extends], packs[pid]) for pid in order  # type: ignore[index]
             if packs[pid].meta.extends in packs and packs[pid].meta.extends != base
             and not diff_packs(root, packs[packs[pid].meta.extends]).identical]  # type: ignore[index]
    if below:
        lines += ["## Packs against their parent", "",
                  "Where the parent is itself more than a pass-through of `national`.", ""]
        lines += [x for parent, p in below for x in (diff_packs(parent, p).to_markdown(level=3), "")]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dingdian_rules.diff --jurisdictions`` or ``python -m dingdian_rules.diff A B [md|json|text]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--jurisdictions"]:
        sys.stdout.write(jurisdictions_markdown())
        return 0
    if len(args) in (2, 3):
        d = diff_packs(load_pack(args[0]), load_pack(args[1]))
        fmt = args[2] if len(args) == 3 else "md"
        sys.stdout.write({"md": d.to_markdown, "json": d.to_json, "text": d.to_text}[fmt]())
        return 0
    print("usage: python -m dingdian_rules.diff --jurisdictions | A B [md|json|text]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
