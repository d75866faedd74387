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
from ..errors import CaseError, Diagnostic, Location, did_you_mean
from ..evaluation.evaluate import evaluate
from ..facts.models import Case
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack, cite_zh
from ..packs.scenario_schema import Expectation, Scenario, ScenarioBase, ScenarioFile
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import YamlDoc
from ..reading.yaml_reader import load_yaml_file
from .scenario_base import BASE_CASE, merged_doc

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


def _list(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "none"


def check_expectation(decision: Decision, expect: Expectation, pack: ResolvedPack | None = None) -> list[str]:
    """Every way ``decision`` differs from ``expect``, one sentence each (empty when it matches).

    Rule ids are checked against the question's candidate rules (``decision.rules``): an id that
    is not a candidate is a problem in itself, so a misspelt id can never pass silently.
    """
    problems: list[str] = []
    results = {r.id: r for r in decision.rules}
    if decision.outcome != expect.outcome:
        context = f"fired: {_list(decision.fired)}"
        if decision.outcome == "undetermined":
            context += f"; missing facts: {_list(decision.missing_facts)}"
        problems.append(f"outcome: expected {expect.outcome}, got {decision.outcome} ({context})")

    def not_candidate(key: str, rule_id: str) -> str:
        text = f"{key}: '{rule_id}' is not a candidate rule of the {decision.question} question"
        if pack is not None and any(r.id == rule_id for r in pack.rules):
            text += f" (it is a {pack.rule(rule_id).kind} rule of pack {pack.id})"
        else:
            hint = did_you_mean(rule_id, [*results, *(r.id for r in pack.rules)] if pack else list(results))
            text += f"; {hint}" if hint else ""
        return text

    for rule_id in expect.fired:
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("fired", rule_id))
        elif r.status != "fired":
            why = f" (missing: {_list(r.missing)})" if r.missing else ""
            problems.append(f"fired: expected {rule_id} to fire, got {r.status}{why}")
    for rule_id in expect.not_fired:
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("not_fired", rule_id))
        elif r.status == "fired":
            problems.append(f"not_fired: {rule_id} fired, expected it not to fire")
        elif r.status not in ("not_fired", "not_applicable"):  # not_applicable: a converter that gave nothing
            why = f" (missing: {_list(r.missing)})" if r.missing else ""
            problems.append(f"not_fired: expected {rule_id} not to fire, got {r.status}{why}")
    missing = decision.missing_facts
    for fact in expect.missing:
        if fact not in missing:
            problems.append(f"missing: expected fact {fact} to be reported missing; missing facts: {_list(missing)}")
    deadlines = {d.key: d for d in decision.deadlines}  # a per-item deadline as time_limit.x[index]
    for rule_id, due in expect.deadlines.items():
        d = deadlines.get(rule_id)
        if d is None:
            problems.append(f"deadlines: no deadline {rule_id} was computed (computed: {_list(deadlines)})")
        elif d.due is None:
            problems.append(f"deadlines: {rule_id} has no due date (missing: {_list(d.missing)}), expected {due}")
        elif d.due != due:
            problems.append(f"deadlines: {rule_id} due {d.due}, expected {due}")
    for rule_id, status in expect.deadline_status.items():
        d = deadlines.get(rule_id)
        if d is None:
            problems.append(f"deadline_status: no deadline {rule_id} was computed (computed: {_list(deadlines)})")
        elif d.status != status:
            problems.append(f"deadline_status: {rule_id} is {d.status or 'unknown'} on {decision.as_of} "
                            f"(due {d.due or 'unknown'}), expected {status}")
    measures = [m.measure_id for m in decision.measures]
    for measure in expect.measures:
        if measure not in measures:
            problems.append(f"measures: expected measure {measure}; got {_list(dict.fromkeys(measures))}")
    ordered = {m.measure_id for m in decision.measures if m.mandatory}
    for measure in expect.mandatory:
        if measure not in ordered:
            kinds = [("ordered" if m.mandatory else "allowed") for m in decision.measures if m.measure_id == measure]
            problems.append(f"mandatory: expected {measure} to be ordered; " +
                            (f"it is only {', '.join(dict.fromkeys(kinds))}" if kinds else "it is not computed"))
    by_rule = {(m.rule_id, m.measure_id): m for m in decision.measures}
    for rule_id, wanted in expect.amounts.items():
        for measure, amounts in wanted.items():
            m = by_rule.get((rule_id, measure))
            if m is None:
                problems.append(f"amounts: {rule_id} computes no measure {measure}")
                continue
            for name in ("base", "min", "max"):
                want, got = getattr(amounts, name), getattr(m, f"{name}_amount")
                if want is not None and (got is None or abs(got - want) > 0.005):
                    problems.append(f"amounts: {rule_id} {measure} {name} is {got}, expected {want}")
    for rule_id, wanted in expect.durations.items():
        for measure, span in wanted.items():
            m = by_rule.get((rule_id, measure))
            if m is None:
                problems.append(f"durations: {rule_id} computes no measure {measure}")
                continue
            for name in ("min", "max"):
                want, got = getattr(span, name), getattr(m, f"{name}_duration")
                if want is not None and (got is None or tuple(got) != tuple(want)):
                    problems.append(f"durations: {rule_id} {measure} {name} is {got}, expected {list(want)}")
    deadline_citations = {d.rule_id: d.cited_as for d in decision.deadlines}
    for rule_id, label in expect.cited.items():
        r = results.get(rule_id)
        cited_as = r.cited_as if r is not None else deadline_citations.get(rule_id)
        if cited_as is None:
            problems.append(not_candidate("cited", rule_id) + (f" (computed deadlines: {_list(deadline_citations)})"
                                                               if deadline_citations else ""))
        elif cited_as != label:
            problems.append(f"cited: {rule_id} is cited as {cited_as}, expected {label}")
    for rule_id, labels in expect.cited_items.items():
        r = results.get(rule_id)
        if r is None:
            problems.append(not_candidate("cited_items", rule_id))
            continue
        held = [cite_zh(i.citation, with_document=False) for i in r.items if i.status == "held"]
        if held != list(labels):
            problems.append(f"cited_items: {rule_id} cites items {_list(held)}, expected {_list(labels)}")
    for rule_id, modality in expect.modality.items():
        r = results.get(rule_id)
        got = r.rule.modality if r is not None else next((d.modality for d in decision.deadlines if d.rule_id == rule_id),
                                                    None)
        if got is None:
            problems.append(not_candidate("modality", rule_id) + (f" (computed deadlines: {_list(deadlines)})"
                                                                  if deadlines else ""))
        elif got != modality:
            problems.append(f"modality: {rule_id} is {got}, expected {modality}")
    for param_id, value in expect.parameters.items():
        param = pack.parameters.get(param_id) if pack is not None else None
        if param is None:
            hint = did_you_mean(param_id, list(pack.parameters)) if pack is not None else None
            problems.append(f"parameters: '{param_id}' is not a parameter of the pack" + (f"; {hint}" if hint else "")
                            if pack is not None else f"parameters: '{param_id}' cannot be checked without the pack")
        elif isinstance(param.value, (bool, list, tuple, str)) or abs(float(param.value) - value) > 1e-9:
            problems.append(f"parameters: {param_id} is {param.value} {param.unit}, expected {value:g}")
    codes = [w.code for w in decision.warnings]
    for code in expect.warnings:
        if code not in codes:
            problems.append(f"warnings: expected warning {code}; got {_list(dict.fromkeys(codes))}")
    for code in expect.no_warnings:
        if code in codes:
            problems.append(f"no_warnings: the decision warns {code}, expected no such warning")
    return problems


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
    problems = check_expectation(decision, s.expect, pack)
    return ScenarioResult(s.name, loc.file, loc.line, not problems, problems, loc.column, s.question, decision)


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
