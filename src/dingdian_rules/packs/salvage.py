"""What passed the schema, read out of a pack file that failed it, so one load checks the rest.

A load reports every mistake at once only if a file with one bad entry does not hide the other
entries' mistakes. When a rule file or ``pack.yaml`` fails the schema (the diagnostics are
reported as they are), this module keeps every entry that validates on its own and puts a
placeholder where one did not:

- a rule, parameter, item list or source document that names its ``id`` gets an inert
  *stand-in* with that id, so references to it (``$id``, ``@id``, overrides, repeals,
  restatements, citations of the document) resolve without a second, misleading error; the
  loader recognises stand-ins (``is_standin``) and neither checks nor builds them;
- any other entry is ``None`` (``inheritance.RawFile.entries`` skips it), and the load is marked
  *opaque*: something unknown may be missing, so errors about unknown names are not reported
  until the file is fixed.

Nothing here is ever part of a loaded pack: a load with a schema error raises ``PackError``.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from .rule_schema import ItemList, Parameter, Rule, RuleFile
from .schema import Citation, PackMeta, SourceDocument, Text

__all__ = ["Gaps", "REFERENCE_CODES", "SKIPPED", "is_standin", "salvage_pack_meta", "salvage_rule_file"]

SKIPPED = "\x00skipped"  # the document of every stand-in; no real id can hold a NUL
_CITATION = Citation.model_construct(document=SKIPPED, article=1, paragraph=None, item=None, quote="")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# Codes about a name that is not defined: with an opaque gap the name may be defined in what was skipped.
REFERENCE_CODES = frozenset({"unknown-parameter", "unknown-item-list", "unknown-document", "override-unknown-rule",
                             "repeal-unknown-rule", "restate-unknown-rule", "restate-unknown-parameter",
                             "override-unknown-parameter", "unknown-time-limit", "norm-difference-unknown-rule"})


@dataclass
class Gaps:
    """What a load left out because it failed the schema."""

    skipped: bool = False  # some entry was left out (so e.g. a parameter may look unused)
    opaque: bool = False  # what was left out is not known by name (a file unread, an entry without id)

    def add(self, other: "Gaps") -> None:
        self.skipped |= other.skipped
        self.opaque |= other.opaque


def is_standin(entry: Citation | ItemList | SourceDocument | None) -> bool:
    """True for a stand-in of a skipped entry: the citation a stand-in rule or parameter was
    defined with (``provenance[0].citation``), a stand-in item list or source document."""
    if isinstance(entry, Citation):
        return entry.document == SKIPPED
    if isinstance(entry, ItemList):
        return entry.document == SKIPPED
    if isinstance(entry, SourceDocument):
        return entry.title == SKIPPED
    return False


def _item_model(model: type[pydantic.BaseModel], name: str) -> type[pydantic.BaseModel] | None:
    """The model of one entry of a list field (``list[Rule]`` -> ``Rule``)."""
    annotation = model.model_fields[name].annotation
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return item if isinstance(item, type) and issubclass(item, pydantic.BaseModel) else None
    return None


def _bad_entries(exc: pydantic.ValidationError, model: type[pydantic.BaseModel]
                 ) -> tuple[dict[str, set[int]], set[str], bool]:
    """(list field -> indexes of failing entries, fields failing as a whole, unknown top-level key)."""
    entries: dict[str, set[int]] = {}
    fields: set[str] = set()
    unknown = False
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if not loc or loc[0] not in model.model_fields:
            unknown = True
        elif len(loc) > 1 and isinstance(loc[1], int) and _item_model(model, str(loc[0])) is not None:
            entries.setdefault(str(loc[0]), set()).add(loc[1])
        else:
            fields.add(str(loc[0]))
    return entries, fields, unknown


def _standin(section: str, entry: Any) -> Any:
    """An inert entry with the failing entry's id, or None when it names none."""
    name = entry.get("id") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name:
        return None
    if section == "rules":
        return Rule.model_construct(id=name, citation=_CITATION, also_cites=[])
    if section == "parameters":
        return Parameter.model_construct(id=name, citation=_CITATION, value=0, unit="count", title=None)
    if section == "item_lists":
        return ItemList.model_construct(id=name, document=SKIPPED, article=1, paragraph=None, items=[])
    return None  # overrides, repeals, restatements and parameter overrides define no name


