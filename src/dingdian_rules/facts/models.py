"""The fact vocabulary: pydantic models of a case, the only names a rule condition may use.

Every field is optional. A field that is not given is *unknown*, not false or empty: rules use
three-valued logic over these facts, and a decision that depends on an unknown fact says which
facts would settle it. ``[]`` is a known empty list; ``None`` (or absence) is unknown.
Descriptions are the documentation: ``docs/facts.md`` is generated from them.

Values are read strictly (``WRITTEN_FORMS``): pydantic's lax mode would turn ``n`` into false,
``0`` into 1970-01-01 and ``'12'`` into 12, and a wrong fact gives a wrong decision with no
diagnostic. ``IsoDate`` is the one date type of cases, packs and events.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError, core_schema

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date-time as a case writes it: the day, T or one space, hours and minutes, optional seconds;
# Beijing time, no zone, no fraction (a period in hours runs from it, 民法典 art. 201 para. 2).
_ISO_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")

# How each kind of value is written in a case (YAML or JSON), for docs/facts.md and the hints.
WRITTEN_FORMS: tuple[tuple[str, str, str], ...] = (
    ("bool", "`true` or `false`", "`yes`, `n`, `0`, `1`, `'true'`"),
    ("int", "a whole number: `12`", "`12.0`, `1e3`, `'12'`, `true`"),
    ("number", "a finite number: `12`, `12.5`", "`.inf`, `.nan`, `'12.5'`, `true`"),
    ("date", "`YYYY-MM-DD`, from `0001-01-01` to `9999-12-31` (quoted or not)",
     "`20250601`, `0` and other numbers (they are not Unix timestamps), `2025-06-01T00:00:00`, `2025/06/01`"),
    ("date-time", "`YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`, seconds optional (`…T08:30:15`), Beijing time; "
     "quote it in YAML", "a zone (`Z`, `+08:00`), a fraction of a second, `24:00`, a date alone, a number"),
    ("text", "text; quote it when it would read as a number or `true`/`false`", "a number or `true` unquoted"),
    ("enum", "one of the listed values, exactly", "another spelling or case"),
    ("list", "a list `[...]` of the item type; `[]` is known empty", "a single value without `[...]`"),
)


def parse_iso_date(text: str) -> date:
    """The day written ``YYYY-MM-DD``; ValueError for anything else. (Python 3.11's
    ``date.fromisoformat`` also reads ``20250601`` and ``2025-W23-1``, which nobody means here.)"""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date written YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def _written_date(value: Any) -> Any:
    """Before validation: ``YYYY-MM-DD`` text becomes a date, a date stays; a number (which lax
    pydantic reads as a Unix timestamp), a datetime or any other text is refused."""
    if isinstance(value, str):
        try:
            return parse_iso_date(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "not a date written YYYY-MM-DD") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError("date_type", "not a date: write YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_written_date)]


def parse_iso_datetime(text: str) -> datetime:
    """The moment written ``YYYY-MM-DDTHH:MM[:SS]`` (or with one space for ``T``), Beijing time
    without a zone; ValueError for anything else (a zone, a fraction, 24:00, a date alone)."""
    m = _ISO_DATETIME.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not a date-time written YYYY-MM-DDTHH:MM[:SS]: {text!r}")
    day = date.fromisoformat(m.group(1))
    return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))


def _item_datetime(value: Any) -> Any:
    """Before strict validation of a date-time field: its text read by ``parse_iso_datetime``;
    anything else stays as given, and strict validation refuses it at the field (``bad-date``,
    with the date-time form as the hint)."""
    if isinstance(value, str):
        try:
            return parse_iso_datetime(value)
        except ValueError:
            pass
    return value


class FactEnum(StrEnum):
    """Base of the fact enums: their values are matched exactly even in the strict fact models
    (strict pydantic accepts only enum members, and a case is written as text)."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema = handler(source)
        schema["strict"] = False  # lax enum validation: the exact values, as text
        return schema


_DATE_FIELDS: dict[type, dict[str, bool | None]] = {}


