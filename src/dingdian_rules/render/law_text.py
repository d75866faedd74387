"""Whole articles of the vendored source texts, with a citation's quoted words marked: what the HTML
report shows beside each rule, so an analyst reads the encoding against the law itself.

A quote is found the way the loader checks it (``packs.citations``): with whitespace and Markdown
marks removed from both sides. The marked span is mapped back onto the article as displayed, so a
quote that crosses a page break of the received text is still marked whole. A quote that is not in
the article (a pack loaded from a text edited since, or a citation of an article the text lacks)
gives the article unmarked, or no article, with ``problem`` saying why: never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..packs.articles import Article, article_lines, extract_articles
from ..packs.citations import normalize_text, source_bytes_at
from ..packs.resolved import ResolvedPack

__all__ = ["ArticleView", "Segment", "article_paragraphs", "quoted_article"]

_DROPPED = re.compile(r"[\s#*\-]")  # what normalize_text removes, one character at a time


@dataclass(frozen=True)
class Segment:
    """A run of an article's text, marked when it is part of the quote."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class ArticleView:
    """One cited article as shown: its paragraphs as runs of text, and why something is not marked
    (``problem``: ``no-source``, ``no-article``, or ``quote-not-found`` with the quotes in ``unfound``)."""

    document: str
    number: int
    paragraphs: tuple[tuple[Segment, ...], ...]
    problem: str | None = None
    unfound: tuple[str, ...] = ()

    @property
    def is_marked(self) -> bool:
        return any(s.marked for p in self.paragraphs for s in p)


def article_paragraphs(article: Article) -> list[str]:
    """The article's text as displayed: one string per paragraph or item line, joined as
    ``packs.articles`` reads the texts for citations (so a quote found there is found here)."""
    return article_lines(article)


@lru_cache(maxsize=16)
def _articles(raw: bytes) -> dict[int, Article]:
    """Article number → the first article of that number in a text (as ``split_articles`` keeps)."""
    out: dict[int, Article] = {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return out
    for a in extract_articles(text):
        out.setdefault(a.number, a)
    return out


@lru_cache(maxsize=2048)
def _paragraphs(raw: bytes, number: int) -> tuple[str, ...] | None:
    article = _articles(raw).get(number)
    return None if article is None else tuple(article_paragraphs(article))


def _mark(paragraphs: tuple[str, ...], quotes: Sequence[str]) -> tuple[tuple[tuple[Segment, ...], ...], tuple[str, ...]]:
    """The paragraphs with the first occurrence of each quote marked, and the quotes not found."""
    kept: list[tuple[int, int]] = []  # (paragraph, offset) of each character normalize_text keeps
    norm: list[str] = []
    for p, text in enumerate(paragraphs):
        for i, ch in enumerate(text):
            if not _DROPPED.match(ch):
                kept.append((p, i))
                norm.append(ch)
    joined = "".join(norm)
    flags = [bytearray(len(text)) for text in paragraphs]
    unfound: list[str] = []
    for quote in quotes:
        wanted = normalize_text(quote)
        at = joined.find(wanted) if wanted else -1
        if at < 0:
            unfound.append(quote)
            continue
        (p0, i0), (p1, i1) = kept[at], kept[at + len(wanted) - 1]
        for p in range(p0, p1 + 1):
            start, end = (i0 if p == p0 else 0), (i1 + 1 if p == p1 else len(paragraphs[p]))
            flags[p][start:end] = b"\x01" * (end - start)
    return tuple(_runs(text, f) for text, f in zip(paragraphs, flags)), tuple(unfound)


def _runs(text: str, flags: bytearray) -> tuple[Segment, ...]:
    out: list[Segment] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or flags[i] != flags[start]:
            out.append(Segment(text[start:i], bool(flags[start])))
            start = i
    return tuple(out)


def quoted_article(pack: ResolvedPack, document: str, number: int, quotes: Sequence[str] = ()) -> ArticleView:
    """The whole article ``number`` of ``document``, from the pack chain's vendored text, with each
    quote marked where it first occurs."""
    src = pack.sources.get(document)
    raw = None if src is None else source_bytes_at(str(src.path))
    if raw is None:
        return ArticleView(document, number, (), "no-source", tuple(quotes))
    paragraphs = _paragraphs(raw, number)
    if paragraphs is None:
        return ArticleView(document, number, (), "no-article", tuple(quotes))
    marked, unfound = _mark(paragraphs, quotes)
    return ArticleView(document, number, marked, "quote-not-found" if unfound else None, unfound)
