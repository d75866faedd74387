"""Find, read, check and resolve rule packs; a pack loads whole or raises ``PackError``.

Loading a pack reads its chain (``extends`` up to the root), merges it (``inheritance``), checks
every citation against the chain's vendored source texts, then type-checks and compiles every
condition with the resolved parameters. All mistakes of a load are collected and raised together.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Sequence

import pydantic

from . import timecalc
from .conditions import ast as A
from .conditions.compile import CompiledExpr, compile_expr
from .conditions.parser import ConditionSyntaxError, parse
from .conditions.types import BOOL, DATE, DURATION, INT, NUM, TEXT, Checker, ConditionTypeError, ParamInfo, Type
from .errors import Diagnostic, DiagnosticBag, Location, PackError, did_you_mean
from .facts import Case
from .overlaps import find_overlaps, overlap_diagnostics
from .inheritance import Merged, MergedRule, RawFile, RawPack, merge_chain
from .resolved import (CompiledMeasure, RepealedRule, ResolvedPack, ResolvedParameter,
                       ResolvedRule, SourceText)
from .schema import Citation, PackMeta, RuleFile
from .yamlio import YamlDoc, format_path, load_yaml_file, pydantic_diagnostics

DURATION_UNITS = {"days", "working_days", "months", "years"}
_MARKS = re.compile(r"[\s#*\-]+")
MAX_CHAIN = 8


def bundled_root() -> Path:
    """Folder of the packs shipped with the library (package data, or the repo's rulepacks/)."""
    installed = resources.files("dingdian_rules") / "rulepacks"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "rulepacks"


def bundled_pack_ids() -> list[str]:
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file()) if root.is_dir() else []


def normalize_text(text: str) -> str:
    """Whitespace and Markdown marks removed: how quotes are compared with source texts."""
    return _MARKS.sub("", text)


def _find(ref: str | Path, roots: Sequence[Path]) -> Path | None:
    p = Path(ref)
    if (p / "pack.yaml").is_file():
        return p.resolve()
    if p.name == "pack.yaml" and p.is_file():
        return p.resolve().parent
    for root in roots:
        cand = root / str(ref)
        if (cand / "pack.yaml").is_file():
            return cand.resolve()
    return None


_FILES: dict[tuple, tuple] = {}


def _read_model(path: Path, model: type[pydantic.BaseModel], bag: DiagnosticBag):
    """Read and validate one file; results are cached by (path, mtime, size), so the ancestors a
    chain shares are parsed once per process and an edited file is always read again."""
    try:
        st = path.stat()
        key: tuple | None = (str(path.resolve()), st.st_mtime_ns, st.st_size, model)
    except OSError:
        key = None
    if key is not None and key in _FILES:
        value, doc, diags = _FILES[key]
        bag.extend(diags)
        return value, doc
    sub = DiagnosticBag()
    value, doc = _read_model_uncached(path, model, sub)
    bag.extend(sub.items)
    if key is not None:
        if len(_FILES) > 2_000:
            _FILES.clear()
        _FILES[key] = (value, doc, tuple(sub.items))
    return value, doc


def _read_model_uncached(path: Path, model: type[pydantic.BaseModel], bag: DiagnosticBag):
    doc, diags = load_yaml_file(path)
    bag.extend(diags)
    if doc is None:
        return None, None
    if not isinstance(doc.data, dict):
        bag.error("not-a-mapping", f"{path.name} must be a mapping of keys to values", doc.locate(()), "",
                  "start the file with keys such as `id:` or `rules:`")
        return None, doc
    try:
        return model.model_validate(doc.data), doc
    except pydantic.ValidationError as exc:
        bag.extend(pydantic_diagnostics(exc, model, doc))
        return None, doc


