"""Views of a ``PackDiff`` (JSON data, Markdown tables, plain text), kept apart from how it is computed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ..render import cite, norm_difference_dict, source_titles
from ..packs.resolved import RepealedRule, ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule, join_zh

if TYPE_CHECKING:  # diff_compare imports this module: the records are needed for annotations only
    from .diff_compare import NormDifferenceDiff, PackDiff, RuleDiff

__all__ = ["norm_difference_lines", "pack_diff_dict", "pack_diff_markdown", "pack_diff_text"]
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


def _squash(text: str | None) -> str:
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
                       "pack": r.repeal.pack, "reason": _squash(r.repeal.reason),
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
        lines += [f"{h}# Parameters", "", _row(["parameter", "change", "A", "B", "A cites", "B cites", "B's note"]),
                  _row(["---"] * 7)]
        for p in d.parameters:
            change = _PARAM_CHANGES[p.change] + (f" ({', '.join(p.fields)})" if p.fields else "")
            lines.append(_row([f"`{p.id}` {p.title.zh}", change, _pvalue(p.a), _pvalue(p.b), _cites(p.a, ta),
                               _cites(p.b, tb), "; ".join(p.notes)]))
        lines.append("")
    for change, heading, meaning in _RULE_SECTIONS:
        items = d.rules_by(change)
        if items:
            head, rows = _rule_table(change, items, ta, tb)
            lines += [f"{h}# {heading} ({len(items)})", "", f"_{meaning}._", "", _row(head),
                      _row(["---"] * len(head))] + [_row(row) for row in rows] + [""]
    if d.norm_differences:
        lines += [f"{h}# Lower-norm differences ({len(d.norm_differences)})", "",
                  "_a provision of the lower text recorded as differing from a higher one; every decision touching "
                  "the rules warns `lower-norm-difference`, quoting both._", "",
                  _row(["record", "change", "lower provision", "higher provision", "prevails", "why", "rules"]),
                  _row(["---"] * 7)]
        for n in d.norm_differences:
            r = n.record
            lines.append(_row([f"`{n.id}` ({r.pack})", _NORM_CHANGES[n.change],
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
            lines.append(f"  repealed by {r.repeal.pack} [{cite(r.repeal.citation, tb)}]: {_squash(r.repeal.reason)}")
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
