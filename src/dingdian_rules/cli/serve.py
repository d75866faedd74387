"""``dingdian-rules serve``: the HTTP JSON service (FastAPI on uvicorn), packs loaded once at start."""

from __future__ import annotations

import argparse
import sys

from . import _common as c

EPILOG = """examples:
  dingdian-rules serve                                  # every bundled pack on http://127.0.0.1:8000
  dingdian-rules serve --pack national --pack jiangsu --port 9000
  dingdian-rules serve --host 0.0.0.0 --workers 4       # every interface, four processes
  curl -s localhost:8000/v1/evaluate -d '{"pack": "national", "question": "application",
       "as_of": "2025-06-01", "case": {"institution": {"type": "clinic"}}}'

Endpoints (docs/service.md): GET /healthz, /openapi.json, /docs, /v1/packs, /v1/packs/ID,
/v1/diff/A/B, /v1/schema/KIND; POST /v1/evaluate, /v1/explain, /v1/evaluate/batch.
Needs the service extra: pip install 'dingdian-rules[service]'.
"""

EXTRA_MISSING = ("error: `serve` needs FastAPI and uvicorn, which are not installed ({name} is missing); "
                 "install the service extra: pip install 'dingdian-rules[service]' (from a checkout: pip install '.[service]')")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {value}")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 worker")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve the packs over HTTP (JSON): evaluate, explain, batches, packs, diffs, schemas",
        description=c.wrap("Start an HTTP JSON service that answers questions about cases with the packs, loaded "
                           "once at start. Answers are exactly what `evaluate --format json`, `explain --format "
                           "json`, `resolve --format json`, `diff --format json` and `schema` print; bad input "
                           "gets a 4xx with the CLI's diagnostics, located by JSON pointer into the body. Binds "
                           "to 127.0.0.1 unless --host says otherwise. Stop it with Ctrl-C."),
        epilog=EPILOG + "\n" + c.exit_codes_help(), formatter_class=c.Formatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default: 8000)")
    p.add_argument("--workers", type=_workers, default=1, metavar="N",
                   help="worker processes, each with its own copy of the packs (default: 1)")
    p.add_argument("--pack", "-p", action="append", metavar="ID_OR_PATH", dest="packs",
                   help="serve this pack (bundled id or pack folder); repeat for more (default: every bundled pack)")
    p.add_argument("--log", metavar="FILE", help="append one JSON record per decision to FILE (JSON Lines, the "
                   "format of `evaluate --log`; `dingdian-rules verify FILE` re-runs it)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..service import serve
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("fastapi", "uvicorn", "starlette"):
            print(EXTRA_MISSING.format(name=exc.name), file=sys.stderr)
            return c.EXIT_USAGE
        raise
    try:
        import uvicorn  # noqa: F401 - checked here so a missing server is reported before any pack loads
    except ModuleNotFoundError as exc:
        print(EXTRA_MISSING.format(name=exc.name), file=sys.stderr)
        return c.EXIT_USAGE
    try:
        serve(args.host, args.port, args.workers, args.packs, log=args.log)
    except OSError as exc:  # the decision log cannot be opened: before any port is bound
        if args.log is None or exc.filename != args.log:
            raise
        print(f"error: cannot write the decision log {args.log}: {exc.strerror}", file=sys.stderr)
        return c.EXIT_USAGE
    except SystemExit as exc:  # uvicorn exits when it cannot start, e.g. the port is taken
        if exc.code in (0, None):
            return c.EXIT_OK
        print(f"error: cannot serve on {args.host}:{args.port} (the reason is logged above)", file=sys.stderr)
        return c.EXIT_USAGE
    return c.EXIT_OK
