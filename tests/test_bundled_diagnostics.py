"""No citation, lint or coverage diagnostic in any bundled pack (issue 16, item 3).

``dingdian-rules validate`` (``validation.validate_pack``: the load, i.e. ``loader.check_pack``,
with the pack's coverage file and scenario files) and ``dingdian-rules coverage``
(``coverage.coverage_report``) must report nothing about a bundled pack's citations, quotes,
numbers, modal words or article accounting, neither as an error nor as a warning.

Which codes count: **every error, and every warning except those in ``NOT_ABOUT_CITATIONS``**.
Those three are about the design of the rules, not about what they cite, and ``validate``
reports them for the analyst to weigh:

- ``rule-overlap`` / ``too-many-overlaps``: two rules one finding can fire with different
  results; decisions list both and say how they combine (docs/errors.md);
- ``unused-parameter``: a parameter no rule reads (e.g. a term length a text states that no
  question asks about); its citation is still checked like any other, and an error there counts.

So the counted warnings are today ``pack-id-folder`` and the coverage file's ``unused-reason``,
``classified-but-encoded``, ``article-gap``, ``article-duplicate`` and ``no-articles``, and any
warning code added later counts until it is classified here (the last test checks that every
warning code docs/errors.md documents is either counted or listed below). Citation problems
themselves (``quote-outside-article`` and the codes after it, ``number-not-in-quote``,
``modality-mismatch``) are errors at load since issue 16, so a pack with one does not load and
fails here as well as everywhere else.

Needs every bundled pack to load: on branches where the packs are still being made lint-clean
the non-national packs fail here, by design.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.cli import main
from dingdian_rules.analysis.coverage import coverage_report
from dingdian_rules.errors import Diagnostic
from dingdian_rules.analysis.validation import validate_pack

NOT_ABOUT_CITATIONS = frozenset({"rule-overlap", "too-many-overlaps", "unused-parameter"})
ERRORS_DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def counted(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[str]:
    return [d.format() for d in diagnostics if d.severity == "error" or d.code not in NOT_ABOUT_CITATIONS]


@lru_cache(maxsize=None)
def _pack(pack_id: str) -> dr.ResolvedPack:
    return dr.load_pack(pack_id)


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_validate_reports_no_citation_diagnostic(pack_id: str) -> None:
    v = validate_pack(pack_id)
    assert v.found and v.pack is not None, "\n".join(d.format() for d in v.errors)
    assert not counted(v.diagnostics), "\n".join(counted(v.diagnostics))


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_coverage_reports_no_citation_diagnostic(pack_id: str) -> None:
    report = coverage_report(_pack(pack_id))
    assert not counted(report.diagnostics), "\n".join(counted(report.diagnostics))
    assert not report.unaccounted, report.unaccounted


_CODE = re.compile(r"\b(error|warning)\[([a-z0-9-]+)\]")


@pytest.mark.parametrize("command", ["validate", "coverage"])
def test_the_commands_print_no_citation_diagnostic(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The commands as an analyst runs them, over every bundled pack: exit 0 and no counted code
    in what they print."""
    code = main([command])
    out = capsys.readouterr()
    printed = [(sev, c) for sev, c in _CODE.findall(out.out + out.err) if sev == "error" or c not in NOT_ABOUT_CITATIONS]
    assert code == 0 and not printed, (code, printed, out.out[-2000:])


def test_every_documented_warning_code_is_classified() -> None:
    """A warning code that docs/errors.md documents is either counted (the default) or listed in
    NOT_ABOUT_CITATIONS; the listed ones are documented warnings, so the list cannot go stale."""
    text = ERRORS_DOC.read_text(encoding="utf-8")
    warnings = set(re.findall(r"^### ([a-z0-9-]+) \*\(warning\)\*", text, flags=re.M))
    assert NOT_ABOUT_CITATIONS <= warnings, NOT_ABOUT_CITATIONS - warnings
    assert {"pack-id-folder", "unused-reason", "classified-but-encoded", "article-gap"} <= warnings - NOT_ABOUT_CITATIONS
