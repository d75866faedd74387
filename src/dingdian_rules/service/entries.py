"""Request bodies → entries (pack, question, as_of, case), with the CLI's located diagnostics.

A body is read with the JSON reader's limits (``reading.json_reader``: UTF-8, nesting at most 64
levels, no duplicate keys, no NaN) and validated with the same pydantic diagnostics a case file
gets. Where a mistake stands is said as a JSON pointer into the body (``/case/institution/beds``;
``/3/case/...`` for the fourth entry of a JSON array body) plus the line and column of the body
text. Validation runs first without locations (the common, valid case pays nothing for them);
only a body with mistakes is read a second time with the YAML reader to locate each value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Callable, Iterator, Mapping

import pydantic

from ..errors import Diagnostic, did_you_mean
from ..facts.models import Case
from ..facts.written import parse_iso_date
from ..packs.plans import QUESTIONS
from ..reading.json_reader import MAX_BYTES, json_lines, load_json, parse_json_document
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import Path_, YamlDoc, format_path

__all__ = ["BODY", "ENTRY_KEYS", "Body", "Entry", "EntryError", "batch_items", "diagnostic_record", "pointer",
           "read_body"]

BODY = "<request body>"  # the "file" of diagnostics about a body
ENTRY_KEYS = ("pack", "question", "as_of", "case", "name", "note")
MAX_DEPTH = 64  # the JSON reader's default, as for a case file
# one part of a formatted path: a name, .name, [3] or ["a key with spaces"]
_PART = re.compile(r'\.?([^\s.\[\]"\']+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


@dataclass(frozen=True)
class Entry:
    """One question to answer: the pack id, the question (None: every question the case gives
    facts for, as the CLI does), the evaluation date (None: today) and the validated case."""

    pack: str
    question: str | None
    as_of: date | None
    case: Case
    data: Mapping[str, Any]  # the entry as sent (for a decision hook such as an audit log)


class EntryError(Exception):
    """A body or an entry that cannot be answered: its diagnostics, each with a JSON pointer."""

    def __init__(self, diagnostics: list[dict[str, Any]], message: str) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics
        self.message = message


def pointer(path: Path_) -> str:
    """RFC 6901 JSON pointer of a path: ``("case", "institution", "beds")`` → ``/case/institution/beds``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _parts(text: str) -> Path_:
    """The path a diagnostic names (``case.institution["a b"][2]``, as ``format_path`` writes it)."""
    out: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None:  # not a path this reader wrote: keep it whole
            return (*out, text[pos:])
        if m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(m.group(1) if m.group(1) is not None else re.sub(r"\\(.)", r"\1", m.group(3)))
        pos = m.end()
    return tuple(out)


def diagnostic_record(d: Diagnostic, path: Path_ | None = None) -> dict[str, Any]:
    """A diagnostic as the service writes it: the CLI's code, message and hint, the location as a
    JSON pointer into the body, and the line and column of the body text (null when unknown)."""
    where = path if path is not None else _parts(d.path)
    loc = d.location
    return {"code": d.code, "severity": d.severity, "message": d.message, "location": pointer(where),
            "line": loc.line or None if loc else None, "column": loc.column or None if loc else None,
            "hint": d.hint}


