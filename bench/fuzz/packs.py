"""Category "packs": structure-aware mutations of the bundled packs.

A mutation copies the chain of a bundled pack (its folders side by side, so a parent is found
beside its child) into a fresh folder and changes one thing: a YAML node chosen by walking the
file with the models that document it (``schema.PackMeta``, ``rule_schema.RuleFile``), the file's
text, a condition, a citation, the ``extends`` chain, or the file itself (a named pipe, a
folder, a link to ``/dev/zero``). Each operator states what the documentation says of its
result:

* ``invalid``: the fuzzer injected a defect the docs say a load refuses (a strict type error, a
  constraint, an unknown fact or parameter, a quote that is in no source text, a cycle, an
  alias, a control character, a file over 2 MB…). Loading it without an error is a **wrong
  acceptance**.
* ``harmless``: the docs say it changes nothing a load checks (a BOM, CRLF line ends, comments,
  a reformatted file, whitespace inside a quote, an anchor no alias uses, ``!!str`` on text,
  printable Unicode in a title or a note, a 1.5 MB note). Refusing it is a **false rejection**;
  if it loads, its decisions must equal the unmutated pack's (and its fingerprint too, when
  the data is unchanged), else it is **inconsistent**.
* ``any``: no claim either way (a dropped optional key, an extreme number, a swapped ``and``).

Whatever the claim, a refusal must be a ``PackError`` whose every error is located at a
``file:line:column`` inside the pack's folders (a documented file-level code excepted: else an
**unlocated diagnostic**), equal to ``check_pack``'s list, and a pack that loads must answer
every question on the probe cases, traced and untraced, with JSON that validates against
``decision_schema.DecisionModel`` (an exception is a **traceback**).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import zlib
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules.packs import chain, loader
from dingdian_rules.reading import yaml_reader as yamlio
from dingdian_rules.reading.yaml_doc import format_path
from dingdian_rules.analysis.coverage import CoverageFile
from dingdian_rules.packs.rule_schema import RuleFile
from dingdian_rules.packs.scenario_schema import ScenarioFile
from dingdian_rules.packs.schema import Citation, PackMeta, Text

from . import oracle
from .core import (FALSE_REJECTION, INCONSISTENT, UNLOCATED, WRONG_ACCEPTANCE, Probe, fresh_dir, scratch_root,
                   valid_decision_json, yaml_dump)

CATEGORY = "packs"
REPO = Path(__file__).resolve().parents[2]
# Codes docs/errors.md gives no line: the file itself is the location.
FILE_LEVEL = frozenset({"file-too-large", "file-unreadable", "pack-not-found"})
QUESTIONS = dr.QUESTIONS
MAX_BYTES = 2_000_000
# issue 11, point 1: a period longer than 0001-01-01..9999-12-31 makes every evaluation impossible
MAX_PERIOD = {"days": (date.max - date.min).days, "working_days": (date.max - date.min).days,
              "months": 9999 * 12 - 1, "years": 9998}


# --- the seeds: bundled packs, copied once ------------------------------------------------------
@lru_cache(maxsize=1)
def template() -> Path:
    """Every bundled pack copied once, with its scenario and coverage files (``validate`` reads them)."""
    root = scratch_root() / "template"
    if not root.exists():
        for pid in dr.bundled_pack_ids():
            shutil.copytree(chain.bundled_root() / pid, root / pid)
    return root


@dataclass
class SeedFile:
    rel: str  # "<pack>/<path in the pack>"
    raw: bytes
    data: Any
    model: Any  # PackMeta or RuleFile
    doc: Any  # yaml_doc.YamlDoc (locations, for text-level operators)


@dataclass
class Seed:
    pid: str
    chain: tuple[str, ...]
    files: list[SeedFile]
    sources: dict[str, str]  # document id -> its text, normalized as quotes are compared
    all_sources: str
    pack: Any
    baseline: dict[tuple[int, str], tuple[str, tuple[str, ...]]]
    rule_ids: tuple[str, ...]
    param_ids: tuple[str, ...]


_MARKS = re.compile(r"[\s#*\-]+")  # docs/errors.md quote-not-in-source: whitespace and Markdown marks removed


def normalized(text: str) -> str:
    return _MARKS.sub("", text)


@lru_cache(maxsize=None)
def seed(pid: str) -> Seed:
    root = template()
    pack = dr.load_pack(root / pid)
    files: list[SeedFile] = []
    sources: dict[str, str] = {}
    for p in pack.chain:
        folder = root / p
        analyst = [folder / "coverage.yaml", *sorted((folder / "tests").glob("*.yaml"))] if p == pid and _validates() else []
        for path in [folder / "pack.yaml", *sorted((folder / "rules").glob("*.yaml")), *analyst]:
            if not path.is_file():
                continue
            raw = path.read_bytes()
            doc, _ = yamlio.load_yaml(raw.decode("utf-8"), str(path))
            model = (PackMeta if path.name == "pack.yaml" else CoverageFile if path.name == "coverage.yaml"
                     else ScenarioFile if path.parent.name == "tests" else RuleFile)
            files.append(SeedFile(f"{p}/{path.relative_to(folder)}", raw, doc.data, model, doc))
            if path.name == "pack.yaml":
                for s in doc.data.get("sources") or []:
                    sources[s["id"]] = normalized((folder / s["file"]).read_text(encoding="utf-8"))
    cases = probe_cases()
    baseline = {(i, q): _answer(pack, c, q, a) for i, (c, a) in enumerate(cases) for q in QUESTIONS}
    return Seed(pid, pack.chain, files, sources, "\n".join(sources.values()), pack, baseline,
                tuple(r.id for r in pack.rules), tuple(pack.parameters))


def _validates() -> bool:
    """Whether the library has ``validation`` (the review's code, which the suite also runs on, has not)."""
    import importlib.util

    return importlib.util.find_spec("dingdian_rules.analysis.validation") is not None


def key_of(d: Any) -> tuple[str, tuple[str, ...]]:
    return d.outcome, tuple(d.fired)


def _answer(pack: Any, case: Any, q: str, as_of: date) -> Any:
    """The unmutated pack's answer (None if it has none: a mutant is then not compared there;
    its evaluation still runs and any exception of it is a finding)."""
    try:
        return key_of(dr.evaluate(pack, case, q, as_of=as_of, trace=False))
    except Exception:  # noqa: BLE001
        return None


@lru_cache(maxsize=1)
def probe_cases() -> tuple[tuple[Any, date], ...]:
    """The cases every pack that loads is asked: the examples, a sample of the packs' scenario
    cases (every pack's questions are reached), and cases at both ends of the calendar."""
    out: list[tuple[Any, date]] = []
    for f in sorted((REPO / "examples").glob("*.yaml")):
        case, extras = dr.load_case_file(f)
        out.append((case, date.fromisoformat(str(extras.get("as_of", "2025-06-01")))))
    for pid in dr.bundled_pack_ids():
        for f in sorted((chain.bundled_root() / pid / "tests").glob("*.yaml"))[:4]:
            doc, _ = yamlio.load_yaml_file(f)
            for s in (doc.data.get("scenarios") or [])[:2]:
                try:
                    out.append((dr.parse_case(s["case"]), date.fromisoformat(s["as_of"])))
                except (dr.CaseError, KeyError, ValueError):
                    continue
    far = {"institution": {"operating_since": "9999-12-31", "beds": 2**62},
           "agreement": {"term_start": "0001-01-01", "term_end": "9999-12-31",
                         "suspensions": [{"started_on": "9999-12-01", "requested_by_institution": True}]},
           "request": {"kind": "suspend", "filed_on": "0001-01-02", "effective_on": "0001-01-03"},
           "application": {"accepted_on": "9999-12-31", "materials_received_on": "9999-12-30"},
           "information_change": {"is_major": True, "approved_on": "9999-12-31"}}
    out.append((dr.parse_case(far), date(9999, 12, 31)))
    out.append((dr.parse_case(far), date(1, 1, 1)))
    return tuple(out)


# --- the plan of one input -------------------------------------------------------------------
SPECIAL = ("fifo", "dir", "devzero", "dangling", "delete")


@dataclass(frozen=True)
class PackPlan:
    pid: str
    op: str
    expect: str  # "invalid" | "harmless" | "any"
    target: str
    writes: tuple[tuple[str, Any], ...]  # (rel path, bytes or a SPECIAL word)
    codes: tuple[str, ...] = ()  # an invalid input should be refused with one of these (a note if not)
    same_data: bool = False  # harmless and the data unchanged: the fingerprint must be equal
    note: str = ""
    load: str = ""  # the pack folder to load, when not ``pid``
    warm: bool = False  # load the unmutated copy first, then edit it in place keeping each file's mtime

    def __repr__(self) -> str:
        sizes = ", ".join(f"{r}:{len(w) if isinstance(w, bytes) else w}" for r, w in self.writes)
        return (f"PackPlan({self.pid}, {self.op}, expect={self.expect}, {self.target}, {self.note!r}, "
                f"{'warm, ' if self.warm else ''}writes=[{sizes}])")

    def describe(self) -> str:
        return f"{self.op} on {self.target} ({self.pid}{', edited in place' if self.warm else ''}): {self.note}"


def dump(data: Any, *, aliases: bool = False) -> bytes:
    return yaml_dump(data, aliases=aliases).encode("utf-8", "surrogatepass")


def _deep(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _deep(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_deep(v) for v in x]
    return x


Draw = Callable[[Any], Any]


@dataclass
class Ctx:
    draw: Draw
    seed: Seed
    file: SeedFile

    def plan(self, op: str, expect: str, data_or_raw: Any, codes: tuple[str, ...] = (), same_data: bool = False,
             note: str = "", target: str | None = None, extra: tuple = ()) -> PackPlan:
        raw = data_or_raw if isinstance(data_or_raw, (bytes, str)) else dump(data_or_raw)
        target = target or self.file.rel
        return PackPlan(self.seed.pid, op, expect, target, ((target, raw),) + extra, codes, same_data, note)

    def nodes(self, pred: Callable[[tuple, Any, Any], bool]) -> list[tuple[tuple, Any, Any]]:
        return [n for n in oracle.walk(self.file.model, self.file.data) if pred(*n)]

    def pick(self, items: list) -> Any:
        return self.draw(st.sampled_from(items)) if items else None


def _set(data: Any, path: tuple, value: Any) -> Any:
    data = _deep(data)
    oracle.get(data, path[:-1])[path[-1]] = value
    return data


def _is_model(ann: Any) -> bool:
    return oracle.model_of(ann) is not None


# --- operators --------------------------------------------------------------------------------
OPS: list[tuple[str, Callable[[Ctx], PackPlan | None], int]] = []


def op(name: str, weight: int = 2):
    def register(fn: Callable[[Ctx], PackPlan | None]) -> Callable[[Ctx], PackPlan | None]:
        OPS.append((name, fn, weight))
        return fn
    return register


@op("reformat", 1)
def _reformat(c: Ctx) -> PackPlan:
    return c.plan("reformat", "harmless", c.file.data, same_data=True, note="dumped again by PyYAML")


@op("drop-key", 3)
def _drop_key(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and isinstance(p[-1], str))
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    parent_model = oracle.model_of(oracle.annotation_at(c.file.model, path[:-1]))
    required = parent_model is not None and parent_model.model_fields.get(path[-1]) is not None and \
        parent_model.model_fields[path[-1]].is_required()
    data = _deep(c.file.data)
    del oracle.get(data, path[:-1])[path[-1]]
    return c.plan("drop-key", "invalid" if required else "any", data, ("missing-field",) if required else (),
                  note=f"dropped {_p(path)}" + (" (required)" if required else ""))


@op("unknown-key", 2)
def _unknown_key(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) is dict and _is_model(a))
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    fields = list(oracle.model_of(ann).model_fields)
    key = c.draw(st.sampled_from(["zz_unknown", "Title", "quoet", "when ", "ｗｈｅｎ"] + [f + "s" for f in fields[:3]]))
    if key in fields:
        return None
    data = _deep(c.file.data)
    oracle.get(data, path)[key] = c.draw(st.sampled_from(["x", 1, None, [], {}]))
    return c.plan("unknown-key", "invalid", data, ("unknown-field",), note=f"added key {key!r} at {_p(path)}")


SWAPS = ["3", "true", "yes", "n", "", " ", "2025-06-01", "20250601", "2025-06-01T00:00:00", "0", 3, -1, 0, 1.5,
         20250601, True, False, None, [], ["a"], [1], {}, {"zh": "x", "en": "y"}, {"a": 1}, float("nan"),
         float("inf"), 2**63, -2**63 - 1, 10**30]


@op("type-swap", 5)
def _type_swap(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and a is not None)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    new = c.draw(st.sampled_from(SWAPS))
    if type(new) is type(value) and new == value:
        return None
    verdict = oracle.accepts(ann, new)
    expect = "invalid" if verdict is False else "any"
    if expect == "any":
        expect = _semantic_invalid(c, path, new) or "any"
    data, derived = _with_derivation(c, _set(c.file.data, path, new), path)
    return c.plan("type-swap", expect, data, note=f"{_p(path)}: {value!r:.40} -> {new!r}{derived}")


def _with_derivation(c: Ctx, data: Any, path: tuple) -> tuple[Any, str]:
    """Half the time, the parameter or rule holding ``path`` says how its number is derived, so
    that the lint (number-not-in-quote) lets the value through to the checks after it."""
    if "derivation" in path:
        return data, ""
    for end in range(len(path) - 1, 0, -1):
        holder = oracle.get(data, path[:end])
        model = oracle.model_of(oracle.annotation_at(c.file.model, path[:end]))
        if isinstance(holder, dict) and model is not None and "derivation" in model.model_fields:
            if c.draw(st.booleans()):
                holder["derivation"] = "fuzz: the value is set by the fuzzer"
                return data, " (with a derivation)"
            break
    return data, ""


def _semantic_invalid(c: Ctx, path: tuple, new: Any) -> str | None:
    """Values that pass the type but that the docs say a load refuses."""
    if path and path[-1] == "value" and type(new) is int:
        unit = oracle.get(c.file.data, path[:-1]).get("unit")
        if unit in MAX_PERIOD and new > MAX_PERIOD[unit]:
            return "invalid"
    return None


NUMBERS = [0, -1, 1, 2, 99, 100, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 10**30, 1e308, 1e-300, -0.0, 0.5,
           3_652_058, 3_652_059, 119_987, 119_988, 9_999, 10_000, 2_482_000]


@op("extreme-number", 3)
def _extreme_number(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) in (int, float) and type(v) is not bool)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    new = c.draw(st.sampled_from(NUMBERS))
    if new == value and type(new) is type(value):
        return None
    verdict = oracle.accepts(ann, new)
    expect = "invalid" if verdict is False else (_semantic_invalid(c, path, new) or "any")
    codes = ("bad-parameter", "invalid-value", "bad-value") if expect == "invalid" else ()
    data, derived = _with_derivation(c, _set(c.file.data, path, new), path)
    return c.plan("extreme-number", expect, data, codes, note=f"{_p(path)}: {value!r} -> {new!r}{derived}")


