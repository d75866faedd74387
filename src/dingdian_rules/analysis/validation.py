"""Everything ``validate`` checks of a pack: the pack itself, its coverage file and its scenarios.

An analyst edits rule files, ``coverage.yaml`` and ``tests/*.yaml`` together, so one run reports
the mistakes of all of them with ``file:line:col``: the load's diagnostics (``packs.loader``), the
coverage file's (``coverage.coverage_report``; only its schema when the pack does not load), and
each scenario file's: its schema, each scenario's case against the fact vocabulary, and the rule
ids its expectations name. Running the scenarios stays the job of ``dingdian-rules test``.
"""

from __future__ import annotations

import re

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pydantic

from .coverage import COVERAGE_FILE, CoverageFile, coverage_report
from ..errors import Diagnostic, did_you_mean
from ..facts.models import Case
from ..packs.chain import find_pack
from ..packs.loader import inspect_pack
from ..packs.resolved import ResolvedPack
from .scenarios import ScenarioCase, load_scenario_file, scenario_files
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import format_path
from ..reading.yaml_reader import load_yaml_file

__all__ = ["PackValidation", "check_scenario_file", "validate_pack"]


@dataclass(frozen=True)
class PackValidation:
    """What ``validate`` found for one pack: the pack when it loads, and every diagnostic."""

    ref: str
    pack: ResolvedPack | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    found: bool = True  # False when there is no such pack (the only diagnostic is pack-not-found)
    scenario_files: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def validate_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> PackValidation:
    """Load ``ref`` and check its coverage file and scenario files; never raises on bad input."""
    pack, diagnostics = inspect_pack(ref, search=search)
    if any(d.code == "pack-not-found" for d in diagnostics):
        return PackValidation(str(ref), None, diagnostics, found=False)
    folder = pack.folders[-1] if pack is not None else find_pack(ref, search=search)
    out = list(diagnostics)
    if folder is not None:
        out += _coverage(pack, folder)
        files = scenario_files(folder)
        for path in files:
            out += check_scenario_file(path, pack)
    else:
        files = []
    return PackValidation(str(ref), pack, list(dict.fromkeys(out)), scenario_files=len(files))


def _coverage(pack: ResolvedPack | None, folder: Path) -> list[Diagnostic]:
    """The coverage file's problems (none without a file: accounting for articles is the job of
    ``dingdian-rules coverage``); of a pack that does not load, only its YAML and schema."""
    path = folder / COVERAGE_FILE
    if not os.path.lexists(path):  # a pipe, a folder or a link there is refused (file-unreadable), not skipped
        return []
    if pack is not None:
        return list(coverage_report(pack).diagnostics)
    doc, diags = load_yaml_file(path)
    if doc is None:
        return diags
    try:
        CoverageFile.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        return diags + pydantic_diagnostics(exc, CoverageFile, doc)
    return diags


def check_scenario_file(path: str | Path, pack: ResolvedPack | None = None) -> list[Diagnostic]:
    """Every mistake of a scenario file short of running it: its YAML and schema, each case's
    facts, and (with the pack) each rule id an expectation names."""
    cases, broken = load_scenario_file(path)
    out = [d for result in broken for d in result.diagnostics]
    for item in cases:
        try:
            Case.model_validate(item.scenario.case)
        except pydantic.ValidationError as exc:
            out += pydantic_diagnostics(exc, Case, item.doc, ("scenarios", item.index, "case"))
        if pack is not None:
            out += _unknown_rules(item, {r.id for r in pack.rules}, pack.id)
    return out


def _unknown_rules(item: ScenarioCase, known: set[str], pack_id: str) -> list[Diagnostic]:
    expect = item.scenario.expect
    base = ("scenarios", item.index, "expect")
    named: list[tuple[tuple, str]] = []
    for key in ("fired", "not_fired"):
        named += [((key, j), rid) for j, rid in enumerate(getattr(expect, key))]
    for key in ("deadlines", "cited", "cited_items"):
        named += [((key, rid), rid) for rid in getattr(expect, key)]
    named += [(("deadline_status", rid), rid) for rid in expect.deadline_status]
    out = []
    for rel, rid in named:
        if rel[0] in ("deadlines", "deadline_status"):
            rid = re.sub(r"\[[0-9]+\]$", "", rid)  # a per-item deadline: time_limit.x[0]
        if rid not in known:
            path = base + rel
            where = item.doc.locate_key(path) if isinstance(rel[-1], str) else item.doc.locate(path)
            out.append(Diagnostic("unknown-rule", f"'{rid}' is not a rule of pack {pack_id}", where,
                                  format_path(path), did_you_mean(rid, known) or
                                  f"`dingdian-rules resolve {pack_id}` lists the rule ids"))
    return out
