"""How ``evaluate_frame`` gets its speed must not change its answers: the outcome and the rule
lists are computed once per distinct combination of rule statuses (packed two bits a rule into
integer keys) and missing facts once per combination of missing paths (a bit a path), only on the
rows with an unknown rule. Expected answers come from the per-case evaluator, row by row."""

from __future__ import annotations

from datetime import date

import pytest

pl = pytest.importorskip("polars")

import dingdian_rules as dr  # noqa: E402
from dingdian_rules.columnar import frames  # noqa: E402
from dingdian_rules.errors import EvaluationError  # noqa: E402
from dingdian_rules.testing.registry import arrow_table, as_entry, registry_rows  # noqa: E402

DAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def national() -> dr.ResolvedPack:
    return dr.load_pack("national")


@pytest.fixture(scope="module")
def registry() -> tuple[pl.DataFrame, list[dict]]:
    """300 national application rows with 5 % of facts unknown, and the per-case answers."""
    rows = list(registry_rows(300, seed=7, as_of=DAY, unknown_rate=0.05, agreement_share=0.0))
    pack = dr.load_pack("national")
    want = []
    for r in rows:
        d = dr.evaluate(pack, as_entry(r)["case"], "application", as_of=DAY, trace=False)
        want.append({"outcome": d.outcome, "fired": list(d.fired), "undetermined": list(d.unknown),
                     "missing_facts": list(d.missing_facts)})
    return pl.from_arrow(arrow_table(rows)), want  # type: ignore[return-value]


def test_every_registry_row_gets_the_per_case_answer_in_every_column(national, registry) -> None:
    frame, want = registry
    got = dr.evaluate_frame(national, frame, "application", as_of=DAY).to_dicts()
    assert got == want
    # the paths the fast route takes are all exercised: known rows, scalar facts missing, and
    # a quantifier's own item facts merged with them
    missing = [m for row in want for m in row["missing_facts"]]
    assert any("[]." in m for m in missing) and any("[]" not in m for m in missing)
    assert any(not row["missing_facts"] for row in want) and any(row["fired"] for row in want)


def test_an_as_of_column_of_one_day_answers_as_the_constant_day(national, registry) -> None:
    frame, want = registry
    assert dr.evaluate_frame(national, frame, "application", as_of="as_of").to_dicts() == want


def test_a_frame_in_chunks_gives_the_same_rows(national, registry, monkeypatch) -> None:
    frame, want = registry
    chunked = pl.concat([frame.slice(i, 20) for i in range(0, frame.height, 20)], rechunk=False)
    assert max(chunked.n_chunks("all")) > 10
    assert dr.evaluate_frame(national, chunked, "application", as_of=DAY).to_dicts() == want  # rechunked
    monkeypatch.setattr(frames, "_CHUNK_ROWS", 1)  # read in its chunks (as a Parquet file's row groups)
    assert dr.evaluate_frame(national, chunked, "application", as_of=DAY).to_dicts() == want


def test_outputs_asks_for_some_columns_only(national, registry) -> None:
    frame, want = registry
    got = dr.evaluate_frame(national, frame, "application", as_of=DAY, outputs=("missing_facts", "outcome"))
    assert got.columns == ["outcome", "missing_facts"]  # in the order of the full result
    assert got.to_dicts() == [{"outcome": w["outcome"], "missing_facts": w["missing_facts"]} for w in want]
    only = dr.evaluate_frame(national, frame, "application", as_of=DAY, outputs=["undetermined"])
    assert only.get_column("undetermined").to_list() == [w["undetermined"] for w in want]
    for bad in ((), ("outcome", "trace")):
        with pytest.raises(EvaluationError, match="outputs"):
            dr.evaluate_frame(national, frame, "application", as_of=DAY, outputs=bad)


def test_status_keys_hold_more_rules_than_one_integer() -> None:
    # 40 rules (two keys): every rule true, false and unknown at least once, read back unchanged
    n = 40
    values = [True, False, None]
    statuses = {f"r{i}": [values[(row + i) % 3] for row in range(6)] for i in range(n)}
    frame = pl.DataFrame(statuses, schema={c: pl.Boolean for c in statuses})
    keys = frame.select(frames._packed([pl.col(f"r{i}") for i in range(n)], 2, "__k"))
    assert keys.columns == ["__k0", "__k1"]
    back = keys.select([frames._status_of(i).alias(f"r{i}") for i in range(n)])
    assert back.to_dict(as_series=False) == statuses
    unknown = keys.select([frames._unknown_of(i).alias(f"r{i}") for i in range(n)])
    assert unknown.to_dict(as_series=False) == {c: [v is None for v in vs] for c, vs in statuses.items()}


def test_missing_path_bits_hold_more_paths_than_one_integer() -> None:
    n = 70  # two keys of 64 bits
    flags = {f"p{j}": [(row * 7 + j) % 5 == 0 for row in range(10)] for j in range(n)}
    frame = pl.DataFrame(flags)
    keys = frame.select(frames._packed([pl.col(f"p{j}") for j in range(n)], 1, "__m"))
    assert keys.columns == ["__m0", "__m1"]
    back = keys.select([frames._flag_of(j).alias(f"p{j}") for j in range(n)])
    assert back.to_dict(as_series=False) == flags
