"""``evaluate_frame``: a question answered for every row of a frame of facts in one pass.

Each rule's status and missing facts come from its checked condition compiled to polars
(``expressions``, ``missing``); the outcome follows the question's plan stage by stage exactly as
``packs.plans.decide_outcome`` does, as one chain of ``when``/``then``; fired rules leave out the
converting rules that did not give the outcome, as ``Decision.fired`` does.

Why it is fast: a row's outcome, fired and undetermined rules depend on its rule statuses only,
and a registry has few distinct combinations of them (about 15,000 in a million generated rows,
most rows fully known and firing no rule). So the statuses are packed into integer keys (two bits
a rule), the outcome and the lists are computed once per distinct key, and gathered back. Missing
facts are computed only on the rows with an unknown rule, again once per distinct combination of
the fact paths they lack (one bit a path); a list item's facts only where their rule is unknown.
docs/performance.md ("Columnar") has the measurements.
"""

from __future__ import annotations

import weakref
from datetime import date
from typing import Any, Iterable

import polars as pl

from ..errors import EvaluationError
from ..packs.plans import QUESTIONS, Plan
from ..packs.resolved import ResolvedPack
from .estimates import calendar_bounds
from .items import Compiler
from .missing import ALWAYS, MissingFacts, Part

OUTPUT = ("outcome", "fired", "undetermined", "missing_facts")
# Asked for by name only: whether the calendar check made the row's outcome undetermined (the
# per-case decision then carries the ``calendar-uncertain`` warning, docs/columnar.md).
OPTIONAL = ("calendar_uncertain",)
_NO_NAMES = pl.lit([], dtype=pl.List(pl.String))
_U64 = pl.UInt64
_CHUNK_ROWS = 50_000  # rows a chunk holds on average, at least, for a frame to be read as it is
_PER_KEY = 32  # rule statuses packed in one UInt64 key column, two bits each: 0 false, 1 true, 2 unknown


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
    return _compile(pack, question, schema, today)


def _compile(pack: ResolvedPack, question: str, schema: dict[str, pl.DataType] | None, today: date,
             on_unknown_rows: bool = False) -> list[tuple[pl.Expr, list[Part]]]:
    """``compile_question``; with ``on_unknown_rows`` the parts of each rule hold only on rows
    where the rule is unknown (the caller keeps to those), so its status is not computed again."""
    if schema is None:
        from .columns import case_schema
        schema = case_schema()
    out = []
    for rule in _plan(pack, question).rules:
        c = Compiler(rule.id, rule.condition, schema, today)  # type: ignore[arg-type]
        status = c.value(rule.condition.root)  # type: ignore[union-attr]
        root = rule.condition.root  # type: ignore[union-attr]
        parts = MissingFacts(c).walk(root, ALWAYS if on_unknown_rows else None)
        out.append((status, parts))
    return out


_CACHE: "weakref.WeakKeyDictionary[Plan, dict]" = weakref.WeakKeyDictionary()


def _compiled(pack: ResolvedPack, plan: Plan, question: str, schema: Any, today: date) -> tuple[list, dict]:
    """``_compile`` for ``_evaluate_on``, and the statuses at both ends of an unpublished 调休
    (``estimates.calendar_bounds``), kept per plan, frame schema and day: a registry read in
    chunks, or evaluated again, compiles its question once."""
    by_plan = _CACHE.setdefault(plan, {})
    key = (question, tuple(schema.items()), today)
    if key not in by_plan:
        if len(by_plan) >= 64:  # many days of an as_of column: keep the memory bounded
            by_plan.clear()
        by_plan[key] = (_compile(pack, question, dict(schema), today, on_unknown_rows=True),
                        calendar_bounds(plan.rules, dict(schema), today))
    return by_plan[key]


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


