"""The benchmark's own yardstick keeps working: `python -m bench.run` refuses to time anything
when its generated cases are not complete or the hand-written baseline disagrees with the
evaluator, so a new fact the packs read (review row 11's province_requires_other_materials broke
it once, unseen by the suite) must reach bench/cases.py and bench/handwritten.py too."""

from __future__ import annotations

import sys
from pathlib import Path

import dingdian_rules as dr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import cases, run  # noqa: E402


def test_the_benchmark_cases_are_complete_and_the_baseline_agrees() -> None:
    pack = dr.load_pack("national")
    generated = cases.application_cases(400)
    counts = run.check_agreement(pack, generated, 400)  # raises SystemExit on either failure
    assert set(counts) >= {"conditions_met", "not_accepted"}
