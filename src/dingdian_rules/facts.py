"""The fact vocabulary: pydantic models of a case, the only names a rule condition may use.

Every field is optional. A field that is not given is *unknown*, not false or empty: rules use
three-valued logic over these facts, and a decision that depends on an unknown fact says which
facts would settle it. ``[]`` is a known empty list; ``None`` (or absence) is unknown.
Descriptions are the documentation: ``docs/facts.md`` is generated from them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FactModel(BaseModel):
    """Base of all fact models: unknown keys are errors, and facts are immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class InstitutionType(StrEnum):
    """Institution types, after national art. 5 items (一)–(六) plus internet hospitals."""

    general_hospital = "general_hospital"  # 综合医院 (5.1)
    tcm_hospital = "tcm_hospital"  # 中医医院 (5.1)
    integrated_hospital = "integrated_hospital"  # 中西医结合医院 (5.1)
    ethnic_medicine_hospital = "ethnic_medicine_hospital"  # 民族医医院 (5.1)
    specialty_hospital = "specialty_hospital"  # 专科医院 (5.1)
    rehabilitation_hospital = "rehabilitation_hospital"  # 康复医院 (5.1)
    disease_prevention_institute = "disease_prevention_institute"  # 专科疾病防治院（所、站） (5.2)
    maternal_child_health_hospital = "maternal_child_health_hospital"  # 妇幼保健院 (5.2)
    community_health_center = "community_health_center"  # 社区卫生服务中心（站） (5.3)
    central_health_center = "central_health_center"  # 中心卫生院 (5.3)
    township_health_center = "township_health_center"  # 乡镇卫生院 (5.3)
    subdistrict_health_center = "subdistrict_health_center"  # 街道卫生院 (5.3)
    outpatient_department = "outpatient_department"  # 门诊部 (5.3)
    clinic = "clinic"  # 诊所 (5.3)
    health_station = "health_station"  # 卫生所（站） (5.3)
    village_clinic = "village_clinic"  # 村卫生室（所） (5.3)
    emergency_center = "emergency_center"  # 独立设置的急救中心 (5.4)
    hospice_center = "hospice_center"  # 安宁疗护中心 (5.5)
    dialysis_center = "dialysis_center"  # 血液透析中心 (5.5)
    nursing_home = "nursing_home"  # 护理院 (5.5)
    eldercare_medical_unit = "eldercare_medical_unit"  # 养老机构内设的医疗机构 (5.6)
    internet_hospital = "internet_hospital"  # 互联网医院 (art. 5, last paragraph)
    other = "other"  # any type art. 5 does not list


class Licence(StrEnum):
    """The permit the institution holds (national art. 5 opening sentence; art. 7 item 2)."""

    practice_licence = "practice_licence"  # 医疗机构执业许可证
    tcm_clinic_record = "tcm_clinic_record"  # 中医诊所备案证
    clinic_record = "clinic_record"  # 诊所备案凭证 (Jiangsu art. 5)
    military_civilian_service = "military_civilian_service"  # 军队医疗机构为民服务许可证
    none = "none"  # holds none of these


class Material(StrEnum):
    """Application materials (national art. 7 items; packs may require more)."""

    application_form = "application_form"  # 定点医疗机构申请表 (7.1)
    licence_copy = "licence_copy"  # 许可证照复印件 (7.2)
    management_and_finance_rules = "management_and_finance_rules"  # 内部管理制度和财务制度文本 (7.3)
    it_system_materials = "it_system_materials"  # 信息系统相关材料 (7.4)
    fund_use_forecast = "fund_use_forecast"  # 使用医疗保障基金的预测性分析报告 (7.5)
    provincial_other_materials = "provincial_other_materials"  # 省级要求的其他材料 (7.6)
    staff_roster = "staff_roster"  # 人员名单/花名册 (city packs)
    equipment_list = "equipment_list"  # 设备清单 (city packs)
    internet_service_materials = "internet_service_materials"  # 互联网+ materials (city packs)


