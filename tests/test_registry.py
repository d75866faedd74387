"""The synthetic registry (dingdian_rules.testing.registry): deterministic, plausible, and read by the batch verb
in every format it writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.batch import evaluate_many, read_entries
from dingdian_rules.testing.registry import COLUMNS, DEFAULT_AS_OF, as_entry, registry_rows, write_registry

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
SRC = str(Path(__file__).resolve().parents[1] / "src")
HOSPITALS = {"general_hospital", "tcm_hospital", "integrated_hospital", "ethnic_medicine_hospital",
             "specialty_hospital", "rehabilitation_hospital", "maternal_child_health_hospital"}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=300)


def outcomes(path: Path) -> list[tuple[str, str]]:
    pack = dr.load_pack("national")
    return [(r.id, r.decisions[0].outcome if r.decisions else str(r.errors)) for r in evaluate_many(pack, read_entries(str(path)))]


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    assert list(registry_rows(200, seed=3)) == list(registry_rows(200, seed=3))
    assert list(registry_rows(200, seed=3)) != list(registry_rows(200, seed=4))
    assert [r["id"] for r in registry_rows(3)] == ["R0000001", "R0000002", "R0000003"]


def test_the_population_is_plausible() -> None:
    rows = list(registry_rows(5000, seed=11, unknown_rate=0))
    kinds = Counter(r["institution.type"] for r in rows)
    small = kinds["village_clinic"] + kinds["clinic"]
    assert small > 0.4 * len(rows)  # village clinics and clinics are most of a registry
    assert sum(kinds[k] for k in HOSPITALS) < 0.2 * len(rows)
    assert kinds["internet_hospital"] > 0 and kinds["other"] > 0  # the rare kinds still occur
    for r in rows:
        if r["institution.type"] in ("village_clinic", "clinic", "internet_hospital"):
            assert r["institution.beds"] == 0
        if r["institution.type"] == "general_hospital":
            assert 20 <= r["institution.beds"] <= 1500
        assert date(1995, 1, 1) <= r["institution.operating_since"] <= DEFAULT_AS_OF
        assert r["as_of"] == DEFAULT_AS_OF
    beds = [r["institution.beds"] for r in rows]
    assert any(b >= 100 for b in beds) and any(0 < b < 100 for b in beds)  # art. 6(3)'s 100 beds both ways
    questions = Counter(r["question"] for r in rows)
    assert 0.2 < questions["agreement"] / len(rows) < 0.4


def test_parquet_columns_are_native_types(tmp_path: Path) -> None:
    path = tmp_path / "registry.parquet"
    assert write_registry(path, 50, seed=2, chunk_rows=16) == 50
    schema = pq.read_schema(path)
    assert schema.names == list(COLUMNS)
    assert schema.field("as_of").type == pa.date32()
    assert schema.field("institution.beds").type == pa.int64()
    assert schema.field("application.materials").type == pa.list_(pa.string())
    people = schema.field("institution.people").type
    assert pa.types.is_list(people) and pa.types.is_struct(people.value_type)
    assert pq.read_metadata(path).num_rows == 50


def test_the_batch_verb_evaluates_a_generated_parquet_file(tmp_path: Path) -> None:
    src, out = tmp_path / "registry.parquet", tmp_path / "out.jsonl"
    made = run("dingdian_rules.testing.registry", "--count", "400", "--seed", "5", "--output", str(src))
    assert made.returncode == 0, made.stderr
    done = run("dingdian_rules", "evaluate", "--pack", "national", "--input", str(src), "--output", str(out))
    assert done.returncode == 0, done.stderr
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 400 and all(r["ok"] for r in recs)
    seen = Counter((d["question"], d["outcome"]) for r in recs for d in r["decisions"])
    # a realistic registry: most applicants qualify, some are barred, some facts are unknown
    for outcome in ("conditions_met", "not_accepted", "undetermined"):
        assert seen[("application", outcome)] > 0, seen
    assert seen[("agreement", "continue")] > 0, seen


def test_parquet_jsonl_and_csv_of_one_seed_decide_alike(tmp_path: Path) -> None:
    paths = [tmp_path / f"registry.{ext}" for ext in ("parquet", "jsonl", "csv")]
    for p in paths:
        write_registry(p, 150, seed=9, unknown_rate=0.05)
    first = outcomes(paths[0])
    assert len(first) == 150
    for p in paths[1:]:
        assert outcomes(p) == first, p.suffix


def test_without_unknown_facts_every_application_is_decided() -> None:
    pack = dr.load_pack("national")
    for row in registry_rows(300, seed=13, unknown_rate=0, agreement_share=0):
        entry = as_entry(row)
        decision = dr.evaluate(pack, entry["case"], "application", as_of=row["as_of"], trace=False)
        assert decision.outcome != "undetermined", (row["id"], decision.missing_facts)


# Sections a registry row leaves out by design: it describes an institution's standing, not a
# pending request (请求中止/解除) or a change filing in progress.
PROCEDURAL = ("request.", "information_change.")


@pytest.mark.parametrize("question", ["application", "agreement"])
def test_every_fact_a_bundled_pack_reads_is_a_column(question: str) -> None:
    # Comparing packs on a registry must compare their rules, not facts the generator never fills
    # (Jiangsu's art. 6 conditions were left unknown, so Jiangsu never decided conditions_met).
    from dingdian_rules.packs.finding import bundled_pack_ids
    uncovered = {}
    for name in bundled_pack_ids():
        plan = dr.load_pack(name).plans.get(question)
        for rule in plan.rules if plan is not None else ():
            for path in (rule.condition.fact_paths.values() if rule.condition is not None else ()):
                path = str(path).replace("[]", "")
                if not path.startswith(PROCEDURAL) and path not in ("request", "information_change") and not any(
                        path == c or path.startswith(c + ".") for c in COLUMNS):
                    uncovered.setdefault(path, set()).add(name)
    assert not uncovered, uncovered


def test_without_unknown_facts_every_bundled_pack_decides_most_applications() -> None:
    rows = [as_entry(r) for r in registry_rows(400, seed=5, unknown_rate=0.0)]
    entries = [e for e in rows if e["question"] == "application"]
    for name in ("jiangsu", "jiangsu_nantong", "guangdong_foshan", "guangdong_zhongshan"):
        pack = dr.load_pack(name)
        outcomes = Counter(dr.evaluate(pack, e["case"], "application", as_of=e["as_of"], trace=False).outcome
                           for e in entries)
        assert outcomes["conditions_met"] > len(entries) // 4, (name, outcomes)
        assert outcomes["undetermined"] <= len(entries) // 50, (name, outcomes)


def test_a_bad_extension_or_rate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="parquet"):
        write_registry(tmp_path / "registry.xlsx", 1)
    with pytest.raises(ValueError, match="probabilities"):
        list(registry_rows(1, unknown_rate=2))
    bad = run("dingdian_rules.testing.registry", "--count", "1", "--output", str(tmp_path / "r.txt"))
    assert bad.returncode == 2 and "parquet" in bad.stderr


def test_a_section_as_one_struct_column_reads_like_its_dotted_columns(tmp_path: Path) -> None:
    """docs/columnar.md: nested facts as structs or dotted names, the same entries either way."""
    dotted = tmp_path / "dotted.parquet"
    write_registry(dotted, 60, seed=17, unknown_rate=0.05)
    table = pq.read_table(dotted)
    fields = [n for n in table.column_names if n.startswith("institution.")]
    struct = pa.StructArray.from_arrays([table.column(n).combine_chunks() for n in fields],
                                        [n.split(".", 1)[1] for n in fields])
    nested = table.drop_columns(fields).append_column("institution", struct)
    pq.write_table(nested, tmp_path / "nested.parquet")
    assert outcomes(tmp_path / "nested.parquet") == outcomes(dotted)


def test_parquet_without_pyarrow_names_the_extra_and_jsonl_still_works(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None; "
            "from dingdian_rules.testing.registry import main; "
            "main(['--count', '3', '--output', 'r.jsonl']); main(['--count', '3', '--output', 'r.parquet'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": SRC}, timeout=120)
    assert done.returncode == 2 and "dingdian-rules[parquet]" in done.stderr and "Traceback" not in done.stderr
    assert len((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()) == 3
