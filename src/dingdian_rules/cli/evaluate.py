"""``dingdian-rules evaluate`` and ``explain``: answer questions about a case file under a pack."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import render
from ..facts.cases import load_case, read_case_file
from ..errors import CaseError, Diagnostic, Location, did_you_mean
from ..evaluation.evaluate import evaluate, evaluate_all
from ..packs.plans import QUESTIONS
from . import _common as c

if TYPE_CHECKING:  # a single answer imports neither the batch machinery nor the decision log
    from ..batch.entries import BatchResult
    from ..evaluation.records import DecisionLog

EVALUATE_EPILOG = """examples:
  dingdian-rules evaluate --pack national case.yaml
  dingdian-rules evaluate --pack national case.yaml --question application --as-of 2025-06-01
  dingdian-rules evaluate --pack ./rulepacks/guangdong_foshan case.json --format json
  dingdian-rules evaluate --pack national case.yaml --log audit.jsonl

A case file holds the case itself (institution: …, application: …) or
{case: {…}, as_of: YYYY-MM-DD, question: application}; --question and --as-of override the file.

batch files (one entry a line/row/item, each like a case file, with an optional id):
  dingdian-rules evaluate --pack national --input cases.jsonl --output decisions.jsonl
  dingdian-rules evaluate --pack national --input registry.csv --output decisions.parquet --jobs 4
  cat cases.jsonl | dingdian-rules evaluate --pack national --input - > decisions.jsonl
  dingdian-rules evaluate --pack national --input registry.parquet --output out.parquet --engine columnar --question application

--input is .jsonl, .json (a list of entries), .csv (dotted fact columns: institution.beds) or
.parquet, or - for JSON Lines/JSON on standard input; --output is .jsonl or .parquet, or standard
output. A bad entry becomes an error record and the batch goes on; exit 1 when any entry had one.
--engine columnar (polars) answers a chunk of rows at a time: per row the outcome, fired and
undetermined rules and missing facts; a question it cannot express yet is refused (exit 2).
"""

EXPLAIN_EPILOG = """examples:
  dingdian-rules explain --pack national case.yaml --question agreement
  dingdian-rules explain --pack national case.yaml --format md > explanation.md
  dingdian-rules explain --pack national case.yaml --format html -o report.html

