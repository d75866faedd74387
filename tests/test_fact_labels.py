"""Every fact and every enum value has a Chinese label, so an analyst reads 床位数 rather than
``institution.beds`` where a decision names a missing fact (issue 14 item 2).

Expected labels are the terms of the texts in shared/sources (national order No. 2, the Qinghai
agreement's 床位数), not the code's output.
"""

from __future__ import annotations

import re
import typing

import pytest

import dingdian_rules as dr
from dingdian_rules.facts import Case, FactEnum, InstitutionType, PersonRole, enum_label, fact_label
from dingdian_rules.render.facts_doc import _models

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _enums() -> set[type[FactEnum]]:
    found: set[type[FactEnum]] = set()
    for _, model in _models(Case):
        for f in model.model_fields.values():
            todo = [f.annotation]
            while todo:
                a = todo.pop()
                if isinstance(a, type) and issubclass(a, FactEnum):
                    found.add(a)
                todo.extend(typing.get_args(a))
    return found


def test_every_fact_field_has_a_chinese_title() -> None:
    unlabelled = [f"{p or 'case'}.{n}" for p, m in _models(Case) for n, f in m.model_fields.items()
                  if not (f.title and _HAN.search(f.title))]
    assert unlabelled == []


def test_every_enum_value_has_a_chinese_label() -> None:
    enums = _enums()
    assert InstitutionType in enums and PersonRole in enums
    unlabelled = [f"{e.__name__}.{m.value}" for e in enums for m in e if not _HAN.search(m.label)]
    assert unlabelled == []


@pytest.mark.parametrize(("path", "label"), [
    ("institution.beds", "床位数"),  # 青海 agreement art. 76: 床位数
    ("institution.is_public", "公立医疗机构"),  # national art. 44
    ("institution.people[].role", "人员身份"),  # how a decision spells a list item's field
    ("institution.people.role", "人员身份"),
    ("history.rescissions[0].ground", "解除原因"),
    ("institution.has_insurance_department", "设内部医保管理部门"),  # national art. 6(3)
    ("institution.can_bear_civil_liability", "能够独立承担民事责任"),  # Jiangsu art. 14 para. 2
    ("agreement", "医保协议"),
])
def test_fact_label_by_path(path: str, label: str) -> None:
    assert fact_label(path) == label


@pytest.mark.parametrize("path", ["institution.bedz", "institution.beds.count", "", "institution..beds"])
def test_fact_label_of_no_fact_is_none(path: str) -> None:
    assert fact_label(path) is None


def test_enum_label() -> None:
    assert enum_label("institution.type", "clinic") == "诊所"  # national art. 5(3)
    assert enum_label("institution.people[].role", "legal_representative") == "法定代表人"  # art. 12(7)-(8)
    assert enum_label("application.materials", "application_form") == "定点医疗机构申请表"  # art. 7(1)
    assert enum_label("institution.type", "clinc") is None
    assert enum_label("institution.beds", "3") is None
    assert InstitutionType.clinic.label == "诊所" and InstitutionType("clinic") is InstitutionType.clinic


def test_every_fact_a_bundled_rule_reads_has_a_label() -> None:
    # the facts a decision can name as missing are the facts the rules' conditions read
    seen: set[str] = set()
    for pack_id in dr.bundled_pack_ids():
        for rule in dr.load_pack(pack_id).rules:
            if rule.condition is not None:
                seen.update(rule.condition.fact_paths.values())
    assert "institution.beds" in seen and any("[]" in p for p in seen)
    assert sorted(p for p in seen if fact_label(p) is None) == []
