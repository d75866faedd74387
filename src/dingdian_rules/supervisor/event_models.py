"""The typed events (pydantic, a union on ``type``), their errors and ``parse_event``; no files, no fold."""

from __future__ import annotations

import json
from typing import Annotated, Any, Iterable, Literal, Union

import pydantic
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from ..errors import DingdianError, Diagnostic
from ..facts.institution import InstitutionType, RegionAction
from ..facts.models import Conduct, RequestKind
from ..facts.values import IsoDate

__all__ = [
    "Event", "EVENT_TYPES", "OPENING_EVENTS", "EventError", "EventOrderError", "UnknownInstitutionError", "parse_event",
    "TermStarted", "TermRenewed", "RenewalFailed", "SuspensionStarted", "SuspensionEnded", "ResumeApplied",
    "RectificationAssessed", "ConductFound", "ConductCleared", "LicenceRevoked", "InformationChanged", "ChangeApplied",
    "HomeRegionAction", "OtherRegionAction", "RequestFiled", "RequestDecided", "ClaimDeclared", "ClaimPaid",
]


# --- errors ---------------------------------------------------------------------------------
class EventError(DingdianError):
    """An event cannot be accepted (invalid data, or impossible in the institution's state)."""

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = ()) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(message)


class EventOrderError(EventError):
    """An event is dated before the institution's clock (its last event, or the last ``advance``)."""


class UnknownInstitutionError(EventError):
    """An event other than an opening one (``term_started``) names an institution never opened."""


# --- events ---------------------------------------------------------------------------------
class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # `n` is not false, `0` not a date

    institution_id: str = Field(min_length=1, description="The institution's identifier (any stable string).")
    on: IsoDate = Field(description="The day it happened.")
    note: str | None = Field(None, description="Free text for the reader; no rule reads it.")

    def describe(self) -> str:
        return self.type  # type: ignore[attr-defined]


class TermStarted(_Event):
    """A new agreement term (and, the first time, the institution's supervision) begins on ``on``."""

    type: Literal["term_started"] = "term_started"
    term_end: IsoDate = Field(description="Last day of the term.")
    name: str | None = None
    institution_type: InstitutionType | None = None
    is_public: bool | None = Field(None, description="公立医疗机构 (art. 44).")
    is_home_region: bool | None = Field(True, description="This agreement is with the agency where the institution is located.")

    @model_validator(mode="after")
    def _end_after_start(self) -> "TermStarted":
        if self.term_end < self.on:
            raise ValueError(f"term_end {self.term_end} is before the term starts ({self.on})")
        return self


class TermRenewed(_Event):
    """Renewal negotiations agreed on ``on`` (art. 41); the next term runs from the day after the
    current term's last day to ``next_term_end``."""

    type: Literal["term_renewed"] = "term_renewed"
    next_term_end: IsoDate


class RenewalFailed(_Event):
    """Renewal negotiations ended without agreement (未达成一致, art. 41)."""

    type: Literal["renewal_failed"] = "renewal_failed"
    refused_by_institution: bool = Field(False, description="The institution did not renew as the agency required (青海 art. 80(4)).")


class SuspensionStarted(_Event):
    """The agreement is suspended (中止) from ``on`` (its first day)."""

    type: Literal["suspension_started"] = "suspension_started"
    requested_by_institution: bool = Field(False, description="At the institution's request (art. 42 para. 2).")
    scheduled_end_on: IsoDate | None = Field(None, description="Last day of the suspension as decided (Zhongshan art. 44).")


class SuspensionEnded(_Event):
    """The suspension in progress ended; ``on`` is its last day (ended_on)."""

    type: Literal["suspension_ended"] = "suspension_ended"
    rectified_as_required: bool | None = Field(
        True, description="Rectified as required during the suspension (art. 43(1)); false = not, null = not yet known.")


class ResumeApplied(_Event):
    """The institution applied to continue (继续履行) the agreement suspended now (art. 42)."""

    type: Literal["resume_applied"] = "resume_applied"
    verified: bool | None = Field(None, description="The agency verified the rectification (Zhongshan art. 44); null = pending.")


class RectificationAssessed(_Event):
    """The agency assessed the rectification during the latest suspension (art. 43(1))."""

    type: Literal["rectification_assessed"] = "rectification_assessed"
    rectified_as_required: bool