def _date_fields(model: type[BaseModel]) -> dict[str, bool | None]:
    """Field name -> whether it holds a list of dates (None: a date-time), for the models' date
    and date-time fields (cached)."""
    hit = _DATE_FIELDS.get(model)
    if hit is None:
        hit = {}
        for name, info in model.model_fields.items():
            ann = info.annotation
            if typing.get_origin(ann) in (typing.Union, types.UnionType):
                ann = next(a for a in typing.get_args(ann) if a is not type(None))
            if ann is date:
                hit[name] = False
            elif ann is datetime:
                hit[name] = None  # type: ignore[assignment]  # a date-time (None: neither date nor list)
            elif typing.get_origin(ann) is list and typing.get_args(ann)[0] is date:
                hit[name] = True
        _DATE_FIELDS[model] = hit
    return hit


class FactModel(BaseModel):
    """Base of all fact models: unknown keys are errors, facts are immutable once built, and values
    are read strictly (module docstring), dates as ``YYYY-MM-DD``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _dates_as_written(cls, data: Any) -> Any:
        # Annotations stay plain ``date`` (the condition checker and the supervisor read them), so
        # strict validation takes only date objects: this reads the YYYY-MM-DD text of the date
        # fields first. Anything else stays as given, and strict validation refuses it where it
        # stands (a list item at its index). One call per record, not one per field.
        fields = _date_fields(cls)
        if not fields or data.__class__ is not dict:
            return data
        out = None
        for name, is_list in fields.items():
            value = data.get(name)
            if is_list is None:
                if value is None:
                    continue
                new = _item_datetime(value)
            elif value.__class__ is str and not is_list:
                new: Any = _item_date(value)
            elif is_list and value.__class__ is list:
                new = [_item_date(v) if v.__class__ is str else v for v in value]
            else:
                continue
            if out is None:
                out = dict(data)
            out[name] = new
        return data if out is None else out


def _item_date(value: str) -> Any:
    """``value`` as a date when it is written YYYY-MM-DD, else unchanged (strict validation then
    refuses it where it stands). At length 10 with dashes at 4 and 7, ``date.fromisoformat``
    reads nothing but YYYY-MM-DD with ASCII digits (the same test as ``parse_iso_date``)."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return value


class InstitutionType(FactEnum):
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


class Licence(FactEnum):
    """The permit the institution holds (national art. 5 opening sentence; art. 7 item 2)."""

    practice_licence = "practice_licence"  # 医疗机构执业许可证
    tcm_clinic_record = "tcm_clinic_record"  # 中医诊所备案证
    clinic_record = "clinic_record"  # 诊所备案凭证 (Jiangsu art. 5)
    military_civilian_service = "military_civilian_service"  # 军队医疗机构为民服务许可证
    none = "none"  # holds none of these


class Material(FactEnum):
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
    internal_management_rules = "internal_management_rules"  # 与医保政策对应的内部管理制度文本 (Jiangsu art. 8(3))


class PersonRole(FactEnum):
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
    internet_plus_approved: bool | None = Field(
        None, description="互联网+: approved by the health authority to run an internet hospital or internet diagnosis and treatment (Zhongshan art. 7(1); Foshan art. 8(1)).")
    internet_plus_data_exchange_and_payment: bool | None = Field(
        None, description="互联网+: can exchange data with the insurance system, supports insurance mobile payment, and issues e-receipts, e-invoices or posts paper receipts promptly (Zhongshan art. 7(2); Foshan art. 8(4)).")
    internet_plus_separates_online_business: bool | None = Field(
        None, description="互联网+: the information system distinguishes offline services from 互联网+ services (Zhongshan art. 7(3); Foshan art. 8(4)).")
    internet_plus_real_name_auth: bool | None = Field(
        None, description="互联网+: real-name authentication through the insurance e-voucher (Foshan also: electronic social security card) (Zhongshan art. 7(4); Foshan art. 8(2)).")
    internet_plus_full_traceability: bool | None = Field(
        None, description="互联网+: keeps e-records, e-prescriptions and purchase records so that treatment, prescribing and dispensing are traceable (Zhongshan art. 7(5); Foshan art. 8(5)).")
    internet_plus_verifies_follow_up: bool | None = Field(
        None, description="互联网+: can verify that the patient is a follow-up (复诊) patient and holds the necessary visit information (Foshan art. 8(3)).")
    has_insurance_policy_rules: bool | None = Field(
        None, description="具有与医保政策对应的内部管理制度: internal management rules matching insurance policy (Jiangsu art. 6(4)).")
    can_upgrade_it_system: bool | None = Field(
        None, description="Able to modify its information system to the agreement's technical and interface standards, use the national insurance codes, connect to the insurance system, transmit all visit data and provide direct settlement (能按照…进行信息系统改造…, Jiangsu art. 6(5)).")
    can_bear_civil_liability: bool | None = Field(
        None, description="能够独立承担民事责任: the institution can bear civil liability independently (Jiangsu art. 14 para. 2).")
    internet_plus_data_exchange_ready: bool | None = Field(
        None, description="互联网+: can exchange data with the insurance information system and provide 互联网+ medical services (Jiangsu art. 7(2)).")
    internet_plus_insurance_code_full_process: bool | None = Field(
        None, description="互联网+: real-name authentication, mobile payment and the whole visit process through the insurance code (医保码), and issues insurance settlement vouchers (Jiangsu art. 7(3)).")


