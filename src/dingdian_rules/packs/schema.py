"""Pydantic models of ``pack.yaml`` and the closed vocabularies of the rule-pack files an analyst writes.

These models are the authoring format; ``python -m dingdian_rules schema`` exports them as JSON
Schema so an editor can autocomplete YAML. Conditions stay strings here; ``conditions`` parses
and type-checks them against the fact vocabulary once the whole chain is resolved. The models of
rule files are in ``rule_schema``, those of scenario files in ``scenario_schema``; the vocabularies
here (kinds, outcomes, measures, warning codes, units) are shared by all three.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..conditions.types import DEADLINE_STATUSES
from ..facts.values import IsoDate as date  # every date is written YYYY-MM-DD: no numbers, no datetimes

# Between two Chinese characters or full-width marks, a space can only be a folded YAML line break.
_BREAK_IN_CHINESE = re.compile(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])")


def fold_prose(text: str) -> str:
    """Prose (a note, a reason, a change) as a reader sees it, settled once at load: each run of
    whitespace (a line break of a folded YAML block) is one space, and none is left between two
    Chinese characters, where a line break is no space. Spaces beside Latin words are kept."""
    return _BREAK_IN_CHINESE.sub("", " ".join(text.split()))


Prose = Annotated[str, AfterValidator(fold_prose)]

RuleKind = Literal[
    "institution_type",  # 可申请定点的医疗机构类型: requires
    "eligibility",  # 申请条件: requires
    "materials",  # 申请材料: requires
    "non_acceptance",  # 不予受理: when
    "time_limit",  # 工作日 / 月 / 年 deadlines: deadline
    "suspension",  # 中止: when
    "rescission",  # 解除: when
    "termination",  # 终止: when
    "request_limit",  # limits on an institution's own request (art. 44): when -> not allowed
    "late_notice",  # a request that only one side's notice decides (不再续签), filed late: when
    "procedure_end",  # 终结申请程序: when, the state in which a not_accepted / conditions_not_met ground ends the procedure
    "waiver",  # 视作放弃定点资格: when
    "suspended",  # an agreed or ordered suspension in effect (自告知之日起中止): when
    "measures",  # 处理方式 / 违约处理 tiers: when + measures
]
Modality = Literal["shall", "may", "shall_not", "effect"]
Level = Literal["national", "province", "city", "agreement"]
LEVEL_ZH = {"national": "国家", "province": "省级", "city": "市级", "agreement": "协议"}  # what people read
Status = Literal["in_force", "draft", "expired"]
Question = Literal["application", "agreement", "request", "conduct", "deadlines"]
# The closed vocabulary of outcomes: what firing a rule of each kind means, and what each question
# can answer (evaluate.STAGES decides them; tests/test_vocabulary.py keeps the two in step).
RULE_OUTCOMES: dict[str, tuple[str, ...]] = {
    "institution_type": ("not_accepted",), "non_acceptance": ("not_accepted",),
    "materials": ("materials_incomplete",), "eligibility": ("conditions_not_met",),
    "suspension": ("suspend",), "rescission": ("rescind",), "termination": ("terminate",),
    "request_limit": ("request_refused",), "measures": ("measures_required", "measures_available"),
    "late_notice": ("late_notice",), "procedure_end": ("procedure_ended",), "waiver": ("designation_waived",),
    "suspended": ("suspended",), "time_limit": (),
}
QUESTION_OUTCOMES: dict[str, tuple[str, ...]] = {
    "application": ("conditions_met", "not_accepted", "materials_incomplete", "conditions_not_met", "procedure_ended",
                    "designation_waived", "undetermined"),
    "agreement": ("continue", "suspended", "suspend", "rescind", "terminate", "undetermined"),
    "request": ("request_allowed", "request_refused", "late_notice", "undetermined"),
    "conduct": ("no_measures", "measures_available", "measures_required", "undetermined"),
    "deadlines": ("computed", "undetermined"),
}
RuleOutcome = Literal[tuple(sorted({o for v in RULE_OUTCOMES.values() for o in v}))]  # type: ignore[valid-type]
QuestionOutcome = Literal[tuple(sorted({o for v in QUESTION_OUTCOMES.values() for o in v}))]  # type: ignore[valid-type]
# The closed vocabulary of handling measures: a stable code per measure the texts name, with its
# Chinese name (a rule's measure keeps its own title, the words of its article). A new measure of
# a text is added here, so a misspelt code is a located error, never a new measure.
MEASURE_NAMES: dict[str, str] = {
    "interview": "约谈", "rectification": "限期整改", "pause_payment": "暂停拨付",
    "suspend_or_withhold_payment": "暂停或者不予拨付费用", "refuse_or_recover_payment": "不予支付或者追回已支付的医保费用",
    "liquidated_damages": "支付违约金", "deduct_from_payments_or_deposit": "从拨付基金或质量保证金中抵扣",
    "suspend_staff_or_department_services": "中止相关责任人员或者所在部门涉及医保基金使用的医疗服务",
    "suspend_staff_or_department_settlement": "对相关人员或科室中止医保结算",
    "terminate_staff_or_department_settlement": "对相关人员或科室终止医保结算",
    "pause_staff_payment_qualification": "暂停相关责任人员医保支付资格",
    "end_staff_payment_qualification": "终止相关责任人员医保支付资格",
    "extend_to_staff_or_department": "执行到相关责任人员或者所在部门",
    "suspend_fund_settlement": "中止医保基金结算", "suspend_agreement": "中止医保协议",
    "suspend_agreement_up_to_rescission": "中止医保协议直至解除", "suspend_or_rescind_agreement": "中止或者解除医保协议",
    "rescind_agreement": "解除医保协议", "publish_suspension": "向社会公布中止医保协议情况",
    "publish_rescission": "向社会公布解除医保协议情况", "refer_to_administration": "移交医疗保障行政部门处理",
    "handle_under_article_44": "按照第四十四条的规定处理", "handle_per_agreement": "按照医保协议处理",
}
MeasureId = Literal[tuple(MEASURE_NAMES)]  # type: ignore[valid-type]
# Codes of the warnings a decision can carry (docs/errors.md, "Decision warnings").
DecisionWarningCode = Literal["pack-draft", "pack-not-yet-in-force", "pack-expired", "layer-not-encoded",
                              "calendar-estimated", "calendar-uncertain", "date-out-of-range",
                              "lower-norm-difference", "deadline-differs", "drafting-overlap", "amounts-combined"]
# Codes a rule's own `warning:` may carry (a subset of the decision warning codes).
RuleWarningCode = Literal["drafting-overlap"]
DeadlineStatus = Literal[DEADLINE_STATUSES]  # type: ignore[valid-type]
Unit = Literal["days", "working_days", "months", "years", "count", "beds", "percent", "yuan", "types", "hours"]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Text(BaseModel):
    """A bilingual title: Chinese first, English for code and readers who need it."""

    model_config = _STRICT
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Citation(BaseModel):
    """Where a rule or parameter comes from, with the original text quoted."""

    model_config = _STRICT
    document: str = Field(description="Id of a source document of this pack or an ancestor.")
    article: int = Field(ge=1, description="第N条.")
    paragraph: int | None = Field(None, ge=1, description="款, when the article has several paragraphs.")
    item: int | None = Field(None, ge=1, description="项 （一）（二）… as a number.")
    quote: str = Field(min_length=2, description="The original text, verbatim (whitespace may differ).")


class SourceDocument(BaseModel):
    """A legal text the pack is encoded from."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    number: str | None = Field(None, description="文号, e.g. 国家医疗保障局令第2号; null for a draft.")
    issuer: str
    issued: date | None = None
    in_force: date | None = Field(None, description="施行日期; null when not set (a draft).")
    expires: date | None = Field(None, description="Last day of validity, when the text limits it.")
    status: Status
    file: str = Field(description="The source text, relative to the pack folder; quotes are checked against it.")


