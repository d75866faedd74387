"""Pydantic models of the rule-pack files an analyst writes (``pack.yaml`` and rule files).

These models are the authoring format; ``python -m dingdian_rules schema`` exports them as JSON
Schema so an editor can autocomplete YAML. Conditions stay strings here; ``conditions`` parses
and type-checks them against the fact vocabulary once the whole chain is resolved.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .facts import IsoDate as date  # every date is written YYYY-MM-DD: no numbers, no datetimes
from .timecalc import MAX_PERIOD

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
    "measures",  # 处理方式 / 违约处理 tiers: when + measures
]
Modality = Literal["shall", "may", "shall_not", "effect"]
Level = Literal["national", "province", "city", "agreement"]
Status = Literal["in_force", "draft", "expired"]
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


class Span(BaseModel):
    """A duration range (e.g. rectify 3–6 months)."""

    model_config = _STRICT
    min: str | None = Field(None, description="Parameter ($id) giving the shortest duration.")
    max: str | None = Field(None, description="Parameter ($id) giving the longest duration.")


class Measure(BaseModel):
    """One handling measure a rule orders or allows."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    amount: Amount | None = None
    duration: Span | None = None


class Deadline(BaseModel):
    """A time limit: ``length`` counted from (``after``) or back from (``before``) a start date."""

    model_config = _STRICT
    start: str = Field(description="Expression giving the start date.")
    start_event: Text = Field(description="What happens on the start date (收到材料之日 …).")
    length: str = Field(description="A duration parameter, as $id.")
    direction: Literal["after", "before"] = "after"
    extend_days: str | None = Field(None, description="Expression giving natural days to add (e.g. supplement time not counted).")
    roll_to_working_day: bool = Field(
        False, description="Civil Code art. 203: a last day that is a holiday moves to the next working day. "
        "For deadlines for acting; not for waiting periods.")


class Rule(BaseModel):
    """A rule as written in a rule file."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
    kind: RuleKind
    title: Text
    citation: Citation
    modality: Modality
    in_principle: bool = Field(False, description="The text qualifies the rule with 原则上 (in principle).")
    when: str | None = Field(None, description="Trigger: the rule fires when this is true.")
    requires: str | None = Field(None, description="Requirement: the rule is unmet (fires) when this is false.")
    applies_when: str | None = Field(None, description="For time limits: when the deadline is relevant.")
    deadline: Deadline | None = None
    measures: list[Measure] = []
    tier: int | None = Field(None, ge=1, description="Penalty tier, for tiered handling.")
    outcome: str | None = Field(None, description="What firing means, e.g. not_accepted, suspend, rescind.")
    questions: list[Literal["application", "agreement", "request", "conduct", "deadlines"]] = []
    note: str | None = Field(None, description="How an ambiguity in the text was read.")


class RuleOverride(BaseModel):
    """A child pack's change to an inherited rule: named fields replace the parent's."""

    model_config = _STRICT
    id: str
    changes: str = Field(min_length=3, description="What the child's text changes, in one sentence.")
    citation: Citation
    title: Text | None = None
    modality: Modality | None = None
    in_principle: bool | None = None
    when: str | None = None
    requires: str | None = None
    applies_when: str | None = None
    deadline: Deadline | None = None
    measures: list[Measure] | None = None
    tier: int | None = None
    outcome: str | None = None
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


class RuleFile(BaseModel):
    """One rule file: new rules and parameters, and changes to inherited ones."""

    model_config = _STRICT
    parameters: list[Parameter] = []
    rules: list[Rule] = []
    overrides: list[RuleOverride] = []
    repeals: list[Repeal] = []
    parameter_overrides: list[ParameterOverride] = []


class Expectation(BaseModel):
    """What a scenario case expects, read from the law's text."""

    model_config = _STRICT
    outcome: str
    fired: list[str] = Field(default_factory=list, description="Rule ids that must fire (definitely).")
    not_fired: list[str] = Field(default_factory=list, description="Rule ids that must definitely not fire.")
    missing: list[str] = Field(default_factory=list, description="Facts that must be listed as missing.")
    deadlines: dict[str, date] = Field(default_factory=dict, description="Rule id -> expected due date.")
    measures: list[str] = Field(default_factory=list, description="Measure ids that must be ordered or allowed.")
    warnings: list[str] = Field(default_factory=list, description="Warning codes that must be present.")


class Scenario(BaseModel):
    """One analyst-written test: a case, a question, an evaluation date and the expected answer."""

    model_config = _STRICT
    name: str
    question: Literal["application", "agreement", "request", "conduct", "deadlines"]
    as_of: date
    reading: str | None = Field(None, description="Why this is the expected answer, citing the text.")
    case: dict
    expect: Expectation


class ScenarioFile(BaseModel):
    model_config = _STRICT
    scenarios: list[Scenario]
