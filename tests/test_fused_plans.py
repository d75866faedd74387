"""A question's fused plan function gives exactly the per-rule fast results, on every bundled
pack and question, over generated cases with unknown facts (the fused code is the rules' own
generated code renamed apart; this guards the renaming)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules.testing import cases

PACKS = {pid: dr.load_pack(pid) for pid in dr.bundled_pack_ids()}


@pytest.mark.parametrize("pack_id", sorted(PACKS))
@settings(max_examples=25)
@given(case=cases(None, unknown_rate=0.3), as_of=st.dates(date(2023, 1, 1), date(2026, 12, 31)))
def test_fused_plan_equals_each_rule(pack_id: str, case: dr.Case, as_of: date) -> None:
    for plan in PACKS[pack_id].plans.values():
        if plan.fused is None:
            continue
        assert plan.fused(case, as_of, set()) == tuple(f(case, as_of, set()) for f in plan.fns)
