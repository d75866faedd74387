"""The JSON Schemas of the files a user writes or reads, one standalone schema per kind, for editors.

One function for what ``dingdian-rules schema`` prints and ``GET /v1/schema/{kind}`` serves, so
the two cannot differ. Each kind is one Draft 2020-12 schema with its own ``$id``, matching the
files as written (docs/editing.md): ``pack`` is pack.yaml, ``rules`` a rule file, ``case`` a case
file (the ``{name, question, as_of, case}`` form of the examples or a bare case), ``scenario`` a
scenario file, ``decision`` one decision or the ``{"decisions": [...]}`` that ``evaluate --format
json`` prints. They are made from the pydantic models the loaders use, then fitted to an editor
without a format checker:

- a date carries a ``pattern`` beside ``format: date``; a case's date-time only a pattern (JSON
  Schema's ``date-time`` requires a zone, which a case never writes);
- an optional scalar is ``type: [T, "null"]`` instead of ``anyOf [T, null]``, whose one-line
  error hides the real one (the loaders accept null for every optional field);
- the closed vocabularies (outcomes per rule kind and per question, fact paths) are enums made
  from the code's own tables, never copied;
- every field a person edits has a Chinese description (``schema_words``), English kept after it.
"""

from __future__ import annotations

import copy
import types
import typing
from typing import Any, Callable

from pydantic import BaseModel

from ..evaluation.decision_schema import decision_json_schema
from ..facts.models import Case
from ..packs.plans import QUESTIONS
from ..packs.rule_schema import RuleFile
from ..packs.scenario_schema import ScenarioFile
from ..packs.schema import QUESTION_OUTCOMES, RULE_OUTCOMES, PackMeta
from .schema_words import CASE_FILE_WORDS, FIELD_WORDS, KIND_WORDS, MODEL_WORDS

__all__ = ["KINDS", "SCHEMA_IDS", "fact_paths", "schemas"]

KINDS = ("pack", "rules", "case", "scenario", "decision")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Stable names, not addresses: an editor maps files to the schema files written by `schema KIND -o`.
SCHEMA_IDS = {"pack": "urn:dingdian-rules:pack", "rules": "urn:dingdian-rules:rules",
              "case": "urn:dingdian-rules:case", "scenario": "urn:dingdian-rules:scenario"}
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?$"


def fact_paths(model: type[BaseModel] = Case, prefix: str = "") -> list[str]:
    """Every leaf fact path of a case as ``missing_facts`` and conditions write it
    (``institution.beds``, ``agreement.suspensions[].ended_on``): a list is a leaf itself, and so is
    each field of its items; ``case_id`` is not a fact."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        path, ann = prefix + name, _unwrap_optional(info.annotation)
        if path == "case_id":
            continue
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += fact_paths(ann, path + ".")
            continue
        out.append(path)
        item = typing.get_args(ann)[0] if typing.get_origin(ann) is list else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            out += fact_paths(item, path + "[].")
    return out


def _unwrap_optional(ann: Any) -> Any:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return ann


def schemas(kind: str | None = None) -> dict[str, Any]:
    """The schema of ``kind`` (one of ``KINDS``); None gives every kind's under its name."""
    if kind is not None:
        return _BUILD[kind]()
    return {k: _BUILD[k]() for k in KINDS}


# --- the kinds -------------------------------------------------------------------------------

def _pack() -> dict[str, Any]:
    return _standalone("pack", PackMeta.model_json_schema())


def _rules() -> dict[str, Any]:
    schema = RuleFile.model_json_schema()
    rule = schema["$defs"]["Rule"]
    # a rule's outcome must suit its kind (the loader's outcome-kind-mismatch), one branch per kind
    rule["allOf"] = [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                      "then": {"properties": {"outcome": {"enum": [*v, None]} if v else {"type": "null"}}}}
                     for k, v in RULE_OUTCOMES.items()]
    return _standalone("rules", schema)


def _case_defs() -> dict[str, Any]:
    """The case schema's definitions: ``Case`` (the bare case) and ``CaseFile`` (the wrapped form)."""
    case = _fitted(Case.model_json_schema(), words=False)
    defs = case.pop("$defs")
    defs["Case"] = case
    defs["CaseFile"] = {
        "type": "object", "title": "案例文件", "additionalProperties": False, "required": ["case"],
        "properties": {
            "name": {"type": ["string", "null"]},
            "note": {"type": ["string", "null"]},
            "question": {"type": ["string", "null"], "enum": [*QUESTIONS, None]},  # as evaluate reads it
            "as_of": {"type": ["string", "null"], "format": "date", "pattern": DATE_PATTERN},
            "case": {"$ref": "#/$defs/Case"},
        },
    }
    for name, words in CASE_FILE_WORDS.items():
        defs["CaseFile"]["properties"][name]["description"] = words
    return defs


def _case() -> dict[str, Any]:
    # if/then/else, not anyOf: a mistake in either form is reported where it stands, not as
    # "not valid under any of the given schemas"
    schema = {"type": "object", "$defs": _case_defs(),
              "if": {"type": "object", "required": ["case"]},
              "then": {"$ref": "#/$defs/CaseFile"}, "else": {"$ref": "#/$defs/Case"}}
    return _standalone("case", schema, fit=False)