class YearHolidays(BaseModel):
    """A year's holiday arrangement supplied by the pack, for years the calendar package lacks."""

    model_config = _STRICT
    year: int
    holidays: list[date]
    makeup_workdays: list[date] = []
    source: str

    # the checks of timecalc.YearArrangement, made here so that a pack gets a located error
    @field_validator("holidays", "makeup_workdays")
    @classmethod
    def _days_fit_the_arrangement(cls, days: list, info: ValidationInfo) -> list:
        year = info.data.get("year")
        other = next((d for d in days if year is not None and d.year != year), None)
        if other is not None:
            raise ValueError(f"{info.field_name} of the {year} arrangement contains {other}, a date in another "
                             "year; put it in that year's arrangement")
        if info.field_name == "makeup_workdays":
            both = sorted(set(days) & set(info.data.get("holidays") or ()))
            if both:
                raise ValueError(f"{both[0]} is both a holiday and a make-up working day")
            weekday = sorted(d for d in days if d.weekday() < 5)
            if weekday:
                raise ValueError(f"make-up working day {weekday[0]} is a weekday; make-up working days (调休上班) "
                                 "fall on a Saturday or Sunday")
        return days


class PackMeta(BaseModel):
    """``pack.yaml``: who the pack is, what it extends, and which texts it encodes."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    level: Level
    extends: str | None = None
    region_code: str | None = Field(None, description="Administrative division code (e.g. 440600 for 佛山).")
    sources: list[SourceDocument] = []
    rule_files: list[str] = Field(default_factory=list, description="Rule files, relative to the pack folder; default: every rules/*.yaml.")
    holidays: list[YearHolidays] = []
    not_encoded: str | None = Field(
        None, description="Set when this layer's own text is not encoded (e.g. the text is unavailable): the "
        "reason, repeated as a `layer-not-encoded` warning on every decision under this pack and its children.")
    note: Prose | None = None
