"""The package's layout is its architecture (docs/architecture.md): one subpackage per concern,
each saying in its docstring what it holds and which other parts it may import; no import cycle
between modules; a small top level behind a curated ``__all__``; modules of a readable size; and
every documented import path still working. These tests read the source (an AST walk), so they
see imports inside functions and under ``TYPE_CHECKING`` too: a cycle deferred to run time, or
kept for type checkers only, is still a cycle in the design."""

from __future__ import annotations

import ast
import importlib
import re
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

import dingdian_rules as dr

PKG = "dingdian_rules"
ROOT = Path(dr.__file__).resolve().parent
DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"

# Thin aliases of moved user-facing modules, kept for one release (CHANGELOG.md): old path -> new.
DEPRECATED = {"timecalc": "dingdian_rules.time", "coverage": "dingdian_rules.analysis.coverage",
              "diff": "dingdian_rules.analysis.diff", "events": "dingdian_rules.supervisor.events",
              "scenarios": "dingdian_rules.analysis.scenarios", "factsdoc": "dingdian_rules.render.facts_doc"}
# A name each alias must still give, as docs of the last release showed it.
ALIAS_NAMES = {"timecalc": ["WorkdayCalendar", "YearArrangement", "add_period"], "coverage": ["coverage_report"],
               "diff": ["diff_packs", "jurisdictions_markdown", "main"], "events": ["parse_event", "fold"],
               "scenarios": ["run_scenarios"], "factsdoc": ["facts_markdown"]}
TOP_LEVEL = {"__init__", "__main__", "errors", "twins"}  # besides the deprecated aliases
MAX_TOP_LEVEL = 10
MAX_LINES = 400

PUBLIC = {
    "Case", "CaseError", "DeadlineResult", "Decision", "DecisionWarning", "Diagnostic", "DingdianError",
    "EvaluationError", "Location", "MeasureResult", "PackError", "QUESTIONS", "ResolvedPack", "ResolvedParameter",
    "ResolvedRule", "RuleResult", "TraceNode", "YearArrangement", "bundled_pack_ids", "check_pack", "compare_frame",
    "evaluate", "evaluate_all", "evaluate_frame", "evaluate_many", "load_case_file", "load_pack", "parse_case", "render", "scenarios", "__version__",
}


# --- reading the package -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join([PKG, *parts])] = (path, is_pkg)
    return out


def _absolute(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@lru_cache(maxsize=1)
def imports() -> dict[str, dict[str, int]]:
    """Module -> {imported module of the package: line}. Importing ``a.b.c`` runs the ``__init__``
    of each package above it that the importer is not inside, so those count too (not the root
    package, which only re-exports and is imported first anyway)."""
    mods = modules()
    out: dict[str, dict[str, int]] = {}
    for mod, (path, is_pkg) in mods.items():
        found: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, mod, is_pkg)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                if not (target == PKG or target.startswith(PKG + ".")):
                    continue
                parts = target.split(".")
                for i in range(2, len(parts) + 1):
                    ancestor = ".".join(parts[:i])
                    inside = mod == ancestor or mod.startswith(ancestor + ".")
                    if ancestor in mods and ancestor != mod and (i == len(parts) or not inside):
                        found.setdefault(ancestor, node.lineno)
        out[mod] = found
    return out


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph[w])))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def _subpackages() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())


def _declared(pkg: str) -> set[str] | None:
    """The parts of the package a subpackage's docstring says it may import; None for "anything"."""
    doc = ast.get_docstring(ast.parse((ROOT / pkg / "__init__.py").read_text(encoding="utf-8"))) or ""
    m = re.search(r"May import:\s*(.+?)\.\s*$", doc, flags=re.S | re.M)
    assert m, f"{pkg}/__init__.py: its docstring must end with a 'May import: ...' line"
    text = " ".join(m.group(1).split())
    if text.startswith("anything"):
        return None
    if text.startswith("nothing"):
        return set()
    return {x.strip() for x in text.split(",")}


def _part(module: str) -> str:
    """The top-level part of the package a module belongs to (subpackage or top-level module)."""
    return module.split(".")[1] if module != PKG else "__init__"


# --- tests ---------------------------------------------------------------------------------------

def test_the_import_walk_sees_what_the_package_imports() -> None:
    # the walk must find the edges it is there to judge, or the tests below pass on nothing
    graph = imports()
    assert "dingdian_rules.packs.plans" in graph["dingdian_rules.packs.resolving"]
    assert "dingdian_rules.errors" in graph["dingdian_rules.packs.loader"]
    assert "dingdian_rules.conditions.compile" in graph["dingdian_rules.packs.plans"]
    assert _cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    cycles = _cycles(imports())
    assert cycles == [], "import cycles (break them by moving what both need below both):\n" + "\n".join(
        " -> ".join(c) for c in cycles)


