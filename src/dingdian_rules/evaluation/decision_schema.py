"""The JSON form of a decision (``Decision.to_dict()``) as pydantic models and a JSON Schema.

The models mirror ``to_dict()`` key for key (``extra="forbid"``, strict types), and
tests/test_cli.py validates real decisions against them, so the documented shape
(docs/decision.md) and the produced shape cannot drift apart. The closed vocabularies (questions,
outcomes, rule kinds, modalities) are read from the evaluator and the pack schema, not copied.
Keys that ``to_dict()`` writes only sometimes (``note``, ``trace``, ``fact``, ``children``) are
optional and never null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..conditions.types import DEADLINE_STATUSES
from .decision import SCHEMA_VERSION
from ..packs.plans import QUESTIONS, STAGES
from ..packs.schema import Modality, RuleKind, RuleOutcome

__all__ = ["DecisionModel", "OUTCOMES", "decision_json_schema"]


def _outcomes() -> tuple[str, ...]:
    found = {"undetermined"}
    for stages, default in STAGES.values():
        found.add(default)
        for st in stages:
            found.add(st.outcome)
            if st.mandatory_outcome:
                found.add(st.mandatory_outcome)
            if st.converts:
                found.add(st.converts[1])
    return tuple(sorted(found))


OUTCOMES = _outcomes()
Question = Literal[QUESTIONS]  # type: ignore[valid-type]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
DurationUnit = Literal["days", "working_days", "months", "years"]
DeadlineStatus = Literal[DEADLINE_STATUSES]  # type: ignore[valid-type]
Status = Literal["fired", "not_fired", "unknown", "not_applicable"]
IsoDate = str  # YYYY-MM-DD, kept as text: the JSON is checked as written


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _sometimes(description: str) -> Any:
    """A key ``to_dict()`` omits rather than sets to null."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _date(description: str) -> Any:
    return Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description=description, json_schema_extra={"format": "date"})


IsoDateTime = str  # YYYY-MM-DDTHH:MM:SS


def _datetime(description: str) -> Any:
    return Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", description=description,
                 json_schema_extra={"format": "date-time"})


class TextModel(_Model):
    zh: str
    en: str


class CitationModel(_Model):
    document: str = Field(description="Id of the source document (pack.yaml `sources[].id`).")
    article: int = Field(ge=1, description="第N条.")
    paragraph: int | None = Field(ge=1, description="款, or null.")
    item: int | None = Field(ge=1, description="项 （一）（二）… as a number, or null.")
    quote: str = Field(description="The original text, verbatim.")
    label: str = Field(description="Short English label, e.g. `nhsa_order_2 art. 12 item 4`.")


class ProvisionModel(_Model):
    pack: str = Field(description="The pack whose provision this is.")
    role: Literal["restated", "overridden", "defined"] = Field(
        description="restated: the pack's own provision repeats an inherited rule; overridden: it changed it; "
        "defined: the pack that wrote the rule.")
    citation: CitationModel
    also_cites: list[CitationModel] = Field(description="Further provisions cited with it (a chapeau, a consequence).")


class ItemModel(_Model):
    list: str = Field(description="Id of the cited list (`@id` in the condition).")
    status: Literal["held", "unknown"] = Field(description="held: the item's condition is true on the case.")
    citation: CitationModel


class ParameterModel(_Model):
    id: str
    title: TextModel
    value: int | float | list[str]
    unit: str
    cited_as: str = Field(description="The provision that sets the value, nearest first, as an officer cites it.")
    citation: CitationModel = Field(description="The nearest provision that sets or restates the value.")
    derivation: str | None = Field(description="How the value is read from the quote when it does not stand there "
                                   "as written (半年 as 6 months …), or null.")
    basis: list[ProvisionModel] = Field(description="Every provision that set or restated it, nearest first.")
    provenance: list[str]


class PackRefModel(_Model):
    id: str = Field(description="Id of the pack the question was asked of (the leaf of the chain).")
    chain: list[str] = Field(description="Pack ids from the root to the leaf.")
    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$",
                             description="Hash of everything that can change a decision (rules, parameters, sources, holiday "
                             "arrangements, the calendar packages' versions).")


