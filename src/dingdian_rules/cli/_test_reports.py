"""The three views of a ``dingdian-rules test`` run: text for people (Chinese by default), JSON
for programs (``schema_version`` 1, shape in docs/cli.md) and JUnit XML for CI systems."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..analysis.scenario_coverage import PackCoverage
from ..analysis.scenarios import ScenarioResult
from ..errors import Diagnostic
from . import _common as c

JSON_SCHEMA_VERSION = 1


@dataclass
class PackRun:
    """One pack named on the command line: its results, or the diagnostics that kept it from loading."""

    ref: str
    pack_id: str | None
    results: list[ScenarioResult] = field(default_factory=list)
    deselected: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    coverage: PackCoverage | None = None
    seconds: float = 0.0

    @property
    def loaded(self) -> bool:
        return self.pack_id is not None

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def _where(r: ScenarioResult) -> str:
    return f"{c.display_path(r.file)}:{r.line}:{r.column}" if r.line else c.display_path(r.file)


def _names(ids: list[str], none: str) -> str:
    return ", ".join(ids) if ids else none


def text_report(runs: list[PackRun], lang: str, verbose: bool, show_coverage: bool, minimum: float | None) -> str:
    """One line per failure problem, a summary per pack, the coverage when asked, and a total."""
    zh = lang == "zh"
    lines: list[str] = []
    for run in runs:
        if not run.loaded:
            errors = c.count(run.diagnostics)[0]
            lines.append(f"{run.ref}：未能加载（{errors} 个错误）" if zh else
                         f"{run.ref}: did not load ({c.plural(errors, 'error')})")
            continue
        for r in run.results:
            if r.passed:
                if verbose:
                    lines.append(f"{_where(r)}: 通过 {r.name}" if zh else f"{_where(r)}: ok: {r.name}")
                continue
            for problem in r.problems_in(lang) or ["failed"]:
                lines.append(f"{_where(r)}: {'失败' if zh else 'FAIL'} {r.name}: {problem}")
        if zh:
            note = ("，未选中 " + str(run.deselected) if run.deselected else "") + ("（无场景）" if not run.results else "")
            lines.append(f"{run.ref}：通过 {run.passed}，失败 {run.failed}{note}")
        else:
            note = (f", {run.deselected} deselected" if run.deselected else "") + (" (no scenarios)" if not run.results else "")
            lines.append(f"{run.ref}: {run.passed} passed, {run.failed} failed{note}")
        cov = run.coverage
        if cov is not None and (show_coverage or (minimum is not None and not cov.meets(minimum))):
            lines += _coverage_lines(run.ref, cov, zh, show_coverage)
            if minimum is not None and not cov.meets(minimum):
                lines.append(f"{run.ref}：规则覆盖率 {cov.percent}% 低于 --min-coverage {minimum:g}%" if zh else
                             f"{run.ref}: rule coverage {cov.percent}% is below --min-coverage {minimum:g}%")
    passed = sum(r.passed for r in runs)
    failed = sum(r.failed for r in runs)
    broken = sum(not r.loaded for r in runs)
    if zh:
        lines.append(f"合计：通过 {passed}，失败 {failed}" + (f"，{broken} 个规则包未能加载" if broken else ""))
    else:
        lines.append(f"total: {passed} passed, {failed} failed" + (f", {c.plural(broken, 'pack')} did not load"
                                                                    if broken else ""))
    return "\n".join(lines) + "\n"


def _coverage_lines(ref: str, cov: PackCoverage, zh: bool, detail: bool) -> list[str]:
    if zh:
        out = [f"{ref} 规则覆盖率：{cov.covered}/{cov.total}（{cov.percent}%），计入通过的场景 {cov.scenarios} 个"]
        if detail:
            out += [f"  从未触发：{_names(cov.never_fired, '无')}", f"  从未见到不触发：{_names(cov.never_not_fired, '无')}"]
            if cov.repealed:
                out.append(f"  已废止（不计入）：{_names(list(cov.repealed), '无')}")
        return out
    out = [f"{ref} rule coverage: {cov.covered}/{cov.total} ({cov.percent}%) by {c.plural(cov.scenarios, 'passing scenario')}"]
    if detail:
        out += [f"  never fired: {_names(cov.never_fired, 'none')}",
                f"  never seen not firing: {_names(cov.never_not_fired, 'none')}"]
        if cov.repealed:
            out.append(f"  repealed (not counted): {_names(list(cov.repealed), 'none')}")
    return out


def _scenario_dict(r: ScenarioResult) -> dict[str, Any]:
    return {"name": r.name, "file": c.display_path(r.file), "line": r.line, "column": r.column,
            "question": r.question, "passed": r.passed, "problems": list(r.problems),
            "problems_zh": list(r.problems_in("zh")),
            "diagnostics": [c.short_location(d).to_dict() for d in r.diagnostics]}


def json_report(runs: list[PackRun], selection: str | None, minimum: float | None, with_coverage: bool) -> str:
    """The run as JSON (docs/cli.md, `test`, gives the shape)."""
    packs: list[dict[str, Any]] = []
    for run in runs:
        if not run.loaded:
            packs.append({"pack": None, "ref": run.ref, "loaded": False,
                          "diagnostics": [c.short_location(d).to_dict() for d in run.diagnostics]})
            continue
        entry: dict[str, Any] = {"pack": run.pack_id, "ref": run.ref, "loaded": True, "passed": run.passed,
                                 "failed": run.failed, "deselected": run.deselected,
                                 "scenarios": [_scenario_dict(r) for r in run.results]}
        if run.coverage is not None and with_coverage:
            entry["coverage"] = run.coverage.to_dict()
        if run.coverage is not None and minimum is not None:
            entry["meets_min_coverage"] = run.coverage.meets(minimum)
        packs.append(entry)
    total = {"passed": sum(r.passed for r in runs), "failed": sum(r.failed for r in runs),
             "packs_not_loaded": sum(not r.loaded for r in runs),
             "packs_below_min_coverage": sum(1 for r in runs if r.coverage is not None and minimum is not None
                                             and not r.coverage.meets(minimum))}
    out = {"schema_version": JSON_SCHEMA_VERSION, "selection": selection, "min_coverage": minimum,
           "packs": packs, "total": total}
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def junit_report(runs: list[PackRun], minimum: float | None, with_coverage: bool) -> str:
    """JUnit XML: one ``testsuite`` per pack, one ``testcase`` per scenario (classname ``pack.file``),
    a failing scenario's problems in ``failure``, an invalid one's diagnostics in ``error``; the
    coverage as suite properties, and with ``--min-coverage`` one more testcase per pack for it."""
    root = ET.Element("testsuites", name="dingdian-rules test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for run in runs:
        suite = ET.SubElement(root, "testsuite", name=run.pack_id or run.ref)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        if not run.loaded:
            case = ET.SubElement(suite, "testcase", classname=run.ref, name="load pack")
            err = ET.SubElement(case, "error", message=f"pack '{run.ref}' did not load", type="pack-error")
            err.text = "\n".join(c.short_location(d).format() for d in run.diagnostics)
            counts.update(tests=1, errors=1)
        else:
            cov = run.coverage
            if cov is not None and with_coverage:
                props = ET.SubElement(suite, "properties")
                for name, value in (("rule_coverage.percent", cov.percent), ("rule_coverage.rules", cov.total),
                                    ("rule_coverage.covered", cov.covered),
                                    ("rule_coverage.never_fired", ",".join(cov.never_fired)),
                                    ("rule_coverage.never_not_fired", ",".join(cov.never_not_fired))):
                    ET.SubElement(props, "property", name=name, value=str(value))
            for r in run.results:
                case = ET.SubElement(suite, "testcase", classname=f"{run.pack_id}.{Path(r.file).stem}", name=r.name,
                                     file=c.display_path(r.file), line=str(r.line))
                counts["tests"] += 1
                if r.passed:
                    continue
                kind = "error" if r.diagnostics else "failure"
                counts["errors" if r.diagnostics else "failures"] += 1
                node = ET.SubElement(case, kind, message=f"{_where(r)}: {(r.problems or ['failed'])[0]}",
                                     type="scenario-invalid" if r.diagnostics else "scenario-failed")
                node.text = "\n".join(f"{_where(r)}: {r.name}: {p}" for p in r.problems or ["failed"])
            if cov is not None and minimum is not None:
                case = ET.SubElement(suite, "testcase", classname=f"{run.pack_id}.coverage",
                                     name=f"rule coverage >= {minimum:g}%")
                counts["tests"] += 1
                if not cov.meets(minimum):
                    counts["failures"] += 1
                    node = ET.SubElement(case, "failure", type="coverage-below-minimum",
                                         message=f"rule coverage {cov.percent}% is below {minimum:g}%")
                    node.text = (f"never fired: {_names(cov.never_fired, 'none')}\n"
                                 f"never seen not firing: {_names(cov.never_not_fired, 'none')}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")  # deselected scenarios are left out, as pytest leaves them
        suite.set("time", f"{run.seconds:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