class Application(FactModel):
    """A designation application (national arts. 7–9)."""

    submitted_on: date | None = Field(None, description="Date the application was filed.")
    materials_received_on: date | None = Field(None, description="Date the agency received the materials (art. 8: the 5-working-day notice runs from it).")
    accepted_on: date | None = Field(None, description="Date the application was accepted (受理) (art. 9: the 3-month evaluation runs from it).")
    materials: list[Material] | None = Field(None, description="Materials provided (art. 7).")
    supplement_days: int | None = Field(None, ge=0, description="Days the institution spent supplementing materials (art. 9: not counted in the evaluation period).")
    is_internet_supplementary: bool | None = Field(None, description="The application is for an internet hospital's supplementary agreement (art. 5).")
    province_requires_other_materials: bool | None = Field(
        None, description="The provincial medical-insurance administration requires other materials under its rules "
        "(art. 7(6): 省级医疗保障行政部门按相关规定要求提供的其他材料; Zhongshan art. 8(7): the national or provincial one); "
        "unknown when not given, since no text in the sources says whether it does.")
    failed_evaluation_notified_on: date | None = Field(
        None, description="Date the notice of a failed evaluation was served (评估不合格结果告知送达之日, art. 9): "
        "rectification runs 3 months from it before a re-evaluation may be organised.")
    permits_verifiable_by_data_sharing: bool | None = Field(
        None, description="The government-issued permits among the materials can be queried and verified through data sharing, so no copy is needed (Zhongshan art. 8 last para.; Foshan art. 9 last para.).")
    publicity_started_on: date | None = Field(
        None, description="Date the publicity (公示) of a passed evaluation began (Zhongshan art. 12; Foshan art. 10(4)).")
    listed_on: date | None = Field(
        None, description="Date the institution was entered in the published list of institutions to sign an agreement (纳入拟签订医保协议医疗机构名单之日, Zhongshan art. 13).")
    agreement_signed_on: date | None = Field(
        None, description="Date the designation agreement was signed after listing; absent = not signed (Zhongshan art. 13: not signed within 1 month of listing = 视作放弃).")
    objection_review_failed: bool | None = Field(
        None, description="An objection upheld during publicity was reviewed and the review failed (复核不通过, Foshan art. 10(4): the procedure ends).")
    objection_notified_on: date | None = Field(
        None, description="Date the applicant was told that an objection raised during publicity was upheld (Foshan art. 10(4): review request within 3 working days).")
    materials_completed_on: date | None = Field(
        None, description="Date the application materials were completed after a request to supplement (申请材料补充完整之日, Jiangsu art. 12: the evaluation period restarts from it).")
    publicity_art9_ground_confirmed: bool | None = Field(
        None, description="A tip received during publicity was verified to be a non-acceptance ground (收到线索经核查且属于第九条情形之一, Jiangsu art. 13 para. 2).")


class EvaluationResult(FactEnum):
    passed = "passed"  # 合格
    failed = "failed"  # 不合格


