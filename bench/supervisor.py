"""Benchmark: the event-driven supervisor against the native evaluator re-evaluating on each event.

    /tmp/venv/bin/python -m bench.supervisor                     # 10,000 institutions, a year of events
    /tmp/venv/bin/python -m bench.supervisor --institutions 1000 --pack qinghai_agreement

Both modes get the same events in date order (institutions interleaved). The supervisor mode
posts each event (folding it, deriving facts, replacing the institution's durable_rules fact,
building the decisions that came due) and finally advances to 31 December. The native mode
folds each event with the same ``InstitutionState`` and re-evaluates the institution
(``evaluate`` untraced for agreement and conduct, and request when one is filed). Generation
is not timed. A sample of institutions is cross-checked at the end (same outcome and fired
rules). Results are printed with the machine and the command; docs/supervision.md quotes them.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import date, timedelta

import dingdian_rules as dr
from dingdian_rules.supervisor.events import InstitutionState, fold, parse_event
from dingdian_rules.supervisor import Supervisor

from .run import machine

YEAR = 2025
END = date(YEAR, 12, 31)


def generate(n: int, seed: int = 20250101) -> list:
    """A year of events for ``n`` institutions (about 9 each), sorted by day."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        iid = f"inst-{i:05d}"
        start = date(YEAR, 1, 1)
        evs = [dict(type="term_started", institution_id=iid, on=start, term_end=END, is_public=rnd.random() < 0.3)]
        day = start
        suspended = requested = False
        change = claim = False
        for _ in range(rnd.randint(4, 14)):
            day = day + timedelta(days=rnd.randint(1, 40))
            if day > END:
                break
            r = rnd.random()
            if suspended and r < 0.3:
                evs.append(dict(type="suspension_ended", institution_id=iid, on=day))
                suspended = False
                if not requested:
                    evs.append(dict(type="conduct_cleared", institution_id=iid, on=day))
            elif not suspended and r < 0.12:
                requested = rnd.random() < 0.4
                if not requested:
                    evs.append(dict(type="conduct_found", institution_id=iid, on=day,
                                    conduct={rnd.choice(["major_fund_risk", "data_not_provided_or_false"]): True}))
                evs.append(dict(type="suspension_started", institution_id=iid, on=day, requested_by_institution=requested))
                suspended = True
            elif r < 0.6:
                evs.append(dict(type="claim_paid" if claim else "claim_declared", institution_id=iid, on=day))
                claim = not claim
            elif r < 0.7:
                evs.append(dict(type="conduct_found", institution_id=iid, on=day,
                                conduct={rnd.choice(["breached_agreement", "staff_or_department_breach",
                                                     "insurance_fraud_confirmed", "closure_not_reported"]): True}))
            elif r < 0.78 and not change:
                evs.append(dict(type="information_changed", institution_id=iid, on=day, is_major=True))
                change = True
            elif r < 0.85 and change:
                evs.append(dict(type="change_applied", institution_id=iid, on=day))
                change = False
            elif r < 0.92:
                evs.append(dict(type="request_filed", institution_id=iid, on=day, kind=rnd.choice(["suspend", "not_renew"]),
                                effective_on=day + timedelta(days=rnd.choice([30, 95]))))
            else:
                evs.append(dict(type="conduct_cleared", institution_id=iid, on=day))
        out += [parse_event(e) for e in evs]
    out.sort(key=lambda e: e.on)  # stable: each institution's own order is kept
    return out


def run_supervisor(pack, events):
    engine_s = [0.0]
    with Supervisor(pack) as sup:
        real = sup._engine.replace

        def timed_replace(*a, **k):
            t = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                engine_s[0] += time.perf_counter() - t

        sup._engine.replace = timed_replace  # type: ignore[method-assign]
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        dues = 0
        for e in events:
            dues += len(sup.post(e))
        dues += len(sup.advance(END))
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        finals = {iid: {q: (d.outcome, d.fired) for q, d in sup.decisions(iid).items()}
                  for iid in sup.institutions[:: max(1, len(sup.institutions) // 200)]}
        facts = len(sup._engine.facts())
    return cpu, wall, dues, engine_s[0], finals, facts


def run_native(pack, events):
    states: dict[str, InstitutionState] = {}
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    for e in events:
        st = states.get(e.institution_id)
        if st is None:
            st = states[e.institution_id] = InstitutionState(e.institution_id)
        st.apply(e)
        case = st.case(e.on)
        dr.evaluate(pack, case, "agreement", as_of=e.on, trace=False)
        dr.evaluate(pack, case, "conduct", as_of=e.on, trace=False)
        if case.request is not None:
            dr.evaluate(pack, case, "request", as_of=e.on, trace=False)
    return time.process_time() - c0, time.perf_counter() - w0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--institutions", type=int, default=10_000)
    ap.add_argument("--pack", default="national")
    args = ap.parse_args(argv)
    pack = dr.load_pack(args.pack)
    print(f"machine: {machine()}")
    print(f"command: {sys.executable} -m bench.supervisor " + " ".join(argv if argv is not None else sys.argv[1:]))
    events = generate(args.institutions)
    by_inst: dict[str, list] = {}
    for e in events:
        by_inst.setdefault(e.institution_id, []).append(e)
    print(f"pack {pack.id}: {args.institutions:,} institutions, {len(events):,} events in {YEAR} "
          f"({len(events) / args.institutions:.1f} per institution)")
    s_cpu, s_wall, dues, engine, finals, facts = run_supervisor(pack, events)
    n_cpu, n_wall = run_native(pack, events)
    bad = 0
    for iid, want in finals.items():
        case = fold(by_inst[iid], END)
        for q, (outcome, fired) in want.items():
            d = dr.evaluate(pack, case, q, as_of=END, trace=False)
            bad += (d.outcome, d.fired) != (outcome, fired)
    n = len(events)
    print(f"supervisor (durable_rules): {n / s_cpu:10,.0f} events/s CPU ({s_cpu:.1f} s; wall {s_wall:.1f} s), "
          f"{dues:,} decisions came due, {facts:,} facts held at the end; "
          f"{engine:.1f} s ({100 * engine / s_wall:.0f}% of wall) inside durable_rules assert/retract")
    print(f"native re-evaluation:       {n / n_cpu:10,.0f} events/s CPU ({n_cpu:.1f} s; wall {n_wall:.1f} s)")
    print(f"ratio native/supervisor: {s_cpu / n_cpu:.1f}x; cross-check of {len(finals)} institutions at {END}: "
          f"{'all agree' if not bad else f'{bad} DISAGREE'}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
