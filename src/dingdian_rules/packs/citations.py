"""Source texts and citations: quotes are checked against the vendored texts at load time.

A quote matches when it appears in its document after whitespace and Markdown marks are removed
from both (the received texts carry conversion artefacts, see shared/sources/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from functools import lru_cache
from pathlib import Path

from .articles import ArticleText, split_articles
from ..errors import DiagnosticBag, did_you_mean
from .resolved import SourceText
from .schema import Citation
from ..reading.yaml_doc import YamlDoc, format_path
from ..reading.yaml_reader import read_regular_file

if TYPE_CHECKING:
    from .inheritance import RawPack

_MARKS = re.compile(r"[\s#*\-]+")


def normalize_text(text: str) -> str:
    """Whitespace and Markdown marks removed: how quotes are compared with source texts."""
    return _MARKS.sub("", text)


def source_text(path: Path) -> str | None:
    return source_text_at(str(path))


@lru_cache(maxsize=64)
def source_bytes_at(path: str) -> bytes | None:  # keyed by str: Path equality is slow
    """The bytes of a source text. Cleared by the loader when a load begins, so each load reads its
    texts afresh; everything derived from them is cached by content (an edit is seen whatever the
    mtime), and nothing is ever read from a named pipe or device."""
    try:
        raw = read_regular_file(path, 64_000_000)
    except OSError:
        return None
    return raw if len(raw) <= 64_000_000 else None


def source_text_at(path: str) -> str | None:
    """The normalised text of a source file (None when unreadable or not UTF-8)."""
    raw = source_bytes_at(path)
    return None if raw is None else _normalized(raw)


@lru_cache(maxsize=64)
def _normalized(raw: bytes) -> str | None:
    try:
        return normalize_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def place(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """第44条第1款第（7）项: how a diagnostic names a place in a text."""
    return f"第{article}条" + (f"第{paragraph}款" if paragraph else "") + (f"第（{item}）项" if item else "")


_PROBLEMS = {  # status -> (code, message, hint); {cited} and {found} are filled in
    "empty": ("quote-not-in-source", "the quote is empty once whitespace and Markdown marks are removed",
              "quote the words of the source text that the rule encodes"),
    "missing": ("quote-not-in-source", "the quote is not in {file} (compared without whitespace and Markdown marks)",
                "copy the words exactly from the source text, or fix the source file"),
    "article_missing": ("cited-article-missing", "{document} has no {cited}", "check the article number"),
    "outside_article": ("quote-outside-article", "the quote is not in {cited} of {document}",
                        "the quote stands in {found}: cite that article, or quote {cited}"),
    "paragraph_missing": ("cited-paragraph-missing", "{cited} of {document} does not exist ({count} paragraph(s))",
                          "count the paragraphs (款) of the article again, or leave `paragraph:` out"),
    "outside_paragraph": ("quote-outside-paragraph", "the quote is not in {cited} of {document}",
                          "the quote stands in {found}: cite that paragraph, or quote {cited}"),
    "item_missing": ("cited-item-missing", "{cited} of {document} does not exist",
                     "check the item number (（一）（二）… as 1, 2 …) and the paragraph"),
    "outside_item": ("quote-outside-item", "the quote is not in {cited} of {document}",
                     "the quote stands in {found}: cite that item, or quote {cited}; a chapeau (有下列情形之一的…) "
                     "is cited in a further citation under `also_cites:`"),
}


def check_citation(c: Citation, sources: dict[str, SourceText], doc: YamlDoc, path: tuple,
                   bag: DiagnosticBag) -> None:
    """A citation's document must be declared in the chain and its quote must lie in the cited
    article, and in the cited paragraph and item when it names them."""
    src = sources.get(c.document)
    if src is None:
        bag.error("unknown-document", f"citation names document '{c.document}', which no pack in the chain declares",
                  doc.locate(path + ("document",)), format_path(path + ("document",)),
                  did_you_mean(c.document, sources) or "declare it under `sources:` in pack.yaml")
        return
    status, found, count = quote_status(c.quote, str(src.path), c.article, c.paragraph, c.item)
    if status == "ok":
        return
    code, message, hint = _PROBLEMS[status]
    where = "quote" if status in ("empty", "missing") or status.startswith("outside") else \
        {"article_missing": "article", "paragraph_missing": "paragraph", "item_missing": "item"}[status]
    fill = {"file": src.path.name, "document": c.document, "count": count,
            "cited": place(c.article, c.paragraph if status != "article_missing" else None,
                           c.item if status in ("item_missing", "outside_item") else None),
            "found": place(*found) if found else ""}
    bag.error(code, message.format(**fill), doc.locate(path + (where,)), format_path(path + (where,)),
              hint.format(**fill))


def check_further(main: Citation, further: list[Citation] | None, sources: dict[str, SourceText], doc: YamlDoc,
                  path: tuple, bag: DiagnosticBag) -> None:
    """A further citation (``also_cites``) of the rule's own document whose quote also stands in the
    article the rule itself cites must cite that article: words two articles share (甲方不予支付或追回
    已支付的医保费用 closes each tier) are otherwise pinned to neither, and art. 65 cited as art. 66
    would pass the quote check. Run after ``check_citation`` (a quote outside its article is
    reported there)."""
    elsewhere = [(i, c) for i, c in enumerate(further or ()) if c.document == main.document and c.article != main.article]
    src = sources.get(main.document) if elsewhere else None
    arts = articles_at(str(src.path)) if src is not None else {}
    own = arts.get(main.article)
    if own is None:  # unknown or unreadable text, none with 第N条, no such article: nothing to pin (or reported)
        return
    for i, c in elsewhere:
        quote, cited = normalize_text(c.quote), arts.get(c.article)
        if quote and cited is not None and quote in cited.text and quote in own.text:
            where = path + (i, "article")
            bag.error("further-citation-elsewhere",
                      f"the further citation cites {place(c.article)} of {c.document}, but its quote also stands in "
                      f"{place(main.article)}, the article the rule itself cites",
                      doc.locate(where), format_path(where),
                      f"cite {place(main.article)} (the rule's own article says these words), or quote words that "
                      f"only {place(c.article)} has")


def quote_status(quote: str, source: str, article: int | None = None, paragraph: int | None = None,
                 item: int | None = None) -> tuple[str, tuple | None, int]:
    """(status, where the quote does stand as (article, paragraph, item), paragraph count).

    Status 'ok' (also when the source is unreadable: reported once per source by the loader),
    'empty', 'missing', or a misplacement: 'article_missing', 'outside_article',
    'paragraph_missing', 'outside_paragraph', 'item_missing', 'outside_item'. A text without
    第N条 headings is checked as a whole."""
    return _quote_status(quote, source_bytes_at(source), article, paragraph, item)


@lru_cache(maxsize=8192)
def _quote_status(quote: str, raw: bytes | None, article: int | None, paragraph: int | None,
                  item: int | None) -> tuple[str, tuple | None, int]:
    """``quote_status`` on the text's bytes: cached by content, as a parent's rules are checked
    again for every child pack that inherits them."""
    text = None if raw is None else _normalized(raw)
    if text is None:
        return "ok", None, 0
    quote = normalize_text(quote)
    if not quote:
        return "empty", None, 0
    if quote not in text:
        return "missing", None, 0
    arts = _articles(raw)  # type: ignore[arg-type]
    if article is None or not arts:
        return "ok", None, 0
    art = arts.get(article)
    if art is None:
        return "article_missing", None, 0
    if quote not in art.text:
        return "outside_article", _find(arts, quote), 0
    count = len(art.paragraphs)
    found = (article,) + (art.locate(quote) or (None, None))
    if paragraph is not None:
        if paragraph > count:
            return "paragraph_missing", found, count
        if quote not in art.paragraphs[paragraph - 1].text:
            return "outside_paragraph", found, count
    if item is not None:
        hit = art.item(item, paragraph)
        if hit is None:
            return "item_missing", found, count
        if quote not in hit[1]:
            return "outside_item", found, count
    return "ok", found, count


def _find(arts: Mapping[int, ArticleText], quote: str) -> tuple | None:
    for n, art in arts.items():
        spot = art.locate(quote)
        if spot is not None:
            return (n,) + spot
    return None


def articles_at(path: str) -> Mapping[int, ArticleText]:
    """The articles of a source text, split into paragraphs and items (empty when unreadable)."""
    raw = source_bytes_at(path)
    return {} if raw is None else _articles(raw)


@lru_cache(maxsize=64)
def _articles(raw: bytes) -> Mapping[int, ArticleText]:
    try:
        return split_articles(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {}


def collect_sources(chain: "list[RawPack]", bag: DiagnosticBag) -> dict[str, SourceText]:
    sources: dict[str, SourceText] = {}
    for raw in chain:
        for i, s in enumerate(raw.meta.sources):
            path = raw.folder / s.file
            if not path.is_file():
                bag.error("file-missing", f"source file '{s.file}' does not exist",
                          raw.meta_doc.locate(("sources", i, "file")), f"sources[{i}].file",
                          "vendor the source text into the pack folder")
            elif source_text(path) == "":  # read by every load anyway (the UTF-8 check): free to test
                bag.error("source-empty", f"source file '{s.file}' holds no text",
                          raw.meta_doc.locate(("sources", i, "file")), f"sources[{i}].file",
                          "vendor the whole text of the document (its articles are what quotes are checked against)")
            if s.id in sources:
                bag.error("duplicate-id", f"source document '{s.id}' is already declared by {sources[s.id].pack}",
                          raw.meta_doc.locate(("sources", i, "id")), f"sources[{i}].id")
            sources[s.id] = SourceText(s, raw.meta.id, path)
    return sources
