"""The slips of an analyst typing with a Chinese input method, and what was meant.

Full-width punctuation (``（）‘’：``), Chinese words for the condition language's keywords
(``并且``, ``或者``, ``不是``), ``是``/``否`` for true/false and dates written ``2024/01/01`` or
``2024年1月1日`` are the usual reasons a condition or a value does not read. Only hints read
these tables, so they cost nothing on a good load. Used by the condition parser and checker
and by the schema errors.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["BOOL_WORDS", "FULLWIDTH", "PAIRS", "WORDS", "iso_date", "slip_hint"]

# Words written for true or false.
BOOL_WORDS = {"是": True, "否": False, "对": True, "错": False, "有": True, "无": False, "真": True, "假": False}

# Full-width punctuation and Chinese words, with what the condition language writes instead.
FULLWIDTH = {"（": "(", "）": ")", "‘": "'", "’": "'", "“": '"', "”": '"', "，": ",", "、": ",", "＜": "<",
             "＞": ">", "＝": "==", "！": "!=", "［": "[", "］": "]", "＄": "$", "．": ".", "＋": "+", "－": "-",
             "＊": "*", "≥": ">=", "≤": "<=", "≠": "!=", "：": "", "；": "", "。": ""}
PAIRS = {"＞＝": ">=", "＜＝": "<=", "！＝": "!=", "＝＝": "==", ">＝": ">=", "<＝": "<=", "!＝": "!=", "=＝": "=="}
WORDS = (("大于等于", ">="), ("小于等于", "<="), ("不等于", "!="), ("大于", ">"), ("小于", "<"), ("等于", "=="),
         ("并且", "and"), ("而且", "and"), ("以及", "and"), ("或者", "or"), ("不是", "not"), ("且", "and"),
         ("和", "and"), ("与", "and"), ("或", "or"), ("非", "not"), ("是", "true"), ("否", "false"))
_DATE_SLIP = re.compile(r"(\d{4})\s*(?:[/.．年-]\s*)(\d{1,2})\s*(?:[/.．月-]\s*)(\d{1,2})\s*日?")
_STRINGS = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def iso_date(text: str) -> str | None:
    """``2024/1/1``, ``2024年1月1日`` or ``2024.01.01`` as ``2024-01-01`` (None if not a real date)."""
    m = _DATE_SLIP.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _date_at(text: str, pos: int) -> re.Match[str] | None:
    """A date written as 2024/01/01 or 2024年1月1日 around ``pos`` (the offending character)."""
    start = pos
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == " "):
        start -= 1
    while start < pos and not text[start].isdigit():
        start += 1
    m = _DATE_SLIP.match(text, start)
    return m if m is not None and m.start() <= pos < m.end() else None


def _one_slip(text: str, pos: int) -> tuple[int, str, str] | None:
    """(length, what was written, the hint) for a slip starting at ``pos``, else None."""
    ch = text[pos]
    pair = text[pos:pos + 2]
    if pair in PAIRS:
        return 2, pair, f"'{pair}' is full-width punctuation: write `{PAIRS[pair]}` instead"
    if ch in FULLWIDTH:
        ascii_ = FULLWIDTH[ch]
        if not ascii_:
            return 1, ch, (f"'{ch}' is full-width punctuation, and the condition language has no "
                           f"'{ch}': join conditions with 'and' / 'or'" if ch == "；" else
                           f"'{ch}' is full-width punctuation, which the condition language does not use: remove it")
        return 1, ch, f"'{ch}' is full-width punctuation: write `{ascii_}` instead"
    for word, keyword in WORDS:
        if text.startswith(word, pos):
            if keyword in ("true", "false"):
                return len(word), word, f"write {keyword} for '{word}' (to compare, write `==`)"
            return len(word), word, f"write `{keyword}` instead of '{word}' (the language's words are English)"
    return None


def _fix(written: str) -> str:
    if written in PAIRS:
        return PAIRS[written]
    if written in FULLWIDTH:
        return FULLWIDTH[written]
    return dict(WORDS)[written]


def slip_hint(text: str, pos: int) -> str:
    """The hint for an unexpected character at ``pos``: what it most likely meant, and the same
    kind of slip anywhere else in the condition (outside quotes), so one run shows them all."""
    ch = text[pos]
    start = pos - 1 if pos > 0 and text[pos - 1:pos + 1] in PAIRS else pos  # `>＝`: the pair is the slip
    found = _date_at(text, pos) if ch in "/.．年月日" or ch.isdigit() else None
    if found is not None:
        iso = iso_date(found.group(0))
        main = f"write a date as date('{iso or 'YYYY-MM-DD'}'), not {found.group(0).strip()}"
    elif ch == "=":
        main = "compare with '==' (a single '=' is not an operator)"
    elif ch in "&|!":
        main = "use 'and', 'or', 'not' instead of symbols"
    else:
        slip = _one_slip(text, start)
        if slip is not None:
            main = slip[2]
        elif "\u4e00" <= ch <= "\u9fff":
            main = ("Chinese text must be quoted ('…'); fact names and keywords are English "
                    "(see docs/facts.md and docs/conditions.md)")
        else:
            main = "strings are quoted with ' or \"; the language has no such character"
    others: list[str] = []
    masked = _STRINGS.sub(lambda m: " " * len(m.group(0)), text)
    i = 0
    while i < len(masked):
        slip = _one_slip(masked, i)
        if slip is None:
            i += 1
            continue
        length, written, _ = slip
        if i != start:
            fix = _fix(written)
            note = f"'{written}' → `{fix}`" if fix else f"'{written}' → remove"
            if note not in others:
                others.append(note)
        i += length
    return main + (f"; also {', '.join(others[:6])}" if others else "")
