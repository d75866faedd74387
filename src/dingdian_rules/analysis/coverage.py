"""Article coverage: every article of every source document, decided by rules or classified.

A pack's ``coverage.yaml`` classifies the articles of the documents *that pack* declares which
no rule of it decides, each with a class and a one-line reason read from the text::

    documents:
      nhsa_order_2:
        articles:
          - {article: 1, class: principle, reason: "Purpose and legal basis (为加强和规范…制定本办法)"}
      tong_ybf_2023_67:                # a notice that forwards an ancestor's document unchanged
        forwards: su_ybg_2023_3
        reason: "转发…请认真遵照执行: adds no provision of its own"

``coverage_report(pack)`` gives each article of a document (``第N条`` headings of the vendored
text, see :func:`dingdian_rules.packs.articles.extract_articles`) a status from what cites it and from coverage.yaml
(the statuses and the report's model are in :mod:`.coverage_status`), and reports problems of the
coverage file (unknown documents, articles that do not exist, classifications of articles a rule
decides or restates) as diagnostics with ``file:line:col``. The text and Markdown views of a
report are in :mod:`.coverage_views`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ..packs.articles import Article, article_sequence_problems, chinese_numeral, extract_articles
from .coverage_views import STATUS_LABEL, format_counts, format_percent, report_markdown, report_text
from .coverage_status import (STATUSES, VIA_STATUS, CoverageReport, DocumentReport, Encoding, Status, Via, encodings,
                              status_of)
from ..errors import DiagnosticBag, Location, did_you_mean
from ..packs.resolved import ResolvedPack, SourceText
from ..packs.schema import Prose
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_doc import YamlDoc, format_path
from ..reading.yaml_reader import load_yaml_file

# Article extraction lives in ``packs.articles``, the statuses and report in ``coverage_status`` and
# the text/Markdown views in ``coverage_views``; their names are re-exported here, the public face of
# coverage (``from dingdian_rules.analysis.coverage import ...``).
__all__ = [
    "CLASSES", "CLASS_HELP", "COVERAGE_FILE", "Article", "ArticleClass", "ArticleEntry", "CoverageFile",
    "CoverageReport", "DocumentCoverage", "DocumentReport", "Encoding", "STATUSES", "STATUS_LABEL", "Status",
    "VIA_STATUS", "Via", "article_sequence_problems", "chinese_numeral", "coverage_report", "extract_articles",
    "format_counts", "format_percent", "report_markdown", "report_text", "status_of",
]

COVERAGE_FILE = "coverage.yaml"

ArticleClass = Literal["principle", "definition", "agency_duty", "procedure", "institution_duty", "scope",
                       "transitional", "other"]
CLASSES: tuple[str, ...] = ArticleClass.__args__  # type: ignore[attr-defined]
CLASS_HELP = {
    "principle": "purpose, legal basis, guiding principles, division of responsibilities",
    "definition": "what a term means, or what a list of things includes, with no consequence attached",
    "agency_duty": "a duty or power of the administration or the agency that leads to no decision here",
    "procedure": "how a step is carried out, without a decision the questions ask about",
    "institution_duty": "a duty or right of the (designated) institution with no consequence of its own",
    "scope": "where and to whom the text applies, who interprets it, when it takes effect",
    "transitional": "transitional arrangements and repeal of earlier texts",
    "other": "anything else, explained in the reason",
}

# --- coverage.yaml --------------------------------------------------------------------------
_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)  # `true` is not article 1 (D4)


class ArticleEntry(BaseModel):
    """One article no rule encodes, with why it needs no rule."""

    model_config = _STRICT
    article: int = Field(ge=1, description="第N条 of the document.")
    class_: ArticleClass = Field(alias="class", description="What kind of provision it is.")
    reason: Prose = Field(min_length=3, pattern=r"^[^\n]*$", description="One line, read from the text.")


class DocumentCoverage(BaseModel):
    """The classified articles of one source document, or the document it forwards unchanged."""

    model_config = _STRICT
    forwards: str | None = Field(None, description="Id of an ancestor's document this one forwards unchanged; "
                                 "its articles are accounted for by that document's coverage.")
    reason: Prose | None = Field(None, min_length=3, pattern=r"^[^\n]*$", description="Why, with `forwards`.")
    articles: list[ArticleEntry] = []


class CoverageFile(BaseModel):
    """``coverage.yaml``: per document the pack declares, the articles no rule or parameter cites."""

    model_config = _STRICT
    documents: dict[str, DocumentCoverage] = {}
    note: Prose | None = None


def _read_coverage_file(path: Path, bag: DiagnosticBag) -> tuple[CoverageFile | None, YamlDoc | None]:
    if not os.path.lexists(path):  # one that is there but not a regular file is refused when read
        return None, None
    doc, diags = load_yaml_file(path)
    bag.extend(diags)
    if doc is None:
        return None, None
    if not isinstance(doc.data, dict):
        bag.error("not-a-mapping", f"{path.name} must be a mapping", doc.locate(()), "",
                  "start the file with `documents:`")
        return None, doc
    try:
        return CoverageFile.model_validate(doc.data), doc
    except pydantic.ValidationError as exc:
        bag.extend(pydantic_diagnostics(exc, CoverageFile, doc))
        return None, doc


class _Builder:
    def __init__(self, pack: ResolvedPack, bag: DiagnosticBag) -> None:
        self.pack, self.bag = pack, bag
        self.encodings = encodings(pack)
        self.files: dict[str, tuple[CoverageFile | None, YamlDoc | None]] = {}
        self.reports: dict[str, DocumentReport] = {}
        self.checked_sources: set[Path] = set()

    def folder(self, pack_id: str) -> Path:
        return self.pack.folders[self.pack.chain.index(pack_id)]

    def coverage(self, pack_id: str) -> tuple[CoverageFile | None, YamlDoc | None]:
        if pack_id not in self.files:
            # only the leaf's own file reports problems; ancestors' files are read for `forwards`
            bag = self.bag if pack_id == self.pack.id else DiagnosticBag()
            self.files[pack_id] = _read_coverage_file(self.folder(pack_id) / COVERAGE_FILE, bag)
        return self.files[pack_id]

    def document(self, doc_id: str, stack: tuple[str, ...] = ()) -> DocumentReport:
        if doc_id in self.reports:
            return self.reports[doc_id]
        src: SourceText = self.pack.sources[doc_id]
        title = src.document.title + (f"（{src.document.number}）" if src.document.number else "")
        report = DocumentReport(doc_id, src.pack, title, src.path)
        try:
            text = src.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        report.articles = extract_articles(text)
        if src.path not in self.checked_sources and src.pack == self.pack.id:
            self.checked_sources.add(src.path)
            self.bag.extend(article_sequence_problems(report.articles, str(src.path)))
        report.cited = {n: encs for n, encs in self.encodings.get(doc_id, {}).items()}
        cov, ydoc = self.coverage(src.pack)
        entry = cov.documents.get(doc_id) if cov else None
        if entry is not None:
            base = ("documents", doc_id)
            if entry.forwards is not None:
                self._forward(report, entry.forwards, ydoc, base, stack + (doc_id,))
                report.forward_reason = entry.reason
                if not entry.reason and src.pack == self.pack.id:
                    self.bag.error("missing-field", f"{doc_id} forwards {entry.forwards} but gives no `reason:`",
                                   ydoc.locate(base + ("forwards",)) if ydoc else None, format_path(base),
                                   "add `reason: <why the articles are the forwarded document's>`")
            elif entry.reason and src.pack == self.pack.id:
                self.bag.warning("unused-reason", f"`reason:` of {doc_id} is only read with `forwards:`",
                                 ydoc.locate(base + ("reason",)) if ydoc else None, format_path(base + ("reason",)),
                                 "give each article its own reason under `articles:`")
            numbers = set(report.numbers)
            seen: dict[int, int] = {}
            for i, a in enumerate(entry.articles):
                path = base + ("articles", i, "article")
                where = ydoc.locate(path) if ydoc else Location(str(src.path))
                mine = src.pack == self.pack.id
                if a.article not in numbers:
                    if mine:
                        last = max(numbers) if numbers else 0
                        self.bag.error("unknown-article", f"{doc_id} has no 第{a.article}条 (its articles are "
                                       f"1-{last})" if last else f"{doc_id} has no 第{a.article}条 (no articles "
                                       "found in its text)", where, format_path(path),
                                       "check the article number against the source text")
                    continue
                if a.article in seen:
                    if mine:
                        self.bag.error("duplicate-article", f"第{a.article}条 is already classified (entry "
                                       f"{seen[a.article]})", where, format_path(path), "keep one entry per article")
                    continue
                seen[a.article] = i
                if report.forwarded is not None and mine:
                    self.bag.error("forwarded-article", f"{doc_id} forwards {entry.forwards}; classify 第{a.article}条 "
                                   f"in the coverage of {entry.forwards} instead", where, format_path(path))
                    continue
                encs = [e for e in report.cited.get(a.article, []) if e.status in ("decided", "restated")]
                if encs and mine:
                    ids = ", ".join(e.label() for e in encs)
                    verb = "decides" if any(e.status == "decided" for e in encs) else "restates"
                    self.bag.warning("classified-but-encoded", f"第{a.article}条 of {doc_id} is classified as "
                                     f"{a.class_}, but a rule {verb} it ({ids}); the rule accounts for it",
                                     where, format_path(path), "remove this classification (keep it only for an "
                                     "article that no rule decides or restates), or fix the rule's citation")
                report.classified[a.article] = (a.class_, a.reason)
        self.reports[doc_id] = report
        return report

    def _forward(self, report: DocumentReport, target: str, ydoc: YamlDoc | None, base: tuple, stack: tuple) -> None:
        where = ydoc.locate(base + ("forwards",)) if ydoc else None
        mine = report.pack == self.pack.id
        src = self.pack.sources.get(target)
        chain = self.pack.chain
        if src is None or target in stack:
            if mine:
                why = "forms a cycle" if target in stack else "is not a document of the chain"
                self.bag.error("unknown-document", f"forwards: '{target}' {why}", where,
                               format_path(base + ("forwards",)), did_you_mean(target, self.pack.sources))
            return
        if chain.index(src.pack) > chain.index(report.pack) or target == report.document:
            if mine:
                self.bag.error("bad-forward",
                               f"forwards: '{target}' must be another document of this pack or of an ancestor",
                               where, format_path(base + ("forwards",)))
            return
        fwd = self.document(target, stack)
        if fwd.numbers != report.numbers and mine:
            self.bag.error("bad-forward", f"{report.document} has articles {_ranges(report.numbers)} but "
                           f"{target} has {_ranges(fwd.numbers)}; a forwarded text must hold the same articles",
                           where, format_path(base + ("forwards",)))
            return
        report.forwards, report.forwarded = target, fwd


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def coverage_report(pack: ResolvedPack) -> CoverageReport:
    """Account for every article of the documents ``pack`` itself declares (not its ancestors')."""
    bag = DiagnosticBag()
    builder = _Builder(pack, bag)
    own = [doc_id for doc_id, src in pack.sources.items() if src.pack == pack.id]
    cov, ydoc = builder.coverage(pack.id)
    if cov is not None and ydoc is not None:
        for doc_id in cov.documents:
            if doc_id in own:
                continue
            path = ("documents", doc_id)
            src = pack.sources.get(doc_id)
            if src is not None:
                bag.error("not-own-document", f"'{doc_id}' is declared by {src.pack}, not by {pack.id}",
                          ydoc.locate_key(path), format_path(path),
                          f"classify its articles in {src.pack}'s {COVERAGE_FILE}")
            else:
                bag.error("unknown-document", f"'{doc_id}' is not a source document of {pack.id}",
                          ydoc.locate_key(path), format_path(path),
                          did_you_mean(doc_id, own) or "list the pack's documents under `sources:` in pack.yaml")
    documents = [builder.document(doc_id) for doc_id in own]
    path = pack.folders[-1] / COVERAGE_FILE
    return CoverageReport(pack.id, documents, bag.items, path if path.is_file() else None)