def test_every_subpackage_says_what_it_holds_and_may_import() -> None:
    for pkg in _subpackages():
        doc = ast.get_docstring(ast.parse((ROOT / pkg / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 20, f"{pkg}/__init__.py needs a docstring saying what it holds"
        declared = _declared(pkg)
        if declared:
            unknown = declared - set(_subpackages()) - {"errors", "twins"}
            assert not unknown, f"{pkg}: 'May import' names {sorted(unknown)}, which are not parts of the package"


def test_imports_keep_to_what_each_subpackage_declares() -> None:
    wrong = []
    allowed = {pkg: _declared(pkg) for pkg in _subpackages()}
    for mod, targets in imports().items():
        part = _part(mod)
        if part not in allowed or allowed[part] is None:
            continue
        for target, line in targets.items():
            other = _part(target)
            if other != part and other not in allowed[part]:
                wrong.append(f"{modules()[mod][0].relative_to(ROOT)}:{line}: {mod} imports {target}, "
                             f"but {part}/ may import only {sorted(allowed[part]) or 'nothing else'}")
    assert wrong == [], "\n".join(wrong)


def test_declared_layers_have_no_cycle() -> None:
    # the "May import" lines themselves must form layers, so the diagram in docs/architecture.md exists
    graph = {pkg: {d: 1 for d in (_declared(pkg) or set()) if d in _subpackages()} for pkg in _subpackages()}
    assert _cycles(graph) == []


def test_the_top_level_is_small() -> None:
    top = {p.stem for p in ROOT.glob("*.py")}
    assert top - TOP_LEVEL - set(DEPRECATED) == set(), "new top-level modules belong in a subpackage"
    assert len(top) <= MAX_TOP_LEVEL


def test_no_module_imports_a_deprecated_alias() -> None:
    aliases = {f"{PKG}.{a}" for a in DEPRECATED}
    users = [f"{m} imports {t}" for m, ts in imports().items() if m not in aliases for t in ts if t in aliases]
    assert users == []


@pytest.mark.parametrize("old", sorted(DEPRECATED))
def test_deprecated_aliases_warn_and_still_work(old: str) -> None:
    sys.modules.pop(f"{PKG}.{old}", None)
    with pytest.warns(DeprecationWarning, match=re.escape(DEPRECATED[old])):
        alias = importlib.import_module(f"{PKG}.{old}")
    new = importlib.import_module(DEPRECATED[old])
    for name in ALIAS_NAMES[old]:
        assert getattr(alias, name) is getattr(new, name, getattr(alias, name))
        assert callable(getattr(alias, name)) or isinstance(getattr(alias, name), type)


def test_no_module_is_too_long() -> None:
    long = {str(p.relative_to(ROOT)): n for p, _ in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules (over {MAX_LINES} lines): {long}"


def test_no_module_is_one_tiny_function() -> None:
    tiny = []
    for mod, (path, is_pkg) in modules().items():
        if is_pkg or mod.split(".")[-1] in ("__main__", *DEPRECATED) and mod.count(".") == 1:
            continue
        body = [n for n in ast.parse(path.read_text(encoding="utf-8")).body
                if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr))]
        if len(body) < 2 and len(path.read_text(encoding="utf-8").splitlines()) < 40:
            tiny.append(mod)
    assert tiny == [], f"merge these into a neighbour: {tiny}"


def test_the_public_face_is_curated() -> None:
    assert set(dr.__all__) == PUBLIC, "a change of the public API must be deliberate: update PUBLIC and CHANGELOG.md"
    for name in dr.__all__:
        assert hasattr(dr, name), name


def test_every_all_names_what_its_module_defines() -> None:
    for mod in modules():
        if mod.split(".")[-1] in (*DEPRECATED, "__main__") and mod.count(".") == 1:
            continue
        module = importlib.import_module(mod)
        for name in getattr(module, "__all__", ()):
            assert hasattr(module, name), f"{mod}.__all__ names {name}, which it does not have"


def _documented_imports() -> set[tuple[str, str]]:
    """(module, name) pairs the docs and README import or name as ``dingdian_rules.x.y``."""
    found: set[tuple[str, str]] = set()
    for path in [README, *sorted(DOCS.glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"^\s*from (dingdian_rules(?:\.\w+)*) import ([\w, ]+)", text, flags=re.M):
            found |= {(m.group(1), n.strip()) for n in m.group(2).split(",") if n.strip()}
        for m in re.finditer(r"`(?:python -m )?(dingdian_rules(?:\.\w+)+)", text):
            parts = m.group(1).split(".")
            found.add((".".join(parts[:-1]), parts[-1]))
    return found


def test_every_import_path_the_docs_show_works() -> None:
    documented = _documented_imports()
    assert ("dingdian_rules.supervisor", "Supervisor") in documented  # the scan reads the docs
    broken = []
    aliases = {f"{PKG}.{a}" for a in DEPRECATED}
    for module, name in sorted(documented):
        if module in aliases or f"{module}.{name}" in aliases:
            broken.append(f"{module}.{name}: a deprecated alias; show its new path")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # the docs must show the current paths
            try:
                mod = importlib.import_module(module)
                if not hasattr(mod, name):
                    importlib.import_module(f"{module}.{name}")
            except Exception as exc:  # noqa: BLE001 - reported below with the path
                broken.append(f"{module}.{name}: {type(exc).__name__}: {exc}")
    assert broken == []


def test_user_facing_paths_keep_working() -> None:
    from dingdian_rules.supervisor import Supervisor
    from dingdian_rules.testing import cases, complete_cases, dated_cases

    assert callable(dr.load_pack) and callable(dr.evaluate) and callable(dr.render.decision_text)
    assert callable(dr.scenarios.run_scenarios) and isinstance(Supervisor, type)
    assert all(callable(f) for f in (cases, complete_cases, dated_cases))


def test_the_core_library_does_not_import_polars() -> None:
    # the columnar engine is an optional extra: importing and answering per case never loads it
    code = ("import sys, dingdian_rules as dr; dr.evaluate(dr.load_pack('national'), {}, 'application'); "
            "import dingdian_rules.columnar; "
            "assert not any(m.split('.')[0] in ('polars', 'pyarrow') for m in sys.modules), 'polars loaded'; "
            "assert callable(dr.evaluate_frame) and 'polars' in sys.modules")
    done = subprocess_run(code)
    assert done.returncode == 0, done.stderr[-2000:]


def subprocess_run(code: str):
    import subprocess
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_reading_events_and_answering_do_not_load_durable_rules() -> None:
    # supervisor/ holds the event models too; its runtime (durable_rules) loads only when asked for
    import subprocess
    code = ("import sys, dingdian_rules, dingdian_rules.cli, dingdian_rules.supervisor.events; "
            "from dingdian_rules.supervisor import EventError; "
            "assert not any(m.startswith('durable') for m in sys.modules), sorted(sys.modules); "
            "from dingdian_rules.supervisor import Supervisor; "
            "assert 'durable_rules_engine' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def _fresh_modules(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    import subprocess
    done = subprocess.run([sys.executable, "-c", code + "; import sys; print('\\n'.join(sys.modules))"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


def test_importing_the_package_defers_everything_a_call_does_not_need() -> None:
    # the public face imports a name's module when the name is first used (cold start, issue 13)
    loaded = _fresh_modules("import dingdian_rules")
    assert not {"pydantic", "yaml", "durable", "hypothesis"} & {m.split(".")[0] for m in loaded}
    assert not [m for m in loaded if m.startswith("dingdian_rules.")]
    loaded = _fresh_modules("import dingdian_rules as dr; dr.load_pack")
    assert "dingdian_rules.packs.loader" in loaded and "dingdian_rules.analysis.coverage" not in loaded


def test_one_cli_verb_imports_only_what_it_runs() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "application_clinic.yaml"
    loaded = _fresh_modules("import contextlib, io; from dingdian_rules.cli import main\n"
                            "with contextlib.redirect_stdout(io.StringIO()):\n"
                            f"    main(['evaluate', '--pack', 'national', {str(example)!r}, '--as-of', '2025-06-01'])\n"
                            "pass")
    assert "dingdian_rules.cli.evaluate" in loaded and "dingdian_rules.evaluation.evaluate" in loaded
    for other in ("dingdian_rules.cli.coverage", "dingdian_rules.cli.replay", "dingdian_rules.cli.schema",
                  "dingdian_rules.analysis.coverage", "dingdian_rules.supervisor.event_models", "hypothesis",
                  "jinja2", "dingdian_rules.render.html"):
        assert other not in loaded, other


def test_the_verbs_help_lines_are_the_verb_modules_own() -> None:
    from dingdian_rules.cli import VERBS, build_parser
    full = build_parser()  # every verb's module registered
    sub = next(a for a in full._actions if a.__class__.__name__ == "_SubParsersAction")
    own = {action.dest: action.help for action in sub._choices_actions}
    assert own == {name: help_ for name, (_, help_) in VERBS.items()}
    lazy = build_parser(["evaluate"])  # what `dingdian-rules evaluate ...` builds
    listed = next(a for a in lazy._actions if a.__class__.__name__ == "_SubParsersAction")
    assert {a.dest: a.help for a in listed._choices_actions} == own


def test_help_and_version_answer_without_loading_packs() -> None:
    loaded = _fresh_modules("import contextlib, io; from dingdian_rules.cli import main\n"
                            "with contextlib.redirect_stdout(io.StringIO()):\n"
                            "    assert main(['--version']) == 0 and main(['--help']) == 0\n"
                            "pass")
    assert not {"pydantic", "yaml"} & {m.split(".")[0] for m in loaded}
    assert not [m for m in loaded if m.startswith(("dingdian_rules.packs", "dingdian_rules.facts"))]
