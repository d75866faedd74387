"""``evaluate_frame``: a question answered for every row of a frame of facts in one pass.

Each rule's status and missing facts come from its checked condition compiled to polars
(``expressions``, ``missing``); the outcome follows the question's plan stage by stage exactly as
``packs.plans.decide_outcome`` does, as one chain of ``when``/``then``; fired rules leave out the
converting rules that did not give the outcome, as ``Decision.fired`` does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from ..errors import EvaluationError
from ..packs.plans import QUESTIONS, Plan
from ..packs.resolved import ResolvedPack
from .expressions import _EMPTY, RuleCompiler
from .missing import MissingFacts

OUTPUT = ("outcome", "fired", "undetermined", "missing_facts")


def _plan(pack: ResolvedPack, question: str) -> Plan:
    plan = pack.plans.get(question)  # type: ignore[union-attr]
    if plan is None:
        raise EvaluationError(f"unknown question '{question}'; ask one of: {', '.join(QUESTIONS)}")
    return plan


def compile_question(pack: ResolvedPack, question: str, schema: dict[str, pl.DataType] | None = None,
                     today: date = date(2025, 1, 1)) -> list[tuple[pl.Expr, pl.Expr]]:
    """(status, missing facts) expressions of the question's rules, in plan order; raises
    ``ColumnarUnsupported`` (rule id and construct) for a condition the engine cannot express.
    Without ``schema`` the facts are read from the struct layout of ``frame_from_cases``."""
    if schema is None:
        from .columns import case_schema
        schema = case_schema()
    out = []
    for rule in _plan(pack, question).rules:
        c = RuleCompiler(rule.id, rule.condition, schema, today)  # type: ignore[arg-type]
        status = c.value(rule.condition.root)  # type: ignore[union-attr]
        out.append((status, MissingFacts(c).walk(rule.condition.root)))  # type: ignore[union-attr]
    return out


def _outcome(plan: Plan, s: list[pl.Expr]) -> pl.Expr:
    """``decide_outcome`` as one when/then chain: the first stage with a firing rule decides."""
    def fires(i: int, fires_on: bool) -> pl.Expr:
        return s[i].eq(fires_on).fill_null(False)

    def any_of(xs: list[pl.Expr]) -> pl.Expr:
        return pl.any_horizontal(xs) if xs else pl.lit(False)

    chain: Any = None
    unknown_before = pl.lit(False)

    def add(cond: pl.Expr, value: str) -> None:
        nonlocal chain
        chain = pl.when(cond).then(pl.lit(value)) if chain is None else chain.when(cond).then(pl.lit(value))

    for stage, idx, converting in plan.laid_out:
        fired = any_of([fires(i, f) for i, f, _ in idx])
        unknown = any_of([s[i].is_null() for i, _, _ in idx])
        add(fired & unknown_before, "undetermined")
        if stage.mandatory_outcome:
            add(fired & any_of([fires(i, f) for i, f, b in idx if b]), stage.mandatory_outcome)
            add(fired & any_of([s[i].is_null() for i, _, b in idx if b]), "undetermined")
        if converting:
            add(fired & any_of([fires(i, f) for i, f in converting]), stage.converts[1])  # type: ignore[index]
            add(fired & any_of([s[i].is_null() for i, _ in converting]), "undetermined")
        add(fired, stage.outcome)
        unknown_before = unknown_before | unknown
    last = pl.when(unknown_before).then(pl.lit("undetermined")).otherwise(pl.lit(plan.default))
    return last if chain is None else chain.otherwise(last)


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.startswith("pyarrow"):
        return pl.from_arrow(frame)  # type: ignore[return-value]
    if type(frame).__module__.startswith("pandas"):
        return pl.from_pandas(frame)
    raise TypeError(f"evaluate_frame reads a polars, Arrow or pandas frame, not {type(frame).__name__}")


def _evaluate_on(pack: ResolvedPack, plan: Plan, frame: pl.DataFrame, question: str, today: date) -> pl.DataFrame:
    compiled = compile_question(pack, question, dict(frame.schema), today)
    names = [f"__s{i}" for i in range(len(compiled))]
    s = [pl.col(n) for n in names]
    work = frame.with_columns([st.alias(n) for n, (st, _) in zip(names, compiled)]).with_columns(
        _outcome(plan, s).alias("__outcome"))
    none = pl.lit(None, dtype=pl.String)
    empty = pl.lit([], dtype=pl.List(pl.String))
    fired = []
    for i, rule in enumerate(plan.rules):
        fires = s[i].eq(rule.fires_on).fill_null(False)
        if i in plan.converters:  # idle unless it gave the outcome (Decision._idle_converters)
            fires = fires & pl.col("__outcome").eq(plan.converters[i])
        fired.append(pl.when(fires).then(pl.lit(rule.id)).otherwise(none))
    undetermined = [pl.when(x.is_null()).then(pl.lit(r.id)).otherwise(none) for x, r in zip(s, plan.rules)]
    missing = [pl.when(x.is_null()).then(m).otherwise(_EMPTY) for x, (_, m) in zip(s, compiled)]
    return work.select(
        pl.col("__outcome").alias("outcome"),
        (pl.concat_list(fired).list.drop_nulls() if fired else empty).alias("fired"),
        (pl.concat_list(undetermined).list.drop_nulls() if undetermined else empty).alias("undetermined"),
        (pl.concat_list(missing).list.unique().list.sort() if missing else empty).alias("missing_facts"))


def evaluate_frame(pack: ResolvedPack | str, frame: Any, question: str, *, as_of: date | str) -> pl.DataFrame:
    """Answer ``question`` for every row of ``frame`` (facts as struct columns or dotted names,
    lists as list columns; a fact the frame lacks is unknown) on ``as_of``, a day or the name of
    a date column. Returns one row per input row: ``outcome``, ``fired``, ``undetermined`` (rule
    ids) and ``missing_facts`` (sorted dotted paths), equal to ``evaluate(..., trace=False)``'s
    ``outcome``, ``fired``, ``unknown`` and ``missing_facts``."""
    if isinstance(pack, str):
        from ..packs.loader import load_pack
        pack = load_pack(pack)
    plan = _plan(pack, question)
    frame = _as_polars(frame)
    if isinstance(as_of, date):
        return _evaluate_on(pack, plan, frame, question, as_of)
    days = frame.get_column(as_of)
    if days.null_count():
        raise EvaluationError(f"the as_of column {as_of!r} has empty rows")
    indexed = frame.with_row_index("__index")
    parts = []
    for day in days.unique().to_list():
        rows = indexed.filter(pl.col(as_of) == day)
        parts.append(pl.concat([rows.select("__index"), _evaluate_on(pack, plan, rows, question, day)],
                               how="horizontal"))
    if not parts:
        return _evaluate_on(pack, plan, frame, question, date(2000, 1, 1))
    return pl.concat(parts).sort("__index").drop("__index")
