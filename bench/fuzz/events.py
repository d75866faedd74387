"""Category "events": generated event logs for the supervisor.

A log is a sequence of ``post(event)`` and ``advance(day)`` calls for one to three institutions
under a bundled pack: every event type with random fields, dates ordinary (2024-2027) or at
either end of the calendar, events out of order and exact duplicates, events impossible in the
state (ending no suspension, ``change_applied`` with no change), invalid data (an unknown type
or field, a date written ``20250601`` or ``2025-06-01T00:00:00``, ``n`` for a boolean, an unknown
conduct fact) and ``advance`` calls, some before the clock, some to 9999-12-31.

Checks, per log:

* ``post`` and ``advance`` raise nothing but ``EventError`` (its subclasses ``EventOrderError``
  and ``UnknownInstitutionError`` included): anything else is a **traceback**;
* an event whose data the fuzzer made invalid is refused (else a **wrong acceptance**), and one
  whose data is valid passes ``parse_event`` (else a **false rejection**);
* a refused call changes nothing: every institution's timeline, history, clock and fired rules
  are the same before and after it (else a **lost decision**: what was due may never come out);
* every due decision is returned by exactly one call: the dues the calls returned are exactly
  the dues on the timelines, each once (else a **lost decision**);
* the native evaluator agrees, day by day: for every day from an institution's first event to
  the last ``advance`` (every day when the span is short, else the days around events, dues and
  the periods' ends), ``evaluate(fold(accepted events up to that day), day)`` gives the outcome
  and fired rules of the last due the supervisor returned for that question (or the quiet
  default before any). A native decision that changed on a day with no due that says so is a
  **lost decision**; any other difference is **inconsistent**.

Some logs are also written as a YAML and a JSON Lines file and read with ``load_events_file``
(refused, with every diagnostic located, exactly when an event's data is invalid), and replayed
with ``dingdian-rules replay`` (exit 0, or 4 when the file is refused or an event is impossible).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules.supervisor.event_models import EVENT_TYPES, EventError, parse_event
from dingdian_rules.supervisor.events import fold, load_events_file
from dingdian_rules.facts.models import Conduct
from dingdian_rules.supervisor import Supervisor

from .core import (FALSE_REJECTION, INCONSISTENT, LOST, UNLOCATED, WRONG_ACCEPTANCE, Probe, fresh_dir,
                   valid_decision_json, yaml_dump)

CATEGORY = "events"
QUIET = {"agreement": ("continue", ()), "conduct": ("no_measures", ())}
ERAS = {"ordinary": (date(2024, 1, 1), date(2027, 12, 31)), "late": (date(9990, 1, 1), date(9999, 12, 31)),
        "early": (date(1, 1, 1), date(5, 12, 31))}
BAD_DATES = [20250601, 0, "2025-06-01T00:00:00", "2025/06/01", "2025-02-30", "10000-01-01", True, "", None]
BAD_BOOLS = ["n", "yes", 0, 1, "true"]


@lru_cache(maxsize=None)
def _conduct_facts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    bools, others = [], []
    for name, f in Conduct.model_fields.items():
        if f.annotation == (bool | None):
            bools.append(name)
        elif name not in ("drug_sales", "itemised_amounts"):  # dates, amounts and breach_items
            others.append(name)
    return tuple(bools), tuple(others)


@dataclass(frozen=True)
class Step:
    action: str  # post | advance
    data: Any  # the event as plain data, or the day
    valid: bool  # the fuzzer wrote valid data (an event may still be impossible in the state)
    note: str = ""


@dataclass(frozen=True)
class EventPlan:
    pid: str
    era: str
    steps: tuple[Step, ...]
    files: bool  # also read as YAML and JSON Lines files and replayed by the CLI
    oddity: str = ""  # how those files are written: "", bom, crlf, blank-lines, not-utf8, deep-line, tab-json

    def __repr__(self) -> str:
        steps = "; ".join(f"{s.action} {json.dumps(s.data, default=str, ensure_ascii=True)}"
                          f"{'' if s.valid else ' (invalid: ' + s.note + ')'}" for s in self.steps)
        return f"EventPlan({self.pid}, {self.era}, files={self.files}{' ' + self.oddity if self.oddity else ''}: {steps})"

    def describe(self) -> str:
        bad = sum(not s.valid for s in self.steps)
        return f"{len(self.steps)} steps, {self.era} dates, {bad} invalid, under {self.pid}"


def _iso(d: date) -> str:
    return d.isoformat()


@st.composite
def event_logs(draw: Any, max_steps: int = 14, packs: tuple[str, ...] | None = None) -> EventPlan:
    pid = draw(st.sampled_from(packs or tuple(dr.bundled_pack_ids())))
    era = draw(st.sampled_from(["ordinary", "ordinary", "ordinary", "late", "early", "mixed"]))
    lo, hi = ERAS["ordinary" if era == "mixed" else era]
    insts = draw(st.lists(st.sampled_from(["a", "b", "c", "机构-丙", "x\u200by"]), min_size=1, max_size=3, unique=True))
    bools, others = _conduct_facts()
    day = {i: lo + timedelta(days=draw(st.integers(0, 60))) for i in insts}
    steps: list[Step] = []
    opened: set[str] = set()
    last: dict[str, dict] = {}

    def when(inst: str) -> date:
        step = draw(st.sampled_from([0, 0, 1, 2, 5, 30, 90, 91, 179, 180, 181, 182, 365, -1, -30]))
        if era == "mixed" and draw(st.integers(0, 9)) == 0:
            return draw(st.sampled_from([date(9999, 12, 31), date(9999, 12, 1), date(1, 1, 1)]))
        try:
            d = day[inst] + timedelta(days=step)
        except OverflowError:
            d = day[inst]
        d = min(max(d, date.min), date.max)
        if step >= 0:
            day[inst] = d
        return d

    def far(d: date, days: int) -> date:
        try:
            return d + timedelta(days=days)
        except OverflowError:
            return date.max if days > 0 else date.min

    for _ in range(draw(st.integers(1, max_steps))):
        roll = draw(st.integers(0, 19))
        if roll == 0:  # advance all clocks
            to = draw(st.sampled_from(["last", "later", "max", "earlier"]))
            ref = max(day.values())
            d = {"last": ref, "later": far(ref, draw(st.sampled_from([1, 30, 181, 400]))), "max": date.max,
                 "earlier": far(ref, -10)}[to]
            steps.append(Step("advance", d, True))
            continue
        inst = draw(st.sampled_from(insts))
        if roll == 1 and last.get(inst):  # an exact duplicate of the institution's last event
            steps.append(Step("post", dict(last[inst]), True, "duplicate"))
            continue
        typ = "term_started" if inst not in opened and roll < 15 else draw(st.sampled_from(EVENT_TYPES))
        on = when(inst)
        e: dict[str, Any] = {"type": typ, "institution_id": inst, "on": _iso(on)}
        if typ == "term_started":
            e["term_end"] = _iso(far(on, draw(st.sampled_from([0, 30, 180, 364, 365 * 3]))))
            e["is_public"] = draw(st.sampled_from([False, True, None]))
            if draw(st.booleans()):
                e["is_home_region"] = draw(st.sampled_from([True, False, None]))
            opened.add(inst)
        elif typ == "term_renewed":
            e["next_term_end"] = _iso(far(on, draw(st.sampled_from([200, 400, 800]))))
        elif typ == "renewal_failed":
            e["refused_by_institution"] = draw(st.booleans())
        elif typ == "suspension_started":
            e["requested_by_institution"] = draw(st.booleans())
            if draw(st.booleans()):
                e["scheduled_end_on"] = _iso(far(on, draw(st.sampled_from([10, 90, 180]))))
        elif typ == "suspension_ended":
            e["rectified_as_required"] = draw(st.sampled_from([True, False, None]))
        elif typ == "resume_applied":
            e["verified"] = draw(st.sampled_from([None, True, False]))
        elif typ == "rectification_assessed":
            e["rectified_as_required"] = draw(st.booleans())
        elif typ == "conduct_found":
            names = draw(st.lists(st.sampled_from(bools), min_size=1, max_size=3, unique=True))
            e["conduct"] = {n: draw(st.sampled_from([True, True, False, None])) for n in names}
            if draw(st.integers(0, 3)) == 0:
                extra = draw(st.sampled_from(others))
                kind = str(Conduct.model_fields[extra].annotation)
                e["conduct"][extra] = (_iso(far(on, -draw(st.sampled_from([0, 3, 60])))) + "T08:30" if "datetime.datetime" in kind
                                       else _iso(far(on, -draw(st.sampled_from([0, 3, 60])))) if "date" in kind
                                       else ["63.1", "66.4"] if "list" in kind else draw(st.sampled_from([0.0, 1e6, 1e308])))
        elif typ == "conduct_cleared":
            e["facts"] = draw(st.lists(st.sampled_from(bools), max_size=2, unique=True))
        elif typ == "licence_revoked":
            e["cancelled"] = draw(st.booleans())
        elif typ == "information_changed":
            e["is_major"] = draw(st.booleans())
            e["reveals_ineligibility"] = draw(st.sampled_from([None, False, True]))
        elif typ in ("home_region_action", "other_region_action"):
            e["action"] = draw(st.sampled_from(["suspended", "rescinded"]))
            if typ == "other_region_action":
                e["in_province"] = draw(st.sampled_from([True, False, None]))
        elif typ == "request_filed":
            e["kind"] = draw(st.sampled_from(["suspend", "rescind", "not_renew"]))
            e["effective_on"] = _iso(far(on, draw(st.sampled_from([0, 60, 91, 92, 120, -5]))))
        elif typ == "request_decided":
            e["agreed"] = draw(st.booleans())
        if draw(st.integers(0, 2)) == 0:
            e["note"] = draw(st.sampled_from(["备注", "😀", "\ud800", ""]))
        valid, note = True, ""
        if draw(st.integers(0, 6)) == 0:
            e, note = _corrupt(draw, e)
            valid = False
        elif typ == "term_started" and e["term_end"] < e["on"]:
            valid, note = False, "term_end before on"
        steps.append(Step("post", e, valid, note))
        if valid:
            last[inst] = e
    files = draw(st.integers(0, 5)) == 0
    oddity = draw(st.sampled_from(ODDITIES)) if files else ""
    return EventPlan(pid, era, tuple(steps), files, oddity)


# how an events file is written: the first four change nothing, the last two make it invalid
ODDITIES = ("", "", "bom", "crlf", "blank-lines", "tab-json", "not-utf8", "deep-line")


def _corrupt(draw: Any, e: dict) -> tuple[dict, str]:
    e = dict(e)
    how = draw(st.sampled_from(["type", "date", "field", "missing", "bool", "conduct", "id", "not-a-mapping"]))
    if how == "type":
        e["type"] = draw(st.sampled_from(["Term_Started", "zz", "", 1, None]))
    elif how == "date":
        e["on"] = draw(st.sampled_from(BAD_DATES))
    elif how == "field":
        e["zz_field"] = 1
    elif how == "missing":
        e.pop(draw(st.sampled_from(["on", "institution_id", "type"])))
    elif how == "bool":
        booleans = [k for k in ("is_public", "requested_by_institution", "agreed", "cancelled", "is_major",
                                "refused_by_institution") if k in e]
        if not booleans:
            e["on"] = "0"
        else:
            e[draw(st.sampled_from(booleans))] = draw(st.sampled_from(BAD_BOOLS))
    elif how == "conduct":
        e = {"type": "conduct_found", "institution_id": e.get("institution_id"), "on": e.get("on"),
             "conduct": draw(st.sampled_from([{"zz_unknown": True}, {"major_fund_risk": "yes"}, {},
                                              {"loss_amount": float("inf")}, {"loss_amount": -1}]))}
    elif how == "id":
        e["institution_id"] = draw(st.sampled_from(["", 1, None]))
    else:
        return [e], "not a mapping"  # type: ignore[return-value]
    return e, how


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _snapshot(sup: Supervisor) -> tuple:
    return (sup.clock, tuple((i, sup.timeline(i), sup.history(i), sup.clock_of(i), tuple(sorted(sup.fired(i).items())))
                             for i in sup.institutions), len(sup.duplicates))


def run(plan: EventPlan, probe: Probe, *, daily_span: int = 400) -> None:
    with Supervisor(plan.pid) as sup:
        got: list[Any] = []
        for step in plan.steps:
            if step.action == "post":
                data_ok = True
                try:
                    parse_event(step.data)
                except EventError:
                    data_ok = False
                if data_ok != step.valid:
                    probe.flag(WRONG_ACCEPTANCE if data_ok else FALSE_REJECTION,
                               f"parse_event {'accepted' if data_ok else 'refused'} {step.data!r:.200} ({step.note})")
            before = _snapshot(sup)
            try:
                got += sup.post(step.data) if step.action == "post" else sup.advance(step.data)
            except EventError:
                probe.refused = True  # a log with a refused call is a clean error, if nothing else is found
                if _snapshot(sup) != before:
                    probe.flag(LOST, f"a refused {step.action} changed the supervisor: {step.data!r:.200}")
        got += sup.advance(date.max if plan.era != "ordinary" else max((sup.clock or date.min), _horizon(plan)))
        _exactly_once(probe, sup, got)
        _native(probe, sup, got, daily_span)
        for d in got:  # each due's decision in full: its JSON, with the traces rebuilt
            valid_decision_json(probe, d.decision.to_dict(), f"due {d.on} {d.question}:")
            json.dumps(d.to_dict(), ensure_ascii=False)
        for iid in sup.institutions:
            sup.standing(iid)
            for q, decision in sup.decisions(iid).items():
                decision.to_dict()
    if plan.files:
        _files(probe, plan)


def _horizon(plan: EventPlan) -> date:
    days = [_as_date(s.data["on"]) for s in plan.steps if s.action == "post" and s.valid and isinstance(s.data, dict)]
    days += [s.data for s in plan.steps if s.action == "advance"]
    return _shift(max(days, default=date(2025, 1, 1)), 400)


def _exactly_once(probe: Probe, sup: Supervisor, got: list[Any]) -> None:
    on_timelines = [t.due for i in sup.institutions for t in sup.timeline(i) if t.kind == "due"]
    returned = {}
    for d in got:
        returned[id(d)] = returned.get(id(d), 0) + 1
    twice = [d for d in got if returned[id(d)] > 1]
    never = [d for d in on_timelines if id(d) not in returned]
    extra = {id(d) for d in got} - {id(d) for d in on_timelines}
    if twice or never or extra:
        d = (never or twice)[0] if (never or twice) else None
        probe.flag(LOST, f"{len(never)} due(s) never returned, {len(twice)} returned twice, {len(extra)} not on a "
                   f"timeline; e.g. {d.institution_id, d.on, d.question, d.outcome if d else ''}")


def _native(probe: Probe, sup: Supervisor, got: list[Any], daily_span: int) -> None:
    pack = sup.pack
    end = sup.clock
    for iid in sup.institutions:
        history = list(sup.history(iid))
        if not history:
            continue
        start = history[0].on
        dues = [d for d in got if d.institution_id == iid]
        days = _days(start, end, history, dues, daily_span)
        reported: dict[str, tuple | None] = {}
        by_day: dict[date, list[Any]] = {}
        for d in dues:
            by_day.setdefault(d.on, []).append(d)
        previous: dict[str, tuple | None] = {}
        di = sorted(by_day)
        k = 0
        for day in days:
            while k < len(di) and di[k] <= day:
                for d in by_day[di[k]]:
                    reported[d.question] = (d.outcome, tuple(d.decision.fired))
                k += 1
            events = [e for e in history if e.on <= day]
            case = fold(events, day)
            for q in ("agreement", "conduct", "request"):
                if q == "request" and case.request is None:
                    previous[q] = None
                    continue
                native = dr.evaluate(pack, case, q, as_of=day, trace=False)
                want = (native.outcome, tuple(native.fired))
                have = reported.get(q, QUIET.get(q))
                if have != want:
                    changed = previous.get(q) is not None and previous.get(q) != want
                    probe.flag(LOST if changed else INCONSISTENT,
                               f"{iid} {q} on {day}: native {want}, supervisor's last due {have}")
                    return
                previous[q] = want


def _days(start: date, end: date | None, history: list, dues: list, span: int) -> list[date]:
    end = end or start
    if (end - start).days <= span:
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    marks = {start, end}
    for e in history:
        for k in (-1, 0, 1, 30, 31, 89, 90, 91, 92, 93, 179, 180, 181, 182, 365, 366):
            marks.add(_shift(e.on, k))
        for attr in ("term_end", "next_term_end", "effective_on", "scheduled_end_on"):
            v = getattr(e, attr, None)
            if v is not None:
                marks |= {_shift(v, -1), v, _shift(v, 1)}
    for d in dues:
        marks |= {_shift(d.on, -1), d.on}
    return sorted(m for m in marks if start <= m <= end)


def _shift(d: date, days: int) -> date:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _files(probe: Probe, plan: EventPlan) -> None:
    posts = [s for s in plan.steps if s.action == "post"]
    if not posts:
        return
    invalid = any(not s.valid for s in posts) or plan.oddity in ("not-utf8", "deep-line")
    with fresh_dir("events") as folder:
        ypath = folder / "events.yaml"
        ytext = yaml_dump([s.data for s in posts])
        lines = [json.dumps(s.data, ensure_ascii=True, indent="\t" if plan.oddity == "tab-json" else None)
                 .replace("\n", "") for s in posts]
        if plan.oddity == "blank-lines":
            lines = [x + "\n" for x in lines]
            ytext = ytext.replace("\n- ", "\n\n- ")
        if plan.oddity == "deep-line":
            lines.insert(len(lines) // 2, "[" * 100_000 + "]" * 100_000)
            ytext += "- " + "[" * 100 + "]" * 100 + "\n"
        ybytes, jbytes = ytext.encode("utf-8"), "".join(x + "\n" for x in lines).encode("utf-8")
        if plan.oddity == "bom":
            ybytes, jbytes = b"\xef\xbb\xbf" + ybytes, b"\xef\xbb\xbf" + jbytes
        elif plan.oddity == "crlf":
            ybytes, jbytes = ybytes.replace(b"\n", b"\r\n"), jbytes.replace(b"\n", b"\r\n")
        elif plan.oddity == "not-utf8":
            ybytes, jbytes = ybytes + b"- \xff\xfe\n", jbytes + b'{"type": "\xff"}\n'
        ypath.write_bytes(ybytes)
        jpath = folder / "events.jsonl"
        jpath.write_bytes(jbytes)
        for path in (ypath, jpath):
            try:
                loaded = load_events_file(path)
            except EventError as exc:
                if not invalid:
                    probe.flag(FALSE_REJECTION, f"{path.name} refused valid events: {exc}"[:300])
                for d in exc.diagnostics:
                    loc = d.location
                    if loc is None or not loc.line or not loc.column or loc.file != str(path):
                        probe.flag(UNLOCATED, f"{path.name}: {d.format()[:300]}")
                        break
                if not exc.diagnostics:
                    probe.flag(UNLOCATED, f"{path.name}: EventError without diagnostics: {exc}"[:300])
            else:
                if invalid:
                    probe.flag(WRONG_ACCEPTANCE, f"{path.name} accepted an invalid event")
                elif len(loaded) != len(posts):
                    probe.flag(INCONSISTENT, f"{path.name}: {len(loaded)} events read of {len(posts)}")
            _replay(probe, plan, path)


def _replay(probe: Probe, plan: EventPlan, path: Any) -> None:
    from dingdian_rules.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["replay", "--pack", plan.pid, str(path), "--format", "json"])
    if code not in (0, 4):
        probe.flag(INCONSISTENT, f"replay exited {code}")
    elif code == 0:
        out.flush()
        json.loads(out.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]
