"""The fuzzer's verdicts, their counting, the per-input time limit and the hypothesis driver.

Every input the fuzzer tries gets exactly one verdict, its worst finding (the review's counting
rule, docs/reliability.md). A category's runner receives a ``Probe`` and calls ``probe.flag``
for every finding; an exception that escapes the runner is a traceback, and an input that does
not finish within the time limit is a hang.
"""

from __future__ import annotations

import math
import os
import re
import signal
import tempfile
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

# Verdicts, worst first (the review's counting rule). The first two are not defects.
HANG = "hang"
TRACEBACK = "traceback"
LOST = "lost decision"
INCONSISTENT = "inconsistent"
WRONG_ACCEPTANCE = "wrong acceptance"
FALSE_REJECTION = "false rejection"
UNLOCATED = "unlocated diagnostic"
CLEAN_ERROR = "clean error"
ACCEPTED = "accepted"
WORST_FIRST = (HANG, TRACEBACK, LOST, INCONSISTENT, WRONG_ACCEPTANCE, FALSE_REJECTION, UNLOCATED, CLEAN_ERROR, ACCEPTED)
DEFECTS = WORST_FIRST[:-2]
OK = (CLEAN_ERROR, ACCEPTED)

# Columns of the figures table (the review's classes), and the verdict each counts.
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("inputs tried", None), ("accepted", ACCEPTED), ("clean errors", CLEAN_ERROR), ("tracebacks", TRACEBACK),
    ("hangs", HANG), ("wrong acceptances", WRONG_ACCEPTANCE), ("false rejections", FALSE_REJECTION),
    ("unlocated diagnostics", UNLOCATED), ("inconsistent", INCONSISTENT), ("lost decisions", LOST),
)


class Hang(BaseException):
    """Raised into the input that ran past its time limit (a BaseException, so that no
    ``except Exception`` in the library can swallow it)."""


class Probe:
    """What one input found. ``flag`` records a finding; ``refused`` notes that the library
    refused the input with its documented error (a clean error, unless something worse is found)."""

    def __init__(self, category: str, label: str) -> None:
        self.category, self.label = category, label
        self.findings: list[tuple[str, str]] = []
        self.refused = False
        self.notes: list[str] = []

    def flag(self, verdict: str, detail: str) -> None:
        assert verdict in DEFECTS, verdict
        self.findings.append((verdict, detail))

    def check(self, ok: bool, verdict: str, detail: str) -> bool:
        if not ok:
            self.flag(verdict, detail)
        return ok

    def verdict(self) -> tuple[str, str]:
        if self.findings:
            worst = min(self.findings, key=lambda f: WORST_FIRST.index(f[0]))
            return worst
        return (CLEAN_ERROR if self.refused else ACCEPTED), ""


@dataclass
class Result:
    category: str
    label: str
    verdict: str
    detail: str
    plan: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict in OK

    def report(self, width: int = 1500) -> str:
        plan = self.plan if len(self.plan) <= width else self.plan[:width] + " … (in full with --findings)"
        return f"[{self.category}] {self.verdict}: {self.label}\n  {self.detail}\n  input: {plan}"


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``Hang`` into the block after ``seconds`` (a real-time interval timer; in the main
    thread only, where signals are delivered; elsewhere the block runs unbounded). A blocking
    system call such as ``open()`` of a named pipe is interrupted too: the handler raises."""
    if (not seconds or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def short_traceback(exc: BaseException) -> str:
    """The exception and the innermost frames that are not the fuzzer's own."""
    frames = traceback.extract_tb(exc.__traceback__)
    library = [f for f in frames if "dingdian_rules" in f.filename or f.filename.startswith("<")]
    inner = library[-3:] or frames[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(inner))
    return f"{type(exc).__name__}: {str(exc)[:300]} (at {where}){'' if library else ' [in the fuzzer itself]'}"


def run_one(category: str, label: str, runner: Callable[[Probe], None], timeout: float | None,
            plan: str = "") -> Result:
    """Run one input under the time limit and give its verdict."""
    probe = Probe(category, label)
    started = time.perf_counter()
    try:
        with time_limit(timeout):
            runner(probe)
    except Hang as exc:
        probe.flag(HANG, str(exc))
    except Exception as exc:  # noqa: BLE001 - every escape is a finding
        probe.flag(TRACEBACK, short_traceback(exc))
    verdict, detail = probe.verdict()
    return Result(category, label, verdict, detail, plan, time.perf_counter() - started)


