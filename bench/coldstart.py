"""Benchmark: what one fresh process costs before and for its answer (issue 13 item 4).

    .venv/bin/python -m bench.coldstart                  # 7 rounds; CPU seconds, medians
    .venv/bin/python -m bench.coldstart --instructions   # also instruction counts (valgrind, ~1 min)

Each round runs, back to back so that a busy spell of a shared machine hits them alike: the
baselines ``python -c pass`` and ``python -c "import pydantic"``, ``import dingdian_rules``, and
one CLI answer (``evaluate --pack national examples/application_clinic.yaml``) with a warm cache
(the usual case: every run after the first), with the cache off (every pack file parsed and
resolved), and through the installed ``dingdian-rules`` script when there is one. CPU seconds are
the children's user + system time. Bytecode is written (``PYTHONDONTWRITEBYTECODE`` is removed
from the children's environment) and every command runs once before it is measured; the cache
is a private temporary folder. See docs/performance.md, "Cold start".
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWER = ["evaluate", "--pack", "national", "examples/application_clinic.yaml", "--as-of", "2025-06-01"]
TARGETS = {"import dingdian_rules": 0.1, "CLI answer, warm cache": 0.3, "dingdian-rules script, warm cache": 0.3}


def commands(cache: str) -> list[tuple[str, list[str], str]]:
    """(label, argv, DINGDIAN_RULES_CACHE) of every measured process."""
    py = sys.executable
    out = [("python -c pass (baseline)", [py, "-c", "pass"], cache),
           ('python -c "import pydantic" (baseline)', [py, "-c", "import pydantic"], cache),
           ("import dingdian_rules", [py, "-c", "import dingdian_rules"], cache),
           ("CLI answer, warm cache", [py, "-m", "dingdian_rules", *ANSWER], cache),
           ("CLI answer, cache off", [py, "-m", "dingdian_rules", *ANSWER], "off")]
    script = Path(py).with_name("dingdian-rules")
    if script.exists():
        out.append(("dingdian-rules script, warm cache", [str(script), *ANSWER], cache))
    return out


def _env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DINGDIAN_RULES_CACHE"] = cache
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def cpu_seconds(argv: list[str], cache: str) -> float:
    """User + system CPU seconds of one child process that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=_env(cache), cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def instructions(argv: list[str], cache: str) -> int | None:
    """Instructions of one run under callgrind, hash seed fixed; None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    env = dict(_env(cache), PYTHONHASHSEED="0")
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    for line in out.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[1])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="measured rounds (default 7); medians are reported")
    ap.add_argument("--instructions", action="store_true", help="also count instructions (needs valgrind)")
    args = ap.parse_args(argv)
    cache = tempfile.mkdtemp(prefix="dingdian-rules-coldstart-")
    try:
        cmds = commands(cache)
        for _, cmd, c in cmds:  # bytecode written, the cache filled
            cpu_seconds(cmd, c)
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        times: dict[str, list[float]] = {label: [] for label, _, _ in cmds}
        for _ in range(args.runs):
            for label, cmd, c in cmds:
                times[label].append(cpu_seconds(cmd, c))
        load_end = os.getloadavg() if hasattr(os, "getloadavg") else None
        counts = {label: instructions(cmd, c) for label, cmd, c in cmds} if args.instructions else {}
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average "
          f"{'%.2f' % load[0] if load else '?'} at start, {'%.2f' % load_end[0] if load_end else '?'} at end; "
          f"{args.runs} rounds")
    print(f"{'process':42} {'median s':>9} {'min s':>7} {'max s':>7} {'M instr':>9}  target")
    for label, values in times.items():
        n = counts.get(label)
        target = TARGETS.get(label)
        verdict = "" if target is None else f"{target} s: {'met' if statistics.median(values) <= target else 'NOT met'}"
        print(f"{label:42} {statistics.median(values):9.3f} {min(values):7.3f} {max(values):7.3f} "
              f"{(f'{n / 1e6:,.0f}' if n else '-'):>9}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
