"""Find, read, check and resolve rule packs; a pack loads whole or raises ``PackError``.

Loading a pack reads its chain (``extends`` up to the root), merges it (``inheritance``), checks
every citation against the chain's vendored source texts, then type-checks and compiles every
condition with the resolved parameters. All mistakes of a load are collected and raised together:
a file that fails the schema is still resolved with the entries that passed it (``salvage``), so
schema, condition, type, citation and vocabulary mistakes of every file show in one load.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import threading
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence

import pydantic

from . import building, citations
from .. import time as timecalc
from .building import Compiler, build_item_lists, build_rule, limits_named, param_info
from .citations import check_citation, check_further, collect_sources, normalize_text, source_text
from ..conditions.types import BOOL, ERROR, ParamInfo
from .limits import LimitRef
from ..errors import Diagnostic, DiagnosticBag, Location, PackError, did_you_mean
from .inheritance import Merged, RawFile, RawPack, merge_chain
from .lint import lint_merged, lint_numbers, lint_restatement
from .overlaps import find_overlaps, overlap_diagnostics
from .resolved import (RepealedRule, ResolvedItem, ResolvedItemList, ResolvedNormDifference, ResolvedPack,
                       ResolvedParameter, ResolvedRule, SourceText, basis_of, basis_zh)
from .salvage import REFERENCE_CODES, SKIPPED, Gaps, is_standin, salvage_pack_meta, salvage_rule_file
from .schema import Citation
from .schema import PackMeta, RuleFile, SourceDocument
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import YamlDoc, format_path
from ..reading.yaml_reader import load_yaml_bytes, read_file

__all__ = ["bundled_pack_ids", "bundled_root", "check_pack", "clear_caches", "find_pack", "inspect_pack", "is_path_ref",
           "load_pack",
           "normalize_text", "read_chain", "resolve_chain"]

MAX_CHAIN = 8


@lru_cache(maxsize=1)
def bundled_root() -> Path:
    """Folder of the packs shipped with the library (package data, or the repo's rulepacks/);
    cached, as the package does not move while it runs."""
    installed = resources.files("dingdian_rules") / "rulepacks"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[3] / "rulepacks"


def bundled_pack_ids() -> list[str]:
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file()) if root.is_dir() else []

def is_path_ref(ref: str | Path) -> bool:
    """Whether ``ref`` names a folder (a ``Path``, or text that is absolute, starts with ``.`` or
    ``~``, holds a path separator, or is ``pack.yaml``) rather than a pack id. Only a folder is
    looked up relative to the working directory, so an id (and every ``extends:`` parent) means
    the same pack wherever the program runs."""
    if isinstance(ref, Path):
        return True
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return (ref.startswith((".", "~")) or os.path.isabs(ref) or any(sep in ref for sep in seps)
            or ref == "pack.yaml")


def find_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> Path | None:
    """The folder of the pack ``ref`` names (a folder written as a path, its pack.yaml, or an id
    in ``search`` or among the bundled packs), or None."""
    return _find(ref, [Path(s) for s in search] + [bundled_root()], is_path_ref(ref))


def _find(ref: str | Path, roots: Sequence[Path], as_path: bool) -> Path | None:
    """The folder of pack ``ref``: with ``as_path``, ``ref`` itself (or its pack.yaml); otherwise
    the first of ``roots`` that holds ``ref``. A pack.yaml that exists but is not a regular file
    (or is a dangling link) is found, so that reading it reports why it cannot be used."""
    if as_path:
        p = Path(ref).expanduser()
        if os.path.lexists(p / "pack.yaml"):
            return p.resolve()
        if p.name == "pack.yaml" and p.exists() and not p.is_dir():
            return p.resolve().parent
        return None
    for root in roots:
        cand = root / str(ref)
        if os.path.lexists(cand / "pack.yaml"):  # a dangling link too: never silently the next root's pack
            return cand.resolve()
    return None


_FILES: dict[tuple, tuple] = {}


def _read_model(path: Path, model: type[pydantic.BaseModel], bag: DiagnosticBag, gaps: Gaps
                ) -> tuple[pydantic.BaseModel | None, YamlDoc | None]:
    """Read and validate one file. Results are cached per process by the file's content (path
    and SHA-256 of its bytes), so the ancestors a chain shares are parsed once per process and
    an edited file is never served stale: not even one rewritten with the same size and mtime
    (``cp -p``, ``tar x``, coarse timestamps). A file that fails the schema gives what passed it
    (``salvage``) and notes the gap in ``gaps``."""
    raw, diags = read_file(path)
    if raw is None:
        bag.extend(diags)
        gaps.skipped = gaps.opaque = True
        return None, None
    key = (str(path), hashlib.sha256(raw).digest(), model)  # folders come resolved from _find
    hit = _FILES.get(key)
    if hit is not None:
        value, doc, diags, file_gaps = hit
        bag.extend(diags)
        gaps.add(file_gaps)
        return value, doc
    sub, file_gaps = DiagnosticBag(), Gaps()
    value, doc = _read_model_uncached(path, raw, model, sub, file_gaps)
    bag.extend(sub.items)
    gaps.add(file_gaps)
    if len(_FILES) > 2_000:
        _FILES.clear()
    _FILES[key] = (value, doc, tuple(sub.items), file_gaps)
    return value, doc


def _read_model_uncached(path: Path, raw: bytes, model: type[pydantic.BaseModel], bag: DiagnosticBag, gaps: Gaps
                         ) -> tuple[pydantic.BaseModel | None, YamlDoc | None]:
    doc, diags = load_yaml_bytes(raw, str(path), cache=True)
    bag.extend(diags)
    if doc is None:
        gaps.skipped = gaps.opaque = True
        return None, None
    if not isinstance(doc.data, dict):
        bag.error("not-a-mapping", f"{path.name} must be a mapping of keys to values", doc.locate(()), "",
                  "start the file with keys such as `id:` or `rules:`")
        gaps.skipped = gaps.opaque = True
        return None, doc
    try:
        return model.model_validate(doc.data), doc
    except pydantic.ValidationError as exc:
        bag.extend(pydantic_diagnostics(exc, model, doc))
        if model is RuleFile:
            return salvage_rule_file(doc.data, exc, gaps), doc
        if model is PackMeta:
            return salvage_pack_meta(doc.data, exc, path.parent, gaps), doc
        gaps.skipped = gaps.opaque = True
        return None, doc


def _read_pack(folder: Path, bag: DiagnosticBag, gaps: Gaps) -> RawPack | None:
    meta, meta_doc = _read_model(folder / "pack.yaml", PackMeta, bag, gaps)
    if meta is None or meta_doc is None:  # still read the rule files, so all their mistakes are reported
        for p in sorted((folder / "rules").glob("*.yaml")):
            _read_model(p, RuleFile, bag, gaps)
        return None
    assert isinstance(meta, PackMeta)
    if meta.id != folder.name:
        bag.warning("pack-id-folder", f"pack id '{meta.id}' differs from its folder name '{folder.name}'",
                    meta_doc.locate(("id",)), "id", "name the folder after the pack id so `extends` finds it")
    if meta.rule_files:
        paths = []
        for i, name in enumerate(meta.rule_files):
            if name is None:  # failed the schema: reported
                continue
            if not (folder / name).exists():
                bag.error("file-missing", f"rule file '{name}' does not exist", meta_doc.locate(("rule_files", i)),
                          f"rule_files[{i}]")
            else:
                paths.append(folder / name)  # one that is not a regular file is refused when read
    else:
        paths = sorted((folder / "rules").glob("*.yaml"))
    files: list[RawFile] = []
    for p in paths:
        content, doc = _read_model(p, RuleFile, bag, gaps)
        if content is not None and doc is not None:
            assert isinstance(content, RuleFile)
            files.append(RawFile(p, content, doc))
    return RawPack(folder, meta, meta_doc, files)


def read_chain(ref: str | Path, search: Sequence[Path], bag: DiagnosticBag, gaps: Gaps | None = None
               ) -> list[RawPack]:
    """Read the pack and its ancestors, root first; report missing parents and cycles. What
    failed the schema is left out and noted in ``gaps``; a chain that cannot be followed
    (a parent not found or unreadable) is empty.

    ``ref`` is a folder when written as a path (``is_path_ref``), else an id looked up in the
    ``search`` folders, then among the bundled packs; a parent is looked up beside its child,
    then the same way. The working directory is never searched for an id."""
    gaps = gaps if gaps is not None else Gaps()
    citations.source_bytes_at.cache_clear()  # each load reads the source texts afresh
    roots = list(search) + [bundled_root()]
    as_path = is_path_ref(ref)
    folder = _find(ref, roots, as_path)
    if folder is None:
        known = bundled_pack_ids()
        where = "no pack.yaml there" if as_path else "no bundled pack has that id"
        hint = did_you_mean(str(ref), known) or f"bundled packs: {', '.join(known)}"
        if not as_path and (Path(ref) / "pack.yaml").exists():
            hint = f"a pack id never means a folder of the working directory: to load that folder, write ./{ref}"
        elif not as_path and search:
            where = "none in the search folders, and " + where
        bag.error("pack-not-found", f"no pack '{ref}' ({where})", Location(str(ref)), "", hint)
        return []
    chain: list[RawPack] = []
    seen: list[str] = []
    while folder is not None:
        raw = _read_pack(folder, bag, gaps)
        if raw is None:
            return []
        if raw.meta.id in seen:
            bag.error("inheritance-cycle", "extends forms a cycle: " + " -> ".join(seen + [raw.meta.id]),
                      raw.meta_doc.locate(("extends",)), "extends", "a pack's ancestors must end at a root pack")
            return []
        seen.append(raw.meta.id)
        chain.append(raw)
        if len(chain) > MAX_CHAIN:  # located at the `extends:` that named one pack too many
            bag.error("inheritance-too-deep", f"more than {MAX_CHAIN} packs in one chain: " + " -> ".join(seen),
                      chain[-2].meta_doc.locate(("extends",)), "extends",
                      "flatten the chain; real chains are national → province → city → agreement")
            return []
        parent = raw.meta.extends
        if parent is None:
            break
        nxt = _find(parent, [folder.parent] + roots, False)  # beside the child, never the working directory
        if nxt is None:
            bag.error("missing-parent", f"pack '{raw.meta.id}' extends '{parent}', which is not found",
                      raw.meta_doc.locate(("extends",)), "extends",
                      did_you_mean(parent, bundled_pack_ids()) or "put the parent pack beside this one")
            return []
        folder = nxt
    chain.reverse()
    return chain


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
    pack = ResolvedPack(
        id=leaf_meta.id, name=leaf_meta.name, level=leaf_meta.level, chain=tuple(r.meta.id for r in chain),
        metas=tuple(r.meta for r in chain), folders=tuple(r.folder for r in chain), sources=sources,
        parameters=params, rules=tuple(rules), repealed=tuple(repealed),
        _fingerprint=[lambda: _fingerprint(chain, params, rules, repealed, holidays, differences)], calendar=calendar,
        warnings=tuple(d for d in bag.items if d.severity == "warning"), overlaps=tuple(overlaps),
        param_infos=MappingProxyType(dict(infos)), item_lists=MappingProxyType(item_lists),
        norm_differences=differences)
    from ..evaluation.evaluate import build_plans  # late import: evaluate depends on resolved packs
    object.__setattr__(pack, "plans", MappingProxyType(build_plans(pack)))
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
    for name in sorted({n for t in texts if t for n in building.param_names(t)}):
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


def clear_caches() -> None:
    """Forget every per-process cache of the loader (parsed files, compiled conditions, source
    texts, ancestor checks), e.g. to measure a cold load; correctness never needs it (every
    cache is keyed by content, read afresh on each load)."""
    _FILES.clear()
    _ANCESTORS.clear()
    building.clear_caches()
    citations.source_bytes_at.cache_clear()
    citations._normalized.cache_clear()
    citations._quote_status.cache_clear()
    citations._articles.cache_clear()


_gc_lock = threading.Lock()
_gc_loads = 0  # loads in progress, in every thread
_gc_restore = False  # whether the collector was enabled when the first of them began


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a pack loads: loading allocates tens of thousands
    of small containers (YAML values, locations, syntax trees), and the collections they trigger
    cost about a fifth of a cold load. The GC state is process-wide, so concurrent loads share
    one pause: a count under a lock, the state read when the first load begins and restored
    when the last one leaves (errors too), whatever the threads' interleaving."""
    global _gc_loads, _gc_restore
    with _gc_lock:
        if _gc_loads == 0:
            _gc_restore = gc.isenabled()
            gc.disable()
        _gc_loads += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_loads -= 1
            if _gc_loads == 0 and _gc_restore:
                gc.enable()


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (one citation can be reached twice through an override) and order the
    rest by line within each file, files in the order they were read."""
    items = list(dict.fromkeys(items))
    files: dict[str, int] = {}
    for d in items:
        files.setdefault(d.location.file if d.location else "", len(files))

    def place(d: Diagnostic) -> tuple[int, int, int]:
        loc = d.location
        return (files[loc.file], loc.line, loc.column) if loc else (files[""], 0, 0)

    return sorted(items, key=place)


_ANCESTORS: dict[tuple, tuple[Diagnostic, ...]] = {}  # errors of resolving exactly that chain, by content


def _chain_key(chain: list[RawPack]) -> tuple:
    """A chain's content: its parsed documents (one object per file content, from ``_FILES``;
    held here, so an id is never reused) and its source texts."""
    docs = tuple(d for raw in chain for d in (raw.meta_doc, *(f.doc for f in raw.files)))
    texts = tuple(source_text(raw.folder / s.file) for raw in chain for s in raw.meta.sources)
    return docs, texts


def _hides(raws: list[RawPack]) -> bool:
    return any(f.content.overrides or f.content.parameter_overrides or f.content.repeals
               for raw in raws for f in raw.files)


def _check_ancestors(chain: list[RawPack], bag: DiagnosticBag) -> None:
    """Report the errors of each ancestor's own chain, as if it were loaded alone.

    A child's ``overrides``, ``parameter_overrides`` and ``repeals`` replace parts of its
    ancestors before they are checked, so a misquote, a bad condition or a bad value there
    would never be seen: a pack loads whole, ancestors included, or not at all. Each ancestor
    chain is resolved once per process and content (a clean full load counts too)."""
    for k in range(1, len(chain)):
        if not _hides(chain[k:]):
            continue  # nothing of chain[:k] is replaced: the full resolution checks all of it
        key = _chain_key(chain[:k])
        errors = _ANCESTORS.get(key)
        if errors is None:
            sub = DiagnosticBag()
            resolve_chain(chain[:k], sub)
            errors = tuple(d for d in sub.items if d.severity == "error")
            _remember(key, errors)
        bag.extend(errors)


def _remember(key: tuple, errors: tuple[Diagnostic, ...]) -> None:
    if len(_ANCESTORS) > 256:
        _ANCESTORS.clear()
    _ANCESTORS[key] = errors


def _load(ref: str | Path, search: Iterable[str | Path], holidays: Sequence[timecalc.YearArrangement]
          ) -> tuple[ResolvedPack | None, list[Diagnostic]]:
    """Read and resolve as far as the mistakes allow; the pack (None after any error) and every
    diagnostic. Reading errors do not stop resolving: what failed the schema is left out, and
    when it is not known by name, errors about unknown names are held back (they may be false).
    Ancestors whose parts a child replaces are checked as if loaded alone (a child never hides
    an error of its parent)."""
    bag, gaps = DiagnosticBag(), Gaps()
    pack = None
    with _gc_paused():
        chain = read_chain(ref, [Path(s) for s in search], bag, gaps)
        if chain:
            start = len(bag.items)
            if not bag.has_errors:
                _check_ancestors(chain, bag)
            pack = resolve_chain(chain, bag, tuple(holidays), gaps)
            if gaps.opaque:
                bag.items[start:] = [d for d in bag.items[start:] if d.code not in REFERENCE_CODES]
            if pack is not None:
                _remember(_chain_key(chain), ())
    return pack, _unique(bag.items)


def load_pack(ref: str | Path, *, search: Iterable[str | Path] = (),
              holidays: Iterable[timecalc.YearArrangement] = ()) -> ResolvedPack:
    """Load and resolve a pack by bundled id or folder path; raise ``PackError`` with every mistake.

    ``holidays`` supplies published arrangements for years the calendar package does not cover
    (e.g. 2027), so working days there are counted, not estimated; they enter the fingerprint.
    """
    holidays = tuple(holidays)
    for y in holidays:
        if not isinstance(y, timecalc.YearArrangement):
            raise TypeError(f"holidays must be dingdian_rules.YearArrangement objects, not {type(y).__name__}: "
                            "YearArrangement(year, holidays=frozenset(dates), makeup_workdays=frozenset(dates), source)")
    if len({y.year for y in holidays}) != len(holidays):
        raise ValueError("holidays gives two arrangements for the same year")
    pack, diagnostics = _load(ref, search, holidays)
    if pack is None:
        raise PackError(diagnostics, f"pack '{ref}' did not load")
    return pack


def check_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> list[Diagnostic]:
    """Every error and warning a load of ``ref`` finds, without raising (for ``validate``)."""
    return _load(ref, search, ())[1]


def inspect_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> tuple[ResolvedPack | None, list[Diagnostic]]:
    """``check_pack`` and the pack itself when it loads (None otherwise), from one load."""
    return _load(ref, search, ())
