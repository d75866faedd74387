"""Pydantic models of the rule-pack files an analyst writes (``pack.yaml`` and rule files).

These models are the authoring format; ``python -m dingdian_rules schema`` exports them as JSON
Schema so an editor can autocomplete YAML. Conditions stay strings here; ``conditions`` parses
and type-checks them against the fact vocabulary once the whole chain is resolved.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..conditions.types import DEADLINE_STATUSES
from ..facts.values import IsoDate as date  # every date is written YYYY-MM-DD: no numbers, no datetimes
from ..time.periods import MAX_PERIOD

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

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)

# A parameter's value, read strictly: `true` and '3' are not numbers, .inf and .nan not amounts.
Value = (Annotated[int, Field(strict=True)] | Annotated[float, Field(strict=True, allow_inf_nan=False)]
         | list[Annotated[str, Field(strict=True)]])


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
    note: str | None = None


class Parameter(BaseModel):
    """A named number (3 months, 100 beds, 30%) that rules reference as ``$id``."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    value: Value
    unit: Unit
    citation: Citation
    derivation: str | None = Field(
        None, description="How the value is derived from the quote when it does not stand there as written "
        "(半年 as 6 months, a cap read from two clauses): shown by resolve and in decisions.")
    note: str | None = None

    @model_validator(mode="after")
    def _period_fits_the_calendar(self) -> "Parameter":
        limit = MAX_PERIOD.get(self.unit)
        if limit is not None and isinstance(self.value, int) and self.value > limit:
            raise PydanticCustomError("period_too_long", "a period of {value} {unit} is longer than the calendar "
                                      "(0001-01-01 to 9999-12-31, at most {limit} {unit}): no rule counting it could "
                                      "be evaluated", {"value": self.value, "unit": self.unit, "limit": limit})
        return self


class Amount(BaseModel):
    """A money amount: a share of a base fact, bounded by rates (e.g. damages ≤ 20% of the loss)."""

    model_config = _STRICT
    base: str = Field(description="Condition-language expression giving the base amount in yuan.")
    min_rate: str | None = Field(None, description="Parameter ($id) or number: lowest share.")
    max_rate: str | None = Field(None, description="Parameter ($id) or number: highest share.")
    in_principle: bool = Field(False, description="The cap is written 原则上不得超过 (a cap in principle, not an absolute "
                               "one); decisions mark the amount so.")


class Span(BaseModel):
    """A duration range (e.g. rectify 3–6 months)."""

    model_config = _STRICT
    min: str | None = Field(None, description="Parameter ($id) giving the shortest duration.")
    max: str | None = Field(None, description="Parameter ($id) giving the longest duration.")


class Measure(BaseModel):
    """One handling measure a rule orders or allows."""

    model_config = _STRICT
    id: MeasureId = Field(description="A code of the closed vocabulary schema.MEASURE_NAMES.")
    title: Text
    amount: Amount | None = None
    duration: Span | None = None


class DeadlineEach(BaseModel):
    """One deadline per item of a list (each suspension, each past rescission): the limit's
    `start` and `done_on` then read the item through its variable."""

    model_config = _STRICT
    item: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="The item's variable, e.g. s.")
    list: str = Field(description="The fact list, e.g. agreement.suspensions.")
    where: str | None = Field(None, description="Which items have the deadline, e.g. s.requested_by_institution.")
    key: str = Field(description="The item's field that identifies it in outputs, e.g. started_on.")


