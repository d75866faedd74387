"""``dingdian-rules coverage``: account for every article of each pack's source documents."""

from __future__ import annotations

import argparse
import json

from ..coverage import CLASS_HELP, STATUSES, CoverageReport, coverage_report
from ..coverage_render import STATUS_LABEL, format_counts, format_percent, report_markdown, report_text
from ..loader import bundled_pack_ids
from . import _common as c

EPILOG = """examples:
  dingdian-rules coverage                        # every bundled pack
  dingdian-rules coverage national ./my_city     # a bundled id and a pack folder
  dingdian-rules coverage jiangsu --format md > coverage.md
  dingdian-rules coverage --format json | jq '.[].documents[].unaccounted'

Each article of the documents a pack declares has one status (the JSON's code in brackets):
  decided         a rule decides it: the rule's citation or also_cites, its override, or an
                  item of a list (@id) the rule uses cites the article
  restated        only a child's restatement of an inherited rule cites it
  parameter only  only a parameter cites it ($id; "unused" when no rule reads the parameter)
  repeal only     only a repeal cites it
  classified      nothing cites it; the pack's coverage.yaml gives its class and reason
  UNACCOUNTED     none of these [unaccounted]
See docs/coverage.md for how to add an entry. Classes:
""" + "\n".join(f"  {name:<17} {text}" for name, text in CLASS_HELP.items()) + """

Exit 1 when an article is unaccounted for or a coverage.yaml has an error, 3 when a pack does not load.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coverage", help="account for every article of the packs' source documents",
        description=c.wrap("For each document a pack declares, list every article (第N条) of its vendored text "
                    "with its status: decided by a rule, restated, cited by a parameter only, cited by a repeal "
                    "only, classified in the pack's coverage.yaml (principle, definition, agency_duty, procedure, "
                    "institution_duty, scope, transitional, other) with a one-line reason, or UNACCOUNTED; "
                    "then what cites it. Ends each document with `document: X/Y articles accounted for (P%)` "
                    "and the count per status. Problems of coverage.yaml (articles that do not exist, "
                    "classified articles a rule decides or restates) are printed as diagnostics."),
        epilog=EPILOG + "\n" + c.EXIT_CODES_HELP, formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="ID_OR_PATH", help="pack folders or bundled ids (default: all bundled)")
    c.add_format(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    reports: list[CoverageReport] = []
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


def _totals(reports: list[CoverageReport], fmt: str) -> str:
    total = sum(r.total for r in reports)
    accounted = sum(r.accounted for r in reports)
    counts = dict.fromkeys(STATUSES, 0)
    for r in reports:
        for status, n in r.counts.items():
            counts[status] += n
    pct = format_percent(100.0 * accounted / total if total else 100.0)
    missing = counts["unaccounted"]
    errors = sum(len(r.errors) for r in reports)
    tail = f"; {c.plural(missing, 'article')} unaccounted for" if missing else ""
    tail += f"; {c.plural(errors, 'error')} in coverage files" if errors else ""
    line = (f"total: {accounted}/{total} articles accounted for ({pct}) in {c.plural(len(reports), 'pack')}: "
            f"{format_counts(counts)}{tail}")
    if fmt == "md":
        head = " | ".join(STATUS_LABEL[s] for s in STATUSES)
        rows = ["", "## Summary", "", f"| pack | document | articles | {head} | accounted |",
                "| --- | --- | ---: |" + " ---: |" * len(STATUSES) + " ---: |"]
        for r in reports:
            for d in r.documents:
                cells = " | ".join(str(d.counts[s]) for s in STATUSES)
                rows.append(f"| {r.pack} | {d.document} | {d.total} | {cells} | {format_percent(d.percent)} |")
        return "\n".join(rows + ["", f"**{line}**", ""])
    return line + "\n"
