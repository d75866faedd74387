"""``dingdian-rules coverage``: account for every article of each pack's source documents."""

from __future__ import annotations

import argparse
import json

from ..analysis.coverage import CLASS_HELP, CoverageReport, coverage_report
from ..analysis.coverage_views import not_loaded_markdown, not_loaded_text, report_markdown, report_text, totals
from ..errors import Diagnostic, PackError
from ..packs.chain import bundled_pack_ids
from . import _common as c

EPILOG = """examples:
  dingdian-rules coverage                        # every bundled pack
  dingdian-rules coverage national ./my_city     # a bundled id and a pack folder
  dingdian-rules coverage jiangsu --format md > coverage.md
  dingdian-rules coverage national --format html > coverage.html   # every article coloured by status
  dingdian-rules coverage --format json | jq '.[].documents[].unaccounted'

Each article of the documents a pack declares has one status (the JSON's code in brackets where
it differs from the label):
  decided                         a rule decides it: the rule's citation or also_cites, its override,
                                  or an item of a list (@id) the rule uses cites the article
  restated                        only a child's restatement of an inherited rule cites it
  parameter only [parameter_only] only a parameter cites it ($id; "unused": no rule reads it)
  repeal only [repeal_only]       only a repeal cites it
  classified                      nothing cites it; the pack's coverage.yaml gives class and reason
  UNACCOUNTED [unaccounted]       none of these
See docs/coverage.md for how to add an entry. Classes:
""" + "\n".join(f"  {name:<17} {text}" for name, text in CLASS_HELP.items()) + """

Exit 0 when every article is accounted for, 1 when an article is unaccounted for or a
coverage.yaml has an error, 3 when a pack does not load (its errors are printed; the others are
still reported).
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
        epilog=EPILOG + "\n" + c.exit_codes_help({1: "an article is unaccounted for, or a coverage.yaml has an error"}), formatter_class=c.Formatter)
    p.add_argument("packs", nargs="*", metavar="ID_OR_PATH", help="pack folders or bundled ids (default: all bundled)")
    c.add_format(p, ("text", "json", "md", "html"))
    c.add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refs = args.packs or bundled_pack_ids()
    reports: list[CoverageReport] = []
    broken: list[tuple[str, tuple[Diagnostic, ...]]] = []
    chunks: list[str] = []
    payload: list[dict[str, object]] = []
    broken_shown: list[tuple[str, tuple[Diagnostic, ...]]] = []
    for ref in refs:
        try:
            pack = c.load(ref)
        except PackError as exc:
            diagnostics = tuple(exc.diagnostics)
            c.print_diagnostics(diagnostics)
            broken.append((ref, diagnostics))
            shown = tuple(c.short_location(d) for d in diagnostics)
            chunks.append(not_loaded_markdown(ref, shown, args.lang) if args.format == "md"
                          else not_loaded_text(ref, shown, args.lang))
            broken_shown.append((ref, shown))
            payload.append({"pack": ref, "loaded": False, "diagnostics": [d.to_dict() for d in diagnostics]})
            continue
        report = coverage_report(pack)
        reports.append(report)
        c.print_diagnostics(report.diagnostics)
        chunks.append(report_markdown(report, args.lang) if args.format == "md" else report_text(report, args.lang))
        payload.append(report.to_dict())
    if args.format == "json":
        c.emit(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "html":  # one page for every pack; Jinja2 is imported only here
        from ..analysis.report_html import coverage_html
        c.emit(coverage_html(reports, broken_shown, lang=getattr(args, "lang", "zh")))
    else:
        c.emit("\n".join(chunks))
        if len(refs) > 1 or args.format == "text":
            c.emit(totals(reports, broken, args.format, args.lang))
    if broken:
        return c.EXIT_PACK
    return c.EXIT_OK if all(r.complete for r in reports) else c.EXIT_FAILED
