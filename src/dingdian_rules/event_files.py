"""Events read from YAML or JSON Lines files with located errors (YAML loaded lazily, so the fold never needs it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import Diagnostic, Location
from .event_models import EventError, parse_event

__all__ = ["load_events_file", "events_file_settings"]


def load_events_file(path: str | Path) -> list[Any]:
    """Read events from YAML (a list, or ``{events: [...]}``) or JSON Lines (``.jsonl``, one per line)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                d = Diagnostic("json-syntax", exc.msg, Location(str(p), n, exc.colno))
                raise EventError(f"{p}:{n}: not JSON: {exc.msg}", [d]) from None
            out.append(parse_event(data, source=f"{p}:{n}"))
        return out
    from .yamlio import load_yaml_file  # the project's safe loader: dates stay strings, lines recorded

    doc, diags = load_yaml_file(p)
    if doc is None:
        raise EventError(f"{p}: not readable as YAML", diags)
    data = doc.data
    if isinstance(data, dict) and set(data) <= {"events", "as_of", "pack", "note"} and "events" in data:
        data, base = data["events"], ("events",)
    else:
        base = ()
    if not isinstance(data, list):
        raise EventError(f"{p}: an events file is a list of events (or `events: [...]`)",
                         [Diagnostic("not-a-list", "expected a list of events", doc.locate(base))])
    out = []
    for i, item in enumerate(data):
        loc = doc.locate(base + (i,))
        out.append(parse_event(item, source=str(loc)))
    return out


def events_file_settings(path: str | Path) -> dict[str, Any]:
    """The optional top-level keys of a YAML events file (``as_of``, ``pack``)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        return {}
    from .yamlio import load_yaml_file

    doc, _ = load_yaml_file(p)
    if doc is not None and isinstance(doc.data, dict):
        return {k: v for k, v in doc.data.items() if k in ("as_of", "pack")}
    return {}