def _check_entry(data: Any, doc: YamlDoc, base: Path_, packs: Mapping[str, Any]) -> tuple[Entry | None, list[Diagnostic]]:
    """Validate one entry at ``base`` of ``doc``; diagnostics carry formatted paths from the body's root."""
    def diag(code: str, message: str, at: Path_, hint: str = "", key: bool = False) -> Diagnostic:
        full = base + at
        return Diagnostic(code, message, doc.locate_key(full) if key else doc.locate(full), format_path(full), hint)

    if not isinstance(data, dict):
        return None, [diag("not-a-mapping", f"an entry must be a JSON object, not {_kind(data)}", (),
                           'write {"pack": "national", "question": "application", "as_of": "2025-06-01", "case": {...}}')]
    out: list[Diagnostic] = []
    for key in data:
        if key not in ENTRY_KEYS:
            out.append(diag("unknown-field", f"unknown field '{key}'", (key,),
                            did_you_mean(key, ENTRY_KEYS) or "allowed fields: " + ", ".join(ENTRY_KEYS), key=True))
    pack = data.get("pack")
    if "pack" not in data:
        out.append(diag("missing-field", "missing required field 'pack'", ("pack",),
                        "name a loaded pack: " + ", ".join(packs)))
    elif not isinstance(pack, str) or pack not in packs:
        out.append(diag("unknown-pack", f"no pack {pack!r} is loaded", ("pack",),
                        did_you_mean(str(pack), packs) or "loaded packs: " + ", ".join(packs)))
    question = data.get("question")
    if question is not None and question not in QUESTIONS:
        out.append(diag("unknown-question", f"{question!r} is not a question", ("question",),
                        did_you_mean(str(question), QUESTIONS) or "allowed values: " + ", ".join(QUESTIONS)))
    as_of = None
    if data.get("as_of") is not None:
        try:
            as_of = parse_iso_date(data["as_of"]) if isinstance(data["as_of"], str) else None
        except ValueError:
            pass
        if as_of is None:
            out.append(diag("bad-date", f"not a valid date: {data['as_of']!r}", ("as_of",), "write dates as YYYY-MM-DD"))
    case = None
    if "case" not in data:
        out.append(diag("missing-field", "missing required field 'case'", ("case",),
                        'add "case": {"institution": {...}, ...}'))
    elif not isinstance(data["case"], dict):
        out.append(diag("not-a-mapping", f"`case` must be a JSON object, not {_kind(data['case'])}", ("case",),
                        'write "case": {"institution": {...}, ...}'))
    else:
        try:
            case = Case.model_validate(data["case"])
        except pydantic.ValidationError as exc:
            out += pydantic_diagnostics(exc, Case, doc, base + ("case",))
    if out or case is None:
        return None, out
    return Entry(pack, question, as_of, case, data), []  # type: ignore[arg-type]


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


class Body:
    """A JSON document of a body (the whole body, or one line of a JSON Lines body): its text, its
    value, and its located form, read only when a mistake needs placing (and then once)."""

    def __init__(self, text: str, first_line: int = 1, max_bytes: int = MAX_BYTES) -> None:
        data, diags = parse_json_document(text, BODY, max_depth=MAX_DEPTH, max_bytes=max_bytes, first_line=first_line)
        if diags:
            raise EntryError([diagnostic_record(d, ()) for d in diags], "the body is not valid JSON")
        self.text, self.data, self.first_line, self.max_bytes = text, data, first_line, max_bytes
        self._located: YamlDoc | None = None

    def located(self) -> YamlDoc:
        if self._located is None:
            doc, _ = load_json(self.text, BODY, max_depth=MAX_DEPTH + 1, max_bytes=self.max_bytes,
                               first_line=self.first_line)
            self._located = doc if doc is not None else YamlDoc(self.data, {}, {}, BODY)
        return self._located

    def entry(self, packs: Mapping[str, Any], base: Path_ = ()) -> Entry:
        """The entry at ``base``; on a mistake ``EntryError`` with every diagnostic located."""
        value = self.data
        for p in base:
            value = value[p]
        entry, diags = _check_entry(value, YamlDoc(self.data, {}, {}, BODY), base, packs)
        if entry is not None:
            return entry
        _, diags = _check_entry(value, self.located(), base, packs)
        raise EntryError([diagnostic_record(d) for d in diags],
                         "the entry is not valid" if base else "the request is not valid")


def read_body(text: str, packs: Mapping[str, Any]) -> Entry:
    """One entry from a whole request body (``POST /v1/evaluate`` and ``/v1/explain``)."""
    return Body(text).entry(packs)


def batch_items(text: str, max_bytes: int) -> Iterator[tuple[int | None, Callable[[Mapping[str, Any]], Entry]]]:
    """The entries of a batch body, in order, each as (line, a function giving its ``Entry`` or
    raising ``EntryError``): a JSON array (entry i at pointer ``/i``, line None) or JSON Lines (each
    line its own document, pointers from that line's value). A line that is not JSON is an error
    of its own entry; the others go on. An array may be ``max_bytes`` long, a line the JSON
    reader's limit (2 MB)."""
    if text.lstrip("\ufeff \t\r\n").startswith("["):
        body = Body(text, max_bytes=max_bytes)
        for i in range(len(body.data)):
            yield None, partial(body.entry, base=(i,))
        return
    for n, line in json_lines(text):
        try:
            body = Body(line, first_line=n)
        except EntryError as exc:
            yield n, partial(_raise, exc)
            continue
        yield n, body.entry


def _raise(exc: EntryError, packs: Mapping[str, Any]) -> Entry:
    raise exc