def _read_pack(folder: Path, bag: DiagnosticBag) -> RawPack | None:
    meta, meta_doc = _read_model(folder / "pack.yaml", PackMeta, bag)
    if meta is None:  # still read the rule files, so all their mistakes are reported in this load
        for p in sorted((folder / "rules").glob("*.yaml")):
            _read_model(p, RuleFile, bag)
        return None
    if meta.id != folder.name:
        bag.warning("pack-id-folder", f"pack id '{meta.id}' differs from its folder name '{folder.name}'",
                    meta_doc.locate(("id",)), "id", "name the folder after the pack id so `extends` finds it")
    if meta.rule_files:
        paths = [folder / f for f in meta.rule_files]
        for i, p in enumerate(paths):
            if not p.is_file():
                bag.error("file-missing", f"rule file '{meta.rule_files[i]}' does not exist",
                          meta_doc.locate(("rule_files", i)), f"rule_files[{i}]")
        paths = [p for p in paths if p.is_file()]
    else:
        paths = sorted((folder / "rules").glob("*.yaml"))
    files: list[RawFile] = []
    for p in paths:
        content, doc = _read_model(p, RuleFile, bag)
        if content is not None:
            files.append(RawFile(p, content, doc))
    return RawPack(folder, meta, meta_doc, files)


def read_chain(ref: str | Path, search: Sequence[Path], bag: DiagnosticBag) -> list[RawPack]:
    """Read the pack and its ancestors, root first; report missing parents and cycles."""
    roots = list(search) + [bundled_root()]
    folder = _find(ref, roots)
    if folder is None:
        known = bundled_pack_ids()
        bag.error("pack-not-found", f"no pack '{ref}' (no pack.yaml there, nor a bundled pack of that id)",
                  Location(str(ref)), "", did_you_mean(str(ref), known) or f"bundled packs: {', '.join(known)}")
        return []
    chain: list[RawPack] = []
    seen: list[str] = []
    while folder is not None:
        raw = _read_pack(folder, bag)
        if raw is None:
            return []
        if raw.meta.id in seen:
            bag.error("inheritance-cycle", "extends forms a cycle: " + " -> ".join(seen + [raw.meta.id]),
                      raw.meta_doc.locate(("extends",)), "extends", "a pack's ancestors must end at a root pack")
            return []
        seen.append(raw.meta.id)
        chain.append(raw)
        if len(chain) > MAX_CHAIN:
            bag.error("inheritance-too-deep", f"more than {MAX_CHAIN} packs in one chain", Location(str(folder)))
            return []
        parent = raw.meta.extends
        if parent is None:
            break
        nxt = _find(parent, [folder.parent] + roots)
        if nxt is None:
            bag.error("missing-parent", f"pack '{raw.meta.id}' extends '{parent}', which is not found",
                      raw.meta_doc.locate(("extends",)), "extends",
                      did_you_mean(parent, bundled_pack_ids()) or "put the parent pack beside this one")
            return []
        folder = nxt
    chain.reverse()
    return chain