ODD_TEXT = ["\u200b", "\u200f", "\u202e", "e\u0301", "😀", "Ａ", "а", "\u3000", "\u00a0", "〇", "\ue000",
            "\U000e0041", "\U0001f1e8\U0001f1f3", "\u2028", "\u2029", "\x85", "\ufeff", "\ud800", "\udfff",
            "\\", "\"", "'", ": ", " #", "{[", "*", "&a", "!x", "%", "@", "`", "—", "…", "\t"]
FREE_TEXT = ("note", "zh", "en")  # titles, names, start_event texts and notes: no check reads them


@op("unicode-text", 4)
def _unicode_text(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) is str and bool(p) and isinstance(p[-1], str))
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    odd = c.draw(st.sampled_from(ODD_TEXT))
    at = c.draw(st.integers(0, len(value)))
    new = value[:at] + odd + value[at:]
    key = path[-1]
    parent = oracle.annotation_at(c.file.model, path[:-1])
    is_free = key == "note" or (key in ("zh", "en") and oracle.model_of(parent) is Text)
    expect, codes = "any", ()
    if is_free and odd not in ("\ud800", "\udfff"):
        expect = "harmless"
    elif is_free:
        expect = "any"  # a lone surrogate: valid text (docs/cli.md), its output is escaped
    elif key == "id" and oracle.accepts(ann, new) is False:
        expect = "invalid"
    elif key == "quote" and normalized(new) not in c.seed.all_sources and normalized(odd):
        expect, codes = "invalid", ("quote-not-in-source",)
    return c.plan("unicode-text", expect, _set(c.file.data, path, new), codes, note=f"{_p(path)} += {odd!r} at {at}")


