"""The OpenAPI description of the service: request and response bodies, from the same models.

The endpoints read their bodies themselves (to enforce the size and nesting limits and to answer
with the CLI's located diagnostics), so FastAPI cannot infer the body schemas; they are added
here from the case model and the decision schema, which the library already publishes.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from ..evaluation.decision_schema import decision_json_schema
from ..facts.models import Case
from ..packs.plans import QUESTIONS

__all__ = ["EvaluateRequest", "install_openapi"]


class EvaluateRequest(BaseModel):
    """One question about one case (a case file's shape, plus the pack)."""

    pack: str = Field(description="Id of a loaded pack (GET /v1/packs).", examples=["national"])
    question: Literal[QUESTIONS] | None = Field(  # type: ignore[valid-type]
        None, description="The question; absent: every question the case gives facts for (as the CLI).")
    as_of: str | None = Field(None, description="Evaluation date YYYY-MM-DD; absent: today (server time).",
                              examples=["2025-06-01"])
    case: Case
    name: str | None = Field(None, description="Ignored: a label, as in case files.")
    note: str | None = Field(None, description="Ignored: a note, as in case files.")


_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "code", "message", "diagnostics"],
    "properties": {
        "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
        "diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/Diagnostic"}}}}}}
_DIAGNOSTIC = {"type": "object", "properties": {
    "code": {"type": "string", "description": "Stable code (docs/errors.md)."},
    "severity": {"type": "string", "enum": ["error", "warning"]},
    "message": {"type": "string"},
    "location": {"type": "string", "description": "JSON pointer into the request body; \"\" for the body as a whole."},
    "line": {"type": ["integer", "null"]}, "column": {"type": ["integer", "null"]},
    "hint": {"type": "string"}}}


def _components(model_schema: dict[str, Any], name: str, out: dict[str, Any]) -> None:
    defs = model_schema.pop("$defs", {})
    out.update(defs)
    out[name] = model_schema


def _body(ref: str, *, array: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{ref}"}
    content = {"application/json": {"schema": {"type": "array", "items": schema} if array else schema}}
    if array:
        content["application/jsonl"] = {"schema": {"type": "string", "description": "one EvaluateRequest a line"}}
    return {"required": True, "content": content}


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe the bodies and the error record."""
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        comps = spec.setdefault("components", {}).setdefault("schemas", {})
        _components(EvaluateRequest.model_json_schema(ref_template="#/components/schemas/{model}"), "EvaluateRequest", comps)
        decision = decision_json_schema()
        decision.pop("$schema", None)
        decision.pop("$id", None)
        for k, v in {**decision.pop("$defs", {}), "Decision": decision}.items():
            comps[k] = json.loads(json.dumps(v).replace("#/$defs/", "#/components/schemas/"))
        comps["Decisions"] = {"type": "object", "required": ["decisions"], "properties": {
            "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}}}}
        comps["Error"], comps["Diagnostic"] = _ERROR, _DIAGNOSTIC
        errors = {str(s): {"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                  for s, d in ((400, "the body is not JSON (syntax, encoding, nesting, duplicate key)"),
                               (404, "no such pack, schema or endpoint"), (413, "the body is too large"),
                               (422, "the entry is not valid (located diagnostics)"), (500, "internal error"))}
        decisions = {"200": {"description": "the decisions", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Decisions"}}}}}
        for path, op in spec["paths"].items():
            for method, item in op.items():
                if method == "post" and path != "/v1/evaluate/batch":
                    item["requestBody"] = _body("EvaluateRequest")
                    item["responses"] = {**decisions, **errors}
                    if path == "/v1/explain":  # Accept: text/html gives the page explain --format html writes
                        item["responses"] = {"200": {"description": "the decisions; with Accept: text/html, one "
                                                     "self-contained HTML page (explain --format html)", "content": {
                            **decisions["200"]["content"], "text/html": {"schema": {"type": "string"}}}}, **errors}
                elif method == "post":
                    item["requestBody"] = _body("EvaluateRequest", array=True)
                    item["responses"] = {"200": {"description": "one JSON line per entry, in order: "
                                                 "{\"decisions\": [...]} or {\"index\", \"line\", \"error\"}",
                                                 "content": {"application/jsonl": {"schema": {"type": "string"}}}},
                                         **errors}
                else:
                    item.setdefault("responses", {}).update({k: v for k, v in errors.items() if k in ("404", "500")})
        app.openapi_schema = spec
        return spec

    app.openapi = build  # type: ignore[method-assign]
