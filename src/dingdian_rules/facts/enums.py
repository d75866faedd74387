"""The closed vocabularies of the facts (institution types, licences, materials, roles, results,
grounds, region actions, request kinds): ``FactEnum`` members with a stable code and a Chinese label.

Kept apart from the pydantic fact models so that a process reading a case without pydantic
(``facts.plain``) holds the same enum members as the models do.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_core import core_schema


class FactEnum(StrEnum):
    """Base of the fact enums: their values are matched exactly even in the strict fact models
    (strict pydantic accepts only enum members, and a case is written as text). Each member is
    declared ``name = "code", "中文"``: the code is the value cases and JSON use, the Chinese label
    (``.label``) is what a person reads."""

    label: str

    def __new__(cls, value: str, label: str = "") -> FactEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema = handler(source)
        schema["strict"] = False  # lax enum validation: the exact values, as text
        return schema


class InstitutionType(FactEnum):
    """Institution types, after national art. 5 items (一)–(六) plus internet hospitals."""

    general_hospital = "general_hospital", "综合医院"  # (5.1)
    tcm_hospital = "tcm_hospital", "中医医院"  # (5.1)
    integrated_hospital = "integrated_hospital", "中西医结合医院"  # (5.1)
    ethnic_medicine_hospital = "ethnic_medicine_hospital", "民族医医院"  # (5.1)
    specialty_hospital = "specialty_hospital", "专科医院"  # (5.1)
    rehabilitation_hospital = "rehabilitation_hospital", "康复医院"  # (5.1)
    disease_prevention_institute = "disease_prevention_institute", "专科疾病防治院（所、站）"  # (5.2)
    maternal_child_health_hospital = "maternal_child_health_hospital", "妇幼保健院"  # (5.2)
    community_health_center = "community_health_center", "社区卫生服务中心（站）"  # (5.3)
    central_health_center = "central_health_center", "中心卫生院"  # (5.3)
    township_health_center = "township_health_center", "乡镇卫生院"  # (5.3)
    subdistrict_health_center = "subdistrict_health_center", "街道卫生院"  # (5.3)
    outpatient_department = "outpatient_department", "门诊部"  # (5.3)
    clinic = "clinic", "诊所"  # (5.3)
    health_station = "health_station", "卫生所（站）"  # (5.3)
    village_clinic = "village_clinic", "村卫生室（所）"  # (5.3)
    emergency_center = "emergency_center", "独立设置的急救中心"  # (5.4)
    hospice_center = "hospice_center", "安宁疗护中心"  # (5.5)
    dialysis_center = "dialysis_center", "血液透析中心"  # (5.5)
    nursing_home = "nursing_home", "护理院"  # (5.5)
    eldercare_medical_unit = "eldercare_medical_unit", "养老机构内设的医疗机构"  # (5.6)
    internet_hospital = "internet_hospital", "互联网医院"  # (art. 5, last paragraph)
    other = "other", "其他类型"  # any type art. 5 does not list


class Licence(FactEnum):
    """The permit the institution holds (national art. 5 opening sentence; art. 7 item 2)."""

    practice_licence = "practice_licence", "医疗机构执业许可证"
    tcm_clinic_record = "tcm_clinic_record", "中医诊所备案证"
    clinic_record = "clinic_record", "诊所备案凭证"  # (Jiangsu art. 5)
    military_civilian_service = "military_civilian_service", "军队医疗机构为民服务许可证"
    none = "none", "无上述证照"  # holds none of these


class Material(FactEnum):
    """Application materials (national art. 7 items; packs may require more)."""

    application_form = "application_form", "定点医疗机构申请表"  # (7.1)
    licence_copy = "licence_copy", "许可证照复印件"  # (7.2)
    management_and_finance_rules = "management_and_finance_rules", "内部管理制度和财务制度文本"  # (7.3)
    it_system_materials = "it_system_materials", "信息系统相关材料"  # (7.4)
    fund_use_forecast = "fund_use_forecast", "使用医疗保障基金的预测性分析报告"  # (7.5)
    provincial_other_materials = "provincial_other_materials", "省级要求的其他材料"  # (7.6)
    staff_roster = "staff_roster", "人员名单（花名册）"  # (city packs)
    equipment_list = "equipment_list", "设备清单"  # (city packs)
    internet_service_materials = "internet_service_materials", "“互联网+”医疗服务相关材料"  # (city packs)
    internal_management_rules = "internal_management_rules", "与医保政策对应的内部管理制度文本"  # (Jiangsu art. 8(3))


class PersonRole(FactEnum):
    legal_representative = "legal_representative", "法定代表人"
    principal = "principal", "主要负责人"
    actual_controller = "actual_controller", "实际控制人"


class EvaluationResult(FactEnum):
    passed = "passed", "合格"
    failed = "failed", "不合格"


class RescissionGround(FactEnum):
    violation_of_law = "violation_of_law", "因违法违规"  # (art. 12(5))
    serious_breach = "serious_breach", "因严重违反医保协议约定"  # (art. 12(6))
    other = "other", "其他原因"


class RegionAction(FactEnum):
    none = "none", "未中止也未解除"  # the home agency has neither suspended nor rescinded
    suspended = "suspended", "已中止"
    rescinded = "rescinded", "已解除"


class RequestKind(FactEnum):
    suspend = "suspend", "中止"
    rescind = "rescind", "解除"
    not_renew = "not_renew", "不再续签"


ENUMS: dict[str, type[FactEnum]] = {e.__name__: e for e in (
    InstitutionType, Licence, Material, PersonRole, EvaluationResult, RescissionGround, RegionAction, RequestKind)}
