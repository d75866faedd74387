"""Columnar evaluation (issue 15): a registry of N application rows through hand-written polars,
the per-case evaluator, and ``dr.evaluate_frame`` when it exists, in one run (docs/performance.md,
"Columnar (issue 15)").

    python -m bench.columnar --rows 1000000           # the issue's size (generation takes minutes)
    python -m bench.columnar --rows 100000 --sample 5000

Not timed: generating the registry (``dingdian_rules.testing.registry``, national application
rows with ``--unknown-rate`` of facts unknown), writing it to Parquet and reading it into a polars
DataFrame (the read is printed apart). Timed, each on the frame already in memory:

- ``polars by hand``: the national application question (arts. 5, 6, 7, 9 para. 2 and 12 of
  rulepacks/national/rules/application.yaml) written as polars expressions by hand, with the
  evaluator's three-valued stages (docs/questions.md): Kleene and/or are polars' own, ``any``
  over a list column is true if an item is true, unknown if none is and an item (or the list) is
  unknown. Periods: with one ``as_of`` for every row, "within N years of d" is ``lo <= d <=
  as_of`` and "N months elapsed since d" is ``d < hi``, with ``lo`` and ``hi`` found once by the
  library's own Civil Code period functions (``dingdian_rules.time.periods``);
- ``per-case evaluate``: ``dr.evaluate(pack, case, "application", as_of=..., trace=False)`` over
  the first ``--sample`` rows (the rate is per case), once with the case as the dict of a parsed
  batch entry (validation included, as the batch verb pays it) and once with ``Case`` objects
  validated beforehand (the evaluator alone, as ``bench.run`` measures it);
- ``evaluate_frame``: ``dr.evaluate_frame(pack, frame, "application", as_of=...)`` when the
  library has it, twice: with ``outputs=("outcome",)`` (the same output as the hand-written
  version: the fair ratio) and with all four columns (outcome, fired and undetermined rules,
  missing facts: more work than the hand-written version does).

Every variant's answers on the sample are checked equal to the per-case evaluator's before its
rate is printed (the outcome; for evaluate_frame's four columns also the fired and undetermined
rules and the missing facts); the frame variants are then timed in turns, --repeat rounds (the median round
of each printed, wall and CPU time of all threads), the result frame in memory (turning it into
Python lists for the check is not timed).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Callable

import polars as pl

import dingdian_rules as dr
from dingdian_rules.facts.models import Case
from dingdian_rules.testing.registry import DEFAULT_AS_OF, as_entry, registry_rows, write_registry
from dingdian_rules.time.periods import elapsed_period, within_period

AS_OF = DEFAULT_AS_OF
ELIGIBLE_TYPES = ["general_hospital", "tcm_hospital", "integrated_hospital", "ethnic_medicine_hospital",
                  "specialty_hospital", "rehabilitation_hospital", "disease_prevention_institute",
                  "maternal_child_health_hospital", "community_health_center", "central_health_center",
                  "township_health_center", "subdistrict_health_center", "outpatient_department", "clinic",
                  "health_station", "village_clinic", "emergency_center", "hospice_center", "dialysis_center",
                  "nursing_home", "eldercare_medical_unit"]  # national parameters.yaml, eligible_institution_types
ELIGIBLE_LICENCES = ["practice_licence", "tcm_clinic_record", "military_civilian_service"]
MATERIALS = ["application_form", "licence_copy", "management_and_finance_rules", "it_system_materials",
             "fund_use_forecast"]  # art. 7 (1)-(5); (6) only where the province requires it


def c(name: str) -> pl.Expr:
    return pl.col(name)


def earliest_within(as_of: date, length: int, unit: str) -> date:
    """The first event day d for which ``within(d, length unit)`` holds on ``as_of`` (monotone in d)."""
    d = as_of - timedelta(days=366 * length + 3 if unit == "years" else 31 * length + 3)
    while not within_period(d, as_of, length, unit):  # type: ignore[arg-type]
        d += timedelta(days=1)
    return d


def first_not_elapsed(as_of: date, length: int, unit: str) -> date:
    """The first event day d for which ``elapsed(d, length unit)`` no longer holds on ``as_of``."""
    d = earliest_within(as_of, length, unit)
    assert elapsed_period(d - timedelta(days=1), as_of, length, unit)  # type: ignore[arg-type]
    return d


def within(d: pl.Expr, as_of: date, years: int) -> pl.Expr:
    return d.is_between(pl.lit(earliest_within(as_of, years, "years")), pl.lit(as_of))


def elapsed(d: pl.Expr, as_of: date, length: int, unit: str) -> pl.Expr:
    return d < pl.lit(first_not_elapsed(as_of, length, unit))


def any_of(items: pl.Expr, test: pl.Expr) -> pl.Expr:
    """Kleene ``any(x in items where test)``: ``test`` is written on ``pl.element()``."""
    values = items.list.eval(test)
    return (pl.when(items.is_null()).then(None).when(values.list.any()).then(True)
            .when(values.list.eval(pl.element().is_null()).list.any()).then(None).otherwise(False))


def handwritten_stages(as_of: date) -> list[pl.Expr]:
    """Whether each stage of the national application question fails (null: unknown), by hand."""
    e = pl.element()
    field = e.struct.field
    kind, internet = c("institution.type"), pl.lit("internet_hospital")
    type_ok = ((kind.is_in(ELIGIBLE_TYPES) | ((kind == internet) & (c("application.is_internet_supplementary") == True)  # noqa: E712
                                               & (c("institution.physical_institution_designated") == True)))  # noqa: E712
               & c("institution.licence").is_in(ELIGIBLE_LICENCES))
    grounds = [  # art. 5 (type and permit), art. 12 (1)-(9), art. 9 para. 2
        ~type_ok, c("institution.main_scope_non_basic"), ~c("institution.basic_services_follow_price_policy"),
        c("institution.has_unfulfilled_admin_penalty"),
        any_of(c("history.fraudulent_application_found_on"), within(e, as_of, 3)),
        any_of(c("history.rescissions"), (field("ground") == "violation_of_law") & (
            within(field("on"), as_of, 3) | (elapsed(field("on"), as_of, 3, "years") & ~field("admin_penalty_fulfilled")))),
        any_of(c("history.rescissions"), (field("ground") == "serious_breach") & (
            within(field("on"), as_of, 1) | (elapsed(field("on"), as_of, 1, "years") & ~field("breach_liability_fulfilled")))),
        any_of(c("institution.people"), any_of(field("serious_violation_rescissions"), within(e, as_of, 5))),
        any_of(c("institution.people"), field("is_on_dishonesty_list")),
        c("institution.other_statutory_non_acceptance_ground"),
        any_of(c("history.evaluations"), field("is_reevaluation") & (field("result") == "failed")
               & within(field("notified_on"), as_of, 1)),
    ]
    materials = c("application.materials")

    def has(m: str) -> pl.Expr:  # count_matches: null on a null list, as list.contains, and 3x faster
        return materials.list.count_matches(pl.lit(m)) > 0
    complete = pl.all_horizontal([has(m) for m in MATERIALS]  # art. 7 (1)-(5), then (6)
                                 + [~c("application.province_requires_other_materials")
                                    | has("provincial_other_materials")])
    i = "institution."
    unmet = (~elapsed(c(i + "operating_since"), as_of, 3, "months") | ~(c(i + "physicians_first_registered_here") >= 1)
             | ~(c(i + "principal_in_charge_of_insurance") & c(i + "has_insurance_staff"))
             | ~((c(i + "beds") < 100) | (c(i + "has_insurance_department") & c(i + "has_full_time_insurance_staff")))
             | ~c(i + "has_required_systems") | ~c(i + "has_it_connection") | ~c(i + "meets_other_statutory_conditions"))
    return [pl.any_horizontal(grounds).alias("not_accepted"), (~complete).alias("materials_incomplete"),
            unmet.alias("conditions_not_met")]


def stage_outcome() -> pl.Expr:
    """The outcome from the stage columns: a stage decides only if every earlier one passed."""
    out = pl.when(False).then(None)
    for stage in ("not_accepted", "materials_incomplete", "conditions_not_met"):
        out = out.when(c(stage)).then(pl.lit(stage)).when(c(stage).is_null()).then(pl.lit("undetermined"))
    return out.otherwise(pl.lit("conditions_met")).alias("outcome")


Answer = tuple  # (outcome, fired, undetermined, missing facts) of one row; fields a variant lacks are None


def decided(d: dr.Decision) -> Answer:
    return d.outcome, list(d.fired), list(d.unknown), list(d.missing_facts)


def answers(frame: pl.DataFrame, n: int) -> list[Answer]:
    """The first ``n`` rows of a result frame as answers (columns it lacks as None)."""
    head = frame.head(n)
    cols = [head[c].to_list() if c in head.columns else [None] * head.height
            for c in ("outcome", "fired", "undetermined", "missing_facts")]
    return list(zip(*cols))


def differences(name: str, got: list[Answer], want: list[Answer], ids: list[str]) -> list[str]:
    """Where a variant's answers differ from the evaluator's, on the fields it gives."""
    fields = ("outcome", "fired", "undetermined", "missing_facts")
    out = []
    for i, (g, w) in enumerate(zip(got, want)):
        for f, a, b in zip(fields, g, w):
            if a is not None and a != b:
                out.append(f"{ids[i]} {f}: {a!r} != evaluate's {b!r}")
    if len(got) != len(want):
        out.append(f"{name}: {len(got)} rows checked, {len(want)} expected")
    return out


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """One run's wall and CPU time (all threads of the process), and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    got = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.columnar", description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="rows for the per-case evaluator and the checks")
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--unknown-rate", type=float, default=0.01)
    ap.add_argument("--repeat", type=int, default=5,
                    help="rounds of the frame variants, in turns; the median round of each is printed")
    ap.add_argument("--registry", type=Path, default=None,
                    help="a Parquet file to reuse: written there (with these options) when absent, read when present")
    args = ap.parse_args(argv)
    sample_n = min(args.sample, args.rows)
    pack = dr.load_pack("national")
    options = dict(seed=args.seed, as_of=AS_OF, unknown_rate=args.unknown_rate, agreement_share=0.0)
    entries = [as_entry(r) for r in islice(registry_rows(sample_n, **options), sample_n)]  # type: ignore[arg-type]
    ids = [e["id"] for e in entries]
    with tempfile.TemporaryDirectory(prefix="dingdian-columnar-") as tmp:
        path = args.registry or Path(tmp) / "registry.parquet"
        t0 = time.perf_counter()
        reused = path.exists()
        if not reused:
            write_registry(path, args.rows, **options)  # type: ignore[arg-type]
        t1 = time.perf_counter()
        frame = pl.read_parquet(path)
        t2 = time.perf_counter()
        if frame.height != args.rows:
            raise SystemExit(f"{path} has {frame.height:,} rows, not --rows {args.rows:,}")
        print(f"{args.rows:,} national application rows ({path.stat().st_size / 1e6:.1f} MB Parquet), "
              f"{os.cpu_count()} CPUs, polars {pl.__version__}; "
              f"{f'reused {path}' if reused else f'generated in {t1 - t0:.1f} s'}, "
              f"read into polars in {t2 - t1:.2f} s")
        stages, outcome = handwritten_stages(AS_OF), stage_outcome()

        cases = [Case.model_validate(e["case"]) for e in entries]

        def per_case() -> list[Answer]:
            return [decided(dr.evaluate(pack, e["case"], "application", as_of=AS_OF, trace=False)) for e in entries]

        def per_model() -> list[Answer]:
            return [decided(dr.evaluate(pack, case, "application", as_of=AS_OF, trace=False)) for case in cases]

        def by_hand() -> pl.DataFrame:
            return frame.select(stages).select(outcome)

        def columnar(outputs: tuple[str, ...]) -> Callable[[], pl.DataFrame]:
            return lambda: dr.evaluate_frame(pack, frame, "application", as_of=AS_OF,  # type: ignore[attr-defined]
                                             outputs=outputs)

        # (name, run, rows)
        runs: list[tuple[str, Callable[[], object], int]] = [
            ("per-case evaluate, dict cases", per_case, sample_n),
            ("per-case evaluate, Case objects", per_model, sample_n),
            ("polars by hand (outcome)", by_hand, args.rows)]
        if hasattr(dr, "evaluate_frame"):
            runs += [("evaluate_frame, outcome only", columnar(("outcome",)), args.rows),
                     ("evaluate_frame, all four columns", columnar(("outcome", "fired", "undetermined",
                                                                     "missing_facts")), args.rows)]
        else:
            print("dr.evaluate_frame: not in this build of dingdian_rules, skipped")
        for e in entries[:200]:  # warm up: the pack's compiled plans and caches, as a long batch has them
            dr.evaluate(pack, e["case"], "application", as_of=AS_OF, trace=False)
        want: list[Answer] = []
        rates: dict[str, float] = {}
        frame.head(100).select(stages).select(outcome)  # warm up polars' thread pool
        hand = "polars by hand (outcome)"
        # check every variant once, then time the frame variants in turns (``--repeat`` rounds), so
        # that a busy spell of a shared machine hits each of them alike; the median round is printed
        times: dict[str, list[tuple[float, float]]] = {}
        for name, fn, n in runs:
            wall, cpu, result = timed(fn)
            got = result if isinstance(result, list) else answers(result, sample_n)  # type: ignore[arg-type]
            if not want:
                want = got
            wrong = differences(name, got, want, ids)
            assert not wrong, f"{name}: {len(wrong)} answers differ from evaluate on the sample, first {wrong[:5]}"
            times[name] = [(wall, cpu)]
        frames = [(name, fn) for name, fn, n in runs if not name.startswith("per-case")]
        for _ in range(args.repeat - 1):
            for name, fn in frames:
                wall, cpu, _result = timed(fn)
                times[name].append((wall, cpu))
        print(f"{'variant':34} {'rows':>10} {'wall s':>8} {'CPU s':>7} {'rows/s':>12} {'vs by hand':>10}")
        for name, fn, n in runs:
            wall, cpu = sorted(times[name])[len(times[name]) // 2]
            rates[name] = n / wall
            ratio = f"{rates[name] / rates[hand]:9.2f}×" if hand in rates else ""
            print(f"{name:34} {n:10,} {wall:8.2f} {cpu:7.2f} {rates[name]:12,.0f} {ratio:>10}", flush=True)
        print(f"checked on the first {sample_n:,} rows against evaluate(..., trace=False): the outcome for "
              "every variant; fired, undetermined and missing facts too for evaluate_frame's four columns. "
              "The hand-written polars gives the outcome only.")
        if hand in rates:
            print(f"polars by hand / per-case: {rates[hand] / rates['per-case evaluate, Case objects']:,.0f}× "
                  "the per-case evaluator on Case objects")
        print("sample outcomes:", dict(sorted(Counter(a[0] for a in want).items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
