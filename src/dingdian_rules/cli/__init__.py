"""The ``dingdian-rules`` command: one module per verb, all printing done here.

Verbs: ``validate``, ``evaluate``, ``explain``, ``resolve``, ``schema``, ``test``, ``coverage``,
``diff``, ``compare``, ``replay``, ``serve``, ``verify`` (see
docs/cli.md). Bad input never ends in a traceback: a ``PackError`` exits 3 and a ``CaseError``
exits 4, with every diagnostic printed to standard error as ``file:line:col: error[code]: …``.

May import: anything in the package.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .. import __version__
from ..errors import CaseError, DingdianError, EvaluationError, PackError
from . import _common as c

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
  dingdian-rules compare --packs national,jiangsu --input registry.parquet --question application
  dingdian-rules replay --pack national events.yaml
  dingdian-rules serve --port 8000
  dingdian-rules verify audit.jsonl

Run `dingdian-rules VERB --help` for a verb's options.

""" + c.EXIT_CODES_HELP


# Each verb, the module that defines it, and its one-line help. A command imports only the module of
# the verb it runs (a verb's module imports what the verb needs: reports, supervision, schemas), so
# `evaluate` does not pay for `coverage` or durable_rules; the help lines here are what `--help`
# lists, and a test keeps them equal to the modules' own.
VERBS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "check rule packs, coverage files and scenario files; list every error and warning"),
    "evaluate": ("evaluate", "answer questions about a case under a pack"),
    "explain": ("evaluate", "like evaluate, plus every candidate rule with its condition trace"),
    "resolve": ("resolve", "show a pack flattened with its parents (parameters, rules, provenance)"),
    "schema": ("schema", "print the JSON Schema of a file kind (pack, rules, case, scenario, decision)"),
    "test": ("test", "run the scenario cases of packs (tests/*.yaml)"),
    "coverage": ("coverage", "account for every article of the packs' source documents"),
    "diff": ("diff", "compare two resolved packs: parameters, rules added / overridden / repealed"),
    "compare": ("compare", "answer one question for a whole registry under several packs; report what differs"),
    "replay": ("replay", "replay supervision events; print the decisions that came due and each timeline"),
    "serve": ("serve", "serve the packs over HTTP (JSON): evaluate, explain, batches, packs, diffs, schemas"),
    "verify": ("verify", "re-run a decision log with today's packs; report what would differ"),
}


def _requested_verb(argv: Sequence[str]) -> str | None:
    """The verb a command line names (its first word that is not an option), if it is one."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in VERBS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command's parser. Given the command line, only the named verb's module is imported and
    registered in full; every other verb is listed with its help line. Without one, every verb is
    registered (for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="dingdian-rules", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=c.Formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    verb = _requested_verb(argv) if argv is not None else None
    wanted = {m for m, _ in VERBS.values()} if argv is None else ({VERBS[verb][0]} if verb else set())
    registered: set[str] = set()
    for name, (module, help_) in VERBS.items():
        if module in wanted:
            if module not in registered:
                importlib.import_module(f".{module}", __name__).register(sub)
                registered.add(module)
        else:
            sub.add_parser(name, help=help_, add_help=False)
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
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
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
