"""``dingdian-rules compare``: several packs answer one question for the same registry (columnar)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..packs.plans import QUESTIONS
from . import _common as c

EPILOG = """examples:
  dingdian-rules compare --packs national,jiangsu,guangdong_foshan --input registry.parquet --question application
  dingdian-rules compare --packs national,jiangsu --input registry.parquet --question application --output differing.csv
  dingdian-rules compare --packs national,guangdong_foshan --input registry.parquet --question application --format html --report compare.html
  dingdian-rules compare --packs national,jiangsu --input registry.csv --question application --as-of 2025-06-01 --format json

--input is a batch table: .parquet (read a chunk at a time), .jsonl, .json or .csv (each entry
checked by the fact models, as `evaluate --input` does). A row whose `question` column names
another question is left out and counted; --as-of wins over the rows' `as_of` column (default:
the row's as_of, else today). --output writes every row some pack decides differently (.parquet,
.jsonl or .csv): row, id, as_of, then <pack>.outcome, <pack>.fired, <pack>.undetermined and
<pack>.missing_facts for each pack, then the row's facts. The report (standard output, or
--report FILE) counts each pack's outcomes, and for each pair of packs which outcome becomes which
how often, with the rules responsible.
"""


def _packs(text: str) -> list[str]:
    refs = [r.strip() for r in text.split(",") if r.strip()]
    if len(refs) < 2:
        raise argparse.ArgumentTypeError(f"compare needs at least two packs, comma-separated: {text!r}")
    if len(set(refs)) != len(refs):
        raise argparse.ArgumentTypeError(f"a pack is named twice: {text!r}")
    return refs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="answer one question for a whole registry under several packs; report what differs",
        description=c.wrap("Evaluate every row of a registry (Parquet, JSON Lines, JSON or CSV) under each pack "
                           "with the columnar engine, and report how many rows each pack decides which way, the "
                           "rows whose outcome differs between packs, and for each pair of packs which outcome "
                           "becomes which how often with the rules responsible (fired, or undetermined when the "
                           "outcome is undetermined, on one side and not the other). Counts are added up a chunk "
                           "at a time and the differing rows streamed to --output, so memory stays bounded. "
                           "A question a pack's rules do not compile to columnar expressions for is refused "
                           "before any row is read, naming the rule and the construct."),
        epilog=EPILOG + "\n" + c.exit_codes_help({
            2: "a pack's question does not compile to columnar expressions (the rule and construct are named), "
               "as for evaluate --engine columnar",
            4: "the input cannot be read, or a row is not a valid case (diagnostics are printed)"}),
        formatter_class=c.Formatter)
    p.add_argument("--packs", "-p", required=True, type=_packs, metavar="A,B[,C…]",
                   help="two or more bundled pack ids or pack folders, comma-separated; the first is the base")
    p.add_argument("--input", "-i", required=True, metavar="FILE", help="the registry: .parquet, .jsonl, .json or .csv")
    p.add_argument("--question", "-q", required=True, choices=QUESTIONS, metavar="QUESTION",
                   help=f"the question every pack answers: {', '.join(QUESTIONS)}")
    p.add_argument("--as-of", type=c.iso_date, metavar="YYYY-MM-DD",
                   help="evaluation date of every row (default: each row's as_of, else today)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the differing rows to FILE: .parquet, .jsonl or .csv")
    c.add_format(p, ("text", "md", "json", "html"))
    p.add_argument("--report", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--chunk-rows", type=c.positive("rows"), default=100_000, metavar="N",
                   help="rows read and compared at a time (default: 100000); memory grows with it")
    c.add_lang(p)
    p.set_defaults(run=run)


def _usage(message: str) -> int:
    print(f"dingdian-rules compare: error: {message}", file=sys.stderr)
    return c.EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    try:
        import polars  # noqa: F401
    except ImportError:
        return _usage("compare needs the columnar extra: pip install 'dingdian-rules[columnar]'")
    from ..columnar.expressions import ColumnarUnsupported
    from ..population.compare import compare_file
    from ..population.tables import output_format
    if args.output is not None:
        try:
            output_format(args.output)
        except ValueError as exc:
            return _usage(str(exc))
    packs = [c.load(ref) for ref in args.packs]
    ids = [pack.id for pack in packs]
    if len(set(ids)) != len(ids):
        return _usage(f"two of --packs are the same pack ({', '.join(ids)})")
    with _progress(args.lang) as bar:
        try:
            result = compare_file(packs, args.input, args.question, as_of=args.as_of, output=args.output,
                                  chunk_rows=args.chunk_rows, on_chunk=bar.update)
        except ColumnarUnsupported as exc:
            print(f"error: {exc}", file=sys.stderr)
            print("hint: the columnar engine cannot answer this question under this pack yet; evaluate the "
                  "registry per case instead: dingdian-rules evaluate --pack PACK --input FILE", file=sys.stderr)
            return c.EXIT_USAGE  # as evaluate --engine columnar: the engine cannot do what was asked
    result.source = c.display_path(args.input)
    if args.format == "json":
        text = result.to_json()
    elif args.format == "html":  # Jinja2 is imported only here
        text = result.to_html(args.lang)
    elif args.format == "md":
        text = result.to_markdown(args.lang)
    else:
        text = result.to_text(args.lang)
    c.emit(text, args.report)
    rate = f"{result.rows / result.seconds:,.0f}" if result.seconds > 0 else "-"
    print(f"{result.rows:,} rows x {len(packs)} packs in {result.seconds:.2f} s ({rate} rows/s); "
          f"{result.differing:,} differ" if args.lang == "en" else
          f"{result.rows:,} 行 × {len(packs)} 个规则包，用时 {result.seconds:.2f} 秒（每秒 {rate} 行）；结论不同 {result.differing:,} 行",
          file=sys.stderr)
    return c.EXIT_OK


def _progress(lang: str) -> Any:
    """A progress bar by chunk on a terminal (tqdm, standard error); nothing when standard error is piped."""
    from tqdm import tqdm
    return tqdm(unit=" rows" if lang == "en" else " 行", file=sys.stderr, disable=not sys.stderr.isatty(),
                dynamic_ncols=True, mininterval=0.5)
