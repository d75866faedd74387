"""A cold CLI answer imports no pydantic (issue 13 item 4: at most 0.3 s of CPU).

Importing pydantic and building the fact and pack-file models was more than half of the CPU of
one answer (docs/performance.md, "Cold start"). With a warm pack cache, an answer reads its case
with the plain checker and holds a resolved pack made of twins, so pydantic must stay out of the
process; and the answer must be the one the pydantic path gives. Speed itself is measured by
``python -m bench.coldstart``, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.json"))

# Run the CLI's main in-process and report which heavy modules it imported.
PROBE = """
import sys
from dingdian_rules.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("pydantic", "pydantic_core", "durable_rules", "hypothesis", "polars", "jinja2")
               if m in sys.modules)
print("\\nIMPORTED:" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def _run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DINGDIAN_RULES_CACHE": str(cache), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def _imported(proc: subprocess.CompletedProcess[str]) -> list[str]:
    line = [x for x in proc.stderr.splitlines() if x.startswith("IMPORTED:")][-1]
    return [m for m in line[len("IMPORTED:"):].split(",") if m]


def test_the_benchmarked_answer_imports_no_pydantic_with_a_warm_cache(tmp_path: Path) -> None:
    args = ["evaluate", "--pack", "national", "examples/application_clinic.yaml", "--as-of", "2025-06-01"]
    first = _run(args, tmp_path)  # fills the pack cache
    assert first.returncode == 0, first.stderr
    warm = _run(args, tmp_path)
    assert warm.returncode == 0, warm.stderr
    assert _imported(warm) == [], "a warm CLI answer imported " + ", ".join(_imported(warm))
    assert warm.stdout.split("决定编号")[0] == first.stdout.split("决定编号")[0]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_answers_as_the_pydantic_path_does(example: Path, tmp_path: Path) -> None:
    """Each bundled example under each pack it may be asked of: the warm JSON answer (plain case,
    twin pack) equals, decision by decision, what the library gives for the pydantic ``Case`` of
    ``load_case_file`` on the pack as loaded in this process."""
    import dingdian_rules as dr
    from datetime import date
    case, _extras = dr.load_case_file(example)
    assert isinstance(case, dr.Case)
    for pack_id in ("national", "guangdong_foshan"):
        args = ["evaluate", "--pack", pack_id, str(example), "--format", "json"]
        _run(args, tmp_path)
        warm = _run(args, tmp_path)
        assert warm.returncode in (0, 1), warm.stderr
        assert "pydantic" not in _imported(warm)
        got = json.loads(warm.stdout)["decisions"]
        assert got
        pack = dr.load_pack(pack_id)
        for g in got:
            want = dr.evaluate(pack, case, g["question"], as_of=date.fromisoformat(g["as_of"]), trace=False).to_dict()
            assert _masked(g) == _masked(want), (pack_id, g["question"])


def _masked(d: dict) -> bytes:
    from dingdian_rules.evaluation.identity import canonical_json
    def drop(v: object) -> object:
        if isinstance(v, dict):
            return {k: drop(x) for k, x in v.items() if k not in ("decision_id", "decided_at")}
        return [drop(x) for x in v] if isinstance(v, list) else v
    return canonical_json(drop(d))
