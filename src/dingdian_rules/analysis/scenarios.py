"""Scenario cases: run a pack's ``tests/*.yaml`` and compare each decision with its expectation.

A scenario is an analyst's reading of the law written down as a test
(``scenario_schema.Scenario``): a case, a question, an evaluation date and what the text says must
follow. ``run_scenarios`` returns one ``ScenarioResult`` per scenario, with every difference
spelled out, so both the ``dingdian-rules test`` command and pytest (tests/test_scenarios.py)
report the same problems.
A scenario file or a scenario that does not parse is a failing result carrying its diagnostics,
never a crash and never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pydantic

from ..facts.cases import parse_case
from ..evaluation.decision import Decision
from ..errors import CaseError, Diagnostic, Location
from ..evaluation.evaluate import evaluate
from ..facts.models import Case
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack
from ..packs.scenario_schema import Scenario, ScenarioBase, ScenarioFile
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import YamlDoc
from ..reading.yaml_reader import load_yaml_file
from .scenario_base import BASE_CASE, merged_doc
from .scenario_checks import check_expectation, expectation_problems

__all__ = ["ScenarioCase", "ScenarioResult", "check_expectation", "load_scenario_file", "run_scenario",
           "run_scenarios", "scenario_files"]


@dataclass(frozen=True)
class ScenarioCase:
    """One parsed scenario and where it was written."""

    scenario: Scenario
    location: Location
    doc: YamlDoc = field(repr=False)
    index: int  # position in the file's ``scenarios`` list

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario: passed, or every way the decision differed from the expectation."""

    name: str
    file: str
    line: int
    passed: bool
    problems: list[str] = field(default_factory=list)
    column: int = 0
    question: str | None = None
    decision: Decision | None = field(default=None, repr=False)
    diagnostics: tuple[Diagnostic, ...] = ()
    problems_zh: list[str] | None = None  # the problems in Chinese (None: as ``problems``, e.g. diagnostics)

    def problems_in(self, lang: str) -> list[str]:
        """The problems in ``lang`` (``zh`` or ``en``); diagnostics keep their one wording."""
        return self.problems_zh if lang == "zh" and self.problems_zh is not None else self.problems

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)


def scenario_files(pack_folder: str | Path) -> list[Path]:
    """The scenario files of a pack folder: ``tests/*.yaml``, sorted by name."""
    return sorted((Path(pack_folder) / "tests").glob("*.yaml"))


def _problem(d: Diagnostic, shown: Location) -> str:
    """A diagnostic as one line, without the file name and position the result already shows."""
    where = ""
    if d.location and d.location.line and d.location != shown:
        where = f"{d.location.line}:{d.location.column}: " if d.location.file == shown.file else f"{d.location}: "
    at = f" (at {d.path})" if d.path else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}{at}" + (f"; {d.hint}" if d.hint else "")


def _broken(name: str, location: Location, diagnostics: Iterable[Diagnostic], question: str | None = None
            ) -> ScenarioResult:
    """A scenario that could not run, located at its first error when that lies in the same file."""
    diags = tuple(diagnostics)
    first = next((d.location for d in diags if d.location and d.location.line and d.location.file == location.file),
                 location)
    return ScenarioResult(name, location.file, first.line, False, [_problem(d, first) for d in diags], first.column,
                          question, diagnostics=diags)


def load_scenario_file(path: str | Path) -> tuple[list[ScenarioCase], list[ScenarioResult]]:
    """Parse a scenario file: the valid scenarios, and a failed result for each one that is not.

    A file that is not YAML, or not ``{base: ..., scenarios: [...]}``, or whose ``base:`` is not a
    valid case, gives a single failed result named after the file; an invalid scenario inside a
    good file fails alone and the others still run. Each scenario's case is merged over the base's
    (``scenario_base``), and its errors are located where each value was written.
    """
    file = str(path)
    doc, diags = load_yaml_file(path)
    if doc is None:
        first = next((d.location for d in diags if d.location), Location(file))
        return [], [_broken(Path(file).name, first, diags)]
    data = doc.data
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list) or set(data) - {"scenarios", "base"}:
        try:
            ScenarioFile.model_validate(data)
            file_diags = [Diagnostic("not-a-mapping", "a scenario file is a mapping with a `scenarios:` list",
                                     doc.locate(()))]
        except pydantic.ValidationError as exc:
            file_diags = pydantic_diagnostics(exc, ScenarioFile, doc)
        return [], [_broken(Path(file).name, doc.locate(()), file_diags)]
    base_case: dict | None = None
    if "base" in data:
        base_diags: list[Diagnostic] = []
        try:
            base_case = ScenarioBase.model_validate(data["base"]).case
            Case.model_validate(base_case)
        except pydantic.ValidationError as exc:
            model, at = (Case, BASE_CASE) if base_case is not None else (ScenarioBase, ("base",))
            base_diags = pydantic_diagnostics(exc, model, doc, at)
        if base_diags:
            return [], [_broken(f"{Path(file).name} base", doc.locate(("base",)), base_diags)]
    cases: list[ScenarioCase] = []
    broken: list[ScenarioResult] = []
    for i, item in enumerate(items):
        where = doc.locate(("scenarios", i))
        item_doc = merged_doc(doc, i, item, base_case) if base_case is not None and isinstance(item, dict) else doc
        try:
            cases.append(ScenarioCase(Scenario.model_validate(item_doc.data["scenarios"][i]), where, item_doc, i))
        except pydantic.ValidationError as exc:
            name = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else f"#{i + 1}"
            broken.append(_broken(name, where, pydantic_diagnostics(exc, Scenario, item_doc, ("scenarios", i))))
    return cases, broken


def _case(item: ScenarioCase) -> Case:
    data: Any = item.scenario.case
    try:
        return parse_case(data, source=item.location.file)
    except CaseError as exc:
        try:  # the same data again, for diagnostics located in the scenario file
            Case.model_validate(data)
        except pydantic.ValidationError as located:
            raise CaseError(pydantic_diagnostics(located, Case, item.doc, ("scenarios", item.index, "case")),
                            f"{item.location}: not a valid case") from None
        raise exc


def run_scenario(pack: ResolvedPack, item: ScenarioCase) -> ScenarioResult:
    """Evaluate one scenario under ``pack`` and compare the decision with its expectation."""
    s, loc = item.scenario, item.location
    try:
        case = _case(item)
    except CaseError as exc:
        return _broken(s.name, loc, exc.diagnostics, s.question)
    decision = evaluate(pack, case, s.question, as_of=s.as_of)
    problems = expectation_problems(decision, s.expect, pack)
    return ScenarioResult(s.name, loc.file, loc.line, not problems, [p.en for p in problems], loc.column, s.question,
                          decision, problems_zh=[p.zh for p in problems])


def run_scenarios(pack_ref: str | Path | ResolvedPack, *, search: Iterable[str | Path] = (),
                  select: Callable[[str, str], bool] | None = None) -> list[ScenarioResult]:
    """Load the pack (``PackError`` if it does not load) and run every scenario of its folder, or
    those ``select(file name, scenario name)`` keeps (the others are not evaluated)."""
    pack = pack_ref if isinstance(pack_ref, ResolvedPack) else load_pack(pack_ref, search=search)
    results: list[ScenarioResult] = []
    for path in scenario_files(pack.folders[-1]):
        cases, broken = load_scenario_file(path)
        if select is not None:
            cases = [c for c in cases if select(path.name, c.name)]
            broken = [b for b in broken if select(path.name, b.name)]
        ran = [run_scenario(pack, item) for item in cases]
        results += sorted(broken + ran, key=lambda r: (r.line, r.column))
    return results
