"""Events read from YAML or JSON Lines files with located errors (YAML loaded lazily, so the fold never needs it).

Both formats have the same limits (``MAX_EVENTS_BYTES``, UTF-8 with or without a BOM, 64 levels
of nesting, no duplicate keys) and report every bad event of a file at once, each diagnostic
with the file, line and column of the offending value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from .event_models import EventError, parse_event

__all__ = ["load_events_file", "events_file_settings", "MAX_EVENTS_BYTES"]

MAX_EVENTS_BYTES = 16_000_000  # an event log grows with time: about 150,000 events of one line each


def _is_json_lines(p: Path) -> bool:
    return p.suffix.lower() in (".jsonl", ".ndjson")


def load_events_file(path: str | Path) -> list[Any]:
    """Read events from YAML (a list, or ``{events: [...]}``) or JSON Lines (``.jsonl``, one per line)."""
    p = Path(path)
    out: list[Any] = []
    diags: list[Diagnostic] = []
    if _is_json_lines(p):
        from ..reading.json_reader import load_json_lines_file, locate_line

        lines, problems = load_json_lines_file(p, max_bytes=MAX_EVENTS_BYTES)
        if lines is None:
            raise EventError(_summary(p, problems, "not JSON Lines"), problems)
        for n, line, data in lines:
            try:
                out.append(parse_event(data, source=f"{p}:{n}"))
            except EventError:  # again, now with the line's locations (read only when needed)
                try:
                    parse_event(data, source=f"{p}:{n}", doc=locate_line(line, str(p), n))
                except EventError as exc:
                    diags += exc.diagnostics
        if diags:
            raise EventError(_summary(p, diags, "invalid events"), diags)
        return out
    from ..reading.yaml_reader import load_yaml_file  # the project's safe loader: dates stay strings, lines recorded

    doc, problems = load_yaml_file(p, max_bytes=MAX_EVENTS_BYTES)
    if doc is None:
        raise EventError(_summary(p, problems, "not readable as YAML"), problems)
    data = doc.data
    if isinstance(data, dict) and set(data) <= {"events", "as_of", "pack", "note"} and "events" in data:
        data, base = data["events"], ("events",)
    else:
        base = ()
    if not isinstance(data, list):
        raise EventError(f"{p}: an events file is a list of events (or `events: [...]`)",
                         [Diagnostic("not-a-list", "expected a list of events", doc.locate(base),
                                     hint="write one event per list item: `- {type: ..., institution_id: ..., on: ...}`")])
    for i, item in enumerate(data):
        try:
            out.append(parse_event(item, source=str(doc.locate(base + (i,))), doc=doc, path=base + (i,)))
        except EventError as exc:
            diags += exc.diagnostics
    if diags:
        raise EventError(_summary(p, diags, "invalid events"), diags)
    return out


def _summary(p: Path, diags: list[Diagnostic], what: str) -> str:
    first = diags[0] if diags else None
    where = str(first.location) if first is not None and first.location is not None else str(p)
    more = f" (and {len(diags) - 1} more)" if len(diags) > 1 else ""
    return f"{where}: {what}: {first.message if first else ''}{more}"


def events_file_settings(path: str | Path) -> dict[str, Any]:
    """The optional top-level keys of a YAML events file (``as_of``, ``pack``)."""
    p = Path(path)
    if _is_json_lines(p):
        return {}
    from ..reading.yaml_reader import load_yaml_file

    doc, _ = load_yaml_file(p, max_bytes=MAX_EVENTS_BYTES)
    if doc is not None and isinstance(doc.data, dict):
        return {k: v for k, v in doc.data.items() if k in ("as_of", "pack")}
    return {}

