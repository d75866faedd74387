"""Errors as data: one diagnostic shape for every authoring and input mistake.

Hierarchy (every exception the library raises on bad input derives from ``DingdianError``)::

    DingdianError
    ├── PackError        a rule pack (or a chain of packs) failed to load; carries all diagnostics
    ├── CaseError        a case file or case data is not a valid case; carries all diagnostics
    └── EvaluationError  a question cannot be asked of this pack (e.g. unknown question)

A ``Diagnostic`` has a stable kebab-case ``code`` (documented in docs/errors.md), a message, a
1-based ``file:line:column``, the YAML path of the offending node, and a hint saying how to fix
it. Loaders collect every diagnostic of a load and raise once, so an analyst sees all mistakes
together and nothing is half-loaded.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal, NamedTuple

Severity = Literal["error", "warning"]


class Location(NamedTuple):
    """Where a node stands in a source file (1-based line and column; 0 when unknown).

    A tuple: the YAML loader records one for every node of every file it reads."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One mistake (or warning) found while loading, with where it is and how to fix it."""

    code: str
    message: str
    location: Location | None = None
    path: str = ""
    hint: str = ""
    severity: Severity = "error"

    def format(self) -> str:
        """Render as ``file:line:col: severity[code]: message (at path)\\n  hint: ...``."""
        where = f"{self.location}: " if self.location else ""
        at = f" (at {self.path})" if self.path else ""
        text = f"{where}{self.severity}[{self.code}]: {self.message}{at}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "path": self.path,
            "hint": self.hint,
        }


class DingdianError(Exception):
    """Base of every error the library raises on bad input."""


class _DiagnosticsError(DingdianError):
    def __init__(self, diagnostics: Iterable[Diagnostic], summary: str = "") -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        head = summary or f"{len(errors)} error(s)"
        super().__init__(head + "\n" + "\n".join(d.format() for d in self.diagnostics))


class PackError(_DiagnosticsError):
    """A rule pack failed to load; ``diagnostics`` lists every mistake found."""


class CaseError(_DiagnosticsError):
    """Case data is not a valid case; ``diagnostics`` lists every mistake found."""


class EvaluationError(DingdianError):
    """A question was asked that the pack or the evaluator cannot answer."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return a ``did you mean 'x'?`` hint for the closest candidate, or an empty string."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


@dataclass
class DiagnosticBag:
    """Collects diagnostics during a load so all of them can be reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, code: str, message: str, location: Location | None = None,
              path: str = "", hint: str = "") -> None:
        self.items.append(Diagnostic(code, message, location, path, hint, "error"))

    def warning(self, code: str, message: str, location: Location | None = None,
                path: str = "", hint: str = "") -> None:
        self.items.append(Diagnostic(code, message, location, path, hint, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)
