"""Turning merged rules into resolved ones: each rule's conditions, deadline and measures, and its item lists.

The conditions are compiled by ``compiling.Compiler``; this module says which of a rule's texts is
compiled as what (``@list`` references expanded, a deadline's start, length and items, a
measure's amounts and durations) and checks what a rule's kind requires of its fields.
"""

from __future__ import annotations

import re
from typing import Callable

from ..conditions.types import BOOL, DATE, DATETIME, DURATION, ERROR, NUM, ParamInfo, Type
from ..errors import DiagnosticBag, did_you_mean
from ..facts.models import Case
from .compiling import Compiler, _offset_location
from .inheritance import MergedItemList, MergedRule
from .resolved import CompiledMeasure, ResolvedItem, ResolvedItemList, ResolvedRule, basis_of, basis_zh
from .schema import RULE_OUTCOMES, Citation
from ..reading.yaml_doc import YamlDoc, format_path


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
