"""The closed vocabularies of the rule-pack files (kinds, modalities, levels, outcomes, measures,
warning codes, units), apart from the pydantic models that use them (``schema``, ``rule_schema``,
``scenario_schema``), so that code answering a question can name them without importing pydantic
(issue 13 item 4: a cold answer)."""

from __future__ import annotations

from typing import Literal

from ..conditions.types import DEADLINE_STATUSES

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
