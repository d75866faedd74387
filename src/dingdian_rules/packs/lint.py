"""Pack lint: numbers and modal verbs checked against the pack's own quotes, at load.

An analyst who mistypes a number (3 years for 未满2年), a unit, or a modality (may for 应当)
is told at ``validate``, not by a lucky scenario. Both checks read only the quotes already
checked against the source text, so they cost nothing per decision.

Numbers: a parameter's value must appear in its citation's quote with its unit, in the forms
the texts use: Arabic or Chinese numerals (3 / 三 / 两), the unit words of ``UNIT_WORDS``, and
the readings 30% ↔ 百分之三十 ↔ 0.3. A parameter whose value is derived (半年 as 6 months, a
cap read from two clauses) says how in ``derivation:``.

Modality: a rule's modality must agree with the modal words of its quote: 应当/应/必须 → shall,
可以/可 → may, 不得/禁止 → shall_not, as words (相应, 对应, 可能, 许可 … are not modal). When the
quote has none, the modal word must stand in a further citation (``also_cites``, e.g. the list's
chapeau) or the rule says where its modality comes from in ``modality_source:``. An ``effect``
rule states a legal effect, so its quote has no modal verb of its own. A time limit whose quote
has two modal words (可以中止…但…不得超过180日) is read by the word that governs its number: the
nearest one before it (不得 for 180日), so shall_not and may cannot be swapped unseen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .articles import zh_numeral
from .citations import normalize_text

if TYPE_CHECKING:
    from ..errors import DiagnosticBag
    from .inheritance import Merged
    from .inheritance import MergedRule
    from .rule_schema import Restatement
    from ..reading.yaml_reader import YamlDoc

__all__ = ["MODAL_WORDS", "UNIT_WORDS", "governing_modality", "lint_merged", "lint_numbers", "lint_restatement", "modalities_in", "modality_problem", "number_in_quote"]

UNIT_WORDS: dict[str, str] = {  # regex of the unit words that may follow the number, per parameter unit
    "years": r"(?:周年|年)",
    "months": r"(?:个月|月)",
    "days": r"(?:个自然日|自然日|日|天)",
    "working_days": r"(?:个工作日|工作日)",
    "beds": r"(?:张床位|张)",
    "hours": r"(?:个小时|小时)",
    "percent": r"(?:%|％)",
    "yuan": r"(?:元)",
    "count": r"(?:次|名|个|家|项|人|档|种)",
}
MODAL_WORDS = {"shall": ("应当", "应", "必须"), "may": ("可以", "可"), "shall_not": ("不得", "禁止")}
# 应 and 可 inside other words are not modal verbs.
_NOT_SHALL = re.compile(r"(?<=[相对反供适响效回答呼])应|应(?=[用急收付届])")
_NOT_MAY = re.compile(r"可(?=[能靠行及追])|(?<=[许认])可|不可")
_SPACE = re.compile(r"[\s#*]+")
_SHALL = re.compile(r"应当|必须|应")
_MAY = re.compile(r"可以|可")
_SHALL_NOT = re.compile(r"不得|禁止")


@lru_cache(maxsize=4096)
def modalities_in(quote: str) -> frozenset[str]:
    """The modalities whose modal words stand in ``quote`` as words (see the module notes)."""
    text = normalize_text(quote)
    found = set()
    if _SHALL_NOT.search(text):
        found.add("shall_not")
    masked = _NOT_SHALL.sub("", _SHALL_NOT.sub("", text))
    if _SHALL.search(masked):
        found.add("shall")
    masked = _NOT_MAY.sub("", text)
    if _MAY.search(masked):
        found.add("may")
    return frozenset(found)


def modal_words_in(quote: str) -> list[str]:
    """The modal words found, for hints (应当, 可以 …)."""
    text = normalize_text(quote)
    words = []
    for w in ("应当", "必须", "不得", "禁止", "可以"):
        if w in text:
            words.append(w)
    if "shall" in modalities_in(quote) and not any(w in text for w in ("应当", "必须")):
        words.append("应")
    if "may" in modalities_in(quote) and "可以" not in text:
        words.append("可")
    return words


UNSTATED = "unstated"  # modality_problem's prefix for a modality no provision or source states


def _names(source: str, modality: str) -> bool:
    """Whether a ``modality_source`` says which modality it reads the text as (the code as a word)."""
    return re.search(rf"(?<![\w]){modality}(?![\w])", source) is not None


def modality_problem(modality: str, quote: str, further: tuple[str, ...], source: str | None) -> str | None:
    """Why ``modality`` disagrees with the quote (and the further citations' quotes), or None. A
    message starting with ``UNSTATED`` means no modal word stands anywhere and no source is given
    (a warning: nothing contradicts the modality, nothing states it either)."""
    if source:
        if _names(source, modality):
            return None
        return f"its modality_source does not say `{modality}` (it must name the modality it reads the text as)"
    own = modalities_in(quote)
    if modality == "effect":
        if own:
            return (f"an effect rule states a legal effect, but its quote has the modal word(s) "
                    f"{'、'.join(modal_words_in(quote))}")
        return None
    if own:
        if modality in own:
            return None
        return f"the quote says {'、'.join(modal_words_in(quote))} ({' / '.join(sorted(own))}), not {modality}"
    others = frozenset().union(*(modalities_in(q) for q in further)) if further else frozenset()
    if modality in others:
        return None
    if others:
        return f"the further citations say {' / '.join(sorted(others))}, not {modality}"
    if modality == "may":  # a discretion the text does not grant (可/可以) is a contradiction, not a gap
        return "a may rule needs the text's 可以/可, but neither the quote nor a further citation has it"
    return f"{UNSTATED}: neither the quote nor a further citation has a modal word for {modality}"


def _zh_forms(n: int) -> list[str]:
    forms = [zh_numeral(n)]
    if n == 2:
        forms.append("两")
    if 10 <= n < 20:
        forms.append("一" + zh_numeral(n))  # 一十二
    return forms


def _number_pattern(value: float) -> str:
    if float(value).is_integer():
        n = int(value)
        arabic = rf"(?<![0-9.]){n}(?![0-9]|\.[0-9])"
        chinese = "|".join(rf"(?<![零一二三四五六七八九十百千两]){re.escape(f)}(?![零一二三四五六七八九十百千])"
                           for f in _zh_forms(n)) if 0 < n < 1000 else ""
        return f"(?:{arabic}|{chinese})" if chinese else arabic
    text = f"{value:g}"
    return rf"(?<![0-9.]){re.escape(text)}(?![0-9])"


# a range written once with its unit: 3-6个月, 3至6个月, 6个月（含）以上1年（含）以下 is two phrases
_RANGE_TAIL = r"(?:[-－—~～至到][0-9.]+|[-－—~～至到][零一二三四五六七八九十百两]+)?"
_RANGE_HEAD = r"(?:[0-9.]+|[零一二三四五六七八九十百两]+)[-－—~～至到]"


@lru_cache(maxsize=4096)
def number_in_quote(value: float, unit: str, quote: str) -> bool:
    """Whether ``value`` with ``unit`` stands in ``quote`` in one of the forms the texts use."""
    text = _SPACE.sub("", quote)  # hyphens kept: 3-6个月 is a range, not 36个月
    unit_re = UNIT_WORDS.get(unit)
    if unit_re is None:
        return True  # lists (types) are checked elsewhere
    candidates = [value]
    if unit == "percent" and value < 1:
        candidates.append(round(value * 100, 6))
    for v in candidates:
        num = _number_pattern(v)
        if re.search(num + _RANGE_TAIL + unit_re, text) or re.search(_RANGE_HEAD + num + unit_re, text):
            return True
        if unit == "percent" and float(v).is_integer() and 0 < v < 1000:
            if any(f"百分之{f}" in text for f in _zh_forms(int(v))):
                return True
        if unit == "yuan" and float(v).is_integer() and v % 10000 == 0:
            if re.search(_number_pattern(v / 10000) + "万元", text):
                return True
    return False


def governing_modality(value: float, unit: str, quote: str) -> tuple[str, str] | None:
    """The modality, and its word, of the modal word nearest before ``value`` with ``unit`` in
    ``quote`` (不得 in 可以中止…但中止时间原则上不得超过180日), or None when the number or a modal
    word before it is not found. Read as words: 相应 or 许可 just before the number is no modal verb."""
    text = _SPACE.sub("", quote)
    unit_re = UNIT_WORDS.get(unit)
    if unit_re is None:
        return None
    found = re.search(_number_pattern(value) + _RANGE_TAIL + unit_re, text)
    if found is None:
        return None
    head = text[:found.start()]
    for k in range(len(head) - 1, -1, -1):
        near = modalities_in(head[k:])
        if len(near) == 1 and near <= modalities_in(head[max(0, k - 2):]):
            words = modal_words_in(head[k:])
            return next(iter(near)), (words[0] if words else head[k])
    return None


_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"|(?<![\w.$])(\d+(?:\.\d+)?)(?![\w.])")


def _numbers_written(text: str | None) -> list[str]:
    """Number literals of a condition (outside strings), except 0 and 1, which structure a
    condition (``count(…) >= 1``) rather than quote the text."""
    if not text:
        return []
    return [m.group(1) for m in _LITERAL.finditer(text) if m.group(1) and m.group(1) not in ("0", "1")]


def lint_merged(merged: "Merged", bag: "DiagnosticBag", valid_params: "set[str] | None" = None) -> None:
    """Every parameter's number against its quote, every rule's modality and written numbers
    against its quotes; located errors with the word or number found, and how to fix it.
    ``valid_params``: the parameters whose value suits their unit (a bad value is reported as
    ``bad-parameter``, not again here); entries the schema refused (stand-ins) are skipped."""
    from .salvage import is_standin
    from ..reading.yaml_doc import format_path
    for pid, mp in merged.params.items():
        value = mp.value
        if (isinstance(value, (list, bool)) or not isinstance(value, (int, float)) or mp.derivation
                or (valid_params is not None and pid not in valid_params) or is_standin(mp.citation)):
            continue
        if not number_in_quote(float(value), mp.param.unit, mp.citation.quote):
            where = mp.path + ("value",)
            bag.error("number-not-in-quote", f"parameter '{pid}' is {value:g} {mp.param.unit}, but its quote does not "
                      "say so (as Arabic or Chinese numerals with the unit)", mp.doc.locate(where), format_path(where),
                      "correct the value or the quote, or state how the value is read from the text in "
                      "`derivation:`")
    for rid, m in merged.rules.items():
        r = m.rule
        if is_standin(r.citation) or "modality" not in r.__dict__:
            continue
        quotes = [r.citation.quote, *(c.quote for c in r.also_cites)]
        problem = modality_problem(r.modality, r.citation.quote, tuple(quotes[1:]), r.modality_source)
        if not problem and not r.modality_source:
            problem = _time_limit_problem(r, merged)
        if problem:
            doc, path = m.field_locations.get("modality", m.field_locations["citation"])
            cdoc, cpath = m.field_locations["citation"]
            if cdoc is not doc:  # an override replaced the citation, not the modality: point at the override
                doc, path = cdoc, cpath + ("quote",)
            hint = ("cite the provision that carries the modal word under `also_cites:` (a list's chapeau or "
                    "consequence), or say where the modality comes from in `modality_source:`")
            if "says" in problem:
                hint = "use the modality the text states (应当/应/必须 shall; 可以/可 may; 不得/禁止 shall_not), " \
                       "or quote the clause that states yours"
            if problem.startswith(UNSTATED):
                bag.warning("modality-unstated", f"rule '{rid}' is {r.modality}, but {problem[len(UNSTATED) + 2:]}",
                            doc.locate(path), format_path(path), hint)
            else:
                bag.error("modality-mismatch", f"rule '{rid}' is {r.modality}: {problem}", doc.locate(path),
                          format_path(path), hint)


def _time_limit_problem(r: Any, merged: "Merged") -> str | None:
    """A time limit whose quote has several modal words must have the one governing its number."""
    deadline = getattr(r, "deadline", None)
    length = getattr(deadline, "length", None)
    if not isinstance(length, str) or not length.startswith("$") or len(modalities_in(r.citation.quote)) < 2:
        return None
    mp = merged.params.get(length[1:])
    if mp is None or isinstance(mp.value, (list, bool)) or not isinstance(mp.value, (int, float)):
        return None
    governing = governing_modality(float(mp.value), mp.param.unit, r.citation.quote)
    if governing is None or governing[0] == r.modality:
        return None
    return (f"the quote says {'、'.join(modal_words_in(r.citation.quote))}, and the word governing its time limit "
            f"({mp.value:g} {mp.param.unit}) is {governing[1]} ({governing[0]}), not {r.modality}")


def lint_numbers(m: "MergedRule", bag: "DiagnosticBag") -> None:
    """The numbers a rule writes (condition literals other than 0 and 1, measure rates) against
    its quotes; run once its condition compiled, so a broken condition is reported only as such."""
    from ..reading.yaml_doc import format_path
    r = m.rule
    rid = r.id
    if r.derivation:
        return
    quotes = [r.citation.quote, *(c.quote for c in r.also_cites)]
    text = normalize_text("".join(quotes))
    for field in ("when", "requires", "applies_when"):
        for number in _numbers_written(getattr(r, field)):
            if not re.search(_number_pattern(float(number)), text):
                doc, path = m.field_locations.get(field, m.field_locations["citation"])
                bag.error("number-not-in-quote", f"rule '{rid}' writes the number {number}, which its quotes do "
                          "not contain", doc.locate(path), format_path(path),
                          "use a parameter citing the text, quote the provision that states it, or say how it "
                          "is derived in `derivation:`")
    for i, ms in enumerate(r.measures):
        for bound in (ms.amount.min_rate, ms.amount.max_rate) if ms.amount else ():
            if bound and not bound.startswith("$") and not number_in_quote(float(bound), "percent", "".join(quotes)):
                doc, path = m.field_locations.get("measures", m.field_locations["citation"])
                bag.error("number-not-in-quote", f"rule '{rid}' measure '{ms.id}' has the rate {bound}%, which its "
                          "quotes do not contain", doc.locate(path + (i,)), format_path(path + (i,)),
                          "use a percent parameter citing the text, or quote the provision that states it")


def lint_restatement(rs: "Restatement", merged: "Merged", doc: "YamlDoc", path: tuple, bag: "DiagnosticBag") -> None:
    """A restatement repeats an inherited provision: its quote must carry the parameter's number, or
    the rule's modal word (itself, in a further citation, or where the rule's modality_source says)."""
    from ..reading.yaml_doc import format_path
    from .salvage import is_standin
    if rs.parameter is not None:
        mp = merged.params.get(rs.parameter)
        if (mp is None or isinstance(mp.value, (list, bool)) or not isinstance(mp.value, (int, float)) or mp.derivation
                or is_standin(mp.provenance[0].citation)):
            return
        if not number_in_quote(float(mp.value), mp.param.unit, rs.citation.quote):
            where = path + ("citation", "quote")
            bag.error("number-not-in-quote", f"the restatement of '{rs.parameter}' ({mp.value:g} {mp.param.unit}) "
                      "quotes words that do not say so", doc.locate(where), format_path(where),
                      "quote the local words that state the number, or restate a different parameter")
        return
    m = merged.rules.get(rs.rule)  # type: ignore[arg-type]
    if m is None or is_standin(m.rule.citation) or "modality" not in m.rule.__dict__:
        return
    r = m.rule
    problem = modality_problem(r.modality, rs.citation.quote, tuple(c.quote for c in rs.also_cites), r.modality_source)
    if problem:
        where = path + ("citation", "quote")
        hint = ("cite the local provision that carries the modal word under `also_cites:` (the list's chapeau or "
                "consequence), or restate the rule with the clause that states it")
        if problem.startswith(UNSTATED):
            bag.warning("modality-unstated", f"the restatement of '{rs.rule}' ({r.modality}) quotes no modal word, "
                        "nor does a further citation", doc.locate(where), format_path(where), hint)
        else:
            bag.error("modality-mismatch", f"the restatement of '{rs.rule}' ({r.modality}): {problem}",
                      doc.locate(where), format_path(where), hint)