# --- parameters -----------------------------------------------------------------------------
def _param_info(unit: str, value: object) -> tuple[ParamInfo | None, str]:
    if unit in DURATION_UNITS:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ParamInfo(DURATION, (value, unit)), ""
        return None, f"a {unit} parameter needs a whole number above 0"
    if unit in ("count", "beds", "hours"):
        if isinstance(value, int) and not isinstance(value, bool):
            return ParamInfo(INT, value), ""
        return None, f"a {unit} parameter needs a whole number"
    if unit in ("percent", "yuan"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ParamInfo(NUM, float(value)), ""
        return None, f"a {unit} parameter needs a number"
    if unit == "types":
        if isinstance(value, list):
            return ParamInfo(Type("list", elem=TEXT), list(value)), ""
        return None, "a types parameter needs a list of values"
    return None, f"unknown unit {unit}"


# --- citations ------------------------------------------------------------------------------
def _source_text(path: Path) -> str | None:
    return _source_text_at(str(path))


@lru_cache(maxsize=64)
def _source_text_at(path: str) -> str | None:  # keyed by str: Path equality is slow
    try:
        return normalize_text(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _check_citation(c: Citation, sources: dict[str, SourceText], doc: YamlDoc, path: tuple,
                    bag: DiagnosticBag) -> None:
    src = sources.get(c.document)
    if src is None:
        bag.error("unknown-document", f"citation names document '{c.document}', which no pack in the chain declares",
                  doc.locate(path + ("document",)), format_path(path + ("document",)),
                  did_you_mean(c.document, sources) or "declare it under `sources:` in pack.yaml")
        return
    text = _source_text(src.path)
    if text is None:
        return  # reported once per source by _collect_sources
    if not normalize_text(c.quote):
        bag.error("quote-not-in-source", "the quote is empty once whitespace and Markdown marks are removed",
                  doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "quote the words of the source text that the rule encodes")
        return
    if normalize_text(c.quote) not in text:
        bag.error("quote-not-in-source", f"the quote is not in {src.path.name} (compared without whitespace and "
                  "Markdown marks)", doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "copy the words exactly from the source text, or fix the source file")


def _collect_sources(chain: list[RawPack], bag: DiagnosticBag) -> dict[str, SourceText]:
    sources: dict[str, SourceText] = {}
    for raw in chain:
        for i, s in enumerate(raw.meta.sources):
            path = raw.folder / s.file
            if not path.is_file():
                bag.error("file-missing", f"source file '{s.file}' does not exist",
                          raw.meta_doc.locate(("sources", i, "file")), f"sources[{i}].file",
                          "vendor the source text into the pack folder")
            if s.id in sources:
                bag.error("duplicate-id", f"source document '{s.id}' is already declared by {sources[s.id].pack}",
                          raw.meta_doc.locate(("sources", i, "id")), f"sources[{i}].id")
            sources[s.id] = SourceText(s, raw.meta.id, path)
    return sources


# --- conditions -----------------------------------------------------------------------------
class _Compiler:
    def __init__(self, params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, bag: DiagnosticBag) -> None:
        self.params, self.calendar, self.bag = params, calendar, bag

    def compile(self, text: str, want: Type | None, where: tuple[YamlDoc, tuple], name: str) -> CompiledExpr | None:
        key = self._key(text, want)
        hit = _COMPILED.get(key) if key is not None else None
        if hit is not None:
            return hit
        doc, path = where
        base = doc.locate(path)
        try:
            root = parse(text)
            checker = Checker(Case, self.params)
            t = checker.check(root)
            if want is not None and t != want and not (want == NUM and t == INT):
                raise ConditionTypeError("type-mismatch", f"expected {want} here, but the expression is {t}", 0)
        except (ConditionSyntaxError, ConditionTypeError) as exc:
            code = getattr(exc, "code", "condition-syntax")
            loc = _offset_location(base, text, exc.offset)
            self.bag.error(code, f"{exc.message} in `{_excerpt(text, exc.offset)}`", loc, format_path(path), exc.hint)
            return None
        size = A.number_nodes(root)
        compiled = compile_expr(text, root, size, checker.fact_paths, self.params, self.calendar, name)
        if key is not None:
            if len(_COMPILED) > 20_000:
                _COMPILED.clear()
            _COMPILED[key] = compiled
        return compiled

    def _key(self, text: str, want: Type | None) -> tuple | None:
        """Everything a compiled condition depends on: its text, the expected type, the type and
        value of each parameter it names, and the calendar when a working-day period is used.
        Inherited rules then compile once for the whole chain, not once per child pack."""
        names = sorted(set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)))
        sig = []
        uses_calendar = False
        for n in names:
            info = self.params.get(n)
            if info is None:
                return None  # an error to report with this pack's locations
            value = info.value
            sig.append((n, info.type, tuple(value) if isinstance(value, list) else value))
            uses_calendar = uses_calendar or (isinstance(value, tuple) and value[1:] == ("working_days",))
        return (text, want, tuple(sig), id(self.calendar) if uses_calendar else None)


_COMPILED: dict[tuple, CompiledExpr] = {}