In the trace, each line is `expression = value`; 未知 marks an unknown value (a fact not given)
and （未求值） a part that short-circuit evaluation did not need.
"""


def register(sub: argparse._SubParsersAction) -> None:
    case_exits = {4: "the case file is not a valid case (its diagnostics are printed)"}
    batch_exits = {1: "a batch entry had an error (an error record; the others were evaluated)",
                   2: "usage error (bad command line; with --engine columnar, a question it cannot express)",
                   4: "the case file is not a valid case, or the batch input cannot be read (diagnostics are printed)"}
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
        exits = c.exit_codes_help(case_exits if explain else batch_exits)
        p = sub.add_parser(name, help=help_, description=c.wrap(desc), epilog=epilog + "\n" + exits,
                           formatter_class=c.Formatter)
        p.add_argument("--pack", "-p", required=True, metavar="ID_OR_PATH", help="bundled pack id or pack folder")
        p.add_argument("case_file", metavar="CASE_FILE", nargs=None if explain else "?", help="case as YAML or JSON")
        p.add_argument("--question", "-q", choices=QUESTIONS, metavar="QUESTION",
                       help=f"{', '.join(QUESTIONS)} (default: every question the case gives facts for)")
        p.add_argument("--as-of", type=c.iso_date, metavar="YYYY-MM-DD",
                       help="evaluation date (default: the file's as_of, else today)")
        if explain:
            c.add_format(p, ("text", "json", "md", "html"))
            p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
        else:
            _batch_options(p)
        p.add_argument("--log", metavar="FILE", help="append one JSON record per decision to FILE (JSON Lines, "
                       "created when missing; `dingdian-rules verify FILE` re-runs them)")
        c.add_lang(p)
        p.set_defaults(run=run, explain=explain)


def _batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=("text", "json", "md", "html"), default=None,
                   help="output format of one case: text, json, md, html (default: text); a batch writes JSON Lines "
                   "or Parquet")
    p.add_argument("--input", "-i", metavar="FILE", help="a batch file of entries instead of CASE_FILE: .jsonl, .json, "
                   ".csv, .parquet, or - for standard input")
    p.add_argument("--output", "-o", metavar="FILE", help="where a batch's records go: .jsonl or .parquet "
                   "(default: standard output, JSON Lines); with one case and --format html, the page")
    p.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N", help="evaluate a batch in N processes (default: 1)")
    p.add_argument("--engine", choices=("case", "columnar"), default="case",
                   help="how a batch is evaluated: case (default; one evaluation per entry, full decisions) or "
                   "columnar (a chunk of rows at a time with polars; outcome, fired and undetermined rules, "
                   "missing facts)")
    p.add_argument("--chunk-rows", type=c.positive("rows"), default=None, metavar="N",
                   help="with --engine columnar, the rows read and evaluated at a time (default: 20000)")


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


_jobs = c.positive("processes")


def run(args: argparse.Namespace) -> int:
    log = None
    if getattr(args, "log", None) and getattr(args, "engine", "case") == "columnar":  # before the log is created
        return _usage("--log goes with --engine case: a log record holds the full decision, which the columnar "
                      "engine does not make")
    if getattr(args, "log", None):  # a bad path fails before any work
        from ..evaluation.records import DecisionLog
        log = DecisionLog(args.log).open()
    try:
        return _run(args, log)
    finally:
        if log is not None:
            log.close()


def _run(args: argparse.Namespace, log: DecisionLog | None) -> int:
    if not args.explain:
        if args.input is not None or args.case_file is None:
            return run_batch(args, log)
        if (args.output is not None and args.format != "html") or args.jobs != 1 or args.engine != "case" \
                or args.chunk_rows is not None:
            return _usage("--output, --jobs, --engine and --chunk-rows go with --input (a batch file); --output also "
                          "with --format html")
        args.format = args.format or "text"
    pack = c.load(args.pack)
    case, extras = load_case(args.case_file)
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
    elif args.format == "html":  # Jinja2 is imported only here
        from ..render.html_decision import decisions_html
        text = decisions_html(decisions, pack, lang=getattr(args, "lang", "zh"))
    elif args.format == "md":
        text = render.decisions_markdown(decisions, titles=titles, explain=args.explain, lang=args.lang)
    else:
        text = render.decisions_text(decisions, titles=titles, explain=args.explain, lang=args.lang)
    c.emit(text, args.output)
    return c.EXIT_OK


def _usage(message: str) -> int:
    print(f"dingdian-rules evaluate: error: {message}", file=sys.stderr)
    return c.EXIT_USAGE


def _summary(rows: int, failed: int, errors: list[BatchResult], outcomes: dict[str, Counter], seconds: float,
             lang: str = "zh") -> str:
    """Rows, time and rate, outcomes per question, and where the first errors are: Chinese by
    default (outcome codes kept beside their labels, so a script can still read them)."""
    where = [(r.line, "line", "第 {} 行") if r.line else (r.row, "row", "第 {} 行数据") if r.row else (r.entry, "entry", "第 {} 项")
             for r in errors[:10]]
    more = " …" if failed > 10 else ""
    if lang == "en":
        rate = f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"
        lines = [f"{c.plural(rows, 'row')} in {seconds:.2f} s ({rate}): {rows - failed} evaluated, "
                 f"{c.plural(failed, 'error')}"]
        lines += [f"  {q}: " + ", ".join(f"{o} {n}" for o, n in counts.most_common()) for q, counts in outcomes.items()]
        if where:
            lines.append("  errors at " + ", ".join(f"{kind} {n}" for n, kind, _ in where) + more)
        return "\n".join(lines)
    rate = f"每秒 {rows / seconds:,.0f} 行" if seconds > 0 else "-"
    lines = [f"共 {rows} 行，用时 {seconds:.2f} 秒（{rate}）：已评估 {rows - failed} 行，出错 {failed} 行"]
    for q, counts in outcomes.items():
        lines.append(f"  {render.QUESTION_LABELS.get(q, q)}（{q}）：" + "，".join(
            f"{render.OUTCOME_LABELS.get(o, o)}[{o}] {n}" for o, n in counts.most_common()))
    if where:
        lines.append("  出错位置：" + "、".join(zh.format(n) for n, _, zh in where) + more)
    return "\n".join(lines)


def run_batch(args: argparse.Namespace, log: DecisionLog | None = None) -> int:
    """``evaluate --input FILE``: every entry of a batch file, one record each, then a summary;
    with ``--log``, each decision is also appended to the decision log."""
    if args.input is None:
        return _usage("give a CASE_FILE, or --input FILE for a batch file")
    if args.case_file is not None:
        return _usage("give either a CASE_FILE or --input, not both")
    if args.format not in (None, "json"):
        return _usage(f"--format {args.format} is for one case; a batch writes JSON Lines or Parquet (--output)")
    from ..batch import evaluate_many, open_writer, read_entries
    from ..batch.tables import pyarrow_parquet
    from ..batch.writers import output_format
    try:  # an output nothing can write, before the pack is loaded: a usage error
        if output_format(args.output) == "parquet" or args.input.lower().endswith((".parquet", ".pq")):
            pyarrow_parquet()
    except CaseError as exc:
        c.print_diagnostics(exc.diagnostics)
        return _usage(str(exc).splitlines()[0])
    if log is not None and args.jobs != 1:
        return _usage("--log needs --jobs 1: decisions made in other processes reach this one as JSON, "
                      "without the validated case a log record holds")
    if args.engine == "columnar":
        return run_columnar(args)
    if args.chunk_rows is not None:
        return _usage("--chunk-rows goes with --engine columnar")
    pack = c.load(args.pack)
    entries = read_entries(args.input)
    pack_ref = c.pack_ref(args.pack)

    def log_decisions(result: BatchResult, record: dict[str, Any]) -> None:
        for d in result.decisions:
            log.append(d, pack_ref=pack_ref)  # type: ignore[union-attr]
    start = time.perf_counter()
    errors: list[BatchResult] = []  # the first ten, for the summary
    outcomes: dict[str, Counter] = {}
    rows = failed = 0
    with open_writer(args.output, on_record=log_decisions if log is not None else None) as writer, _progress(args.lang) as bar:
        for result in evaluate_many(pack, entries, jobs=args.jobs, question=args.question, as_of=args.as_of):
            writer.write(result)
            rows += 1
            if result.errors:
                failed += 1
                if len(errors) < 10:
                    errors.append(result)
            for question, outcome in result.outcomes.items():
                outcomes.setdefault(question, Counter())[outcome] += 1
            bar.update(1)
    print(_summary(rows, failed, errors, outcomes, time.perf_counter() - start, args.lang), file=sys.stderr)
    return c.EXIT_FAILED if failed else c.EXIT_OK


def run_columnar(args: argparse.Namespace) -> int:
    """``evaluate --input FILE --engine columnar``: the batch a chunk at a time through
    ``evaluate_frame``; the same summary, records cut to the columnar fields (docs/cli.md)."""
    if args.jobs != 1:
        return _usage("--jobs goes with --engine case: polars already uses every core")
    from importlib.util import find_spec
    if find_spec("polars") is None or find_spec("pyarrow") is None:
        code = _usage("--engine columnar needs polars and pyarrow (the columnar extra)")
        print("  hint: pip install 'dingdian-rules[columnar]'", file=sys.stderr)
        return code
    from ..batch import open_writer
    from ..batch.columnar_run import Unanswerable, check_compiles, evaluate_chunk
    from ..batch.frames import DEFAULT_CHUNK_ROWS, iter_chunks
    pack = c.load(args.pack)
    start = time.perf_counter()
    errors: list[BatchResult] = []
    outcomes: dict[str, Counter] = {}
    rows = failed = 0
    try:
        if args.question:
            check_compiles(pack, args.question, args.as_of)
        chunks = iter_chunks(args.input, args.chunk_rows or DEFAULT_CHUNK_ROWS, question=args.question,
                             as_of=args.as_of)
        with open_writer(args.output) as writer, _progress(args.lang) as bar:
            for chunk in chunks:
                for result in evaluate_chunk(pack, chunk):
                    rows += 1
                    if isinstance(result, dict):
                        writer.write_record(result)
                        for d in result["decisions"]:
                            outcomes.setdefault(d["question"], Counter())[d["outcome"]] += 1
                        continue
                    writer.write(result)
                    failed += 1
                    if len(errors) < 10:
                        errors.append(result)
                bar.update(chunk.rows)
    except Unanswerable as exc:
        stopped = f" (stopped after {rows} rows, whose records were written)" if rows else ""
        return _usage(f"{exc}{stopped}; evaluate it with --engine case"
                      + ("" if args.question else ", or ask another question with --question"))
    print(_summary(rows, failed, errors, outcomes, time.perf_counter() - start, args.lang), file=sys.stderr)
    return c.EXIT_FAILED if failed else c.EXIT_OK


def _progress(lang: str = "zh") -> Any:
    """A progress bar on a terminal (tqdm, on standard error); nothing when standard error is piped."""
    from tqdm import tqdm
    return tqdm(unit=" rows" if lang == "en" else " 行", file=sys.stderr, disable=not sys.stderr.isatty(), dynamic_ncols=True, mininterval=0.5)
