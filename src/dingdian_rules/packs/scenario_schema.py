"""Pydantic models of a pack's scenario files: analyst-written cases with the answer the text gives.

Part of the authoring format (``schema`` holds ``pack.yaml`` and the shared vocabularies);
``analysis.scenarios`` runs them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ..facts.values import IsoDate as date  # every date is written YYYY-MM-DD: no numbers, no datetimes
from .schema import _STRICT, DecisionWarningCode, DeadlineStatus, MeasureId, Modality, Question, QuestionOutcome


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
    case: dict = Field(default_factory=dict, description="The facts; with a file-level `base:`, only what differs "
                       "from its case (no `case:` takes the base case unchanged).")
    expect: Expectation

    @field_validator("reading")
    @classmethod
    def _reading_cites_the_text(cls, value: str) -> str:
        if not ARTICLE_REFERENCE.search(value):
            raise ValueError("a reading cites the article that decides the expected answer, as 第十二条第（四）项 or "
                             "art. 12(4) (民法典 / Civil Code articles count too)")
        return value


class ScenarioBase(BaseModel):
    """What every scenario of a file shares (analysis/scenario_base.py says how a scenario merges over it)."""

    model_config = _STRICT
    case: dict = Field(description="The case each scenario's `case:` is merged over: mappings merge key by key, "
                       "lists and scalars replace, null removes a fact.")


class ScenarioFile(BaseModel):
    model_config = _STRICT
    base: ScenarioBase | None = None
    scenarios: list[Scenario]
