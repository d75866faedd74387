"""``dingdian-rules coverage``: account for every article of each pack's source documents."""

from __future__ import annotations

import argparse
import json

from ..coverage import CLASS_HELP, coverage_report
from ..coverage_render import format_percent, report_markdown, report_text
from ..loader import bundled_pack_ids
from . import _common as c

EPILOG = """examples:
  dingdian-rules coverage                        # every bundled pack
  dingdian-rules coverage national ./my_city     # a bundled id and a pack folder
  dingdian-rules coverage jiangsu --format md > coverage.md
  dingdian-rules coverage --format json | jq '.[].documents[].unaccounted'

Each article of the documents a pack declares is `encoded` (cited by a rule, override, repeal or
parameter, listed by id; $id is a parameter), `classified` in the pack's coverage.yaml (class and
reason), or UNACCOUNTED. See docs/coverage.md for how to add an entry. Classes:
""" + "\n".join(f"  {name:<17} {text}" for name, text in CLASS_HELP.items()) + """

Exit 1 when an article is unaccounted for or a coverage.yaml has an error, 3 when a pack does not load.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coverage", help="account for every article of the packs' source documents",
        description=c.wrap("For each document a pack declares, list every article (第N条) of its vendored text: "
                    "encoded by which rules or parameters, or classified in the pack's coverage.yaml "
                    "(principle, definition, agency_duty, procedure, institution_duty, scope, transitional, "
                    "other) with a one-line reason, or UNACCOUNTED. Ends each document with "
                    "`document: X/Y articles accounted for (P%)`. Problems of coverage.yaml (articles that "
                    "do not exist, classified articles a rule encodes) are printed as diagnostics."),
        epilog=EPILOG + "\n" + c.EXIT_CODES_HELP, formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="ID_OR_PATH", help="pack folders or bundled ids (default: all bundled)")
    c.add_format(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    reports = []
    broken = 0
    incomplete = False
    chunks: list[str] = []
    for ref in refs:
        pack = c.load_or_report(ref)
        if pack is None:
            broken += 1
            continue
        report = coverage_report(pack)
        reports.append(report)
        incomplete = incomplete or not report.complete
        c.print_diagnostics(report.diagnostics)
        if args.format == "md":
            chunks.append(report_markdown(report))
        elif args.format == "text":
            chunks.append(report_text(report))
    if args.format == "json":
        c.emit(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2) + "\n")
    else:
        c.emit("\n".join(chunks))
        if len(reports) > 1 or args.format == "text":
            c.emit(_totals(reports, args.format))
    if broken:
        return c.EXIT_PACK
    return c.EXIT_FAILED if incomplete else c.EXIT_OK


def _totals(reports: list, fmt: str) -> str:
    total = sum(r.total for r in reports)
    accounted = sum(r.accounted for r in reports)
    pct = format_percent(100.0 * accounted / total if total else 100.0)
    missing = sum(len(v) for r in reports for v in r.unaccounted.values())
    errors = sum(len(r.errors) for r in reports)
    tail = f"; {c.plural(missing, 'article')} unaccounted for" if missing else ""
    tail += f"; {c.plural(errors, 'error')} in coverage files" if errors else ""
    line = f"total: {accounted}/{total} articles accounted for ({pct}) in {c.plural(len(reports), 'pack')}{tail}"
    if fmt == "md":
        rows = ["", "## Summary", "", "| pack | document | accounted | articles | % |",
                "| --- | --- | ---: | ---: | ---: |"]
        for r in reports:
            for d in r.documents:
                rows.append(f"| {r.pack} | {d.document} | {d.accounted} | {d.total} | {format_percent(d.percent)} |")
        return "\n".join(rows + ["", f"**{line}**", ""])
    return line + "\n"
