"""Source texts and citations: quotes are checked against the vendored texts at load time.

A quote matches when it appears in its document after whitespace and Markdown marks are removed
from both (the received texts carry conversion artefacts, see shared/sources/README.md).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from functools import lru_cache
from pathlib import Path

from .errors import DiagnosticBag, did_you_mean
from .resolved import SourceText
from .schema import Citation
from .yamlio import YamlDoc, format_path

if TYPE_CHECKING:
    from .inheritance import RawPack

_MARKS = re.compile(r"[\s#*\-]+")


def normalize_text(text: str) -> str:
    """Whitespace and Markdown marks removed: how quotes are compared with source texts."""
    return _MARKS.sub("", text)


def source_text(path: Path) -> str | None:
    return source_text_at(str(path))


@lru_cache(maxsize=64)
def source_text_at(path: str) -> str | None:  # keyed by str: Path equality is slow
    try:
        return normalize_text(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def check_citation(c: Citation, sources: dict[str, SourceText], doc: YamlDoc, path: tuple,
                    bag: DiagnosticBag) -> None:
    src = sources.get(c.document)
    if src is None:
        bag.error("unknown-document", f"citation names document '{c.document}', which no pack in the chain declares",
                  doc.locate(path + ("document",)), format_path(path + ("document",)),
                  did_you_mean(c.document, sources) or "declare it under `sources:` in pack.yaml")
        return
    text = source_text(src.path)
    if text is None:
        return  # reported once per source by _collect_sources
    if not normalize_text(c.quote):
        bag.error("quote-not-in-source", "the quote is empty once whitespace and Markdown marks are removed",
                  doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "quote the words of the source text that the rule encodes")
        return
    if normalize_text(c.quote) not in text:
        bag.error("quote-not-in-source", f"the quote is not in {src.path.name} (compared without whitespace and "
                  "Markdown marks)", doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "copy the words exactly from the source text, or fix the source file")


def collect_sources(chain: "list[RawPack]", bag: DiagnosticBag) -> dict[str, SourceText]:
    sources: dict[str, SourceText] = {}
    for raw in chain:
        for i, s in enumerate(raw.meta.sources):
            path = raw.folder / s.file
            if not path.is_file():
                bag.error("file-missing", f"source file '{s.file}' does not exist",
                          raw.meta_doc.locate(("sources", i, "file")), f"sources[{i}].file",
                          "vendor the source text into the pack folder")
            if s.id in sources:
                bag.error("duplicate-id", f"source document '{s.id}' is already declared by {sources[s.id].pack}",
                          raw.meta_doc.locate(("sources", i, "id")), f"sources[{i}].id")
            sources[s.id] = SourceText(s, raw.meta.id, path)
    return sources
