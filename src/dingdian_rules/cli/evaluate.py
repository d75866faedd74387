"""``dingdian-rules evaluate`` and ``explain``: answer questions about a case file under a pack."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from .. import render
from ..facts.cases import load_case_file, read_case_file
from ..errors import CaseError, Diagnostic, Location, did_you_mean
from ..evaluation.evaluate import evaluate, evaluate_all
from ..evaluation.records import DecisionLog
from ..packs.plans import QUESTIONS
from . import _common as c

EVALUATE_EPILOG = """examples:
  dingdian-rules evaluate --pack national case.yaml
  dingdian-rules evaluate --pack national case.yaml --question application --as-of 2025-06-01
  dingdian-rules evaluate --pack ./rulepacks/foshan case.json --format json
  dingdian-rules evaluate --pack national case.yaml --log decisions.jsonl

A case file holds the case itself (institution: …, application: …) or
{case: {…}, as_of: YYYY-MM-DD, question: application}; --question and --as-of override the file.
"""

EXPLAIN_EPILOG = """examples:
  dingdian-rules explain --pack national case.yaml --question agreement
  dingdian-rules explain --pack national case.yaml --format md > explanation.md

In the trace, each line is `expression = value`; 未知 marks an unknown value (a fact not given)
and （未求值） a part that short-circuit evaluation did not need.
"""


def register(sub: argparse._SubParsersAction) -> None:
    for name, explain, help_, desc, epilog in (
        ("evaluate", False, "answer questions about a case under a pack",
         "Evaluate a case file under a pack. Without --question, every question whose facts the case "
         "gives is answered (plus deadlines). The text output names the outcome, the rules that fired "
         "with their citations and quoted text, measures, deadlines, warnings, and the missing facts "
         "when the outcome is undetermined.", EVALUATE_EPILOG),
        ("explain", True, "like evaluate, plus every candidate rule with its condition trace",
         "Evaluate like `evaluate`, then list every candidate rule of each question in evaluation order "
         "(fired, not fired, unknown) with the evaluation tree of its condition. `--format json` "
         "includes the traces.", EXPLAIN_EPILOG),
    ):
        p = sub.add_parser(name, help=help_, description=c.wrap(desc), epilog=epilog + "\n" + c.EXIT_CODES_HELP,
                           formatter_class=c.Formatter)
        p.add_argument("--pack", "-p", required=True, metavar="ID_OR_PATH", help="bundled pack id or pack folder")
        p.add_argument("case_file", metavar="CASE_FILE", help="case as YAML or JSON")
        p.add_argument("--question", "-q", choices=QUESTIONS, metavar="QUESTION",
                       help=f"{', '.join(QUESTIONS)} (default: every question the case gives facts for)")
        p.add_argument("--as-of", type=c.iso_date, metavar="YYYY-MM-DD",
                       help="evaluation date (default: the file's as_of, else today)")
        c.add_format(p)
        p.add_argument("--log", metavar="FILE", help="append one JSON record per decision to FILE (JSON Lines, "
                       "created when missing; `dingdian-rules verify FILE` re-runs them)")
        p.set_defaults(run=run, explain=explain)


def _file_setting(path: str, key: str, problem: str, hint: str) -> CaseError:
    doc, _ = read_case_file(path)
    where = doc.locate((key,)) if doc is not None else Location(path)
    return CaseError([Diagnostic("bad-value", problem, where, key, hint)], f"{path}: not a valid case file")


def _settings(args: argparse.Namespace, extras: dict[str, Any]) -> tuple[str | None, date]:
    question = args.question
    if question is None and extras.get("question") is not None:
        question = extras["question"]
        if question not in QUESTIONS:
            raise _file_setting(args.case_file, "question", f"{question!r} is not a question",
                                did_you_mean(str(question), QUESTIONS) or "allowed values: " + ", ".join(QUESTIONS))
    as_of = args.as_of
    if as_of is None and extras.get("as_of") is not None:
        raw = extras["as_of"]
        try:
            as_of = c.file_date(raw)
        except ValueError:
            raise _file_setting(args.case_file, "as_of", f"not a valid date: {raw!r}",
                                "write dates as YYYY-MM-DD") from None
    return question, as_of or date.today()


def run(args: argparse.Namespace) -> int:
    log = DecisionLog(args.log).open() if getattr(args, "log", None) else None  # a bad path fails before any work
    try:
        return _run(args, log)
    finally:
        if log is not None:
            log.close()


def _run(args: argparse.Namespace, log: DecisionLog | None) -> int:
    pack = c.load(args.pack)
    case, extras = load_case_file(args.case_file)
    question, as_of = _settings(args, extras)
    trace = args.explain  # evaluate prints no traces; explain (and its JSON) carries them
    if question:
        decisions = [evaluate(pack, case, question, as_of=as_of, trace=trace)]
    else:
        decisions = list(evaluate_all(pack, case, as_of=as_of, trace=trace).values())
    if log is not None:
        for d in decisions:
            log.append(d, pack_ref=c.pack_ref(args.pack))
    titles = render.source_titles(pack)
    if args.format == "json":
        text = render.decisions_json(decisions)
    elif args.format == "md":
        text = render.decisions_markdown(decisions, titles=titles, explain=args.explain)
    else:
        text = render.decisions_text(decisions, titles=titles, explain=args.explain)
    c.emit(text)
    return c.EXIT_OK