def _calendar_checked(plan: Plan, s: list[pl.Expr],
                      bounds: dict[int, tuple[pl.Expr, pl.Expr]]) -> tuple[pl.Expr, pl.Expr]:
    """The outcome, undetermined where ``calendar_check`` makes it so: a decided outcome that
    differs with every working-day count at its earliest or at its latest possible day (only
    counts through a year without a published arrangement can move); and whether it did so (the
    per-case ``calendar-uncertain`` warning)."""
    outcome = _outcome(plan, s)
    if not bounds:
        return outcome, pl.lit(False)
    moved = [_outcome(plan, [bounds[i][k] if i in bounds else x for i, x in enumerate(s)]).ne(outcome)
             for k in (0, 1)]
    uncertain = outcome.ne("undetermined") & pl.any_horizontal(moved)
    return pl.when(uncertain).then(pl.lit("undetermined")).otherwise(outcome), uncertain


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


def _packed(flags: list[pl.Expr], bits: int, prefix: str) -> list[pl.Expr]:
    """``flags`` packed into UInt64 columns ``prefix0``, ``prefix1``…, ``bits`` bits each (flag j
    at bit ``bits * j`` of its key): a status (bits=2) is 0 false, 1 true, 2 unknown; a flag
    (bits=1) is 1 where it holds. Summed a byte at a time in UInt8 first: a quarter of the memory
    traffic of summing UInt64 terms."""
    per_byte, per_key = 8 // bits, 64 // bits
    out = []
    for g in range(0, len(flags), per_key):
        codes = [x.cast(pl.UInt8).fill_null(2) if bits == 2 else x.cast(pl.UInt8) for x in flags[g:g + per_key]]
        key: pl.Expr | None = None
        for b in range(0, len(codes), per_byte):
            byte = codes[b]
            for k, x in enumerate(codes[b + 1:b + per_byte], 1):
                byte = byte + x * pl.lit(1 << (bits * k), dtype=pl.UInt8)
            term = byte.cast(_U64) * pl.lit(1 << (8 * (b // per_byte)), dtype=_U64) if b else byte.cast(_U64)
            key = term if key is None else key + term
        out.append(key.alias(f"{prefix}{g // per_key}"))  # type: ignore[union-attr]
    return out


def _status_of(i: int) -> pl.Expr:
    """Rule ``i``'s status read back from the status keys (null: unknown)."""
    code = (pl.col(f"__k{i // _PER_KEY}") // pl.lit(4 ** (i % _PER_KEY), dtype=_U64)) % 4
    return pl.when(code == 2).then(pl.lit(None, dtype=pl.Boolean)).otherwise(code == 1)


def _unknown_of(i: int) -> pl.Expr:
    """Whether rule ``i`` is unknown, from the status keys."""
    return (pl.col(f"__k{i // _PER_KEY}") & pl.lit(2 << (2 * (i % _PER_KEY)), dtype=_U64)) != 0


def _grouped(parts: list[tuple[pl.Expr, str]]) -> dict[str, list[pl.Expr]]:
    out: dict[str, list[pl.Expr]] = {}
    for e, path in parts:
        out.setdefault(path, []).append(e)
    return out


def _flag_of(j: int) -> pl.Expr:
    """Whether flag ``j`` (a missing path) is set, from the flag keys."""
    return (pl.col(f"__m{j // 64}") & pl.lit(1 << (j % 64), dtype=_U64)) != 0


def _by_combination(plan: Plan, combos: pl.DataFrame, outputs: Iterable[str], bounded: list[int]) -> pl.DataFrame:
    """The outcome, fired and undetermined rules of each distinct combination of rule statuses
    (a row of ``combos``), and whether a rule is unknown in it. The statuses of the ``bounded``
    rules at both ends of an unpublished 调休 follow the rules' own in the keys."""
    n = len(plan.rules)
    names = [f"__s{i}" for i in range(n + 2 * len(bounded))]
    table = combos.with_columns([_status_of(i).alias(c) for i, c in enumerate(names)])
    s = [pl.col(c) for c in names[:n]]
    ends = {i: (pl.col(names[n + 2 * j]), pl.col(names[n + 2 * j + 1])) for j, i in enumerate(bounded)}
    outcome, uncertain = _calendar_checked(plan, s, ends)
    table = table.with_columns(__outcome=outcome, calendar_uncertain=uncertain,
                               __unknown=pl.any_horizontal([x.is_null() for x in s]))
    lists = {}
    if "fired" in outputs:
        fired = []
        for i, rule in enumerate(plan.rules):
            fires = s[i].eq(rule.fires_on).fill_null(False)
            if i in plan.converters:  # idle unless it gave the outcome (Decision._idle_converters)
                fires = fires & pl.col("__outcome").eq(plan.converters[i])
            fired.append((rule.id, fires))
        lists["fired"] = _names_where(table, fired)
    if "undetermined" in outputs:
        lists["undetermined"] = _names_where(table, [(r.id, x.is_null()) for x, r in zip(s, plan.rules)])
    return table.with_columns(**lists)


def _missing(compiled: list[tuple[pl.Expr, list[Part]]], rows: pl.DataFrame, unknown: pl.Series) -> pl.Series:
    """The sorted missing facts of the rows of ``rows`` (the frame with its status keys) where
    ``unknown`` holds (a rule is unknown), in order. Each fact path is a bit of a key, so the lists
    of paths are built once per distinct combination of bits; a quantifier's or a time limit's own
    list is computed only on the rows where it counts, and merged in there."""
    by_path: dict[str, list[pl.Expr]] = {}
    per_rule: dict[int, list[tuple[pl.Expr, str]]] = {}  # a list item's facts: read per item, so kept
    listed: list[tuple[pl.Expr, pl.Expr]] = []           # to the rows where their rule is unknown
    for i, (_, ps) in enumerate(compiled):
        for e, what in ps:
            if not isinstance(what, str):
                listed.append((_unknown_of(i) & e, what))
            elif "[]" in what:
                per_rule.setdefault(i, []).append((e, what))
            else:
                by_path.setdefault(what, []).append(_unknown_of(i) & e)
    paths = sorted(set(by_path) | {w for parts in per_rule.values() for _, w in parts})
    bit = {p: j for j, p in enumerate(paths)}
    keys = [f"__m{g}" for g in range((len(paths) + 63) // 64)]

    def flags(named: dict[str, list[pl.Expr]]) -> list[pl.Expr]:
        """The paths' bits, one UInt64 sum a key."""
        terms: dict[str, list[pl.Expr]] = {k: [] for k in keys}
        for path, conds in named.items():
            j = bit[path]
            terms[keys[j // 64]].append(pl.when(pl.any_horizontal(conds).fill_null(False))
                                        .then(pl.lit(1 << (j % 64), dtype=_U64)).otherwise(pl.lit(0, dtype=_U64)))
        return [(pl.sum_horizontal(t) if t else pl.lit(0, dtype=_U64)).alias(k) for k, t in terms.items()]
    read = {c for _, ps in compiled for e, what in ps for x in (e, what) if isinstance(x, pl.Expr)
            for c in x.meta.root_names()}
    # the rows with an unknown rule and the columns the parts read, once: a gather from one chunk
    # (a filter reads every row of a list column), a filter of several (a gather across chunks is
    # slower still)
    columns = rows.select([c for c in rows.columns if c in read or c.startswith("__k")])
    if max(columns.n_chunks("all"), default=1) > 1:  # filtered and flagged chunk by chunk, in one query
        indexed = columns.with_columns(__u=unknown).lazy().filter("__u").with_row_index("__i")
    else:
        at = pl.select(pl.int_range(len(unknown), dtype=pl.UInt32).filter(pl.lit(unknown))).to_series()
        indexed = columns[at].lazy().with_row_index("__i")
    todo = [indexed.select("__i", *flags(by_path))]
    if per_rule:
        items = [indexed.filter(_unknown_of(i)).select("__i", *flags(_grouped(parts))) for i, parts in per_rule.items()]
        todo.append(pl.concat(items).group_by("__i").agg(pl.col(k).bitwise_or() for k in keys))
    if listed:
        todo.append(pl.concat([indexed.filter(e.fill_null(False)).select("__i", what.alias("name")).explode("name")
                               for e, what in listed]).drop_nulls())
    done = pl.collect_all(todo)
    height = done[0].height
    bits = done[0]
    if per_rule:
        bits = bits.join(done[1], on="__i", how="left", maintain_order="left", suffix="__r").select(
            [(pl.col(k) | pl.col(k + "__r").fill_null(0)).alias(k) for k in keys])
    done[0] = bits.select(keys)
    if keys:
        combos = done[0].unique()
        combos = combos.with_columns(__names=_names_where(combos, [(p, _flag_of(j)) for j, p in enumerate(paths)]))
        names = done[0].join(combos, on=keys, how="left", maintain_order="left").get_column("__names")
    else:
        names = pl.Series([[]] * height, dtype=pl.List(pl.String))
    if not listed or done[-1].height == 0:
        return names
    # where a list part counts: the fact paths and those lists together, sorted and distinct
    extra = done[-1]
    mine = names.to_frame("name").with_row_index("__i").filter(
        pl.col("__i").is_in(extra.get_column("__i").unique().implode()))
    long = (pl.concat([mine.explode("name").drop_nulls(), extra]).unique().sort("__i", "name")
            .group_by("__i", maintain_order=True).agg("name"))
    merged = pl.int_range(height, dtype=pl.UInt32, eager=True).to_frame("__i").join(
        long, on="__i", how="left", maintain_order="left").get_column("name")
    return pl.select(pl.when(merged.is_null()).then(pl.lit(names)).otherwise(pl.lit(merged))).to_series()


def _evaluate_on(pack: ResolvedPack, plan: Plan, frame: pl.DataFrame, question: str, today: date,
                 outputs: tuple[str, ...] = OUTPUT) -> pl.DataFrame:
    compiled, bounds = _compiled(pack, plan, question, frame.schema, today)
    bounded = sorted(bounds)
    ends = [e for i in bounded for e in bounds[i]]
    n = frame.height
    read = {c for st, ps in compiled for e in (st, *(x for p in ps for x in p)) if isinstance(e, pl.Expr)
            for c in e.meta.root_names()} | {c for e in ends for c in e.meta.root_names()}
    frame = frame.select([c for c in frame.columns if c in read] or frame.columns[:1])
    chunks = max(frame.n_chunks("all"), default=1)
    if chunks > 1 and frame.height < chunks * _CHUNK_ROWS:  # list and struct columns in many small
        frame = frame.rechunk()                             # chunks are read 10x slower
    if not compiled:  # a question without rules: its default on every row
        return pl.DataFrame({"outcome": [_plan_default(plan)] * n}).with_columns(
            **{k: _NO_NAMES for k in OUTPUT[1:]}, calendar_uncertain=pl.lit(False)).select(outputs)
    statuses = [st for st, _ in compiled] + ends  # the rules', then the bounded rules' at both ends
    names = [f"__s{i}" for i in range(len(statuses))]
    status_keys = _packed([pl.col(c) for c in names], 2, "__k")
    keys = [f"__k{g}" for g in range(len(status_keys))]
    work = frame.with_columns([st.alias(c) for c, st in zip(names, statuses)]).with_columns(status_keys)
    combos = _by_combination(plan, work.select(keys).unique(), outputs, bounded).rechunk()
    # each row's combination as a row number, then a gather (a join would copy the lists slower)
    which = work.select(keys).join(combos.select(keys).with_row_index("__c"), on=keys, how="left",
                                   maintain_order="left").get_column("__c")
    lists = [c for c in ("fired", "undetermined", "calendar_uncertain") if c in outputs]
    gathered = ["__outcome", *lists] + (["__unknown"] if "missing_facts" in outputs else [])
    answers = combos.select(gathered)[which]
    out = answers.select(pl.col("__outcome").alias("outcome"), *lists)
    if "missing_facts" in outputs:
        unknown = answers.get_column("__unknown")
        found = _missing(compiled, work, unknown)
        # rows without an unknown rule lack nothing: their index points past ``found``, at an empty list
        where = pl.select(pl.when(pl.lit(unknown)).then(pl.lit(unknown).cast(pl.UInt32).cum_sum() - 1)
                          .otherwise(pl.lit(found.len(), dtype=pl.UInt32))).to_series()
        empty = pl.Series([[]], dtype=pl.List(pl.String))
        everything = pl.concat([found, empty], rechunk=True)  # one chunk: a fast gather
        out = out.with_columns(missing_facts=everything.gather(where))
    return out.select(outputs)


def _plan_default(plan: Plan) -> str:
    return pl.select(_outcome(plan, [])).item()


def _names_where(work: pl.DataFrame, named: list[tuple[str, pl.Expr]]) -> pl.Series:
    """Per row, the names whose condition holds, in the given order. Built long (unpivot,
    filter, group) as one lazy query, rather than by ``concat_list``, which is slower for many
    short lists."""
    if not named:
        return pl.Series([[]] * work.height, dtype=pl.List(pl.String))
    indexed = work.lazy().with_row_index("__i")
    flags = indexed.select("__i", *[e.fill_null(False).alias(f"__n{j}") for j, (_, e) in enumerate(named)])
    labels = pl.LazyFrame({"variable": [f"__n{j}" for j in range(len(named))], "name": [n for n, _ in named]})
    long = flags.unpivot(index="__i").filter(pl.col("value")).join(
        labels, on="variable", maintain_order="left").select("__i", "name")
    grouped = long.group_by("__i", maintain_order=True).agg(pl.col("name"))
    return indexed.select("__i").join(grouped, on="__i", how="left", maintain_order="left").select(
        pl.col("name").fill_null(_NO_NAMES)).collect().to_series()


def evaluate_frame(pack: ResolvedPack | str, frame: Any, question: str, *, as_of: date | str,
                   outputs: Iterable[str] = OUTPUT) -> pl.DataFrame:
    """Answer ``question`` for every row of ``frame`` (facts as struct columns or dotted names,
    lists as list columns; a fact the frame lacks is unknown) on ``as_of``, a day or the name of
    a date column. Returns one row per input row: ``outcome``, ``fired``, ``undetermined`` (rule
    ids) and ``missing_facts`` (sorted dotted paths), equal to ``evaluate(..., trace=False)``'s
    ``outcome``, ``fired``, ``unknown`` and ``missing_facts``. ``outputs`` asks for only some of
    these columns (e.g. ``("outcome",)`` to count outcomes): what is not asked is not computed;
    ``calendar_uncertain`` (asked for by name) is true where the outcome is undetermined because it
    rests on working days of a year whose 调休 is not published (the per-case decision's
    ``calendar-uncertain`` warning)."""
    asked = set(outputs)
    wanted = tuple(c for c in OUTPUT + OPTIONAL if c in asked)
    unknown_columns = asked - set(OUTPUT + OPTIONAL)
    if unknown_columns or not wanted:
        raise EvaluationError(f"outputs must be some of {', '.join(OUTPUT + OPTIONAL)}, "
                              f"not {sorted(unknown_columns) or 'none'}")
    if isinstance(pack, str):
        from ..packs.loader import load_pack
        pack = load_pack(pack)
    plan = _plan(pack, question)
    frame = _as_polars(frame)
    if isinstance(as_of, date):
        return _evaluate_on(pack, plan, frame, question, as_of, wanted)
    days = frame.get_column(as_of)
    if days.null_count():
        raise EvaluationError(f"the as_of column {as_of!r} has empty rows")
    distinct = days.unique().to_list()
    if len(distinct) <= 1:  # one day for every row (or no rows): no partitions
        return _evaluate_on(pack, plan, frame, question, distinct[0] if distinct else date(2000, 1, 1), wanted)
    indexed = frame.with_row_index("__index")
    parts = []
    for day in distinct:
        rows = indexed.filter(pl.col(as_of) == day)
        parts.append(pl.concat([rows.select("__index"), _evaluate_on(pack, plan, rows, question, day, wanted)],
                               how="horizontal"))
    return pl.concat(parts).sort("__index").drop("__index")
