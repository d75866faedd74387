"""Category "cases": generated cases with extreme and wrong values, in every input form.

A case starts as a valid one (``dingdian_rules.testing.cases``, every section), turned into plain
data, and one change is made to it, chosen by walking the data with the fact models
(``facts.Case``): a date at either end of the calendar, an extreme number, a wrongly typed value
from docs/facts.md's "refused" column (``n`` for a boolean, ``'12'`` for a number, ``0`` or
``2025-06-01T00:00:00`` for a date, ``.inf`` for an amount…), an unknown fact, a null fact, a list
of thousands of items, odd Unicode, a value nested too deep. The claim is the oracle's
(``oracle.accepts``): a value of the documented type is **harmless** (refusing it is a false
rejection), one that is not is **invalid** (accepting it is a wrong acceptance).

The case is then written in one form: YAML (block or flow, with a BOM and CRLF), JSON (compact,
ASCII-escaped so that non-BMP text becomes surrogate pairs, indented with tabs, with a BOM), the
``{case:, as_of:, question:}`` wrapper, or given to ``parse_case`` / ``case_from_json``. A file
is read with ``load_case_file``; every form must agree with ``parse_case`` on the same data
(both refuse, or both give the same ``Case``) except for the file limits (else **inconsistent**).
A refusal is a ``CaseError`` whose every diagnostic of a file is located (line and column in
their own fields; the file-level codes excepted). A case that is accepted is evaluated under a
bundled pack for every question at an ordinary date and at both ends of the calendar, untraced
and traced; each decision's JSON must validate against ``DecisionModel``, and its text and
Markdown renderings must build. Some inputs also go through ``dingdian-rules evaluate`` with a
strict UTF-8 standard output (exit 0 for a valid case, 4 for an invalid one).
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules import render, testing
from dingdian_rules.facts.cases import case_from_json
from dingdian_rules.facts.models import Case

from . import oracle
from .core import (FALSE_REJECTION, INCONSISTENT, UNLOCATED, WRONG_ACCEPTANCE, Probe, fresh_dir, valid_decision_json,
                   yaml_dump)

CATEGORY = "cases"
FILE_LEVEL = frozenset({"file-too-large", "file-unreadable"})
EXTREME_DATES = ["0001-01-01", "0001-01-02", "0001-03-31", "0001-12-31", "9999-12-31", "9999-12-30", "9999-10-01",
                 "9999-01-01", "2400-02-29", "1900-02-28", "2000-02-29", "2027-10-01", "1970-01-01"]
AS_OF = [date(2025, 6, 1), date(1, 1, 1), date(9999, 12, 31), date(2027, 10, 8), date(2400, 2, 29)]
WRONG = {  # docs/facts.md: the forms each kind of value refuses
    "bool": ["yes", "no", "n", "N", "y", 0, 1, "true", "false", "True", "是", 1.0, None],
    "int": [12.0, 1e3, "12", True, False, "", "1_000", "0x10", "١٢", float("nan")],
    "float": [float("inf"), float("-inf"), float("nan"), "12.5", True, "", "1e3", "NaN", "Infinity"],
    "date": [20250601, 0, 1728000000, "1700006400", "2025-06-01T00:00:00", "2025/06/01", "2025-02-30", "2025-6-1",
             " 2025-06-01", "2025-06-01 ", "10000-01-01", "0000-12-31", "2025-W23-1", "20250601", "2025年6月1日",
             True, 2025.0601, "٢٠٢٥-٠٦-٠١"],
    "str": [12, True, 1.5, [], {}],
    "enum": ["Clinic", "CLINIC", "clinic ", "诊所", "", 1, True],
    "list": ["a", 1, True, {}],
}
ODD = ["\u200b", "\u202e", "😀", "\ud83d\ude00", "\ud800", "\udfff", "\x85", "\u2028", "\ufeff", "\\", "\"", "\t",
       "e\u0301", "\U000e0041", "null", "~", "- ", ": ", "#"]


@lru_cache(maxsize=None)
def _leaves() -> tuple[tuple[tuple, Any], ...]:
    """(path with ``[]`` for list items, annotation) of every leaf fact of a case."""
    out = []

    def visit(ann: Any, path: tuple) -> None:
        model = oracle.model_of(ann)
        if model is not None:
            for name, f in model.model_fields.items():
                visit(oracle.field_annotation(f), path + (name,))
            return
        out.append((path, ann))
        item = oracle.child(ann, 0)
        if item is not None and oracle.model_of(item) is not None:
            visit(item, path + ("[]",))

    visit(Case, ())
    return tuple(out)


def kind_of(ann: Any) -> str:
    for opt in oracle.options(ann):
        bare, _ = oracle.split(opt)
        if bare is type(None):
            continue
        import typing
        from enum import Enum
        if typing.get_origin(bare) is list:
            return "list"
        if isinstance(bare, type):
            if issubclass(bare, Enum):
                return "enum"
            for name, t in (("bool", bool), ("int", int), ("float", float), ("date", date), ("str", str)):
                if bare is t:
                    return name
    return "other"


@dataclass(frozen=True)
class CasePlan:
    data: Any  # plain data (dates as text)
    change: str
    expect: str  # invalid | harmless | any
    form: str
    pid: str
    as_of: date
    wrapper: tuple = ()  # (as_of value, question value) when written as {case:, as_of:, question:}
    cli: bool = False

    def __repr__(self) -> str:  # in full: the input can be replayed from it
        text = json.dumps(self.data, ensure_ascii=True, default=str)
        return (f"CasePlan({self.change!r}, expect={self.expect}, form={self.form}, pack={self.pid}, as_of={self.as_of}, "
                f"wrapper={self.wrapper!r}, cli={self.cli}, data={text})")

    def describe(self) -> str:
        return f"{self.change} [{self.form}]"


def _put(data: dict, path: tuple, value: Any, draw: Any) -> tuple:
    """Set ``value`` at ``path`` (creating sections, and a list item for ``[]``); the real path."""
    node = data
    real: list = []
    for i, k in enumerate(path[:-1]):
        if k == "[]":
            if not isinstance(node, list) or not node:
                return ()
            j = draw(st.integers(0, len(node) - 1))
            node, real = node[j], real + [j]
            continue
        nxt = path[i + 1]
        if not isinstance(node, dict):
            return ()
        if node.get(k) is None:
            node[k] = [{}] if nxt == "[]" else {}
        if nxt == "[]" and node[k] == []:
            node[k].append({})
        node, real = node[k], real + [k]
    if not isinstance(node, dict):
        return ()
    node[path[-1]] = value
    return tuple(real + [path[-1]])


def _plain(case: Case) -> dict:
    return case.model_dump(mode="json", exclude_none=True)


@st.composite
def case_inputs(draw: Any, max_list: int = 300, packs: tuple[str, ...] | None = None) -> CasePlan:
    base = draw(testing.cases(None, unknown_rate=draw(st.sampled_from([0.0, 0.1, 0.5]))))
    data = _plain(base)
    how = draw(st.sampled_from(["extreme-date"] * 4 + ["extreme-number"] * 2 + ["wrong-type"] * 4 +
                               ["unknown-fact", "null-fact", "huge-list", "odd-text", "deep", "not-a-mapping",
                                "unchanged", "empty-list", "many-dates"]))
    leaves = _leaves()
    expect, change, real = "harmless", how, ("-",)
    if how == "extreme-date":
        path, ann = draw(st.sampled_from([(p, a) for p, a in leaves if kind_of(a) == "date"]))
        value = draw(st.sampled_from(EXTREME_DATES))
        real = _put(data, path, value, draw)
        change = f"{oracle_path(real or path)} = {value}"
    elif how == "many-dates":
        for path, ann in leaves:
            if kind_of(ann) == "date" and "[]" not in path and draw(st.booleans()):
                _put(data, path, draw(st.sampled_from(EXTREME_DATES)), draw)
        change = "many dates at the calendar's ends"
    elif how == "extreme-number":
        path, ann = draw(st.sampled_from([(p, a) for p, a in leaves if kind_of(a) in ("int", "float")]))
        value = draw(st.sampled_from([0, 1, -1, 2**31, 2**62, 2**63 - 1, 2**63, 10**30, 1e308, 5e-324, -0.0, 0.5]))
        verdict = oracle.accepts(ann, value)
        expect = "harmless" if verdict else ("invalid" if verdict is False else "any")
        if kind_of(ann) == "int" and type(value) is int and abs(value) >= 2**63:
            expect = "any"  # beyond what JSON readers keep exactly; no claim
        real = _put(data, path, value, draw)
        change = f"{oracle_path(real or path)} = {value!r}"
    elif how == "wrong-type":
        path, ann = draw(st.sampled_from([(p, a) for p, a in leaves if kind_of(a) in WRONG]))
        value = draw(st.sampled_from(WRONG[kind_of(ann)]))
        verdict = oracle.accepts(ann, value)
        expect = "invalid" if verdict is False else ("harmless" if verdict else "any")
        real = _put(data, path, value, draw)
        change = f"{oracle_path(real or path)} = {value!r} ({kind_of(ann)})"
    elif how == "unknown-fact":
        section = draw(st.sampled_from(["institution", "application", "agreement", "conduct", "request", "zz_section"]))
        key = draw(st.sampled_from(["zz_fact", "bed", "Beds", "is public", "ｂｅｄｓ"]))
        if section == "zz_section":
            data[section] = {"x": 1}
        else:
            data.setdefault(section, {})[key] = 1
        expect, change = "invalid", f"unknown fact {section}.{key}"
    elif how == "null-fact":
        path, ann = draw(st.sampled_from(leaves))
        real = _put(data, path, None, draw)
        change = f"{oracle_path(real or path)} = null"
    elif how == "empty-list":
        path, ann = draw(st.sampled_from([(p, a) for p, a in leaves if kind_of(a) == "list"]))
        real = _put(data, path, [], draw)
        change = f"{oracle_path(real or path)} = []"
    elif how == "huge-list":
        path, ann = draw(st.sampled_from([(p, a) for p, a in leaves if kind_of(a) == "list" and "[]" not in p]))
        n = draw(st.sampled_from([10, 100, max_list]))
        item_ann = oracle.child(ann, 0)
        item: Any = _sample_item(item_ann, draw)
        real = _put(data, path, [copy.deepcopy(item) for _ in range(n)], draw)  # no shared object: no YAML alias
        change = f"{oracle_path(real or path)} with {n} items"
    elif how == "odd-text":
        odd = draw(st.sampled_from(ODD))
        where = draw(st.sampled_from(["case_id", "institution.name", "institution.people[].name", "conduct.breach_items[]"]))
        if where == "case_id":
            data["case_id"] = "x" + odd + "y"
        elif where == "institution.name":
            data.setdefault("institution", {})["name"] = odd
        elif where == "conduct.breach_items[]":
            data.setdefault("conduct", {})["breach_items"] = ["63." + odd]
        else:
            data.setdefault("institution", {})["people"] = [{"name": odd, "role": "legal_representative"}]
        change = f"{where} holds {odd!r}"
    elif how == "deep":
        d = draw(st.sampled_from([63, 64, 65, 100, 150]))
        value: Any = 1
        for _ in range(d):
            value = [value]
        data.setdefault("conduct", {})["breach_items"] = value
        expect, change = "invalid", f"conduct.breach_items nested {d} deep"
    elif how == "not-a-mapping":
        data = draw(st.sampled_from([[data], "text", 12, None, [], [[]]]))
        expect, change = "invalid", f"top level is {type(data).__name__}"
    if how in ("extreme-date", "extreme-number", "wrong-type", "null-fact", "empty-list", "huge-list") and not real:
        expect, change = "harmless", f"unchanged ({how} found no place)"
    form = draw(st.sampled_from(FORMS))
    if draw(st.integers(0, 24)) == 0:  # not a case file at all: refused, never read or waited on
        form, expect, change = draw(st.sampled_from(SPECIAL)), "invalid", "a special file"
    wrapper: tuple = ()
    if form in ("yaml-wrapped", "json-wrapped"):
        wrapper = (draw(st.sampled_from(["2025-06-01", "9999-12-31", "0001-01-01", 20250601, "2025-13-01", None])),
                   draw(st.sampled_from(["application", "agreement", "deadlines", "nonsense", None])))
    return CasePlan(data, change, expect, form, draw(st.sampled_from(packs or tuple(dr.bundled_pack_ids()))),
                    draw(st.sampled_from(AS_OF)), wrapper, draw(st.integers(0, 4)) == 0)


FORMS = ("yaml", "yaml-flow", "yaml-bom-crlf", "json", "json-ascii", "json-tabs", "json-bom", "yaml-wrapped",
         "json-wrapped", "parse_case", "case_from_json", "yaml", "json")
SPECIAL = ("fifo.yaml", "fifo.json", "dir.yaml", "devzero.json", "dangling.yaml", "too-large.json", "too-large.yaml")


def _sample_item(ann: Any, draw: Any) -> Any:
    model = oracle.model_of(ann)
    if model is not None:
        return {name: "2025-01-01" if kind_of(oracle.field_annotation(f)) == "date" else None
                for name, f in model.model_fields.items() if kind_of(oracle.field_annotation(f)) in ("date",)}
    kind = kind_of(ann)
    if kind == "date":
        return draw(st.sampled_from(EXTREME_DATES))
    if kind == "enum":
        return draw(st.sampled_from([e.value for e in oracle.split(ann)[0]]))
    return "63.1"


def oracle_path(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


# --- writing and reading ------------------------------------------------------------------------
def _has_surrogate(x: Any) -> bool:
    stack = [x]
    while stack:
        v = stack.pop()
        if isinstance(v, str) and any("\ud800" <= ch <= "\udfff" for ch in v):
            return True
        if isinstance(v, dict):
            stack.extend(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _json(value: Any, **kw: Any) -> str:
    if _has_surrogate(value):
        kw["ensure_ascii"] = True  # UTF-8 cannot hold a lone surrogate: JSON writes it as an escape
    return json.dumps(value, **kw)


def write(plan: CasePlan) -> tuple[str, bytes]:
    """(file suffix, bytes) of the case in its form."""
    data: Any = plan.data
    if plan.wrapper:
        data = {"case": data}
        as_of, question = plan.wrapper
        if as_of is not None:
            data["as_of"] = as_of
        if question is not None:
            data["question"] = question
    form = plan.form
    if form in ("yaml", "yaml-wrapped"):
        return ".yaml", yaml_dump(data).encode("utf-8")
    if form == "yaml-flow":
        return ".yaml", yaml_dump(data, flow=True, width=80).encode("utf-8")
    if form == "yaml-bom-crlf":
        return ".yaml", b"\xef\xbb\xbf" + yaml_dump(data).replace("\n", "\r\n").encode("utf-8")
    if form in ("json", "json-wrapped"):
        return ".json", _json(data, ensure_ascii=False).encode("utf-8")
    if form == "json-ascii":
        return ".json", json.dumps(data, ensure_ascii=True).encode("ascii")
    if form == "json-tabs":
        return ".json", _json(data, ensure_ascii=False, indent="\t").encode("utf-8")
    if form == "json-bom":
        return ".json", b"\xef\xbb\xbf" + _json(data, ensure_ascii=False, indent=1).encode("utf-8")
    raise ValueError(form)


def _jsonable(x: Any) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    if isinstance(x, dict):
        return all(_jsonable(v) for v in x.values())
    if isinstance(x, list):
        return all(_jsonable(v) for v in x)
    return True


def _depth(x: Any) -> int:
    deepest, stack = 0, [(x, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            stack.extend((w, d + 1) for w in (v.values() if isinstance(v, dict) else v))
    return deepest


@lru_cache(maxsize=None)
def _pack(pid: str) -> Any:
    return dr.load_pack(pid)


def run(plan: CasePlan, probe: Probe) -> None:
    reference: Any = None
    ref_refused = False
    data = plan.data
    if plan.form.startswith("json") or plan.form == "case_from_json":
        # what the JSON text means: JSON joins an escaped surrogate pair into one character
        data = json.loads(_json(data)) if _jsonable(data) and _depth(data) < 500 else data
    try:  # the API on the same data: the reference every file form must agree with
        reference = dr.parse_case(data)
    except dr.CaseError:
        ref_refused = True
    case: Any = None
    diags: tuple = ()
    file_limits = _depth(plan.data) > 64 or not _jsonable(plan.data)  # a file refuses more than the API
    if plan.form == "parse_case":
        case, diags = reference, ()
        if ref_refused:
            try:
                dr.parse_case(plan.data)
            except dr.CaseError as exc:
                diags = exc.diagnostics
    elif plan.form in SPECIAL:
        _special(probe, plan)
        return
    elif plan.form == "case_from_json":
        if not _jsonable(plan.data):
            probe.refused = True
            return
        try:
            case = case_from_json(_json(plan.data), source="<json>")
        except dr.CaseError as exc:
            diags = exc.diagnostics
    else:
        with fresh_dir("case") as folder:
            suffix, raw = write(plan)
            path = folder / ("case" + suffix)
            path.write_bytes(raw)
            try:
                case, extras = dr.load_case_file(path)
            except dr.CaseError as exc:
                diags = exc.diagnostics
            if plan.cli or plan.wrapper:
                _cli(probe, plan, path, case is not None)
        for d in diags:
            if d.code in FILE_LEVEL:
                continue
            if d.location is None or not d.location.line or not d.location.column or d.location.file != str(path):
                probe.flag(UNLOCATED, f"{plan.describe()}: {d.format()[:300]}")
                break
    if case is None:
        probe.refused = True
        if not diags:
            probe.flag(INCONSISTENT, "refused without a diagnostic")
        if plan.expect == "harmless":
            probe.flag(FALSE_REJECTION, f"{plan.describe()} -> {diags[0].format()[:300] if diags else ''}")
        if not ref_refused and not file_limits and plan.form != "parse_case":
            probe.flag(INCONSISTENT, f"{plan.form} refused what parse_case accepts: {diags[0].format()[:200] if diags else ''}")
        return
    if plan.expect == "invalid":
        probe.flag(WRONG_ACCEPTANCE, f"{plan.describe()} accepted")
    if ref_refused:
        probe.flag(INCONSISTENT, f"{plan.form} accepted what parse_case refuses")
    elif case != reference:
        probe.flag(INCONSISTENT, f"{plan.form} read a different case than parse_case")
    evaluate_case(probe, plan, case)


def _special(probe: Probe, plan: CasePlan) -> None:
    """A named pipe, a folder, ``/dev/zero``, a dangling link or a file over 2 MB given as a case
    file: ``CaseError`` (``file-unreadable`` / ``file-too-large``), without reading or blocking."""
    kind, suffix = plan.form.split(".")
    with fresh_dir("case") as folder:
        path = folder / f"case.{suffix}"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dir":
            path.mkdir()
        elif kind == "devzero":
            path.symlink_to("/dev/zero")
        elif kind == "dangling":
            path.symlink_to(folder / "nowhere")
        else:
            name = "x" * 2_000_100
            path.write_text(json.dumps({"case_id": name}) if suffix == "json" else f"case_id: {name}\n")
        try:
            dr.load_case_file(path)
        except dr.CaseError as exc:
            probe.refused = True
            if not exc.diagnostics or any(d.code not in FILE_LEVEL for d in exc.diagnostics):
                probe.flag(UNLOCATED, f"{plan.form}: {[d.format() for d in exc.diagnostics][:1]}")
            return
    probe.flag(WRONG_ACCEPTANCE, f"{plan.form} read as a case")


def evaluate_case(probe: Probe, plan: CasePlan, case: Case) -> None:
    """Every question at the plan's date untraced, and traced with JSON, text and Markdown."""
    pack = _pack(plan.pid)
    for q in dr.QUESTIONS:
        dr.evaluate(pack, case, q, as_of=plan.as_of, trace=False)
        d = dr.evaluate(pack, case, q, as_of=plan.as_of, trace=True)
        valid_decision_json(probe, d.to_dict(), q)
        render.decision_text(d, explain=True)
        render.decision_markdown(d, explain=True)
    dr.evaluate_all(pack, case, as_of=plan.as_of)


def _cli(probe: Probe, plan: CasePlan, path: Any, valid: bool) -> None:
    """``dingdian-rules evaluate`` on the file, with a strict UTF-8 standard output."""
    from dingdian_rules.cli import main

    args = ["evaluate", "--pack", plan.pid, str(path), "--format", "json" if plan.form.startswith("json") else "text"]
    if not plan.wrapper or plan.wrapper[0] is None:
        args += ["--as-of", plan.as_of.isoformat()]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    out.flush()
    bad_setting = bool(plan.wrapper) and ((plan.wrapper[0] is not None and not oracle.is_iso_date(plan.wrapper[0]))
                                          or plan.wrapper[1] not in (None, *dr.QUESTIONS))
    want = 0 if valid and not bad_setting else 4
    if code != want:
        probe.flag(INCONSISTENT if valid or code not in (0, 4) else WRONG_ACCEPTANCE,
                   f"evaluate exited {code}, expected {want} ({plan.describe()}, wrapper {plan.wrapper!r})")
    if code == 0 and args[args.index("--format") + 1] == "json":
        payload = json.loads(out.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]
        for d in payload["decisions"]:
            valid_decision_json(probe, d, "evaluate --format json:")
