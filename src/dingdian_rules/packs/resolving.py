"""Resolve a chain read by ``chain.read_chain`` into a ``ResolvedPack``: merge, check, build.

The chain is merged (``inheritance``), every citation is checked against the chain's vendored
source texts, parameters are typed, conditions type-checked and compiled, time limits bound, and
the pack's fingerprint computed (lazily) from what it resolved to.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Sequence

from .. import time as timecalc
from .building import build_item_lists, build_rule
from .compiling import Compiler, limits_named, param_info
from .citations import check_citation, check_further, collect_sources, source_text
from ..conditions.parser import param_names
from ..conditions.types import BOOL, ERROR, ParamInfo
from .limits import LimitRef
from ..errors import DiagnosticBag, Location
from .inheritance import Merged, RawPack, merge_chain
from .lint import lint_merged, lint_numbers, lint_restatement
from .overlaps import find_overlaps, overlap_diagnostics
from .plans import build_plans
from .twinning import twin_pack, twin_rules
from .resolved import (RepealedRule, ResolvedItem, ResolvedItemList, ResolvedNormDifference, ResolvedPack,
                       ResolvedParameter, ResolvedRule, SourceText, basis_of, basis_zh)
from .salvage import SKIPPED, Gaps, is_standin
from .schema import Citation, SourceDocument
from ..reading.yaml_doc import format_path

__all__ = ["fingerprint_with", "resolve_chain"]


def _calendar(chain: list[RawPack], caller: Sequence[timecalc.YearArrangement] = ()) -> timecalc.WorkdayCalendar:
    """The chain's working-day calendar: a child's arrangement for a year replaces its parent's,
    and the caller's replaces the packs'."""
    extras: dict[int, timecalc.YearArrangement] = {}
    for raw in chain:
        for y in raw.meta.holidays:
            extras[y.year] = timecalc.YearArrangement(y.year, frozenset(y.holidays), frozenset(y.makeup_workdays),
                                                      y.source)
    for y in caller:
        extras[y.year] = y
    return timecalc.WorkdayCalendar(extras.values()) if extras else timecalc.DEFAULT_CALENDAR


def _measure_canon(m: Any) -> dict[str, Any]:
    """A measure's canonical form; ``in_principle`` only when set, so packs without it keep their fingerprint."""
    d = m.model_dump(mode="json")
    if d.get("amount") and not d["amount"].get("in_principle"):
        d["amount"].pop("in_principle", None)
    return d


