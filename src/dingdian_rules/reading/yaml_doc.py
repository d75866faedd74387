"""A loaded YAML document (plain values, plus where each value and each mapping key was written, by
YAML path) and the plain-scalar rules that both parse paths (``yaml_reader``'s libyaml fast path and
``yaml_checking``'s checking loader) share, so the two can never resolve a scalar differently.

Scalars (YAML-1.2-core-like, conservative): ``true``/``false`` in any case are booleans, but
``yes/no/on/off/y/n`` stay strings; ``null``/``~``/empty are None; decimal ints (optional sign) and
floats (and ``.inf``/``.nan``) are numbers, EXCEPT that a leading zero (``010``) keeps the text, so
region/institution codes never lose digits; hex, octal, ``1_000``, ``12:30`` and dates stay strings.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Location

Path_ = tuple[str | int, ...]
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_MAYBE_NOT_TEXT = frozenset("0123456789+-.~nNtTfF")  # first characters of nulls, booleans and numbers


@dataclass(frozen=True, eq=False)
class YamlDoc:
    """A loaded document: plain data plus where each value (and each mapping key) was written."""

    data: Any
    locations: Mapping[Path_, Location]
    key_locations: Mapping[Path_, Location]
    file: str

    def locate(self, path: Sequence[str | int]) -> Location:
        """Location of the deepest existing prefix of ``path``: errors about absent nodes land on the parent."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return Location(self.file)

    def locate_key(self, path: Sequence[str | int]) -> Location:
        """Location of the key of a mapping entry (for unknown-field errors), else ``locate(path)``."""
        return self.key_locations.get(tuple(path)) or self.locate(path)


def format_path(path: Sequence[str | int]) -> str:
    """Render a YAML path for humans, e.g. ``rules[3].citation.quote``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[^\s.\[\]\"']+", part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


class _MarkMap(Mapping):  # type: ignore[type-arg]
    """Path -> Location, kept as packed ints (line << 32 | column, 0-based) and turned into
    Locations only when asked: a successful load looks up a few hundred of the thousands of
    locations it records, and ints cost the garbage collector nothing."""

    __slots__ = ("_spots", "_file")

    def __init__(self, spots: dict[Path_, int], file: str) -> None:
        self._spots, self._file = spots, file

    def __getitem__(self, path: Path_) -> Location:
        spot = self._spots[path]
        return Location(self._file, (spot >> 32) + 1, (spot & 0xFFFFFFFF) + 1)

    def __iter__(self) -> typing.Iterator[Path_]:
        return iter(self._spots)

    def __len__(self) -> int:
        return len(self._spots)


def _resolve_plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and any(c in text for c in ".eE"):
        return float(text)
    return _SPECIAL_FLOATS.get(text.lower(), text)