class Deadline(BaseModel):
    """A time limit: ``length`` counted from (``after``) or back from (``before``) a start date."""

    model_config = _STRICT
    start: str = Field(description="Expression giving the start date.")
    start_event: Text = Field(description="What happens on the start date (收到材料之日 …).")
    length: str | None = Field(None, description="A duration parameter, as $id (or give `on:` instead).")
    on: str | None = Field(
        None, description="Instead of start + length: an expression giving the last day itself, a calendar day "
        "the text names (year_end(agreement.first_signed_on), a suspension's scheduled end). `start` is then the "
        "event it is named from.")
    opens: str | None = Field(
        None, description="An expression giving the first day of a window that ends on the last day "
        "(每个社保年度结束前1个季度内: quarter_start(…)); shown as opens_on.")
    checks: str | None = Field(
        None, description="A date the caller gives that must equal the computed last day (agreement.term_end); "
        "when it is known and differs, the decision warns (deadline-differs).")
    direction: Literal["after", "before"] = "after"
    extend_days: str | None = Field(None, description="Expression giving natural days to add (e.g. supplement time not counted).")
    roll_to_working_day: bool = Field(
        False, description="Civil Code art. 203: a last day that is a holiday moves to the next working day. "
        "For deadlines for acting; not for waiting periods. Conditions that act on the limit count the same "
        "rolled day with due(time_limit.id, …) and status(time_limit.id).")
    done_on: str | None = Field(
        None, description="Expression giving the day the act the limit asks for was done (e.g. conduct.repaid_on); "
        "absent = not done. The deadline's status is then met (on or before the last day) or lapsed.")
    start_day_counts: bool = Field(
        False, description="Civil Code art. 201: the start day is not counted, the period begins the next day "
        "(the default, for an event that happens during a day: a decision, a notice, a receipt). True when the "
        "start is itself a full day the period includes (a first day in force, 自…之日起 counted as day 1; art. 204 "
        "lets a law or the parties so provide). Not for periods in hours, which run from the start's time.")
    each: DeadlineEach | None = Field(
        None, description="One deadline per item of a list; conditions count it from an item's start with "
        "due(time_limit.id, <start>).")


class Rule(BaseModel):
    """A rule as written in a rule file."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
    kind: RuleKind
    title: Text
    citation: Citation
    also_cites: list[Citation] = Field(
        default_factory=list, description="Further provisions the rule rests on: the chapeau or consequence of a "
        "list whose item `citation` names, or a second article that decides with it (e.g. the time limit a "
        "rescission acts on). Checked like `citation`.")
    modality: Modality
    modality_source: str | None = Field(
        None, description="Where the modality comes from when neither the quote nor a further citation has the "
        "modal word (e.g. 'the list's consequence 不予受理, stated once in the chapeau').")
    derivation: str | None = Field(
        None, description="How numbers written in the rule (condition literals, measure rates) are derived when "
        "they do not stand in its quotes.")
    in_principle: bool = Field(False, description="The text qualifies the rule with 原则上 (in principle).")
    when: str | None = Field(None, description="Trigger: the rule fires when this is true.")
    requires: str | None = Field(None, description="Requirement: the rule is unmet (fires) when this is false.")
    applies_when: str | None = Field(None, description="For time limits: when the deadline is relevant.")
    deadline: Deadline | None = None
    measures: list[Measure] = []
    tier: int | None = Field(None, ge=1, description="Penalty tier, for tiered handling.")
    outcome: RuleOutcome | None = Field(None, description="What firing means; must suit the rule's kind "
                                        "(suspension → suspend, rescission → rescind, …).")
    questions: list[Question] = []
    note: str | None = Field(None, description="How an ambiguity in the text was read.")
    warning: "RuleWarning | None" = Field(
        None, description="A warning every decision in which the rule fires carries (e.g. a drafting overlap "
        "between two articles that the rule's reading resolves).")


class RuleWarning(BaseModel):
    """What a decision says when a rule fires whose text leaves something to the reader."""

    model_config = _STRICT
    code: RuleWarningCode
    message: str = Field(min_length=3, description="The warning, quoting the texts concerned.")


Rule.model_rebuild()


class RuleOverride(BaseModel):
    """A child pack's change to an inherited rule: named fields replace the parent's."""

    model_config = _STRICT
    id: str
    changes: str = Field(min_length=3, description="What the child's text changes, in one sentence.")
    citation: Citation
    also_cites: list[Citation] | None = None
    title: Text | None = None
    modality: Modality | None = None
    modality_source: str | None = None
    derivation: str | None = None
    in_principle: bool | None = None
    when: str | None = None
    requires: str | None = None
    applies_when: str | None = None
    deadline: Deadline | None = None
    measures: list[Measure] | None = None
    tier: int | None = None
    outcome: RuleOutcome | None = None
    note: str | None = None
    warning: RuleWarning | None = None


class Restatement(BaseModel):
    """A child pack's own provision that restates an inherited rule or parameter without changing
    it: decisions then cite the child's provision first and the inherited one as its basis
    (依据). Name exactly one of ``rule`` and ``parameter``."""

    model_config = _STRICT
    rule: str | None = Field(None, description="Id of the inherited rule this provision restates.")
    parameter: str | None = Field(None, description="Id of the inherited parameter this provision restates.")
    citation: Citation
    also_cites: list[Citation] = []
    note: str | None = Field(None, description="How the local wording relates to the inherited text.")


class ListedItem(BaseModel):
    """One item （一）（二）… of an enumerated list, with the condition under which it holds."""

    model_config = _STRICT
    item: int = Field(ge=1, description="项 （一）（二）… as a number.")
    quote: str = Field(min_length=2, description="The item's words, verbatim (whitespace may differ).")
    when: str = Field(description="Condition under which this item holds.")
    paragraph: int | None = Field(None, ge=1, description="款, when it differs from the list's.")


class ItemList(BaseModel):
    """A cited list of alternatives (有下列情形之一的…): conditions use it as ``@id``, which holds
    when any item holds, and decisions cite each item that held, with its own quote."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text | None = None
    document: str
    article: int = Field(ge=1)
    paragraph: int | None = Field(None, ge=1)
    items: list[ListedItem] = Field(min_length=1)
    note: str | None = None