@op("quote-whitespace", 2)
def _quote_whitespace(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and p[-1] == "quote" and type(v) is str and len(v) > 2)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    spots = sorted(set(c.draw(st.lists(st.integers(1, len(value) - 1), min_size=1, max_size=4))), reverse=True)
    space = c.draw(st.sampled_from([" ", "  ", "\n", "\u3000", "\t", " \n "]))
    new = value
    for i in spots:
        new = new[:i] + space + new[i:]
    return c.plan("quote-whitespace", "harmless", _set(c.file.data, path, new),
                  note=f"{_p(path)}: {space!r} at {spots} (docs: whitespace may differ)")


@op("quote-change", 2)
def _quote_change(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and p[-1] == "quote" and type(v) is str and len(v) > 2)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    how = c.draw(st.sampled_from(["insert-char", "drop-half", "other-quote", "swap-chars"]))
    if how == "insert-char":
        at = c.draw(st.integers(0, len(value)))
        new = value[:at] + c.draw(st.sampled_from(["X", "乙", "😀", "〇", "a"])) + value[at:]
    elif how == "drop-half":
        new = value[: max(2, len(value) // 2)]
    elif how == "other-quote":
        others = [v for p, v, a in c.nodes(lambda p, v, a: bool(p) and p[-1] == "quote" and type(v) is str)]
        new = c.pick(others)
    else:
        i = c.draw(st.integers(0, len(value) - 2))
        new = value[:i] + value[i + 1] + value[i] + value[i + 2:]
    if new == value:
        return None
    expect = "invalid" if normalized(new) not in c.seed.all_sources else "any"
    return c.plan("quote-change", expect, _set(c.file.data, path, new),
                  ("quote-not-in-source",) if expect == "invalid" else (), note=f"{_p(path)}: {how} -> {new[:30]!r}")


@op("wrong-article", 2)
def _wrong_article(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) is dict and oracle.model_of(a) is Citation and "quote" in v)
    path, cite, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    new = c.draw(st.sampled_from([cite["article"] + k for k in (-3, -2, -1, 1, 2, 3, 50, 500)]))
    if new < 1:
        return None
    text = c.seed.sources.get(cite.get("document"), "")
    once = text.count(normalized(cite["quote"])) == 1
    expect = "invalid" if once else "any"
    return c.plan("wrong-article", expect, _set(c.file.data, path + ("article",), new), note=f"{_p(path)}.article "
                  f"{cite['article']} -> {new} (quote {'once' if once else 'not once'} in its text)")


CONDITION_KEYS = ("when", "requires", "applies_when", "start", "base", "extend_days")
_FACT = re.compile(r"\b(institution|application|history|agreement|conduct|request|information_change|claim)\.([a-z_]+)")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@op("condition", 6)
def _condition(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and p[-1] in CONDITION_KEYS and type(v) is str and v.strip() != "")
    path, cond, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    how = c.draw(st.sampled_from(["unknown-fact", "unknown-param", "syntax", "swap", "not", "parens", "chain",
                                  "literal", "type-mismatch", "huge-list", "empty", "drop-token", "dup-token"]))
    expect, codes, new = "any", (), cond
    boolean = path[-1] in ("when", "requires", "applies_when")
    if how == "unknown-fact":
        m = c.pick(list(_FACT.finditer(cond)))
        if m is None:
            return None
        new = cond[:m.start(2)] + m.group(2) + "_zz" + cond[m.end(2):]
        expect, codes = "invalid", ("unknown-fact",)
    elif how == "unknown-param":
        m = c.pick(list(_PARAM.finditer(cond)))
        if m is None:
            return None
        new = cond[:m.end()] + "_zz" + cond[m.end():]
        expect, codes = "invalid", ("unknown-parameter",)
    elif how == "syntax":
        new = c.draw(st.sampled_from([cond + " and", "(" + cond, cond + ")", cond + " ==", "and " + cond,
                                      cond.replace(" ", " == ", 1) if " " in cond else cond + " ==",
                                      cond + " ] ", cond + " 'open"]))
        expect, codes = "invalid", ("condition-syntax",)
    elif how == "swap":
        pairs = [(" and ", " or "), (" or ", " and "), ("==", "!="), (" < ", " >= "), (" > ", " <= "), ("any(", "all(")]
        a, b = c.draw(st.sampled_from(pairs))
        if a not in cond:
            return None
        new = cond.replace(a, b, 1)
    elif how == "not" and boolean:
        new = f"not ({cond})"
    elif how == "parens":
        k = c.draw(st.sampled_from([1, 5, 20, 31, 33, 40, 64, 100, 1000]))
        new = "(" * k + cond + ")" * k
        if k >= 40:
            expect, codes = "invalid", ("condition-syntax",)
    elif how == "chain" and boolean:
        n = c.draw(st.sampled_from([2, 10, 50, 99, 100, 101, 150, 300]))
        joiner = c.draw(st.sampled_from([" and ", " or "]))
        new = joiner.join([f"({cond})"] * n)
        if len(new) > 4000:
            expect, codes = "invalid", ("condition-syntax",)
    elif how == "literal":
        nums = list(re.finditer(r"(?<![\w$.'])\d+(\.\d+)?(?![\w'])", cond))
        m = c.pick(nums)
        if m is None:
            return None
        new = cond[:m.start()] + str(c.draw(st.sampled_from([0, -1, 10**30, 2**63, "1e308", "99999999999999999999"]))) + cond[m.end():]
    elif how == "type-mismatch" and boolean:
        new = f"({cond}) and " + c.draw(st.sampled_from(["institution.beds == 'x'", "agreement.term_end > 3",
                                                          "institution.is_public + 1 > 0", "conduct.loss_amount",
                                                          "institution.type == 'no_such_type'"]))
        expect = "invalid"
    elif how == "huge-list" and boolean:
        n = c.draw(st.sampled_from([10, 100, 300, 1000]))
        new = f"({cond}) and institution.type not in [" + ", ".join(["'clinic'"] * n) + "]"
        if len(new) > 4000:
            expect, codes = "invalid", ("condition-syntax",)
    elif how == "empty":
        new = c.draw(st.sampled_from(["", " ", "()", "true", "false", "today"]))
        if new.strip() in ("", "()"):
            expect = "invalid"
    elif how in ("drop-token", "dup-token"):
        tokens = cond.split()
        if len(tokens) < 2:
            return None
        i = c.draw(st.integers(0, len(tokens) - 1))
        tokens = tokens[:i] + tokens[i + 1:] if how == "drop-token" else tokens[:i + 1] + tokens[i:]
        new = " ".join(tokens)
    else:
        return None
    if new == cond:
        return None
    data, derived = _with_derivation(c, _set(c.file.data, path, new), path)
    return c.plan("condition", expect, data, codes, note=f"{how} at {_p(path)}: {new[:80]!r}{derived}")


@op("deep-nesting", 1)
def _deep_nesting(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and not isinstance(v, (dict, list)))
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    d = c.draw(st.sampled_from([2, 30, 62, 63, 64, 65, 100, 300, 5000]))
    if d > 200:  # as text: a flow sequence too deep for the emitter
        raw = _replace_value_text(c, path, "[" * d + "1" + "]" * d)
        if raw is None:
            return None
        return c.plan("deep-nesting", "invalid", raw, note=f"{_p(path)} nested {d} deep (text)")
    value = 1
    for _ in range(d):
        value = [value]
    return c.plan("deep-nesting", "invalid", _set(c.file.data, path, value),
                  ("too-deep",) if len(path) + d > 64 else (), note=f"{_p(path)} nested {d} deep")


@op("duplicate-entry", 2)
def _duplicate_entry(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) is list and len(v) > 0)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    i = c.draw(st.integers(0, len(value) - 1))
    data = _deep(c.file.data)
    lst = oracle.get(data, path)
    lst.insert(i, _deep(lst[i]))
    has_id = isinstance(lst[i], dict) and "id" in lst[i] and path[-1] in ("rules", "parameters", "item_lists", "sources")
    return c.plan("duplicate-entry", "invalid" if has_id else "any", data, ("duplicate-id",) if has_id else (),
                  note=f"{_p(path)}[{i}] twice")


