"""The decision log: one JSON record per decision, appended to a JSON Lines file, read back by
``dingdian-rules verify``.

A record holds the decision's JSON and what re-running it needs: the pack reference it was
loaded by, the holiday arrangements the caller supplied, the question, the evaluation date and
the canonical case (``identity.canonical_case``). Appenders never coordinate: the file is opened
with ``O_APPEND`` and each record is written by one ``write`` of one whole line, so records of
concurrent processes (CLI runs, service workers, batch jobs) never interleave on a local file
system; the file is never rewritten or truncated. docs/cli.md, "Decision logs".
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from ..errors import CaseError, Diagnostic, Location
from ..facts.cases import read_case
from ..facts.plain import is_case
from ..facts.written import parse_iso_date
from ..packs.plans import QUESTIONS
from ..time import YearArrangement
from .decision import Decision
from .identity import canonical_case

if TYPE_CHECKING:
    from ..facts.models import Case

__all__ = ["LOG_VERSION", "DecisionLog", "LogEntry", "log_record", "read_log"]

LOG_VERSION = 1
MAX_LINE_BYTES = 64_000_000  # a traced decision of the largest bundled pack is well under 1 MB
_HINT = "a decision log holds one JSON object a line, as `--log` writes it; remove or repair this line"


def _arrangement_dict(y: YearArrangement) -> dict[str, Any]:
    return {"year": y.year, "holidays": sorted(d.isoformat() for d in y.holidays),
            "makeup_workdays": sorted(d.isoformat() for d in y.makeup_workdays), "source": y.source}


def log_record(decision: Decision, *, case: Case | Mapping[str, Any] | None = None,
               pack_ref: str | os.PathLike[str] | None = None, holidays: Iterable[YearArrangement] = ()) -> dict[str, Any]:
    """The log record of ``decision`` (what ``DecisionLog.append`` writes). ``pack_ref`` is what
    the pack was loaded by (a bundled id, or a folder, stored as an absolute path; default: the
    decision's pack id); ``holidays`` the arrangements given to ``load_pack``; ``case`` defaults
    to the case the decision was made on."""
    if case is None:
        case = decision._case
    elif not is_case(case):
        case = read_case(case)
    if pack_ref is None:
        ref = decision.pack_id
    elif isinstance(pack_ref, Path) or not isinstance(pack_ref, str):
        ref = str(Path(pack_ref).expanduser().resolve())
    else:
        ref = pack_ref
    inp: dict[str, Any] = {"pack": ref, "question": decision.question, "as_of": decision.as_of.isoformat(),
                           "case": canonical_case(case)}
    arrangements = sorted(holidays, key=lambda y: y.year)
    if arrangements:
        inp["holidays"] = [_arrangement_dict(y) for y in arrangements]
    return {"log_version": LOG_VERSION, "input": inp, "decision": decision.to_dict()}


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from the input: JSON's own \\ud800 escape reads back the same
        return (json.dumps(record, separators=(",", ":")) + "\n").encode("ascii")


class DecisionLog:
    """An append-only decision log; safe for any number of concurrent appenders.

    ``DecisionLog(path).append(decision, case=..., pack_ref=...)`` adds one line. The file is
    created when missing (mode 0644 before the umask) and opened on first use; only a regular file
    is accepted (a pipe or device is refused, never waited on). Use it as a context manager, or
    call ``close()``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fd: int | None = None

    def open(self) -> "DecisionLog":
        """Open the file now (``append`` does it otherwise), so a bad path fails before any work."""
        if self._fd is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.path, flags, 0o644)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise OSError(errno.EINVAL, "a decision log must be a regular file", self.path)
            os.set_blocking(fd, True)
            self._fd = fd
        return self

    def append(self, decision: Decision, *, case: Case | Mapping[str, Any] | None = None,
               pack_ref: str | os.PathLike[str] | None = None,
               holidays: Iterable[YearArrangement] = ()) -> dict[str, Any]:
        """Append the record of ``decision`` (``log_record``) as one line, in one write; return it."""
        record = log_record(decision, case=case, pack_ref=pack_ref, holidays=holidays)
        data = _line(record)
        fd = self.open()._fd
        written = os.write(fd, data)  # type: ignore[arg-type]
        if written != len(data):  # a full disk; never split a record over two writes
            raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes of a record were written", self.path)
        return record

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "DecisionLog":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class LogEntry:
    """One record read back from a log, with its line, checked enough to be re-run."""

    file: str
    line: int
    pack_ref: str
    holidays: tuple[YearArrangement, ...]
    question: str
    as_of: date
    case: Case
    decision: dict[str, Any]  # the decision JSON as logged

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, 1)


