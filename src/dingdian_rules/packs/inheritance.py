"""Load-time inheritance: merge a chain of packs (root first) into one rule and parameter set.

A child may add rules, override a parent's rule by id (named fields replace the parent's; the
child cites its own article and says what changed), repeal one, and override parameter values.
Defining an id that an ancestor already defines (silent shadowing), overriding or repealing an
id the chain does not define, and duplicate ids are errors. Every rule and parameter keeps the
provenance chain of what each pack did to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import DiagnosticBag, Location, did_you_mean
from .resolved import ProvenanceStep
from .rule_schema import ItemList, NormDifference, Parameter, Rule, RuleFile
from .schema import Citation, PackMeta
from ..reading.yaml_doc import YamlDoc, format_path

OVERRIDABLE = ("title", "also_cites", "modality", "modality_source", "derivation", "in_principle", "when", "requires", "applies_when", "deadline",
               "measures", "tier", "outcome", "note", "warning")


@dataclass
class RawFile:
    """A rule file as read. An entry that failed the schema is None in ``content`` (the loader
    reported it and checks the rest), so read entries with ``entries``: the index stays the
    one written in the file, and so do the paths in diagnostics."""

    path: Path
    content: RuleFile
    doc: YamlDoc

    def entries(self, section: str) -> Iterator[tuple[int, Any]]:
        """(index in the file, entry) of each entry of ``section`` that passed the schema."""
        for i, item in enumerate(getattr(self.content, section)):
            if item is not None:
                yield i, item


@dataclass
class RawPack:
    folder: Path
    meta: PackMeta
    meta_doc: YamlDoc
    files: list[RawFile]


@dataclass
class MergedRule:
    rule: Rule
    provenance: list[ProvenanceStep]
    location: Location
    field_locations: dict[str, tuple[YamlDoc, tuple]] = field(default_factory=dict)  # field -> (doc, yaml path)


@dataclass
class MergedParam:
    param: Parameter
    value: int | float | list[str]
    citation: Citation
    provenance: list[ProvenanceStep]
    location: Location
    doc: YamlDoc
    path: tuple
    derivation: str | None = None  # of the latest definition or override


@dataclass
class MergedItemList:
    item_list: ItemList
    pack: str
    doc: YamlDoc
    path: tuple


@dataclass
class MergedNormDifference:
    difference: NormDifference
    pack: str
    doc: YamlDoc
    path: tuple
    provenance: list[ProvenanceStep]


@dataclass
class Merged:
    rules: dict[str, MergedRule] = field(default_factory=dict)  # insertion order = rule order
    params: dict[str, MergedParam] = field(default_factory=dict)
    repealed: dict[str, tuple[str, str, Citation, list[ProvenanceStep]]] = field(default_factory=dict)
    item_lists: dict[str, MergedItemList] = field(default_factory=dict)
    norm_differences: dict[str, MergedNormDifference] = field(default_factory=dict)  # root first


def merge_chain(chain: list[RawPack], bag: DiagnosticBag) -> Merged:
    """Apply each pack of the chain in turn, recording provenance; report every conflict."""
    merged = Merged()
    higher_docs: set[str] = set()
    for raw in chain:
        pack_id = raw.meta.id
        own_docs = {s.id for s in raw.meta.sources}
        touched_rules: set[str] = set()
        touched_params: set[str] = set()
        for f in raw.files:
            _add_params(merged, raw, f, bag, touched_params)
        for f in raw.files:
            _param_overrides(merged, raw, f, bag, touched_params)
        for f in raw.files:
            _add_item_lists(merged, raw, f, bag)
        for f in raw.files:
            _add_rules(merged, raw, f, bag, touched_rules)
        for f in raw.files:
            _overrides(merged, raw, f, bag, touched_rules)
        for f in raw.files:
            _restatements(merged, raw, f, bag, touched_rules, touched_params)
        for f in raw.files:
            _repeals(merged, raw, f, bag, touched_rules)
        for nd in merged.norm_differences.values():
            nd.provenance.append(ProvenanceStep("inherited", pack_id))
        for f in raw.files:
            _norm_differences(merged, raw, f, bag, own_docs, higher_docs)
        higher_docs |= own_docs
        for rid, m in merged.rules.items():
            if rid not in touched_rules and m.provenance[0].pack != pack_id:
                m.provenance.append(ProvenanceStep("inherited", pack_id))
        for pid, p in merged.params.items():
            if pid not in touched_params and p.provenance[0].pack != pack_id:
                p.provenance.append(ProvenanceStep("inherited", pack_id))
    return merged


def _add_params(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched: set[str]) -> None:
    for i, p in f.entries("parameters"):
        path = ("parameters", i, "id")
        loc = f.doc.locate(path)
        if p.id in merged.params:
            prev = merged.params[p.id]
            own = prev.provenance[0].pack == raw.meta.id
            bag.error("duplicate-id" if own else "shadowed-parameter",
                      f"parameter '{p.id}' is already defined in {prev.provenance[0].pack} ({prev.location})",
                      loc, format_path(path),
                      "rename it" if own else "to change its value, use `parameter_overrides:` with a citation")
            continue
        merged.params[p.id] = MergedParam(p, p.value, p.citation, [ProvenanceStep("defined", raw.meta.id, p.citation)],
                                          loc, f.doc, ("parameters", i), p.derivation)
        touched.add(p.id)


def _param_overrides(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched: set[str]) -> None:
    for i, o in f.entries("parameter_overrides"):
        path = ("parameter_overrides", i, "id")
        target = merged.params.get(o.id)
        if target is None or o.id in touched and target.provenance[0].pack == raw.meta.id:
            bag.error("override-unknown-parameter", f"parameter_overrides names '{o.id}', which no parent pack defines",
                      f.doc.locate(path), format_path(path),
                      did_you_mean(o.id, merged.params) or "only inherited parameters can be overridden")
            continue
        target.value = o.value
        target.citation = o.citation
        target.derivation = o.derivation
        target.doc, target.path = f.doc, ("parameter_overrides", i)
        target.location = f.doc.locate(("parameter_overrides", i))
        target.provenance.append(ProvenanceStep("overridden", raw.meta.id, o.citation,
                                                o.changes or f"value {o.value}"))
        touched.add(o.id)


def _add_rules(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched: set[str]) -> None:
    for i, r in f.entries("rules"):
        path = ("rules", i, "id")
        if r.id in merged.rules or r.id in merged.repealed:
            loc = f.doc.locate(path)
            prev = merged.rules.get(r.id)
            where = f"{prev.provenance[0].pack} ({prev.location})" if prev else "a parent pack (repealed there)"
            own = prev is not None and prev.provenance[0].pack == raw.meta.id
            bag.error("duplicate-id" if own else "shadowed-rule",
                      f"rule '{r.id}' is already defined in {where}", loc, format_path(path),
                      "give the rule a new id" if own else
                      "to change an inherited rule, list it under `overrides:` with `changes:` and your citation")
            continue
        _check_measure_ids(r.measures, f, ("rules", i), r.id, bag)
        fields = {name: (f.doc, ("rules", i, name)) for name in r.model_fields_set}
        merged.rules[r.id] = MergedRule(r, [ProvenanceStep("defined", raw.meta.id, r.citation,
                                                           also_cites=tuple(r.also_cites))],
                                        f.doc.locate(("rules", i)), fields)
        touched.add(r.id)


def _check_measure_ids(measures: list | None, f: RawFile, base: tuple, rule_id: str, bag: DiagnosticBag) -> None:
    """A measure listed twice in one rule would be ordered or offered twice, and two entries of one
    code can disagree (a Qinghai art. 66 option kept beside its rewritten self did)."""
    seen: set[str] = set()
    for j, m in enumerate(measures or ()):
        if m.id in seen:
            where = base + ("measures", j, "id")
            bag.error("duplicate-id", f"measure '{m.id}' appears twice in rule '{rule_id}'", f.doc.locate(where),
                      format_path(where), "list each measure once; merge the two entries' titles, durations and amounts")
        seen.add(m.id)


def _overrides(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched: set[str]) -> None:
    for i, o in f.entries("overrides"):
        _check_measure_ids(o.measures, f, ("overrides", i), o.id, bag)
        path = ("overrides", i, "id")
        target = merged.rules.get(o.id)
        if target is None:
            why = " (it was repealed)" if o.id in merged.repealed else ""
            bag.error("override-unknown-rule", f"overrides names '{o.id}', which no parent pack defines{why}",
                      f.doc.locate(path), format_path(path),
                      did_you_mean(o.id, merged.rules) or "run `dingdian-rules resolve <parent>` to list rule ids")
            continue
        if target.provenance[0].pack == raw.meta.id:
            bag.error("override-own-rule", f"'{o.id}' is defined in this same pack; edit it instead of overriding",
                      f.doc.locate(path), format_path(path))
            continue
        changes = {name: getattr(o, name) for name in OVERRIDABLE if name in o.model_fields_set}
        changes["citation"] = o.citation
        changes["also_cites"] = o.also_cites or []  # the parent's further citations belong to its own article
        target.rule = target.rule.model_copy(update=changes)
        for name in changes:
            target.field_locations[name] = (f.doc, ("overrides", i, name))
        also = o.also_cites or []
        target.provenance.append(ProvenanceStep("overridden", raw.meta.id, o.citation, o.changes, tuple(also)))
        touched.add(o.id)


def _repeals(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched: set[str]) -> None:
    for i, rp in f.entries("repeals"):
        path = ("repeals", i, "id")
        target = merged.rules.get(rp.id)
        if target is None:
            bag.error("repeal-unknown-rule", f"repeals names '{rp.id}', which no parent pack defines",
                      f.doc.locate(path), format_path(path),
                      did_you_mean(rp.id, merged.rules) or "run `dingdian-rules resolve <parent>` to list rule ids")
            continue
        del merged.rules[rp.id]
        target.provenance.append(ProvenanceStep("repealed", raw.meta.id, rp.citation, rp.reason))
        merged.repealed[rp.id] = (raw.meta.id, rp.reason, rp.citation, target.provenance)
        touched.add(rp.id)


def _add_item_lists(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag) -> None:
    for i, lst in f.entries("item_lists"):
        path = ("item_lists", i, "id")
        prev = merged.item_lists.get(lst.id)
        if prev is not None:
            bag.error("duplicate-id", f"item list '{lst.id}' is already defined in {prev.pack} "
                      f"({prev.doc.locate(prev.path)})", f.doc.locate(path), format_path(path),
                      "give the list a new id; a child uses its parent's lists as they are")
            continue
        seen: set[tuple[int | None, int]] = set()
        for j, it in enumerate(lst.items):
            key = (it.paragraph, it.item)
            if key in seen:
                bag.error("duplicate-id", f"item {it.item} appears twice in item list '{lst.id}'",
                          f.doc.locate(("item_lists", i, "items", j, "item")),
                          format_path(("item_lists", i, "items", j, "item")), "list each item once")
            seen.add(key)
        merged.item_lists[lst.id] = MergedItemList(lst, raw.meta.id, f.doc, ("item_lists", i))


def _restatements(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, touched_rules: set[str],
                  touched_params: set[str]) -> None:
    """A child's provision restating an inherited rule or parameter: cited first, logic unchanged."""
    for i, rs in f.entries("restatements"):
        base = ("restatements", i)
        if (rs.rule is None) == (rs.parameter is None):
            bag.error("bad-restatement", "a restatement names exactly one of `rule:` and `parameter:`",
                      f.doc.locate(base), format_path(base), "write `rule: <rule id>` or `parameter: <parameter id>`")
            continue
        step = ProvenanceStep("restated", raw.meta.id, rs.citation, rs.note or "", tuple(rs.also_cites))
        if rs.rule is not None:
            target = merged.rules.get(rs.rule)
            path = base + ("rule",)
            if target is None:
                why = " (it was repealed)" if rs.rule in merged.repealed else ""
                bag.error("restate-unknown-rule", f"restatements names rule '{rs.rule}', which no parent pack "
                          f"defines{why}", f.doc.locate(path), format_path(path),
                          did_you_mean(rs.rule, merged.rules) or "run `dingdian-rules resolve <parent>` to list rule ids")
                continue
            if rs.rule in touched_rules:
                own = target.provenance[0].pack == raw.meta.id
                bag.error("restate-own-rule", f"'{rs.rule}' is {'defined' if own else 'overridden or restated'} in "
                          "this same pack; a restatement cites a child's provision for an inherited rule it leaves "
                          "unchanged", f.doc.locate(path), format_path(path),
                          "cite the provision in the rule or override itself (`also_cites:` takes more than one)")
                continue
            target.provenance.append(step)
            touched_rules.add(rs.rule)
        else:
            param = merged.params.get(rs.parameter)  # type: ignore[arg-type]
            path = base + ("parameter",)
            if param is None:
                bag.error("restate-unknown-parameter", f"restatements names parameter '{rs.parameter}', which no "
                          "parent pack defines", f.doc.locate(path), format_path(path),
                          did_you_mean(str(rs.parameter), merged.params) or "only inherited parameters can be restated")
                continue
            if rs.parameter in touched_params:
                bag.error("restate-own-rule", f"parameter '{rs.parameter}' is defined or overridden in this same "
                          "pack; a restatement is for an inherited value left unchanged", f.doc.locate(path),
                          format_path(path), "cite the provision in the parameter or its override itself")
                continue
            param.provenance.append(step)
            touched_params.add(rs.parameter)  # type: ignore[arg-type]


