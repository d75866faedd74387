"""Hypothesis strategies for property tests of rule packs and of code that uses decisions.

This module needs the ``test`` extra (``pip install 'dingdian-rules[test]'``); importing
``dingdian_rules`` itself never does. Typical use::

    from datetime import date
    from hypothesis import given
    import dingdian_rules as dr
    from dingdian_rules.testing import cases, fill_unknowns

    PACK = dr.load_pack("national")

    @given(cases("application", unknown_rate=0.2))
    def test_no_crash(case):
        dr.evaluate(PACK, case, "application", as_of=date(2025, 6, 1))

Every case is built as plain data and validated with ``Case.model_validate``, so it is always a
valid ``Case``. Values are drawn where rules flip: dates within two days of the 1-, 3- and
5-year anniversaries before the reference date, three months and 180 days before it, three
months after it, leap days and the National Day holidays; beds around 100; counts 0-3; enum
facts from their enums. ``None`` is an unknown fact, ``[]`` a known empty list.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime, timedelta
from functools import lru_cache
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

try:
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("dingdian_rules.testing needs hypothesis: install the test extra, "
                      "pip install 'dingdian-rules[test]'") from exc

from pydantic import BaseModel

from ..packs.building import limits_named
from ..conditions import ast as A
from ..facts.institution import EvaluationResult, InstitutionType, Licence, Material
from ..facts.models import Case, Conduct
from ..packs.resolved import ResolvedPack

__all__ = [
    "COMBINED_FACTS", "QUESTION_SECTIONS", "as_of_dates", "cases", "closed_world_facts", "complete_cases",
    "dated_cases", "dates_near",
    "facts_read", "fill_unknowns", "leaf_fact_paths", "rules_testing_known",
]

REFERENCE_DATE = date(2025, 6, 1)

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

_NATIONAL_MATERIALS = (Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                       Material.it_system_materials, Material.fund_use_forecast, Material.provincial_other_materials)

# --- the shape of a case ------------------------------------------------------------------


def _field_kind(annotation: Any) -> tuple[str, Any]:
    """(kind, detail) of a fact field: model / list / enum / bool / int / float / date / str."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        assert len(inner) == 1, annotation
        return _field_kind(inner[0])
    if typing.get_origin(annotation) is list:
        return "list", args[0]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "model", annotation
        if issubclass(annotation, Enum):
            return "enum", annotation
        if issubclass(annotation, datetime):  # before date: a datetime is a date
            return "datetime", annotation
        for t in (bool, int, float, date, str):  # bool before int: bool is an int
            if issubclass(annotation, t):
                return t.__name__, annotation
    if typing.get_origin(annotation) is typing.Literal:
        return "literal", args
    raise TypeError(f"no strategy for fact type {annotation!r}")


def _fields(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    return [(name, *_field_kind(f.annotation)) for name, f in model.model_fields.items()]


def leaf_fact_paths(model: type[BaseModel] = Case, prefix: str = "") -> list[str]:
    """Every leaf fact path of ``model`` in the display form conditions and ``missing_facts`` use
    (``institution.beds``, ``agreement.suspensions[].ended_on``); a list is a leaf itself and so
    is each field of its items."""
    out: list[str] = []
    for name, kind, detail in _fields(model):
        path = prefix + name
        if kind == "model":
            out += leaf_fact_paths(detail, path + ".")
            continue
        if path == "case_id":
            continue
        out.append(path)
        if kind == "list" and isinstance(detail, type) and issubclass(detail, BaseModel):
            out += leaf_fact_paths(detail, path + "[].")
    return out


# --- values ---------------------------------------------------------------------------------
# Every scalar leaf is one draw from a finite, weighted list (benign values first and ``None``
# last, so hypothesis shrinks towards known, benign facts): a case has ~180 leaves and one draw
# each keeps generation cheap.


def _shift(d: date, months: int) -> date:
    from calendar import monthrange
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


def _anchors(around: date) -> list[date]:
    return [_shift(around, -12), _shift(around, -36), _shift(around, -60), _shift(around, -3),
            around - timedelta(days=180), _shift(around, 3), around, _shift(around, 12)]


_LEAP_DAYS = (date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29), date(2028, 2, 29))
_NATIONAL_DAY = tuple(date(2025, 9, 26) + timedelta(days=i) for i in range(18))  # 09-26 .. 10-13
_ADVERSITY = (0.0, 0.04, 0.15, 0.5)