class PersonRole(StrEnum):
    legal_representative = "legal_representative"  # 法定代表人
    principal = "principal"  # 主要负责人
    actual_controller = "actual_controller"  # 实际控制人


class Person(FactModel):
    """A person behind the institution (national art. 12 items 7–8; art. 43 item 10)."""

    role: PersonRole | None = Field(None, description="法定代表人 / 主要负责人 / 实际控制人")
    name: str | None = Field(None, description="Name, for the reader only; no rule uses it.")
    is_on_dishonesty_list: bool | None = Field(
        None, description="列入失信人名单: the person is on a dishonest-persons list (art. 12(8)).")
    serious_violation_rescissions: list[date] | None = Field(
        None, description="Dates on which a former designated institution's agreement was rescinded "
        "because of this person's serious violations (art. 12(7): 曾因严重违法违规导致原定点医疗机构被解除医保协议).")


class Institution(FactModel):
    """The medical institution applying for or holding designation."""

    name: str | None = Field(None, description="Name, for the reader only.")
    type: InstitutionType | None = Field(None, description="Institution type (art. 5 items).")
    licence: Licence | None = Field(None, description="The permit it holds (art. 5).")
    is_public: bool | None = Field(None, description="公立医疗机构: publicly run (art. 44: may not request suspension or rescission).")
    operating_since: date | None = Field(None, description="Start of formal operation (正式运营, art. 6(1)).")
    beds: int | None = Field(None, ge=0, description="Number of beds (art. 6(3): 100张床位以上).")
    physicians_first_registered_here: int | None = Field(
        None, ge=0, description="Physicians (医师/乡村医生/中医（专长）医师) whose first registration is this institution (art. 6(2)).")
    principal_in_charge_of_insurance: bool | None = Field(None, description="主要负责人负责医保工作 (art. 6(3)).")
    has_insurance_staff: bool | None = Field(None, description="配备专（兼）职医保管理人员 (art. 6(3)).")
    has_insurance_department: bool | None = Field(None, description="设内部医保管理部门 (art. 6(3), required from 100 beds).")
    has_full_time_insurance_staff: bool | None = Field(None, description="安排专职工作人员 in that department (art. 6(3)).")
    has_required_systems: bool | None = Field(
        None, description="医保管理制度、财务制度、统计信息管理制度、医疗质量安全核心制度 meeting the agreement's requirements (art. 6(4)).")
    has_it_connection: bool | None = Field(
        None, description="Hospital information system meets the interface standards and connects to the insurance system, incl. national codes (art. 6(5)).")
    meets_other_statutory_conditions: bool | None = Field(
        None, description="Meets other conditions set by law or by provincial or higher administrations (art. 6(6)).")
    main_scope_non_basic: bool | None = Field(
        None, description="Main practice scope is non-basic medical services (医疗美容、辅助生殖、生活照护、种植牙…) (art. 12(1)).")
    basic_services_follow_price_policy: bool | None = Field(
        None, description="Basic medical services follow the administration's pricing policy (art. 12(2)).")
    has_unfulfilled_admin_penalty: bool | None = Field(
        None, description="未依法履行行政处罚责任: an administrative penalty has not been fulfilled as the law requires (art. 12(3)).")
    people: list[Person] | None = Field(None, description="Legal representative, principal, actual controller.")
    physical_institution_designated: bool | None = Field(
        None, description="For an internet hospital: its physical institution (实体医疗机构) is designated (art. 5, last paragraph).")
    other_statutory_non_acceptance_ground: bool | None = Field(
        None, description="Another ground set by law or regulation on which the application is not accepted "
        "(法律法规规定的其他不予受理的情形, art. 12(9)).")


