"""Benchmark: evaluation throughput against a hand-written baseline, and pack load times.

    .venv/bin/python -m bench.run                # from the repo root; 100,000 cases
    .venv/bin/python -m bench.run --quick        # 10,000 cases, fewer repeats
    .venv/bin/python -m bench.run --load-only --instructions   # loading only, with instruction counts

Generation of the cases is not timed. Each throughput figure is the median of ``--repeat``
passes over all cases; see docs/performance.md for the method and the numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Callable

import dingdian_rules as dr
from dingdian_rules.packs import chain, loader
from dingdian_rules.time import periods as timecalc

from . import handwritten
from .cases import application_cases

AS_OF = date(2025, 6, 1)
TARGETS = {"untraced": 0.5, "traced": 0.2}
LOAD_TARGET_MS = 100.0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = " (load average %.2f %.2f %.2f at start)" % os.getloadavg()
    return (f"{platform.platform()}; Python {platform.python_version()} ({platform.python_implementation()}); "
            f"{os.cpu_count()} CPUs, {cpu}{load}")


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``fn``, after a garbage collection."""
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def check_agreement(pack: dr.ResolvedPack, cases: list[dr.Case], sample: int) -> dict[str, int]:
    """The baseline must give the evaluator's outcome and deadlines on complete cases."""
    outcomes: dict[str, int] = {}
    for case in cases[:sample]:
        d = dr.evaluate(pack, case, "application", as_of=AS_OF, trace=False)
        outcome, deadlines = handwritten.application(case, AS_OF, pack.calendar)
        engine_deadlines = [(x.rule_id, x.due) for x in d.deadlines]
        if d.outcome != outcome or engine_deadlines != deadlines:
            raise SystemExit(f"baseline disagrees with evaluate() on {case!r}:\n"
                             f"  evaluate: {d.outcome} {engine_deadlines}\n  baseline: {outcome} {deadlines}")
        if d.unknown:
            raise SystemExit(f"generated case is not complete: unknown rules {d.unknown}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def throughput(pack: dr.ResolvedPack, cases: list[dr.Case], repeat: int,
               chunk: int = 5_000) -> dict[str, tuple[float, float]]:
    """(CPU, wall) seconds per mode for all cases: the median over ``repeat`` passes, each pass
    timing every mode on the same chunk of cases before moving to the next chunk, so that a busy
    spell of a shared machine hits all modes alike."""
    calendar = pack.calendar
    evaluate = dr.evaluate

    def baseline(part: list[dr.Case]) -> None:
        for c in part:
            handwritten.application(c, AS_OF, calendar)

    def untraced(part: list[dr.Case]) -> None:
        for c in part:
            evaluate(pack, c, "application", as_of=AS_OF, trace=False)

    def traced(part: list[dr.Case]) -> None:
        for c in part:
            evaluate(pack, c, "application", as_of=AS_OF, trace=True)

    def traced_trees(part: list[dr.Case]) -> None:
        for c in part:
            d = evaluate(pack, c, "application", as_of=AS_OF, trace=True)
            [r.trace for r in d.rules]

    modes = (("hand-written", baseline), ("untraced", untraced), ("traced", traced),
             ("traced + trace trees", traced_trees))
    passes: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in modes}
    parts = [cases[i:i + chunk] for i in range(0, len(cases), chunk)]
    for _ in range(repeat):
        total = {name: [0.0, 0.0] for name, _ in modes}
        for part in parts:
            for name, fn in modes:
                cpu, wall = timed(lambda: fn(part))
                total[name][0] += cpu
                total[name][1] += wall
        for name, (cpu, wall) in total.items():
            passes[name].append((cpu, wall))
    return {name: (statistics.median(c for c, _ in r), statistics.median(w for _, w in r)) for name, r in passes.items()}


