"""``dingdian-rules diff``: what differs between two resolved packs, with citations on both sides."""

from __future__ import annotations

import argparse

from ..analysis.diff import diff_packs
from . import _common as c

EPILOG = """examples:
  dingdian-rules diff national jiangsu
  dingdian-rules diff national qinghai_agreement --format md > qinghai.md
  dingdian-rules diff national jiangsu --format html -o diff.html   # side by side, with both texts
  dingdian-rules diff jiangsu jiangsu_nantong --exit-code     # exit 1 if they differ
  dingdian-rules diff national ./my_city --format json | jq '.rules[] | select(.change == "repealed")'
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff", help="compare two resolved packs: parameters, rules added / overridden / repealed",
        description=c.wrap("Load both packs (each with its parents) and list what B changes against A: parameters "
                           "only in one pack or with another value or citation; rules added in B, overridden "
                           "(with the fields that changed: modality, condition, outcome, measures, deadline, "
                           "citation …), reading another parameter value, repealed by B, or only in A. Every "
                           "entry cites its article on both sides. Packs that decide alike (same parameters and "
                           "rules) give an empty diff that says so, whatever their chains."),
        epilog=EPILOG + "\n" + c.exit_codes_help({1: "with --exit-code: the packs differ"}),
        formatter_class=c.Formatter)
    p.add_argument("a", metavar="A", help="the base: bundled pack id or pack folder")
    p.add_argument("b", metavar="B", help="the pack compared against A: bundled pack id or pack folder")
    c.add_format(p, ("text", "json", "md", "html"))
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the packs differ, 0 when they do not")
    c.add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    d = diff_packs(c.load(args.a), c.load(args.b))
    if args.format == "html":  # Jinja2 is imported only here
        from ..analysis.report_html import diff_html
        text = diff_html(d, lang=args.lang)
    elif args.format == "json":
        text = d.to_json()
    elif args.format == "md":
        text = d.to_markdown(lang=args.lang)
    else:
        text = d.to_text(lang=args.lang)
    c.emit(text, args.output)
    return c.EXIT_FAILED if args.exit_code and not d.identical else c.EXIT_OK
