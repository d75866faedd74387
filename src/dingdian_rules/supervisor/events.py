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

This module is the public entry point and re-exports what lives in three smaller ones:
``event_models`` (the typed events, their errors, ``parse_event``), ``folding``
(``InstitutionState``, ``fold``) and ``event_files`` (``load_events_file``, ``events_file_settings``).
"""

from __future__ import annotations

from .event_files import events_file_settings, load_events_file
from .event_models import (EVENT_TYPES, OPENING_EVENTS, ChangeApplied, ClaimDeclared, ClaimPaid, ConductCleared,
                           ConductFound, Event, EventError, EventOrderError, HomeRegionAction, InformationChanged,
                           LicenceRevoked, OtherRegionAction, RectificationAssessed, RenewalFailed, RequestDecided,
                           RequestFiled, ResumeApplied, SuspensionEnded, SuspensionStarted, TermRenewed, TermStarted,
                           UnknownInstitutionError, parse_event)
from .folding import InstitutionState, fold

__all__ = [
    "Event", "EVENT_TYPES", "EventError", "EventOrderError", "UnknownInstitutionError", "InstitutionState",
    "fold", "parse_event", "load_events_file", "OPENING_EVENTS",
    # also public here before the split (not in the original ``__all__``): listed so the re-export is explicit
    "events_file_settings",
    "TermStarted", "TermRenewed", "RenewalFailed", "SuspensionStarted", "SuspensionEnded", "ResumeApplied",
    "RectificationAssessed", "ConductFound", "ConductCleared", "LicenceRevoked", "InformationChanged", "ChangeApplied",
    "HomeRegionAction", "OtherRegionAction", "RequestFiled", "RequestDecided", "ClaimDeclared", "ClaimPaid",
]
