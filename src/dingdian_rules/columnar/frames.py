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
from .estimates import calendar_bounds
from .items import Compiler
from .missing import MissingFacts, Part, only_if

OUTPUT = ("outcome", "fired", "undetermined", "missing_facts")


def _plan(pack: ResolvedPack, question: str) -> Plan:
    plan = pack.plans.get(question)  # type: ignore[union-attr]
    if plan is None:
        raise EvaluationError(f"unknown question '{question}'; ask one of: {', '.join(QUESTIONS)}")
    return plan


def compile_question(pack: ResolvedPack, question: str, schema: dict[str, pl.DataType] | None = None,
                     today: date = date(2025, 1, 1)) -> list[tuple[pl.Expr, list[Part]]]:
    """(status, missing-facts parts) expressions of the question's rules, in plan order; raises
    ``ColumnarUnsupported`` (rule id and construct) for a condition the engine cannot express.
    Without ``schema`` the facts are read from the struct layout of ``frame_from_cases``."""
    if schema is None:
        from .columns import case_schema
        schema = case_schema()
    out = []
    for rule in _plan(pack, question).rules:
        c = Compiler(rule.id, rule.condition, schema, today)  # type: ignore[arg-type]
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


def _calendar_checked(plan: Plan, s: list[pl.Expr], bounds: dict[int, tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The outcome, undetermined where ``calendar_check`` makes it so: a decided outcome that
    differs with every working-day count at its earliest or at its latest possible day (only
    counts through a year without a published arrangement can move)."""
    outcome = _outcome(plan, s)
    if not bounds:
        return outcome
    moved = [_outcome(plan, [bounds[i][k] if i in bounds else x for i, x in enumerate(s)]).ne(outcome)
             for k in (0, 1)]
    return pl.when(outcome.ne("undetermined") & pl.any_horizontal(moved)).then(pl.lit("undetermined")).otherwise(outcome)


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
    bounds = calendar_bounds(plan.rules, dict(frame.schema), today)  # statuses at both ends of 调休 not yet published
    at_ends = [e.alias(f"__b{i}_{k}") for i, pair in bounds.items() for k, e in enumerate(pair)]
    work = frame.with_columns([st.alias(n) for n, (st, _) in zip(names, compiled)] + at_ends).with_columns(
        _calendar_checked(plan, s, {i: (pl.col(f"__b{i}_0"), pl.col(f"__b{i}_1")) for i in bounds}).alias("__outcome"))
    fired = []
    for i, rule in enumerate(plan.rules):
        fires = s[i].eq(rule.fires_on).fill_null(False)
        if i in plan.converters:  # idle unless it gave the outcome (Decision._idle_converters)
            fires = fires & pl.col("__outcome").eq(plan.converters[i])
        fired.append((rule.id, fires))
    parts = [p for x, (_, ps) in zip(s, compiled) for p in only_if(x.is_null(), ps)]
    by_path: dict[str, list[pl.Expr]] = {}
    for e, what in parts:
        if isinstance(what, str):
            by_path.setdefault(what, []).append(e)
    missing = [(path, pl.any_horizontal(conds)) for path, conds in sorted(by_path.items())]
    lists = [(e.fill_null(False), what) for e, what in parts if not isinstance(what, str)]
    return work.select("__outcome").rename({"__outcome": "outcome"}).with_columns(
        fired=_names_where(work, fired),
        undetermined=_names_where(work, [(r.id, x.is_null()) for x, r in zip(s, plan.rules)]),
        missing_facts=_names_where(work, missing, lists))


def _names_where(work: pl.DataFrame, named: list[tuple[str, pl.Expr]],
                 lists: list[tuple[pl.Expr, pl.Expr]] = ()) -> pl.Series:
    """Per row, the names whose condition holds, in the given order; with ``lists`` ((condition,
    List column) pairs, each computed on the rows where its condition holds), sorted and distinct.
    Built long (unpivot, filter, group) rather than by ``concat_list``, which is an order of
    magnitude slower for many short lists."""
    indexed = work.with_row_index("__i")
    longs = []
    if named:
        flags = indexed.select("__i", *[e.fill_null(False).alias(f"__n{j}") for j, (_, e) in enumerate(named)])
        labels = pl.DataFrame({"variable": [f"__n{j}" for j in range(len(named))], "name": [n for n, _ in named]})
        longs.append(flags.unpivot(index="__i").filter(pl.col("value"))
                     .join(labels, on="variable", maintain_order="left").select("__i", "name"))
    for cond, values in lists:
        longs.append(indexed.filter(cond).select("__i", values.alias("name")).explode("name").drop_nulls())
    if not longs:
        return pl.Series([[]] * work.height, dtype=pl.List(pl.String))
    long = pl.concat(longs) if len(longs) > 1 else longs[0]
    if lists:
        long = long.unique().sort("__i", "name")
    grouped = long.group_by("__i", maintain_order=True).agg(pl.col("name"))
    names = indexed.select("__i").join(grouped, on="__i", how="left", maintain_order="left").get_column("name")
    return names.fill_null(pl.lit([], dtype=pl.List(pl.String)))


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
    frame = _as_polars(frame).rechunk()  # struct fields of a frame in many chunks are read far slower
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