_COLD_SNIPPET = """
import json, time
t0 = time.process_time()
import dingdian_rules as dr
t1 = time.process_time()
from dingdian_rules.packs import loader
loader._consult_disk = False  # loads from the files (parse cache only): bench.coldstart times the pack cache
ids = dr.bundled_pack_ids()
per = {}
for i in ids:
    a = time.process_time(); dr.load_pack(i); per[i] = time.process_time() - a
t2 = time.process_time()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "per": per}))
"""


# The same-run baseline for loading: a fresh interpreter that only reads the same YAML files with
# PyYAML's libyaml loader (no locations, no checks, no inheritance, no compiling). Run back to back
# with each cold load, so that a slow spell of the machine hits both alike.
_YAML_SNIPPET = """
import json, sys, time
import yaml
files = json.loads(sys.argv[1])
t0 = time.process_time()
for f in files:
    with open(f, encoding="utf-8") as h:
        yaml.load(h.read(), Loader=yaml.CSafeLoader)
print(json.dumps({"load": time.process_time() - t0}))
"""


def pack_files(ids: list[str]) -> list[str]:
    """Every YAML file a load of the bundled packs reads: each pack.yaml and its rules/*.yaml."""
    root = chain.bundled_root()
    return [str(p) for i in ids for p in [root / i / "pack.yaml", *sorted((root / i / "rules").glob("*.yaml"))]]


def _fresh(snippet: str, *args: str, cache: str = "off") -> dict:
    env = dict(os.environ, DINGDIAN_RULES_CACHE=cache)
    out = subprocess.run([sys.executable, "-c", snippet, *args], check=True, capture_output=True, text=True,
                         env=env)
    return json.loads(out.stdout)


_IMPORT_SNIPPET = "import dingdian_rules as dr; dr.bundled_pack_ids()"
_LOAD_SNIPPET = ("import dingdian_rules as dr\nfrom dingdian_rules.packs import loader\nloader._consult_disk = False\n"
                 "for i in dr.bundled_pack_ids(): dr.load_pack(i)")
_YAML_IMPORT_SNIPPET = "import json, sys, yaml; json.loads(sys.argv[1])"


def _instructions(snippet: str, *args: str, cache: str = "off") -> int | None:
    """Instructions a fresh interpreter executes for ``snippet`` (valgrind's callgrind), with a
    fixed hash seed: unlike time, the count does not move with the machine's load."""
    env = dict(os.environ, PYTHONHASHSEED="0", DINGDIAN_RULES_CACHE=cache)
    try:
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                              "-c", snippet, *args], capture_output=True, text=True, env=env, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[1])
    return None


def load_instructions(ids: list[str]) -> dict[str, int] | None:
    """Instructions to load every bundled pack (import excluded), and for the YAML-only baseline;
    None when valgrind is not installed."""
    files = json.dumps(pack_files(ids))
    with tempfile.TemporaryDirectory(prefix="dingdian-bench-cache-") as cache:
        _fresh(_COLD_SNIPPET, cache=cache)  # fill the private parse cache
        counts = [_instructions(_IMPORT_SNIPPET), _instructions(_LOAD_SNIPPET),
                  _instructions(_LOAD_SNIPPET, cache=cache),
                  _instructions(_YAML_IMPORT_SNIPPET, files), _instructions(_YAML_SNIPPET, files)]
    if None in counts:
        return None
    return {"load": counts[1] - counts[0], "load_cached": counts[2] - counts[0], "yaml_only": counts[4] - counts[3]}


def clear_caches() -> None:
    """Every in-process cache the loader keeps: parsed files, compiled conditions, source texts."""
    loader.clear_caches()
    timecalc._natural_end.cache_clear()
    timecalc._natural_start.cache_clear()