class Repeal(BaseModel):
    """A child pack's removal of an inherited rule, with the reason and the child's citation."""

    model_config = _STRICT
    id: str
    reason: str = Field(min_length=3)
    citation: Citation


class ParameterOverride(BaseModel):
    """A child pack's new value for an inherited parameter."""

    model_config = _STRICT
    id: str
    value: Value
    citation: Citation
    changes: str | None = None
    derivation: str | None = Field(None, description="As for a parameter: how the value is derived from the quote.")


class NormDifference(BaseModel):
    """A provision of this pack that differs from a provision of a higher-level text of its chain,
    recorded with which of the two prevails and why, instead of silently overriding or ignoring it.
    Every decision in which one of ``rules`` fires or stays unknown (a time limit: whose deadline
    it computes) carries a ``lower-norm-difference`` warning quoting both provisions."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$", description="Stable id, unique across the chain.")
    rules: list[str] = Field(min_length=1, description="Ids of the rules the difference bears on.")
    lower: list[Citation] = Field(min_length=1, description="This pack's provision (first), with e.g. its "
                                  "chapeau; its documents must be this pack's own.")
    higher: list[Citation] = Field(min_length=1, description="The higher provision (first), with e.g. its "
                                   "chapeau; its documents must be an ancestor pack's.")
    prevails: Literal["higher", "lower"] = Field(description="Which provision the rules apply.")
    reason: str = Field(min_length=3, description="Why it prevails, in Chinese (decisions quote it).")
    reason_cites: list[Citation] = Field([], description="Provisions that say which prevails (从其规定…).")
    when: str | None = Field(None, description="Optional condition on the case: a decision is warned only where it "
                             "holds or is unknown (e.g. request.kind == 'not_renew' when the lower provision speaks "
                             "of non-renewal only).")
    note: str | None = Field(None, description="How the rules apply it, for pack readers.")


class RuleFile(BaseModel):
    """One rule file: new rules and parameters, and changes to inherited ones."""

    model_config = _STRICT
    parameters: list[Parameter] = []
    item_lists: list[ItemList] = []
    rules: list[Rule] = []
    overrides: list[RuleOverride] = []
    restatements: list[Restatement] = []
    repeals: list[Repeal] = []
    norm_differences: list[NormDifference] = []
    parameter_overrides: list[ParameterOverride] = []


class AmountExpectation(BaseModel):
    """A measure's computed amounts, in yuan (base × the rule's rates, rounded to fen)."""

    model_config = _STRICT
    base: float | None = None
    min: float | None = None
    max: float | None = None


class SpanExpectation(BaseModel):
    """A measure's duration range, each end as ``[length, unit]`` (e.g. ``[3, months]``)."""

    model_config = _STRICT
    min: list[int | Literal["days", "working_days", "months", "years"]] | None = Field(None, min_length=2, max_length=2)
    max: list[int | Literal["days", "working_days", "months", "years"]] | None = Field(None, min_length=2, max_length=2)


