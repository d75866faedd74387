"""Article coverage: every article of every source document, encoded by rules or classified.

A pack's ``coverage.yaml`` classifies the articles of the documents *that pack* declares which
no rule or parameter of it cites, each with a class and a one-line reason read from the text::

    documents:
      nhsa_order_2:
        articles:
          - {article: 1, class: principle, reason: "Purpose and legal basis (为加强和规范…制定本办法)"}
      tong_ybf_2023_67:                # a notice that forwards an ancestor's document unchanged
        forwards: su_ybg_2023_3
        reason: "转发…请认真遵照执行: adds no provision of its own"

``coverage_report(pack)`` splits each document's articles (``第N条`` headings of the vendored
text, see :func:`.articles.extract_articles`) into *encoded* (cited by a rule, override, repeal or
parameter of the chain, with their ids), *classified* and *unaccounted*, and reports problems
of the coverage file (unknown documents, articles that do not exist, classifications of
articles a rule encodes) as diagnostics with ``file:line:col``.
The text and Markdown views of a report are in :mod:`.coverage_render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from .articles import Article, article_sequence_problems, chinese_numeral, extract_articles
from .coverage_render import STATUS_LABEL, format_counts, format_percent, report_markdown, report_text
from .errors import Diagnostic, DiagnosticBag, Location, did_you_mean
from .resolved import ResolvedPack, SourceText
from .schema import Citation
from .schema_errors import pydantic_diagnostics
from .yamlio import YamlDoc, format_path, load_yaml_file

# Article extraction lives in ``articles`` and the text/Markdown views in ``coverage_render``;
# their names are re-exported here so ``from dingdian_rules.coverage import ...`` keeps working.
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
_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ArticleEntry(BaseModel):
    """One article no rule encodes, with why it needs no rule."""

    model_config = _STRICT
    article: int = Field(ge=1, description="第N条 of the document.")
    class_: ArticleClass = Field(alias="class", description="What kind of provision it is.")
    reason: str = Field(min_length=3, pattern=r"^[^\n]*$", description="One line, read from the text.")


class DocumentCoverage(BaseModel):
    """The classified articles of one source document, or the document it forwards unchanged."""

    model_config = _STRICT
    forwards: str | None = Field(None, description="Id of an ancestor's document this one forwards unchanged; "
                                 "its articles are accounted for by that document's coverage.")
    reason: str | None = Field(None, min_length=3, pattern=r"^[^\n]*$", description="Why, with `forwards`.")
    articles: list[ArticleEntry] = []


class CoverageFile(BaseModel):
    """``coverage.yaml``: per document the pack declares, the articles no rule or parameter cites."""

    model_config = _STRICT
    documents: dict[str, DocumentCoverage] = {}
    note: str | None = None


# --- the report -----------------------------------------------------------------------------
Via = Literal["rule", "override", "restatement", "item", "parameter", "parameter_override", "parameter_restatement",
              "repeal"]
Status = Literal["decided", "restated", "parameter_only", "repeal_only", "classified", "unaccounted"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
# What a citation of each kind makes of an article; the strongest citation of an article gives its status.
VIA_STATUS: dict[str, str] = {
    "rule": "decided", "override": "decided", "item": "decided", "restatement": "restated",
    "parameter": "parameter_only", "parameter_override": "parameter_only", "parameter_restatement": "parameter_only",
    "repeal": "repeal_only",
}
_RANK = {s: i for i, s in enumerate(STATUSES)}


@dataclass(frozen=True)
class Encoding:
    """A provision of the chain that cites an article: a rule's (its definition, override or a
    child's restatement, each with its further citations), an item of a list a rule uses, a
    parameter's, or a repeal's."""

    id: str  # the rule, parameter or repealed rule
    via: Via
    pack: str  # the pack whose provision cites the article
    item_list: str | None = None  # with via "item": the list (@id) whose item cites it
    unused: bool = field(default=False, compare=False)  # a parameter no rule reads

    @property
    def status(self) -> str:
        return VIA_STATUS[self.via]

    def label(self) -> str:
        """``rule.id``, ``rule.id (override)``, ``rule.id (@list)``, ``$param (restatement)``, ``$param (unused)``."""
        name = "$" + self.id if self.via.startswith("parameter") else self.id
        notes = [self.via.removeprefix("parameter_")] if self.via not in ("rule", "parameter", "item") else []
        if self.item_list:
            notes.append("@" + self.item_list)
        if self.unused:
            notes.append("unused")
        return name + (f" ({', '.join(notes)})" if notes else "")

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "via": self.via, "pack": self.pack, "status": self.status}
        if self.item_list:
            out["item_list"] = self.item_list
        if self.via.startswith("parameter"):
            out["unused"] = self.unused
        return out


def status_of(encodings: list[Encoding], classified: bool) -> str:
    """The strongest status the citations give (a rule deciding beats a restatement, which beats a
    parameter, which beats a repeal); a classification only counts where nothing cites the article."""
    if encodings:
        return min((e.status for e in encodings), key=_RANK.__getitem__)
    return "classified" if classified else "unaccounted"


@dataclass
class DocumentReport:
    """Coverage of one source document."""

    document: str
    pack: str
    title: str
    file: Path
    articles: list[Article] = field(default_factory=list)
    cited: dict[int, list[Encoding]] = field(default_factory=dict)  # article -> every provision citing it
    classified: dict[int, tuple[str, str]] = field(default_factory=dict)  # article -> (class, reason)
    forwards: str | None = None
    forward_reason: str | None = None
    forwarded: DocumentReport | None = None  # the report of the forwarded document

    @property
    def numbers(self) -> list[int]:
        return sorted({a.number for a in self.articles})

    @property
    def total(self) -> int:
        return len(self.numbers)

    def status(self, n: int) -> str:
        """One of STATUSES; a forwarding notice's articles have the forwarded document's."""
        if self.forwarded is not None:
            return self.forwarded.status(n)
        return status_of(self.cited.get(n, []), n in self.classified)

    @property
    def counts(self) -> dict[str, int]:
        """Articles per status, every status present (0 when none), in STATUSES order."""
        out = dict.fromkeys(STATUSES, 0)
        for n in self.numbers:
            out[self.status(n)] += 1
        return out

    @property
    def unaccounted(self) -> list[int]:
        return [n for n in self.numbers if self.status(n) == "unaccounted"]

    @property
    def accounted(self) -> int:
        return self.total - len(self.unaccounted)

    @property
    def percent(self) -> float:
        return 100.0 * self.accounted / self.total if self.total else 100.0

    def rows(self) -> list[tuple[int, str, str]]:
        """(article, status, what cites it and/or class: reason) for every article, in order."""
        src = self.forwarded or self
        out = []
        for n in self.numbers:
            encs = sorted(src.cited.get(n, []), key=lambda e: _RANK[e.status])
            parts = [", ".join(e.label() for e in encs)] if encs else []
            if n in src.classified:  # alone, or beside a parameter or repeal that cites the article
                parts.append(f"{src.classified[n][0]}: {src.classified[n][1]}")
            detail = " — ".join(parts)
            if self.forwarded is not None:
                detail = f"[{self.forwards}] {detail}".rstrip()
            out.append((n, self.status(n), detail))
        return out

    def to_dict(self) -> dict[str, object]:
        src = self.forwarded or self
        articles = []
        for n in self.numbers:
            row: dict[str, object] = {"article": n, "status": self.status(n),
                                      "cited_by": [e.to_dict() for e in src.cited.get(n, [])]}
            if n in src.classified:
                row["class"], row["reason"] = src.classified[n]
            articles.append(row)
        return {
            "document": self.document, "pack": self.pack, "title": self.title, "file": str(self.file),
            "forwards": self.forwards, "forward_reason": self.forward_reason,
            "total": self.total, "accounted": self.accounted, "percent": round(self.percent, 1),
            "counts": self.counts, "articles": articles, "unaccounted": self.unaccounted,
        }


@dataclass
class CoverageReport:
    """Coverage of the documents a pack declares, with the problems found on the way."""

    pack: str
    documents: list[DocumentReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    coverage_file: Path | None = None

    @property
    def total(self) -> int:
        return sum(d.total for d in self.documents)

    @property
    def accounted(self) -> int:
        return sum(d.accounted for d in self.documents)

    @property
    def percent(self) -> float:
        return 100.0 * self.accounted / self.total if self.total else 100.0

    @property
    def unaccounted(self) -> dict[str, list[int]]:
        return {d.document: d.unaccounted for d in self.documents if d.unaccounted}

    @property
    def counts(self) -> dict[str, int]:
        """Articles per status over every document, every status present, in STATUSES order."""
        out = dict.fromkeys(STATUSES, 0)
        for d in self.documents:
            for status, n in d.counts.items():
                out[status] += n
        return out

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def complete(self) -> bool:
        """Every article accounted for and no error in the coverage file."""
        return not self.unaccounted and not self.errors

    def to_dict(self) -> dict[str, object]:
        return {"pack": self.pack, "loaded": True, "total": self.total, "accounted": self.accounted,
                "percent": round(self.percent, 1), "counts": self.counts,
                "documents": [d.to_dict() for d in self.documents],
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


def _read_coverage_file(path: Path, bag: DiagnosticBag) -> tuple[CoverageFile | None, YamlDoc | None]:
    if not path.is_file():
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


_RULE_VIA = {"defined": "rule", "overridden": "override", "restated": "restatement"}
_PARAMETER_VIA = {"defined": "parameter", "overridden": "parameter_override", "restated": "parameter_restatement"}


def _encodings(pack: ResolvedPack) -> dict[str, dict[int, list[Encoding]]]:
    """document -> article -> every provision of the chain citing it.

    A rule's ``citation`` is only its nearest provision, so this walks its whole basis (each
    restatement, override and definition with their ``also_cites``) and the items of every list it
    uses; a parameter's basis likewise; a repealed rule counts only by its repeal, since the pack no
    longer decides anything with it."""
    out: dict[str, dict[int, list[Encoding]]] = {}

    def add(c: Citation, enc: Encoding) -> None:
        lst = out.setdefault(c.document, {}).setdefault(c.article, [])
        if enc not in lst:
            lst.append(enc)

    used = {pid for r in pack.rules for pid in r.parameter_ids}
    for r in pack.rules:
        for p in r.basis:
            for c in (p.citation, *p.also_cites):
                add(c, Encoding(r.id, _RULE_VIA[p.role], p.pack))  # type: ignore[arg-type]
        for lst in r.item_lists:
            for item in lst.items:
                add(item.citation, Encoding(r.id, "item", lst.pack, lst.id))
    for prm in pack.parameters.values():
        for p in prm.basis:
            for c in (p.citation, *p.also_cites):
                add(c, Encoding(prm.id, _PARAMETER_VIA[p.role], p.pack, unused=prm.id not in used))  # type: ignore[arg-type]
    for rp in pack.repealed:
        add(rp.citation, Encoding(rp.id, "repeal", rp.pack))
    return out


class _Builder:
    def __init__(self, pack: ResolvedPack, bag: DiagnosticBag) -> None:
        self.pack, self.bag = pack, bag
        self.encodings = _encodings(pack)
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