class Application(FactModel):
    """A designation application (national arts. 7–9)."""

    submitted_on: date | None = Field(None, description="Date the application was filed.")
    materials_received_on: date | None = Field(None, description="Date the agency received the materials (art. 8: the 5-working-day notice runs from it).")
    accepted_on: date | None = Field(None, description="Date the application was accepted (受理) (art. 9: the 3-month evaluation runs from it).")
    materials: list[Material] | None = Field(None, description="Materials provided (art. 7).")
    supplement_days: int | None = Field(None, ge=0, description="Days the institution spent supplementing materials (art. 9: not counted in the evaluation period).")
    is_internet_supplementary: bool | None = Field(None, description="The application is for an internet hospital's supplementary agreement (art. 5).")
    failed_evaluation_notified_on: date | None = Field(
        None, description="Date the notice of a failed evaluation was served (评估不合格结果告知送达之日, art. 9): "
        "rectification runs 3 months from it before a re-evaluation may be organised.")


class EvaluationResult(StrEnum):
    passed = "passed"  # 合格
    failed = "failed"  # 不合格


class Evaluation(FactModel):
    """One evaluation of an earlier application (art. 9)."""

    result: EvaluationResult | None = Field(None, description="合格 / 不合格.")
    notified_on: date | None = Field(None, description="Date the result notice was served (结果告知送达之日).")
    is_reevaluation: bool | None = Field(None, description="The evaluation after the 3-month rectification (整改3个月后再次组织评估).")


class RescissionGround(StrEnum):
    violation_of_law = "violation_of_law"  # 因违法违规 (art. 12(5))
    serious_breach = "serious_breach"  # 因严重违反医保协议约定 (art. 12(6))
    other = "other"


class Rescission(FactModel):
    """A past rescission of this institution's agreement (art. 12 items 5–6)."""

    on: date | None = Field(None, description="Date the agreement was rescinded.")
    ground: RescissionGround | None = Field(None, description="Why it was rescinded.")
    admin_penalty_fulfilled: bool | None = Field(None, description="完全履行行政处罚法律责任 (art. 12(5)).")
    breach_liability_fulfilled: bool | None = Field(None, description="完全履行违约责任 (art. 12(6)).")


class History(FactModel):
    """What happened before this application or term."""

    fraudulent_application_found_on: list[date] | None = Field(
        None, description="Dates on which applying by fraud or other improper means (弄虚作假等不正当手段申请定点) was found (art. 12(4)).")
    rescissions: list[Rescission] | None = Field(None, description="Past rescissions of this institution's agreement.")
    evaluations: list[Evaluation] | None = Field(None, description="Past evaluations (art. 9).")


class Suspension(FactModel):
    """One suspension (中止) of the agreement."""

    started_on: date | None = Field(None, description="First day of the suspension.")
    ended_on: date | None = Field(None, description="Last day, if it has ended.")
    requested_by_institution: bool | None = Field(None, description="Suspended at the institution's request (art. 42 para. 2).")
    resume_applied_on: date | None = Field(None, description="Date a request to continue (继续履行) was filed.")
    rectified_as_required: bool | None = Field(None, description="Rectified as required during the suspension (art. 43(1)).")


class RegionAction(StrEnum):
    suspended = "suspended"
    rescinded = "rescinded"


class Agreement(FactModel):
    """The service agreement (医保协议) and its history in the current term."""

    term_start: date | None = Field(None, description="First day of the current agreement term.")
    term_end: date | None = Field(None, description="Last day of the current agreement term.")
    suspensions: list[Suspension] | None = Field(None, description="Suspensions in the current term.")
    renewal_agreed: bool | None = Field(None, description="Renewal negotiations reached agreement (art. 41).")
    home_region_action: RegionAction | None = Field(
        None, description="The prefecture-level (or higher) agency where the institution is located suspended or rescinded its agreement (art. 44 para. 2).")
    is_home_region: bool | None = Field(None, description="This agreement is with the agency where the institution is located.")


