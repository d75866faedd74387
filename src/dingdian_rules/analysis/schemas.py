"""The JSON Schemas of the formats a user writes or reads: pack files, cases and decisions.

One function for what ``dingdian-rules schema`` prints and ``GET /v1/schema/{kind}`` serves, so
the two cannot differ.
"""

from __future__ import annotations

from typing import Any

from ..evaluation.decision_schema import decision_json_schema
from ..facts.models import Case
from ..packs.rule_schema import RuleFile
from ..packs.scenario_schema import ScenarioFile
from ..packs.schema import PackMeta

__all__ = ["KINDS", "schemas"]

KINDS = ("pack", "case", "decision")


def schemas(kind: str | None = None) -> dict[str, Any]:
    """The schema(s) of ``kind``; ``pack`` is ``{"pack": pack.yaml, "rule_file": rules/*.yaml,
    "scenarios": tests/*.yaml}``; None gives all three under their kinds."""
    build = {
        "pack": lambda: {"pack": PackMeta.model_json_schema(), "rule_file": RuleFile.model_json_schema(),
                         "scenarios": ScenarioFile.model_json_schema()},
        "case": Case.model_json_schema,
        "decision": decision_json_schema,
    }
    if kind is not None:
        return build[kind]()
    return {k: build[k]() for k in KINDS}