def load_times(runs: int) -> dict[str, object]:
    ids = dr.bundled_pack_ids()
    files = json.dumps(pack_files(ids))
    cold, no_cache, yaml_only = [], [], []
    with tempfile.TemporaryDirectory(prefix="dingdian-bench-cache-") as cache:
        first = _fresh(_COLD_SNIPPET, cache=cache)  # fills the private parse cache
        for _ in range(runs):  # interleaved, each in a fresh interpreter
            cold.append(_fresh(_COLD_SNIPPET, cache=cache))
            no_cache.append(_fresh(_COLD_SNIPPET))
            yaml_only.append(_fresh(_YAML_SNIPPET, files)["load"])

    def load_all() -> None:
        for i in ids:
            dr.load_pack(i)

    os.environ["DINGDIAN_RULES_CACHE"] = "off"  # in-process figures: no on-disk parse cache
    load_all()  # warm up imports and caches
    warm = []
    cleared = []
    for _ in range(runs):
        warm.append(timed(load_all)[0])
        clear_caches()
        cleared.append(timed(load_all)[0])
    per_warm = {}
    for i in ids:
        per_warm[i] = statistics.median(timed_once(lambda: dr.load_pack(i)) for _ in range(runs))
    # the fresh-process figures are CPU time too (process_time), see _COLD_SNIPPET
    return {
        "packs": ids,
        "cold_process": statistics.median(c["load"] for c in cold),
        "cold_runs": [c["load"] for c in cold],
        "first_process": first["load"],
        "no_cache": statistics.median(c["load"] for c in no_cache),
        "no_cache_runs": [c["load"] for c in no_cache],
        "yaml_only": statistics.median(yaml_only),
        "yaml_only_runs": yaml_only,
        "ratio_runs": [c["load"] / y for c, y in zip(no_cache, yaml_only)],
        "files": len(json.loads(files)),
        "cold_import": statistics.median(c["import"] for c in cold),
        "cold_per_pack": {i: statistics.median(c["per"][i] for c in cold) for i in ids},
        "caches_cleared": statistics.median(cleared),
        "warm": statistics.median(warm),
        "warm_per_pack": per_warm,
    }


def timed_once(fn: Callable[[], object]) -> float:
    return timed(fn)[0]


def profile(pack: dr.ResolvedPack, cases: list[dr.Case], mode: str, top: int) -> str:
    trace = mode != "untraced"
    prof = cProfile.Profile()
    prof.enable()
    for c in cases:
        d = dr.evaluate(pack, c, "application", as_of=AS_OF, trace=trace)
        if mode == "trees":
            [r.trace for r in d.rules]
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=100_000, help="application cases to evaluate (default 100000)")
    ap.add_argument("--quick", action="store_true", help="10,000 cases, one timed pass, 3 load runs")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per mode; the median is reported")
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--check", type=int, default=5_000, help="complete cases on which the baseline must agree")
    ap.add_argument("--profile", choices=["untraced", "traced", "trees"], help="also print a cProfile of one mode")
    ap.add_argument("--json", action="store_true", help="print the results as JSON as well")
    ap.add_argument("--load-only", action="store_true", help="only the pack-load measurements")
    ap.add_argument("--load-runs", type=int, help="fresh-process load runs (default 7, --quick 3)")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of loading (needs valgrind; ~30 s; immune to machine load)")
    args = ap.parse_args(argv)
    n, repeat, load_runs = args.cases, args.repeat, 7
    if args.quick:
        n, repeat, load_runs = min(n, 10_000), 1, 3
    load_runs = args.load_runs or load_runs

    print(f"command: {' '.join([os.path.basename(sys.executable), '-m', 'bench.run'] + (argv or sys.argv[1:]))}")
    print(f"machine: {machine()}")
    if args.load_only:
        report_loads(load_times(load_runs), load_runs)
        if args.instructions:
            report_instructions()
        return 0
    t0 = time.perf_counter()
    pack = dr.load_pack("national")
    cases = application_cases(n, args.seed, AS_OF)
    print(f"generated {n} complete application cases (seed {args.seed}, as_of {AS_OF}) "
          f"in {time.perf_counter() - t0:.1f} s (not timed)")
    outcomes = check_agreement(pack, cases, min(args.check, n))
    print(f"baseline agrees with evaluate() on {min(args.check, n)} cases: "
          + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))

    secs = throughput(pack, cases, repeat)
    base = secs["hand-written"][0]
    print()
    print(f"application question, {n} cases, CPU time (process_time), median of {repeat} pass(es), "
          "modes interleaved per 5,000 cases:")
    print(f"{'mode':<24}{'cases/s':>10}{'µs/case':>9}{'vs hand-written':>17}{'target':>15}{'wall µs/case':>14}")
    for mode, (cpu, wall) in secs.items():
        ratio = base / cpu
        target = TARGETS.get(mode)
        verdict = "" if target is None else (f"≥{target:.1f}× " + ("ok" if ratio >= target else "MISSED"))
        print(f"{mode:<24}{n / cpu:>10,.0f}{cpu / n * 1e6:>9.1f}{ratio:>16.2f}×{verdict:>15}{wall / n * 1e6:>14.1f}")

    loads = load_times(load_runs)
    report_loads(loads, load_runs)
    if args.instructions:
        report_instructions()

    if args.profile:
        print()
        print(profile(pack, cases[: min(n, 20_000)], args.profile, 25))
    if args.json:
        print(json.dumps({"cases": n, "repeat": repeat, "seconds": secs, "outcomes_checked": outcomes,
                          "loads": loads, "machine": machine()}, ensure_ascii=False, indent=2))
    return 0