@lru_cache(maxsize=128)
def _file_lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _offset_location(base: Location, text: str, offset: int) -> Location:
    """Where character ``offset`` of a condition stands in the file, for plain, quoted and block
    (``>-``, ``|``) scalars alike; falls back to the scalar's own position."""
    lines = _file_lines(base.file)
    if not base.line or base.line > len(lines):
        return base
    row = lines[base.line - 1]
    first = row[base.column - 1:base.column] if base.column else ""
    if first in ("'", '"'):
        segments = [(base.line, base.column + 1)]
    elif first in (">", "|"):
        segments = []
    else:
        segments = [(base.line, base.column)]
    start = base.line if segments else base.line + 1
    for n in range(start, len(lines) + 1):
        if n != base.line or not segments:
            content = lines[n - 1]
            stripped = content.lstrip()
            if not stripped or (n > base.line and segments and len(content) - len(stripped) < base.column - 1
                                and first not in (">", "|")):
                if segments and n > base.line:
                    break
                continue
            if n != base.line:
                segments.append((n, len(content) - len(stripped) + 1))
    remaining = offset
    for line_no, col in segments:
        row = lines[line_no - 1]
        seg_text = row[col - 1:].rstrip().rstrip('"').rstrip("'") if line_no == base.line else row[col - 1:].rstrip()
        if remaining <= len(seg_text):
            return Location(base.file, line_no, col + remaining)
        remaining -= len(seg_text) + 1  # folding turns the line break into one space
    return base


