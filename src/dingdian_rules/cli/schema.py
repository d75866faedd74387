"""``dingdian-rules schema``: JSON Schemas of pack files, cases and decisions."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..evaluation.decision_schema import decision_json_schema
from ..facts.models import Case
from ..packs.rule_schema import RuleFile
from ..packs.scenario_schema import ScenarioFile
from ..packs.schema import PackMeta
from . import _common as c

EPILOG = """examples:
  dingdian-rules schema                         # all three, as {"pack": …, "case": …, "decision": …}
  dingdian-rules schema case --output case.schema.json
  dingdian-rules schema pack | jq '.rule_file'  # for YAML editor autocompletion
"""

KINDS = ("pack", "case", "decision")


def schemas(kind: str | None = None) -> dict[str, Any]:
    """The schema(s) of ``kind``; ``pack`` is ``{"pack": pack.yaml, "rule_file": rules/*.yaml,
    "scenarios": tests/*.yaml}``."""
    build = {
        "pack": lambda: {"pack": PackMeta.model_json_schema(), "rule_file": RuleFile.model_json_schema(),
                         "scenarios": ScenarioFile.model_json_schema()},
        "case": Case.model_json_schema,
        "decision": decision_json_schema,
    }
    if kind is not None:
        return build[kind]()
    return {k: build[k]() for k in KINDS}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema", help="print JSON Schemas (pack files, cases, decisions)",
        description=c.wrap("Print the JSON Schema of pack files (pack.yaml, rule files, scenario files), of case "
                    "files, or of the decision JSON that `evaluate --format json` prints. Without KIND, "
                    "all three in one JSON object."),
        epilog=EPILOG + "\n" + c.EXIT_CODES_HELP, formatter_class=c.Formatter)
    p.add_argument("kind", nargs="?", choices=KINDS, metavar="KIND", help="pack, case or decision (default: all)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    c.emit(json.dumps(schemas(args.kind), ensure_ascii=False, indent=2) + "\n", args.output)
    return c.EXIT_OK
