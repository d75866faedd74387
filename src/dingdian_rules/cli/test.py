"""``dingdian-rules test``: run the scenario cases under each pack's ``tests/*.yaml``, report them as
text, JSON or JUnit XML, and measure which rules the scenarios leave untested."""

from __future__ import annotations

import argparse
import sys
import time

from ..analysis.scenario_coverage import rule_coverage
from ..analysis.scenario_filter import KeywordError, keyword_matcher
from ..analysis.scenarios import run_scenarios
from ..errors import PackError
from ..packs.chain import bundled_pack_ids
from . import _common as c
from ._test_reports import PackRun, json_report, junit_report, text_report

EPILOG = """examples:
  dingdian-rules test                                  # the scenarios of every bundled pack
  dingdian-rules test ./rulepacks/guangdong_foshan     # one pack folder
  dingdian-rules test national -v                      # also list the scenarios that pass
  dingdian-rules test national -k "art. and not 'art. 12'"   # scenarios chosen by words of their names
  dingdian-rules test national --coverage              # which rules no scenario fires, or sees not firing
  dingdian-rules test --min-coverage 90                # exit 1 when a pack's rule coverage is below 90 %
  dingdian-rules test --format junit -o report.xml     # JUnit XML for a CI system

Each failure is printed as `file:line:col: 失败 scenario name: what differed` (`FAIL` with --lang en).
-k: terms joined by and / or / not and parentheses; a term (a word, or a 'quoted phrase') matches
when it occurs, ignoring case, in the scenario's name, its file name or its pack id.
Rule coverage: a rule is covered when a passing scenario saw it fire and one saw it not fire
(docs/testing.md defines it for time limits and repealed rules).
Exit 1 when a scenario fails or a pack's coverage is below --min-coverage, 3 when a pack does not load.
"""


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"a percentage is between 0 and 100, got {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test", help="run the scenario cases of packs (tests/*.yaml)",
        description=c.wrap("Run every scenario under each pack's tests/ folder and compare the decision with "
                    "its expectation (outcome, fired and not-fired rules, missing facts, deadlines, "
                    "measures, warnings); optionally report which rules the scenarios leave untested."),
        epilog=EPILOG + "\n" + c.exit_codes_help({1: "a scenario failed, or a pack's rule coverage is below --min-coverage"}), formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="ID_OR_PATH", help="pack folders or bundled ids (default: all bundled)")
    p.add_argument("--verbose", "-v", action="store_true", help="also print the scenarios that pass (text)")
    p.add_argument("-k", dest="keyword", metavar="EXPR",
                   help="run only the scenarios whose name, file name or pack id match EXPR (and / or / not, "
                        "parentheses, 'quoted phrases'; substrings, ignoring case)")
    c.add_format(p, ("text", "json", "junit"))
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (UTF-8) instead of standard output")
    p.add_argument("--coverage", action="store_true",
                   help="report each pack's rule coverage: the rules no scenario fires and no scenario sees not firing")
    p.add_argument("--min-coverage", type=_percent, metavar="N",
                   help="exit 1 when a pack's rule coverage is below N percent (implies measuring it)")
    c.add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        matcher = keyword_matcher(args.keyword) if args.keyword is not None else None
    except KeywordError as exc:
        print(f"dingdian-rules test: error: -k {args.keyword!r}: {exc}", file=sys.stderr)
        return c.EXIT_USAGE
    measure = args.coverage or args.min_coverage is not None
    runs: list[PackRun] = []
    for ref in args.packs or bundled_pack_ids():
        try:
            pack = c.load(ref)
        except PackError as exc:
            c.print_diagnostics(exc.diagnostics)
            runs.append(PackRun(ref, None, diagnostics=tuple(exc.diagnostics)))
            continue
        dropped = [0]

        def select(file: str, name: str, pack_id: str = pack.id, dropped: list[int] = dropped) -> bool:
            keep = matcher is None or matcher((name, file, pack_id))
            dropped[0] += not keep
            return keep

        started = time.perf_counter()
        results = run_scenarios(pack, select=select)
        run_ = PackRun(ref, pack.id, results, dropped[0], seconds=time.perf_counter() - started)
        if measure:
            run_.coverage = rule_coverage(pack, results)
        runs.append(run_)
    if args.format == "json":
        report = json_report(runs, args.keyword, args.min_coverage, args.coverage)
    elif args.format == "junit":
        report = junit_report(runs, args.min_coverage, args.coverage)
    else:
        report = text_report(runs, args.lang, args.verbose, args.coverage, args.min_coverage)
    c.emit(report, args.output)
    if any(not r.loaded for r in runs):
        return c.EXIT_PACK
    below = args.min_coverage is not None and any(r.coverage is not None and not r.coverage.meets(args.min_coverage)
                                                  for r in runs)
    return c.EXIT_FAILED if below or any(r.failed for r in runs) else c.EXIT_OK
