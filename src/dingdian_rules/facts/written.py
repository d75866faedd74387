"""How fact values are written in a case, and the readers of its dates and date-times.

Values are read strictly: a wrong fact gives a wrong decision with no diagnostic, so ``n`` is not
false, ``0`` is not 1970-01-01 and ``'12'`` is not 12. Free of pydantic: the condition parser, the
evaluator and the pydantic-free case reader (``facts.plain``) use these too.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date-time as a case writes it: the day, T or one space, hours and minutes, optional seconds;
# Beijing time, no zone, no fraction (a period in hours runs from it, 民法典 art. 201 para. 2).
_ISO_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")

# How each kind of value is written in a case (YAML or JSON), for docs/facts.md and the hints.
WRITTEN_FORMS: tuple[tuple[str, str, str], ...] = (
    ("bool", "`true` or `false`", "`yes`, `n`, `0`, `1`, `'true'`"),
    ("int", "a whole number: `12`", "`12.0`, `1e3`, `'12'`, `true`"),
    ("number", "a finite number: `12`, `12.5`", "`.inf`, `.nan`, `'12.5'`, `true`"),
    ("date", "`YYYY-MM-DD`, from `0001-01-01` to `9999-12-31` (quoted or not)",
     "`20250601`, `0` and other numbers (they are not Unix timestamps), `2025-06-01T00:00:00`, `2025/06/01`"),
    ("date-time", "`YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`, seconds optional (`…T08:30:15`), Beijing time; "
     "quote it in YAML", "a zone (`Z`, `+08:00`), a fraction of a second, `24:00`, a date alone, a number"),
    ("text", "text; quote it when it would read as a number or `true`/`false`", "a number or `true` unquoted"),
    ("enum", "one of the listed values, exactly", "another spelling or case"),
    ("list", "a list `[...]` of the item type; `[]` is known empty", "a single value without `[...]`"),
)


def parse_iso_date(text: str) -> date:
    """The day written ``YYYY-MM-DD``; ValueError for anything else. (Python 3.11's
    ``date.fromisoformat`` also reads ``20250601`` and ``2025-W23-1``, which nobody means here.)"""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date written YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def parse_iso_datetime(text: str) -> datetime:
    """The moment written ``YYYY-MM-DDTHH:MM[:SS]`` (or with one space for ``T``), Beijing time
    without a zone; ValueError for anything else (a zone, a fraction, 24:00, a date alone)."""
    m = _ISO_DATETIME.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not a date-time written YYYY-MM-DDTHH:MM[:SS]: {text!r}")
    day = date.fromisoformat(m.group(1))
    return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