class Expectation(BaseModel):
    """What a scenario case expects, read from the law's text."""

    model_config = _STRICT
    outcome: QuestionOutcome
    fired: list[str] = Field(default_factory=list, description="Rule ids that must fire (definitely).")
    not_fired: list[str] = Field(default_factory=list, description="Rule ids that must definitely not fire.")
    missing: list[str] = Field(default_factory=list, description="Facts that must be listed as missing.")
    deadlines: dict[str, date] = Field(default_factory=dict, description="Rule id -> expected due date.")
    deadline_status: dict[str, DeadlineStatus] = Field(
        default_factory=dict, description="Rule id -> the deadline's expected status on as_of (pending, "
        "last_day_today, lapsed, met).")
    measures: list[MeasureId] = Field(default_factory=list, description="Measure ids that must be ordered or allowed.")
    warnings: list[DecisionWarningCode] = Field(default_factory=list, description="Warning codes that must be present.")
    no_warnings: list[DecisionWarningCode] = Field(default_factory=list, description="Warning codes that must be absent.")
    mandatory: list[MeasureId] = Field(
        default_factory=list, description="Measures that must be ordered (a shall or effect rule), not only allowed.")
    amounts: dict[str, dict[MeasureId, AmountExpectation]] = Field(
        default_factory=dict, description="Rule id -> measure id -> the amounts it must compute (base, min, max).")
    durations: dict[str, dict[MeasureId, SpanExpectation]] = Field(
        default_factory=dict, description="Rule id -> measure id -> its duration range ([length, unit] each end).")
    cited: dict[str, str] = Field(
        default_factory=dict, description="Rule id -> how the decision must cite it, exactly as an officer writes it, "
        "nearest provision first: 苏医保规〔2023〕3号 第九条第（三）项（依据 国家医疗保障局令第2号 第十二条第（三）项）.")
    cited_items: dict[str, list[str]] = Field(
        default_factory=dict, description="Rule id -> the listed items that must be cited as held, each as "
        "第四十四条第一款第（三）项 (exactly these, in list order).")
    modality: dict[str, Modality] = Field(
        default_factory=dict, description="Rule id -> the modality the text gives it (应当 shall, 可以 may, 不得 shall_not, "
        "effect), checked on the decision's rule or computed deadline: a time limit's or a measure's modality "
        "decides no outcome, so only this shows it.")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="Parameter id -> the number the text states, checked against the pack "
        "(as `resolve` shows it): for a number no outcome shows, such as a parameter no rule reads.")


ARTICLE_REFERENCE = re.compile(r"第[一二三四五六七八九十百零〇两0-9]+条|\b[Aa]rts?\.\s*\d+|\b[Aa]rticles?\s+\d+|民法典|Civil Code")


class Scenario(BaseModel):
    """One analyst-written test: a case, a question, an evaluation date and the expected answer."""

    model_config = _STRICT
    name: str
    question: Question
    as_of: date
    reading: str = Field(min_length=1, description="Why this is the expected answer, citing the text that decides it "
                         "(第十二条第（四）项 …, or art. 12(4) …).")
    case: dict
    expect: Expectation

    @field_validator("reading")
    @classmethod
    def _reading_cites_the_text(cls, value: str) -> str:
        if not ARTICLE_REFERENCE.search(value):
            raise ValueError("a reading cites the article that decides the expected answer, as 第十二条第（四）项 or "
                             "art. 12(4) (民法典 / Civil Code articles count too)")
        return value


class ScenarioFile(BaseModel):
    model_config = _STRICT
    scenarios: list[Scenario]
