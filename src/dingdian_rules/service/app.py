"""The ASGI application: routes, body limits, and errors as located JSON records.

Every answer is built by the library's own renderers, so the service and the CLI cannot drift:
``POST /v1/evaluate`` returns the bytes ``evaluate --format json`` prints, ``GET /v1/packs/{id}``
those of ``resolve ID --format json``, and so on (docs/service.md). Evaluation is CPU work, so it
runs in the thread pool and the event loop stays free to accept connections; throughput across
cores comes from ``--workers`` (processes). No traceback reaches a client: an unexpected error is
logged here and answered with a 500 whose body says only ``internal-error``.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..analysis.diff import diff_packs
from ..errors import Diagnostic, EvaluationError, Location, did_you_mean
from ..evaluation.decision import Decision
from ..evaluation.evaluate import evaluate, evaluate_all
from ..packs.resolved import ResolvedPack
from ..reading.json_reader import MAX_BYTES
from ..render import decisions_json, pack_dict
from ..analysis.schemas import KINDS, schemas
from .entries import BODY, Entry, EntryError, batch_items, diagnostic_record, read_body
from .openapi import install_openapi

__all__ = ["DecisionHook", "ServiceError", "create_app", "MAX_BATCH_BYTES"]

log = logging.getLogger("dingdian_rules.service")
DecisionHook = Callable[[Decision, Mapping[str, Any]], None]
MAX_BATCH_BYTES = 50_000_000
JSON = "application/json"
JSONL = "application/jsonl"
HTML = "text/html; charset=utf-8"


class ServiceError(Exception):
    """An answer other than 2xx: a status, a stable code, a message and located diagnostics."""

    def __init__(self, status: int, code: str, message: str, diagnostics: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.diagnostics = status, code, message, diagnostics or []

    def record(self) -> dict[str, Any]:
        return {"error": {"status": self.status, "code": self.code, "message": self.message,
                          "diagnostics": self.diagnostics}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.record(), status_code=self.status)


def _unknown(kind: str, name: str, known: Any, where: str) -> ServiceError:
    """404 for a name in the URL that names nothing loaded, with a did-you-mean."""
    hint = did_you_mean(name, known) or f"{kind}s: " + ", ".join(known)
    diag = {"code": f"unknown-{kind}", "severity": "error", "message": f"no {kind} {name!r}", "location": where,
            "line": None, "column": None, "hint": hint}
    return ServiceError(404, f"unknown-{kind}", f"no {kind} {name!r}", [diag])


async def _read(request: Request, limit: int) -> str:
    """The body as text, refused (413) past ``limit`` bytes before it is all read, and refused
    (400) when it is not UTF-8, with the line and column of the first bad byte."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        at = Location(BODY, raw.count(b"\n", 0, exc.start) + 1, len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1)
        d = Diagnostic("not-utf8", "the body is not valid UTF-8", at, hint="send the body as UTF-8")
        raise ServiceError(400, "bad-body", "the body is not valid UTF-8", [diagnostic_record(d, ())]) from None


def _too_large(limit: int) -> ServiceError:
    d = Diagnostic("body-too-large", f"the body is larger than {limit} bytes", Location(BODY),
                   hint="send fewer entries per request (or use /v1/evaluate/batch for many cases)")
    return ServiceError(413, "body-too-large", d.message, [diagnostic_record(d, ())])


def _entry_error(exc: EntryError) -> ServiceError:
    unreadable = exc.message.startswith("the body is not")
    return ServiceError(400 if unreadable else 422, "bad-body" if unreadable else "invalid-request",
                        exc.message, exc.diagnostics)