@lru_cache(maxsize=256)
def _date_items(around: date) -> tuple[date, ...]:
    near = [a + timedelta(days=k) for a in _anchors(around) for k in range(-2, 3)]
    leap = [d + timedelta(days=k) for d in _LEAP_DAYS for k in (-1, 0, 1)]
    start = _shift(around, -84)
    spread = [start + timedelta(days=11 * i) for i in range(((_shift(around, 24) - start).days // 11) + 1)]
    # about 60% near an anchor, 10% leap days, 10% National Day, 20% anywhere
    return tuple(near * 12 + leap * 7 + list(_NATIONAL_DAY) * 5 + spread)


def dates_near(around: date = REFERENCE_DATE) -> SearchStrategy[date]:
    """Dates where periods counted from them flip on ``around``: within ±2 days of the 1-, 3- and
    5-year anniversaries, of 3 months and 180 days before, of 3 months and 1 year after; leap days
    (±1); days around National Day 2025 (working-day counts); and days spread over the 7 years
    before and 2 after."""
    return st.sampled_from(_date_items(around))


def as_of_dates(reference: date = REFERENCE_DATE) -> SearchStrategy[date]:
    """Evaluation dates: ``reference`` ±3 days, 2025-10-01..08 (National Day, with its make-up
    working days around it), leap-day anniversaries (2025-02-28/03-01, 2027-02-28/03-01,
    2028-02-29) and dates in 2027, a year the bundled working-day calendar may not cover."""
    return st.one_of(
        st.builds(lambda k: reference + timedelta(days=k), st.integers(-3, 3)),
        st.sampled_from([date(2025, 10, d) for d in range(1, 9)]),
        st.sampled_from([date(2025, 2, 28), date(2025, 3, 1), date(2027, 2, 28), date(2027, 3, 1),
                         date(2028, 2, 29), date(2028, 3, 1)]),
        st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    )


_BENIGN_BOOLS: dict[str, bool] = {
    # the value under which the fact gives no ground for refusal or sanction
    **{f"institution.{n}": True for n in (
        "principal_in_charge_of_insurance", "has_insurance_staff", "has_insurance_department",
        "has_full_time_insurance_staff", "has_required_systems", "has_it_connection",
        "meets_other_statutory_conditions", "basic_services_follow_price_policy", "physical_institution_designated")},
    **{f"institution.{n}": False for n in (
        "main_scope_non_basic", "has_unfulfilled_admin_penalty", "other_statutory_non_acceptance_ground")},
    "institution.people[].is_on_dishonesty_list": False,
    "application.is_internet_supplementary": False,
    "history.rescissions[].admin_penalty_fulfilled": True,
    "history.rescissions[].breach_liability_fulfilled": True,
    "agreement.renewal_agreed": True,
    "agreement.is_home_region": True,
    "agreement.suspensions[].rectified_as_required": True,
    "request.agency_agreed": False,
    **{f"conduct.{n}": False for n, f in Conduct.model_fields.items() if _field_kind(f.annotation)[0] == "bool"},
}

_EVENT_LISTS = frozenset({
    # lists of adverse events: empty unless the case is drawn adverse there
    "history.fraudulent_application_found_on", "history.rescissions", "history.evaluations",
    "institution.people[].serious_violation_rescissions", "agreement.suspensions", "conduct.breach_items",
    "conduct.drug_sales", "conduct.itemised_amounts",
})

_COMMON_TYPES = (InstitutionType.general_hospital, InstitutionType.tcm_hospital, InstitutionType.specialty_hospital,
                 InstitutionType.community_health_center, InstitutionType.township_health_center,
                 InstitutionType.outpatient_department, InstitutionType.clinic, InstitutionType.village_clinic,
                 InstitutionType.dialysis_center, InstitutionType.eldercare_medical_unit)


def _mix(benign: Iterable[Any], adverse: Iterable[Any], adversity: float) -> tuple[Any, ...]:
    """About 100 items, a share ``adversity`` of them adverse, benign ones first."""
    b, a = tuple(benign), tuple(adverse)
    nb, na = round(100 * (1 - adversity)), round(100 * adversity)
    return tuple(b[i % len(b)] for i in range(nb)) + tuple(a[i % len(a)] for i in range(na))


@lru_cache(maxsize=4096)
def _items(path: str, kind: str, detail: Any, around: date, adversity: float) -> tuple[Any, ...]:
    """The values a scalar leaf is drawn from (with repetition as weight)."""
    if path in _BENIGN_BOOLS:
        v = _BENIGN_BOOLS[path]
        return _mix((v,), (not v,), adversity)
    if path == "history.evaluations[].result":
        return _mix((EvaluationResult.passed,), (EvaluationResult.failed,), adversity)
    if path == "institution.type":
        return _mix(_COMMON_TYPES, tuple(InstitutionType), adversity)
    if path == "institution.licence":
        return _mix((Licence.practice_licence, Licence.tcm_clinic_record), tuple(Licence), adversity)
    if path == "institution.physicians_first_registered_here":
        return _mix((1, 2, 3), (0,), adversity)
    if path == "institution.beds":
        return (0, 20, 99, 100, 101, 500) * 5 + tuple(range(0, 301, 7))
    if path == "application.supplement_days":
        return (0, 1, 5, 30, 0, 1, 5, 30) + tuple(range(0, 61, 3))
    if path == "institution.operating_since":
        flip = [_shift(around, -3) + timedelta(days=k) for k in range(-2, 3)]
        settled = [_shift(around, -12 * y) for y in range(1, 6)]
        return tuple(settled * 2) + tuple(flip * 2) + _date_items(around)[::37]
    if path == "request.effective_on":
        return tuple(_shift(around, 3) + timedelta(days=k) for k in range(-2, 3)) * 20 + _date_items(around)[::3]
    if path.endswith("name"):
        return ("甲医院", "Clinic A", "张三")
    if path == "conduct.itemised_amounts[].tier":
        return (1, 2, 3, 4, 5)
    if path == "conduct.breach_items[]":
        return tuple(f"{a}.{i}" for a in range(63, 68) for i in range(1, 13))
    if kind == "bool":
        return (False, True)
    if kind == "int":
        return (0, 1, 2, 3)
    if kind == "float":
        return (0.0, 1000.0, 12345.5, 100000.0, 1000000.0)
    if kind == "date":
        return _date_items(around)
    if kind == "datetime":  # whole days near ``around`` at the start, middle and end of the day
        return tuple(datetime(d.year, d.month, d.day, h, m) for d in _date_items(around)[::5]
                     for h, m in ((0, 0), (8, 30), (23, 59)))
    if kind == "str":
        return ("a", "名称")
    if kind in ("enum", "literal"):
        return tuple(detail)
    raise TypeError(f"no values for {kind} fact {path}")


@lru_cache(maxsize=4096)
def _with_unknown(items: tuple[Any, ...], rate: float) -> SearchStrategy[Any]:
    if rate >= 1.0:
        return st.none()
    if rate <= 0.0:
        return st.sampled_from(items)
    if len(items) < 100:
        items = items * -(-100 // len(items))
    return st.sampled_from(items + (None,) * max(1, round(len(items) * rate / (1 - rate))))


@lru_cache(maxsize=512)
def _materials(adversity: float) -> SearchStrategy[list[Material]]:
    national = tuple(_NATIONAL_MATERIALS)
    benign = (national, tuple(Material))
    adverse = ((),) + tuple(tuple(x for x in national if x != m) for m in national) + (
        tuple(m for m in Material if m not in national), national[:3], national + (Material.staff_roster,))
    return st.sampled_from(_mix(benign, adverse, adversity)).map(list)


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


# --- what a pack reads ------------------------------------------------------------------------


def _exprs(pack: ResolvedPack, question: str | None = None) -> Iterable[tuple[str, Any]]:
    """(rule id, compiled expression) of every condition, deadline and amount of the pack, or of
    ``question``'s candidate and deadline rules."""
    if question is None:
        rules: Iterable[Any] = pack.rules
    else:
        plan = pack.plans[question]  # type: ignore[index]
        rules = plan.rules + plan.deadline_rules  # type: ignore[attr-defined]
    for r in rules:
        for e in (r.condition, r.deadline_start, r.deadline_extend):
            if e is not None:
                yield r.id, e
        for m in r.measures:
            if m.amount_base is not None:
                yield r.id, m.amount_base


def _walk(node: A.Node) -> Iterable[A.Node]:
    yield node
    for k in A.children(node):
        yield from _walk(k)


def closed_world_facts(pack: ResolvedPack, question: str | None = None) -> frozenset[str]:
    """Fact paths that some condition of ``pack`` (of ``question``'s candidate rules, if given)
    tests with ``is known`` / ``is unknown``.

    Such a fact is read closed-world: its absence means something (no request was made, no
    resume application was filed), so filling it may legitimately change a definite answer.
    Monotonicity properties keep these unknown (``fill_unknowns(..., keep=...)``)."""
    out: set[str] = set()
    ids = None if question is None else {r.id for r in pack.plans[question].rules}  # type: ignore[attr-defined]
    exprs = list(_exprs(pack, question))
    if ids is not None:  # ... unless a rule acts on that limit through due()/status(): then it does
        named = {lim for r in pack.plans[question].rules for lim in limits_named(r.when)}  # type: ignore[attr-defined]
        ids |= named
        exprs += [(r.id, r.condition) for r in pack.rules if r.id in named and r.condition is not None]
    for rid, e in exprs:
        if ids is not None and rid not in ids:
            continue  # a deadline's `applies_when: x is known` decides no outcome, unless a rule acts on it
        for n in _walk(e.root):
            if isinstance(n, A.Known):
                out.update(e.fact_paths[k.idx] for k in _walk(n) if isinstance(k, A.Fact))
    return frozenset(out)


def facts_read(pack: ResolvedPack, question: str | None = None) -> frozenset[str]:
    """Fact paths the pack's conditions, deadlines and amounts read (of ``question``'s rules, if given)."""
    return frozenset(path for _, e in _exprs(pack, question) for path in e.fact_paths.values())


def rules_testing_known(pack: ResolvedPack) -> frozenset[str]:
    """Ids of the rules whose condition uses ``is known`` / ``is unknown`` (not monotone in the facts)."""
    return frozenset(r.id for r in pack.rules if r.condition is not None
                     and any(isinstance(n, A.Known) for n in _walk(r.condition.root)))
