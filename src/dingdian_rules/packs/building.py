"""Turning merged rules into resolved ones: conditions parsed, type-checked and compiled.

Compiled conditions are cached per process by their text and the type and value of each
parameter they read, so a child pack reuses its ancestors' compiled rules unless a parameter it
overrides changes them. Errors name the exact file:line:column inside the condition string.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Mapping

from .. import time as timecalc
from ..conditions.compile import CompiledExpr, compile_expr
from ..conditions.parser import ConditionSyntaxError, param_names, parse_counted
from ..conditions.checker import Checker
from ..conditions.types import BOOL, DATE, DATETIME, DURATION, ERROR, INT, NUM, TEXT, ParamInfo, Type
from ..errors import DiagnosticBag, Location, did_you_mean
from ..facts.models import Case
from .inheritance import MergedItemList, MergedRule
from .resolved import CompiledMeasure, ResolvedItem, ResolvedItemList, ResolvedRule, basis_of, basis_zh
from .schema import RULE_OUTCOMES, Citation
from ..reading.yaml_doc import YamlDoc, format_path
from ..reading.yaml_reader import read_regular_file

DURATION_UNITS = {"days", "working_days", "months", "years"}


def param_info(unit: str, value: object) -> tuple[ParamInfo | None, str]:
    if unit in DURATION_UNITS:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ParamInfo(DURATION, (value, unit)), ""
        return None, f"a {unit} parameter needs a whole number above 0"
    if unit == "hours":  # a period in hours: only a time limit's length (counted from a date-time)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return ParamInfo(DURATION, (value, unit)), ""
        return None, "a hours parameter needs a whole number above 0"
    if unit in ("count", "beds"):
        if isinstance(value, int) and not isinstance(value, bool):
            return ParamInfo(INT, value), ""
        return None, f"a {unit} parameter needs a whole number"
    if unit in ("percent", "yuan"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ParamInfo(NUM, float(value)), ""
        return None, f"a {unit} parameter needs a number"
    if unit == "types":
        if isinstance(value, list):
            return ParamInfo(Type("list", elem=TEXT), list(value)), ""
        return None, "a types parameter needs a list of values"
    return None, f"unknown unit {unit}"


# due(time_limit.x …) and status(time_limit.x): conditions that read a time limit of their own pack
LIMIT_REF = re.compile(r"\b(?:due|status)\s*\(\s*([a-z][a-z0-9_]*(?:\s*\.\s*[a-z0-9_]+)+)")


def names_limits(text: str) -> bool:
    """Whether ``text`` may name a time limit (a cheap test first: most conditions do not)."""
    return ("due" in text or "status" in text) and LIMIT_REF.search(text) is not None


def limits_named(text: str | None) -> tuple[str, ...]:
    """The time_limit ids ``text`` names in due()/status(), without parsing it."""
    if not text or not names_limits(text):
        return ()
    return tuple(re.sub(r"\s+", "", m) for m in LIMIT_REF.findall(text))


class Compiler:
    def __init__(self, params: dict[str, ParamInfo], calendar: timecalc.WorkdayCalendar, bag: DiagnosticBag,
                 limits: Mapping[str, object] | None = None, rolled: Mapping[str, str] | None = None) -> None:
        """``limits``: time_limit id -> deadlines.LimitRef, for due()/status(); ``rolled``: period
        parameter -> the rolling time limit it is the length of (art. 203), for period-not-rolled."""
        self.params, self.calendar, self.bag = params, calendar, bag
        self.limits = limits or {}
        self.rolled = rolled or {}
        # Conditions naming a time limit hold this load's LimitRefs, which are bound only at the end
        # of the load: they are shared with other loads (``_COMPILED``) only once bound (``publish``).
        self._pending: dict[tuple, tuple[CompiledExpr, tuple]] = {}

    def compile(self, text: str, want: Type | None, where: tuple[YamlDoc, tuple], name: str,
                origin: tuple[str, Callable[[int], int]] | None = None,
                item: tuple[str, Type, str] | None = None) -> CompiledExpr | None:
        """Parse, check and compile ``text``; ``origin`` is (written text, offset map) when ``text``
        was expanded from what the analyst wrote (``@list`` references), so errors point there.

        A syntax error stops the parse and is reported alone; type errors are all reported, each
        at its own token. None after any error, or when the condition reads a parameter that
        failed the schema (already reported there)."""
        key = self._key(text, want)
        if key is not None and item is not None:
            key = key + (item[0], item[2])
        hit = _COMPILED.get(key) if key is not None else None
        if hit is None and key is not None and key in self._pending:
            hit = self._pending[key][0]
        if hit is not None:
            return hit
        try:
            root, size = parse_counted(text)
        except ConditionSyntaxError as exc:
            self._report([("condition-syntax", exc.message, exc.offset, exc.hint)], where, text, origin)
            return None
        checker = Checker(Case, self.params, self.limits, self.rolled)
        if item is not None:  # (variable, element type, list path): the item of a per-item deadline
            checker._scopes.append({item[0]: (item[1], item[2] + "[]")})
        t = checker.check_all(root)
        problems = [(e.code, e.message, e.offset, e.hint) for e in checker.errors]
        if want is not None and t is not ERROR and t != want and not (want == NUM and t == INT):
            problems.append(("type-mismatch", f"expected {want} here, but the expression is {t}", 0, ""))
        if problems:
            self._report(sorted(problems, key=lambda p: p[2]), where, text, origin)
            return None
        if t is ERROR:
            return None
        compiled = compile_expr(text, root, size, checker.fact_paths, self.params, self.calendar, name,
                                item[0] if item is not None else None)
        if key is not None:
            refs = tuple(self.limits[lid] for lid in dict.fromkeys(limits_named(text))) if names_limits(text) else ()
            if refs:
                self._pending[key] = (compiled, refs)
            else:
                _share(key, compiled)
        return compiled

    def publish(self) -> None:
        """Share the conditions naming time limits once the load has bound its limits (loader,
        after ``_bind_limits``): one whose limit stayed unbound (its rule failed) is never shared,
        so no other load, in any thread, can evaluate a limit that has no rule yet."""
        for key, (compiled, refs) in self._pending.items():
            if all(getattr(ref, "rule", None) is not None for ref in refs):
                _share(key, compiled)
        self._pending.clear()

    def _report(self, problems: list[tuple[str, str, int, str]], where: tuple[YamlDoc, tuple], text: str,
                origin: tuple[str, Callable[[int], int]] | None) -> None:
        """One diagnostic per (code, message, offset, hint), located at its offset in the file."""
        doc, path = where
        base = doc.locate(path)
        for code, message, offset, hint in problems:
            written, at = (origin[0], origin[1](offset)) if origin else (text, offset)
            self.bag.error(code, f"{message} in `{_excerpt(written, at)}`", _offset_location(base, written, at),
                           format_path(path), hint)

    def _key(self, text: str, want: Type | None) -> tuple | None:
        """Everything a compiled condition depends on: its text, the expected type, the type and
        value of each parameter it names, and the calendar when a working-day period is used.
        Inherited rules then compile once for the whole chain, not once per child pack."""
        sig: list = []
        if names_limits(text):  # the limits it reads are part of what it computes
            for lid in dict.fromkeys(limits_named(text)):
                ref = self.limits.get(lid)
                signature = getattr(ref, "signature", None)
                if signature is None:
                    return None  # an unknown limit (reported with this pack's locations) or one never shared
                sig.append((lid, signature))
        names = param_names(text)
        uses_calendar = False
        for n in names:
            info = self.params.get(n)
            if info is None or info.type is ERROR:
                return None  # an error to report with this pack's locations, or one reported already
            value = info.value
            sig.append((n, info.type, tuple(value) if isinstance(value, list) else value, self.rolled.get(n)))
            uses_calendar = uses_calendar or (isinstance(value, tuple) and value[1:] == ("working_days",))
        return (text, want, tuple(sig), id(self.calendar) if uses_calendar else None)


_COMPILED: dict[tuple, CompiledExpr] = {}


def _share(key: tuple, compiled: CompiledExpr) -> None:
    if len(_COMPILED) > 20_000:
        _COMPILED.clear()
    _COMPILED[key] = compiled


def clear_caches() -> None:
    _COMPILED.clear()
    _lines.cache_clear()


def _file_lines(path: str) -> tuple[str, ...]:
    """Read afresh on every call (only errors are located with it) and split once per content,
    so an edited file is never located with its old lines."""
    try:
        return _lines(read_regular_file(path, 2_000_000))
    except OSError:
        return ()


@lru_cache(maxsize=128)
def _lines(raw: bytes) -> tuple[str, ...]:
    try:
        return tuple(raw.decode("utf-8").splitlines())
    except UnicodeDecodeError:
        return ()


def _offset_location(base: Location, text: str, offset: int) -> Location:
    """Where character ``offset`` of a condition stands in the file, for plain, quoted and block
    (``>-``, ``|``) scalars alike; falls back to the scalar's own position."""
    lines = _file_lines(base.file)
    if not base.line or base.line > len(lines):
        return base
    row = lines[base.line - 1]
    first = row[base.column - 1:base.column] if base.column else ""
    if first in ("'", '"'):
        segments = [(base.line, base.column + 1)]
    elif first in (">", "|"):
        segments = []
    else:
        segments = [(base.line, base.column)]
    start = base.line if segments else base.line + 1
    for n in range(start, len(lines) + 1):
        if n != base.line or not segments:
            content = lines[n - 1]
            stripped = content.lstrip()
            if not stripped or (n > base.line and segments and len(content) - len(stripped) < base.column - 1
                                and first not in (">", "|")):
                if segments and n > base.line:
                    break
                continue
            if n != base.line:
                segments.append((n, len(content) - len(stripped) + 1))
    remaining = offset
    for line_no, col in segments:
        row = lines[line_no - 1]
        seg_text = row[col - 1:].rstrip().rstrip('"').rstrip("'") if line_no == base.line else row[col - 1:].rstrip()
        if remaining <= len(seg_text):
            return Location(base.file, line_no, col + remaining)
        remaining -= len(seg_text) + 1  # folding turns the line break into one space
    return base


