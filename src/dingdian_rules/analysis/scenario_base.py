"""A scenario file's shared ``base:`` case and how each scenario's ``case:`` is merged over it.

Many scenarios of a file describe the same institution with one fact changed (the complete good
applicant of the national application cases). A file may state that case once, as
``base: {case: {...}}``; each scenario's ``case:`` then states only what differs:

- a mapping merges key by key, recursively (``institution: {beds: 60}`` changes only the beds);
- a list or a scalar replaces the base's value whole (``people: [...]`` is the new list);
- ``null`` removes the key, so the fact is unknown, exactly as if the base had never stated it;
- a scenario without ``case:`` takes the base case unchanged.

Errors stay located where they were written: a merged scenario is checked against a view of the
file whose positions for the values that came from the base are those of the base
(``MergedLocations``), so a bad fact of the base is reported at its own line, and a bad fact a
scenario sets at the scenario's line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import Location
from ..reading.yaml_doc import Path_, YamlDoc

__all__ = ["BASE_CASE", "merge_case", "merged_doc"]

BASE_CASE: Path_ = ("base", "case")


def merge_case(base: Any, over: Any) -> Any:
    """``over`` merged onto ``base``: mappings key by key, lists and scalars replace, ``null`` removes."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_case(out[key], value)
        else:
            out[key] = value
    return out


class MergedLocations(Mapping):  # type: ignore[type-arg]
    """The file's positions, with those of scenario ``index``'s case falling back to the base's
    for every path the scenario did not write."""

    def __init__(self, own: Mapping[Path_, Location], index: int) -> None:
        self._own, self._case = own, ("scenarios", index, "case")

    def __getitem__(self, path: Path_) -> Location:
        found = self._own.get(path)
        if found is None and path[:3] == self._case:
            found = self._own.get(BASE_CASE + tuple(path[3:]))
        if found is None:
            raise KeyError(path)
        return found

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)


def merged_doc(doc: YamlDoc, index: int, item: dict[str, Any], base_case: dict[str, Any]) -> YamlDoc:
    """``doc`` with scenario ``index`` replaced by its merge over ``base_case``, located as written."""
    merged = dict(item)
    merged["case"] = merge_case(base_case, item["case"]) if "case" in item else dict(base_case)
    items = list(doc.data["scenarios"])
    items[index] = merged
    return YamlDoc({**doc.data, "scenarios": items}, MergedLocations(doc.locations, index),
                   MergedLocations(doc.key_locations, index), doc.file)
