"""One population answered under several packs: outcome counts per pack, the rows whose outcome
differs, and for each pair of packs which outcome changes into which how often, with the rules
responsible.

A row's *deciding rules* under a pack are its fired rules, or its undetermined rules when the
outcome is ``undetermined``. For a pair of packs A, B and a row they decide differently, the rules
responsible on A's side are A's deciding rules that do not decide B's outcome the same way (a
rule both fired explains no difference; one fired under A and unknown under B counts on both
sides), and the same for B. Counts are added up chunk by chunk (``_Tally``), so a registry of
any size is compared in the memory of one chunk.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any, Callable, Iterable, Iterator, Sequence

import polars as pl

from ..columnar.frames import compile_question, evaluate_frame
from ..errors import EvaluationError
from ..packs.plans import QUESTIONS
from ..packs.resolved import ResolvedPack
from .tables import CHUNK_ROWS, RowsWriter, fit_frame, iter_frames
from .views import comparison_dict, comparison_json, comparison_markdown, comparison_text, outcome_order

__all__ = ["PopulationComparison", "Transition", "compare_file", "compare_frame", "SAMPLE_ROWS"]

SAMPLE_ROWS = 20  # differing rows kept in the report (all of them go to the output file)
RESULT = ("outcome", "fired", "undetermined", "missing_facts")
_FIRED, _UNKNOWN = "\x00!", "\x00?"  # two characters each


@dataclass(frozen=True)
class Transition:
    """Rows that pack ``a`` decides ``outcome_a`` and pack ``b`` decides ``outcome_b``, with the
    rules responsible on each side (rule id, rows), most rows first."""

    a: str
    b: str
    outcome_a: str
    outcome_b: str
    rows: int
    rules_a: tuple[tuple[str, int], ...]
    rules_b: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "from": self.outcome_a, "to": self.outcome_b, "rows": self.rows,
                "rules_a": [{"rule": r, "rows": n} for r, n in self.rules_a],
                "rules_b": [{"rule": r, "rows": n} for r, n in self.rules_b]}


@dataclass
class PopulationComparison:
    """What ``compare`` reports: ``outcomes[pack][outcome]`` rows; ``differing`` rows whose outcome
    is not the same under every pack; ``transitions`` per pair of packs; ``sample``, the first
    differing rows (row, id, and per pack outcome, fired and undetermined rules). ``differing_rows``
    holds every differing row as a frame when the comparison was made in memory (``compare_frame``);
    ``compare_file`` writes them to ``output`` instead."""

    packs: tuple[ResolvedPack, ...]
    question: str
    as_of: date | None  # None: each row's own as_of
    rows: int = 0
    skipped: int = 0  # rows asking another question
    differing: int = 0
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    transitions: tuple[Transition, ...] = ()
    sample: tuple[dict[str, Any], ...] = ()
    source: str | None = None
    output: str | None = None
    seconds: float = 0.0
    differing_rows: Any = field(default=None, repr=False)

    @property
    def pack_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.packs)

    def to_dict(self) -> dict[str, Any]:
        """Codes only (outcome codes, rule and pack ids): the same whatever the language."""
        return comparison_dict(self)

    def to_json(self) -> str:
        return comparison_json(self)

    def to_text(self, lang: str = "zh") -> str:
        return comparison_text(self, lang)

    def to_markdown(self, lang: str = "zh") -> str:
        return comparison_markdown(self, lang)

    def to_html(self, lang: str = "zh") -> str:
        from .html import comparison_html
        return comparison_html(self, lang)


def _packs(packs: Sequence[ResolvedPack | str]) -> tuple[ResolvedPack, ...]:
    from ..packs.loader import load_pack
    loaded = tuple(load_pack(p) if isinstance(p, str) else p for p in packs)
    if len(loaded) < 2:
        raise EvaluationError("compare needs at least two packs")
    ids = [p.id for p in loaded]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise EvaluationError(f"pack {twice[0]} is given twice; compare different packs")
    return loaded


def _compiles(packs: Iterable[ResolvedPack], question: str) -> None:
    """Fail before reading any row when a pack's question does not compile to columnar
    expressions: ``ColumnarUnsupported`` naming the pack, the rule and the construct."""
    if question not in QUESTIONS:
        raise EvaluationError(f"unknown question '{question}'; ask one of: {', '.join(QUESTIONS)}")
    from ..columnar.expressions import ColumnarUnsupported
    for pack in packs:
        try:
            compile_question(pack, question)
        except ColumnarUnsupported as exc:
            exc.pack = pack.id  # type: ignore[attr-defined]
            exc.args = (f"pack {pack.id}, question {question}: {exc}",)
            raise


class _Tally:
    """Counts, transitions and a sample, added up one chunk of rows at a time."""

    def __init__(self, packs: tuple[ResolvedPack, ...], question: str, as_of: date | None, facts: bool = True) -> None:
        self.packs, self.question, self.as_of, self.facts = packs, question, as_of, facts
        self.rows = self.skipped = self.differing = self.seen = 0
        self.outcomes: list[Counter] = [Counter() for _ in packs]
        self.pairs: dict[tuple[int, int, str, str], list[Any]] = {}
        self.sample: list[dict[str, Any]] = []

    def add(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Compare one chunk; return its differing rows as written out: ``row`` (1-based in the
        input), ``id``, ``as_of``, then ``<pack>.outcome``, ``.fired``, ``.undetermined`` and
        ``.missing_facts`` for each pack, then the row's facts."""
        frame = frame.with_row_index("row", offset=self.seen + 1).with_columns(pl.col("row").cast(pl.Int64))
        self.seen += frame.height
        if "question" in frame.columns:
            asked = pl.col("question").is_null() | pl.col("question").eq(self.question)
            kept = frame.filter(asked).drop("question")
            self.skipped += frame.height - kept.height
            frame = kept
        if "id" not in frame.columns:
            frame = frame.with_columns(id=pl.lit(None, dtype=pl.String))
        if self.as_of is not None:
            day: date | str = self.as_of
        elif "as_of" in frame.columns:
            frame, day = frame.with_columns(pl.col("as_of").fill_null(date.today())), "as_of"
        else:
            day = date.today()
        self.rows += frame.height
        results = [evaluate_frame(p, frame, self.question, as_of=day).rename({c: f"{p.id}.{c}" for c in RESULT})
                   for p in self.packs]
        for counter, result, p in zip(self.outcomes, results, self.packs):
            counter.update(dict(result.get_column(f"{p.id}.outcome").value_counts().iter_rows()))
        ids = [p.id for p in self.packs]
        differ = pl.any_horizontal([pl.col(f"{i}.outcome") != pl.col(f"{ids[0]}.outcome") for i in ids[1:]])
        facts = [c for c in frame.columns if c not in ("row", "id", "as_of")] if self.facts else []
        head = ["row", "id"] + (["as_of"] if "as_of" in frame.columns else [])
        wide = pl.concat([frame.select(head), *results, frame.select(facts)], how="horizontal").filter(differ)
        self.differing += wide.height
        self._transitions(wide, ids)
        if len(self.sample) < SAMPLE_ROWS:
            cols = ["row", "id"] + [f"{i}.{c}" for i in ids for c in RESULT[:3]]
            self.sample += wide.head(SAMPLE_ROWS - len(self.sample)).select(cols).to_dicts()
        return wide

    def _transitions(self, wide: pl.DataFrame, ids: list[str]) -> None:
        # each pack's deciding rules, tagged by how they decide (so that a rule fired on one side and
        # unknown on the other counts on both), computed once for every pair
        def deciding(i: str) -> pl.Expr:
            undetermined = pl.col(f"{i}.outcome") == "undetermined"
            return pl.when(undetermined).then(pl.col(f"{i}.undetermined").list.eval(pl.element() + _UNKNOWN)) \
                .otherwise(pl.col(f"{i}.fired").list.eval(pl.element() + _FIRED)).alias(f"__d.{i}")
        tagged = wide.select(*[pl.col(f"{i}.outcome") for i in ids], *[deciding(i) for i in ids])
        for (x, a), (y, b) in combinations(enumerate(ids), 2):
            oa, ob, da, db = f"{a}.outcome", f"{b}.outcome", pl.col(f"__d.{a}"), pl.col(f"__d.{b}")
            d = tagged.filter(pl.col(oa) != pl.col(ob)).select(
                oa, ob, ra=da.list.set_difference(db), rb=db.list.set_difference(da))
            for va, vb, n in d.group_by(oa, ob).len().iter_rows():
                self.pairs.setdefault((x, y, va, vb), [0, Counter(), Counter()])[0] += n
            for side, col in ((1, "ra"), (2, "rb")):
                counted = (d.select(oa, ob, col).explode(col).drop_nulls(col)
                           .with_columns(pl.col(col).str.slice(0, pl.col(col).str.len_chars() - 2))
                           .group_by(oa, ob, col).len())
                for va, vb, rule, n in counted.iter_rows():
                    self.pairs[(x, y, va, vb)][side][rule] += n

    def result(self, **extra: Any) -> PopulationComparison:
        order = {o: k for k, o in enumerate(outcome_order(self.question))}
        outcomes = {p.id: dict(sorted(c.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
                    for p, c in zip(self.packs, self.outcomes)}
        ranked = sorted(self.pairs.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1][0], kv[0][2], kv[0][3]))
        transitions = tuple(Transition(self.packs[x].id, self.packs[y].id, va, vb, n, _ranked(ra), _ranked(rb))
                            for (x, y, va, vb), (n, ra, rb) in ranked)
        return PopulationComparison(self.packs, self.question, self.as_of, self.rows, self.skipped, self.differing,
                                    outcomes, transitions, tuple(self.sample), **extra)