def _excerpt(text: str, offset: int, width: int = 60) -> str:
    if len(text) <= width:
        return text
    start = max(0, min(offset - width // 2, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")


def _rate(value: str | None, params: dict[str, ParamInfo], where, bag: DiagnosticBag) -> float | None:
    if value is None:
        return None
    if value.startswith("$"):
        info = params.get(value[1:])
        if info is not None and info.type is ERROR:  # the parameter failed the schema: reported there
            return None
        if info is None or info.type != NUM:
            bag.error("unknown-parameter", f"{value} is not a percent parameter", where[0].locate(where[1]),
                      format_path(where[1]), did_you_mean(value[1:], params))
            return None
        return float(info.value)  # type: ignore[arg-type]
    try:
        return float(value)
    except ValueError:
        bag.error("type-mismatch", f"'{value}' is not a number or $parameter", where[0].locate(where[1]),
                  format_path(where[1]))
        return None


def _duration(value: str | None, params: dict[str, ParamInfo], where, bag: DiagnosticBag, hours: bool = False):
    """A duration parameter's (length, unit); ``hours``: a period in hours is allowed (a time
    limit's length), else only days, working days, months and years."""
    if value is None:
        return None
    info = params.get(value[1:]) if value.startswith("$") else None
    if info is not None and info.type is ERROR:  # the parameter failed the schema: reported there
        return None
    if info is None or info.type != DURATION or (not hours and info.value[1] == "hours"):  # type: ignore[index]
        bag.error("unknown-parameter", f"{value} is not a duration parameter ($id of a days/months/years parameter"
                  f"{', or hours for a time limit' if hours else ''})",
                  where[0].locate(where[1]), format_path(where[1]),
                  did_you_mean(value.lstrip("$"), [k for k, v in params.items() if v.type == DURATION]))
        return None
    return info.value


def _each(spec, comp: "Compiler", where, rule_id: str, bag: DiagnosticBag):
    """A per-item deadline's list and filter, compiled, and the item binding (variable, element
    type, list path) its start and done_on are compiled with; (None, None) after a mistake."""
    doc, path = where
    source = comp.compile(spec.list, None, (doc, path + ("list",)), rule_id + ".each")
    elem = _list_elem(spec.list)
    if source is None:
        return None, None
    if elem is None:
        bag.error("type-mismatch", f"`{spec.list}` is not a list of records", doc.locate(path + ("list",)),
                  format_path(path + ("list",)), "name a fact list such as agreement.suspensions or history.rescissions")
        return None, None
    item = (spec.item, elem, spec.list)
    if spec.key not in (elem.model.model_fields if elem.model else {}):  # type: ignore[union-attr]
        bag.error("unknown-fact", f"`{spec.key}` is not a field of the items of {spec.list}", doc.locate(path + ("key",)),
                  format_path(path + ("key",)), did_you_mean(spec.key, list(elem.model.model_fields)))  # type: ignore[union-attr]
        return None, None
    filt = None
    if spec.where:
        filt = comp.compile(spec.where, BOOL, (doc, path + ("where",)), rule_id + ".each.where", item=item)
        if filt is None:
            return None, None
    return (source, filt), item


def _list_elem(path: str) -> Type | None:
    """The record type of the fact list at ``path`` (e.g. agreement.suspensions), or None."""
    from ..conditions.types import field_types
    model: object = Case
    t: Type | None = None
    for seg in path.split("."):
        fields = field_types(model) if isinstance(model, type) else {}  # type: ignore[arg-type]
        t = fields.get(seg.strip())
        if t is None:
            return None
        model = t.model if t.name == "object" else None
    if t is None or t.name != "list" or t.elem is None or t.elem.name != "object":
        return None
    return t.elem


def _check_hour_limit(dl, where, bag: DiagnosticBag) -> None:
    """A period in hours runs from a moment (art. 201 para. 2): no start day to count or not,
    no days to add, no last day to move (art. 203 moves a last *day*)."""
    doc, path = where
    for name, bad in (("start_day_counts", dl.start_day_counts), ("roll_to_working_day", dl.roll_to_working_day),
                      ("extend_days", dl.extend_days)):
        if bad:
            bag.error("hour-period", f"a period in hours runs from its start's time: `{name}` does not apply",
                      doc.locate(path + (name,)), format_path(path + (name,)),
                      f"remove `{name}` (or set it false); 民法典 art. 201 para. 2")


_LIST_REF = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


def build_item_lists(lists: dict[str, MergedItemList], comp: Compiler) -> dict[str, ResolvedItemList]:
    """Each cited list with its items' conditions checked and compiled on their own, so a mistake
    in an item is reported at the item, and a decision can tell which items held."""
    out: dict[str, ResolvedItemList] = {}
    for lid, ml in lists.items():
        lst = ml.item_list
        items = []
        for j, it in enumerate(lst.items):
            where = (ml.doc, ml.path + ("items", j, "when"))
            cond = comp.compile(it.when, BOOL, where, f"@{lid}.{it.item}")
            cite = Citation(document=lst.document, article=lst.article, paragraph=it.paragraph or lst.paragraph,
                            item=it.item, quote=it.quote)
            items.append(ResolvedItem(lid, cite, it.when, cond))
        out[lid] = ResolvedItemList(lid, ml.pack, lst.title, tuple(items))
    return out


_PER_TIER_BASES = {"conduct.loss_amount": "loss_amount", "conduct.non_compliant_costs": "non_compliant_costs"}


def _per_tier(base: str | None, tier: int | None) -> str | None:
    """The conduct.itemised_amounts field that gives a tiered rule's own base: an amount written on the
    whole loss or the whole non-compliant costs is taken per tier when the caller itemises them
    (issue 10 item 6), so one loss is not charged in full under two tiers."""
    if base is None or tier is None:
        return None
    return _PER_TIER_BASES.get(base.strip())


_MEMBER = re.compile(r"""^\s*('[^'\n]*'|"[^"\n]*")\s+in\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+)\s*$""")


def _list_body(lst: ResolvedItemList) -> str:
    """What ``@id`` stands for: ``(item 1 or item 2 …)``; when every item is a code in one fact list
    (``'63.1' in conduct.breach_items``) the same test in one pass over the list,
    ``any(i in conduct.breach_items where i in ['63.1', …])``, which evaluates the list once and keeps
    the condition small for the durable_rules supervisor."""
    # an item may name several codes of the list (青海 65(10): '65.10' or '66.7' or '67.4')
    matches = [_MEMBER.match(part) for i in lst.items for part in re.split(r"\s+or\s+", i.when)]
    if len(matches) > 1 and all(matches) and len({m.group(2) for m in matches}) == 1:  # type: ignore[union-attr]
        codes = ", ".join(dict.fromkeys(m.group(1) for m in matches))  # type: ignore[union-attr]
        return f"any(i in {matches[0].group(2)} where i in [{codes}])"  # type: ignore[union-attr]
    return "(" + " or ".join(f"({i.when})" for i in lst.items) + ")"


def expand_lists(text: str, lists: dict[str, ResolvedItemList], where: tuple[YamlDoc, tuple], bag: DiagnosticBag
                 ) -> tuple[str, Callable[[int], int], tuple[ResolvedItemList, ...]] | None:
    """``@id`` replaced by ``(item 1 or item 2 …)``, with a map from offsets in the expansion back to
    the written text (an offset inside an expansion maps to its ``@``). An unknown list (reported
    here) or one with a mistaken item (reported at the item) stands as ``(true)``, so the rest of
    the condition is still checked; the pack has an error then, so nothing compiled is used."""
    refs = list(_LIST_REF.finditer(text))
    if not refs:
        return text, lambda o: o, ()
    pieces, spans, used, pos = [], [], [], 0  # spans: (start in new, end in new, start in old, delta)
    out_len = 0
    for m in refs:
        lst = lists.get(m.group(1))
        if lst is None:
            loc = _offset_location(where[0].locate(where[1]), text, m.start())
            bag.error("unknown-item-list", f"@{m.group(1)} names no item list of this pack or its ancestors", loc,
                      format_path(where[1]), did_you_mean(m.group(1), lists) or
                      "define it under `item_lists:` in a rule file (docs/pack-format.md)")
        if lst is None or any(i.condition is None for i in lst.items):
            body = "(true)"
        else:
            body = _list_body(lst)
            if lst not in used:
                used.append(lst)
        pieces.append(text[pos:m.start()])
        out_len += m.start() - pos
        spans.append((out_len, out_len + len(body), m.start(), len(body) - len(m.group(0))))
        pieces.append(body)
        out_len += len(body)
        pos = m.end()
    pieces.append(text[pos:])

    def origin(offset: int) -> int:
        shift = 0
        for start, end, old, delta in spans:
            if offset < start:
                break
            if offset < end:
                return old
            shift = delta + shift
        return offset - shift

    return "".join(pieces), origin, tuple(used)


def build_rule(m: MergedRule, comp: Compiler, params: dict[str, ParamInfo], bag: DiagnosticBag,
               lists: dict[str, ResolvedItemList] | None = None, documents: dict | None = None) -> ResolvedRule:
    r = m.rule
    fl = m.field_locations
    doc0, path0 = fl.get("id", next(iter(fl.values())))
    rule_path = path0[:-1] if path0 else ()
    field_name = {"institution_type": "requires", "eligibility": "requires", "materials": "requires",
                  "time_limit": "applies_when"}.get(r.kind, "when")
    text = getattr(r, field_name)
    for other in ("when", "requires", "applies_when"):
        if other != field_name and getattr(r, other) is not None:
            where = fl.get(other, (doc0, rule_path))
            bag.error("wrong-condition-field", f"a {r.kind} rule uses `{field_name}:`, not `{other}:`",
                      where[0].locate(where[1]), format_path(where[1]),
                      f"rename `{other}:` to `{field_name}:` (see docs/pack-format.md)")
    condition = None
    used: tuple[ResolvedItemList, ...] = ()
    if text is None and r.kind != "time_limit":
        bag.error("missing-field", f"a {r.kind} rule needs `{field_name}:`", doc0.locate(rule_path),
                  format_path(rule_path), f"add `{field_name}: <condition>`")
    elif text is not None:
        where = fl.get(field_name, (doc0, rule_path))
        expanded = expand_lists(text, lists or {}, where, bag)
        if expanded is not None:
            full, origin, used = expanded
            condition = comp.compile(full, BOOL, where, r.id, (text, origin) if full != text else None)
    if r.outcome is not None and r.outcome not in RULE_OUTCOMES.get(r.kind, ()):
        where = fl.get("outcome", (doc0, rule_path))
        allowed = RULE_OUTCOMES.get(r.kind, ())
        bag.error("outcome-kind-mismatch", f"a {r.kind} rule cannot have outcome '{r.outcome}'",
                  where[0].locate(where[1]), format_path(where[1]),
                  f"a {r.kind} rule's outcome is {' or '.join(allowed)}" if allowed else
                  f"a {r.kind} rule has no outcome: remove `outcome:`")
    start = extend = length = done = each = on = opens = checks = None
    if r.kind == "time_limit":
        if r.deadline is None:
            bag.error("missing-field", "a time_limit rule needs `deadline:`", doc0.locate(rule_path),
                      format_path(rule_path), "add `deadline: {start: ..., length: $param, ...}`")
        else:
            dl_doc, dl_path = fl.get("deadline", (doc0, rule_path + ("deadline",)))
            if r.deadline.on is not None:  # a calendar day the text names: the last day itself
                if r.deadline.length is not None:
                    bag.error("invalid-value", "give either `length:` (a period) or `on:` (the last day), not both",
                              dl_doc.locate(dl_path + ("on",)), format_path(dl_path + ("on",)), "remove one of them")
                length = (0, "date")
            elif r.deadline.length is None:
                bag.error("missing-field", "a deadline needs `length:` (a period) or `on:` (the last day)",
                          dl_doc.locate(dl_path), format_path(dl_path), "add `length: $param`")
            else:
                length = _duration(r.deadline.length, params, (dl_doc, dl_path + ("length",)), bag, hours=True)
            hours = length is not None and length[1] == "hours"
            moment = DATETIME if hours else DATE  # a period in hours runs from a date-time (art. 201 para. 2)
            item = None
            if r.deadline.each is not None:
                each, item = _each(r.deadline.each, comp, (dl_doc, dl_path + ("each",)), r.id, bag)
                if r.deadline.extend_days:
                    bag.error("per-item-limit", "a per-item deadline cannot add days (`extend_days`)",
                              dl_doc.locate(dl_path + ("extend_days",)), format_path(dl_path + ("extend_days",)),
                              "remove `extend_days` or make the limit one deadline (no `each`)")
            start = comp.compile(r.deadline.start, moment, (dl_doc, dl_path + ("start",)), r.id + ".start", item=item)
            if r.deadline.extend_days:
                extend = comp.compile(r.deadline.extend_days, NUM, (dl_doc, dl_path + ("extend_days",)), r.id + ".extend")
            if r.deadline.done_on:
                done = comp.compile(r.deadline.done_on, moment, (dl_doc, dl_path + ("done_on",)), r.id + ".done_on",
                                    item=item)
            if hours:
                _check_hour_limit(r.deadline, (dl_doc, dl_path), bag)
            named = []
            for key in ("on", "opens", "checks"):
                text = getattr(r.deadline, key)
                named.append(comp.compile(text, DATE, (dl_doc, dl_path + (key,)), f"{r.id}.{key}", item=item)
                             if text else None)
            on, opens, checks = named
            if r.deadline.on is not None and on is None:
                length = None  # the last day could not be compiled: reported above
    measures = []
    ms_doc, ms_path = fl.get("measures", (doc0, rule_path + ("measures",)))
    for i, ms in enumerate(r.measures):
        where = (ms_doc, ms_path + (i,))
        base = None
        if ms.amount is not None:
            base = comp.compile(ms.amount.base, NUM, (ms_doc, where[1] + ("amount", "base")), f"{r.id}.{ms.id}")
        measures.append(CompiledMeasure(
            ms, base,
            _rate(ms.amount.min_rate if ms.amount else None, params, (ms_doc, where[1] + ("amount", "min_rate")), bag),
            _rate(ms.amount.max_rate if ms.amount else None, params, (ms_doc, where[1] + ("amount", "max_rate")), bag),
            _duration(ms.duration.min if ms.duration else None, params, (ms_doc, where[1] + ("duration", "min")), bag),
            _duration(ms.duration.max if ms.duration else None, params, (ms_doc, where[1] + ("duration", "max")), bag),
            bool(ms.amount and ms.amount.in_principle), _per_tier(ms.amount.base if ms.amount else None, r.tier)))
    if r.kind == "measures" and not r.measures:
        bag.error("missing-field", "a measures rule needs `measures:`", doc0.locate(rule_path), format_path(rule_path))
    provenance = tuple(m.provenance)
    basis = basis_of(provenance)  # computed once here; the rule caches its own
    rule = ResolvedRule(
        id=r.id, kind=r.kind, title=r.title, citation=basis[0].citation if basis else r.citation,
        modality=r.modality, in_principle=r.in_principle,
        outcome=r.outcome, questions=tuple(r.questions), note=r.note, provenance=provenance,
        location=m.location, when=r.when, requires=r.requires, applies_when=r.applies_when, deadline=r.deadline,
        measures=tuple(measures), tier=r.tier, condition=condition,
        fires_on=False if field_name == "requires" else True,
        deadline_start=start, deadline_extend=extend, deadline_done=done, deadline_length=length,
        deadline_each=each, deadline_on=on, deadline_opens=opens, deadline_checks=checks,
        deadline_param=r.deadline.length[1:] if r.deadline and r.deadline.length else None,
        also_cites=basis[0].also_cites if basis else tuple(r.also_cites), item_lists=used,
        cited_as=basis_zh(basis, documents), documents=documents or {}, warning=r.warning)
    from .resolved import rule_parameters  # the scan needs the built rule (its item lists)
    object.__setattr__(rule, "parameter_ids", tuple(sorted(rule_parameters(rule))))
    return rule
