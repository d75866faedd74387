"""Text and Markdown views of a coverage report (``dingdian-rules coverage`` and ``--format md``).

Kept apart from :mod:`.coverage` so that building a report (reading coverage.yaml, matching
citations to articles) does not carry its presentation; the views only read the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

if TYPE_CHECKING:
    from .coverage_status import CoverageReport, DocumentReport
    from ..errors import Diagnostic

__all__ = ["STATUS_LABEL", "format_counts", "format_percent", "not_loaded_markdown", "not_loaded_text",
           "report_markdown", "report_text"]

# Status code (the JSON's, stable) -> the word the text and Markdown views print.
STATUS_LABEL = {"decided": "decided", "restated": "restated", "parameter_only": "parameter only",
                "repeal_only": "repeal only", "classified": "classified", "unaccounted": "UNACCOUNTED"}


def format_counts(counts: Mapping[str, int]) -> str:
    """``14 decided, 1 parameter only, 38 classified``: the statuses that occur, in status order."""
    return ", ".join(f"{n} {STATUS_LABEL[s]}" for s, n in counts.items() if n) or "no articles"


def _summary(d: DocumentReport) -> str:
    return (f"{d.document}: {d.accounted}/{d.total} articles accounted for ({format_percent(d.percent)}): "
            f"{format_counts(d.counts)}")


def format_percent(p: float) -> str:
    return f"{p:.0f}%" if p in (0.0, 100.0) else f"{p:.1f}%"


def report_text(report: CoverageReport) -> str:
    lines = [f"# {report.pack}"]
    if not report.documents:
        lines.append(f"{report.pack}: declares no source document (nothing to account for)")
    for d in report.documents:
        lines.append(f"{d.document} — {d.title} ({d.file.name})")
        if d.forwarded is not None:
            lines.append(f"  forwards {d.forwards} unchanged; its articles are accounted for as there: "
                         f"{d.forward_reason}")
        rows = d.rows()
        width = max((len(STATUS_LABEL[s]) for _, s, _ in rows), default=0)
        for n, st, detail in rows:
            lines.append(f"  art. {n:>3}  {STATUS_LABEL[st]:<{width}}  {detail}".rstrip())
        lines.append(_summary(d))
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def report_markdown(report: CoverageReport) -> str:
    out = [f"## {report.pack}", ""]
    if not report.documents:
        out += [f"{report.pack} declares no source document (nothing to account for).", ""]
    for d in report.documents:
        out += [f"### {d.document} — {d.title}", ""]
        if d.forwarded is not None:
            out += [f"Forwards `{d.forwards}` unchanged; its articles are accounted for as there: "
                    f"{d.forward_reason}", ""]
        out += ["| article | status | cited by / class and reason |", "| ---: | --- | --- |"]
        for n, st, detail in d.rows():
            out.append(f"| {n} | {STATUS_LABEL[st]} | {_md_cell(detail)} |")
        out += ["", f"**{_summary(d)}**", ""]
    return "\n".join(out)


def _error_lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    return [d.format().splitlines()[0] for d in diagnostics if d.severity == "error"]


def not_loaded_text(ref: str, diagnostics: Sequence[Diagnostic]) -> str:
    """A pack that did not load: no article of it can be accounted for, and the report says so
    rather than counting nothing as complete."""
    errors = _error_lines(diagnostics)
    lines = [f"# {ref}", f"{ref}: did not load ({len(errors)} error{'' if len(errors) == 1 else 's'}); "
             "its articles cannot be accounted for until it loads"]
    return "\n".join(lines + ["  " + e for e in errors]) + "\n"


def not_loaded_markdown(ref: str, diagnostics: Sequence[Diagnostic]) -> str:
    errors = _error_lines(diagnostics)
    out = [f"## {ref}", "", f"**{ref} did not load** ({len(errors)} error{'' if len(errors) == 1 else 's'}); "
           "its articles cannot be accounted for until it loads:", ""]
    return "\n".join(out + [f"- `{e}`" for e in errors] + [""])
