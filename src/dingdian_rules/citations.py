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
from .yamlio import YamlDoc, format_path, read_regular_file

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
    """Cleared by the loader when a load begins, so each load reads its texts afresh; the
    normalised text is cached by content (an edit is seen whatever the mtime) and is never
    read from a named pipe or device."""
    try:
        raw = read_regular_file(path, 64_000_000)
    except OSError:
        return None
    return _normalized(raw) if len(raw) <= 64_000_000 else None


@lru_cache(maxsize=64)
def _normalized(raw: bytes) -> str | None:
    try:
        return normalize_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def check_citation(c: Citation, sources: dict[str, SourceText], doc: YamlDoc, path: tuple,
                    bag: DiagnosticBag) -> None:
    src = sources.get(c.document)
    if src is None:
        bag.error("unknown-document", f"citation names document '{c.document}', which no pack in the chain declares",
                  doc.locate(path + ("document",)), format_path(path + ("document",)),
                  did_you_mean(c.document, sources) or "declare it under `sources:` in pack.yaml")
        return
    status = _quote_status(c.quote, str(src.path))
    if status == "empty":
        bag.error("quote-not-in-source", "the quote is empty once whitespace and Markdown marks are removed",
                  doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "quote the words of the source text that the rule encodes")
    elif status == "missing":
        bag.error("quote-not-in-source", f"the quote is not in {src.path.name} (compared without whitespace and "
                  "Markdown marks)", doc.locate(path + ("quote",)), format_path(path + ("quote",)),
                  "copy the words exactly from the source text, or fix the source file")


def _quote_status(quote: str, source: str) -> str:
    return _quote_in(quote, source_text_at(source))


@lru_cache(maxsize=4096)
def _quote_in(quote: str, text: str | None) -> str:
    """'ok', 'empty' or 'missing' ('ok' too when the source is unreadable: reported once per
    source by the loader). Cached by the quote and the text itself (one str object per content),
    as a parent's rules are checked again for every child pack that inherits them."""
    if text is None:
        return "ok"
    quote = normalize_text(quote)
    if not quote:
        return "empty"
    return "ok" if quote in text else "missing"


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
