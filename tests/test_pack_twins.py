"""A resolved pack holds twins of its pack-file parts (packs/twinning.py, issue 13 item 4).

The conversion happens once at the end of every load, so an answer served from the pack cache
never imports pydantic; it must change nothing a user sees: every part dumps as its model did,
the pack's views and every scenario's decisions are the same before and after, and no pydantic
object is left anywhere in a bundled pack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pydantic
import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.scenarios import _case, load_scenario_file, scenario_files
from dingdian_rules.errors import DiagnosticBag
from dingdian_rules.evaluation.evaluate import evaluate
from dingdian_rules.packs.chain import read_chain
from dingdian_rules.packs.finding import bundled_root
from dingdian_rules.packs.loader import clear_caches
from dingdian_rules.packs import resolving
from dingdian_rules.packs.resolving import resolve_chain
from dingdian_rules.packs.twinning import twin_pack, twin_rules
from dingdian_rules.render.packs import pack_dict, pack_text
from dingdian_rules.twins import Twin

from decision_ids import without_ids

ROOT = Path(__file__).resolve().parents[1]
PACKS = dr.bundled_pack_ids()


def _parts(obj: object) -> list[tuple[str, object]]:
    """(path, part) of every pydantic model or twin reachable from ``obj``, in a fixed order."""
    out: list[tuple[str, object]] = []
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [("pack", obj)]
    while stack:
        path, o = stack.pop()
        if isinstance(o, (str, int, float, bytes, type, type(None))) or callable(o) and not hasattr(o, "__dict__"):
            continue
        if isinstance(o, (pydantic.BaseModel, Twin)):
            out.append((path, o))
            continue
        # Containers are walked wherever they are held (the conversion may replace a shared tuple
        # by one per holder); other objects once, which also stops at the graph's cycles.
        if isinstance(o, (dict, MappingProxyType)):
            stack += [(f"{path}[{k!r}]", v) for k, v in o.items()]
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack += [(f"{path}[{i}]", v) for i, v in enumerate(o)]
        elif id(o) in seen:
            continue
        else:
            seen.add(id(o))
            attrs = dict(getattr(o, "__dict__", {}))
            for klass in type(o).__mro__:
                for name in klass.__dict__.get("__slots__", ()):
                    if name not in ("__dict__", "__weakref__") and hasattr(o, name):
                        attrs[name] = object.__getattribute__(o, name)
            stack += [(f"{path}.{k}", v) for k, v in attrs.items()]
    return out


def _twin(pack) -> None:
    """What the resolver does, on a pack it built without doing it."""
    twin_rules(pack.rules)
    twin_pack(pack)


def _resolved_with_models(pack_id: str, monkeypatch: pytest.MonkeyPatch):
    """The pack as the resolver would build it without turning its parts into twins."""
    clear_caches()  # no compiled condition shared with an earlier load
    monkeypatch.setattr(resolving, "twin_rules", lambda rules: None)
    monkeypatch.setattr(resolving, "twin_pack", lambda pack: None)
    bag = DiagnosticBag()
    chain = read_chain(pack_id, [], bag)
    pack = resolve_chain(chain, bag)
    monkeypatch.undo()
    assert pack is not None, [d.format() for d in bag.items]
    return pack


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_part_dumps_as_its_model_did_and_no_model_is_left(pack_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _resolved_with_models(pack_id, monkeypatch)
    before = _parts(pack)
    assert any(isinstance(p, pydantic.BaseModel) for _, p in before)  # there was something to convert
    dumps = [(path, type(p).__name__, p.model_dump(), p.model_dump(mode="json"), p.model_dump(exclude_none=True),
              p.model_dump_json()) for path, p in before]
    _twin(pack)
    after = _parts(pack)
    assert [(path, type(p).__name__) for path, p in after] == [(path, name) for path, name, *_ in dumps]
    left = [path for path, p in after if not isinstance(p, Twin)]
    assert left == [], "pydantic objects left in the pack: " + ", ".join(left[:5])
    for (path, p), (_, _, python, as_json, without_none, as_json_text) in zip(after, dumps):
        assert p.model_dump() == python, path
        assert p.model_dump(mode="json") == as_json, path
        assert p.model_dump(exclude_none=True) == without_none, path
        assert p.model_dump_json() == as_json_text, path


@pytest.mark.parametrize("pack_id", PACKS)
def test_a_loaded_pack_holds_no_pydantic_object(pack_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINGDIAN_RULES_CACHE", "off")
    pack = dr.load_pack(pack_id)
    left = [path for path, p in _parts(pack) if isinstance(p, pydantic.BaseModel)]
    assert left == []
    assert isinstance(pack.rules[0].citation, Twin) and pack.rules[0].citation.article >= 1


def test_shared_parts_stay_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """A citation reached from two places becomes one twin, and a tuple holding models is replaced
    everywhere it is held (a parameter's citation is also its provenance's)."""
    pack = _resolved_with_models("guangdong_foshan", monkeypatch)
    _twin(pack)
    for p in pack.parameters.values():
        nearest = [s for s in p.provenance if s.citation is not None and s.citation == p.citation]
        assert nearest and any(s.citation is p.citation for s in nearest), p.id
    for r in pack.rules:
        for step in r.provenance:
            assert all(isinstance(c, Twin) for c in step.also_cites)


@pytest.mark.parametrize("pack_id", PACKS)
def test_views_and_decisions_are_the_same_before_and_after(pack_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _resolved_with_models(pack_id, monkeypatch)
    cases = []
    for path in scenario_files(bundled_root() / pack_id):
        items, _ = load_scenario_file(path)
        cases += [(_case(i), i.scenario.question, i.scenario.as_of) for i in items]

    def answers() -> list[object]:
        return [without_ids(evaluate(pack, case, q, as_of=as_of).to_dict()) for case, q, as_of in cases]

    views = (json.dumps(pack_dict(pack), ensure_ascii=False, default=str), pack_text(pack), pack_text(pack, "en"))
    decided = answers()
    _twin(pack)
    assert (json.dumps(pack_dict(pack), ensure_ascii=False, default=str), pack_text(pack), pack_text(pack, "en")) == views
    assert answers() == decided
    assert cases or not scenario_files(bundled_root() / pack_id)


def test_converting_twice_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _resolved_with_models("national", monkeypatch)
    _twin(pack)
    first = [(path, id(p)) for path, p in _parts(pack)]
    _twin(pack)
    assert [(path, id(p)) for path, p in _parts(pack)] == first


def test_a_failed_load_leaves_its_rules_as_twins(tmp_path: Path) -> None:
    """Compiled conditions are shared between loads and hold the rule their time limit names,
    so even a load that fails (here: a quote not in its source) leaves twins in its rules."""
    import shutil
    shutil.copytree(bundled_root() / "national", tmp_path / "national", ignore=shutil.ignore_patterns("tests"))
    rules = next((tmp_path / "national" / "rules").glob("*.yaml"))
    text = rules.read_text(encoding="utf-8")
    quote = next(line for line in text.splitlines() if line.strip().startswith("quote:"))
    rules.write_text(text.replace(quote, quote.split(":")[0] + ": 本办法所称的不存在的原文字句", 1), encoding="utf-8")
    built: list = []
    real = resolving.twin_rules

    def keep(rs):
        built.extend(rs)
        real(rs)

    clear_caches()
    bag = DiagnosticBag()
    chain = read_chain(tmp_path / "national", [], bag)
    resolving.twin_rules = keep
    try:
        assert resolve_chain(chain, bag) is None
    finally:
        resolving.twin_rules = real
    assert any(d.code == "quote-not-in-source" for d in bag.items), [d.format() for d in bag.items]
    assert built and [p for p, part in _parts(built) if isinstance(part, pydantic.BaseModel)] == []


def test_a_library_answer_from_the_cache_imports_no_pydantic(tmp_path: Path) -> None:
    """A process that loads a cached pack and evaluates a case given as plain data (a service
    worker, a script) never imports pydantic, and answers as the pydantic path does."""
    script = """
import json, sys
from datetime import date
import dingdian_rules as dr
pack = dr.load_pack("guangdong_foshan")
case = {"institution": {"type": "clinic", "name": "某诊所", "operating_since": "2025-03-01"}}
d = dr.evaluate(pack, case, "application", as_of=date(2025, 6, 1))
print(json.dumps({"pydantic": "pydantic" in sys.modules, "outcome": d.outcome,
                  "fired": list(d.fired)}))
"""
    env = {**os.environ, "DINGDIAN_RULES_CACHE": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    first, warm = (json.loads(r.stdout) for r in runs)
    assert warm["pydantic"] is False
    assert first["pydantic"] is True  # the first run read the pack files with the models
    want = dr.evaluate(dr.load_pack("guangdong_foshan"), dr.parse_case(
        {"institution": {"type": "clinic", "name": "某诊所", "operating_since": "2025-03-01"}}), "application",
        as_of=date(2025, 6, 1))
    assert (warm["outcome"], warm["fired"]) == (want.outcome, list(want.fired))
