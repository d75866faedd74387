"""Mutation run over the bundled packs' numbers and modal words (issue 16, item 4).

    .venv/bin/python -m bench.mutate                         # every bundled pack (a few minutes)
    .venv/bin/python -m bench.mutate --pack national         # one pack's parameters and rules
    .venv/bin/python -m bench.mutate --pack national --kind parameter --budget 10
    .venv/bin/python -m bench.mutate --format json > mutation.json

Each mutation changes one thing in a copy of the bundled packs (a temporary folder; the packs
themselves are never touched):

- every numeric parameter (units other than ``types``), in ``parameters:`` and in a child's
  ``parameter_overrides:``, once with its value + 1 and once with its value - 1 (when that is
  not negative);
- every rule's modality (in ``rules:``, and in ``overrides:`` that state one): shall -> may,
  may -> shall, shall_not -> may, effect -> may;
- with ``--kind citation`` (not in the default run): every citation's article and item (in
  ``citation:``, ``also_cites:`` and any other place a rule file cites a text), once + 1 and once
  - 1 (when that is not 0): art. 43 cited as art. 44 or 42.

and reports, per mutation:

(a) **refused**: whether loading the pack that writes the mutated entry refuses it, and with which
    codes (the pack lint: ``number-not-in-quote``, ``modality-mismatch``). A parameter that
    already states a ``derivation:`` or a rule with a ``modality_source:`` is not linted, so
    it cannot be refused: the table says so;
(b) **scenarios**: with the lint bypassed for that one entry (the copy gives the mutated parameter
    a ``derivation:``, the mutated rule a ``modality_source:``), how many scenarios fail that
    passed before the mutation, in the pack and in every bundled pack that inherits from it
    (run in-process with ``dingdian_rules.scenarios.run_scenarios``; a pack that did not load
    before the mutation is skipped and listed). For a rule, ``others`` counts the failing
    scenarios that do not name the rule (in ``fired``, ``not_fired``, ``cited``,
    ``cited_items``, ``deadlines``, ``deadline_status``, ``amounts``, ``durations`` or ``modality``).

A citation mutation has no bypass: the check that refuses it (the quote must stand in the cited
article and item) is what it tests. When it is refused, the pack and its children do not load, so
every one of their scenarios counts as failing; when it loads, the scenarios run as they are (a
scenario's ``cited:`` / ``cited_items:`` names the article a decision cites).

A mutation is **caught** by the load refusal (counted as one test) plus the failing scenarios;
the run exits 1 when some mutation is caught by fewer than two, 0 otherwise (2: usage error).
The order is fixed (packs by id, rule files by name, entries in file order), so the run is
deterministic; ``--budget N`` keeps N mutations evenly spread over that order. The command turns
the on-disk parse cache off, so no mutated file is ever stored in the user's cache folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from dingdian_rules.errors import PackError
from dingdian_rules.packs.chain import bundled_pack_ids, bundled_root
from dingdian_rules.packs.loader import check_pack
from dingdian_rules.analysis.scenarios import load_scenario_file, run_scenarios, scenario_files
from dingdian_rules.reading.yaml_reader import load_yaml, load_yaml_file

MODALITY_MUTANT = {"shall": "may", "may": "shall", "shall_not": "may", "effect": "may"}
BYPASS_PARAMETER = "derivation: mutation run, number lint bypassed"
BYPASS_RULE = "modality_source: mutation run, modality lint bypassed"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class Mutation:
    """One change to one entry of one rule file."""

    pack: str
    file: str                   # relative to the pack folder, e.g. rules/parameters.yaml
    kind: str                   # parameter | rule | citation
    target: str                 # the parameter or rule id (citation: the entry's id and the citation's place)
    path: tuple[Any, ...]       # YAML path of the changed value, e.g. ("parameters", 3, "value")
    old: str
    new: str
    linted: bool                # False when the entry states a derivation / modality_source already

    @property
    def label(self) -> str:
        return f"{self.target} {self.old}->{self.new}"


@dataclass
class Result:
    mutation: Mutation
    refused: bool
    codes: list[str]
    loads_bypassed: bool                      # the copy with the bypass loads
    bypass_codes: list[str]
    failing: dict[str, list[str]] = field(default_factory=dict)   # pack -> failing scenario names
    others: int | None = None                 # rules: failing scenarios that do not name the rule
    skipped: list[str] = field(default_factory=list)              # packs not loaded before the mutation
    seconds: float = 0.0

    @property
    def scenario_failures(self) -> int:
        return sum(len(v) for v in self.failing.values())

    @property
    def caught(self) -> int:
        return int(self.refused) + self.scenario_failures


# --- what to mutate ---------------------------------------------------------------------------


def _rule_files(folder: Path) -> list[Path]:
    doc, _ = load_yaml_file(folder / "pack.yaml")
    names = doc.data.get("rule_files") if doc is not None and isinstance(doc.data, dict) else None
    if names:
        return [folder / n for n in names]
    return sorted((folder / "rules").glob("*.yaml"))


def _parent(folder: Path) -> Path | None:
    doc, _ = load_yaml_file(folder / "pack.yaml")
    parent = doc.data.get("extends") if doc is not None and isinstance(doc.data, dict) else None
    return folder.parent / parent if parent else None


def _units(folder: Path) -> dict[str, str]:
    """Parameter id -> unit, over the pack's chain (a parameter override takes its parent's unit)."""
    out: dict[str, str] = {}
    chain: list[Path] = []
    f: Path | None = folder
    while f is not None and f.is_dir() and f not in chain:
        chain.append(f)
        f = _parent(f)
    for f in reversed(chain):
        for path in _rule_files(f):
            doc, _ = load_yaml_file(path)
            for p in (doc.data.get("parameters") or []) if doc is not None and isinstance(doc.data, dict) else []:
                if isinstance(p, dict) and "id" in p and "unit" in p:
                    out[p["id"]] = p["unit"]
    return out


def _number(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def mutations(pack_ids: Iterable[str], root: Path, kinds: Sequence[str] = ("parameter", "rule")) -> list[Mutation]:
    """Every mutation of the given packs (folders under ``root``), in a fixed order."""
    out: list[Mutation] = []
    for pack_id in sorted(pack_ids):
        folder = root / pack_id
        units = _units(folder)
        for path in _rule_files(folder):
            doc, _ = load_yaml_file(path)
            if doc is None or not isinstance(doc.data, dict):
                continue
            rel = str(path.relative_to(folder))
            if "parameter" in kinds:
                for section in ("parameters", "parameter_overrides"):
                    for i, p in enumerate(doc.data.get(section) or []):
                        value = p.get("value")
                        if isinstance(value, bool) or not isinstance(value, (int, float)):
                            continue
                        if units.get(p["id"], p.get("unit")) == "types":
                            continue
                        for new in (value + 1, value - 1):
                            if new >= 0:
                                out.append(Mutation(pack_id, rel, "parameter", p["id"], (section, i, "value"),
                                                    _number(value), _number(new), not p.get("derivation")))
            if "rule" in kinds:
                for section in ("rules", "overrides"):
                    for i, r in enumerate(doc.data.get(section) or []):
                        modality = r.get("modality")
                        if modality in MODALITY_MUTANT:
                            # every rule is linted: a modality_source must name the modality it supports
                            out.append(Mutation(pack_id, rel, "rule", r["id"], (section, i, "modality"), modality,
                                                MODALITY_MUTANT[modality], True))
            if "citation" in kinds:
                out.extend(_citation_mutations(pack_id, rel, doc.data))
    return out


_CITED_FIELDS = ("article", "item")


def _citations(node: Any, path: tuple[Any, ...]) -> Iterable[tuple[tuple[Any, ...], dict]]:
    """Every mapping under ``node`` that cites a text (a ``document`` and an integer ``article``)."""
    if isinstance(node, dict):
        if "document" in node and isinstance(node.get("article"), int) and not isinstance(node.get("article"), bool):
            yield path, node
        for key, value in node.items():
            yield from _citations(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _citations(value, path + (i,))


def _citation_mutations(pack_id: str, rel: str, data: dict) -> list[Mutation]:
    out: list[Mutation] = []
    for path, cite in _citations(data, ()):
        entry = data.get(path[0])[path[1]] if len(path) >= 2 and isinstance(path[1], int) else None
        owner = entry.get("id", f"{path[0]}[{path[1]}]") if isinstance(entry, dict) else str(path[0])
        where = ".".join(str(p) for p in path[2:]) or str(path[0])
        for key in _CITED_FIELDS:
            value = cite.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            for new in (value + 1, value - 1):
                if new >= 1:
                    out.append(Mutation(pack_id, rel, "citation", f"{owner} {where}.{key}", path + (key,),
                                        str(value), str(new), True))
    return out


def spread(items: list[Mutation], budget: int | None) -> list[Mutation]:
    """``budget`` items evenly spread over ``items`` (all of them without a budget)."""
    if budget is None or budget >= len(items):
        return items
    if budget <= 0:
        return []
    return [items[(i * len(items)) // budget] for i in range(budget)]


# --- writing a mutant -------------------------------------------------------------------------


def mutated_text(text: str, m: Mutation, bypass: bool) -> str:
    """``text`` (the rule file) with the value at ``m.path`` replaced by ``m.new``, and, with
    ``bypass``, the lint-bypassing key added to the same entry (block or flow style)."""
    doc, diags = load_yaml(text, m.file)
    if doc is None:
        raise ValueError(f"{m.file}: not YAML: {diags}")
    loc, key = doc.locate(m.path), doc.locate_key(m.path)
    lines = text.split("\n")
    line = lines[loc.line - 1]
    start = loc.column - 1
    match = (_WORD if m.kind == "rule" else _NUMBER).match(line, start)
    if match is None or match.group(0) != m.old:
        raise ValueError(f"{m.file}:{loc.line}:{loc.column}: expected {m.old!r}, found {line[start:start + 12]!r}")
    line = line[:start] + m.new + line[match.end():]
    source_path = tuple(m.path[:-1]) + ("modality_source",)
    source = doc.key_locations.get(source_path) if m.kind == "rule" else None
    if bypass and source is not None:
        # the rule states where its modality comes from, naming it: name the mutant's instead
        lines[loc.line - 1] = line
        word = re.compile(rf"(?<![\w]){re.escape(m.old)}(?![\w])")
        first = source.line - 1
        for j in range(first, len(lines)):
            if j > first and (len(lines[j]) - len(lines[j].lstrip()) <= source.column - 1 or not lines[j].strip()):
                break
            lines[j] = word.sub(m.new, lines[j])
        return "\n".join(lines)
    if bypass and m.linted and m.kind != "citation":
        extra = BYPASS_PARAMETER if m.kind == "parameter" else f"modality_source: mutation run, read as {m.new}"
        head = line[:key.column - 1]
        if head.strip() in ("", "-"):  # block style: a sibling key on the next line, same indent
            lines[loc.line - 1] = line
            lines.insert(loc.line, " " * (key.column - 1) + extra)
            return "\n".join(lines)
        end = start + len(m.new)  # flow style: another entry of the same mapping
        line = line[:end] + ", " + extra.replace(": ", ": '", 1) + "'" + line[end:]
    lines[loc.line - 1] = line
    return "\n".join(lines)


# --- running ----------------------------------------------------------------------------------


def _codes(diagnostics: Iterable[Any]) -> list[str]:
    return sorted({d.code for d in diagnostics if d.severity == "error"})


def _names_rule(expect: Any, rule_id: str) -> bool:
    return (rule_id in expect.fired or rule_id in expect.not_fired or rule_id in expect.cited
            or rule_id in expect.cited_items or rule_id in expect.deadlines or rule_id in expect.modality
            or rule_id in expect.deadline_status or rule_id in expect.amounts or rule_id in expect.durations)


class Workspace:
    """A temporary copy of the bundled packs, with the scenarios each pack failed before any
    mutation (so a mutation is charged only with the failures it causes)."""

    def __init__(self, source: Path | None = None, packs: Iterable[str] | None = None) -> None:
        self.source = source or bundled_root()
        self._tmp = tempfile.TemporaryDirectory(prefix="dingdian-mutate-")
        self.root = Path(self._tmp.name) / "packs"
        shutil.copytree(self.source, self.root, ignore=shutil.ignore_patterns("__pycache__"))
        self.ids = sorted(packs) if packs is not None else bundled_pack_ids()
        self.baseline: dict[str, set[tuple[str, int, str]] | None] = {}
        self.named: dict[str, dict[tuple[str, int], Any]] = {}
        for pid in self.ids:
            self.baseline[pid] = self._failing(pid)
            for path in scenario_files(self.root / pid):
                cases, _ = load_scenario_file(path)
                for item in cases:
                    self.named.setdefault(pid, {})[(item.location.file, item.location.line)] = item.scenario.expect

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _failing(self, pid: str) -> set[tuple[str, int, str]] | None:
        """The failing scenarios of pack ``pid`` in the copy as it is now (None: it does not load)."""
        try:
            results = run_scenarios(self.root / pid)
        except PackError:
            return None
        return {(r.file, r.line, r.name) for r in results if not r.passed}

    def descendants(self, pid: str) -> list[str]:
        """``pid`` and every pack of the workspace whose chain includes it."""
        out = []
        for other in self.ids:
            f: Path | None = self.root / other
            seen = 0
            while f is not None and seen < 16:
                if f.name == pid:
                    out.append(other)
                    break
                f, seen = _parent(f), seen + 1
        return out

    def run(self, m: Mutation, descendants: bool = True) -> Result:
        t0 = time.perf_counter()
        path = self.root / m.pack / m.file
        original = path.read_text(encoding="utf-8")
        try:
            path.write_text(mutated_text(original, m, bypass=False), encoding="utf-8")
            codes = _codes(check_pack(self.root / m.pack))
            if m.kind == "citation":
                return self._run_citation(m, codes, descendants, t0)
            path.write_text(mutated_text(original, m, bypass=True), encoding="utf-8")
            bypass_codes = _codes(check_pack(self.root / m.pack))
            result = Result(m, bool(codes), codes, not bypass_codes, bypass_codes)
            others = 0
            for pid in (self.descendants(m.pack) if descendants else [m.pack]):
                before = self.baseline.get(pid)
                if before is None:
                    result.skipped.append(pid)
                    continue
                after = self._failing(pid)
                if after is None:  # does not load even with the bypass: every scenario fails
                    after = {(str(k[0]), k[1], "(pack does not load)") for k in self.named.get(pid, {})}
                new = sorted(after - before)
                if new:
                    result.failing[pid] = [f"{Path(f).name}:{line} {name}" for f, line, name in new]
                    named = self.named.get(pid, {})
                    others += sum(1 for f, line, _ in new if not (
                        (f, line) in named and _names_rule(named[(f, line)], m.target)))
            result.others = others if m.kind == "rule" else None
        finally:
            path.write_text(original, encoding="utf-8")
        result.seconds = time.perf_counter() - t0
        return result


    def _run_citation(self, m: Mutation, codes: list[str], descendants: bool, t0: float) -> Result:
        """A moved citation (the mutant is on disk): refused, every scenario of the pack and its
        children fails (they do not load); loaded, the scenarios that fail now."""
        result = Result(m, bool(codes), codes, not codes, codes)
        for pid in (self.descendants(m.pack) if descendants else [m.pack]):
            before = self.baseline.get(pid)
            if before is None:
                result.skipped.append(pid)
                continue
            after = None if codes else self._failing(pid)
            if after is None:
                after = {(str(k[0]), k[1], "(pack does not load)") for k in self.named.get(pid, {})}
            new = sorted(after - before)
            if new:
                result.failing[pid] = [f"{Path(f).name}:{line} {name}" for f, line, name in new]
        result.seconds = time.perf_counter() - t0
        return result


# --- reporting --------------------------------------------------------------------------------


def _refused_cell(r: Result) -> str:
    if r.refused:
        return "yes (" + ", ".join(r.codes) + ")"
    if r.mutation.kind == "citation":
        return "no"
    return "no (states " + ("derivation" if r.mutation.kind == "parameter" else "modality_source") + ")" \
        if not r.mutation.linted else "no"


def table(results: list[Result]) -> str:
    rows = [("#", "pack", "mutation", "refused at load", "scenarios failing", "others", "caught")]
    for i, r in enumerate(results, 1):
        m = r.mutation
        if r.loads_bypassed:
            scen = str(r.scenario_failures)
        elif m.kind == "citation":
            scen = f"{r.scenario_failures} (does not load)"
        else:
            scen = f"{r.scenario_failures} (bypass: {', '.join(r.bypass_codes)})"
        if r.failing:
            scen += " [" + ", ".join(f"{p} {len(v)}" for p, v in r.failing.items()) + "]"
        rows.append((str(i), m.pack, m.label, _refused_cell(r), scen, "-" if r.others is None else str(r.others),
                     str(r.caught) + ("" if r.caught >= 2 else "  <2")))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def summary(results: list[Result]) -> str:
    weak = [r for r in results if r.caught < 2]
    skipped = sorted({p for r in results for p in r.skipped})
    parts = [f"{len(results)} mutations: {sum(r.refused for r in results)} refused at load, "
             f"{sum(r.scenario_failures > 0 for r in results)} failing a scenario with the lint bypassed, "
             f"{len(results) - len(weak)} caught by at least two tests, {len(weak)} by fewer"]
    for kind in ("parameter", "rule", "citation"):
        rs = [r for r in results if r.mutation.kind == kind]
        if rs:
            parts.append(f"  {kind}s: {len(rs)}, refused {sum(r.refused for r in rs)}, "
                         f"no scenario fails {sum(r.scenario_failures == 0 for r in rs)}, "
                         f"caught by fewer than two {sum(r.caught < 2 for r in rs)}")
    rules = [r for r in results if r.mutation.kind == "rule"]
    if rules:
        parts.append(f"  rules failing a scenario other than the ones naming the rule: "
                     f"{sum((r.others or 0) > 0 for r in rules)} of {len(rules)}")
    if skipped:
        parts.append(f"  not run (the pack did not load before any mutation): {', '.join(skipped)}")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ["DINGDIAN_RULES_CACHE"] = "off"  # before any pack is read: no mutant is stored in the cache
    parser = argparse.ArgumentParser(prog="python -m bench.mutate", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pack", action="append", metavar="ID",
                        help="mutate this bundled pack's entries (repeatable; default: every bundled pack)")
    parser.add_argument("--kind", choices=("parameter", "rule", "citation"), action="append",
                        help="only parameters, only rule modalities, or only citations' articles and items "
                             "(repeatable; default: parameters and rules)")
    parser.add_argument("--budget", type=int, metavar="N", help="run N mutations, evenly spread over the full list")
    parser.add_argument("--no-descendants", action="store_true",
                        help="run only the mutated pack's scenarios, not those of the packs inheriting from it")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    known = bundled_pack_ids()
    packs = args.pack or known
    unknown = [p for p in packs if p not in known]
    if unknown:
        parser.error(f"not a bundled pack: {', '.join(unknown)} (one of {', '.join(known)})")
    t0 = time.perf_counter()
    with Workspace() as ws:
        todo = spread(mutations(packs, ws.root, args.kind or ("parameter", "rule")), args.budget)
        results = []
        for m in todo:
            results.append(ws.run(m, descendants=not args.no_descendants))
            if args.format == "text" and sys.stderr.isatty():
                print(f"\r{len(results)}/{len(todo)} {m.pack} {m.label}"[:100].ljust(100), end="", file=sys.stderr,
                      flush=True)
    if args.format == "text":
        if sys.stderr.isatty():
            print("\r" + " " * 100 + "\r", end="", file=sys.stderr)
        print(table(results))
        print()
        print(summary(results))
        print(f"({time.perf_counter() - t0:.0f} s)")
    else:
        payload = [{**asdict(r), "mutation": {**asdict(r.mutation), "path": list(r.mutation.path)},
                    "scenario_failures": r.scenario_failures, "caught": r.caught} for r in results]
        for item in payload:
            item.pop("seconds", None)
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    return 0 if all(r.caught >= 2 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
