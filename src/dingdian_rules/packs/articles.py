"""Article headings (第N条) of the vendored source texts: extraction, Chinese numerals, numbering checks.

Why a module of its own: the headings are a property of the source texts, not of ``coverage.yaml``;
coverage reads them to know which articles a document has, and any other check of the texts can
use them without pulling in the coverage file models and report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import Diagnostic, DiagnosticBag, Location

__all__ = ["Article", "ArticleText", "Paragraph", "article_sequence_problems", "chinese_numeral", "extract_articles",
           "split_article", "split_articles", "zh_numeral"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "[零〇一二两三四五六七八九十百千0-9０-９]+"
# A heading: 第N条 at the start of a line, after optional Markdown marks (#, >, *, -, **), a Word
# bookmark residue such as ``[bookmark: _GoBack]``, and whitespace; followed by whitespace
# (also the ideographic space), closing ``**``, punctuation or the end of the line. A line that
# merely begins with a sentence mentioning an article (``第九条情形之一的``) is not a heading.
class _Lazy:
    """A pattern compiled on first use: the source texts are split only when a pack is loaded from
    its files, and a decision imports this module for ``zh_numeral`` alone (issue 13, cold start)."""

    __slots__ = ("_args", "_re")

    def __init__(self, *args: object) -> None:
        self._args, self._re = args, None

    def __getattr__(self, name: str) -> object:
        if self._re is None:
            self._re = re.compile(*self._args)  # type: ignore[call-overload]
        return getattr(self._re, name)


_HEADING = _Lazy(
    r"^[ \t\u3000]*(?:(?:[#>*\-]+|\[bookmark:[^\]\n]*\])[ \t\u3000]*)*"
    rf"第(?P<num>{_NUMERAL})条(?:\*\*)?(?=[ \t\u3000:：、]|$)", re.MULTILINE)


_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 43 → 四十三, 105 → 一百零五: how articles, paragraphs and items are numbered."""
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _ZH_DIGITS[n // 10] + "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _ZH_DIGITS[rest] if rest < 10 else
                                     _ZH_DIGITS[rest // 10] + "十" + (_ZH_DIGITS[rest % 10] if rest % 10 else ""))
        return _ZH_DIGITS[n // 100] + "百" + tail
    return str(n)


def chinese_numeral(text: str) -> int:
    """The value of a Chinese (or Arabic) numeral as used in 第N条: 一, 十, 十一, 二十一, 一百, 一百零三.

    Raises ``ValueError`` for text that is not a numeral (e.g. 二三, 十百, 零)."""
    if text.isdigit():
        return int(text)  # also full-width digits
    total, current, last_unit, after_zero = 0, None, 10_000, False
    for ch in text:
        if ch in _DIGITS:
            value = _DIGITS[ch]
            if current is not None and not (current == 0 and after_zero):
                raise ValueError(f"not a numeral: {text!r}")
            after_zero = value == 0
            current = value
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit or current == 0:
                raise ValueError(f"not a numeral: {text!r}")
            if current is None:
                if unit != 10:  # 十 alone means 一十; 百 alone is not a numeral
                    raise ValueError(f"not a numeral: {text!r}")
                current = 1
            total += current * unit
            current, last_unit, after_zero = None, unit, False
        else:
            raise ValueError(f"not a numeral: {text!r}")
    total += current or 0
    if total == 0:
        raise ValueError(f"not a numeral: {text!r}")
    return total


@dataclass(frozen=True)
class Article:
    """One ``第N条`` heading of a source text, with the text up to the next heading."""

    number: int
    line: int  # 1-based line of the heading
    text: str  # the heading line, without Markdown marks
    body: str = field(default="", repr=False, compare=False)  # from the heading to the next one

    @property
    def excerpt(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:39] + "…"


def extract_articles(text: str) -> list[Article]:
    """Every 第N条 heading at the start of a line, in text order (mentions inside sentences are skipped)."""
    found: list[tuple[int, int, int, str]] = []  # (number, line, start offset, heading line)
    for m in _HEADING.finditer(text):
        try:
            number = chinese_numeral(m.group("num"))
        except ValueError:
            continue
        end = text.find("\n", m.start())
        raw = text[m.start("num") - 1: end if end >= 0 else len(text)]
        found.append((number, text.count("\n", 0, m.start()) + 1, m.start("num") - 1,
                      re.sub(r"\*\*", "", raw).strip()))
    out = []
    for i, (number, line, start, heading) in enumerate(found):
        stop = found[i + 1][2] if i + 1 < len(found) else len(text)
        out.append(Article(number, line, heading, text[start:stop]))
    return out


def article_sequence_problems(articles: list[Article], file: str) -> list[Diagnostic]:
    """Warnings when the headings are not exactly 1..N in order: gaps, duplicates, disorder."""
    bag = DiagnosticBag()
    seen: dict[int, Article] = {}
    expected = 1
    for a in articles:
        where = Location(file, a.line, 1)
        if a.number in seen:
            bag.warning("article-duplicate", f"第{a.number}条 appears again (first on line {seen[a.number].line})",
                        where, "", "remove the duplicated fragment from the source text")
            continue
        if a.number != expected:
            missing = f"articles {expected}-{a.number - 1} are missing" if a.number > expected else "out of order"
            bag.warning("article-gap", f"第{a.number}条 follows 第{expected - 1}条: {missing}", where, "",
                        "check the source text against the original document")
        seen[a.number] = a
        expected = max(expected, a.number + 1)
    if not articles:
        bag.warning("no-articles", "no 第N条 headings found in the source text", Location(file), "",
                    "headings must start a line, e.g. `第一条 …` or `**第一条** …`")
    return bag.items


# --- paragraphs (款) and items (项) ----------------------------------------------------------
# An item line starts with （一） or (一); a chapter or section heading (第二章 …, ## 第二章 …) inside
# an article's span belongs to no article. A line continues the previous one when that one does
# not end a sentence: the received texts break pages (and so lines) inside sentences.
_ITEM = _Lazy(r"^[（(]\s*(?P<num>[一二三四五六七八九十]+)\s*[)）]")
_CHAPTER = _Lazy(r"^(?:[#*\s]*)第[零〇一二两三四五六七八九十百]+[章节编](?:\s|$)")
_MARKS_LINE = _Lazy(r"^[#>*\-\s\u3000]+|\*\*")
_SENTENCE_END = ("。", "；", "：", ";", ":", "！", "？", "!", "?", "”")
_SPACE = _Lazy(r"[\s#*\-]+")


@dataclass(frozen=True)
class Paragraph:
    """One 款 of an article: its text (items included) and its items, all with whitespace and
    Markdown marks removed, as quotes are compared."""

    number: int
    text: str
    items: dict[int, str]


@dataclass(frozen=True)
class ArticleText:
    """An article split into paragraphs and items, for checking that a quote lies where it is cited."""

    number: int
    text: str  # the whole article, normalised
    paragraphs: tuple[Paragraph, ...]

    def item(self, item: int, paragraph: int | None = None) -> tuple[int, str] | None:
        """(paragraph number, text) of item ``item``; in ``paragraph`` when given, else the first
        paragraph that numbers such an item."""
        for p in self.paragraphs:
            if (paragraph is None or p.number == paragraph) and item in p.items:
                return p.number, p.items[item]
        return None

    def locate(self, quote: str) -> tuple[int | None, int | None] | None:
        """The narrowest (paragraph, item) holding the normalised ``quote``; None when it is not here."""
        if quote not in self.text:
            return None
        for p in self.paragraphs:
            for n, text in p.items.items():
                if quote in text:
                    return p.number, n
        for p in self.paragraphs:
            if quote in p.text:
                return p.number, None
        return None, None


def _run_continues(numbers: list[int | None], i: int, current: int) -> bool:
    """Whether an item marker after line ``i`` goes on numbering the run (a later item, as in an
    excerpt that skips items) before the article ends."""
    for n in numbers[i + 1:]:
        if n is not None:
            return n > current
    return False


def _normal(text: str) -> str:
    return _SPACE.sub("", text)


def article_lines(article: Article) -> list[str]:
    """The article's text as a reader sees it: one line per paragraph or item, Markdown marks and
    chapter headings dropped, a line broken mid-sentence joined to the one before (see the module
    notes on line continuation). Paragraphs, items and the HTML page's article all start here."""
    lines: list[str] = []
    for raw in article.body.splitlines():
        line = _MARKS_LINE.sub("", raw).strip()
        if not line or _CHAPTER.match(line):
            continue
        if lines and not lines[-1].endswith(_SENTENCE_END) and not _ITEM.match(line):
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def split_article(article: Article) -> ArticleText:
    """Paragraphs and items of one article (see the module notes on line continuation)."""
    lines = article_lines(article)
    numbers: list[int | None] = []
    for line in lines:
        m = _ITEM.match(line)
        try:
            numbers.append(chinese_numeral(m.group("num")) if m else None)
        except ValueError:
            numbers.append(None)
    # A line between item k and a later item continues item k (items of one paragraph are not
    # interrupted by another paragraph); a line after the last item of a run starts a paragraph.
    paragraphs: list[Paragraph] = []
    text, items, current = "", {}, None
    for i, (line, number) in enumerate(zip(lines, numbers)):
        norm = _normal(line)
        if number is not None and (not items or number > max(items)):
            items[number] = norm
            current = number
            text += norm
            continue
        if current is not None and _run_continues(numbers, i, current):
            items[current] += norm
            text += norm
            continue
        if text:
            paragraphs.append(Paragraph(len(paragraphs) + 1, text, items))
        text, items, current = norm, {}, None
    if text:
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, items))
    return ArticleText(article.number, _normal(article.body), tuple(paragraphs))


class SplitArticles(Mapping[int, ArticleText]):
    """Article number → ``ArticleText``, each split into paragraphs and items when first asked
    for: a load checks citations of a few articles of each text, so the rest are never split."""

    def __init__(self, articles: list[Article]) -> None:
        self._raw: dict[int, Article] = {}
        for a in articles:
            self._raw.setdefault(a.number, a)  # the first one when a number repeats
        self._split: dict[int, ArticleText] = {}

    def __getitem__(self, number: int) -> ArticleText:
        hit = self._split.get(number)
        if hit is None:
            hit = self._split[number] = split_article(self._raw[number])
        return hit

    def __iter__(self) -> Iterator[int]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def split_articles(text: str) -> Mapping[int, ArticleText]:
    """Every article of a source text by number (the first one when a number repeats), split on
    first access."""
    return SplitArticles(extract_articles(text))
