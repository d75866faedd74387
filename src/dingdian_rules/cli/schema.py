"""``dingdian-rules schema``: one JSON Schema per file kind, for editors (docs/editing.md)."""

from __future__ import annotations

import argparse
import json

from ..analysis.schemas import KINDS, schemas
from . import _common as c

EPILOG = """kinds (each one standalone Draft 2020-12 schema with its own $id):
  pack      rulepacks/*/pack.yaml
  rules     rulepacks/*/rules/*.yaml
  case      a case file: {name, question, as_of, case: {...}} as in examples/, or a bare case
  scenario  rulepacks/*/tests/*.yaml
  decision  one decision, or the {"decisions": [...]} that evaluate --format json prints

examples:
  dingdian-rules schema rules -o rules.schema.json       # then map rulepacks/*/rules/*.yaml to it
  dingdian-rules schema case --output case.schema.json
  dingdian-rules schema | jq 'keys'                      # every kind, as {"pack": …, "rules": …, …}
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema", help="print the JSON Schema of a file kind (pack, rules, case, scenario, decision)",
        description=c.wrap("Print the JSON Schema of one kind of file, for an editor that validates and "
                           "completes YAML as it is typed (docs/editing.md). Without KIND, every kind in one "
                           "JSON object under its name."),
        epilog=EPILOG + "\n" + c.exit_codes_help(
            {c.EXIT_USAGE: "usage error (bad command line), or the output file cannot be written"}, loads_packs=False),
        formatter_class=c.Formatter)
    p.add_argument("kind", nargs="?", choices=KINDS, metavar="KIND",
                   help=f"{', '.join(KINDS)} (default: all, under their names)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    c.emit(json.dumps(schemas(args.kind), ensure_ascii=False, indent=2) + "\n", args.output)
    return c.EXIT_OK
