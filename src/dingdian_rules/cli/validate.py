"""``dingdian-rules validate``: check packs, their coverage files and scenario files; report every
diagnostic of each."""

from __future__ import annotations

import argparse
import json
import sys

from ..packs.chain import bundled_pack_ids
from ..analysis.validation import PackValidation, validate_pack
from . import _common as c

EPILOG = """examples:
  dingdian-rules validate                      # every bundled pack
  dingdian-rules validate national ./my_city   # a bundled id and a pack folder
  dingdian-rules validate --strict ./my_city   # warnings fail too (for CI)
  dingdian-rules validate --format json ./my_city > diagnostics.json
"""

EXIT_CODES = """exit codes:
  0  no pack has an error (warnings allowed, unless --strict)
  1  a pack has an error (or, with --strict, a warning)
  2  usage error (bad command line)
  3  a pack was not found"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="check rule packs, coverage files and scenario files; list every error and warning",
        description=c.wrap("Load each pack (and its parents), check citations against the source texts, "
                           "type-check every condition, and check the pack's coverage.yaml and its scenario "
                           "files (tests/*.yaml: their schema, each case's facts, the rule ids they name). One "
                           "run reports the mistakes of every file and every layer together. Every diagnostic "
                           "is printed as `file:line:col: severity[code]: message (at path)`, followed by a "
                           "hint, then one summary line per pack."),
        epilog=EPILOG + "\n" + EXIT_CODES, formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="PATH_OR_ID", help="pack folders or bundled pack ids (default: all bundled)")
    p.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    c.add_format(p, ("text", "json"))
    p.set_defaults(run=run)


def _summary(v: PackValidation, ref: str) -> str:
    if not v.found:
        return f"{ref}: not found"
    errors, warnings = len(v.errors), len(v.warnings)
    if errors:
        return f"{ref}: {c.plural(errors, 'error')}, {c.plural(warnings, 'warning')}"
    assert v.pack is not None
    extra = f", {c.plural(warnings, 'warning')}" if warnings else ""
    files = f", {c.plural(v.scenario_files, 'scenario file')}" if v.scenario_files else ""
    return f"{ref}: ok ({len(v.pack.rules)} rules, {len(v.pack.parameters)} parameters{files}{extra})"


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    results = []
    for ref in refs:
        v = validate_pack(c.pack_ref(ref))
        results.append(v)
        if args.format == "text":
            c.print_diagnostics(v.diagnostics, sys.stdout)
            print(_summary(v, ref))
    if args.format == "json":
        every = [d.to_dict() for v in results for d in v.diagnostics]
        c.emit(json.dumps(every, ensure_ascii=False, indent=2) + "\n")
    elif not refs:
        print("no packs to validate (no bundled packs found)")
    if not all(v.found for v in results):
        return c.EXIT_PACK
    failed = any(v.errors or (args.strict and v.warnings) for v in results)
    return c.EXIT_FAILED if failed else c.EXIT_OK