class Evaluation(FactModel):
    """One evaluation of an earlier application (art. 9)."""

    result: EvaluationResult | None = Field(None, description="合格 / 不合格.")
    notified_on: date | None = Field(None, description="Date the result notice was served (结果告知送达之日).")
    is_reevaluation: bool | None = Field(None, description="The evaluation after the 3-month rectification (整改3个月后再次组织评估).")
    procedure_terminated_on: date | None = Field(
        None, description="Date the application procedure was ended (终结本次申请程序之日) after this evaluation (Foshan art. 10(3): the 1-year bar runs from it).")


class RescissionGround(FactEnum):
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

    started_on: date | None = Field(
        None, description="Date of the decision or notice that suspended the agreement (中止决定或告知之日; Foshan art. 19: "
        "自告知之日起中止; for a suspension at the institution's request, the date the agency's consent was notified). "
        "An event during that day, so periods counted from it start the next day (民法典 art. 201): 180 days from "
        "2025-03-01 end on 2025-08-28.")
    ended_on: date | None = Field(None, description="Last day, if it has ended.")
    requested_by_institution: bool | None = Field(None, description="Suspended at the institution's request (art. 42 para. 2).")
    resume_applied_on: date | None = Field(None, description="Date a request to continue (继续履行) was filed.")
    rectified_as_required: bool | None = Field(None, description="Rectified as required during the suspension (art. 43(1)).")
    scheduled_end_on: date | None = Field(
        None, description="Last day of the suspension period as decided (中止期满之日) (Zhongshan art. 44 para. 3).")
    resume_confirmed_on: date | None = Field(
        None, description="Date the agency confirmed the rectification effective (确认改正有效之日); insured services "
        "resume from the first day of the next month (Zhongshan art. 44 para. 3: 次月恢复).")
    resume_verified: bool | None = Field(
        None, description="The agency verified the rectification after a resume application (核查确认改正有效); false = verification failed (Zhongshan art. 44 para. 3).")


class RegionAction(FactEnum):
    none = "none"  # the home agency has neither suspended nor rescinded
    suspended = "suspended"
    rescinded = "rescinded"


class Agreement(FactModel):
    """The service agreement (医保协议) and its history in the current term."""

    term_start: date | None = Field(None, description="First day of the current agreement term.")
    term_end: date | None = Field(None, description="Last day of the current agreement term.")
    suspensions: list[Suspension] | None = Field(None, description="Suspensions in the current term.")
    renewal_agreed: bool | None = Field(None, description="Renewal negotiations reached agreement (art. 41).")
    first_signed_on: date | None = Field(
        None, description="Date the institution's first agreement was signed (首次协议签订日期, Foshan art. 10(5): signed on "
        "or before 30 June, valid to 31 December of that year; later, to 31 December of the next year).")
    social_insurance_year_end: date | None = Field(
        None, description="Last day of the current social-insurance year (社保年度), e.g. 2025-12-31 (Foshan art. 40: the "
        "annual assessment within its last quarter).")
    home_region_action: RegionAction | None = Field(
        None, description="What the prefecture-level (or higher) agency where the institution is located did to its agreement: none, suspended or rescinded (art. 44 para. 2). Unknown when not given.")
    is_home_region: bool | None = Field(None, description="This agreement is with the agency where the institution is located.")
    other_region_action: RegionAction | None = Field(
        None, description="Another pooling region's agency (not this one) suspended or rescinded the institution's agreement there (Foshan art. 19 para. 3; Zhongshan art. 49).")
    other_region_in_province: bool | None = Field(
        None, description="That other pooling region is in the same province (Zhongshan art. 49: 省内各统筹地区).")
    settlement_year_end: date | None = Field(
        None, description="Last day of the year whose insurance costs are to be settled (上年度, Jiangsu art. 31: settlement by the end of March of the next year).")
    renewal_refused_by_institution: bool | None = Field(None, description="The institution did not renew the agreement as the agency required (乙方未按甲方要求续签, 青海 art. 80(4)).")
    force_majeure_prevents_performance: bool | None = Field(None, description="Force majeure makes the agreement impossible to perform (青海 art. 80(5)).")
    renewal_delayed_by_agency: bool | None = Field(None, description="After the term ended, the new agreement has not been signed for reasons on the agency's side (因甲方原因未续签协议前, 青海 art. 83: the old agreement stays in force).")


