"""Text and Markdown views of a coverage report (``dingdian-rules coverage`` and ``--format md``),
in Chinese or, with ``lang="en"``, English.

Kept apart from :mod:`.coverage` so that building a report (reading coverage.yaml, matching
citations to articles) does not carry its presentation; the views only read the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from ..render.labels import tr
from .coverage_status import STATUSES

if TYPE_CHECKING:
    from .coverage_status import CoverageReport, DocumentReport
    from ..errors import Diagnostic

__all__ = ["STATUS_LABEL", "STATUS_LABEL_ZH", "format_counts", "format_percent", "not_loaded_markdown",
           "not_loaded_text", "report_markdown", "report_text", "totals"]

# Status code (the JSON's, stable) -> the word the text and Markdown views print.
STATUS_LABEL = {"decided": "decided", "restated": "restated", "parameter_only": "parameter only",
                "repeal_only": "repeal only", "classified": "classified", "unaccounted": "UNACCOUNTED"}
STATUS_LABEL_ZH = {"decided": "已编码", "restated": "已重述", "parameter_only": "仅参数", "repeal_only": "仅废止",
                   "classified": "已归类", "unaccounted": "未交代"}


def _status(s: str, lang: str) -> str:
    return STATUS_LABEL[s] if lang == "en" else STATUS_LABEL_ZH[s]


def format_counts(counts: Mapping[str, int], lang: str = "en") -> str:
    """``14 decided, 1 parameter only, 38 classified``: the statuses that occur, in status order."""
    if lang == "en":
        return ", ".join(f"{n} {STATUS_LABEL[s]}" for s, n in counts.items() if n) or "no articles"
    return "，".join(f"{STATUS_LABEL_ZH[s]} {n} 条" for s, n in counts.items() if n) or "没有条文"


def _summary(d: DocumentReport, lang: str) -> str:
    pct = format_percent(d.percent)
    return tr(lang, f"{d.document}：已交代 {d.accounted}/{d.total} 条（{pct}）：{format_counts(d.counts, lang)}",
              f"{d.document}: {d.accounted}/{d.total} articles accounted for ({pct}): {format_counts(d.counts, lang)}")


def format_percent(p: float) -> str:
    return f"{p:.0f}%" if p in (0.0, 100.0) else f"{p:.1f}%"


def _rows(d: DocumentReport, lang: str) -> list[tuple[int, str, str]]:
    return d.rows(lang)


def report_text(report: CoverageReport, lang: str = "zh") -> str:
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    lines = [f"# {report.pack}"]
    if not report.documents:
        lines.append(t(f"{report.pack}：未声明来源文件（无需交代条文）", f"{report.pack}: declares no source document (nothing to account for)"))
    for d in report.documents:
        lines.append(f"{d.document} — {d.title} ({d.file.name})")
        if d.forwarded is not None:
            lines.append(t(f"  原样转发 {d.forwards}；其条文按该文件交代：", f"  forwards {d.forwards} unchanged; its articles are "
                           "accounted for as there: ") + d.forward_reason)
        rows = _rows(d, lang)
        width = max((len(_status(s, lang)) for _, s, _ in rows), default=0)
        for n, st, detail in rows:
            where = t(f"第{n}条" + " " * max(0, 3 - len(str(n))), f"art. {n:>3}")
            pad = width - len(_status(st, lang))
            lines.append(f"  {where}  {_status(st, lang)}{' ' * (pad * (2 if lang != 'en' else 1))}  {detail}".rstrip())
        lines.append(_summary(d, lang))
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def report_markdown(report: CoverageReport, lang: str = "zh") -> str:
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    out = [f"## {report.pack}", ""]
    if not report.documents:
        out += [t(f"{report.pack} 未声明来源文件（无需交代条文）。", f"{report.pack} declares no source document (nothing to account for)."), ""]
    for d in report.documents:
        out += [f"### {d.document} — {d.title}", ""]
        if d.forwarded is not None:
            out += [t(f"原样转发 `{d.forwards}`；其条文按该文件交代：", f"Forwards `{d.forwards}` unchanged; its articles are "
                      "accounted for as there: ") + d.forward_reason, ""]
        out += [t("| 条 | 状态 | 引用者 / 类别和理由 |", "| article | status | cited by / class and reason |"), "| ---: | --- | --- |"]
        for n, st, detail in _rows(d, lang):
            out.append(f"| {n} | {_status(st, lang)} | {_md_cell(detail)} |")
        out += ["", f"**{_summary(d, lang)}**", ""]
    return "\n".join(out)


def _error_lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    return [d.format().splitlines()[0] for d in diagnostics if d.severity == "error"]


def not_loaded_text(ref: str, diagnostics: Sequence[Diagnostic], lang: str = "zh") -> str:
    """A pack that did not load: no article of it can be accounted for, and the report says so
    rather than counting nothing as complete."""
    errors = _error_lines(diagnostics)
    lines = [f"# {ref}", tr(lang, f"{ref}：未能加载（{len(errors)} 个错误）；加载之前，其条文无法交代",
                            f"{ref}: did not load ({len(errors)} error{'' if len(errors) == 1 else 's'}); "
                            "its articles cannot be accounted for until it loads")]
    return "\n".join(lines + ["  " + e for e in errors]) + "\n"


def not_loaded_markdown(ref: str, diagnostics: Sequence[Diagnostic], lang: str = "zh") -> str:
    errors = _error_lines(diagnostics)
    out = [f"## {ref}", "", tr(lang, f"**{ref} 未能加载**（{len(errors)} 个错误）；加载之前，其条文无法交代：",
                               f"**{ref} did not load** ({len(errors)} error{'' if len(errors) == 1 else 's'}); "
                               "its articles cannot be accounted for until it loads:"), ""]
    return "\n".join(out + [f"- `{e}`" for e in errors] + [""])


def _n(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def totals(reports: Sequence[CoverageReport], broken: Sequence[tuple[str, object]], fmt: str, lang: str = "zh") -> str:
    """The last line: articles accounted for and per status over the packs that loaded, and which
    did not load (never "0/0 … (100%)" for packs that could not be read); in Markdown, a table too."""
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731
    total = sum(r.total for r in reports)
    accounted = sum(r.accounted for r in reports)
    counts = dict.fromkeys(STATUSES, 0)
    for r in reports:
        for status, n in r.counts.items():
            counts[status] += n
    missing = counts["unaccounted"]
    errors = sum(len(r.errors) for r in reports)
    if reports:
        pct = format_percent(100.0 * accounted / total if total else 100.0)
        line = t(f"合计：{len(reports)} 个规则包，已交代 {accounted}/{total} 条（{pct}）：{format_counts(counts, lang)}",
                 f"total: {accounted}/{total} articles accounted for ({pct}) in {_n(len(reports), 'pack')}: "
                 f"{format_counts(counts, lang)}")
    else:
        line = t("合计：没有规则包加载成功，没有交代任何条文", "total: no pack loaded, no article accounted for")
    line += t(f"；{missing} 条未交代", f"; {_n(missing, 'article')} unaccounted for") if missing else ""
    line += t(f"；coverage 文件中有 {errors} 个错误", f"; {_n(errors, 'error')} in coverage files") if errors else ""
    if broken:
        refs = ", ".join(ref for ref, _ in broken)
        line += t(f"；{len(broken)} 个规则包未能加载（{refs}）", f"; {_n(len(broken), 'pack')} did not load ({refs})")
    if fmt == "md":
        head = " | ".join(_status(s, lang) for s in STATUSES)
        rows = ["", t("## 汇总", "## Summary"), "",
                t(f"| 规则包 | 文件 | 条文 | {head} | 已交代 |", f"| pack | document | articles | {head} | accounted |"),
                "| --- | --- | ---: |" + " ---: |" * len(STATUSES) + " ---: |"]
        for r in reports:
            for d in r.documents:
                cells = " | ".join(str(d.counts[s]) for s in STATUSES)
                rows.append(f"| {r.pack} | {d.document} | {d.total} | {cells} | {format_percent(d.percent)} |")
        for ref, _ in broken:
            rows.append(f"| {ref} | {t('（未能加载）', '(did not load)')} | – |" + " – |" * len(STATUSES) + " – |")
        return "\n".join(rows + ["", f"**{line}**", ""])
    return line + "\n"