def _excerpt(text: str, offset: int, width: int = 60) -> str:
    if len(text) <= width:
        return text
    start = max(0, min(offset - width // 2, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")


def _rate(value: str | None, params: dict[str, ParamInfo], where, bag: DiagnosticBag) -> float | None:
    if value is None:
        return None
    if value.startswith("$"):
        info = params.get(value[1:])
        if info is None or info.type != NUM:
            bag.error("unknown-parameter", f"{value} is not a percent parameter", where[0].locate(where[1]),
                      format_path(where[1]), did_you_mean(value[1:], params))
            return None
        return float(info.value)  # type: ignore[arg-type]
    try:
        return float(value)
    except ValueError:
        bag.error("type-mismatch", f"'{value}' is not a number or $parameter", where[0].locate(where[1]),
                  format_path(where[1]))
        return None


def _duration(value: str | None, params: dict[str, ParamInfo], where, bag: DiagnosticBag):
    if value is None:
        return None
    info = params.get(value[1:]) if value.startswith("$") else None
    if info is None or info.type != DURATION:
        bag.error("unknown-parameter", f"{value} is not a duration parameter ($id of a days/months/years parameter)",
                  where[0].locate(where[1]), format_path(where[1]),
                  did_you_mean(value.lstrip("$"), [k for k, v in params.items() if v.type == DURATION]))
        return None
    return info.value


def _build_rule(m: MergedRule, comp: _Compiler, params: dict[str, ParamInfo], bag: DiagnosticBag) -> ResolvedRule:
    r = m.rule
    fl = m.field_locations
    doc0, path0 = fl.get("id", next(iter(fl.values())))
    rule_path = path0[:-1] if path0 else ()
    field_name = {"institution_type": "requires", "eligibility": "requires", "materials": "requires",
                  "time_limit": "applies_when"}.get(r.kind, "when")
    text = getattr(r, field_name)
    for other in ("when", "requires", "applies_when"):
        if other != field_name and getattr(r, other) is not None:
            where = fl.get(other, (doc0, rule_path))
            bag.error("wrong-condition-field", f"a {r.kind} rule uses `{field_name}:`, not `{other}:`",
                      where[0].locate(where[1]), format_path(where[1]),
                      f"rename `{other}:` to `{field_name}:` (see docs/pack-format.md)")
    condition = None
    if text is None and r.kind != "time_limit":
        bag.error("missing-field", f"a {r.kind} rule needs `{field_name}:`", doc0.locate(rule_path),
                  format_path(rule_path), f"add `{field_name}: <condition>`")
    elif text is not None:
        condition = comp.compile(text, BOOL, fl.get(field_name, (doc0, rule_path)), r.id)
    start = extend = length = None
    if r.kind == "time_limit":
        if r.deadline is None:
            bag.error("missing-field", "a time_limit rule needs `deadline:`", doc0.locate(rule_path),
                      format_path(rule_path), "add `deadline: {start: ..., length: $param, ...}`")
        else:
            dl_doc, dl_path = fl.get("deadline", (doc0, rule_path + ("deadline",)))
            start = comp.compile(r.deadline.start, DATE, (dl_doc, dl_path + ("start",)), r.id + ".start")
            if r.deadline.extend_days:
                extend = comp.compile(r.deadline.extend_days, NUM, (dl_doc, dl_path + ("extend_days",)), r.id + ".extend")
            length = _duration(r.deadline.length, params, (dl_doc, dl_path + ("length",)), bag)
    measures = []
    ms_doc, ms_path = fl.get("measures", (doc0, rule_path + ("measures",)))
    for i, ms in enumerate(r.measures):
        where = (ms_doc, ms_path + (i,))
        base = None
        if ms.amount is not None:
            base = comp.compile(ms.amount.base, NUM, (ms_doc, where[1] + ("amount", "base")), f"{r.id}.{ms.id}")
        measures.append(CompiledMeasure(
            ms, base,
            _rate(ms.amount.min_rate if ms.amount else None, params, (ms_doc, where[1] + ("amount", "min_rate")), bag),
            _rate(ms.amount.max_rate if ms.amount else None, params, (ms_doc, where[1] + ("amount", "max_rate")), bag),
            _duration(ms.duration.min if ms.duration else None, params, (ms_doc, where[1] + ("duration", "min")), bag),
            _duration(ms.duration.max if ms.duration else None, params, (ms_doc, where[1] + ("duration", "max")), bag)))
    if r.kind == "measures" and not r.measures:
        bag.error("missing-field", "a measures rule needs `measures:`", doc0.locate(rule_path), format_path(rule_path))
    return ResolvedRule(
        id=r.id, kind=r.kind, title=r.title, citation=r.citation, modality=r.modality, in_principle=r.in_principle,
        outcome=r.outcome, questions=tuple(r.questions), note=r.note, provenance=tuple(m.provenance),
        location=m.location, when=r.when, requires=r.requires, applies_when=r.applies_when, deadline=r.deadline,
        measures=tuple(measures), tier=r.tier, condition=condition,
        fires_on=False if field_name == "requires" else True,
        deadline_start=start, deadline_extend=extend, deadline_length=length,
        deadline_param=r.deadline.length[1:] if r.deadline else None)


def _calendar(chain: list[RawPack]) -> timecalc.WorkdayCalendar:
    extras: dict[int, timecalc.YearArrangement] = {}
    for raw in chain:  # a child's arrangement for a year replaces its parent's
        for y in raw.meta.holidays:
            extras[y.year] = timecalc.YearArrangement(y.year, frozenset(y.holidays), frozenset(y.makeup_workdays),
                                                      y.source)
    return timecalc.WorkdayCalendar(extras.values()) if extras else timecalc.DEFAULT_CALENDAR


def _fingerprint(chain: list[RawPack], params: dict[str, ResolvedParameter], rules: list[ResolvedRule],
                 repealed: list[RepealedRule]) -> str:
    canon = {
        "chain": [r.meta.id for r in chain],
        "sources": [[s.model_dump(mode="json") for s in r.meta.sources] for r in chain],
        "holidays": [[h.model_dump(mode="json") for h in r.meta.holidays] for r in chain],
        "parameters": {k: [p.value, p.unit, p.citation.model_dump(mode="json")] for k, p in sorted(params.items())},
        "rules": [{"id": r.id, "kind": r.kind, "modality": r.modality, "in_principle": r.in_principle,
                   "when": r.when, "requires": r.requires, "applies_when": r.applies_when,
                   "deadline": r.deadline.model_dump(mode="json") if r.deadline else None,
                   "measures": [m.measure.model_dump(mode="json") for m in r.measures], "tier": r.tier,
                   "outcome": r.outcome, "questions": list(r.questions),
                   "citation": r.citation.model_dump(mode="json")} for r in rules],
        "repealed": sorted(r.id for r in repealed),
    }
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def resolve_chain(chain: list[RawPack], bag: DiagnosticBag) -> ResolvedPack | None:
    merged: Merged = merge_chain(chain, bag)
    sources = _collect_sources(chain, bag)
    for src in sources.values():
        if src.path.is_file() and _source_text(src.path) is None:
            bag.error("file-unreadable", f"source text {src.path} is not readable UTF-8", Location(str(src.path)))
    infos: dict[str, ParamInfo] = {}
    params: dict[str, ResolvedParameter] = {}
    for pid, mp in merged.params.items():
        info, problem = _param_info(mp.param.unit, mp.value)
        if info is None:
            bag.error("bad-parameter", f"parameter '{pid}': {problem}", mp.doc.locate(mp.path + ("value",)),
                      format_path(mp.path + ("value",)))
            continue
        infos[pid] = info
        _check_citation(mp.citation, sources, mp.doc, mp.path + ("citation",), bag)
        value = tuple(mp.value) if isinstance(mp.value, list) else mp.value
        params[pid] = ResolvedParameter(pid, mp.param.title, value, mp.param.unit, mp.citation,
                                        tuple(mp.provenance), mp.location, mp.param.note)
    calendar = _calendar(chain)
    comp = _Compiler(infos, calendar, bag)
    rules: list[ResolvedRule] = []
    for m in merged.rules.values():
        doc, path = m.field_locations["citation"]
        _check_citation(m.rule.citation, sources, doc, path, bag)
        rules.append(_build_rule(m, comp, infos, bag))
    repealed = []
    for rid, (pack, reason, citation, prov) in merged.repealed.items():
        repealed.append(RepealedRule(rid, pack, reason, citation, tuple(prov)))
    for raw in chain:
        for f in raw.files:
            for i, rp in enumerate(f.content.repeals):
                _check_citation(rp.citation, sources, f.doc, ("repeals", i, "citation"), bag)
            for i, ro in enumerate(f.content.overrides):
                _check_citation(ro.citation, sources, f.doc, ("overrides", i, "citation"), bag)
    unused = set(params) - {p for r in rules for p in _params_of(r)}
    leaf = chain[-1]
    for pid in sorted(unused):
        if params[pid].provenance[0].pack == leaf.meta.id:
            bag.warning("unused-parameter", f"parameter '{pid}' is not used by any rule", params[pid].location, "",
                        "reference it as $" + pid + " or remove it")
    if bag.has_errors:
        return None
    overlaps = find_overlaps(rules)
    bag.extend(overlap_diagnostics(overlaps))
    leaf_meta = leaf.meta
    pack = ResolvedPack(
        id=leaf_meta.id, name=leaf_meta.name, level=leaf_meta.level, chain=tuple(r.meta.id for r in chain),
        metas=tuple(r.meta for r in chain), folders=tuple(r.folder for r in chain), sources=sources,
        parameters=params, rules=tuple(rules), repealed=tuple(repealed),
        fingerprint=_fingerprint(chain, params, rules, repealed), calendar=calendar,
        warnings=tuple(d for d in bag.items if d.severity == "warning"), overlaps=tuple(overlaps),
        param_infos=MappingProxyType(dict(infos)))
    from .evaluate import build_plans  # late import: evaluate depends on resolved packs
    object.__setattr__(pack, "plans", MappingProxyType(build_plans(pack)))
    return pack


def _params_of(r: ResolvedRule) -> set[str]:
    texts = [r.when, r.requires, r.applies_when]
    if r.deadline:
        texts += [r.deadline.length, r.deadline.extend_days]
    for m in r.measures:
        if m.measure.amount:
            texts += [m.measure.amount.min_rate, m.measure.amount.max_rate, m.measure.amount.base]
        if m.measure.duration:
            texts += [m.measure.duration.min, m.measure.duration.max]
    return {name for t in texts if t for name in re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", t)}


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (one citation can be reached twice through an override)."""
    return list(dict.fromkeys(items))


def load_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> ResolvedPack:
    """Load and resolve a pack by bundled id or folder path; raise ``PackError`` with every mistake."""
    bag = DiagnosticBag()
    chain = read_chain(ref, [Path(s) for s in search], bag)
    pack = resolve_chain(chain, bag) if chain and not bag.has_errors else None
    if pack is None:
        raise PackError(_unique(bag.items), f"pack '{ref}' did not load")
    return pack


def check_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> list[Diagnostic]:
    """Every error and warning a load of ``ref`` finds, without raising (for ``validate``)."""
    bag = DiagnosticBag()
    chain = read_chain(ref, [Path(s) for s in search], bag)
    if chain and not bag.has_errors:
        resolve_chain(chain, bag)
    return _unique(bag.items)
