"""What cites each article of a source document, the status that makes of it, and the report.

An article's status says *how* it is accounted for, because "a rule decides this article" and "a
parameter quotes a number from it" are different claims (legal review 2026-12, row 28):
``decided`` (a rule's own citation, further citation, override or listed item), ``restated`` (only a
child's restatement of an inherited rule), ``parameter_only``, ``repeal_only``, ``classified`` (only
coverage.yaml) or ``unaccounted``. Kept apart from :mod:`.coverage`, which reads coverage.yaml and
builds the report, so the report's model can be read without the file models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..packs.articles import Article
from ..errors import Diagnostic
from ..packs.resolved import ResolvedPack
from ..packs.schema import Citation

__all__ = ["STATUSES", "VIA_STATUS", "CoverageReport", "DocumentReport", "Encoding", "Status", "Via", "encodings",
           "status_of"]

Via = Literal["rule", "override", "restatement", "item", "parameter", "parameter_override", "parameter_restatement",
              "repeal"]
Status = Literal["decided", "restated", "parameter_only", "repeal_only", "classified", "unaccounted"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
# What the Chinese views say for a citation's kind and an article's class (the codes stay in JSON).
_VIA_ZH = {"override": "变更", "restatement": "重述", "unused": "未使用", "repeal": "废止"}
_CLASS_ZH = {"principle": "原则", "definition": "定义", "agency_duty": "经办机构职责", "procedure": "程序",
             "institution_duty": "定点机构义务", "scope": "适用范围", "transitional": "过渡条款", "other": "其他"}
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
        """A parameter that a rule reads decides through that rule (its article sets the number the
        rule decides by), and a child's restatement of it restates; only a parameter no rule reads
        leaves its article ``parameter_only``."""
        if self.via in ("parameter", "parameter_override") and not self.unused:
            return "decided"
        if self.via == "parameter_restatement" and not self.unused:
            return "restated"
        return VIA_STATUS[self.via]

    def label(self, lang: str = "en") -> str:
        """``rule.id``, ``rule.id (override)``, ``rule.id (@list)``, ``$param (restatement)``, ``$param (unused)``;
        in Chinese ``rule.id（变更）``."""
        name = "$" + self.id if self.via.startswith("parameter") else self.id
        notes = [self.via.removeprefix("parameter_")] if self.via not in ("rule", "parameter", "item") else []
        if self.item_list:
            notes.append("@" + self.item_list)
        if self.unused:
            notes.append("unused")
        if lang != "en":
            return name + (f"（{'，'.join(_VIA_ZH.get(n, n) for n in notes)}）" if notes else "")
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

    def rows(self, lang: str = "en") -> list[tuple[int, str, str]]:
        """(article, status, what cites it and/or class: reason) for every article, in order."""
        src = self.forwarded or self
        out = []
        for n in self.numbers:
            encs = sorted(src.cited.get(n, []), key=lambda e: _RANK[e.status])
            parts = [", ".join(e.label(lang) for e in encs)] if encs else []
            if n in src.classified:  # alone, or beside a parameter or repeal that cites the article
                kind, reason = src.classified[n]
                parts.append(f"{kind}: {reason}" if lang == "en" else f"{_CLASS_ZH.get(kind, kind)}[{kind}]：{reason}")
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


_RULE_VIA = {"defined": "rule", "overridden": "override", "restated": "restatement"}
_PARAMETER_VIA = {"defined": "parameter", "overridden": "parameter_override", "restated": "parameter_restatement"}


def encodings(pack: ResolvedPack) -> dict[str, dict[int, list[Encoding]]]:
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
