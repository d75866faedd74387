"""Strategies of valid cases: ``cases``, ``dated_cases``, ``complete_cases`` and ``fill_unknowns``.

Typical use::

    from datetime import date
    from hypothesis import given
    import dingdian_rules as dr
    from dingdian_rules.testing import cases, fill_unknowns

    PACK = dr.load_pack("national")

    @given(cases("application", unknown_rate=0.2))
    def test_no_crash(case):
        dr.evaluate(PACK, case, "application", as_of=date(2025, 6, 1))

Every case is built as plain data and validated with ``Case.model_validate``, so it is always a
valid ``Case``; its values come from ``fact_values``. ``None`` is an unknown fact, ``[]`` a known
empty list.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable, Mapping

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from pydantic import BaseModel

from ..facts.models import Case
from .fact_values import (REFERENCE_DATE, _ADVERSITY, _EVENT_LISTS, _field_kind, _fields, _items, _materials, _mix,
                          _with_unknown, as_of_dates)

QUESTION_SECTIONS: Mapping[str | None, tuple[str, ...]] = {
    "application": ("institution", "application", "history"),
    "agreement": ("institution", "agreement", "conduct", "request", "information_change", "claim"),
    "request": ("institution", "request", "agreement"),
    "conduct": ("institution", "conduct"),
    "deadlines": ("institution", "application", "history", "agreement", "request", "information_change", "claim",
                  "conduct"),
    None: ("institution", "application", "history", "agreement", "conduct", "request", "information_change",
           "claim"),
}
"""The case sections drawn for each question (``None``: every section). A question's rules and
deadlines in the bundled packs read only facts of these sections (tests/test_properties.py checks
it), so a case drawn without unknowns is complete for that question. Pass ``sections=`` to
``cases`` for packs that read more."""


class _Drawer:
    """Draws plain data for fact models; shared by ``cases`` and ``fill_unknowns``."""

    def __init__(self, draw: Callable[[SearchStrategy[Any]], Any], around: date, unknown_rate: float,
                 keep: frozenset[str] = frozenset()) -> None:
        self.draw, self.around, self.unknown_rate, self.keep = draw, around, unknown_rate, keep
        # how often a fact with a benign value takes its adverse one: mostly clean cases with a
        # few adverse facts, so that rules flip one at a time (shrinks towards all-benign)
        self.adversity = draw(st.sampled_from(_ADVERSITY))
        self.flag = _with_unknown((False,), unknown_rate)
        self.adverse_flag = st.sampled_from(_mix((False,), (True,), self.adversity))

    def model(self, model: type[BaseModel], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, kind, detail in _fields(model):
            path = prefix + name
            if kind == "model":
                out[name] = self.model(detail, path + ".")
            elif path in self.keep:
                out[name] = None
            else:
                out[name] = self.value(path, kind, detail, self.unknown_rate)
        return out

    def value(self, path: str, kind: str, detail: Any, rate: float = 0.0) -> Any:
        """One leaf: unknown with probability ``rate``, else a drawn value."""
        if kind == "model":
            return self.model(detail, path + ".")
        if kind != "list":
            return self.draw(_with_unknown(_items(path, kind, detail, self.around, self.adversity), rate))
        if rate > 0 and self.draw(self.flag) is None:
            return None
        if path == "application.materials":
            return self.draw(_materials(self.adversity))
        if path in _EVENT_LISTS:
            n = self.draw(st.integers(1, 3)) if self.draw(self.adverse_flag) else 0
        else:
            n = self.draw(st.integers(0, 3))
        ekind, edetail = _field_kind(detail)
        if ekind == "model":
            return [self.model(edetail, path + "[].") for _ in range(n)]
        items = _items(path + "[]", ekind, edetail, self.around, self.adversity)
        return [self.draw(st.sampled_from(items)) for _ in range(n)]


def _check_rate(unknown_rate: float) -> None:
    if not 0.0 <= unknown_rate <= 1.0:
        raise ValueError(f"unknown_rate must be between 0 and 1, got {unknown_rate}")


def cases(question: str | None = None, *, unknown_rate: float = 0.0, around: date = REFERENCE_DATE,
          sections: Iterable[str] | None = None) -> SearchStrategy[Case]:
    """Valid ``Case`` objects with the sections ``question`` reads (``QUESTION_SECTIONS``).

    Facts are drawn where rules flip on ``around`` (evaluate with ``as_of=around``, or a date from
    ``as_of_dates(around)``). With ``unknown_rate > 0`` each leaf fact (a field that is not a
    section; a list counts as one leaf and so does each field of its items) is independently
    left unknown (``None``) with about that probability. The sections themselves are always
    present; ``case_id`` is sometimes set.
    """
    _check_rate(unknown_rate)
    if sections is None:
        if question not in QUESTION_SECTIONS:
            raise ValueError(f"unknown question {question!r}; one of {[q for q in QUESTION_SECTIONS if q]}")
        sections = QUESTION_SECTIONS[question]
    wanted = tuple(sections)
    model_fields = dict((n, d) for n, k, d in _fields(Case) if k == "model")
    for s in wanted:
        if s not in model_fields:
            raise ValueError(f"unknown case section {s!r}")

    @st.composite
    def build(draw: Callable[[SearchStrategy[Any]], Any]) -> Case:
        drawer = _Drawer(draw, around, unknown_rate)
        data: dict[str, Any] = {"case_id": draw(st.sampled_from([None, "prop-case"]))}
        for s in wanted:
            data[s] = drawer.model(model_fields[s], s + ".")
        _make_consistent(data)
        return Case.model_validate(data)

    return build()


# A fact that says the same as others taken together (national reads the combined fact, a child
# pack the separate ones): combined fact -> the facts it is the `or` of.
COMBINED_FACTS: dict[str, tuple[str, ...]] = {
    "conduct.licence_revoked_or_cancelled": ("conduct.licence_revoked", "conduct.licence_cancelled"),
}


def _make_consistent(data: dict[str, Any], given: Case | None = None) -> None:
    """Keep drawn facts from contradicting each other: a combined fact is the ``or`` of its parts.
    Packs that read different facts for the same event (national 43(9), 青海 67(9) and 80(2))
    then see one world, as any real case would show them. Facts known in ``given`` (the case
    ``fill_unknowns`` starts from) are never changed; only drawn ones are adjusted, and an
    unknown combined fact stays unknown (it contradicts nothing)."""
    for combined, parts in COMBINED_FACTS.items():
        section, name = combined.split(".")
        facts = data.get(section)
        if not isinstance(facts, dict):
            continue
        fixed = getattr(given, section, None)
        keys = [p.split(".")[1] for p in parts]
        free = {n for n in (name, *keys) if fixed is None or getattr(fixed, n, None) is None}
        whole = facts.get(name)
        if whole is False:
            for k in keys:
                if k in free and facts.get(k) is not None:
                    facts[k] = False
        elif whole is True and all(facts.get(k) is False for k in keys):
            for k in keys:
                if k in free:
                    facts[k] = True  # the combined fact holds: one drawn part must
                    break
        if name in free and whole is not None:
            values = [facts.get(k) for k in keys]
            if all(v is not None for v in values):
                facts[name] = any(values)
            elif any(values):
                facts[name] = True


def dated_cases(question: str | None = None, *,
                unknown_rates: SearchStrategy[float] = st.sampled_from([0.0, 0.05, 0.15, 0.3]),
                reference: date = REFERENCE_DATE) -> SearchStrategy[tuple[Case, date]]:
    """(case, as_of) pairs: an evaluation date from ``as_of_dates(reference)``, and a case whose
    dates are drawn around it with an unknown rate drawn from ``unknown_rates``. Evaluate the
    case with that ``as_of``; comparing packs on the same pair compares them on one world."""
    return st.tuples(as_of_dates(reference), unknown_rates).flatmap(
        lambda t: st.tuples(cases(question, unknown_rate=t[1], around=t[0]), st.just(t[0])))


def complete_cases(question: str | None = None, *, around: date = REFERENCE_DATE,
                   sections: Iterable[str] | None = None) -> SearchStrategy[Case]:
    """Cases in which every fact of the sections ``question`` reads is known (lists are known and
    every field of their items is known), so every candidate rule of the question is definite."""
    return cases(question, unknown_rate=0.0, around=around, sections=sections)


def fill_unknowns(case: Case, *, around: date = REFERENCE_DATE, only: Iterable[str] | None = None,
                  keep: Iterable[str] = (), complete: bool = False) -> SearchStrategy[Case]:
    """Cases that agree with ``case`` on every known fact and give values to some of its unknowns.

    Known facts are never changed and known lists never grow (a known list is complete); the
    fields of their items are filled like any other fact. A missing section is created when one
    of its facts is filled.

    - ``only``: fill exactly these fact paths (display form, as in ``Decision.missing_facts``:
      ``institution.beds``, ``history.rescissions[].on`` fills that field in every item); every one
      of them that is unknown is filled. Paths into a list of plain values (``...dates[]``) name
      no fillable fact and are ignored. Without ``only``, each unknown is filled or not at random.
    - ``keep``: fact paths never filled, e.g. ``closed_world_facts(pack)`` (facts a pack tests
      with ``is known``, where absence itself is meaningful); a section path such as
      ``information_change`` keeps a missing section missing.
    - ``complete``: filled values are complete (a filled list's items have every fact known);
      otherwise the items of a filled list may have unknown facts.
    """
    targets = None if only is None else frozenset(only)
    keep_set = frozenset(keep)

    def wanted(path: str) -> bool:
        return targets is None or path in targets

    def reaches(prefix: str) -> bool:
        return targets is None or any(t.startswith(prefix) for t in targets)

    @st.composite
    def build(draw: Callable[[SearchStrategy[Any]], Any]) -> Case:
        drawer = _Drawer(draw, around, 0.0 if complete else 0.25, keep_set)

        def fill(model: type[BaseModel], data: dict[str, Any], prefix: str) -> dict[str, Any]:
            out = dict(data)
            for name, kind, detail in _fields(model):
                path = prefix + name
                value = out.get(name)
                if path == "case_id":
                    continue
                if kind == "model":
                    if value is not None:
                        out[name] = fill(detail, value, path + ".")
                    elif path not in keep_set and reaches(path + ".") and (
                            targets is not None or draw(st.booleans())):
                        out[name] = fill(detail, {}, path + ".")
                    continue
                if value is None:
                    if path in keep_set or not wanted(path):
                        continue
                    if targets is not None or draw(st.booleans()):
                        out[name] = drawer.value(path, kind, detail)
                    continue
                if kind == "list":
                    ekind, edetail = _field_kind(detail)
                    if ekind == "model" and reaches(path + "[]."):
                        out[name] = [fill(edetail, item, path + "[].") for item in value]
            return out

        filled = fill(Case, case.model_dump(), "")
        _make_consistent(filled, case)
        return Case.model_validate(filled)

    return build()

