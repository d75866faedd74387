"""Pydantic models of ``pack.yaml`` and the closed vocabularies of the rule-pack files an analyst writes.

These models are the authoring format; ``python -m dingdian_rules schema`` exports them as JSON
Schema so an editor can autocomplete YAML. Conditions stay strings here; ``conditions`` parses
and type-checks them against the fact vocabulary once the whole chain is resolved. The models of
rule files are in ``rule_schema``, those of scenario files in ``scenario_schema``; the vocabularies
all three share (kinds, outcomes, measures, warning codes, units) are in ``vocabulary``, free of
pydantic, and re-exported here.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..facts.values import IsoDate as date  # every date is written YYYY-MM-DD: no numbers, no datetimes

# Between two Chinese characters or full-width marks, a space can only be a folded YAML line break.
_BREAK_IN_CHINESE = re.compile(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])")


def fold_prose(text: str) -> str:
    """Prose (a note, a reason, a change) as a reader sees it, settled once at load: each run of
    whitespace (a line break of a folded YAML block) is one space, and none is left between two
    Chinese characters, where a line break is no space. Spaces beside Latin words are kept."""
    return _BREAK_IN_CHINESE.sub("", " ".join(text.split()))


Prose = Annotated[str, AfterValidator(fold_prose)]

from .vocabulary import (  # noqa: F401 (the vocabularies, re-exported where they always were)
    LEVEL_ZH, MEASURE_NAMES, QUESTION_OUTCOMES, RULE_OUTCOMES, DeadlineStatus, DecisionWarningCode, Level, MeasureId,
    Modality, Question, QuestionOutcome, RuleKind, RuleOutcome, RuleWarningCode, Status, Unit)

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
