"""Pydantic models of a rule file: parameters, rules, item lists, and a child's changes to inherited ones.

Part of the authoring format (``schema`` holds ``pack.yaml`` and the shared vocabularies); the
``rules`` JSON Schema of ``python -m dingdian_rules schema`` is ``RuleFile``'s.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from .schema import (_STRICT, Citation, MeasureId, Modality, Prose, Question, RuleKind, RuleOutcome, RuleWarningCode, Text,
                     Unit)
from ..time.periods import MAX_PERIOD

# A parameter's value, read strictly: `true` and '3' are not numbers, .inf and .nan not amounts.
Value = (Annotated[int, Field(strict=True)] | Annotated[float, Field(strict=True, allow_inf_nan=False)]
         | list[Annotated[str, Field(strict=True)]])


class Parameter(BaseModel):
    """A named number (3 months, 100 beds, 30%) that rules reference as ``$id``."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    value: Value
    unit: Unit
    citation: Citation
    derivation: Prose | None = Field(
        None, description="How the value is derived from the quote when it does not stand there as written "
        "(半年 as 6 months, a cap read from two clauses): shown by resolve and in decisions.")
    note: Prose | None = None

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
    derivation: Prose | None = Field(
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
    note: Prose | None = Field(None, description="How an ambiguity in the text was read.")
    warning: "RuleWarning | None" = Field(
        None, description="A warning every decision in which the rule fires carries (e.g. a drafting overlap "
        "between two articles that the rule's reading resolves).")


class RuleWarning(BaseModel):
    """What a decision says when a rule fires whose text leaves something to the reader."""

    model_config = _STRICT
    code: RuleWarningCode
    message: Prose = Field(min_length=3, description="The warning, quoting the texts concerned.")


# Rule's forward reference to RuleWarning is resolved when Rule is first used (the models are
# built on first use: ``defer_build`` in schema._STRICT), so no ``model_rebuild()`` here.


class RuleOverride(BaseModel):
    """A child pack's change to an inherited rule: named fields replace the parent's."""

    model_config = _STRICT
    id: str
    changes: Prose = Field(min_length=3, description="What the child's text changes, in one sentence.")
    citation: Citation
    also_cites: list[Citation] | None = None
    title: Text | None = None
    modality: Modality | None = None
    modality_source: str | None = None
    derivation: Prose | None = None
    in_principle: bool | None = None
    when: str | None = None
    requires: str | None = None
    applies_when: str | None = None
    deadline: Deadline | None = None
    measures: list[Measure] | None = None
    tier: int | None = None
    outcome: RuleOutcome | None = None
    note: Prose | None = None
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
    note: Prose | None = Field(None, description="How the local wording relates to the inherited text.")


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
    note: Prose | None = None


class Repeal(BaseModel):
    """A child pack's removal of an inherited rule, with the reason and the child's citation."""

    model_config = _STRICT
    id: str
    reason: Prose = Field(min_length=3)
    citation: Citation


class ParameterOverride(BaseModel):
    """A child pack's new value for an inherited parameter."""

    model_config = _STRICT
    id: str
    value: Value
    citation: Citation
    changes: Prose | None = None
    derivation: Prose | None = Field(None, description="As for a parameter: how the value is derived from the quote.")


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
    reason: Prose = Field(min_length=3, description="Why it prevails, in Chinese (decisions quote it).")
    reason_cites: list[Citation] = Field([], description="Provisions that say which prevails (从其规定…).")
    when: str | None = Field(None, description="Optional condition on the case: a decision is warned only where it "
                             "holds or is unknown (e.g. request.kind == 'not_renew' when the lower provision speaks "
                             "of non-renewal only).")
    note: Prose | None = Field(None, description="How the rules apply it, for pack readers.")


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
