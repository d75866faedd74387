"""Article headings (第N条) of the vendored source texts: extraction, Chinese numerals, numbering checks.

Why a module of its own: the headings are a property of the source texts, not of ``coverage.yaml``;
coverage reads them to know which articles a document has, and any other check of the texts can
use them without pulling in the coverage file models and report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Diagnostic, DiagnosticBag, Location

__all__ = ["Article", "article_sequence_problems", "chinese_numeral", "extract_articles"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "[零〇一二两三四五六七八九十百千0-9０-９]+"
# A heading: 第N条 at the start of a line, after optional Markdown marks (#, >, *, -, **), a Word
# bookmark residue such as ``[bookmark: _GoBack]``, and whitespace; followed by whitespace
# (also the ideographic space), closing ``**``, punctuation or the end of the line. A line that
# merely begins with a sentence mentioning an article (``第九条情形之一的``) is not a heading.
_HEADING = re.compile(
    r"^[ \t\u3000]*(?:(?:[#>*\-]+|\[bookmark:[^\]\n]*\])[ \t\u3000]*)*"
    rf"第(?P<num>{_NUMERAL})条(?:\*\*)?(?=[ \t\u3000:：、]|$)", re.MULTILINE)


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