def _fingerprint(chain: list[RawPack], params: dict[str, ResolvedParameter], rules: list[ResolvedRule],
                 repealed: list[RepealedRule], caller: Sequence[timecalc.YearArrangement] = (),
                 differences: Sequence[ResolvedNormDifference] = ()) -> str:
    canon = {
        "chain": [r.meta.id for r in chain],
        "sources": [[s.model_dump(mode="json") for s in r.meta.sources] for r in chain],
        "holidays": [[h.model_dump(mode="json") for h in r.meta.holidays] for r in chain],

        "parameters": {k: [p.value, p.unit, p.citation.model_dump(mode="json"), _basis_canon(p.basis)]
                       for k, p in sorted(params.items())},
        "rules": [{"id": r.id, "kind": r.kind, "modality": r.modality, "in_principle": r.in_principle,
                   "when": r.when, "requires": r.requires, "applies_when": r.applies_when,
                   "deadline": _deadline_canon(r.deadline),
                   "measures": [_measure_canon(m.measure) for m in r.measures], "tier": r.tier,
                   "outcome": r.outcome, "questions": list(r.questions),
                   "citation": r.citation.model_dump(mode="json"), "basis": _basis_canon(r.basis),
                   "items": [[i.citation.model_dump(mode="json"), i.when] for lst in r.item_lists for i in lst.items],
                   **({"warning": r.warning.model_dump(mode="json")} if r.warning is not None else {})}
                  for r in rules],
        "repealed": sorted(r.id for r in repealed),
    }
    if differences:  # only when recorded, so a pack without any keeps its fingerprint
        canon["norm_differences"] = [[d.id, d.pack, list(d.rules), [c.model_dump(mode="json") for c in d.lower],
                                      [c.model_dump(mode="json") for c in d.higher], d.prevails, d.reason,
                                      [c.model_dump(mode="json") for c in d.reason_cites], d.when]
                                     for d in differences]
    if caller:  # only when given, so a pack's fingerprint does not change by this feature's existence
        canon["caller_holidays"] = [[y.year, sorted(map(str, y.holidays)), sorted(map(str, y.makeup_workdays)),
                                     y.source] for y in sorted(caller, key=lambda y: y.year)]
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate (a YAML "\udfff" escape: valid text, docs/cli.md) hashes too
    return "sha256:" + hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint_with(content: str, calendar: dict[str, str]) -> str:
    """A pack's fingerprint: its content fingerprint (what it resolved to) with the versions of the
    holiday calendar's packages (``time.calendar_versions``), which can move a working day too.
    Kept apart so that ``verify`` can tell a pack's change from the calendar's."""
    blob = json.dumps({"content": content, "calendar": calendar}, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _lazy(compute: Any) -> Any:
    """``compute()``'s value, computed on the first call and kept (hashing is deferred to first use)."""
    box: list[str] = []

    def get() -> str:
        if not box:
            box.append(compute())
        return box[0]
    return get


def _deadline_canon(deadline) -> dict | None:
    """A deadline for the fingerprint; ``done_on`` only when given, so a pack's fingerprint does
    not change by that field's existence."""
    if deadline is None:
        return None
    out = deadline.model_dump(mode="json")
    if out.get("done_on") is None:
        out.pop("done_on", None)
    return out


def _basis_canon(basis) -> list:
    return [[p.pack, p.role, p.citation.model_dump(mode="json"), [c.model_dump(mode="json") for c in p.also_cites]]
            for p in basis]


_NO_FILE = Path(os.devnull, "source that failed the schema")  # unreadable: its quotes are not checked
_NO_CITATION = Citation.model_construct(document="", article=1, paragraph=None, item=None, quote="")


def _check_all(cites: Iterable[Citation], sources, doc, path: tuple, bag: DiagnosticBag) -> None:
    for i, c in enumerate(cites):
        check_citation(c, sources, doc, path + (i,), bag)


def resolve_chain(chain: list[RawPack], bag: DiagnosticBag,
                  holidays: Sequence[timecalc.YearArrangement] = (), gaps: Gaps | None = None) -> ResolvedPack | None:
    """Merge, check and build the chain read by ``read_chain``; None if any error was found.

    Stand-ins of entries that failed the schema (``gaps``) take part in merging, so references
    to them resolve, but are neither checked nor built: their mistakes are reported already."""
    merged: Merged = merge_chain(chain, bag)
    sources = collect_sources(chain, bag)
    for sid, src in list(sources.items()):
        if is_standin(src.document) and src.document.number == SKIPPED:  # failed the schema, no file named:
            sources[sid] = SourceText(src.document, src.pack, _NO_FILE)  # its quotes are not checked
    documents = {sid: src.document for sid, src in sources.items()}
    for src in sources.values():
        if src.path.is_file() and source_text(src.path) is None:
            bag.error("file-unreadable", f"source text {src.path} is not readable UTF-8", Location(str(src.path)))
    infos: dict[str, ParamInfo] = {}
    params: dict[str, ResolvedParameter] = {}
    for pid, mp in merged.params.items():
        if is_standin(mp.provenance[0].citation):
            infos[pid] = ParamInfo(ERROR, None)  # conditions reading it are checked, silently about it
            if not is_standin(mp.citation):  # a child's override of it
                check_citation(mp.citation, sources, mp.doc, mp.path + ("citation",), bag)
            continue
        info, problem = param_info(mp.param.unit, mp.value)
        if info is None:
            bag.error("bad-parameter", f"parameter '{pid}': {problem}", mp.doc.locate(mp.path + ("value",)),
                      format_path(mp.path + ("value",)))
            continue
        infos[pid] = info
        check_citation(mp.citation, sources, mp.doc, mp.path + ("citation",), bag)
        value = tuple(mp.value) if isinstance(mp.value, list) else mp.value
        prov = tuple(mp.provenance)
        basis = basis_of(prov)
        params[pid] = ResolvedParameter(pid, mp.param.title, value, mp.param.unit,
                                        basis[0].citation if basis else mp.citation, prov, mp.location,
                                        mp.param.note, basis_zh(basis, documents), documents, mp.derivation)
    lint_merged(merged, bag, set(params))
    calendar = _calendar(chain, holidays)
    limits, rolled = _limits(merged, infos, calendar)
    comp = Compiler(infos, calendar, bag, limits, rolled)
    lists = {lid: ml for lid, ml in merged.item_lists.items() if not is_standin(ml.item_list)}
    for ml in lists.values():
        lst = ml.item_list
        for j, it in enumerate(lst.items):
            check_citation(Citation(document=lst.document, article=lst.article, paragraph=it.paragraph or lst.paragraph,
                                    item=it.item, quote=it.quote), sources, ml.doc, ml.path + ("items", j), bag)
    item_lists = build_item_lists(lists, comp)
    for lid, ml in merged.item_lists.items():
        if lid not in lists:  # an item without a condition: a condition naming @lid is silently not built
            item_lists[lid] = ResolvedItemList(lid, ml.pack, None, (ResolvedItem(lid, _NO_CITATION, "", None),))
    rules: list[ResolvedRule] = []
    for m in merged.rules.values():
        if is_standin(m.provenance[0].citation):
            continue
        doc, path = m.field_locations["citation"]
        check_citation(m.rule.citation, sources, doc, path, bag)
        if m.rule.also_cites:
            doc, path = m.field_locations["also_cites"]
            _check_all(m.rule.also_cites, sources, doc, path, bag)
            check_further(m.rule.citation, m.rule.also_cites, sources, doc, path, bag)
        rule = build_rule(m, comp, infos, bag, item_lists, documents)
        if rule.condition is not None or rule.kind == "time_limit":
            lint_numbers(m, bag)
        rules.append(rule)
    _bind_limits(rules, limits, merged, bag)
    comp.publish()  # only now may other loads reuse its conditions that name a limit
    for rule in rules:
        object.__setattr__(rule, "parameters", tuple(params[p] for p in rule.parameter_ids if p in params))
    # The rules hold twins from here on, even if the load fails: a compiled condition shared with
    # later loads holds the rule its time limit names (packs.twinning).
    twin_rules(rules)
    repealed = []
    for rid, (pack, reason, citation, prov) in merged.repealed.items():
        repealed.append(RepealedRule(rid, pack, reason, citation, tuple(prov)))
    for raw in chain:
        for f in raw.files:
            for i, rp in f.entries("repeals"):
                check_citation(rp.citation, sources, f.doc, ("repeals", i, "citation"), bag)
            for i, ro in f.entries("overrides"):
                check_citation(ro.citation, sources, f.doc, ("overrides", i, "citation"), bag)
            for i, rs in f.entries("restatements"):
                check_citation(rs.citation, sources, f.doc, ("restatements", i, "citation"), bag)
                _check_all(rs.also_cites, sources, f.doc, ("restatements", i, "also_cites"), bag)
                check_further(rs.citation, rs.also_cites, sources, f.doc, ("restatements", i, "also_cites"), bag)
                lint_restatement(rs, merged, f.doc, ("restatements", i), bag)
            for i, nd in f.entries("norm_differences"):
                for side in ("lower", "higher", "reason_cites"):
                    _check_all(getattr(nd, side), sources, f.doc, ("norm_differences", i, side), bag)
    differences = _resolve_differences(merged, rules, documents, comp)
    leaf = chain[-1]
    if gaps is None or not gaps.skipped:  # a skipped rule may be the one that reads the parameter
        unused = set(params) - {p for r in rules for p in r.parameter_ids}
        for pid in sorted(unused):
            if params[pid].provenance[0].pack == leaf.meta.id:
                bag.warning("unused-parameter", f"parameter '{pid}' is not used by any rule", params[pid].location,
                            "", "reference it as $" + pid + " or remove it")
    if bag.has_errors:
        return None
    overlaps = find_overlaps(rules)
    bag.extend(overlap_diagnostics(overlaps))
    leaf_meta = leaf.meta
    content = _lazy(lambda: _fingerprint(chain, params, rules, repealed, holidays, differences))
    pack = ResolvedPack(
        id=leaf_meta.id, name=leaf_meta.name, level=leaf_meta.level, chain=tuple(r.meta.id for r in chain),
        metas=tuple(r.meta for r in chain), folders=tuple(r.folder for r in chain), sources=sources,
        parameters=params, rules=tuple(rules), repealed=tuple(repealed),
        _fingerprint=[lambda: fingerprint_with(content(), timecalc.calendar_versions()), content], calendar=calendar,
        warnings=tuple(d for d in bag.items if d.severity == "warning"), overlaps=tuple(overlaps),
        param_infos=MappingProxyType(dict(infos)), item_lists=MappingProxyType(item_lists),
        norm_differences=differences)
    object.__setattr__(pack, "plans", MappingProxyType(build_plans(pack)))
    twin_pack(pack)  # its other pack-file parts as twins, whether or not the pack cache is used
    return pack


def _resolve_differences(merged: Merged, rules: list[ResolvedRule], documents: dict[str, SourceDocument],
                         comp: Compiler) -> tuple[ResolvedNormDifference, ...]:
    """The chain's lower-norm records with the rules they bear on that the pack still has (a later
    child may repeal one), each attached to those rules so a decision finds them without lookups;
    a record's ``when`` is checked and compiled like a rule's condition."""
    built = {r.id: r for r in rules}
    out = []
    for nid, m in merged.norm_differences.items():
        nd = m.difference
        condition = None
        if nd.when is not None:
            condition = comp.compile(nd.when, BOOL, (m.doc, m.path + ("when",)), f"norm difference {nid}")
        out.append(ResolvedNormDifference(
            nid, m.pack, tuple(r for r in nd.rules if r in built), tuple(nd.lower), tuple(nd.higher), nd.prevails,
            nd.reason, tuple(nd.reason_cites), nd.note, tuple(m.provenance), documents, nd.when, condition))
    for d in out:
        for rid in d.rules:
            rule = built[rid]
            object.__setattr__(rule, "norm_differences", rule.norm_differences + (d,))
    return tuple(out)


def _limits(merged: Merged, infos: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar
            ) -> tuple[dict[str, LimitRef], dict[str, str]]:
    """The chain's time limits as conditions name them (bound once built), and the period
    parameters whose limit rolls its last day (art. 203) in natural units, where an unrolled
    add()/within()/elapsed()/sub() of the same parameter could disagree with the deadline."""
    limits: dict[str, LimitRef] = {}
    rolled: dict[str, str] = {}
    for rid, m in merged.rules.items():
        if is_standin(m.provenance[0].citation):  # failed the schema: named without a second error
            limits[rid] = LimitRef(rid, calendar)
            continue
        if m.rule.kind != "time_limit" or m.rule.deadline is None:
            continue
        dl = m.rule.deadline
        pid = dl.length[1:] if dl.length and dl.length.startswith("$") else ""
        info = infos.get(pid)
        hours = info is not None and isinstance(info.value, tuple) and info.value[1] == "hours"
        limits[rid] = LimitRef(rid, calendar, lambda m=m: _limit_signature(m, infos, calendar),
                               per_item=dl.each is not None, hours=hours, named_day=dl.on is not None)
        if dl.roll_to_working_day and info is not None and isinstance(info.value, tuple) \
                and info.value[1] != "working_days":
            rolled.setdefault(pid, rid)
    return limits, rolled


def _limit_signature(m, infos: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar) -> tuple | None:
    """What a time limit's count depends on: its definition, the parameters its texts read (type
    and value) and the calendar. None (never shared) when it reads another limit or a parameter
    that failed, whose own definitions the signature would not hold."""
    r = m.rule
    texts = (r.applies_when, r.deadline.start, r.deadline.length, r.deadline.extend_days, r.deadline.done_on,
             r.deadline.each.where if r.deadline.each is not None else None, r.deadline.on, r.deadline.opens,
             r.deadline.checks)
    if any(limits_named(t) for t in texts):
        return None
    params = []
    for name in sorted({n for t in texts if t for n in param_names(t)}):
        info = infos.get(name)
        if info is None or info.type is ERROR:
            return None
        value = info.value
        params.append((name, info.type, tuple(value) if isinstance(value, list) else value))
    return (r.applies_when, json.dumps(r.deadline.model_dump(mode="json"), sort_keys=True, ensure_ascii=False),
            tuple(params), id(calendar))


def _bind_limits(rules: list[ResolvedRule], limits: dict[str, LimitRef], merged: Merged, bag: DiagnosticBag) -> None:
    """Bind each time limit conditions name to its built rule; a limit whose own expressions
    name itself through due()/status() (a cycle) could never be counted and is an error. A rule
    that acts on a limit reads that limit's parameters too (decisions cite them)."""
    built = {r.id: r for r in rules}
    graph: dict[str, tuple[str, ...]] = {}
    for rid, ref in limits.items():
        r = built.get(rid)
        if r is not None and r.deadline_start is not None and r.deadline_length is not None:
            ref.rule = r
        if r is not None and r.deadline is not None:
            texts = (r.applies_when, r.deadline.start, r.deadline.extend_days, r.deadline.done_on)
            graph[rid] = tuple(n for t in texts for n in limits_named(t))
    for rid in graph:
        seen, stack = set(), list(graph[rid])
        while stack:
            nxt = stack.pop()
            if nxt == rid:
                m = merged.rules[rid]
                doc, path = m.field_locations.get("deadline", m.field_locations["id"])
                bag.error("time-limit-cycle", f"{rid} counts from its own due day or status through due()/status()",
                          doc.locate(path), format_path(path),
                          "a time limit counts from facts or from other time limits, never from itself")
                break
            if nxt not in seen:
                seen.add(nxt)
                stack.extend(graph.get(nxt, ()))
    for r in rules:
        texts = [r.when, r.requires, r.applies_when]
        if r.deadline is not None:
            texts += [r.deadline.start, r.deadline.extend_days, r.deadline.done_on]
        texts += [i.when for lst in r.item_lists for i in lst.items]
        named = {n for t in texts for n in limits_named(t)} - {r.id}
        extra = {p for n in named if n in built for p in built[n].parameter_ids}
        if extra - set(r.parameter_ids):
            object.__setattr__(r, "parameter_ids", tuple(sorted(set(r.parameter_ids) | extra)))
