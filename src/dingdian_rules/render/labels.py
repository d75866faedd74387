"""What the renderers say in Chinese: the labels of questions, outcomes, modalities, statuses, rule
kinds and units, citations written the Chinese way (《办法》第十二条第（四）项), and the small
formatting pieces (values, periods, amounts) that decision and pack views share.

Views take ``lang``: ``zh`` (the default: the analysts who read them are Chinese) or ``en``. In
English a label is its code in words (``conditions_met`` → conditions met), since codes were
chosen to be read; ``tr`` picks one of a phrase's two wordings."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

from ..facts.enums import FactEnum
from ..facts.plain import fact_label
from ..twins import is_model
from ..packs.articles import zh_numeral
from ..packs.resolved import ResolvedPack
from ..packs.vocabulary import LEVEL_ZH

if TYPE_CHECKING:
    from ..packs.schema import Citation

QUESTION_LABELS = {"application": "申请", "agreement": "协议", "request": "请求", "conduct": "违约处理",
                   "deadlines": "期限"}
OUTCOME_LABELS = {
    "not_accepted": "不予受理", "materials_incomplete": "申请材料不全（应一次性告知补充）",
    "conditions_not_met": "不符合申请条件", "conditions_met": "符合申请条件",
    "terminate": "终止医保协议", "rescind": "解除医保协议", "suspend": "中止医保协议", "continue": "继续履行",
    "request_refused": "请求不予准许", "request_allowed": "可以提出请求",
    "measures_required": "应当采取处理措施", "measures_available": "可以采取处理措施", "no_measures": "无需处理",
    "procedure_ended": "终结申请程序", "designation_waived": "视作放弃定点医疗机构资格",
    "suspended": "医保协议处于中止状态", "late_notice": "请求提出逾期（未提前告知）",
    "computed": "已计算期限", "undetermined": "无法确定（缺少事实）",
}
MODALITY_LABELS = {"shall": "应当", "may": "可以", "shall_not": "不得", "effect": "依法生效"}
STATUS_LABELS = {"fired": "已触发", "not_fired": "未触发", "unknown": "未知", "not_applicable": "不适用"}
DEADLINE_STATUS_LABELS = {"pending": "未届满", "last_day_today": "今日为最后一日", "lapsed": "已届满未完成",
                          "met": "已按期完成"}
KIND_LABELS = {
    "institution_type": "可申请定点的机构类型", "eligibility": "申请条件", "materials": "申请材料",
    "non_acceptance": "不予受理", "time_limit": "期限", "suspension": "中止", "rescission": "解除",
    "termination": "终止", "request_limit": "机构请求的限制", "measures": "处理方式",
    "late_notice": "逾期告知", "procedure_end": "终结申请程序", "waiver": "视作放弃", "suspended": "中止生效",
}
UNIT_LABELS = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年", "count": "", "beds": "张",
               "percent": "%", "yuan": "元", "hours": "小时", "types": ""}
LEVEL_LABELS = LEVEL_ZH
PACK_STATUS_LABELS = {"in_force": "现行有效", "draft": "征求意见稿", "expired": "已失效"}
_UNIT_EN = {"days": " days", "working_days": " working days", "months": " months", "years": " years", "count": "",
            "beds": " beds", "percent": "%", "yuan": " yuan", "hours": " hours", "types": ""}
_DIGITS = "零一二三四五六七八九"
_MAX_LIST = 6  # list values longer than this are shortened in text traces (JSON keeps them whole)


# --- small pieces ---------------------------------------------------------------------------
zh_number = zh_numeral  # re-exported: renderers and callers have used this name


def source_titles(pack: ResolvedPack) -> dict[str, str]:
    """Document id → title, for every source document of the pack's chain."""
    return {sid: src.document.title for sid, src in pack.sources.items()}


def cite(c: Citation, titles: Mapping[str, str] | None = None) -> str:
    """《title》第十二条第二款第（四）项 (the document id stands in when its title is not known)."""
    title = (titles or {}).get(c.document)
    text = f"《{title}》" if title else f"{c.document} "
    text += f"第{zh_number(c.article)}条"
    if c.paragraph:
        text += f"第{zh_number(c.paragraph)}款"
    if c.item:
        text += f"第（{zh_number(c.item)}）项"
    return text


