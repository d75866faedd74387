"""Supervision events and the one fold that turns an institution's history into a ``Case``.

An event is something the agency records about one designated institution on one day: a term
starts, a suspension starts or ends, conduct is found, a change is approved, a request is filed…
Events are typed pydantic models, a discriminated union on ``type`` (``EVENT_TYPES`` lists them),
each with ``institution_id`` and ``on`` (the day it happened). ``parse_event`` validates plain
data; ``load_events_file`` reads YAML (a list) or JSON Lines with located errors.

``fold(events, as_of)`` is the only place where a history becomes facts: the supervisor
(``dingdian_rules.supervisor``) folds incrementally with the same ``InstitutionState`` and the
native evaluator reads ``fold(history, as_of)``, so both see the same case on the same date.

The fold is the agency's own record, so it is *closed-world* for findings: a conduct flag
(every boolean of ``Conduct``), ``renewal_refused_by_institution`` and
``force_majeure_prevents_performance`` are false until an event finds them, list facts are
known empty, and a suspension has ``rectified_as_required`` true until a finding says otherwise.
Everything else that no event states stays unknown (``None``): an institution's ``is_public``
unless ``term_started`` gives it, ``renewal_agreed`` until ``term_renewed`` / ``renewal_failed``,
``request.agency_agreed`` until ``request_decided``. See docs/supervision.md for every event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Union

import pydantic
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from .errors import DingdianError, Diagnostic, Location
from .facts import (Agreement, Case, Claim, Conduct, InformationChange, Institution, InstitutionType,
                    RegionAction, Request, RequestKind, Suspension)

__all__ = [
    "Event", "EVENT_TYPES", "EventError", "EventOrderError", "UnknownInstitutionError", "InstitutionState",
    "fold", "parse_event", "load_events_file", "OPENING_EVENTS",
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
    model_config = ConfigDict(extra="forbid", frozen=True)

    institution_id: str = Field(min_length=1, description="The institution's identifier (any stable string).")
    on: date = Field(description="The day it happened.")
    note: str | None = Field(None, description="Free text for the reader; no rule reads it.")

    def describe(self) -> str:
        return self.type  # type: ignore[attr-defined]


class TermStarted(_Event):
    """A new agreement term (and, the first time, the institution's supervision) begins on ``on``."""

    type: Literal["term_started"] = "term_started"
    term_end: date = Field(description="Last day of the term.")
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
    next_term_end: date


class RenewalFailed(_Event):
    """Renewal negotiations ended without agreement (未达成一致, art. 41)."""

    type: Literal["renewal_failed"] = "renewal_failed"
    refused_by_institution: bool = Field(False, description="The institution did not renew as the agency required (青海 art. 80(4)).")


class SuspensionStarted(_Event):
    """The agreement is suspended (中止) from ``on`` (its first day)."""

    type: Literal["suspension_started"] = "suspension_started"
    requested_by_institution: bool = Field(False, description="At the institution's request (art. 42 para. 2).")
    scheduled_end_on: date | None = Field(None, description="Last day of the suspension as decided (Zhongshan art. 44).")


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
    facts: tuple[str, ...] = ()

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
    effective_on: date


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


def parse_event(data: Any, *, source: str = "<event>") -> Any:
    """Validate one event given as plain data (dates as ISO strings or ``date``) or as a model."""
    if isinstance(data, _Event):
        return data
    try:
        return _ADAPTER.validate_python(data)
    except pydantic.ValidationError as exc:
        diags = [Diagnostic("invalid-event", f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg']}",
                            Location(source)) for e in exc.errors(include_url=False)]
        raise EventError(f"{source}: not a valid event: " + "; ".join(d.message for d in diags), diags) from None


def load_events_file(path: str | Path) -> list[Any]:
    """Read events from YAML (a list, or ``{events: [...]}``) or JSON Lines (``.jsonl``, one per line)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                d = Diagnostic("json-syntax", exc.msg, Location(str(p), n, exc.colno))
                raise EventError(f"{p}:{n}: not JSON: {exc.msg}", [d]) from None
            out.append(parse_event(data, source=f"{p}:{n}"))
        return out
    from .yamlio import load_yaml_file  # the project's safe loader: dates stay strings, lines recorded

    doc, diags = load_yaml_file(p)
    if doc is None:
        raise EventError(f"{p}: not readable as YAML", diags)
    data = doc.data
    if isinstance(data, dict) and set(data) <= {"events", "as_of", "pack", "note"} and "events" in data:
        data, base = data["events"], ("events",)
    else:
        base = ()
    if not isinstance(data, list):
        raise EventError(f"{p}: an events file is a list of events (or `events: [...]`)",
                         [Diagnostic("not-a-list", "expected a list of events", doc.locate(base))])
    out = []
    for i, item in enumerate(data):
        loc = doc.locate(base + (i,))
        out.append(parse_event(item, source=str(loc)))
    return out


def events_file_settings(path: str | Path) -> dict[str, Any]:
    """The optional top-level keys of a YAML events file (``as_of``, ``pack``)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        return {}
    from .yamlio import load_yaml_file

    doc, _ = load_yaml_file(p)
    if doc is not None and isinstance(doc.data, dict):
        return {k: v for k, v in doc.data.items() if k in ("as_of", "pack")}
    return {}


# --- the fold ---------------------------------------------------------------------------------
_CONDUCT_DEFAULTS: dict[str, Any] = {}
for _name, _info in Conduct.model_fields.items():
    _ann = str(_info.annotation)
    if _info.annotation in (bool | None,):
        _CONDUCT_DEFAULTS[_name] = False
    elif _ann.startswith("list[") or "list[" in _ann:
        _CONDUCT_DEFAULTS[_name] = []
    else:
        _CONDUCT_DEFAULTS[_name] = None


@dataclass
class _Susp:
    started_on: date
    requested_by_institution: bool
    scheduled_end_on: date | None = None
    ended_on: date | None = None
    resume_applied_on: date | None = None
    resume_verified: bool | None = None
    rectified_as_required: bool | None = True

    def model(self) -> Suspension:
        return Suspension.model_construct(
            started_on=self.started_on, ended_on=self.ended_on, requested_by_institution=self.requested_by_institution,
            resume_applied_on=self.resume_applied_on, rectified_as_required=self.rectified_as_required,
            scheduled_end_on=self.scheduled_end_on, resume_verified=self.resume_verified)


@dataclass
class InstitutionState:
    """One institution's facts, built by applying its events in date order (mutable, incremental).

    ``apply(event)`` raises ``EventError`` for an event impossible in the current state (e.g. a
    suspension ending when none is in progress). ``case(as_of)`` gives the frozen ``Case``.
    """

    institution_id: str
    opened: bool = False
    name: str | None = None
    institution_type: InstitutionType | None = None
    is_public: bool | None = None
    is_home_region: bool | None = None
    term_start: date | None = None
    term_end: date | None = None
    next_term_end: date | None = None  # a renewal agreed for the term after this one
    renewal_agreed: bool | None = None
    renewal_refused_by_institution: bool = False
    suspensions: list[_Susp] = field(default_factory=list)
    home_region_action: RegionAction | None = None
    other_region_action: RegionAction | None = None
    other_region_in_province: bool | None = None
    conduct: dict[str, Any] = field(default_factory=lambda: dict(_CONDUCT_DEFAULTS))
    change: dict[str, Any] | None = None
    request: dict[str, Any] | None = None
    claim: dict[str, Any] | None = None
    last_on: date | None = None

    # -- time --
    def roll(self, as_of: date) -> None:
        """Start the renewed term once ``as_of`` is past the current term's last day.

        A term whose suspension ran past its last day (or still runs) is not rolled over: the
        agreement ends instead (art. 42 para. 1), which ``termination.suspension_beyond_term`` sees.
        """
        while (self.term_end is not None and self.next_term_end is not None and self.renewal_agreed
               and as_of > self.term_end):
            end = self.term_end
            if any(s.ended_on is None or s.ended_on > end for s in self.suspensions):
                return
            self.term_start, self.term_end = end + timedelta(days=1), self.next_term_end
            self.next_term_end, self.renewal_agreed = None, None
            self.suspensions = []

    def roll_date(self) -> date | None:
        """The day a pending renewal would start the next term (a date the facts change on)."""
        if self.term_end is not None and self.next_term_end is not None and self.renewal_agreed:
            return self.term_end + timedelta(days=1)
        return None

    # -- events --
    def _open_suspension(self, event: Any) -> _Susp:
        for s in reversed(self.suspensions):
            if s.ended_on is None:
                return s
        raise EventError(f"{event.institution_id} on {event.on}: {event.type} but no suspension is in progress")

    def apply(self, event: Any) -> None:
        """Apply one event (dated on or after every earlier one) to the state."""
        if not self.opened and event.type not in OPENING_EVENTS:
            raise UnknownInstitutionError(
                f"{event.institution_id}: {event.type} on {event.on} before any term_started for this institution")
        self.roll(event.on)
        self.last_on = event.on
        t = event.type
        if t == "term_started":
            self.opened = True
            for attr in ("name", "institution_type", "is_public"):
                v = getattr(event, attr)
                if v is not None:
                    setattr(self, attr, v)
            self.is_home_region = event.is_home_region
            self.term_start, self.term_end = event.on, event.term_end
            self.next_term_end = self.renewal_agreed = None
            self.renewal_refused_by_institution = False
            self.suspensions = []
            self.home_region_action = self.other_region_action = self.other_region_in_province = None
            self.conduct = dict(_CONDUCT_DEFAULTS)
            self.request = None
        elif t == "term_renewed":
            if self.term_end is not None and event.next_term_end <= self.term_end:
                raise EventError(f"{event.institution_id} on {event.on}: next_term_end {event.next_term_end} "
                                 f"is not after the current term's last day {self.term_end}")
            self.renewal_agreed, self.next_term_end = True, event.next_term_end
        elif t == "renewal_failed":
            self.renewal_agreed, self.next_term_end = False, None
            self.renewal_refused_by_institution = event.refused_by_institution
        elif t == "suspension_started":
            if any(s.ended_on is None for s in self.suspensions):
                raise EventError(f"{event.institution_id} on {event.on}: suspension_started while a suspension "
                                 "is in progress (end it first)")
            self.suspensions.append(_Susp(event.on, event.requested_by_institution, event.scheduled_end_on))
        elif t == "suspension_ended":
            s = self._open_suspension(event)
            s.ended_on = event.on
            if not s.requested_by_institution:
                s.rectified_as_required = event.rectified_as_required
        elif t == "resume_applied":
            s = self._open_suspension(event)
            s.resume_applied_on = event.on
            s.resume_verified = event.verified
        elif t == "rectification_assessed":
            if not self.suspensions:
                raise EventError(f"{event.institution_id} on {event.on}: rectification_assessed but the term has "
                                 "no suspension")
            self.suspensions[-1].rectified_as_required = event.rectified_as_required
        elif t == "conduct_found":
            self.conduct.update(event.conduct)
        elif t == "conduct_cleared":
            for name in event.facts or tuple(self.conduct):
                self.conduct[name] = _CONDUCT_DEFAULTS[name]
        elif t == "licence_revoked":
            self.conduct["licence_revoked_or_cancelled"] = True
            self.conduct["licence_cancelled" if event.cancelled else "licence_revoked"] = True
        elif t == "information_changed":
            self.change = {"is_major": event.is_major, "approved_on": event.on, "applied_on": None,
                           "concerns_identity_items": event.concerns_identity_items,
                           "reveals_ineligibility": event.reveals_ineligibility}
        elif t == "change_applied":
            if self.change is None or self.change["applied_on"] is not None:
                raise EventError(f"{event.institution_id} on {event.on}: change_applied but no approved change "
                                 "is waiting for its application")
            self.change["applied_on"] = event.on
        elif t == "home_region_action":
            self.home_region_action = event.action
        elif t == "other_region_action":
            self.other_region_action, self.other_region_in_province = event.action, event.in_province
        elif t == "request_filed":
            self.request = {"kind": event.kind, "filed_on": event.on, "effective_on": event.effective_on,
                            "agency_agreed": None}
        elif t == "request_decided":
            if self.request is None:
                raise EventError(f"{event.institution_id} on {event.on}: request_decided but no request was filed")
            self.request["agency_agreed"] = event.agreed
        elif t == "claim_declared":
            self.claim = {"declared_on": event.on, "paid_on": None}
        elif t == "claim_paid":
            if self.claim is None:
                raise EventError(f"{event.institution_id} on {event.on}: claim_paid but no claim was declared")
            self.claim["paid_on"] = event.on
        else:  # pragma: no cover - the union admits no other type
            raise EventError(f"unknown event type {t!r}")

    # -- facts --
    def case(self, as_of: date) -> Case:
        """The facts on ``as_of`` (no later than any event still to come), as a frozen ``Case``."""
        self.roll(as_of)
        inst = Institution.model_construct(name=self.name, type=self.institution_type, is_public=self.is_public)
        agreement = Agreement.model_construct(
            term_start=self.term_start, term_end=self.term_end,
            suspensions=[s.model() for s in self.suspensions], renewal_agreed=self.renewal_agreed,
            home_region_action=self.home_region_action, is_home_region=self.is_home_region,
            other_region_action=self.other_region_action, other_region_in_province=self.other_region_in_province,
            renewal_refused_by_institution=self.renewal_refused_by_institution,
            force_majeure_prevents_performance=False)
        conduct = Conduct.model_construct(**self.conduct)
        change = InformationChange.model_construct(**self.change) if self.change is not None else None
        request = Request.model_construct(**self.request) if self.request is not None else None
        claim = Claim.model_construct(**self.claim) if self.claim is not None else None
        return Case.model_construct(case_id=self.institution_id, institution=inst, agreement=agreement,
                                    conduct=conduct, request=request, information_change=change, claim=claim)


def fold(events: Iterable[Any], as_of: date) -> Case:
    """The ``Case`` of one institution on ``as_of``: its events dated on or before ``as_of``, applied
    in date order (events of one day in the order given; an event equal to an earlier one of the
    same day is a duplicate delivery and counts once, as ``Supervisor.post`` does). Raises ``EventError`` for events of more
    than one institution, or an event impossible in the state the earlier ones built."""
    evs = [parse_event(e) for e in events]
    ids = {e.institution_id for e in evs}
    if len(ids) > 1:
        raise EventError(f"fold takes one institution's events; got {', '.join(sorted(ids))}")
    if not evs:
        raise EventError("fold needs at least the institution's term_started event")
    state = InstitutionState(evs[0].institution_id)
    today: list[Any] = []
    for e in sorted(evs, key=lambda e: e.on):  # stable: one day's events keep their order
        if e.on > as_of:
            break
        if today and today[0].on != e.on:
            today = []
        if any(e == x for x in today):
            continue  # an exact duplicate of an event of the same day counts once (as in the supervisor)
        today.append(e)
        state.apply(e)
    return state.case(as_of)