def _norm_differences(merged: Merged, raw: RawPack, f: RawFile, bag: DiagnosticBag, own_docs: set[str],
                      higher_docs: set[str]) -> None:
    """A child's record that one of its provisions differs from a higher one: the rules it names
    must exist once this pack is merged, its lower provision must be this pack's own text and its
    higher provision an ancestor's (the quotes are checked with the other citations)."""
    for i, nd in f.entries("norm_differences"):
        base = ("norm_differences", i)
        prev = merged.norm_differences.get(nd.id)
        if prev is not None:
            bag.error("duplicate-id", f"norm difference '{nd.id}' is already recorded in {prev.pack} "
                      f"({prev.doc.locate(prev.path)})", f.doc.locate(base + ("id",)), format_path(base + ("id",)),
                      "give it a new id; a child inherits its ancestors' records as they are")
            continue
        ok = True
        for j, rid in enumerate(nd.rules):
            if rid in merged.rules:
                continue
            ok = False
            path = base + ("rules", j)
            why = " (it was repealed)" if rid in merged.repealed else ""
            bag.error("norm-difference-unknown-rule", f"norm difference '{nd.id}' names rule '{rid}', which this "
                      f"pack and its ancestors do not define{why}", f.doc.locate(path), format_path(path),
                      did_you_mean(rid, merged.rules) or "run `dingdian-rules resolve <pack>` to list rule ids")
        for side, cites, allowed, other, hint in (
                ("lower", nd.lower, own_docs, higher_docs, "the lower provision is this pack's own text"),
                ("higher", nd.higher, higher_docs, own_docs, "the higher provision is a text of an ancestor pack")):
            for j, c in enumerate(cites):
                if c.document not in allowed and c.document in other:
                    ok = False
                    path = base + (side, j, "document")
                    bag.error("norm-difference-level", f"norm difference '{nd.id}': the {side} provision cites "
                              f"'{c.document}', a document of {'an ancestor' if side == 'lower' else 'this pack'}",
                              f.doc.locate(path), format_path(path), hint)
        if ok:
            merged.norm_differences[nd.id] = MergedNormDifference(
                nd, raw.meta.id, f.doc, base, [ProvenanceStep("defined", raw.meta.id, nd.lower[0], f"the {nd.prevails} provision prevails",
                                                              tuple(nd.lower[1:]))])