class DrugSale(FactModel):
    """One drug as bought and sold by the institution (青海 agreement art. 44: mark-up limits)."""

    name: str | None = Field(None, description="Name, for the reader only.")
    purchase_price: float | None = Field(None, ge=0, description="Purchase price per unit, in yuan (for public institutions: the procurement-platform price).")
    sale_price: float | None = Field(None, ge=0, description="Price charged to the insured person per unit, in yuan.")
    is_negotiated: bool | None = Field(None, description="国家谈判药品 within the agreement period (青海 art. 44: sold at the payment standard, no mark-up).")
    payment_standard: float | None = Field(None, ge=0, description="医保支付标准 per unit, in yuan (青海 art. 44, negotiated drugs).")
    is_tcm_decoction_piece: bool | None = Field(None, description="中药饮片 (excluded from the zero mark-up policy, 青海 art. 44 para. 1).")


class ItemisedAmount(FactModel):
    """The loss or non-compliant costs of one item or tier of the conduct found (issue 10 item 6)."""

    tier: int | None = Field(None, ge=1, description="The tier of handling the amount belongs to (a pack's tier number, e.g. Jiangsu 1-3, 青海 1-5).")
    item: str | None = Field(None, description="The item the amount belongs to, for the reader (e.g. '65.4', '43(1)').")
    loss_amount: float | None = Field(None, ge=0, description="Loss to the fund caused by this item's conduct, in yuan.")
    non_compliant_costs: float | None = Field(None, ge=0, description="Non-compliant costs of this item, in yuan.")


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
    itemised_amounts: list[ItemisedAmount] | None = Field(None, description="The loss and non-compliant costs per item or per tier; a tiered rule's damages then rest on its own tier's amounts (the sum of that tier's entries) instead of the whole loss_amount / non_compliant_costs.")
    false_information_in_change_filing: bool | None = Field(None, description="Gave false information or materials when filing an information change (Zhongshan art. 42(6)).")
    licence_expired: bool | None = Field(None, description="Practice licence or TCM clinic record expired (过期失效) (Zhongshan art. 42(9)).")
    staff_or_department_policy_violation: bool | None = Field(None, description="Some staff or departments violated insurance laws, regulations or policies (Zhongshan art. 44 para. 1; Foshan art. 20).")
    used_counterfeit_or_substandard_drugs: bool | None = Field(None, description="使用假药、劣药 (Zhongshan art. 44(1)).")
    card_not_verified_impersonation: bool | None = Field(None, description="Did not check the social security card carefully, so someone was treated under another's name or the fund lost money (Zhongshan art. 44(2)).")
    price_violation_fund_loss: bool | None = Field(None, description="Violated pricing policy, causing a loss to the fund (Zhongshan art. 44(4)).")
    non_covered_costs_charged_to_fund: bool | None = Field(None, description="Charged costs outside the fund's scope, or payable by the patient, to the pooled fund (Zhongshan art. 44(5)).")
    covered_costs_shifted_to_patient: bool | None = Field(None, description="Shifted costs the pooled fund should pay to the patient (Zhongshan art. 44(6)).")
    rectification_failed_or_refused: bool | None = Field(None, description="At the end of a rectification period did not meet its requirements, or refused to rectify (Zhongshan art. 44(7)).")
    records_not_provided: bool | None = Field(None, description="Did not cooperate with supervision, or did not provide medical service records in time as required (Zhongshan art. 44(8)).")
    it_system_lent_to_other: bool | None = Field(None, description="Let another medical institution use its insurance information system (Zhongshan art. 44(9)).")
    inpatient_abuse: bool | None = Field(None, description="挂床住院、分解住院、诊断升级, records not matching reality, or admitting patients who do not meet admission criteria (Zhongshan art. 44(10)).")
    suspended_physician_served: bool | None = Field(None, description="A physician whose insurance service qualification is suspended provided insured services (Zhongshan art. 44(11)).")
    suspected_regulation_art38_violation: bool | None = Field(None, description="Also suspected of violating art. 38 of 《医疗保障基金使用监督管理条例》 (Foshan art. 44 para. 1).")
    handling_decided_on: date | None = Field(None, description="Date the agency made its handling decision under the agreement (Foshan art. 44 para. 1: referral within 5 working days).")
    referred_on: date | None = Field(None, description="Date the agency referred the case to the administration (移交医疗保障行政部门); absent = not referred (Foshan art. 44 para. 1).")
    violation_of_law_found: bool | None = Field(None, description="The agency found a violation of law or regulation (违法违规情形), not only a breach of the agreement (Jiangsu art. 41 para. 1: refer to the administration).")
    admin_penalty_liable: bool | None = Field(None, description="The conduct is liable to an administrative penalty by law (依法应当给予行政处罚, 青海 art. 70: refer to the administration).")
    no_fund_use_management: bool | None = Field(None, description="No internal management rules for fund use, or no unit or person in charge of it (Jiangsu art. 42(1)).")
    records_not_kept: bool | None = Field(None, description="Did not keep accounts, vouchers, prescriptions, records, cost details, stock records as required (Jiangsu art. 42(2)).")
    fund_data_not_transmitted: bool | None = Field(None, description="Did not transmit fund-use data through the insurance information system as required (Jiangsu art. 42(3)).")
    supervision_info_not_reported: bool | None = Field(None, description="Did not report information needed for supervision to the administration as required (Jiangsu art. 42(4)).")
    costs_not_disclosed: bool | None = Field(None, description="Did not publish medical costs and cost structure as required (Jiangsu art. 42(5)).")
    out_of_scope_without_consent: bool | None = Field(None, description="Except emergencies and rescue, provided services outside the fund's scope without the consent of the insured or a relative or guardian (Jiangsu art. 42(6)).")
    patients_shirked: bool | None = Field(None, description="推诿病人、未达出院标准要求患者出院 (Jiangsu art. 17(7), art. 42(7)).")
    listed_items_not_prioritised: bool | None = Field(None, description="Did not prioritise negotiated drugs and other listed items as required, making patients pay costs the fund should pay (Jiangsu art. 42(8)).")
    it_upgrade_not_done: bool | None = Field(None, description="Did not complete the information system upgrade to the interface standards (Jiangsu art. 42(9)).")
    split_or_nominal_admission: bool | None = Field(None, description="分解住院、挂床住院 (Jiangsu art. 17(1), art. 43(1)).")
    excessive_or_unnecessary_services: bool | None = Field(None, description="过度诊疗、过度检查、分解处方、超量开药、重复开药 or other unnecessary services (Jiangsu art. 17(2), art. 43(2)).")
    duplicate_or_excess_charges: bool | None = Field(None, description="重复收费、超标准收费、分解项目收费、转嫁住院费用 (Jiangsu art. 17(3), (6), art. 43(3)).")
    substitution_or_upcoding: bool | None = Field(None, description="串换药品、耗材、项目和服务设施, 高套低靠病种（组）编码, 以药换物 (Jiangsu art. 17(4), (6), art. 43(4)).")
    facilitated_resale_or_kickbacks: bool | None = Field(None, description="Helped insured persons resell drugs or take cash, goods or other illegal benefits (Jiangsu art. 43(5)).")
    other_breach_causing_loss: bool | None = Field(None, description="Another breach of the agreement causing a loss to the fund (Jiangsu art. 43(7)).")
    induced_false_treatment: bool | None = Field(None, description="Induced or helped impersonated or false visits or purchases, provided false certificates, or colluded in false receipts (Jiangsu art. 17(5), art. 44(1)).")
    falsified_records: bool | None = Field(None, description="Forged, altered, hid, tampered with or destroyed medical, accounting or electronic records (Jiangsu art. 44(2)).")
    fictitious_services: bool | None = Field(None, description="虚构医药服务项目 (Jiangsu art. 44(3)).")
    settled_for_other_institution: bool | None = Field(None, description="Settled insurance costs for another designated, a non-designated, or a suspended 医药机构 (Jiangsu art. 44(4)).")
    refused_or_obstructed_supervision: bool | None = Field(None, description="拒绝、阻挠或者严重不配合 intelligent review, performance evaluation or inspection (Jiangsu art. 44(5); no 情节恶劣 needed).")
    licence_cancelled_for_sector_violation: bool | None = Field(None, description="Institution cancelled and its practice licence or clinic record withdrawn for violating the health authority's rules (Jiangsu art. 44(6)).")
    major_violation_possible_loss: bool | None = Field(None, description="Law enforcement found a major violation that may cause a loss (any size) to the fund (Jiangsu art. 44(8)).")
    media_exposure_major_opinion: bool | None = Field(None, description="Exposed by the media for violations, causing a major public-opinion incident (Jiangsu art. 44(9)).")
    other_fund_fraud: bool | None = Field(None, description="其他骗取医疗保障基金支出的行为 (Jiangsu art. 44(10)).")
    licence_reissued_for_violation: bool | None = Field(None, description="Practice licence or clinic record re-issued because of violations of law or the agreement (Jiangsu art. 35 para. 2).")
    refused_to_correct: bool | None = Field(None, description="拒不改正: refused to correct the conduct (Jiangsu arts. 42, 43).")
    serious_impact: bool | None = Field(None, description="造成严重影响: the conduct had a serious impact (Jiangsu art. 42).")
    severe_consequences: bool | None = Field(None, description="造成严重后果: the conduct had severe consequences (Jiangsu art. 43).")
    fraud_purpose: bool | None = Field(None, description="以骗取医疗保障基金为目的: the conduct aimed at defrauding the fund (Jiangsu art. 43).")
    particularly_serious: bool | None = Field(None, description="情节特别严重 (Jiangsu art. 44).")
    no_longer_meets_conditions: bool | None = Field(None, description="The institution no longer meets the conditions of a designated institution (不再符合定点医疗机构条件, Jiangsu art. 34).")
    serious_breach_of_agreement: bool | None = Field(None, description="严重违反医保协议 (Jiangsu art. 34).")
    major_violation_of_law: bool | None = Field(None, description="发生重大违法违规行为 (Jiangsu art. 34).")
    breach_items: list[str] | None = Field(None, description="Items of an agreement's breach-handling articles the conduct was found to fall under, written 'article.item' (e.g. '63.2', '66.4'); [] = none found (青海 agreement arts. 63-67).")
    self_found_and_corrected: bool | None = Field(None, description="Found by the institution's own check before the agency (or its third party) stepped in, with the non-compliant costs refunded and rectification materials submitted (青海 art. 75).")
    larger_fund_loss: bool | None = Field(None, description="造成医保基金较大损失 (青海 arts. 65, 66).")
    major_fund_loss: bool | None = Field(None, description="造成医保基金重大损失 (青海 art. 67).")
    large_social_impact: bool | None = Field(None, description="造成社会影响较大 (青海 arts. 64-66).")
    serious_social_impact: bool | None = Field(None, description="社会影响严重 (青海 art. 67).")
    egregious_nature: bool | None = Field(None, description="性质恶劣 (青海 art. 67).")
    unqualified_staff_services_billed: bool | None = Field(None, description="No longer read (issue 10): record the item as '67.4' (青海 art. 67(4), also art. 65(10)) in breach_items.")
    services_beyond_licence_billed: bool | None = Field(None, description="No longer read (issue 10): record the item as '66.7' (青海 art. 66(7), also art. 65(10)) in breach_items.")
    licence_revoked: bool | None = Field(None, description="Practice licence, clinic record or TCM clinic record revoked (吊销) (青海 art. 67(9)).")
    licence_cancelled: bool | None = Field(None, description="Practice licence, clinic record or TCM clinic record cancelled (注销) (青海 art. 80(2)).")
    change_info_inconsistent: bool | None = Field(None, description="Registered change information does not match reality (变更信息与实际不符, 青海 art. 67(6)).")
    major_violation_caused_major_loss: bool | None = Field(None, description="Law enforcement found a major violation that caused (not merely may cause) a major loss to the fund (青海 art. 67(8)).")
    law_requires_termination: bool | None = Field(None, description="Laws or regulations require termination of the agreement (青海 art. 80(6)).")
    staff_points_threshold_reached: bool | None = Field(None, description="A responsible staff member's payment-qualification points reached the threshold (青海 art. 68).")
    major_fund_risk_inspection: bool | None = Field(None, description="The agency is inspecting a suspected breach that may pose a major risk to the fund or insured persons, and the inspection has not yet been concluded (青海 art. 61 para. 2).")
    admin_penalty_served_on: date | None = Field(None, description="Date a pricing-related administrative penalty decision by another department was served on the institution (青海 art. 7(6): report within 5 days).")
    upload_fault_cleared_at: datetime | None = Field(
        None, description="Date-time the fault that kept data from being transmitted in time was cleared (故障排除, 青海 art. 54: "
        "upload within 24 hours of it), written YYYY-MM-DDTHH:MM, Beijing time.")
    delayed_data_uploaded_at: datetime | None = Field(
        None, description="Date-time the data held back by that fault were uploaded; absent = not uploaded (青海 art. 54).")
    repayment_notified_on: date | None = Field(None, description="Date the institution received the agency's notice to refund non-compliant costs or pay liquidated damages (青海 art. 60).")
    repaid_on: date | None = Field(None, description="Date those amounts were paid in full; absent = not paid (青海 art. 60).")
    drug_sales: list[DrugSale] | None = Field(None, description="Drugs with purchase and sale prices, for mark-up limits (青海 art. 44).")