def _entries(model: type[pydantic.BaseModel], section: str, value: Any, bad: set[int], gaps: Gaps) -> list[Any]:
    item_model = _item_model(model, section)
    out: list[Any] = []
    for i, entry in enumerate(value):
        good = None
        if i not in bad and item_model is not None:
            try:
                good = item_model.model_validate(entry)
            except pydantic.ValidationError:
                pass
        if good is None:
            gaps.skipped = True
            good = _standin(section, entry)
            if good is None and section in ("rules", "parameters", "item_lists"):
                gaps.opaque = True
        out.append(good)
    return out


def salvage_rule_file(data: dict[str, Any], exc: pydantic.ValidationError, gaps: Gaps) -> RuleFile:
    """The entries of a rule file that validate on their own; stand-ins or None for the rest."""
    entries, fields, unknown = _bad_entries(exc, RuleFile)
    gaps.skipped = True
    gaps.opaque |= unknown or bool(fields)
    content: dict[str, list[Any]] = {}
    for section in RuleFile.model_fields:
        value = data.get(section)
        ok = isinstance(value, list) and section not in fields
        content[section] = _entries(RuleFile, section, value, entries.get(section, set()), gaps) if ok else []
    return RuleFile.model_construct(**content)


# A stand-in source document; without a file of its own it names pack.yaml (which exists, so no
# file-missing) and number SKIPPED, and the loader then checks no quote against it.
_SOURCE_FIELDS = {"title": SKIPPED, "number": SKIPPED, "issuer": "", "issued": None, "in_force": None,
                  "expires": None, "status": "in_force", "file": "pack.yaml"}


def salvage_pack_meta(data: dict[str, Any], exc: pydantic.ValidationError, folder: Path, gaps: Gaps
                      ) -> PackMeta | None:
    """``pack.yaml`` with its failing fields replaced (the id by the folder name), or None when
    ``extends`` failed: without the parent the chain cannot be read."""
    entries, fields, unknown = _bad_entries(exc, PackMeta)
    if "extends" in fields:
        return None
    gaps.skipped = True
    gaps.opaque |= unknown
    values: dict[str, Any] = {}
    for name, info in PackMeta.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if name in fields:
            gaps.opaque |= name in ("sources", "rule_files")
            continue
        if name == "sources":
            documents = []
            for i, (entry, raw) in enumerate(zip(_entries(PackMeta, name, value, entries.get(name, set()), gaps),
                                                 value)):
                if entry is None:  # keep its file when it names one: file-missing and quotes are still checked
                    sid = raw.get("id") if isinstance(raw, dict) else None
                    file = raw.get("file") if isinstance(raw, dict) else None
                    if not isinstance(sid, str) or not sid:
                        gaps.opaque, sid = True, f"{SKIPPED}{i}"
                    entry = SourceDocument.model_construct(**{**_SOURCE_FIELDS, "id": sid, **(
                        {"file": file, "number": None} if isinstance(file, str) and file else {})})
                documents.append(entry)
            values[name] = documents
        elif name == "rule_files":
            bad = entries.get(name, set())
            values[name] = [f if isinstance(f, str) and i not in bad else None for i, f in enumerate(value)]
        elif name == "holidays":
            values[name] = [h for h in _entries(PackMeta, name, value, entries.get(name, set()), gaps) if h is not None]
        else:
            values[name] = value
    values.setdefault("id", folder.name if _ID.match(folder.name) else "pack")
    values.setdefault("name", Text.model_construct(zh=folder.name, en=folder.name))
    values.setdefault("level", "city")
    for name, info in PackMeta.model_fields.items():
        if name not in values:
            values[name] = info.get_default(call_default_factory=True)
    if isinstance(values["name"], dict):
        values["name"] = Text.model_construct(**values["name"])
    return PackMeta.model_construct(**values)
