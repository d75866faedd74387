"""``dingdian-rules resolve``: show a pack flattened with its ancestors, with provenance."""

from __future__ import annotations

import argparse
import json

from .. import render
from . import _common as c

EPILOG = """examples:
  dingdian-rules resolve national
  dingdian-rules resolve ./rulepacks/guangdong_foshan --format md > foshan.md
  dingdian-rules resolve national --format json | jq '.parameters[].id'
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resolve", help="show a pack flattened with its parents (parameters, rules, provenance)",
        description=c.wrap("Print the resolved pack: metadata, inheritance chain, fingerprint, source documents, "
                    "parameters with their values and citations, rules by kind with their conditions, and "
                    "repealed rules with the reasons. Each rule and parameter lists where it was defined, "
                    "inherited or overridden."),
        epilog=EPILOG + "\n" + c.exit_codes_help(), formatter_class=c.Formatter)
    p.add_argument("pack", metavar="ID_OR_PATH", help="bundled pack id or pack folder")
    c.add_format(p)
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    c.add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    pack = c.load(args.pack)
    if args.format == "json":
        text = json.dumps(render.pack_dict(pack), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "md":
        text = render.pack_markdown(pack, lang=args.lang)
    else:
        text = render.pack_text(pack, lang=args.lang)
    c.emit(text, args.output)
    return c.EXIT_OK
