"""The pydantic-free case reader (``facts.plain``) against the pydantic fact models it stands in for.

A cold CLI answer reads its case without pydantic (issue 13 item 4). That is only safe if the
plain checker never accepts what the strict models refuse, and builds exactly the values they
would: these tests generate cases field by field from the models' shapes, with right and wrong
values of every kind, and compare the two.
"""

from __future__ import annotations

import json
import math
import pickle
from datetime import date, datetime, timedelta, timezone

import pydantic
import pytest
from hypothesis import given, strategies as st

from dingdian_rules.facts import generate_shapes
from dingdian_rules.facts.cases import load_case, load_case_file, parse_case, read_case
from dingdian_rules.facts.enums import ENUMS
from dingdian_rules.facts.models import Case
from dingdian_rules.facts.plain import CaseTwin, build_case, enum_label, fact_label, is_case
from dingdian_rules.facts.shapes import SHAPES
from dingdian_rules.errors import CaseError
from dingdian_rules.twins import Twin

# values of every kind, right and wrong: what a YAML or JSON case (or a caller's dict) can hold
ODD = [True, False, 0, 1, -1, 12, 2**63, 10**400, 1.5, -0.5, -0.0, 1e308, float("nan"), float("inf"), "", "x", "12",
       "true", "2025-06-01", "2025-6-01", "20250601", "2025-02-30", "2025-06-01T08:30", "2025-06-01 08:30:15",
       "2025-06-01T24:00", "2025-06-01T08:30Z", "2025-06-01T08:30:00.5", "２０２５-06-01", date(2025, 6, 1),
       datetime(2025, 6, 1, 8, 30), datetime(2025, 6, 1, 8, 30, tzinfo=timezone(timedelta(hours=8))), [], [None],
       {}, {"unknown": 1}, None, "clinic", "Clinic", "suspend", ("2025-06-01",), "a\udc80b"]


def _right(kind: str, target: str | None, ge: float | None) -> st.SearchStrategy:
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        return st.integers(min_value=int(ge) if ge is not None else -10**6, max_value=10**20)
    if kind == "float":
        lo = ge if ge is not None else -1e12
        return st.one_of(st.floats(min_value=lo, max_value=1e300, allow_nan=False), st.integers(min_value=int(lo), max_value=10**20))
    if kind == "str":
        return st.text(max_size=6)
    if kind == "date":
        return st.one_of(st.dates(), st.dates().map(date.isoformat))
    if kind == "datetime":
        return st.one_of(st.datetimes(), st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat(timespec="seconds")),
                         st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")))
    if kind == "enum":
        members = list(ENUMS[target])  # type: ignore[index]
        return st.one_of(st.sampled_from([m.value for m in members]), st.sampled_from(members))
    return _model(target)  # type: ignore[arg-type]


def _value(kind: str, target: str | None, is_list: bool, ge: float | None) -> st.SearchStrategy:
    one = st.one_of(_right(kind, target, ge), _right(kind, target, ge), st.sampled_from(ODD))
    if is_list:
        return st.one_of(st.lists(one, max_size=3), st.sampled_from(ODD))
    return one


def _model(name: str) -> st.SearchStrategy:
    rows = SHAPES[name]

    @st.composite
    def build(draw: st.DrawFn) -> dict:
        out = {}
        for field, kind, target, is_list, ge, _title in draw(st.lists(st.sampled_from(rows), max_size=5, unique=True)):
            out[field] = draw(st.deferred(lambda: _value(kind, target, is_list, ge)))
        if draw(st.integers(0, 19)) == 0:
            out[draw(st.sampled_from(["unknown_fact", "beds ", "Institution"]))] = 1
        return out
    return build()


