"""``dingdian-rules validate``: check packs and report every diagnostic of each."""

from __future__ import annotations

import argparse
import json
import sys

from ..loader import bundled_pack_ids, check_pack
from . import _common as c

EPILOG = """examples:
  dingdian-rules validate                      # every bundled pack
  dingdian-rules validate national ./my_city   # a bundled id and a pack folder
  dingdian-rules validate --format json ./my_city > diagnostics.json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="check rule packs and list every error and warning",
        description=c.wrap("Load each pack (and its parents), check citations against the source texts and "
                    "type-check every condition. Every diagnostic is printed as "
                    "`file:line:col: severity[code]: message (at path)`, followed by a hint, then one "
                    "summary line per pack. Exit 0 when no pack has an error (warnings allowed), 1 otherwise."),
        epilog=EPILOG + "\n" + c.EXIT_CODES_HELP, formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="PATH_OR_ID", help="pack folders or bundled pack ids (default: all bundled)")
    c.add_format(p, ("text", "json"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    every = []
    failed = False
    summaries = []
    for ref in refs:
        diagnostics = check_pack(c.pack_ref(ref))
        every += diagnostics
        errors, warnings = c.count(diagnostics)
        failed = failed or errors > 0
        if args.format == "text":
            c.print_diagnostics(diagnostics, sys.stdout)
            if errors:
                summaries.append(f"{ref}: {c.plural(errors, 'error')}, {c.plural(warnings, 'warning')}")
            else:
                pack = c.load(ref)
                extra = f", {c.plural(warnings, 'warning')}" if warnings else ""
                summaries.append(f"{ref}: ok ({len(pack.rules)} rules, {len(pack.parameters)} parameters{extra})")
            print(summaries[-1])
    if args.format == "json":
        c.emit(json.dumps([d.to_dict() for d in every], ensure_ascii=False, indent=2) + "\n")
    elif not refs:
        print("no packs to validate (no bundled packs found)")
    return c.EXIT_FAILED if failed else c.EXIT_OK
