"""A checker for English left in Chinese output: what remains after removing what is meant to
stay Latin (codes, ids, paths, numbers) must hold no ASCII word of three letters or more.

What stays Latin, and why:
- machine codes in brackets or backticks (``[conditions_met]``, `` `eligibility.beds` ``): the
  reader may need to type or search them;
- identifiers: dotted fact paths and rule ids (``institution.beds``, ``people[].role``), snake_case
  and kebab-case codes (``time_limit.x``, ``pack-expired``), ``$parameters``, hashes, uuids,
  dates and numbers, and field names as an input file writes them (``term_end=``);
- acronyms in capitals (``DRG``, ``DIP``: payment methods the texts name that way);
- file paths (anything with a ``/`` or a file extension) and a software name with its version
  (``chinesecalendar 1.11.0``);
- names the system defines rather than sentences it writes (``names``): pack, document, measure,
  question, outcome and rule-kind codes and the CLI's verbs (``explain``);
- code: conditions in the condition language, whose keywords are English (``not``, ``known``):
  Markdown code blocks, and in text the indented trace under a condition heading;
- conditions a pack's author wrote (``authored``: ``when:`` and the other condition fields), which
  are code. Notes, reasons, changes and derivations are prose for the analyst and are checked.
"""

from __future__ import annotations

import re
from typing import Iterable

TRACE_HEADS = ("（满足时触发）：", "（不满足时触发）：")
_STRIP = [
    re.compile(r"`[^`\n]*`"),  # backticked
    re.compile(r"\[[A-Za-z0-9_.\-:]+\]"),  # [code]
    re.compile(r"sha256:[0-9a-f]+"),
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    re.compile(r"\S*/\S*"),  # file paths
    re.compile(r"\b[\w\-]+\.(?:txt|yaml|yml|json|md)\b"),
    re.compile(r"\b[A-Za-z_]\w*="),  # a field name as an input file writes it
    re.compile(r"\$\w+"),  # a parameter
    re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+|\[[0-9]*\])+\b(?:\[[0-9]*\])?"),  # ids and codes
    re.compile(r"\b[A-Za-z][A-Za-z0-9]* v?[0-9]+(?:\.[0-9]+)+\b"),  # a name with its version
    re.compile(r"[0-9]+"),
]
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")


def _without_code(text: str) -> list[str]:
    """The lines of ``text`` outside Markdown code blocks and text traces."""
    out: list[str] = []
    fenced = False
    trace_indent: int | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        indent = len(line) - len(line.lstrip())
        if trace_indent is not None and line.strip() and indent > trace_indent:
            continue
        trace_indent = None
        if fenced:
            continue
        if line.rstrip().endswith(TRACE_HEADS):
            trace_indent = indent
        out.append(line)
    return out


def english_words(text: str, names: Iterable[str] = (), authored: Iterable[str] = ()) -> list[str]:
    """The English words left in ``text`` (one entry per line: ``word word``)."""
    allowed = set(names)
    pieces = sorted({" ".join(a.split()) for a in authored if a and a.strip()}, key=len, reverse=True)
    found: list[str] = []
    for line in _without_code(text):
        if pieces and any(c.isascii() and c.isalpha() for c in line):
            for piece in pieces:
                if piece in line:
                    line = line.replace(piece, " ")
        for pattern in _STRIP:
            line = pattern.sub(" ", line)
        words = [w for w in _WORD.findall(line) if w not in allowed and not w.isupper()]  # DRG: an acronym
        if words:
            found.append(" ".join(words))
    return found


CODE_KEYS = frozenset({"when", "unless", "list", "each", "base", "start", "on", "applies_when", "done", "checks"})


def authored_texts(folders: Iterable[object]) -> set[str]:
    """Every condition (a string with a space under a key of ``CODE_KEYS``) a pack's author wrote
    in the YAML files of ``folders``: the prose fields must be Chinese, so they are not exempt."""
    from pathlib import Path

    import yaml

    out: set[str] = set()

    def walk(node: object, key: object = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in CODE_KEYS and " " in node.strip():
            out.add(node)

    for folder in folders:
        for path in sorted(Path(str(folder)).rglob("*.yaml")):
            if "tests" not in path.relative_to(Path(str(folder))).parts:
                walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out
