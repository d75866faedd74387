"""``test -k EXPR``: which scenarios to run, chosen by words of their names, as pytest's ``-k`` does.

An expression is made of terms joined by ``and``, ``or`` and ``not`` (lowest to highest
precedence: ``or``, ``and``, ``not``) and grouped by parentheses. A term is a run of characters
without spaces or parentheses, or a phrase in single or double quotes (``'art. 12(4)'``). A term
matches a scenario when it occurs, ignoring case, in the scenario's name, its file's name
(``application.yaml``) or its pack's id. ``and``, ``or`` and ``not`` are keywords in any case
only when unquoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

__all__ = ["KeywordError", "keyword_matcher"]

_TOKEN = re.compile(r"\s*(?:(\()|(\))|'([^']*)'|\"([^\"]*)\"|([^\s()'\"]+)|(\S))")

Matcher = Callable[[Sequence[str]], bool]


@dataclass
class KeywordError(ValueError):
    """A ``-k`` expression that does not parse, with the character position of the fault."""

    message: str
    position: int

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, position): kinds are ``(``, ``)``, ``and``, ``or``, ``not`` and ``term``."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or not m.group(0).strip():
            break
        at = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        opening, closing, single, double, word, stray = m.groups()
        if opening or closing:
            out.append((opening or closing, "", at))  # type: ignore[arg-type]
        elif single is not None or double is not None:
            out.append(("term", single if single is not None else double, at))  # type: ignore[arg-type]
        elif word is not None:
            low = word.lower()
            out.append((low, word, at) if low in ("and", "or", "not") else ("term", word, at))
        else:
            raise KeywordError(f"unclosed quote {stray}", at)
        pos = m.end()
    return out


def keyword_matcher(expression: str) -> Matcher:
    """A predicate over a scenario's words (name, file name, pack id) for a ``-k`` expression;
    ``KeywordError`` when the expression does not parse."""
    tokens = _tokens(expression)
    if not tokens:
        raise KeywordError("empty expression", 0)
    pos = 0

    def peek() -> str:
        return tokens[pos][0] if pos < len(tokens) else "end"

    def expect_operand() -> Matcher:
        nonlocal pos
        if pos >= len(tokens):
            raise KeywordError("expected a word, 'not' or '(' at the end", len(expression))
        kind, value, at = tokens[pos]
        pos += 1
        if kind == "not":
            inner = expect_operand()
            return lambda words: not inner(words)
        if kind == "(":
            inner = either()
            if peek() != ")":
                raise KeywordError("expected ')'", tokens[pos][2] if pos < len(tokens) else len(expression))
            pos += 1
            return inner
        if kind == "term":
            needle = value.lower()
            return lambda words: any(needle in w.lower() for w in words)
        raise KeywordError(f"expected a word, 'not' or '(', got {value or kind!r}", at)

    def joined(word: str, operand: Callable[[], Matcher], join: Callable[[bool, bool], bool]) -> Matcher:
        """Operands joined by ``word`` (and / or), left to right."""
        nonlocal pos
        left = operand()
        while peek() == word:
            pos += 1
            right, first = operand(), left
            left = lambda words, a=first, b=right: join(a(words), b(words))  # noqa: E731
        return left

    def both() -> Matcher:
        return joined("and", expect_operand, lambda x, y: x and y)

    def either() -> Matcher:
        return joined("or", both, lambda x, y: x or y)

    matcher = either()
    if pos < len(tokens):
        raise KeywordError(f"unexpected {tokens[pos][1] or tokens[pos][0]!r}", tokens[pos][2])
    return matcher
