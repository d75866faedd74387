"""What every verb shares: exit codes, pack references, diagnostics output, writing results."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, TextIO

from ..errors import Diagnostic, Location, PackError

if TYPE_CHECKING:
    from ..packs.resolved import ResolvedPack

# The pack loader and the fact models (pydantic) are imported by the functions that use them, so
# that `--help`, `--version` and a usage error answer at once.

EXIT_OK = 0  # success (warnings allowed)
EXIT_FAILED = 1  # validation errors or failing scenarios
EXIT_USAGE = 2  # bad command line (argparse)
EXIT_PACK = 3  # a pack failed to load
EXIT_CASE = 4  # the case file is not a valid case

EXIT_CODES_HELP = """exit codes:
  0  success (warnings allowed)
  1  validation errors, failing scenarios, or batch entries with errors
  2  usage error (bad command line)
  3  a pack failed to load (its diagnostics are printed)
  4  the case file is not a valid case, or a batch input is unreadable (diagnostics are printed)
each verb's --help lists the codes that verb returns"""

# What 0, 2 and 3 mean is the same for every verb (a missing pack is 3 everywhere, a bad option 2).
_SHARED_EXITS = {EXIT_OK: "success (warnings allowed)", EXIT_USAGE: "usage error (bad command line)",
                 EXIT_PACK: "a pack failed to load (its diagnostics are printed)"}


def exit_codes_help(own: dict[int, str] | None = None, *, loads_packs: bool = True) -> str:
    """A verb's ``exit codes:`` epilog: only the codes it can return. 0, 2 and 3 keep their shared
    meaning (3 only for verbs that load packs); ``own`` adds the verb's 1 and 4, or words 0 for it."""
    codes = {k: v for k, v in _SHARED_EXITS.items() if loads_packs or k != EXIT_PACK} | (own or {})
    return "exit codes:\n" + "\n".join(f"  {k}  {codes[k]}" for k in sorted(codes))


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the hand-written line breaks of descriptions and epilogs."""


def wrap(text: str, width: int = 88) -> str:
    """Fill each paragraph of a description (the help formatter keeps line breaks as written)."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in text.split("\n\n"))


def pack_ref(text: str) -> str | Path:
    """Text written as a path (``./x``, ``/abs``, ``a/b``, ``.``) becomes an absolute path, so a
    pack named ``.`` still has a folder name and finds its parent beside it; anything else is a
    pack id, whatever folders the working directory holds (``finding.is_path_ref``)."""
    from ..packs.finding import is_path_ref
    if is_path_ref(text):
        return Path(text).expanduser().resolve()
    return text


def load(text: str) -> ResolvedPack:
    """Load the pack named on the command line; a ``PackError`` names it as the user wrote it."""
    try:
        from ..packs.loader import load_pack
        return load_pack(pack_ref(text))
    except PackError as exc:
        raise PackError(exc.diagnostics, f"pack '{text}' did not load") from None


def load_or_report(ref: str) -> ResolvedPack | None:
    """Load a pack for a verb that goes on with the other packs: on failure print its diagnostics
    and a one-line summary, and return None."""
    try:
        return load(ref)
    except PackError as exc:
        print_diagnostics(exc.diagnostics)
        print(f"{ref}: did not load ({plural(count(exc.diagnostics)[0], 'error')})")
        return None


def iso_date(text: str) -> date:
    """argparse type for ``--as-of``: a YYYY-MM-DD date."""
    from ..facts.written import parse_iso_date
    try:
        return parse_iso_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def file_date(raw: object) -> date:
    """A date setting read from a case or events file (``as_of``): a date, or text ``YYYY-MM-DD``;
    ValueError for anything else (``20250601``, a number, a datetime)."""
    from ..facts.written import parse_iso_date
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    return parse_iso_date(raw)  # type: ignore[arg-type]


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it (shorter to read)."""
    try:
        p = Path(path)
        if p.is_absolute():
            rel = os.path.relpath(p)
            if not rel.startswith(".."):
                return rel
    except ValueError:  # another drive on Windows
        pass
    return path


def short_location(d: Diagnostic) -> Diagnostic:
    if d.location is None:
        return d
    return replace(d, location=Location(display_path(d.location.file), d.location.line, d.location.column))


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    """Every diagnostic as ``file:line:col: severity[code]: message (at path)`` plus its hint."""
    out = stream or sys.stderr
    for d in diagnostics:
        print(short_location(d).format(), file=out)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    items = list(diagnostics)
    errors = sum(d.severity == "error" for d in items)
    return errors, len(items) - errors


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def emit(text: str, output: str | None = None) -> None:
    """Write a result to ``output`` (a file, UTF-8) or to standard output; what UTF-8 cannot
    encode (a lone surrogate from the input) is written as a ``\\udxxx`` escape, never a crash."""
    if output:
        Path(output).write_text(text, encoding="utf-8", errors="backslashreplace")
    else:
        sys.stdout.write(text)


LANGS = ("zh", "en")


def add_lang(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of what a person reads (text, Markdown, HTML). Chinese is the
    default because the analysts who read decisions are Chinese; JSON keeps language-neutral codes."""
    parser.add_argument("--lang", choices=LANGS, default="zh",
                        help="language of text, Markdown and HTML output: zh (default) or en; JSON is unchanged")


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = ("text", "json", "md")) -> None:
    parser.add_argument("--format", "-f", choices=choices, default="text",
                        help=f"output format: {', '.join(choices)} (default: text)")


def positive(what: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``what`` (rows, processes), 1 or more."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = 0
        if n < 1:
            raise argparse.ArgumentTypeError(f"not a number of {what}: {text!r} (write 1 or more)")
        return n
    return parse
