"""The project's own fuzz suite (issue 11): structure-aware, hypothesis-based, in the review's classes.

    .venv/bin/python -m bench.fuzz --budget 600 --seed 1      # the long run: ten minutes, a figures table
    .venv/bin/python -m bench.fuzz --budget 60 --category events
    HYPOTHESIS_PROFILE=ci .venv/bin/python -m pytest tests/test_fuzz.py   # the fast profile, in CI

Five categories, one module each: ``packs`` (mutations of the bundled packs), ``cases``
(generated cases with extreme and wrong values, in YAML, JSON and through the API), ``events``
(event logs for the supervisor, checked against the native evaluator day by day), ``cache``
(damaged parse-cache entries and odd cache settings) and ``storm`` (threads loading and
evaluating at once). Each has a hypothesis strategy that draws one input (a plan, printable and
replayable) and a runner that checks it and flags what it finds on a ``core.Probe``.

Every input gets one verdict, its worst finding (``core.WORST_FIRST``): hang, traceback, lost
decision, inconsistent, wrong acceptance, false rejection, unlocated diagnostic; or, when
nothing is found, clean error or accepted. docs/reliability.md defines each class and records
the figures of a long run; the run exits 1 when any defect class is non-zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from . import cache, cases, events, packs, storm
from .core import Figures, Probe, Result, run_one

__all__ = ["CATEGORIES", "Category", "Figures", "Result", "check", "replay_chunk", "run_budget"]


@dataclass(frozen=True)
class Category:
    name: str
    strategy: Callable[[bool], SearchStrategy[Any]]  # long run or not -> the strategy
    runner: Callable[[Any, Probe], None]
    share: float  # of a long run's time
    chunk: int  # examples per hypothesis run in a long run


CATEGORIES: dict[str, Category] = {c.name: c for c in (
    Category("packs", lambda long: packs.mutations(), packs.run, 0.32, 10),
    Category("cases", lambda long: cases.case_inputs(max_list=5000 if long else 300), cases.run, 0.22, 10),
    Category("events", lambda long: events.event_logs(max_steps=24 if long else 14),
             lambda plan, probe: events.run(plan, probe, daily_span=800), 0.26, 10),
    Category("parse cache", lambda long: cache.cache_inputs(), cache.run, 0.10, 10),
    Category("threads", lambda long: storm.storms(), storm.run, 0.10, 2),
)}


def check(category: str, plan: Any, timeout: float | None = 60.0) -> Result:
    """Run one input of ``category`` and give its verdict (the function the tests call)."""
    describe = getattr(plan, "describe", lambda: repr(plan))
    return run_one(category, describe(), lambda probe: CATEGORIES[category].runner(plan, probe), timeout, repr(plan))


def run_budget(budget: float, seed: int, *, categories: list[str] | None = None, timeout: float = 60.0,
               progress: Callable[[str], None] | None = None) -> Figures:
    """The long run: chunks of examples from each category, in proportion to their shares of the
    time budget, until the budget is spent. Chunk ``k`` of a run is generated from seed
    ``seed * 1000 + k``, so a run is repeatable and a finding's input is printed in full."""
    names = categories or list(CATEGORIES)
    figures = Figures()
    spent = {n: 0.0 for n in names}
    until = time.monotonic() + budget
    k = 0
    while time.monotonic() < until:
        name = min(names, key=lambda n: spent[n] / CATEGORIES[n].share)
        cat = CATEGORIES[name]
        started = time.monotonic()
        _chunk(cat, seed * 1000 + k, until, figures, timeout)
        spent[name] += time.monotonic() - started
        k += 1
        if k % 20 == 0:
            from dingdian_rules.packs import loader
            loader.clear_caches()  # keep the per-process caches of thousands of mutated files bounded
        if progress:
            progress(f"{time.monotonic() - until + budget:6.0f} s  {figures.tried():6,} inputs  "
                     f"{figures.defects()} defects  ({name})")
    return figures


def replay_chunk(category: str, chunk_seed: int, *, timeout: float = 60.0) -> Figures:
    """Run chunk ``chunk_seed`` of ``category`` again (the inputs a long run drew for it)."""
    figures = Figures()
    _chunk(CATEGORIES[category], chunk_seed, time.monotonic() + 10**9, figures, timeout)
    return figures


def _chunk(cat: Category, chunk_seed: int, until: float, figures: Figures, timeout: float) -> None:
    @hypothesis_seed(chunk_seed)
    @settings(max_examples=cat.chunk, database=None, deadline=None, phases=[Phase.generate], derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(cat.strategy(True))
    def body(plan: Any) -> None:
        if time.monotonic() >= until:
            return
        result = check(cat.name, plan, timeout)
        result.plan = f"{result.plan} [chunk seed {chunk_seed}]"
        figures.add(result)

    body()

