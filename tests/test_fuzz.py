"""The fuzz suite's fast profile (bench/fuzz; docs/reliability.md): every category, in CI.

Each test draws inputs with hypothesis (deterministic under the ``ci`` profile) and asks the
fuzzer's runner for a verdict; any defect class (hang, traceback, lost decision, inconsistent,
wrong acceptance, false rejection, unlocated diagnostic) fails the test with the input in full.
The long run is ``python -m bench.fuzz --budget SECONDS``. ``DINGDIAN_FUZZ_SCALE`` multiplies
the number of examples (e.g. 10 for a longer local run of the same tests).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ lives beside src/

pytest.importorskip("durable", reason="durable-rules (the supervisor's engine) is not installed")

from bench import fuzz  # noqa: E402
from bench.fuzz import cache, cases, core, events, packs, storm  # noqa: E402

SCALE = float(os.environ.get("DINGDIAN_FUZZ_SCALE", "1"))


def examples(n: int):
    return settings(max_examples=max(1, round(n * SCALE)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


def verdict(category: str, plan) -> None:
    result = fuzz.check(category, plan, timeout=60)
    assert result.ok, result.report()


@examples(30)
@given(packs.mutations())
def test_mutated_packs_load_or_fail_with_located_errors_and_what_loads_evaluates(plan):
    verdict("packs", plan)


@examples(45)
@given(cases.case_inputs(max_list=300))
def test_generated_cases_evaluate_or_fail_with_located_errors_in_every_form(plan):
    verdict("cases", plan)


@examples(25)
@given(events.event_logs(max_steps=14))
def test_event_logs_lose_no_decision_and_agree_with_the_native_evaluator(plan):
    verdict("events", plan)


@examples(20)
@given(cache.cache_inputs())
def test_damaged_parse_cache_entries_read_as_a_fresh_parse(plan):
    verdict("parse cache", plan)


@examples(3)
@given(storm.storms(max_threads=6))
def test_thread_storms_give_the_sequential_results_and_restore_gc(plan):
    verdict("threads", plan)


# --- the fuzzer's own machinery -----------------------------------------------------------------
def test_an_escaping_exception_is_a_traceback_and_a_blocked_input_a_hang(tmp_path):
    def raises(probe):
        raise KeyError("x")

    assert fuzz.core.run_one("t", "raises", raises, 5).verdict == core.TRACEBACK
    if not hasattr(os, "mkfifo") or threading.current_thread() is not threading.main_thread():
        pytest.skip("needs a named pipe and the main thread")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = fuzz.core.run_one("t", "blocks", lambda probe: open(fifo).read(), 0.5)
    assert result.verdict == core.HANG


def test_the_worst_finding_is_the_verdict_and_a_refusal_alone_is_a_clean_error():
    probe = core.Probe("t", "x")
    probe.refused = True
    assert probe.verdict()[0] == core.CLEAN_ERROR
    probe.flag(core.UNLOCATED, "a")
    probe.flag(core.WRONG_ACCEPTANCE, "b")
    assert probe.verdict() == (core.WRONG_ACCEPTANCE, "b")


@pytest.mark.parametrize("injected,claim,want", [
    ("an unknown fact in a condition", "invalid", core.WRONG_ACCEPTANCE),
    ("a BOM", "harmless", core.FALSE_REJECTION),
])
def test_the_pack_oracle_turns_a_wrong_answer_into_its_class(injected, claim, want, monkeypatch):
    """A load that accepts what the fuzzer made invalid, or refuses what it made harmless, is
    counted in the review's class (the library is made to answer wrongly here)."""
    s = packs.seed("national")
    target = next(f for f in s.files if f.rel.endswith("agreement.yaml"))
    if claim == "invalid":
        data = packs._set(target.data, ("rules", 0, "when"), "conduct.major_fund_risk_zz")
        plan = packs.PackPlan("national", "condition", "invalid", target.rel, ((target.rel, packs.dump(data)),),
                              ("unknown-fact",), note=injected)
        monkeypatch.setattr(packs.dr, "load_pack", lambda ref: s.pack)  # a library that accepts it
        monkeypatch.setattr(packs.dr, "check_pack", lambda ref: [])
    else:
        plan = packs.PackPlan("national", "bom-crlf-comments", "harmless", target.rel,
                              ((target.rel, b"\xef\xbb\xbf" + target.raw),), same_data=True, note=injected)
        error = packs.dr.Diagnostic("yaml-syntax", "refused", packs.dr.Location(str(packs.template() / target.rel), 1, 1))

        def refuse(ref):
            raise packs.dr.PackError([error])

        monkeypatch.setattr(packs.dr, "load_pack", refuse)
        monkeypatch.setattr(packs.dr, "check_pack", lambda ref: [error])
    result = fuzz.core.run_one("packs", injected, lambda probe: packs.run(plan, probe, cli_every=0), 30)
    assert result.verdict == want, result.report()


def test_the_long_run_prints_the_figures_table_and_exits_zero_without_defects(capsys):
    import resource

    from bench.fuzz.__main__ import main

    before = resource.getrlimit(resource.RLIMIT_AS)
    code = main(["--budget", "3", "--seed", "7", "--category", "cases", "--quiet"])
    # the run's 4 GB address-space limit is the run's: a limit left on this process made every
    # browser started later in the test session die at start-up (chromedriver: SIGTRAP)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    out = capsys.readouterr().out
    assert "| category | inputs tried | accepted | clean errors | tracebacks | hangs | wrong acceptances |" in out
    assert "false rejections | unlocated diagnostics | inconsistent | lost decisions |" in out
    assert code == 0, out


def test_a_quote_cut_from_a_source_is_one_that_cites_that_source():
    """Found by the long run (seed 5, chunk 5111): the `source-text` operator cut a jiangsu quote
    out of jiangsu_nantong's copy of the same text and claimed the load must refuse it; but the
    quote cites jiangsu's document, whose own file was untouched (the oracle was wrong, not the
    library)."""
    data = {"rules": [{"citation": {"document": "a", "quote": "x"}},
                      {"citation": {"document": "b", "quote": "y"}, "also_cites": [{"document": "a", "quote": "z"}]}]}
    assert packs._quotes_citing(data, "a") == ["x", "z"]
    assert packs._quotes_citing(data, "c") == []
