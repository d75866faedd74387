"""The fold, the one place a history becomes facts: ``InstitutionState`` (incremental) and ``fold(events, as_of)``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

from .event_models import OPENING_EVENTS, EventError, UnknownInstitutionError, parse_event
from ..facts.institution import Agreement, Institution, InstitutionType, RegionAction, Suspension
from ..facts.models import Case, Claim, Conduct, InformationChange, Request

__all__ = ["InstitutionState", "fold"]


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

    def check(self, event: Any) -> None:
        """Raise ``EventError`` if ``event`` is impossible in this state; change nothing.

        The supervisor calls it before bringing due the periods that ran out before the event's
        day, so a refused event leaves the supervisor exactly as it was (nothing is lost).
        """
        if not self.opened and event.type not in OPENING_EVENTS:
            raise UnknownInstitutionError(
                f"{event.institution_id}: {event.type} on {event.on} before any term_started for this institution")
        view = copy.copy(self)  # roll() only rebinds attributes, so a shallow copy leaves self untouched
        view.roll(event.on)
        t = event.type
        if t == "term_renewed":
            if view.term_end is not None and event.next_term_end <= view.term_end:
                raise EventError(f"{event.institution_id} on {event.on}: next_term_end {event.next_term_end} "
                                 f"is not after the current term's last day {view.term_end}")
        elif t == "suspension_started":
            if any(s.ended_on is None for s in view.suspensions):
                raise EventError(f"{event.institution_id} on {event.on}: suspension_started while a suspension "
                                 "is in progress (end it first)")
        elif t in ("suspension_ended", "resume_applied"):
            view._open_suspension(event)
        elif t == "rectification_assessed":
            if not view.suspensions:
                raise EventError(f"{event.institution_id} on {event.on}: rectification_assessed but the term has "
                                 "no suspension")
        elif t == "change_applied":
            if view.change is None or view.change["applied_on"] is not None:
                raise EventError(f"{event.institution_id} on {event.on}: change_applied but no approved change "
                                 "is waiting for its application")
        elif t == "request_decided":
            if view.request is None:
                raise EventError(f"{event.institution_id} on {event.on}: request_decided but no request was filed")
        elif t == "claim_paid":
            if view.claim is None:
                raise EventError(f"{event.institution_id} on {event.on}: claim_paid but no claim was declared")

    def apply(self, event: Any) -> None:
        """Apply one event (dated on or after every earlier one) to the state; an impossible event
        raises ``EventError`` (see ``check``) and changes nothing."""
        self.check(event)
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
            self.renewal_agreed, self.next_term_end = True, event.next_term_end
        elif t == "renewal_failed":
            self.renewal_agreed, self.next_term_end = False, None
            self.renewal_refused_by_institution = event.refused_by_institution
        elif t == "suspension_started":
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
            self.change["applied_on"] = event.on  # type: ignore[index]
        elif t == "home_region_action":
            self.home_region_action = event.action
        elif t == "other_region_action":
            self.other_region_action, self.other_region_in_province = event.action, event.in_province
        elif t == "request_filed":
            self.request = {"kind": event.kind, "filed_on": event.on, "effective_on": event.effective_on,
                            "agency_agreed": None}
        elif t == "request_decided":
            self.request["agency_agreed"] = event.agreed  # type: ignore[index]
        elif t == "claim_declared":
            self.claim = {"declared_on": event.on, "paid_on": None}
        elif t == "claim_paid":
            self.claim["paid_on"] = event.on  # type: ignore[index]
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
