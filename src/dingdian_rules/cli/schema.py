"""``dingdian-rules schema``: JSON Schemas of pack files, cases and decisions."""

from __future__ import annotations

import argparse
import json

from ..analysis.schemas import KINDS, schemas
from . import _common as c

EPILOG = """examples:
  dingdian-rules schema                         # all three, as {"pack": …, "case": …, "decision": …}
  dingdian-rules schema case --output case.schema.json
  dingdian-rules schema pack | jq '.rule_file'  # for YAML editor autocompletion
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema", help="print JSON Schemas (pack files, cases, decisions)",
        description=c.wrap("Print the JSON Schema of pack files (pack.yaml, rule files, scenario files), of case "
                    "files, or of the decision JSON that `evaluate --format json` prints. Without KIND, "
                    "all three in one JSON object."),
        epilog=EPILOG + "\n" + c.exit_codes_help(loads_packs=False), formatter_class=c.Formatter)
    p.add_argument("kind", nargs="?", choices=KINDS, metavar="KIND", help="pack, case or decision (default: all)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    c.emit(json.dumps(schemas(args.kind), ensure_ascii=False, indent=2) + "\n", args.output)
    return c.EXIT_OK