class Conduct(FactModel):
    """Conduct found by inspection, evaluation or law enforcement (arts. 38, 42, 43, 45)."""

    breached_agreement: bool | None = Field(None, description="违反协议约定 found by the agency (art. 38).")
    major_fund_risk: bool | None = Field(None, description="Daily inspection or performance review found a possible major risk to the fund or insured persons (art. 42(1)).")
    data_not_provided_or_false: bool | None = Field(None, description="Did not provide required data, or provided untrue data (art. 42(2)).")
    agreement_requires_suspension: bool | None = Field(None, description="The agreement itself requires suspension (art. 42(3)).")
    law_requires_suspension: bool | None = Field(None, description="Laws or regulations require suspension (art. 42(4)).")
    obtained_designation_by_fraud: bool | None = Field(None, description="以弄虚作假等不正当手段申请取得定点 (art. 43(2)).")
    insurance_fraud_confirmed: bool | None = Field(None, description="欺诈骗保 confirmed by the authorities (art. 43(3)).")
    settled_for_non_designated: bool | None = Field(None, description="Settled insurance costs for a non-designated or suspended institution (art. 43(4)).")
    obstructed_supervision_seriously: bool | None = Field(None, description="Refused, obstructed or did not cooperate with review or inspection, 情节恶劣 (art. 43(5)).")
    major_change_not_registered: bool | None = Field(None, description="A major information change was found that was not registered (art. 43(6)).")
    closure_not_reported: bool | None = Field(None, description="Closed or suspended business without reporting as required (art. 43(7)).")
    major_violation_major_loss: bool | None = Field(None, description="Major violation found in law enforcement that may cause a major loss to the fund (art. 43(8)).")
    licence_revoked_or_cancelled: bool | None = Field(None, description="Practice licence or TCM clinic record revoked (吊销) or cancelled (注销) (art. 43(9)).")
    principal_unable_or_dishonest: bool | None = Field(None, description="Legal representative, principal or actual controller cannot perform the agreement, or acted illegally or dishonestly (art. 43(10)).")
    admin_penalty_decision_unfulfilled: bool | None = Field(None, description="Did not fulfil an administrative penalty decision (art. 43(11)).")
    agreement_requires_rescission: bool | None = Field(None, description="The agreement itself requires rescission (art. 43(13)).")
    law_requires_rescission: bool | None = Field(None, description="Laws or regulations require rescission (art. 43(14)).")
    staff_or_department_breach: bool | None = Field(None, description="Some staff or departments breached agreement management requirements (art. 45).")
    loss_amount: float | None = Field(None, ge=0, description="Loss to the fund caused by the conduct, in yuan (packs with liquidated damages).")
    non_compliant_costs: float | None = Field(None, ge=0, description="Non-compliant costs involved, in yuan (packs with liquidated damages).")


class RequestKind(StrEnum):
    suspend = "suspend"  # 中止
    rescind = "rescind"  # 解除
    not_renew = "not_renew"  # 不再续签


class Request(FactModel):
    """The institution's request to suspend, rescind or not renew its agreement (art. 44)."""

    kind: RequestKind | None = Field(None, description="What is requested.")
    filed_on: date | None = Field(None, description="Date the request was filed.")
    effective_on: date | None = Field(None, description="Date from which the institution wants it to take effect.")
    agency_agreed: bool | None = Field(None, description="The agency agreed (art. 43(12)).")


class InformationChange(FactModel):
    """A change of the institution's registered information (art. 40)."""

    is_major: bool | None = Field(None, description="A major item (名称、法定代表人、主要负责人或实际控制人、注册地址、银行账户、诊疗科目、机构规模、机构性质、等级和类别).")
    approved_on: date | None = Field(None, description="Date the competent department approved the change.")
    applied_on: date | None = Field(None, description="Date the change was applied for with the agency.")


class Claim(FactModel):
    """A declaration of insurance costs for payment (art. 30)."""

    declared_on: date | None = Field(None, description="Date the institution declared the costs.")
    paid_on: date | None = Field(None, description="Date the agency paid.")


class Case(FactModel):
    """One case: the facts a question is asked about. Sections that a question needs but that are
    absent make its decision undetermined."""

    case_id: str | None = Field(None, description="Caller's identifier, echoed in the decision.")
    institution: Institution | None = None
    application: Application | None = None
    history: History | None = None
    agreement: Agreement | None = None
    conduct: Conduct | None = None
    request: Request | None = None
    information_change: InformationChange | None = None
    claim: Claim | None = None


Question = Literal["application", "agreement", "request", "conduct", "deadlines"]
