"""Cited provisions and how citations are written: the Chinese way an officer cites a provision (国家医疗保障局令第2号
第十二条第（三）项, with what a restatement rests on) and the short English form of JSON and logs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Citation, SourceDocument


@dataclass(frozen=True)
class CitedProvision:
    """One provision a decision cites for a rule or parameter, nearest jurisdiction first: the
    child's restatement or override, then the provision it restates or changes."""

    pack: str
    role: str  # restated | overridden | defined
    citation: Citation
    also_cites: tuple[Citation, ...] = ()


def cite_zh(c: Citation, documents: "dict[str, SourceDocument] | None" = None, *, with_document: bool = True) -> str:
    """国家医疗保障局令第2号 第十二条第（三）项: the document by its 文号 (its 《title》 when it has
    none), then article, paragraph and item, as an officer writes them."""
    name = ""
    if with_document:
        doc = (documents or {}).get(c.document)
        name = (doc.number if doc and doc.number else f"《{doc.title}》" if doc else c.document) + " "
    return name + _place_zh(c.article, c.paragraph, c.item)


@lru_cache(maxsize=4096)
def _place_zh(article: int, paragraph: int | None, item: int | None) -> str:
    from .articles import zh_numeral
    text = f"第{zh_numeral(article)}条"
    if paragraph:
        text += f"第{zh_numeral(paragraph)}款"
    if item:
        text += f"第（{zh_numeral(item)}）项"
    return text


def provision_zh(p: CitedProvision, documents: "dict[str, SourceDocument] | None" = None) -> str:
    """One provision with its further citations: 苏医保规〔2023〕3号 第四十四条第一款第（八）项、第三款."""
    text = cite_zh(p.citation, documents)
    main = p.citation
    for c in p.also_cites:
        same_article = c.document == main.document and c.article == main.article
        if same_article and c.item is None and c.paragraph in (None, main.paragraph):
            continue  # the chapeau of the cited item: the item's own place already names it
        if same_article:
            text += "、" + _place_zh(c.article, c.paragraph, c.item).split("条", 1)[1]  # 第四十四条…、第三款
        else:
            text += "、" + cite_zh(c, documents, with_document=c.document != main.document)
    return text


def basis_zh(basis: "tuple[CitedProvision, ...]", documents: "dict[str, SourceDocument] | None" = None) -> str:
    """The nearest provision, then what it restates: 苏医保规〔2023〕3号 第九条第（三）项（依据 国家医疗保障局令第2号
    第十二条第（三）项）. An override is cited alone (it changed the rule; provenance says from what)."""
    if not basis:
        return ""
    text = provision_zh(basis[0], documents)
    if basis[0].role != "restated":
        return text
    higher = []
    for p in basis[1:]:
        higher.append(provision_zh(p, documents))
        if p.role != "restated":
            break
    return text + ("（依据 " + "；".join(higher) + "）" if higher else "")


def format_citation(c: Citation) -> str:
    parts = [c.document, f"art. {c.article}"]
    if c.paragraph:
        parts.append(f"para. {c.paragraph}")
    if c.item:
        parts.append(f"item {c.item}")
    return " ".join(parts)