def report_instructions() -> None:
    counts = load_instructions(dr.bundled_pack_ids())
    if counts is None:
        print("  instructions: valgrind is not available")
        return
    print(f"  instructions (callgrind, fresh process, import excluded): load {counts['load'] / 1e6:,.0f} M "
          f"with the parse cache off, {counts['load_cached'] / 1e6:,.0f} M with it filled; "
          f"PyYAML CSafeLoader alone {counts['yaml_only'] / 1e6:,.0f} M "
          f"(cache-off load / baseline {counts['load'] / counts['yaml_only']:.2f}×)")


def report_loads(loads: dict, load_runs: int) -> None:
    print()
    print(f"pack load + resolve, all {len(loads['packs'])} bundled packs ({', '.join(loads['packs'])}), "
          f"CPU time, median of {load_runs}:")
    def verdict(seconds: float) -> str:
        return f"target < {LOAD_TARGET_MS:.0f} ms: " + ("ok" if seconds * 1000 < LOAD_TARGET_MS else "MISSED")

    def runs(values: list[float]) -> str:
        return ", ".join(f"{t * 1000:.1f}" for t in values)

    print(f"  fresh process, parse cache filled   {loads['cold_process'] * 1000:8.1f} ms   "
          f"{verdict(loads['cold_process'])}   (each: {runs(loads['cold_runs'])})")
    print(f"  fresh process, parse cache off      {loads['no_cache'] * 1000:8.1f} ms   "
          f"{verdict(loads['no_cache'])}   (each: {runs(loads['no_cache_runs'])})")
    print(f"  first process, filling the cache    {loads['first_process'] * 1000:8.1f} ms")
    ratio = statistics.median(loads["ratio_runs"])
    print(f"  baseline: PyYAML CSafeLoader alone on the same {loads['files']} files (fresh process) "
          f"{loads['yaml_only'] * 1000:.1f} ms; cache-off load / baseline {ratio:.2f}× (median of per-run ratios)")
    print(f"  import dingdian_rules (fresh)       {loads['cold_import'] * 1000:8.1f} ms")
    print(f"  in process, loader caches cleared   {loads['caches_cleared'] * 1000:8.1f} ms   (parse cache off)")
    print(f"  warm (same process, again)          {loads['warm'] * 1000:8.1f} ms")
    for i in loads["packs"]:
        print(f"    {i:<22} cold {loads['cold_per_pack'][i] * 1000:7.1f} ms   warm {loads['warm_per_pack'][i] * 1000:7.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
