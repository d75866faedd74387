"""Supervisor memory over many supervisors opened and closed (the reliability review's D5 loop).

    .venv/bin/python -m bench.supervisor_memory                          # national, by id, 10,000
    .venv/bin/python -m bench.supervisor_memory --pack qinghai_agreement --loaded --count 2000

Each cycle opens a ``Supervisor`` (by pack id, so each one loads and compiles a fresh pack, or
with ``--loaded`` on one pack loaded once), posts a ``term_started`` and closes it. After 20
warm-up cycles the RSS is read (``gc.collect()`` first) and again after each fifth of the loop;
the growth must stay near zero. Linux only (reads VmRSS). docs/reliability.md quotes the results.
"""

from __future__ import annotations

import argparse
import gc
import time


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.supervisor_memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pack", default="national", help="bundled pack id (default national)")
    parser.add_argument("--count", type=int, default=10_000, help="supervisors after the warm-up (default 10000)")
    parser.add_argument("--loaded", action="store_true", help="open each with one pack loaded once, not by id")
    args = parser.parse_args(argv)

    import dingdian_rules as dr
    from dingdian_rules.supervisor import Supervisor

    pack = dr.load_pack(args.pack) if args.loaded else args.pack
    event = {"type": "term_started", "institution_id": "a", "on": "2025-01-01", "term_end": "2025-12-31"}

    def cycle() -> None:
        with Supervisor(pack) as sup:
            sup.post(event)

    for _ in range(20):
        cycle()
    gc.collect()
    started, before, growth = time.perf_counter(), rss_mb(), []
    step = max(1, args.count // 5)
    for i in range(1, args.count + 1):
        cycle()
        if i % step == 0:
            gc.collect()
            growth.append(f"{rss_mb() - before:+.1f}")
    how = "one loaded pack" if args.loaded else "by id"
    print(f"{args.pack}, {how}: {args.count:,} supervisors, RSS after warm-up {before:.0f} MB, "
          f"growth after each fifth {', '.join(growth)} MB, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
