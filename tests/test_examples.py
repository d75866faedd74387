"""The bundled examples answer as their comments say (the README demo runs the first one).

Each expectation is read from 国家医疗保障局令第2号, not from running the code.
"""

from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EXPECTED = {
    # file: (outcome, rules that must fire, {deadline rule: due date})
    "application_clinic.yaml": ("conditions_met", [], {"time_limit.materials_notice": date(2025, 5, 27),
                                                       "time_limit.evaluation_period": date(2025, 8, 20)}),
    "application_fraud_unknown_people.yaml": ("not_accepted", ["non_acceptance.fraudulent_application"], {}),
    "application_incomplete.yaml": ("undetermined", ["materials.fund_use_forecast"],
                                    {"time_limit.materials_notice": date(2025, 10, 14)}),
    "agreement_second_suspension.yaml": ("rescind", ["rescission.repeated_suspension"],
                                         {"time_limit.renewal_application": date(2025, 9, 30)}),
    "request_public_hospital.yaml": ("request_refused", ["request_limit.public_institution"],
                                     {"time_limit.request_notice": date(2025, 3, 30)}),
    "conduct_breach.yaml": ("measures_available", ["measures.breach_of_agreement", "measures.staff_or_department"], {}),
    "deadlines_national_day.yaml": ("computed", [], {"time_limit.materials_notice": date(2025, 10, 14),
                                                     "time_limit.evaluation_period": date(2026, 1, 12),
                                                     "time_limit.payment": date(2025, 11, 13),
                                                     "time_limit.major_change_application": date(2025, 11, 17)}),
}


def test_every_example_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(name: str) -> None:
    case, extras = dr.load_case_file(EXAMPLES / name)
    outcome, fired, deadlines = EXPECTED[name]
    d = dr.evaluate(dr.load_pack("national"), case, extras["question"], as_of=date.fromisoformat(extras["as_of"]))
    assert d.outcome == outcome
    assert set(fired) <= set(d.fired)
    due = {x.rule_id: x.due for x in d.deadlines}
    for rule_id, expected in deadlines.items():
        assert due[rule_id] == expected, rule_id