def _ranked(counter: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.startswith("pandas"):
        return pl.from_pandas(frame)
    return pl.from_arrow(frame)  # type: ignore[return-value]


def compare_frame(packs: Sequence[ResolvedPack | str], frame: Any, question: str, *,
                  as_of: date | None = None) -> PopulationComparison:
    """Answer ``question`` for every row of ``frame`` (a polars, Arrow or pandas frame laid out as
    ``evaluate_frame`` reads it) under each of ``packs`` (at least two) on ``as_of`` (default:
    the frame's ``as_of`` column, else today). Rows whose ``question`` column names another
    question are left out (``skipped``). The differing rows are in ``differing_rows``."""
    loaded = _packs(packs)
    _compiles(loaded, question)
    start = time.perf_counter()
    tally = _Tally(loaded, question, as_of)
    differing = tally.add(fit_frame(_as_polars(frame)))
    return tally.result(seconds=time.perf_counter() - start, differing_rows=differing)


def compare_file(packs: Sequence[ResolvedPack | str], path: str, question: str, *, as_of: date | None = None,
                 output: str | None = None, chunk_rows: int = CHUNK_ROWS,
                 on_chunk: Callable[[int], None] | None = None) -> PopulationComparison:
    """``compare_frame`` over a batch table (``.parquet``, ``.jsonl``, ``.json``, ``.csv``) read
    ``chunk_rows`` rows at a time, the differing rows streamed to ``output`` (``.parquet``,
    ``.jsonl`` or ``.csv``) as each chunk is compared; ``on_chunk(rows)`` after each chunk."""
    loaded = _packs(packs)
    _compiles(loaded, question)
    if output is not None:
        from .tables import output_format
        output_format(output)
    frames: Iterator[pl.DataFrame] = iter_frames(path, chunk_rows)
    start = time.perf_counter()
    tally = _Tally(loaded, question, as_of, facts=output is not None)  # the facts only go to the file
    writer = RowsWriter(output) if output is not None else None
    try:
        for frame in frames:
            differing = tally.add(frame)
            if writer is not None:
                writer.write(differing)
            if on_chunk is not None:
                on_chunk(frame.height)
    finally:
        if writer is not None:
            writer.close()
    return tally.result(source=path, output=output, seconds=time.perf_counter() - start)
