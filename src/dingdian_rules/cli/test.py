"""``dingdian-rules test``: run the scenario cases under each pack's ``tests/*.yaml``."""

from __future__ import annotations

import argparse

from ..packs.chain import bundled_pack_ids
from ..analysis.scenarios import run_scenarios
from . import _common as c

EPILOG = """examples:
  dingdian-rules test                      # the scenarios of every bundled pack
  dingdian-rules test ./rulepacks/guangdong_foshan   # one pack folder
  dingdian-rules test national -v          # also list the scenarios that pass

Each failure is printed as `file:line:col: scenario name: what differed`.
Exit 1 when a scenario fails, 3 when a pack does not load.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test", help="run the scenario cases of packs (tests/*.yaml)",
        description=c.wrap("Run every scenario under each pack's tests/ folder and compare the decision with "
                    "its expectation (outcome, fired and not-fired rules, missing facts, deadlines, "
                    "measures, warnings)."),
        epilog=EPILOG + "\n" + c.exit_codes_help({1: "a scenario failed"}), formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="ID_OR_PATH", help="pack folders or bundled ids (default: all bundled)")
    p.add_argument("--verbose", "-v", action="store_true", help="also print the scenarios that pass")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    total_passed = total_failed = 0
    broken_packs = 0
    for ref in refs:
        pack = c.load_or_report(ref)
        if pack is None:
            broken_packs += 1
            continue
        results = run_scenarios(pack)
        passed = sum(r.passed for r in results)
        failed = len(results) - passed
        for r in results:
            where = f"{c.display_path(r.file)}:{r.line}:{r.column}" if r.line else c.display_path(r.file)
            if r.passed:
                if args.verbose:
                    print(f"{where}: ok: {r.name}")
                continue
            for problem in r.problems or ["failed"]:
                print(f"{where}: FAIL {r.name}: {problem}")
        note = " (no scenarios)" if not results else ""
        print(f"{ref}: {passed} passed, {failed} failed{note}")
        total_passed += passed
        total_failed += failed
    print(f"total: {total_passed} passed, {total_failed} failed"
          + (f", {c.plural(broken_packs, 'pack')} did not load" if broken_packs else ""))
    if broken_packs:
        return c.EXIT_PACK
    return c.EXIT_FAILED if total_failed else c.EXIT_OK