@op("alias", 1)
def _alias(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: bool(p) and type(v) in (dict, list) and len(v) > 0)
    if len(nodes) < 2:
        return None
    (p1, v1, _), (p2, _v, _a) = c.draw(st.lists(st.sampled_from(nodes), min_size=2, max_size=2, unique_by=lambda n: n[0]))
    if p1[:len(p2)] == p2 or p2[:len(p1)] == p1:
        return None
    data = _deep(c.file.data)
    shared = oracle.get(data, p1)
    oracle.get(data, p2[:-1])[p2[-1]] = shared  # one object twice: PyYAML writes an anchor and an alias
    return c.plan("alias", "invalid", dump(data, aliases=True), ("yaml-alias",), note=f"{_p(p2)} = *{_p(p1)}")


@op("huge-file", 1)
def _huge_file(c: Ctx) -> PackPlan | None:
    nodes = c.nodes(lambda p, v, a: type(v) is dict and oracle.model_of(a) is not None
                    and "note" in oracle.model_of(a).model_fields and "id" in v)
    path, value, ann = c.pick(nodes) or (None, None, None)
    if path is None:
        return None
    over = c.draw(st.booleans())
    target = MAX_BYTES + c.draw(st.integers(1, 5000)) if over else c.draw(st.integers(1_000_000, 1_990_000))
    base = len(dump(c.file.data))
    n = max(0, (target - base) // 3)
    data = _set(c.file.data, path + ("note",), "说" * n)
    raw = dump(data)
    expect = "invalid" if len(raw) > MAX_BYTES else "harmless"
    return c.plan("huge-file", expect, raw, ("file-too-large",) if expect == "invalid" else (),
                  note=f"{_p(path)}.note of {n} characters, file {len(raw):,} bytes")


@op("many-rules", 1)
def _many_rules(c: Ctx) -> PackPlan | None:
    rules = c.file.data.get("rules") if isinstance(c.file.data, dict) else None
    if not rules:
        return None
    n = c.draw(st.sampled_from([100, 1000, 3000]))
    rule = rules[c.draw(st.integers(0, len(rules) - 1))]
    copies = []
    for k in range(n):
        r = _deep(rule)
        r["id"] = f"{rule['id']}_zz{k}"
        copies.append(r)
    data = _deep(c.file.data)
    data["rules"] = list(data["rules"]) + copies
    raw = dump(data)
    if len(raw) > MAX_BYTES:
        return None
    return c.plan("many-rules", "any", raw, note=f"{n} copies of {rule['id']} (docs/architecture.md: linear, "
                  "at most 1,000 overlapping pairs)")


@op("holidays", 1)
def _holidays(c: Ctx) -> PackPlan | None:
    """A year's holiday arrangement in pack.yaml (for years the calendar package lacks)."""
    metas = [f for f in c.seed.files if f.rel.endswith("/pack.yaml")]
    meta = c.draw(st.sampled_from(metas))
    year = c.draw(st.sampled_from([1, 2, 2024, 2027, 2400, 9999, 0, -1, 10000]))
    def day(m: int, d: int) -> str:
        return f"{year:04d}-{m:02d}-{d:02d}" if 1 <= year <= 9999 else f"{year}-{m:02d}-{d:02d}"
    holidays = c.draw(st.sampled_from([[], [day(1, 1)], [day(12, 31)], [day(1, 1), day(1, 1)],
                                       [day(2, 29)], ["2025-10-01"], [day(m, 1) for m in range(1, 13)]]))
    makeup = c.draw(st.sampled_from([[], [day(1, 4)], [day(12, 30)], [day(1, 1)]]))
    entry = {"year": year, "holidays": holidays, "makeup_workdays": makeup, "source": "fuzz"}
    data = _deep(meta.data)
    data["holidays"] = list(data.get("holidays") or []) + [entry] * c.draw(st.sampled_from([1, 1, 2]))
    days = holidays + makeup
    # docs/time.md: every day in its year, make-up days on a weekend, no day both
    wrong = (not all(oracle.is_iso_date(d) for d in days) or any(int(d[:4]) != year for d in days)
             or set(holidays) & set(makeup) or any(date.fromisoformat(d).weekday() < 5 for d in makeup))
    return c.plan("holidays", "invalid" if wrong else "any", data, ("invalid-value", "bad-date") if wrong else (),
                  note=f"holidays {entry}", target=meta.rel)


@op("top-level", 1)
def _top_level(c: Ctx) -> PackPlan:
    how = c.draw(st.sampled_from(["list", "scalar", "empty", "comment-only", "null"]))
    raw = {"list": dump([c.file.data]), "scalar": b"just text\n", "empty": b"", "comment-only": b"# nothing\n",
           "null": b"~\n"}[how]
    return c.plan("top-level", "invalid", raw, ("not-a-mapping", "empty-file"), note=how)


# text-level operators: they edit the file's bytes
@op("bom-crlf-comments", 3)
def _cosmetic(c: Ctx) -> PackPlan:
    how = c.draw(st.sampled_from(["bom", "crlf", "bom+crlf", "comment-head", "comment-tail", "trailing-space",
                                  "comment-after-values"]))
    raw = c.file.raw
    same = True
    if "bom" in how:
        raw = b"\xef\xbb\xbf" + raw
    if "crlf" in how:
        raw = raw.replace(b"\n", b"\r\n")
    if how == "comment-head":
        raw = "# 注释 comment ☃ \u200b\n#\n".encode() + raw
    if how == "comment-tail":
        raw = raw + b"\n# trailing comment\n"
    if how == "trailing-space":
        raw = re.sub(rb"([^\s])\n", rb"\1   \n", raw)
        same = False  # block scalars may keep it: compare decisions, not the fingerprint
    if how == "comment-after-values":
        raw = _comment_after_scalars(c)
        if raw is None:
            return c.plan("bom-crlf-comments", "harmless", c.file.raw, same_data=True, note="unchanged")
    return c.plan("bom-crlf-comments", "harmless", raw, same_data=same, note=how)


def _lines(c: Ctx) -> list[str]:
    return c.file.raw.decode("utf-8").split("\n")


def _scalar_locations(c: Ctx, pred: Callable[[Any], bool]) -> list[tuple[tuple, Any]]:
    out = []
    for path, value, ann in oracle.walk(c.file.model, c.file.data):
        if path and not isinstance(value, (dict, list)) and pred(value):
            loc = c.file.doc.locations.get(path)
            if loc is not None and loc.line:
                out.append((path, loc))
    return out


def _comment_after_scalars(c: Ctx) -> bytes | None:
    """A `# comment` after plain one-line scalars that end their line (never inside a block scalar)."""
    lines = _lines(c)
    changed = 0
    for path, loc in _scalar_locations(c, lambda v: type(v) in (int, bool) or (type(v) is str and v.isidentifier())):
        i = loc.line - 1
        rest = lines[i][loc.column - 1:]
        if rest.strip() == str(oracle.get(c.file.data, path)).lower() or rest.strip() == str(oracle.get(c.file.data, path)):
            lines[i] = lines[i] + "  # 注释"
            changed += 1
    return "\n".join(lines).encode() if changed else None


def _insert_at_value(c: Ctx, path: tuple, text: str) -> bytes | None:
    """``text`` inserted where the value at ``path`` starts (yamlio's location of it)."""
    loc = c.file.doc.locations.get(path)
    if loc is None or not loc.line:
        return None
    lines = _lines(c)
    i, col = loc.line - 1, loc.column - 1
    lines[i] = lines[i][:col] + text + lines[i][col:]
    return "\n".join(lines).encode("utf-8")


def _replace_value_text(c: Ctx, path: tuple, text: str) -> bytes | None:
    """The one-line plain scalar at ``path`` replaced by ``text``."""
    loc = c.file.doc.locations.get(path)
    value = oracle.get(c.file.data, path)
    if loc is None or not loc.line or isinstance(value, (dict, list)):
        return None
    lines = _lines(c)
    i, col = loc.line - 1, loc.column - 1
    written = str(value).lower() if type(value) is bool else str(value)
    if not lines[i][col:].startswith(written):
        return None
    lines[i] = lines[i][:col] + text + lines[i][col + len(written):]
    return "\n".join(lines).encode("utf-8")


@op("anchor-tag", 3)
def _anchor_tag(c: Ctx) -> PackPlan | None:
    how = c.draw(st.sampled_from(["anchor", "!!str", "!!int-on-text", "!!python", "!custom", "!!map", "!!seq",
                                  "!!float-on-int", "!!null-on-text", "!!binary"]))
    if how in ("!!map", "!!seq"):
        want = dict if how == "!!map" else list
        nodes = [(p, l) for p, v, a in oracle.walk(c.file.model, c.file.data)
                 if p and type(v) is want and (l := c.file.doc.locations.get(p)) is not None and l.line
                 and _lines(c)[l.line - 1][l.column - 1:l.column] in "{["]
        if not nodes:
            return None
        path, _ = c.draw(st.sampled_from(nodes))
        raw = _insert_at_value(c, path, how + " ")
        return None if raw is None else c.plan("anchor-tag", "harmless", raw, same_data=True, note=f"{how} at {_p(path)}")
    pred = {"anchor": lambda v: v is not None, "!!str": lambda v: type(v) is str,
            "!!int-on-text": lambda v: type(v) is str, "!!float-on-int": lambda v: type(v) is int,
            "!!null-on-text": lambda v: type(v) is str}.get(how, lambda v: True)
    spots = [(p, l) for p, l in _scalar_locations(c, pred)
             if _lines(c)[l.line - 1][l.column - 1:l.column] not in ("|", ">")]
    if not spots:
        return None
    path, _ = c.draw(st.sampled_from(spots))
    text = {"anchor": "&zz_anchor ", "!!str": "!!str ", "!!int-on-text": "!!int ", "!!python": "!!python/object/apply:os.getcwd ",
            "!custom": "!custom ", "!!float-on-int": "!!float ", "!!null-on-text": "!!null ", "!!binary": "!!binary "}[how]
    raw = _insert_at_value(c, path, text)
    if raw is None:
        return None
    harmless = how in ("anchor", "!!str")
    expect = "harmless" if harmless else "invalid"
    if how == "!!float-on-int":  # 15 read as 15.0: refused only where a float is not the field's type
        ann = oracle.annotation_at(c.file.model, path)
        expect = "invalid" if oracle.accepts(ann, float(oracle.get(c.file.data, path))) is False else "any"
    return c.plan("anchor-tag", expect, raw, ("yaml-tag", "type-mismatch") if expect == "invalid" else (),
                  same_data=harmless, note=f"{text.strip()} at {_p(path)}")


CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x9f"]


@op("bytes", 3)
def _bytes(c: Ctx) -> PackPlan | None:
    how = c.draw(st.sampled_from(["control", "non-utf8", "truncate", "junk", "tab-indent", "second-document",
                                  "non-string-key", "null-key", "fullwidth-colon", "merge-key", "duplicate-key",
                                  "gb18030"]))
    raw = c.file.raw
    text = raw.decode("utf-8")
    at = c.draw(st.integers(0, len(text)))
    if how == "control":
        return c.plan("bytes", "invalid", (text[:at] + c.draw(st.sampled_from(CONTROLS)) + text[at:]).encode(),
                      note=f"control character at {at}")
    if how == "non-utf8":
        pos = c.draw(st.integers(0, len(raw)))
        while pos < len(raw) and (raw[pos] & 0xC0) == 0x80:
            pos += 1
        return c.plan("bytes", "invalid", raw[:pos] + b"\xff\xfe" + raw[pos:], ("not-utf8",), note=f"0xff at byte {pos}")
    if how == "gb18030":
        if raw.isascii():
            return None
        return c.plan("bytes", "invalid", text.encode("gb18030"), ("not-utf8",), note="saved as GB18030")
    if how == "truncate":
        pos = c.draw(st.integers(0, max(0, len(raw) - 1)))
        return c.plan("bytes", "any", raw[:pos], note=f"truncated at byte {pos}")
    if how == "junk":
        junk = c.draw(st.binary(min_size=1, max_size=16))
        pos = c.draw(st.integers(0, len(raw)))
        return c.plan("bytes", "any", raw[:pos] + junk + raw[pos:], note=f"{junk!r} at byte {pos}")
    if how == "tab-indent":
        lines = text.split("\n")
        idx = [i for i, l in enumerate(lines) if l.startswith("  ") and l.strip()]
        if not idx:
            return None
        i = c.draw(st.sampled_from(idx))
        lines[i] = "\t" + lines[i][2:]
        return c.plan("bytes", "any", "\n".join(lines).encode(), note=f"tab indent on line {i + 1}")
    if how == "second-document":
        return c.plan("bytes", "invalid", raw.rstrip(b"\n") + b"\n---\nrules: []\n", ("multiple-documents",))
    if how == "non-string-key":
        return c.plan("bytes", "invalid", raw.rstrip(b"\n") + b"\n? [a, b]\n: 1\n", ("non-string-key",))
    if how == "null-key":
        return c.plan("bytes", "invalid", raw.rstrip(b"\n") + b"\n~: 1\n", ("non-string-key",))
    if how == "merge-key":
        return c.plan("bytes", "invalid", raw.rstrip(b"\n") + b"\nzz_base: &b {a: 1}\nzz_use:\n  <<: *b\n", ("yaml-alias",))
    if how in ("fullwidth-colon", "duplicate-key"):
        keys = [(p, l) for p, l in c.file.doc.key_locations.items() if l.line and isinstance(p[-1], str)]
        if not keys:
            return None
        path, loc = c.draw(st.sampled_from(sorted(keys, key=lambda x: (x[1].line, x[1].column))))
        lines = text.split("\n")
        line = lines[loc.line - 1]
        start = loc.column - 1
        if not line[start:].startswith(path[-1] + ":"):
            return None
        if how == "fullwidth-colon":
            lines[loc.line - 1] = line[:start] + path[-1] + "：" + line[start + len(path[-1]) + 1:]
            return c.plan("bytes", "invalid", "\n".join(lines).encode(), note=f"full-width colon after {_p(path)}")
        value = oracle.get(c.file.data, path)
        if isinstance(value, (dict, list)) or "\n" in str(value) or line.lstrip().startswith("- ") or "{" in line[:start]:
            return None
        indent = " " * start
        lines.insert(loc.line, f"{indent}{path[-1]}: {json.dumps(value, ensure_ascii=False)}")
        return c.plan("bytes", "invalid", "\n".join(lines).encode(), ("duplicate-key",), note=f"{_p(path)} twice")
    return None


@op("special-file", 1)
def _special_file(c: Ctx) -> PackPlan:
    kind = c.draw(st.sampled_from(SPECIAL))
    rel = c.file.rel
    if kind == "delete":  # a folder without pack.yaml is no pack: a parent is then the bundled one
        expect = "invalid" if rel == f"{c.seed.pid}/pack.yaml" else "any"
        return PackPlan(c.seed.pid, "special-file", expect, rel, ((rel, kind),), note=f"{rel} deleted")
    return PackPlan(c.seed.pid, "special-file", "invalid", rel, ((rel, kind),),
                    ("file-unreadable", "file-too-large", "pack-not-found", "missing-parent"), note=f"{rel} is {kind}")


@op("source-text", 2)
def _source_text(c: Ctx) -> PackPlan | None:
    metas = [f for f in c.seed.files if f.rel.endswith("pack.yaml") and f.data.get("sources")]
    if not metas:
        return None
    meta = c.draw(st.sampled_from(metas))
    src = c.draw(st.sampled_from(meta.data["sources"]))
    rel = f"{meta.rel.split('/')[0]}/{src['file']}"
    text = (template() / rel).read_text(encoding="utf-8")
    how = c.draw(st.sampled_from(["special", "gb18030", "cut-quote", "crlf", "whitespace", "empty"]))
    if how == "special":
        kind = c.draw(st.sampled_from(SPECIAL))
        return PackPlan(c.seed.pid, "source-text", "invalid", rel, ((rel, kind),), ("file-missing", "file-unreadable",
                        "file-too-large"), note=f"source {rel} is {kind}")
    if how == "gb18030":
        return PackPlan(c.seed.pid, "source-text", "invalid", rel, ((rel, text.encode("gb18030")),), ("file-unreadable",),
                        note="source saved as GB18030")
    if how == "crlf":
        return PackPlan(c.seed.pid, "source-text", "harmless", rel, ((rel, text.replace("\n", "\r\n").encode()),),
                        same_data=True, note="source with CRLF")
    if how == "whitespace":
        return PackPlan(c.seed.pid, "source-text", "harmless", rel, ((rel, re.sub(r"([，。；])", "\\1 \u3000", text).encode()),),
                        same_data=True, note="source with spaces after every ，。；")
    if how == "empty":
        return PackPlan(c.seed.pid, "source-text", "invalid", rel, ((rel, b""),), ("source-empty",), note="source emptied")
    # only quotes that cite this source: a quote is checked against its own document's file, and a
    # child's copy of its parent's text (jiangsu_nantong forwards jiangsu's) is not that file
    quotes = [v for f in c.seed.files for v in _quotes_citing(f.data, src.get("id")) if v in text]
    if not quotes:
        return None
    q = c.draw(st.sampled_from(quotes))
    cut = text.replace(q, "", 1)
    expect = "invalid" if normalized(q) not in normalized(cut) else "any"
    return PackPlan(c.seed.pid, "source-text", expect, rel, ((rel, cut.encode()),), ("quote-not-in-source",),
                    note=f"source without {q[:30]!r}")


def _quotes_citing(data: Any, document: Any) -> list[str]:
    """Every ``quote`` in ``data`` that stands beside ``document: <document>``."""
    found: list[str] = []
    if isinstance(data, dict):
        if data.get("document") == document and type(data.get("quote")) is str:
            found.append(data["quote"])
        for v in data.values():
            found += _quotes_citing(v, document)
    elif isinstance(data, list):
        for v in data:
            found += _quotes_citing(v, document)
    return found


@op("extends", 2)
def _extends(c: Ctx) -> PackPlan | None:
    s = c.seed
    leaf, root = s.chain[-1], s.chain[0]
    leaf_meta = next(f for f in s.files if f.rel == f"{leaf}/pack.yaml")
    root_meta = next(f for f in s.files if f.rel == f"{root}/pack.yaml")
    how = c.draw(st.sampled_from(["self", "cycle", "missing", "other", "too-deep", "null"]))
    if how == "self":
        return c.plan("extends", "invalid", {**leaf_meta.data, "extends": leaf}, ("inheritance-cycle",),
                      note=f"{leaf} extends itself", target=leaf_meta.rel)
    if how == "cycle":
        if leaf == root:
            return None
        return c.plan("extends", "invalid", {**root_meta.data, "extends": leaf}, ("inheritance-cycle",),
                      note=f"{root} extends {leaf}", target=root_meta.rel)
    if how == "missing":
        return c.plan("extends", "invalid", {**leaf_meta.data, "extends": "zz_missing"}, ("missing-parent",),
                      note=f"{leaf} extends zz_missing", target=leaf_meta.rel)
    if how == "other":
        other = c.draw(st.sampled_from([p for p in dr.bundled_pack_ids() if p not in s.chain]))
        return c.plan("extends", "any", {**leaf_meta.data, "extends": other}, note=f"{leaf} extends {other}",
                      target=leaf_meta.rel)
    if how == "null":
        return c.plan("extends", "any", {**leaf_meta.data, "extends": None}, note=f"{leaf} extends nothing",
                      target=leaf_meta.rel)
    # a chain of nine more packs above the leaf: more than 8 in all
    extra = []
    parent = leaf
    for i in range(9):
        pid = f"zz_stub{i}"
        extra.append((f"{pid}/pack.yaml", dump({"id": pid, "name": {"zh": "桩", "en": "stub"}, "level": "agreement",
                                                "extends": parent})))
        parent = pid
    return PackPlan(s.pid, "extends", "invalid", f"{parent}/pack.yaml", tuple(extra), ("inheritance-too-deep",),
                    note="nine stub packs above the leaf", load=parent)


@op("child-reference", 2)
def _child_reference(c: Ctx) -> PackPlan | None:
    s = c.seed
    if len(s.chain) < 2:
        return None
    leaf = s.chain[-1]
    own = [f for f in s.files if f.rel.startswith(leaf + "/rules/")]
    if not own:
        return None
    f = c.draw(st.sampled_from(own))
    cites = [v for p, v, a in oracle.walk(f.model, f.data) if type(v) is dict and oracle.model_of(a) is Citation]
    if not cites:
        return None
    cite = c.draw(st.sampled_from(cites))
    how = c.draw(st.sampled_from(["override", "repeal", "parameter", "restate", "redefine-rule", "redefine-parameter"]))
    data = _deep(f.data)
    if how == "override":
        data.setdefault("overrides", []).append({"id": "zz.missing", "changes": "changes nothing", "citation": cite})
        codes = ("override-unknown-rule",)
    elif how == "repeal":
        data.setdefault("repeals", []).append({"id": "zz.missing", "reason": "no reason", "citation": cite})
        codes = ("repeal-unknown-rule",)
    elif how == "parameter":
        data.setdefault("parameter_overrides", []).append({"id": "zz_missing", "value": 1, "citation": cite})
        codes = ("override-unknown-parameter",)
    elif how == "restate":
        data.setdefault("restatements", []).append({"rule": "zz.missing", "citation": cite})
        codes = ("restate-unknown-rule",)
    elif how == "redefine-rule":
        root_rules = [x for g in s.files if g.rel.startswith(s.chain[0] + "/rules/") for x in g.data.get("rules", [])]
        if not root_rules:
            return None
        data.setdefault("rules", []).append(_deep(c.draw(st.sampled_from(root_rules))))
        codes = ("shadowed-rule", "duplicate-id")
    else:
        root_params = [x for g in s.files if g.rel.startswith(s.chain[0] + "/rules/") for x in g.data.get("parameters", [])]
        if not root_params:
            return None
        data.setdefault("parameters", []).append(_deep(c.draw(st.sampled_from(root_params))))
        codes = ("shadowed-parameter", "duplicate-id")
    return c.plan("child-reference", "invalid", data, codes, note=how, target=f.rel)


# --- the strategy -----------------------------------------------------------------------------
def _p(path: tuple) -> str:
    return format_path(path) or "<top>"


@st.composite
def mutations(draw: Draw, packs: tuple[str, ...] | None = None) -> PackPlan:
    """One mutation of one bundled pack (see the module docstring)."""
    pid = draw(st.sampled_from(packs or tuple(dr.bundled_pack_ids())))
    s = seed(pid)
    names = [n for n, _, w in OPS for _ in range(w)]
    for _ in range(20):
        name = draw(st.sampled_from(names))
        fn = next(f for n, f, _ in OPS if n == name)
        leaf_files = [f for f in s.files if f.rel.startswith(s.chain[-1] + "/")]
        pool = leaf_files if leaf_files and draw(st.booleans()) else s.files
        ctx = Ctx(draw, s, draw(st.sampled_from(pool)))
        plan = fn(ctx)
        if plan is not None:
            if draw(st.integers(0, 3)) == 0:
                plan = dataclasses.replace(plan, warm=True)
            return plan
    return Ctx(draw, s, s.files[0]).plan("reformat", "harmless", s.files[0].data, same_data=True, note="fallback")


# --- running one input ------------------------------------------------------------------------
def materialize(plan: PackPlan, root: Path) -> Path:
    s = seed(plan.pid)
    for p in s.chain:
        shutil.copytree(template() / p, root / p)
    if plan.warm:  # every per-process cache now holds the unmutated files under these paths
        dr.load_pack(root / plan.pid)
    for rel, what in plan.writes:
        path = root / rel
        stamp = path.stat() if path.is_file() and not path.is_symlink() else None
        _write(path, what, root)
        if stamp is not None and path.is_file() and not path.is_symlink():
            os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # cp -p, tar x, coarse timestamps
    return root / (plan.load or plan.pid)


def _write(path: Path, what: Any, root: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "dir":
        path.mkdir()
    elif what == "devzero":
        path.symlink_to("/dev/zero")
    elif what == "dangling":
        path.symlink_to(root / "no-such-file")
    elif what != "delete":
        path.write_bytes(what if isinstance(what, bytes) else what.encode("utf-8"))


def located(d: Any, roots: tuple[Path, ...]) -> bool:
    if d.code in FILE_LEVEL or (d.code == "yaml-alias" and d.message.startswith(("... and", "aliases expand"))):
        return True
    loc = d.location
    if loc is None or not loc.line or not loc.column:
        return False
    try:
        file = Path(loc.file).resolve()
    except (OSError, ValueError):
        return False
    return any(file.is_relative_to(r) for r in roots)


def check_refusal(probe: Probe, diags: tuple, roots: tuple[Path, ...], what: str) -> None:
    """A refusal is a clean error when every error is located inside the pack's folders."""
    errors = [d for d in diags if d.severity == "error"]
    if not errors:
        probe.flag(INCONSISTENT, f"{what}: PackError without an error diagnostic")
    for d in errors:
        if not located(d, roots):
            probe.flag(UNLOCATED, f"{what}: {d.format()[:300]}")
            break


def evaluate_everything(probe: Probe, pack: Any, baseline: dict | None, traced_every: int = 3) -> None:
    """Every question on every probe case, untraced; every ``traced_every``-th traced too, with its
    JSON checked against the decision schema. Exceptions escape (tracebacks)."""
    for i, (case, as_of) in enumerate(probe_cases()):
        for q in QUESTIONS:
            d = dr.evaluate(pack, case, q, as_of=as_of, trace=False)
            if baseline is not None and baseline[(i, q)] is not None and key_of(d) != baseline[(i, q)]:
                probe.flag(INCONSISTENT, f"case {i} {q} at {as_of}: {key_of(d)} != unmutated {baseline[(i, q)]}")
                baseline = None  # one report per input
            if i % traced_every == 0:
                t = dr.evaluate(pack, case, q, as_of=as_of, trace=True)
                valid_decision_json(probe, t.to_dict(), f"case {i} {q}:")
                _ = [r.trace for r in t.rules], t.missing_facts


def is_analyst_file(rel: str) -> bool:
    """A scenario file or the coverage file: ``validate`` reads them, a load does not."""
    inner = rel.split("/", 1)[1]
    return inner.startswith("tests/") or inner == "coverage.yaml"


def run(plan: PackPlan, probe: Probe, *, cli_every: int = 4) -> None:
    s = seed(plan.pid)
    analyst = is_analyst_file(plan.target)
    every = zlib.crc32(repr(plan).encode("utf-8", "surrogatepass"))
    with fresh_dir("pack") as root:
        leaf = materialize(plan, root)
        roots = (root.resolve(), chain.bundled_root().resolve())
        try:
            pack = dr.load_pack(leaf)
            diags: tuple = ()
        except dr.PackError as exc:
            pack, diags = None, exc.diagnostics
        checked = tuple(dr.check_pack(leaf))
        if pack is None:
            probe.refused = True
            check_refusal(probe, diags, roots, plan.describe())
            if checked != diags:
                probe.flag(INCONSISTENT, f"check_pack and load_pack disagree ({len(checked)} vs {len(diags)} diagnostics)")
            if analyst:
                probe.flag(INCONSISTENT, f"{plan.describe()}: a scenario or coverage file changed the pack's load")
            elif plan.expect == "harmless":
                first = next((d for d in diags if d.severity == "error"), None)
                probe.flag(FALSE_REJECTION, f"{plan.describe()} -> {first.format()[:300] if first else diags}")
            elif plan.codes and not any(d.code in plan.codes for d in diags):
                probe.notes.append(f"refused with {sorted({d.code for d in diags if d.severity == 'error'})}, "
                                   f"not {list(plan.codes)}")
        else:
            if plan.expect == "invalid" and not analyst:
                probe.flag(WRONG_ACCEPTANCE, f"{plan.describe()} loaded (expected {', '.join(plan.codes) or 'an error'})")
            if any(d.severity == "error" for d in checked):
                probe.flag(INCONSISTENT, "load_pack loaded but check_pack reports errors")
            harmless = plan.expect == "harmless" and pack.chain == s.chain and not analyst
            if harmless and plan.same_data and pack.fingerprint != s.pack.fingerprint:
                probe.flag(INCONSISTENT, f"{plan.describe()}: fingerprint changed")
            evaluate_everything(probe, pack, s.baseline if harmless else None)
        if plan.warm:  # what an edit in place gave must be what a fresh process gets
            loader.clear_caches()
            cold = tuple(dr.check_pack(leaf))
            if cold != checked:
                probe.flag(INCONSISTENT, f"after an edit in place (same mtime) the process still answers from its caches: "
                           f"{len(checked)} diagnostics, a fresh load {len(cold)}")
        cli = bool(cli_every) and every % cli_every == 0
        if analyst or cli:
            _validate(probe, plan, leaf, pack, roots, analyst, cli)
        if cli and pack is not None:
            _other_verbs(probe, leaf, s.chain[0], every)


# The other verbs on a pack that loads, one per input: the exit codes docs/cli.md gives them.
VERBS: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] = (
    (("resolve", "{leaf}", "--format", "json"), (0,)), (("resolve", "{leaf}"), (0,)), (("resolve", "{leaf}", "--format", "md"), (0,)),
    (("diff", "{root}", "{leaf}", "--format", "md"), (0,)), (("diff", "{leaf}", "{root}", "--format", "json"), (0,)),
    (("test", "{leaf}"), (0, 1)), (("coverage", "{leaf}", "--format", "json"), (0, 1)), (("coverage", "{leaf}"), (0, 1)),
    (("explain", "--pack", "{leaf}", "{case}", "--format", "md"), (0,)), (("evaluate", "--pack", "{leaf}", "{case}"), (0,)),
)


def _other_verbs(probe: Probe, leaf: Path, root_id: str, every: int) -> None:
    from dingdian_rules.cli import main

    words, codes = VERBS[(every // 7) % len(VERBS)]
    case = sorted((REPO / "examples").glob("*.yaml"))[(every // 3) % 7]
    args = [w.format(leaf=leaf, root=root_id, case=case) for w in words]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    out.flush()
    if code not in codes:
        err.flush()
        tail = err.buffer.getvalue().decode("utf-8", "replace").strip().splitlines()[-1:]  # type: ignore[attr-defined]
        probe.flag(INCONSISTENT, f"`dingdian-rules {' '.join(words)}` exited {code} for a pack that loads: {tail}")
    elif "json" in words:
        json.loads(out.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]


def _validate(probe: Probe, plan: PackPlan, leaf: Path, pack: Any, roots: tuple[Path, ...], analyst: bool,
              cli: bool) -> None:
    """``validate``'s checks (the load, the coverage file, the scenario files: never an exception,
    every error located), the scenarios run when a scenario file was changed, and the command."""
    from dingdian_rules.analysis import validation  # (lazily: the review's code, which the suite is also run on, has none)

    v = validation.validate_pack(leaf)
    for d in v.errors:
        if not located(d, roots):
            probe.flag(UNLOCATED, f"validate: {d.format()[:300]}")
            break
    if analyst:
        if v.errors:
            probe.refused = True
        if plan.expect == "invalid" and not v.errors:
            probe.flag(WRONG_ACCEPTANCE, f"{plan.describe()}: validate found nothing (expected {', '.join(plan.codes) or 'an error'})")
        elif plan.expect == "harmless" and v.errors:
            probe.flag(FALSE_REJECTION, f"{plan.describe()} -> {v.errors[0].format()[:300]}")
        if pack is not None and "/tests/" in plan.target:
            results = dr.scenarios.run_scenarios(pack)
            failed = [r for r in results if not r.passed]
            if plan.expect == "harmless" and failed:
                probe.flag(INCONSISTENT, f"{plan.describe()}: scenario {failed[0].name!r} fails: {failed[0].problems[:1]}")
    if cli:
        from dingdian_rules.cli import main

        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["validate", str(leaf), "--format", "json"])
        out.flush()
        want = 3 if not v.found else 1 if v.errors else 0
        if code != want:
            probe.flag(INCONSISTENT, f"validate exited {code}, expected {want} ({len(v.errors)} errors)")
        if code in (0, 1):
            json.loads(out.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]
