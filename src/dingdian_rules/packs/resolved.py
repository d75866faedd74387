"""The resolved pack: a frozen, flattened view of a pack and its ancestors, with provenance.

Everything an evaluation needs is computed here once (conditions compiled, parameters inlined,
question plans built), so evaluation does no lookups by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..conditions.compile import CompiledExpr
from ..conditions.parser import param_names
from ..errors import Diagnostic, Location
from .citing import CitedProvision, basis_zh, cite_zh, format_citation, provision_zh  # noqa: F401 (re-exported)
from .vocabulary import LEVEL_ZH
from ..time.periods import WorkdayCalendar

if TYPE_CHECKING:
    from .schema import Citation, PackMeta, SourceDocument, Text
    from .rule_schema import Deadline, Measure

Action = Literal["defined", "inherited", "restated", "overridden", "repealed"]
CITING_ACTIONS = ("restated", "overridden", "defined")  # the steps whose provisions a decision cites
_NOTES_ZH = {"the higher provision prevails": "适用上位规定", "the lower provision prevails": "适用本级规定"}  # inheritance's own
_ACTIONS_ZH = {"defined": "设立于", "inherited": "原样继承于", "restated": "重述于", "overridden": "变更于", "repealed": "废止于"}


@dataclass(frozen=True)
class ProvenanceStep:
    """One link of a rule's or parameter's history through the chain."""

    action: Action
    pack: str
    citation: Citation | None = None
    note: str = ""  # what changed, why it was repealed, or how a restatement reads
    also_cites: tuple[Citation, ...] = ()

    def describe(self, lang: str = "en") -> str:
        """``defined in national (nhsa_order_2 art. 5)``, or in Chinese ``设立于 national（nhsa_order_2 第五条）``."""
        if lang == "zh":
            cite = f"（{cite_zh(self.citation)}）" if self.citation else ""
            note = _NOTES_ZH.get(self.note, self.note)
            return f"{_ACTIONS_ZH[self.action]} {self.pack}{cite}" + (f"：{note}" if note else "")
        cite = f" ({format_citation(self.citation)})" if self.citation else ""
        verb = {"defined": "defined in", "inherited": "inherited unchanged by", "restated": "restated by",
                "overridden": "overridden by", "repealed": "repealed by"}[self.action]
        return f"{verb} {self.pack}{cite}" + (f": {self.note}" if self.note else "")


def basis_of(provenance: tuple[ProvenanceStep, ...]) -> tuple[CitedProvision, ...]:
    """The cited provisions of a provenance chain, nearest (latest) first."""
    return tuple(CitedProvision(p.pack, p.action, p.citation, p.also_cites)
                 for p in reversed(provenance) if p.action in CITING_ACTIONS and p.citation is not None)


@dataclass(frozen=True)
class ResolvedParameter:
    id: str
    title: Text
    value: int | float | tuple[str, ...]
    unit: str
    citation: Citation  # the nearest provision that sets or restates the value
    provenance: tuple[ProvenanceStep, ...]
    location: Location | None = None
    note: str | None = None
    cited_as: str = ""  # basis_zh of the provenance, computed at load
    documents: "dict[str, SourceDocument]" = field(default_factory=dict, repr=False)  # the chain's, for labels
    derivation: str | None = None  # how the value is read from the quote, when it does not stand there

    @cached_property
    def basis(self) -> tuple[CitedProvision, ...]:
        return basis_of(self.provenance)


@dataclass(frozen=True, eq=False)
class ResolvedItem:
    """One item of a cited list, with its own citation and compiled condition."""

    list_id: str
    citation: Citation
    when: str
    condition: CompiledExpr | None


@dataclass(frozen=True, eq=False)
class ResolvedItemList:
    id: str
    pack: str
    title: Text | None
    items: tuple[ResolvedItem, ...]


@dataclass(frozen=True, eq=False)
class CompiledMeasure:
    measure: Measure
    amount_base: CompiledExpr | None = None
    min_rate: float | None = None
    max_rate: float | None = None
    min_duration: tuple[int, str] | None = None
    max_duration: tuple[int, str] | None = None
    in_principle: bool = False  # the cap is 原则上不得超过
    per_tier: str | None = None  # the field of conduct.itemised_amounts that replaces the base for the rule's tier


@dataclass(frozen=True, eq=False)
class ResolvedRule:
    id: str
    kind: str
    title: Text
    citation: Citation
    modality: str
    in_principle: bool
    outcome: str | None
    questions: tuple[str, ...]
    note: str | None
    provenance: tuple[ProvenanceStep, ...]
    location: Location | None
    when: str | None = None
    requires: str | None = None
    applies_when: str | None = None
    deadline: Deadline | None = None
    measures: tuple[CompiledMeasure, ...] = ()
    tier: int | None = None
    condition: CompiledExpr | None = None  # when / requires / applies_when, compiled
    fires_on: bool | None = True  # value of ``condition`` that makes the rule fire
    deadline_start: CompiledExpr | None = None
    deadline_extend: CompiledExpr | None = None
    deadline_done: CompiledExpr | None = None  # the done_on expression
    deadline_each: "tuple[CompiledExpr, CompiledExpr | None] | None" = None  # per item: the list, the filter
    deadline_on: CompiledExpr | None = None  # the last day itself (a calendar day the text names)
    deadline_opens: CompiledExpr | None = None  # the first day of a window ending on the last day
    deadline_checks: CompiledExpr | None = None  # a caller's date that must equal the last day
    deadline_length: tuple[int, str] | None = None
    deadline_param: str | None = None
    also_cites: tuple[Citation, ...] = ()
    item_lists: tuple[ResolvedItemList, ...] = ()  # lists its condition names as @id
    parameter_ids: tuple[str, ...] = ()  # parameters it reads, sorted
    parameters: "tuple[ResolvedParameter, ...]" = ()  # the same, resolved (value, citations, provenance)
    cited_as: str = ""  # basis_zh of the provenance, computed at load
    warning: Any = None  # schema.RuleWarning carried by every decision in which the rule fires
    documents: "dict[str, SourceDocument]" = field(default_factory=dict, repr=False)  # the chain's, for labels
    norm_differences: "tuple[ResolvedNormDifference, ...]" = ()  # recorded lower-norm differences bearing on it

    @cached_property
    def basis(self) -> tuple[CitedProvision, ...]:
        """Provisions to cite, nearest jurisdiction first (restatement, override, definition)."""
        return basis_of(self.provenance)

    @property
    def defined_in(self) -> str:
        return self.provenance[0].pack

    @property
    def label(self) -> str:
        """Kind, tier and outcome in a few words, e.g. ``measures, tier 3`` or ``rescission, rescind``."""
        parts = [self.kind]
        if self.tier:
            parts.append(f"tier {self.tier}")
        if self.outcome:
            parts.append(self.outcome)
        return ", ".join(parts)


def rule_parameters(rule: ResolvedRule) -> set[str]:
    """Ids of the parameters (``$id``) a rule reads in its condition, deadline and measures."""
    texts: list[str | None] = [rule.when, rule.requires, rule.applies_when]
    if rule.deadline:
        texts += [rule.deadline.length, rule.deadline.extend_days, rule.deadline.start, rule.deadline.done_on]
        if rule.deadline.each is not None:
            texts += [rule.deadline.each.where]
        texts += [rule.deadline.on, rule.deadline.opens, rule.deadline.checks]
    for m in rule.measures:
        if m.measure.amount:
            texts += [m.measure.amount.base, m.measure.amount.min_rate, m.measure.amount.max_rate]
        if m.measure.duration:
            texts += [m.measure.duration.min, m.measure.duration.max]
    for lst in rule.item_lists:
        texts += [item.when for item in lst.items]
    return {name for t in texts if t for name in param_names(t)}


@dataclass(frozen=True, eq=False)
class ResolvedNormDifference:
    """A child's provision recorded as differing from a higher one (``norm_differences:``), with
    the rules it bears on that the resolved pack still has, and its provenance through the chain."""

    id: str
    pack: str  # the pack that recorded it
    rules: tuple[str, ...]
    lower: tuple[Citation, ...]
    higher: tuple[Citation, ...]
    prevails: str  # higher | lower
    reason: str
    reason_cites: tuple[Citation, ...]
    note: str | None
    provenance: tuple[ProvenanceStep, ...]
    documents: "dict[str, SourceDocument]" = field(default_factory=dict, repr=False)
    when: str | None = None  # the case condition limiting the warning, as written
    condition: CompiledExpr | None = None  # ``when`` compiled; None: every decision touching the rules
    _messages: dict = field(default_factory=dict, repr=False)  # touched rule ids -> message_zh, built once

    @property
    def lower_cited_as(self) -> str:
        return provision_zh(CitedProvision(self.pack, "defined", self.lower[0], self.lower[1:]), self.documents)

    @property
    def higher_cited_as(self) -> str:
        return provision_zh(CitedProvision(self.pack, "defined", self.higher[0], self.higher[1:]), self.documents)

    @property
    def reason_cited_as(self) -> str:
        return "；".join(cite_zh(c, self.documents) for c in self.reason_cites)

    def _quoted(self, cites: "tuple[Citation, ...]") -> str:
        """《文件》第八十条第（二）项“…”（第八十条“…”）: each provision with its own words; a further
        one names its document only when it differs from the first's."""
        first = cites[0]
        text = f"{cite_zh(first, self.documents)}“{first.quote}”"
        more = [f"{cite_zh(c, self.documents, with_document=c.document != first.document)}“{c.quote}”" for c in cites[1:]]
        return text + (f"（{'；'.join(more)}）" if more else "")

    def message_zh(self, touched: "tuple[str, ...] | None" = None) -> str:
        """The decision warning: both provisions quoted, which prevails and why, the rules touched
        (built once per set of touched rules: decisions are made in batches)."""
        hit = self._messages.get(touched)
        if hit is None:
            if len(self._messages) > 256:
                self._messages.clear()
            hit = self._messages[touched] = self._message(touched)
        return hit

    def _message(self, touched: "tuple[str, ...] | None") -> str:
        winner = "上位规定" if self.prevails == "higher" else "本级规定"
        basis = f"（依据 {self._quoted(self.reason_cites)}）" if self.reason_cites else ""
        rules = "、".join(touched if touched is not None else self.rules)
        return (f"本级规定与上位规定不一致（{self.id}，记录于 {self.pack}）：本级 {self._quoted(self.lower)}；"
                f"上位 {self._quoted(self.higher)}。适用{winner}：{join_zh(self.reason)}{basis}。涉及规则：{rules}")


