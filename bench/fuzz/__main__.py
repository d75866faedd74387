"""``python -m bench.fuzz --budget SECONDS [--seed N]``: the long fuzz run, with a figures table.

Prints the machine, the command, the figures table in the reliability review's classes and every
input with a defect (its full plan, to replay it); exits 1 when any defect class is non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from typing import Iterator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds to fuzz for (default 600)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the run (default 0); the same seed draws the same inputs")
    parser.add_argument("--category", action="append", metavar="NAME",
                        help="fuzz only this category (repeatable): packs, cases, events, 'parse cache', threads")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one input may take before it is a hang (default 60)")
    parser.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                        help="address-space limit of the run (default 4096 MB; 0: none): an input that needs more "
                        "fails with MemoryError, a traceback, instead of exhausting the machine")
    parser.add_argument("--findings", metavar="FILE", help="also write every input with a defect to FILE (JSON)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    parser.add_argument("--chunk", type=int, metavar="SEED", help="replay one chunk of one --category: the "
                        "'chunk seed' printed with a finding's input (draws the same inputs again)")
    args = parser.parse_args(argv)

    with _address_space_limit(args.max_memory):
        return _run(parser, args, argv)


@contextlib.contextmanager
def _address_space_limit(mb: int) -> Iterator[None]:
    """Limit the address space for the run and restore the previous limit after it: ``main`` is
    also called in-process (the tests), and a limit left behind makes later programs of that
    process fail at start-up (Chromium's V8 reserves far more than 4 GB and dies with SIGTRAP)."""
    try:
        import resource
        previous = resource.getrlimit(resource.RLIMIT_AS)
    except ImportError:  # not on this platform: run without a limit
        yield
        return
    if mb:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, previous[1]))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, previous)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str] | None) -> int:
    # a private parse cache, like the tests': the run never reads or writes the user's cache
    os.environ.setdefault("DINGDIAN_RULES_CACHE", tempfile.mkdtemp(prefix="dingdian-fuzz-cache-"))
    from bench.fuzz import CATEGORIES, replay_chunk, run_budget
    from bench.run import machine

    unknown = [c for c in args.category or [] if c not in CATEGORIES]
    if unknown:
        parser.error(f"unknown category {unknown[0]!r}; one of {', '.join(CATEGORIES)}")
    names = args.category or list(CATEGORIES)
    started, cpu = time.perf_counter(), time.process_time()
    last = [0.0]

    def progress(line: str) -> None:
        if not args.quiet and time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(line, file=sys.stderr, flush=True)

    if args.chunk is not None:
        if len(names) != 1:
            parser.error("--chunk needs exactly one --category")
        figures = replay_chunk(names[0], args.chunk, timeout=args.timeout)
    else:
        figures = run_budget(args.budget, args.seed, categories=names, timeout=args.timeout, progress=progress)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"machine: {machine()}")
    print(f"command: python -m bench.fuzz {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"run: seed {args.seed}, budget {args.budget:g} s, {wall:.0f} s wall, {cpu:.0f} s CPU, "
          f"{figures.tried():,} inputs, per-input time limit {args.timeout:g} s")
    print()
    print(figures.table(names))
    print()
    print("time per category: " + ", ".join(f"{n} {figures.seconds.get(n, 0):.0f} s" for n in names))
    if figures.findings:
        print(f"\n{len(figures.findings)} input(s) with a defect:")
        for r in figures.findings[:50]:
            print(r.report())
    if args.findings:
        with open(args.findings, "w", encoding="utf-8") as f:
            json.dump([r.__dict__ for r in figures.findings], f, ensure_ascii=False, indent=1)
    return 1 if figures.defects() else 0


if __name__ == "__main__":
    sys.exit(main())