class ConductFound(_Event):
    """Conduct found by inspection, evaluation or law enforcement: sets the ``Conduct`` facts given."""

    type: Literal["conduct_found"] = "conduct_found"
    conduct: dict[str, Any] = Field(description="Conduct facts, by name, with their values (see docs/facts.md).")

    @field_validator("conduct")
    @classmethod
    def _known_facts(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("name at least one conduct fact")
        checked = Conduct.model_validate(value)  # unknown names and bad values are errors
        return {k: getattr(checked, k) for k in value}

    def __hash__(self) -> int:  # dict field: hash by its JSON form
        return hash((self.institution_id, self.on, json.dumps(self.model_dump(mode="json"), sort_keys=True)))


class ConductCleared(_Event):
    """Handling of earlier findings is closed: the named conduct facts (all when none are named)
    go back to their closed-world defaults."""

    type: Literal["conduct_cleared"] = "conduct_cleared"
    facts: tuple[str, ...] = Field((), strict=False)  # a list in YAML and JSON

    @field_validator("facts")
    @classmethod
    def _known_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [n for n in value if n not in Conduct.model_fields]
        if unknown:
            raise ValueError(f"not conduct facts: {', '.join(unknown)}")
        return value


class LicenceRevoked(_Event):
    """The practice licence or TCM clinic record was revoked (吊销) or cancelled (注销) (art. 43(9))."""

    type: Literal["licence_revoked"] = "licence_revoked"
    cancelled: bool = Field(False, description="注销 (cancelled) rather than 吊销 (revoked).")


class InformationChanged(_Event):
    """The competent department approved a change of registered information on ``on`` (art. 40)."""

    type: Literal["information_changed"] = "information_changed"
    is_major: bool = True
    concerns_identity_items: bool | None = None
    reveals_ineligibility: bool | None = None


class ChangeApplied(_Event):
    """The institution applied to the agency for the pending information change (art. 40)."""

    type: Literal["change_applied"] = "change_applied"


class HomeRegionAction(_Event):
    """The home (prefecture-level or higher) agency suspended or rescinded its agreement (art. 44 para. 2)."""

    type: Literal["home_region_action"] = "home_region_action"
    action: RegionAction


class OtherRegionAction(_Event):
    """Another pooling region suspended or rescinded its agreement (Foshan art. 19; Zhongshan art. 49)."""

    type: Literal["other_region_action"] = "other_region_action"
    action: RegionAction
    in_province: bool | None = None


class RequestFiled(_Event):
    """The institution requested to suspend, rescind or not renew (art. 44); ``on`` is the filing day."""

    type: Literal["request_filed"] = "request_filed"
    kind: RequestKind
    effective_on: IsoDate


class RequestDecided(_Event):
    """The agency agreed to, or refused, the pending request (art. 43(12), art. 42)."""

    type: Literal["request_decided"] = "request_decided"
    agreed: bool


class ClaimDeclared(_Event):
    """Insurance costs declared for payment (art. 30: paid within 30 working days)."""

    type: Literal["claim_declared"] = "claim_declared"


class ClaimPaid(_Event):
    """The agency paid the latest declared costs."""

    type: Literal["claim_paid"] = "claim_paid"


Event = Annotated[Union[
    TermStarted, TermRenewed, RenewalFailed, SuspensionStarted, SuspensionEnded, ResumeApplied,
    RectificationAssessed, ConductFound, ConductCleared, LicenceRevoked, InformationChanged, ChangeApplied,
    HomeRegionAction, OtherRegionAction, RequestFiled, RequestDecided, ClaimDeclared, ClaimPaid,
], Field(discriminator="type")]

EVENT_TYPES: tuple[str, ...] = (
    "term_started", "term_renewed", "renewal_failed", "suspension_started", "suspension_ended", "resume_applied",
    "rectification_assessed", "conduct_found", "conduct_cleared", "licence_revoked", "information_changed",
    "change_applied", "home_region_action", "other_region_action", "request_filed", "request_decided",
    "claim_declared", "claim_paid",
)
OPENING_EVENTS = frozenset({"term_started"})
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)


def parse_event(data: Any, *, source: str = "<event>", doc: Any = None, path: tuple = ()) -> Any:
    """Validate one event given as plain data (dates as ``YYYY-MM-DD`` or ``date``) or as a model.

    ``doc`` (a ``reading.yaml_reader.YamlDoc``) and ``path`` say where the event stands in a file, so each
    diagnostic carries the line and column of the offending value; ``source`` names it in the
    message."""
    if isinstance(data, _Event):
        return data
    try:
        return _ADAPTER.validate_python(data)
    except pydantic.ValidationError as exc:
        diags = _event_diagnostics(exc, data, source, doc, tuple(path))
        raise EventError(f"{source}: not a valid event: " + "; ".join(
            f"{d.path}: {d.message}" if d.path else d.message for d in diags), diags) from None


def _event_diagnostics(exc: pydantic.ValidationError, data: Any, source: str, doc: Any,
                       path: tuple) -> list[Diagnostic]:
    from ..errors import did_you_mean
    from ..reading.pydantic_errors import pydantic_diagnostics
    from ..reading.yaml_doc import YamlDoc, format_path

    if doc is None:
        doc, path = YamlDoc(data, {}, {}, source), ()
    errors = exc.errors(include_url=False)
    tag = next((e for e in errors if e["type"] in ("union_tag_invalid", "union_tag_not_found")), None)
    if tag is None:
        return pydantic_diagnostics(exc, Event, doc, path)  # type: ignore[arg-type]
    if tag["type"] == "union_tag_not_found":
        return [Diagnostic("missing-field", "missing required field 'type'", doc.locate(path), format_path(path),
                           "add `type: ...`, one of: " + ", ".join(EVENT_TYPES))]
    value = str((tag.get("ctx") or {}).get("tag", ""))
    return [Diagnostic("bad-value", f"unknown event type {value!r}", doc.locate(path + ("type",)),
                       format_path(path + ("type",)),
                       did_you_mean(value, EVENT_TYPES) or "event types: " + ", ".join(EVENT_TYPES))]
