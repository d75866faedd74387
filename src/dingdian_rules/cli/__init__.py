"""The ``dingdian-rules`` command: one module per verb, all printing done here.

Verbs: ``validate``, ``evaluate``, ``explain``, ``resolve``, ``schema``, ``test``, ``coverage``,
``diff``, ``replay``, ``verify`` (see
docs/cli.md). Bad input never ends in a traceback: a ``PackError`` exits 3 and a ``CaseError``
exits 4, with every diagnostic printed to standard error as ``file:line:col: error[code]: …``.

May import: anything in the package.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .. import __version__
from ..errors import CaseError, DingdianError, EvaluationError, PackError
from . import _common as c
from . import coverage, diff, evaluate, replay, resolve, schema, test, validate, verify

__all__ = ["build_parser", "main"]

DESCRIPTION = """Executable, explainable rule packs for 医疗机构医疗保障定点管理.

Check rule packs, answer questions about a case (application, agreement, request, conduct,
deadlines) with the rules, citations and quoted text behind each answer, and run the packs'
scenario tests."""

EPILOG = """examples:
  dingdian-rules validate
  dingdian-rules evaluate --pack national case.yaml
  dingdian-rules explain --pack national case.yaml --question application
  dingdian-rules resolve national --format md
  dingdian-rules schema decision
  dingdian-rules test
  dingdian-rules coverage
  dingdian-rules diff national jiangsu --format md
  dingdian-rules replay --pack national events.yaml
  dingdian-rules verify decisions.jsonl

Run `dingdian-rules VERB --help` for a verb's options.

""" + c.EXIT_CODES_HELP


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dingdian-rules", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=c.Formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for module in (validate, evaluate, resolve, schema, test, coverage, diff, replay, verify):
        module.register(sub)
    return parser


def _tolerate_narrow_encodings() -> None:
    """Never fail on writing: escape what a stream cannot encode instead of crashing. A terminal
    may not show Chinese; and even UTF-8 cannot encode a lone surrogate, which valid input can
    carry (JSON's ``"\\ud800"``, YAML's escapes). ``\\ud800`` is also what JSON output must say."""
    for stream in (sys.stdout, sys.stderr):
        # strict fails on them; so does surrogateescape (the POSIX locale's default) outside U+DC80-DCFF
        if getattr(stream, "errors", "strict") in ("strict", "surrogateescape") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code (argparse's own exits are returned, not raised)."""
    _tolerate_narrow_encodings()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else c.EXIT_USAGE)
    try:
        return args.run(args)
    except PackError as exc:
        c.print_diagnostics(exc.diagnostics)
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return c.EXIT_PACK
    except CaseError as exc:
        c.print_diagnostics(exc.diagnostics)
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return c.EXIT_CASE
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return c.EXIT_CASE
    except DingdianError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return c.EXIT_FAILED
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return c.EXIT_OK
    except OSError as exc:  # e.g. --output into a folder that does not exist
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return c.EXIT_USAGE