def _scenario() -> dict[str, Any]:
    schema = _fitted(ScenarioFile.model_json_schema())
    defs = schema["$defs"]
    for name, definition in _case_defs().items():
        if name == "CaseFile":
            continue  # a scenario's case is a bare case
        if name in defs:
            raise ValueError(f"the scenario and case schemas both define {name!r}")
        defs[name] = definition
    for definition in defs.values():  # a scenario's case, and any shared base case of a file
        case = definition.get("properties", {}).get("case")
        if case is not None and case.get("type") == "object" and "properties" not in case:
            definition["properties"]["case"] = {**_without(case, "type", "additionalProperties"),
                                                "$ref": "#/$defs/Case"}
    scenario = defs["Scenario"]
    defs["Expectation"]["properties"]["missing"]["items"] = {"enum": fact_paths()}
    scenario["allOf"] = [{"if": {"properties": {"question": {"const": q}}, "required": ["question"]},
                          "then": {"properties": {"expect": {"properties": {"outcome": {"enum": list(v)}}}}}}
                         for q, v in QUESTION_OUTCOMES.items()]
    return _standalone("scenario", schema, fit=False)


def _decision() -> dict[str, Any]:
    one = _fitted(decision_json_schema(), words=False)
    schema_id = one.pop("$id")
    one.pop("$schema", None)
    defs = one.pop("$defs")
    defs["Decision"] = one
    return {"$schema": DRAFT, "$id": schema_id, "title": "dingdian-rules decision",
            "description": KIND_WORDS["decision"], "type": "object", "$defs": defs,
            "if": {"type": "object", "required": ["decisions"]},
            "then": {"type": "object", "additionalProperties": False, "required": ["decisions"],
                     "properties": {"decisions": {"type": "array", "items": {"$ref": "#/$defs/Decision"},
                                                  "description": "evaluate / explain --format json"}}},
            "else": {"$ref": "#/$defs/Decision"}}


_BUILD: dict[str, Callable[[], dict[str, Any]]] = {
    "pack": _pack, "rules": _rules, "case": _case, "scenario": _scenario, "decision": _decision}


# --- fitting a pydantic schema to an editor ---------------------------------------------------

def _standalone(kind: str, schema: dict[str, Any], *, fit: bool = True) -> dict[str, Any]:
    body = _fitted(schema) if fit else schema
    body.pop("title", None)
    body.pop("description", None)
    return {"$schema": DRAFT, "$id": SCHEMA_IDS[kind], "title": f"dingdian-rules {kind}",
            "description": KIND_WORDS[kind], **body}


def _fitted(schema: dict[str, Any], *, words: bool = True) -> dict[str, Any]:
    """A copy with nullable scalars as type lists, date patterns, and (``words``) the Chinese
    descriptions; the fact models' own titles and descriptions are kept as they are."""
    schema = copy.deepcopy(schema)
    _walk(schema)
    for name, definition in [("", schema), *schema.get("$defs", {}).items()] if words else ():
        _describe(definition.get("title", "") if not name else name, definition)
    return schema


def _walk(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item)
        return
    if not isinstance(node, dict):
        return
    _merge_null(node)
    if node.get("format") == "date":
        node.setdefault("pattern", DATE_PATTERN)
    elif node.get("format") == "date-time":
        # JSON Schema's date-time has a zone; the times of cases and deadlines have none (Beijing time)
        if not node.setdefault("pattern", DATETIME_PATTERN).endswith("Z$"):
            del node["format"]
    for value in node.values():
        _walk(value)


def _merge_null(node: dict[str, Any]) -> None:
    """``anyOf [{type: T, …}, {type: null}]`` becomes ``{type: [T, null], …}`` (an enum gains null)."""
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return
    other = options[0] if options[1] == {"type": "null"} else options[1]
    if "$ref" in other or "anyOf" in other or not isinstance(other.get("type"), str):
        return  # a reference or a union: jsonschema's best_match already reaches the error inside
    del node["anyOf"]
    for key, value in other.items():
        node.setdefault(key, value)
    node["type"] = [other["type"], "null"]
    if "enum" in node:
        node["enum"] = [*node["enum"], None]


def _without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def _describe(model: str, definition: dict[str, Any]) -> None:
    """Put the Chinese description of ``model``'s fields first, the English one after it."""
    if model in MODEL_WORDS:
        definition["description"] = _both(MODEL_WORDS[model], definition.get("description"))
    for name, prop in definition.get("properties", {}).items():
        words = FIELD_WORDS.get((model, name)) or FIELD_WORDS.get(("*", name))
        if words:
            prop["description"] = _both(words, prop.get("description"))
        if prop.get("title") == name.replace("_", " ").title():
            del prop["title"]  # pydantic's English title made from the key: the key says it already


def _both(zh: str, en: str | None) -> str:
    return zh if not en or en == zh or en.startswith(zh) else f"{zh}\n\n{en}"