def _typed(value: object) -> object:
    """A value with the type of every leaf, so 3 and 3.0 differ."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


@given(_model("Case"))
def test_plain_accepts_only_what_the_models_accept_and_builds_the_same_values(data: dict) -> None:
    twin, model = _both_readings(data)
    if model is None:
        return
    assert _typed(twin.model_dump()) == _typed(model.model_dump())
    assert twin.model_dump(mode="json", exclude_none=True) == model.model_dump(mode="json", exclude_none=True)
    assert json.dumps(twin.model_dump(mode="json"), sort_keys=True) == json.dumps(model.model_dump(mode="json"), sort_keys=True)


def test_each_kind_of_value_is_judged_like_the_models() -> None:
    """Every odd value in every field kind (the property test samples them; this covers all)."""
    for model_name, rows in SHAPES.items():
        for field, kind, target, is_list, ge, _title in rows:
            if kind == "model":
                continue
            for odd in ODD:
                data = _wrap(model_name, {field: [odd] if is_list and odd is not None and not isinstance(odd, list) else odd})
                twin, model = _both_readings(data)
                if model is not None:
                    assert _typed(twin.model_dump()) == _typed(model.model_dump()), (model_name, field, odd)


def _both_readings(data: dict) -> tuple:
    """The plain reader's twin and the models' case (None where they refuse), held to agree on
    whether the data is a case: the plain reader never accepts what the models refuse, and
    never leaves a valid case to them (the fast path covers every valid case)."""
    twin = build_case(data)
    try:
        model = Case.model_validate(data)
    except pydantic.ValidationError:
        model = None
    if model is None:
        assert twin is None, f"the plain reader accepted a case the models refuse: {data!r}"
    else:
        assert twin is not None, f"the plain reader left a valid case to pydantic: {data!r}"
    return twin, model


def _wrap(model_name: str, fields: dict) -> dict:
    """``fields`` placed where ``model_name`` sits in a case (through the first path that reaches it)."""
    if model_name == "Case":
        return fields
    for parent, rows in SHAPES.items():
        for field, kind, target, is_list, _ge, _title in rows:
            if kind == "model" and target == model_name:
                return _wrap(parent, {field: [fields] if is_list else fields})
    raise AssertionError(model_name)


def test_shapes_file_is_generated_from_the_models() -> None:
    """facts/shapes.py is what the generator prints from the current models (regenerate it with
    ``python -m dingdian_rules.facts.generate_shapes > src/dingdian_rules/facts/shapes.py``)."""
    from pathlib import Path
    import dingdian_rules.facts.shapes as shapes_module
    assert Path(shapes_module.__file__).read_text(encoding="utf-8") == generate_shapes.render()


def test_every_fact_model_is_strict_as_the_plain_reader_assumes() -> None:
    """The plain reader's rules are those of FactModel's configuration: a model that changed it
    (lax values, extra keys, a validator of its own) must get a plain reader of its own first."""
    from pydantic import BaseModel
    seen = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        cfg = model.model_config
        assert (cfg.get("extra"), cfg.get("strict"), cfg.get("frozen"), cfg.get("allow_inf_nan")) == ("forbid", True, True, False), model
        decorators = model.__pydantic_decorators__
        assert list(decorators.model_validators) == ["_dates_as_written"], model
        assert not decorators.field_validators and not decorators.validators and not decorators.computed_fields, model
        for info in model.model_fields.values():
            for sub in generate_shapes._models(info.annotation):
                walk(sub)
    walk(Case)
    assert {m.__name__ for m in seen} == set(SHAPES)


def test_a_twin_case_is_frozen_pickles_and_equals_its_own_kind() -> None:
    data = {"case_id": "c1", "institution": {"type": "clinic", "beds": 0, "people": [{"role": "legal_representative"}]},
            "application": {"submitted_on": "2025-06-01"}}
    twin = build_case(data)
    assert isinstance(twin, CaseTwin) and is_case(twin) and is_case(Case.model_validate(data))
    assert twin.institution.type is ENUMS["InstitutionType"].clinic
    assert twin.application.submitted_on == date(2025, 6, 1)
    with pytest.raises(TypeError):
        twin.case_id = "c2"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(twin)) == twin and twin != build_case({**data, "case_id": "c2"})
    flat = {"case_id": "c1", "institution": {"type": "clinic"}}
    assert hash(build_case(flat)) == hash(build_case(dict(flat))) != hash(build_case({"case_id": "c2"}))
    for case in (twin, Case.model_validate(data)):  # a list inside makes either unhashable, as pydantic's frozen models
        with pytest.raises(TypeError):
            hash(case)


def test_read_case_falls_back_to_the_models_for_diagnostics_and_other_forms() -> None:
    """A bad case is refused with the models' located diagnostics; a form the plain reader does
    not judge (a model instance inside the data) is still accepted, by the models."""
    with pytest.raises(CaseError) as bad:
        read_case({"institution": {"beds": "12"}})
    assert bad.value.diagnostics[0].path == "institution.beds"
    from dingdian_rules.facts.institution import Institution
    case = read_case({"institution": Institution(beds=3)})
    assert not isinstance(case, Twin) and case.institution.beds == 3
    assert isinstance(read_case({"institution": {"beds": 3}}), Twin)
    assert isinstance(parse_case({"institution": {"beds": 3}}), Case)  # the public reader keeps its type


def test_a_case_file_is_read_as_a_twin_with_the_same_values(tmp_path) -> None:
    f = tmp_path / "case.yaml"
    f.write_text("as_of: 2025-06-01\ncase:\n  institution: {type: clinic, beds: 3, operating_since: 2024-01-02}\n",
                 encoding="utf-8")
    twin, extras = load_case(f)
    model, extras2 = load_case_file(f)
    assert isinstance(twin, Twin) and isinstance(model, Case) and extras == extras2
    assert twin.model_dump(mode="json") == model.model_dump(mode="json")
    f.write_text("institution: {beds: -1}\n", encoding="utf-8")
    with pytest.raises(CaseError) as bad:
        load_case(f)
    assert bad.value.diagnostics[0].location.line == 1


def test_labels_come_from_the_shapes() -> None:
    assert fact_label("institution.beds") == "床位数"
    assert fact_label("institution.people[].role") == fact_label("institution.people.role") == "人员身份"
    assert fact_label("institution.beds.x") is None and fact_label("nothing") is None
    assert enum_label("institution.type", "clinic") == "诊所" and enum_label("institution.type", "x") is None
    assert enum_label("institution.beds", "3") is None


@pytest.mark.parametrize("zone", [timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
def test_a_date_time_object_with_a_zone_is_refused_at_its_field_like_its_text(zone: timezone) -> None:
    """A date-time fact is Beijing time as written (docs/facts.md): a zone would be dropped
    silently (2025-06-01T00:00Z is 08:00 in Beijing), so an aware ``datetime`` is refused like
    the text ``2025-06-01T00:00+00:00``, at its field, by every reader; a naive one is taken."""
    from datetime import date as day

    import dingdian_rules as dr
    aware = {"conduct": {"upload_fault_cleared_at": datetime(2025, 6, 1, 0, 0, tzinfo=zone)}}
    assert build_case(aware) is None
    for read in (parse_case, read_case):
        with pytest.raises(CaseError) as err:
            read(aware)
        assert [(d.code, d.path) for d in err.value.diagnostics] == [("bad-date", "conduct.upload_fault_cleared_at")]
    with pytest.raises(CaseError):
        dr.evaluate(dr.load_pack("qinghai_agreement"), aware, "deadlines", as_of=day(2025, 6, 10))
    naive = {"conduct": {"upload_fault_cleared_at": datetime(2025, 6, 1, 8, 0)}}
    assert build_case(naive).conduct.upload_fault_cleared_at == datetime(2025, 6, 1, 8, 0)
    assert parse_case(naive).conduct.upload_fault_cleared_at == datetime(2025, 6, 1, 8, 0)