def read_log(path: str | os.PathLike[str]) -> Iterator[LogEntry | Diagnostic]:
    """Each record of the log in order, or a diagnostic located at ``file:line`` for a line that
    is not one (the reading goes on with the next line). A file that cannot be read at all gives
    one diagnostic."""
    file = os.fspath(path)
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        yield Diagnostic("file-unreadable", f"cannot read the log: {exc.strerror}", Location(file),
                         hint="give the file --log wrote")
        return
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        yield Diagnostic("file-unreadable", "cannot read the log: not a regular file", Location(file),
                         hint="give the file --log wrote")
        return
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as f:
        n = 0
        while True:
            raw = f.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            n += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = f.readline(MAX_LINE_BYTES)
                yield Diagnostic("file-too-large", f"line is longer than {MAX_LINE_BYTES} bytes", Location(file, n, 1),
                                 hint=_HINT)
                continue
            if raw.strip():
                yield _entry(raw, file, n)


def _bad(file: str, n: int, message: str, path: str = "") -> Diagnostic:
    return Diagnostic("bad-log-record", message, Location(file, n, 1), path, _HINT)


def _entry(raw: bytes, file: str, n: int) -> LogEntry | Diagnostic:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        return Diagnostic("not-utf8", "the line is not UTF-8 text", Location(file, n, exc.start + 1), hint=_HINT)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Diagnostic("json-syntax", exc.msg, Location(file, n, exc.colno), hint=_HINT)
    except RecursionError:
        return Diagnostic("too-deep", "nesting is too deep", Location(file, n, 1), hint=_HINT)
    if not isinstance(data, dict):
        return _bad(file, n, "not a JSON object")
    if data.get("log_version") != LOG_VERSION:
        return _bad(file, n, f"log_version is {data.get('log_version')!r}, not {LOG_VERSION}", "log_version")
    inp, decision = data.get("input"), data.get("decision")
    if not isinstance(inp, dict):
        return _bad(file, n, "no input object", "input")
    if not isinstance(decision, dict) or not isinstance(decision.get("pack"), dict) \
            or not isinstance(decision.get("record"), dict) or not isinstance(decision.get("fired"), list):
        return _bad(file, n, "no decision object with pack, record and fired", "decision")
    ref, question, as_of, case = inp.get("pack"), inp.get("question"), inp.get("as_of"), inp.get("case")
    if not isinstance(ref, str) or not ref:
        return _bad(file, n, "input.pack is not a pack reference", "input.pack")
    if question not in QUESTIONS:
        return _bad(file, n, f"input.question {question!r} is not a question", "input.question")
    try:
        day = parse_iso_date(as_of)  # type: ignore[arg-type]
    except ValueError:
        return _bad(file, n, f"input.as_of {as_of!r} is not a date written YYYY-MM-DD", "input.as_of")
    if not isinstance(case, dict):
        return _bad(file, n, "input.case is not an object", "input.case")
    try:
        holidays = tuple(_arrangement(y) for y in inp.get("holidays") or ())
    except (TypeError, ValueError, AttributeError) as exc:
        return _bad(file, n, f"input.holidays: {exc}", "input.holidays")
    try:
        parsed = read_case(case, source=file)
    except CaseError as exc:
        d = exc.diagnostics[0]
        more = f" (and {len(exc.diagnostics) - 1} more)" if len(exc.diagnostics) > 1 else ""
        return Diagnostic(d.code, d.message + more, Location(file, n, 1),
                          "input.case" + ("." + d.path if d.path else ""), d.hint)
    return LogEntry(file, n, ref, holidays, question, day, parsed, decision)


def _arrangement(y: Any) -> YearArrangement:
    return YearArrangement(y["year"], frozenset(map(parse_iso_date, y["holidays"])),
                           frozenset(map(parse_iso_date, y["makeup_workdays"])), y.get("source", ""))
