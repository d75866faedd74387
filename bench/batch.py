"""Batch files at scale: N generated cases through ``dingdian-rules evaluate --input`` against an
in-process loop, in the same run (docs/performance.md, "Batch files").

    python -m bench.batch                  # 100,000 cases (several minutes on 2 cores)
    python -m bench.batch --cases 5000     # a quick look

Not timed: generating the cases (``bench/cases.py``) and writing them as JSON Lines. Timed, each
from the same file:

- ``loop``: ``for e in entries: dr.evaluate(pack, e["case"], e["question"], as_of=...)`` over
  entries already parsed into memory (the library's floor: validation and evaluation only);
- ``loop+io``: the same loop doing the verb's work in-process: read each JSON line, evaluate,
  ``json.dumps`` the decision as ``evaluate --format json`` does, write a line;
- ``evaluate_many``: the library's iterator over ``read_entries``, records written as JSON Lines;
- ``verb --jobs N``: the command itself in a fresh process (pack load and start-up included).

Every variant's outcomes are checked equal to the loop's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Callable

import dingdian_rules as dr
from dingdian_rules.batch import open_writer, read_entries

from .cases import Generator

AS_OF = date(2025, 6, 1)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(type(value).__name__)


def write_cases(path: Path, n: int, seed: int) -> None:
    g = Generator(seed, AS_OF)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            entry = {"id": str(i), "question": "application", "as_of": AS_OF.isoformat(), "case": g.case()}
            f.write(json.dumps(entry, ensure_ascii=False, default=_plain) + "\n")


def _cpu() -> float:
    self_, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], list[str]]) -> tuple[float, float, list[str]]:
    wall, cpu = time.perf_counter(), _cpu()
    outcomes = fn()
    return time.perf_counter() - wall, _cpu() - cpu, outcomes


def outcomes_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [r["decisions"][0]["outcome"] if r["ok"] else "error" for r in map(json.loads, f)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    args = ap.parse_args(argv)
    pack = dr.load_pack("national")
    with tempfile.TemporaryDirectory(prefix="dingdian-batch-") as tmp:
        src, out = Path(tmp) / "cases.jsonl", Path(tmp) / "out.jsonl"
        write_cases(src, args.cases, args.seed)
        size = src.stat().st_size
        with src.open(encoding="utf-8") as f:
            entries = [json.loads(line) for line in f]

        def loop() -> list[str]:
            return [dr.evaluate(pack, e["case"], e["question"], as_of=AS_OF, trace=False).outcome for e in entries]

        def loop_io() -> list[str]:
            got = []
            with src.open(encoding="utf-8") as f, out.open("w", encoding="utf-8") as w:
                for line in f:
                    e = json.loads(line)
                    d = dr.evaluate(pack, e["case"], e["question"], as_of=date.fromisoformat(e["as_of"]), trace=False)
                    w.write(json.dumps({"id": e["id"], "decisions": [d.to_dict()]}, ensure_ascii=False) + "\n")
                    got.append(d.outcome)
            return got

        def many() -> list[str]:
            with open_writer(str(out)) as w:
                for r in dr.evaluate_many(pack, read_entries(str(src))):
                    w.write(r)
            return outcomes_of(out)

        def verb(jobs: int) -> Callable[[], list[str]]:
            def run() -> list[str]:
                subprocess.run([sys.executable, "-m", "dingdian_rules", "evaluate", "--pack", "national", "--input",
                                str(src), "--output", str(out), "--jobs", str(jobs)], check=False,
                               stderr=subprocess.DEVNULL)
                return outcomes_of(out)
            return run

        runs = [("loop (parsed entries, dr.evaluate)", loop), ("loop+io (read, evaluate, to_dict, write)", loop_io),
                ("evaluate_many + JSONL writer", many)]
        runs += [(f"verb --jobs {j}", verb(j)) for j in args.jobs]
        base: list[str] | None = None
        print(f"{args.cases:,} application cases, {size / 1e6:.1f} MB of JSON Lines, {os.cpu_count()} CPUs")
        print(f"{'variant':44} {'wall s':>8} {'CPU s':>8} {'cases/s':>9} {'vs loop':>8}")
        for name, fn in runs:
            wall, cpu, got = timed(fn)
            if base is None:
                base, base_wall = got, wall
            assert got == base, f"{name}: outcomes differ from the loop's"
            print(f"{name:44} {wall:8.1f} {cpu:8.1f} {args.cases / wall:9,.0f} {wall / base_wall:7.2f}×", flush=True)
        print("outcomes:", {o: base.count(o) for o in sorted(set(base))})
        print(f"output: {out.stat().st_size / 1e6:.0f} MB of JSON Lines ({out.stat().st_size / args.cases / 1e3:.1f} kB a record)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