class CalendarModel(_Model):
    chinesecalendar: str = Field(description="Version of the chinesecalendar package (published holiday arrangements).")
    tyme4py: str = Field(description="Version of the tyme4py package (lunar dates of the holidays of years without "
                         "a notice).")


class RecordModel(_Model):
    decision_id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                             description="Unique per decision: a UUIDv7 (RFC 9562), time-ordered.")
    decided_at: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
                            description="When the decision was made, UTC to the millisecond (the time in its id).",
                            json_schema_extra={"format": "date-time"})
    engine_version: str = Field(description="dingdian_rules.__version__ of the engine that decided.")
    input_digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$",
                              description="Hash of the canonical input: pack id and fingerprint, question, as_of "
                              "and the case as the fact model dumps it.")
    calendar: CalendarModel = Field(description="Versions of the holiday calendar's packages (the pack fingerprint "
                                    "covers them too).")


class MeasureModel(_Model):
    rule_id: str
    measure_id: str
    title: TextModel
    mandatory: bool = Field(description="true when the rule orders the measure (shall); false for an option (may).")
    tier: int | None = Field(description="Penalty tier of the rule, or null.")
    citation: CitationModel
    cited_as: str = Field(description="The rule's provisions as an officer cites them, nearest first.")
    base_amount: float | None = Field(description="Base amount in yuan, when the measure has an amount and the base is known.")
    min_amount: float | None
    max_amount: float | None
    min_duration: tuple[int, DurationUnit] | None = Field(description="[length, unit], or null.")
    max_duration: tuple[int, DurationUnit] | None
    missing: list[str] = Field(description="Facts needed to compute the amounts, when the base is unknown.")
    in_principle: bool = Field(description="The cap is written 原则上不得超过: a cap in principle, not an absolute one.")
    base_fact: str | None = Field(description="Where the base amount comes from: the amount's fact (conduct.loss_amount…) "
                                  "or 'conduct.itemised_amounts (tier N)' when the caller itemised the amounts; null "
                                  "without an amount.")


class DeadlineItemModel(_Model):
    list: str = Field(description="The fact list, e.g. agreement.suspensions.")
    index: int = Field(ge=0, description="The item's position in that list, from 0.")
    key: str = Field(description="The item's identifying field, e.g. started_on.")
    value: Any = Field(description="That field's value (a date as YYYY-MM-DD), or null when not given.")


class DeadlineModel(_Model):
    rule_id: str
    title: TextModel
    start_event: TextModel = Field(description="What happens on the start date (收到材料之日 …).")
    start: IsoDate | None = _date("Start date, or null when a fact it needs is missing.")
    length: int = Field(ge=0, description="The period's length; 0 with unit date (a calendar day the text names).")
    unit: DurationUnit | Literal["hours", "date"]
    direction: Literal["after", "before"]
    extra_days: int = Field(description="Natural days added to the period (time not counted).")
    due: IsoDate | None = _date("Last day of the period, or null when it cannot be computed.")
    calendar: str = Field(description="How days were counted, with the source of each year's holiday arrangement (English).")
    calendar_text: TextModel = Field(description="``calendar`` for people, in Chinese and English.")
    estimated: bool = Field(description="A working-day count crossed a year without a published arrangement: "
                            "its statutory holidays are computed, its 调休 (make-up and bridge days) estimated.")
    earliest: IsoDate | None = _date("For an estimated last day: the earliest it can be under any arrangement the "
                                     "year's notice could publish; null when the last day is certain or the range "
                                     "unknown.")
    latest: IsoDate | None = _date("For an estimated last day: the latest it can be; null as for earliest.")
    rolled_from: IsoDate | None = _date("The computed last day when it was moved to the next working day.")
    status: DeadlineStatus | None = Field(
        description="On as_of: pending (the last day is ahead), last_day_today, lapsed (the last day has passed and "
        "the act was not done by then), met (done on or before the last day); null when the last day is unknown.")
    done_on: IsoDate | None = _date("The day the act was done, when the limit names a done_on fact and the case "
                                    "gives it; null otherwise.")
    start_counted: bool = Field(
        description="The start day is day 1 of the period (start_day_counts); false: it is not counted and the period "
        "begins the next day (Civil Code art. 201).")
    opens_on: IsoDate | None = _date("The first day of a window that ends on the due day (e.g. the last quarter of a "
                                     "year); null when the limit is not a window.")
    start_at: IsoDateTime | None = _datetime("A period in hours: the start's date-time (start is its day); null otherwise.")
    due_at: IsoDateTime | None = _datetime("A period in hours: the end's date-time (due is its day); null otherwise.")
    done_at: IsoDateTime | None = _datetime("A period in hours: when the act was done (done_on is its day); null "
                                            "otherwise.")
    item: DeadlineItemModel | None = Field(
        description="A per-item limit (one deadline per item of a list): which item; null for a limit of the case.")
    citation: CitationModel
    cited_as: str = Field(description="The rule's provisions as an officer cites them, nearest first.")
    modality: Modality
    in_principle: bool
    missing: list[str] = Field(description="Facts needed to compute the date.")