def tr(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English wording of one phrase."""
    return en if lang == "en" else zh


def label(table: Mapping[str, str], code: str, lang: str = "zh") -> str:
    """A code's label: the table's Chinese, or in English the code in words."""
    return code.replace("_", " ") if lang == "en" else table.get(code, code)


def fact_text(path: str, lang: str = "zh", *, md: bool = False) -> str:
    """A fact for people: 床位数（institution.beds）in Chinese, the path alone in English."""
    shown = f"`{path}`" if md else path
    name = fact_label(path) if lang != "en" else None
    return f"{name}（{shown}）" if name else shown


def modality_label(modality: str, in_principle: bool, lang: str = "zh") -> str:
    if lang == "en":
        return modality.replace("_", " ") + (" (in principle)" if in_principle else "")
    return MODALITY_LABELS.get(modality, modality) + ("（原则上）" if in_principle else "")


def outcome_label(outcome: str, lang: str = "zh") -> str:
    text = label(OUTCOME_LABELS, outcome, lang)
    return f"{text}  [{outcome}]" if text != outcome else outcome


def period_label(length: int, unit: str, lang: str = "zh") -> str:
    if lang == "en":
        return f"{length}{_UNIT_EN.get(unit, ' ' + unit)}"
    return f"{length}{UNIT_LABELS.get(unit, ' ' + unit)}"


def money(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for values a trace may hold (fact models, dates, sets, enums)."""
    if is_model(value):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def value_text(v: Any, lang: str = "zh") -> str:
    """A trace value for people: 是/否/未知 (true/false/unknown), ISO dates, short lists."""
    if v is True:
        return tr(lang, "是", "true")
    if v is False:
        return tr(lang, "否", "false")
    if v is None:
        return tr(lang, "未知", "unknown")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return money(v).replace(",", "")
    if is_model(v):
        fields = v.model_dump(exclude_none=True)
        return "{" + ", ".join(f"{k}: {value_text(getattr(v, k), lang)}" for k in fields) + "}"
    if isinstance(v, (list, tuple, set, frozenset)):
        items = sorted(v, key=str) if isinstance(v, (set, frozenset)) else list(v)
        if len(items) == 2 and isinstance(items[0], int) and isinstance(items[1], str) and items[1] in UNIT_LABELS:
            return period_label(items[0], items[1], lang)  # a duration parameter, e.g. (3, 'months')
        shown = ", ".join(value_text(x, lang) for x in items[:_MAX_LIST])
        more = (f", …({len(items)} in all)" if lang == "en" else f", …（共{len(items)}项）") if len(items) > _MAX_LIST else ""
        return f"[{shown}{more}]"
    if hasattr(v, "value") and isinstance(v.value, str):
        return v.value
    return str(v)


# --- resolved packs -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _enum_labels() -> dict[str, str]:
    """Code → Chinese label over every fact enum, for the codes that mean one thing only."""
    seen: dict[str, set[str]] = {}
    for enum in FactEnum.__subclasses__():
        for m in enum:
            seen.setdefault(m.value, set()).add(m.label)
    return {code: next(iter(labels)) for code, labels in seen.items() if len(labels) == 1}


def code_text(code: str, lang: str = "zh") -> str:
    """An enum code for people: 诊所[clinic] in Chinese (the code alone when it has no one label)."""
    name = _enum_labels().get(code) if lang != "en" else None
    return f"{name}[{code}]" if name else code


def param_value(value: Any, unit: str, lang: str = "zh") -> str:
    if isinstance(value, tuple):
        return (", " if lang == "en" else "、").join(code_text(v, lang) for v in value)
    if unit in ("days", "working_days", "months", "years"):
        return period_label(value, unit, lang)
    if unit == "percent":
        return f"{money(value)}%"
    units = _UNIT_EN if lang == "en" else UNIT_LABELS
    return f"{money(value) if isinstance(value, float) else value}{units.get(unit, '')}"


def squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out