@dataclass
class Figures:
    """Verdict counts per category, and the inputs with a defect."""

    counts: dict[str, Counter] = field(default_factory=dict)
    findings: list[Result] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, result: Result) -> None:
        self.counts.setdefault(result.category, Counter())[result.verdict] += 1
        self.seconds[result.category] = self.seconds.get(result.category, 0.0) + result.seconds
        if not result.ok:
            self.findings.append(result)

    def tried(self, category: str | None = None) -> int:
        cats = [category] if category else list(self.counts)
        return sum(sum(self.counts.get(c, Counter()).values()) for c in cats)

    def defects(self) -> int:
        return sum(c[v] for c in self.counts.values() for v in DEFECTS)

    def table(self, order: list[str]) -> str:
        """The figures table in the review's classes (Markdown)."""
        head = "| category | " + " | ".join(name for name, _ in COLUMNS) + " |"
        rows = [head, "|---" * (len(COLUMNS) + 1) + "|"]
        total: Counter = Counter()
        for cat in order:
            c = self.counts.get(cat, Counter())
            total.update(c)
            rows.append(f"| {cat} | " + " | ".join(_cell(c, v) for _, v in COLUMNS) + " |")
        rows.append("| **total** | " + " | ".join(f"**{_cell(total, v)}**" for _, v in COLUMNS) + " |")
        return "\n".join(rows)


def _cell(c: Counter, verdict: str | None) -> str:
    return f"{(sum(c.values()) if verdict is None else c[verdict]):,}"


def valid_decision_json(probe: "Probe", payload: Any, what: str = "") -> None:
    """``payload`` (a decision's ``to_dict()``) must be strict JSON (no ``Infinity`` or ``NaN``,
    which JSON has not) that validates against the decision schema (``DecisionModel``, in JSON
    mode), else the input is **inconsistent**. Lone surrogates (valid input text, docs/cli.md,
    written as ``\\udxxx`` escapes) are replaced first: pydantic's JSON reader refuses them."""
    import json

    import pydantic

    from dingdian_rules.evaluation.decision_schema import DecisionModel

    try:
        text = json.dumps(_no_surrogates(payload), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        probe.flag(INCONSISTENT, f"{what} decision JSON: {exc} ({_non_finite(payload)})")
        return
    try:
        DecisionModel.model_validate_json(text)
    except pydantic.ValidationError as exc:
        probe.flag(INCONSISTENT, f"{what} decision JSON does not validate: {str(exc)[:300]}")


def _non_finite(x: Any, path: str = "") -> str:
    if isinstance(x, float) and not math.isfinite(x):
        return f"{path} = {x}"
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, (list, tuple)) else ()
    for k, v in items:
        found = _non_finite(v, f"{path}.{k}" if isinstance(k, str) else f"{path}[{k}]")
        if found:
            return found
    return ""


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(x: Any) -> Any:
    if isinstance(x, str):
        return _SURROGATE.sub("\ufffd", x)
    if isinstance(x, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_no_surrogates(v) for v in x]
    return x


# Plain scalars that YAML 1.2's core schema reads as something other than text (the project's
# reader follows it; PyYAML's writer quotes by YAML 1.1's rules, so it writes `1e3` unquoted).
_NOT_TEXT = re.compile(r"~|null|true|false|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-f]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)"
                       r"([e][-+]?[0-9]+)?|[-+]?\.inf|\.nan|", re.IGNORECASE)


def yaml_dump(data: Any, *, flow: bool = False, width: int = 100, aliases: bool = False) -> str:
    """YAML text whose values read back as ``data``: text a YAML 1.2 reader would take for a
    number, a boolean or null is quoted, and line-break characters (NEL, U+2028, U+2029, which
    PyYAML's writer does not keep) are escaped in double quotes. An object that occurs twice is
    written twice, unless ``aliases`` (then PyYAML writes an anchor and an alias)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return not aliases or super().ignore_aliases(data)

    def text(dumper: Any, value: str) -> Any:
        style = None
        if any(ch in value for ch in "\x85\u2028\u2029"):
            style = '"'
        elif _NOT_TEXT.fullmatch(value):
            style = "'"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=width,
                     default_flow_style=True if flow else False)


_SCRATCH: list[Path] = []


def scratch_root() -> Path:
    """A private temporary folder for this process's inputs (removed at exit)."""
    if not _SCRATCH:
        import atexit
        import shutil

        root = Path(tempfile.mkdtemp(prefix="dingdian-fuzz-"))
        _SCRATCH.append(root)
        atexit.register(shutil.rmtree, root, True)
    return _SCRATCH[0]


_counter = iter(range(1 << 62))


@contextmanager
def fresh_dir(prefix: str) -> Iterator[Path]:
    """A new empty folder under ``scratch_root()``, removed afterwards."""
    import shutil

    d = scratch_root() / f"{prefix}-{os.getpid()}-{next(_counter)}"
    d.mkdir(parents=True)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