def join_zh(text: str) -> str:
    """Folded YAML text with its line breaks removed: no space is left beside a Chinese character
    (a folded line break between two Chinese lines is not a space in Chinese)."""
    text = " ".join(text.split())
    return _CJK_SPACE.sub("", text)


_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")


@dataclass(frozen=True)
class RepealedRule:
    id: str
    pack: str
    reason: str
    citation: Citation
    provenance: tuple[ProvenanceStep, ...]


@dataclass(frozen=True)
class SourceText:
    document: SourceDocument
    pack: str
    path: Path


@dataclass(frozen=True, eq=False)
class ResolvedPack:
    """A pack with its ancestors flattened in; immutable and ready to evaluate."""

    id: str
    name: Text
    level: str
    chain: tuple[str, ...]  # root first
    metas: tuple[PackMeta, ...]
    folders: tuple[Path, ...]
    sources: dict[str, SourceText]
    parameters: dict[str, ResolvedParameter]
    rules: tuple[ResolvedRule, ...]
    repealed: tuple[RepealedRule, ...]
    _fingerprint: list  # [fingerprint or callable computing it, callable giving the content fingerprint]
    calendar: WorkdayCalendar
    warnings: tuple[Diagnostic, ...] = ()
    plans: dict[str, object] = field(default_factory=dict)
    overlaps: tuple[object, ...] = ()  # overlaps.Overlap pairs, found at load
    param_infos: dict[str, object] = field(default_factory=dict)  # id -> conditions.types.ParamInfo
    item_lists: dict[str, ResolvedItemList] = field(default_factory=dict)  # cited lists (@id), by id
    norm_differences: tuple[ResolvedNormDifference, ...] = ()  # recorded lower-norm differences, root first
    warning_cache: dict = field(default_factory=dict)  # as_of -> status warnings (evaluate fills it)

    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the canonical resolved form (chain, sources, holidays, parameters, rules,
        repeals) and the calendar packages' versions: recorded in every decision, so a decision
        names exactly the law and calendar it applied."""
        if callable(self._fingerprint[0]):
            self._fingerprint[0] = self._fingerprint[0]()
        return self._fingerprint[0]

    @property
    def content_fingerprint(self) -> str:
        """The fingerprint without the calendar packages' versions (``resolving.fingerprint_with``)."""
        return self._fingerprint[1]()

    def rule(self, rule_id: str) -> ResolvedRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def meta(self) -> PackMeta:
        return self.metas[-1]

    def status_warnings(self, as_of: date) -> list[tuple[str, str, str]]:
        """(code, English message, Chinese message) for every layer of the chain that is not
        encoded and every source that is a draft or not in force on ``as_of``."""
        out: list[tuple[str, str, str]] = []
        for meta in self.metas:
            if meta.not_encoded:
                out.append(("layer-not-encoded", f"the {meta.level} layer '{meta.id}' ({meta.name.zh}) is not "
                            f"encoded: {meta.not_encoded}",
                            f"{LEVEL_ZH.get(meta.level, meta.level)}层级 {meta.id}（{meta.name.zh}）未编码：{meta.not_encoded}"))
        for src in self.sources.values():
            doc = src.document
            label, zh = f"{doc.title}{'（' + doc.number + '）' if doc.number else ''}", f"《{doc.title}》{doc.number or ''}"
            if doc.status == "draft":
                out.append(("pack-draft", f"{label} is a draft (征求意见稿) with no date in force; decisions under it "
                            "are not law", f"{zh}为征求意见稿，尚无施行日期；据此作出的决定不具有法律效力"))
            elif doc.in_force and as_of < doc.in_force:
                out.append(("pack-not-yet-in-force", f"{label} comes into force on {doc.in_force}, after {as_of}",
                            f"{zh}自 {doc.in_force} 起施行，晚于评估日期 {as_of}"))
            if doc.expires and as_of > doc.expires:
                out.append(("pack-expired", f"{label} expired on {doc.expires} (its stated validity); check whether it "
                            "was extended or replaced", f"{zh}已于 {doc.expires} 到期（文件所定有效期）；请核实是否已延期或被替代"))
            elif doc.status == "expired":
                out.append(("pack-expired", f"{label} is marked expired", f"{zh}已标注为失效"))
        return out
