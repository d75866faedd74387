"""Category "threads": storms of concurrent loads and evaluations.

A storm runs 2-8 threads, each loading a few bundled packs (by id, or from a private copy of the
pack folders so that files are parsed afresh) for a few rounds and evaluating the probe cases
under each, with a tiny thread switch interval so that the threads interleave inside loads; one
thread may call ``loader.clear_caches()`` in a loop while the others load. The results (each
pack's fingerprint, each decision's outcome and fired rules) must equal a sequential run's
(else **inconsistent**); no thread may raise (a **traceback**) or fail to finish within the
time limit (a **hang**); afterwards the garbage collector must be in the state it was before
the storm and no load may be left counted as running (else **inconsistent**).
"""

from __future__ import annotations

import gc
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules.packs import loader

from .core import HANG, INCONSISTENT, TRACEBACK, Probe, fresh_dir, short_traceback
from .packs import probe_cases, template

CATEGORY = "threads"


@dataclass(frozen=True)
class StormPlan:
    threads: int
    rounds: int
    packs: tuple[str, ...]
    copies: bool  # each thread loads from its own copy of the pack folders
    clearer: bool  # one more thread clears the loader's caches in a loop
    switch: float
    gc_off: bool  # the caller had disabled the collector before the storm

    def describe(self) -> str:
        return (f"{self.threads} threads x {self.rounds} rounds of {', '.join(self.packs)}"
                f"{', own copies' if self.copies else ''}{', a cache-clearing thread' if self.clearer else ''}"
                f"{', gc disabled before' if self.gc_off else ''}, switch interval {self.switch:g} s")


@st.composite
def storms(draw: Any, max_threads: int = 8) -> StormPlan:
    ids = tuple(dr.bundled_pack_ids())
    return StormPlan(draw(st.integers(2, max_threads)), draw(st.integers(1, 3)),
                     tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))),
                     draw(st.booleans()), draw(st.booleans()), draw(st.sampled_from([1e-6, 1e-5, 1e-4, 5e-3])),
                     draw(st.integers(0, 5)) == 0)


@lru_cache(maxsize=None)
def expected(pid: str) -> tuple[str, tuple]:
    pack = dr.load_pack(template() / pid)
    return pack.fingerprint, _decisions(pack)


def _decisions(pack: Any) -> tuple:
    out = []
    for case, as_of in probe_cases()[::3]:
        for q, d in dr.evaluate_all(pack, case, as_of=as_of).items():
            out.append((q, d.outcome, tuple(d.fired)))
    return tuple(out)


def run(plan: StormPlan, probe: Probe, *, timeout: float = 60.0) -> None:
    for pid in plan.packs:
        expected(pid)  # the sequential results, before the storm
    gc_before = not plan.gc_off
    (gc.disable if plan.gc_off else gc.enable)()
    errors: list[str] = []
    results: list[tuple[str, str, tuple]] = []
    stop = threading.Event()
    with fresh_dir("storm") as root:
        folders: list[Path] = []
        for t in range(plan.threads):
            if plan.copies:
                for pid in plan.packs:
                    for p in dr.load_pack(template() / pid).chain:
                        if not (root / str(t) / p).exists():
                            shutil.copytree(template() / p, root / str(t) / p)
            folders.append(root / str(t) if plan.copies else template())

        def worker(folder: Path) -> None:
            try:
                for r in range(plan.rounds):
                    for pid in (plan.packs if r % 2 == 0 else plan.packs[::-1]):
                        pack = dr.load_pack(folder / pid)
                        results.append((pid, pack.fingerprint, _decisions(pack)))
            except BaseException as exc:  # noqa: BLE001 - reported as a finding
                errors.append(short_traceback(exc))

        def clearer() -> None:
            while not stop.is_set():
                loader.clear_caches()
                time.sleep(0.001)

        old = sys.getswitchinterval()
        sys.setswitchinterval(plan.switch)
        try:
            threads = [threading.Thread(target=worker, args=(f,), daemon=True) for f in folders]
            if plan.clearer:
                threads.append(threading.Thread(target=clearer, daemon=True))
            for t in threads:
                t.start()
            deadline = time.monotonic() + timeout
            for t in threads[: plan.threads]:
                t.join(max(0.0, deadline - time.monotonic()))
            stop.set()
            for t in threads[plan.threads:]:
                t.join(5)
        finally:
            sys.setswitchinterval(old)
        alive = [t for t in threads if t.is_alive()]
        gc_after, running = gc.isenabled(), loader._gc_loads
        gc.enable()
    if alive:
        probe.flag(HANG, f"{len(alive)} thread(s) still running after {timeout:g} s")
    for e in errors[:1]:
        probe.flag(TRACEBACK, e)
    for pid, fp, decisions in results:
        want_fp, want = expected(pid)
        if fp != want_fp or decisions != want:
            probe.flag(INCONSISTENT, f"{pid}: a thread got {'another fingerprint' if fp != want_fp else 'other decisions'}")
            break
    if gc_after != gc_before or running:
        probe.flag(INCONSISTENT, f"after the storm gc.isenabled() is {gc_after} (was {gc_before}), "
                   f"{running} load(s) still counted")