class WarningModel(_Model):
    code: str = Field(description="Stable kebab-case code, e.g. pack-draft, calendar-estimated.")
    message: str = Field(description="The message in English (a pack-authored warning: its own text).")
    text: TextModel = Field(description="The message for people, in Chinese and English.")


class TraceNodeModel(_Model):
    text: str = Field(description="The sub-expression, as written in the rule.")
    value: Any = Field(description="Its value: true/false/null (unknown), a number, an ISO date, text, or a list "
                       "(per-item results of any/all/count; fact lists).")
    evaluated: bool = Field(description="false when short-circuit evaluation skipped the node (value is then null).")
    fact: str = _sometimes("Dotted fact path, present when the node reads a fact.")
    children: list[TraceNodeModel] = _sometimes("Sub-expressions, present when there are any.")


class RuleModel(_Model):
    id: str
    kind: RuleKind
    status: Status
    modality: Modality
    in_principle: bool
    outcome: RuleOutcome | None = Field(description="What the rule's firing means, or null.")
    title: TextModel
    citation: CitationModel = Field(description="The nearest provision: the child pack's own restatement or "
                                    "override when there is one, else the defining pack's.")
    cited_as: str = Field(description="Officer-style citation, nearest first, e.g. 苏医保规〔2023〕3号 第九条第（三）项"
                          "（依据 国家医疗保障局令第2号 第十二条第（三）项）.")
    basis: list[ProvisionModel] = Field(description="Every provision the rule rests on, nearest first.")
    items: list[ItemModel] = Field(description="For a rule that decides on a cited list: the items that held "
                                   "(or are unknown), each with its own citation; empty otherwise.")
    parameters: list[ParameterModel] = Field(description="Parameters the rule reads, with value and citation.")
    provenance: list[str] = Field(description="The rule's history through the pack chain, one sentence per step.")
    condition: str | None = Field(description="The condition text (when / requires).")
    fires_when: Literal["true", "false"] = Field(description="The condition value that makes the rule fire.")
    missing: list[str] = Field(description="Facts that would settle the rule, when its status is unknown.")
    note: str = _sometimes("How an ambiguity in the text was read; present when the rule has a note.")
    trace: TraceNodeModel = _sometimes("The condition's evaluation tree; present when the decision was traced.")


class DecisionModel(_Model):
    """A decision as ``Decision.to_dict()`` writes it (schema_version 6)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"})
    schema_version: Literal[SCHEMA_VERSION]  # type: ignore[valid-type]
    question: Question
    outcome: Outcome
    as_of: IsoDate = _date("The evaluation date.")
    case_id: str | None
    pack: PackRefModel
    record: RecordModel = Field(description="The decision's id, time, engine version and input digest.")
    fired: list[str] = Field(description="Ids of the rules that definitely fired, in evaluation order.")
    missing_facts: list[str] = Field(description="Facts that would settle the rules still unknown, sorted.")
    measures: list[MeasureModel]
    deadlines: list[DeadlineModel]
    warnings: list[WarningModel]
    combination: list[str] = Field(description="How several fired rules were combined, and overlapping rules of other questions (English).")
    combination_text: list[TextModel] = Field(description="``combination`` for people, note for note, in Chinese and English.")
    rules: list[RuleModel] = Field(description="Every candidate rule of the question, in evaluation order.")


def decision_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one decision's JSON."""
    schema = DecisionModel.model_json_schema()
    schema["title"] = "dingdian-rules decision"
    schema["$id"] = f"urn:dingdian-rules:decision:{SCHEMA_VERSION}"
    return schema