def create_app(packs: Mapping[str, ResolvedPack], *, on_decision: DecisionHook | None = None,
               max_body_bytes: int = MAX_BYTES, max_batch_bytes: int = MAX_BATCH_BYTES) -> FastAPI:
    """The service over ``packs`` (id → loaded pack, loaded once by the caller). ``on_decision`` is
    called with each decision and the entry as sent, before the answer goes out (a hook for an
    audit log; if it raises, the request fails with a 500 rather than answer unrecorded)."""
    packs = dict(packs)
    app = FastAPI(title="dingdian-rules", version=__version__,
                  description="Medical-insurance designation rules (医疗机构医疗保障定点管理) as an HTTP JSON service.",
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url="/redoc")
    install_openapi(app)

    def pack(name: str) -> ResolvedPack:
        if name not in packs:
            raise _unknown("pack", name, packs, "")
        return packs[name]

    def answer(entry: Entry, trace: bool) -> list[Decision]:
        p = packs[entry.pack]
        try:
            if entry.question:
                decisions = [evaluate(p, entry.case, entry.question, as_of=entry.as_of, trace=trace)]
            else:
                decisions = list(evaluate_all(p, entry.case, as_of=entry.as_of, trace=trace).values())
        except EvaluationError as exc:
            d = {"code": "unanswerable", "severity": "error", "message": str(exc), "location": "/question",
                 "line": None, "column": None, "hint": ""}
            raise ServiceError(422, "invalid-request", str(exc), [d]) from None
        if on_decision is not None:
            for d in decisions:
                on_decision(d, entry.data)
        return decisions

    def single(text: str, trace: bool, compact: bool, html: bool = False) -> str:
        try:
            entry = read_body(text, packs)
        except EntryError as exc:
            raise _entry_error(exc) from None
        decisions = answer(entry, trace)
        if html:  # Jinja2 is imported only when a page is asked for
            from ..render.html_decision import decisions_html
            return decisions_html(decisions, packs[entry.pack])
        return decisions_json(decisions, indent=None if compact else 2)

    def batch(text: str) -> Iterator[str]:
        for index, (line, make) in enumerate(batch_items(text, max_batch_bytes)):
            try:
                yield decisions_json(answer(make(packs), False), indent=None)
                continue
            except EntryError as exc:
                err = _entry_error(exc)
            except ServiceError as exc:
                err = exc
            except Exception:  # noqa: BLE001 - one entry's failure must not end the stream or leak
                log.exception("batch entry %d failed", index)
                err = ServiceError(500, "internal-error", "the service failed on this entry")
            yield json.dumps({"index": index, "line": line, **err.record()}, ensure_ascii=False) + "\n"

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        message = {404: f"no endpoint {request.url.path}", 405: f"{request.method} is not allowed here"}.get(
            exc.status_code, "the request cannot be answered")
        return ServiceError(exc.status_code, code, message).response()

    @app.exception_handler(RequestValidationError)
    async def _bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        diags = [{"code": "bad-parameter", "severity": "error", "location": "", "line": None, "column": None,
                  "message": f"query parameter '{e['loc'][-1]}' is not valid: {str(e.get('input'))[:80]!r}",
                  "hint": "write true or false" if "bool" in e["type"] else ""} for e in exc.errors()]
        return ServiceError(422, "invalid-request", "a query parameter is not valid", diags).response()

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return ServiceError(500, "internal-error", "the service failed; the error is in its log").response()

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Ready: the packs are loaded."""
        return {"status": "ok", "version": __version__, "packs": sorted(packs)}

    @app.get("/v1/packs", tags=["packs"])
    def list_packs() -> dict[str, Any]:
        """The loaded packs: id, name, level, chain (root first) and fingerprint."""
        return {"packs": [{"id": p.id, "name": _pack_json(p.id)["name"], "level": p.level, "chain": list(p.chain),
                           "fingerprint": p.fingerprint} for p in packs.values()]}

    @lru_cache(maxsize=None)
    def _pack_json(name: str) -> dict[str, Any]:
        return pack_dict(pack(name))

    @lru_cache(maxsize=None)
    def _pack_text(name: str) -> str:
        return json.dumps(_pack_json(name), ensure_ascii=False, indent=2) + "\n"

    @app.get("/v1/packs/{pack_id}", tags=["packs"], response_class=Response)
    def get_pack(pack_id: str) -> Response:
        """The resolved pack with provenance, as `dingdian-rules resolve ID --format json` prints it."""
        return Response(_pack_text(pack(pack_id).id), media_type=JSON)

    @app.post("/v1/evaluate", tags=["decisions"], response_class=Response)
    async def post_evaluate(request: Request, compact: bool = False) -> Response:
        """Answer a question about a case: the JSON `evaluate --format json` prints (`?compact=true`:
        the same JSON on one line, about three times cheaper to write)."""
        text = await _read(request, max_body_bytes)
        return Response(await run_in_threadpool(single, text, False, compact), media_type=JSON)

    @app.post("/v1/explain", tags=["decisions"], response_class=Response)
    async def post_explain(request: Request, compact: bool = False) -> Response:
        """Like /v1/evaluate, with every rule's condition trace: what `explain --format json` prints;
        with `Accept: text/html`, the page `explain --format html` writes."""
        text = await _read(request, max_body_bytes)
        html = wants_html(request.headers.get("accept", ""))
        body = await run_in_threadpool(single, text, True, compact, html)
        return Response(body, media_type=HTML if html else JSON)

    @app.post("/v1/evaluate/batch", tags=["decisions"], response_class=StreamingResponse)
    async def post_batch(request: Request) -> StreamingResponse:
        """Many entries (a JSON array, or JSON Lines): one JSONL line per entry, in order."""
        text = await _read(request, max_batch_bytes)
        try:
            first = await run_in_threadpool(lambda: _first(batch(text)))
        except EntryError as exc:
            raise _entry_error(exc) from None
        return StreamingResponse(first, media_type=JSONL)

    @lru_cache(maxsize=64)
    def _diff_text(a: str, b: str) -> str:
        return diff_packs(pack(a), pack(b)).to_json()

    @app.get("/v1/diff/{a}/{b}", tags=["packs"], response_class=Response)
    def get_diff(a: str, b: str) -> Response:
        """What B changes against A, as `dingdian-rules diff A B --format json` prints it."""
        pack(a), pack(b)
        return Response(_diff_text(a, b), media_type=JSON)

    @app.get("/v1/schema", tags=["schemas"], response_class=Response)
    def get_schemas() -> Response:
        """Every kind's JSON Schema under its name, as `dingdian-rules schema` prints them."""
        return Response(_schema_text(None), media_type=JSON)

    @app.get("/v1/schema/{kind}", tags=["schemas"], response_class=Response)
    def get_schema(kind: str) -> Response:
        """One kind's standalone JSON Schema (`pack`, `rules`, `case`, `scenario` or `decision`), as
        `dingdian-rules schema KIND` prints it (docs/editing.md)."""
        if kind not in KINDS:
            raise _unknown("schema", kind, KINDS, "")
        return Response(_schema_text(kind), media_type=JSON)

    return app


@lru_cache(maxsize=None)
def _schema_text(kind: str | None) -> str:
    return json.dumps(schemas(kind), ensure_ascii=False, indent=2) + "\n"


def wants_html(accept: str) -> bool:
    """Whether an Accept header prefers an HTML page to JSON: ``text/html`` with a higher quality
    than JSON's (a browser's ``text/html,…,*/*;q=0.8``), or equal and listed first. JSON stays the
    default: no header, ``*/*`` or ``application/json`` get JSON."""
    html = json_q = 0.0
    html_at = json_at = len(accept)
    for i, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media == "text/html" and q > html:
            html, html_at = q, i
        elif media in ("application/json", "application/*", "*/*") and q > json_q:
            json_q, json_at = q, i
    return html > 0 and (html > json_q or (html == json_q and html_at < json_at))


def _first(lines: Iterator[str]) -> Iterator[str]:
    """Run a generator to its first item now, so a body that cannot be read at all (a JSON array
    with a syntax error) is a 400 before any line is sent; then the rest, streamed."""
    try:
        head = next(lines)
    except StopIteration:
        return iter(())

    def rest() -> Iterator[str]:
        yield head
        yield from lines
    return rest()
