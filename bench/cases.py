"""Deterministic generator of complete application cases for the benchmark (not timed).

A plain ``random.Random(seed)`` version of ``dingdian_rules.testing.cases("application")``
(which needs hypothesis and is built for shrinking, not volume): every fact known, dates within
two days of the 1-, 3- and 5-year anniversaries and of 3 months before ``as_of``, beds around 100,
lists of 0-3 items, and a per-case "adversity" so that most cases are clean with a few adverse
facts and every outcome of the application question occurs.
"""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import date, timedelta
from typing import Any

from dingdian_rules.facts.institution import (EvaluationResult, InstitutionType, Licence, Material, PersonRole,
                                       RescissionGround)
from dingdian_rules.facts.models import Case

NATIONAL_MATERIALS = [Material.application_form, Material.licence_copy, Material.management_and_finance_rules,
                      Material.it_system_materials, Material.fund_use_forecast, Material.provincial_other_materials]
COMMON_TYPES = [InstitutionType.general_hospital, InstitutionType.tcm_hospital, InstitutionType.clinic,
                InstitutionType.community_health_center, InstitutionType.outpatient_department,
                InstitutionType.specialty_hospital, InstitutionType.village_clinic]


def shift(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


class Generator:
    def __init__(self, seed: int, as_of: date) -> None:
        self.r = random.Random(seed)
        self.as_of = as_of
        self.anchors = [shift(as_of, -12), shift(as_of, -36), shift(as_of, -60), shift(as_of, -3)]
        self.national_day = [date(2025, 9, 26) + timedelta(days=i) for i in range(18)]

    def near(self) -> date:
        r = self.r
        x = r.random()
        if x < 0.7:
            return r.choice(self.anchors) + timedelta(days=r.randint(-2, 2))
        if x < 0.8:
            return r.choice([date(2020, 2, 29), date(2024, 2, 29)]) + timedelta(days=r.randint(-1, 1))
        return self.as_of - timedelta(days=r.randint(0, 7 * 365))

    def case(self) -> dict[str, Any]:
        r = self.r
        adversity = r.choice([0.0, 0.0, 0.03, 0.1, 0.4])

        def bad() -> bool:
            return r.random() < adversity

        def events(make) -> list:
            return [make() for _ in range(r.randint(1, 2))] if bad() else []

        def person() -> dict[str, Any]:
            return {"role": r.choice(list(PersonRole)), "name": "张三", "is_on_dishonesty_list": bad(),
                    "serious_violation_rescissions": events(self.near)}

        received = r.choice(self.national_day + [self.as_of - timedelta(days=r.randint(0, 60))])
        materials = list(NATIONAL_MATERIALS)
        if bad():
            materials.remove(r.choice(NATIONAL_MATERIALS))
        return {
            "case_id": None,
            "institution": {
                "name": "甲医院",
                "type": r.choice(list(InstitutionType)) if bad() else r.choice(COMMON_TYPES),
                "licence": r.choice(list(Licence)) if bad() else Licence.practice_licence,
                "is_public": r.random() < 0.5,
                "operating_since": (shift(self.as_of, -3) + timedelta(days=r.randint(-2, 2))) if r.random() < 0.3
                else self.as_of - timedelta(days=r.randint(100, 3000)),
                "beds": r.choice([0, 20, 99, 100, 101, 500, r.randint(0, 300)]),
                "physicians_first_registered_here": 0 if bad() else r.randint(1, 3),
                "principal_in_charge_of_insurance": not bad(), "has_insurance_staff": not bad(),
                "has_insurance_department": not bad(), "has_full_time_insurance_staff": not bad(),
                "has_required_systems": not bad(), "has_it_connection": not bad(),
                "meets_other_statutory_conditions": not bad(), "main_scope_non_basic": bad(),
                "basic_services_follow_price_policy": not bad(), "has_unfulfilled_admin_penalty": bad(),
                "people": [person() for _ in range(r.randint(0, 3))],
                "physical_institution_designated": not bad(), "other_statutory_non_acceptance_ground": bad(),
            },
            "application": {
                "submitted_on": received, "materials_received_on": received,
                "accepted_on": received + timedelta(days=r.randint(0, 10)),
                "materials": materials, "supplement_days": r.choice([0, 0, 5, 30]),
                "is_internet_supplementary": bad(),
                # national art. 7(6) applies only where the province requires other materials (review
                # row 11); always so here, so the cases stay those of earlier runs
                "province_requires_other_materials": True,
                "failed_evaluation_notified_on": self.near() if r.random() < 0.3 else None,
            },
            "history": {
                "fraudulent_application_found_on": events(self.near),
                "rescissions": events(lambda: {"on": self.near(), "ground": r.choice(list(RescissionGround)),
                                               "admin_penalty_fulfilled": not bad(),
                                               "breach_liability_fulfilled": not bad()}),
                "evaluations": events(lambda: {"result": r.choice(list(EvaluationResult)), "notified_on": self.near(),
                                               "is_reevaluation": r.random() < 0.5}),
            },
        }


def application_cases(n: int, seed: int = 20250601, as_of: date = date(2025, 6, 1)) -> list[Case]:
    """``n`` complete application cases, the same for the same seed."""
    g = Generator(seed, as_of)
    return [Case.model_validate(g.case()) for _ in range(n)]