class RequestKind(FactEnum):
    suspend = "suspend"  # 中止
    rescind = "rescind"  # 解除
    not_renew = "not_renew"  # 不再续签


class Request(FactModel):
    """The institution's request to suspend, rescind or not renew its agreement (art. 44)."""

    kind: RequestKind | None = Field(None, description="What is requested.")
    filed_on: date | None = Field(None, description="Date the request was filed.")
    effective_on: date | None = Field(None, description="Date from which the institution wants it to take effect.")
    agency_agreed: bool | None = Field(None, description="The agency agreed (art. 43(12)).")
    agency_notified_on: date | None = Field(
        None, description="Date the agency notified its consent in writing (书面告知之日; Foshan art. 19 para. 1: the suspension or rescission takes effect from it).")


class InformationChange(FactModel):
    """A change of the institution's registered information (art. 40)."""

    is_major: bool | None = Field(None, description="A major item (名称、法定代表人、主要负责人或实际控制人、注册地址、银行账户、诊疗科目、机构规模、机构性质、等级和类别).")
    approved_on: date | None = Field(None, description="Date the competent department approved the change.")
    applied_on: date | None = Field(None, description="Date the change was applied for with the agency.")
    concerns_identity_items: bool | None = Field(
        None, description="The change concerns the name, legal representative, principal or actual controller, or registered address (Zhongshan art. 39: the major items for a privately run institution).")
    reregistered_on: date | None = Field(
        None, description="Date the institution re-registered because its founder (设置主体) or nature changed, keeping address, departments, scale and category (Zhongshan art. 39 para. 2: transition of at most 6 months).")
    failed_evaluation_notified_on: date | None = Field(
        None, description="Date the failed result of the evaluation in the designation procedure after re-registration was served (评估结果告知送达之日, Zhongshan art. 39 para. 2: insured services stop from the next day).")
    reveals_ineligibility: bool | None = Field(
        None, description="On review, the changed institution no longer meets the application conditions or falls under a non-acceptance ground (Foshan art. 15 para. 2).")


class Claim(FactModel):
    """A declaration of insurance costs for payment (art. 30)."""

    declared_on: date | None = Field(None, description="Date the institution declared the costs.")
    paid_on: date | None = Field(None, description="Date the agency paid.")
    refund_notice_received_on: date | None = Field(
        None, description="Date the institution received the refund notice for a negative settlement (Zhongshan art. 31 para. 2: refund within 30 days).")
    review_completed_on: date | None = Field(None, description="Date the agency completed the review of the costs of the period (费用所属期审核工作完成, 青海 art. 7(3): reconciliation within 30 working days).")


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
