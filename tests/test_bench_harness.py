"""The benchmark's own yardstick keeps working: `python -m bench.run` refuses to time anything
when its generated cases are not complete or the hand-written baseline disagrees with the
evaluator, so a new fact the packs read (review row 11's province_requires_other_materials broke
it once, unseen by the suite) must reach bench/cases.py and bench/handwritten.py too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import dingdian_rules as dr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import cases, run  # noqa: E402


def test_the_benchmark_cases_are_complete_and_the_baseline_agrees() -> None:
    pack = dr.load_pack("national")
    generated = cases.application_cases(400)
    counts = run.check_agreement(pack, generated, 400)  # raises SystemExit on either failure
    assert set(counts) >= {"conditions_met", "not_accepted"}


def test_the_hand_written_polars_checks_agree_with_the_evaluator_on_a_registry() -> None:
    """bench.columnar's yardstick for evaluate_frame: the hand-written polars version of the national
    application question gives the evaluator's outcome on every row, unknown facts included."""
    pl = pytest.importorskip("polars")
    from bench import columnar
    from dingdian_rules.testing.registry import arrow_table, as_entry, registry_rows

    pack = dr.load_pack("national")
    rows = list(registry_rows(600, seed=31, unknown_rate=0.03, agreement_share=0.0))
    frame = pl.from_arrow(arrow_table(rows))
    got = frame.select(columnar.handwritten_stages(columnar.AS_OF)).select(columnar.stage_outcome())["outcome"]
    want = [dr.evaluate(pack, as_entry(r)["case"], "application", as_of=columnar.AS_OF, trace=False).outcome
            for r in rows]
    assert got.to_list() == want
    assert {"undetermined", "not_accepted", "conditions_met"} <= set(want)
