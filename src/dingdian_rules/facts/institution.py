"""The fact sections about the institution and where it stands with the agency: ``institution``
(with its people), ``application``, ``history`` (past evaluations and rescissions) and
``agreement`` (with its suspensions), and their enums. See ``models`` for the module docstring's
rules (every field optional, unknown is not false); ``Case`` gathers the sections there.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from .enums import EvaluationResult, InstitutionType, Licence, Material, PersonRole, RegionAction, RescissionGround
from .values import FactModel


class Person(FactModel):
    """A person behind the institution (national art. 12 items 7–8; art. 43 item 10)."""

    role: PersonRole | None = Field(None, title="人员身份", description="法定代表人 / 主要负责人 / 实际控制人")
    name: str | None = Field(None, title="姓名", description="Name, for the reader only; no rule uses it.")
    is_on_dishonesty_list: bool | None = Field(
        None, title="列入失信人名单", description="列入失信人名单: the person is on a dishonest-persons list (art. 12(8)).")
    serious_violation_rescissions: list[date] | None = Field(
        None, title="曾因其严重违法违规导致原定点医疗机构被解除医保协议的日期", description="Dates on which a former designated institution's agreement was rescinded "
        "because of this person's serious violations (art. 12(7): 曾因严重违法违规导致原定点医疗机构被解除医保协议).")


class Institution(FactModel):
    """The medical institution applying for or holding designation."""

    name: str | None = Field(None, title="机构名称", description="Name, for the reader only.")
    type: InstitutionType | None = Field(None, title="医疗机构类型", description="Institution type (art. 5 items).")
    licence: Licence | None = Field(None, title="执业许可证照", description="The permit it holds (art. 5).")
    is_public: bool | None = Field(None, title="公立医疗机构", description="公立医疗机构: publicly run (art. 44: may not request suspension or rescission).")
    operating_since: date | None = Field(None, title="正式运营起始日期", description="Start of formal operation (正式运营, art. 6(1)).")
    beds: int | None = Field(None, title="床位数", ge=0, description="Number of beds (art. 6(3): 100张床位以上).")
    physicians_first_registered_here: int | None = Field(
        None, title="以本机构为第一注册地的医师人数", ge=0, description="Physicians (医师/乡村医生/中医（专长）医师) whose first registration is this institution (art. 6(2)).")
    principal_in_charge_of_insurance: bool | None = Field(None, title="主要负责人负责医保工作", description="主要负责人负责医保工作 (art. 6(3)).")
    has_insurance_staff: bool | None = Field(None, title="配备专（兼）职医保管理人员", description="配备专（兼）职医保管理人员 (art. 6(3)).")
    has_insurance_department: bool | None = Field(None, title="设内部医保管理部门", description="设内部医保管理部门 (art. 6(3), required from 100 beds).")
    has_full_time_insurance_staff: bool | None = Field(None, title="医保管理部门安排专职工作人员", description="安排专职工作人员 in that department (art. 6(3)).")
    has_required_systems: bool | None = Field(
        None, title="具有符合医保协议要求的医保管理制度、财务制度、统计信息管理制度、医疗质量安全核心制度", description="医保管理制度、财务制度、统计信息管理制度、医疗质量安全核心制度 meeting the agreement's requirements (art. 6(4)).")
    has_it_connection: bool | None = Field(
        None, title="医院信息系统符合接口标准并与医保信息系统联网", description="Hospital information system meets the interface standards and connects to the insurance system, incl. national codes (art. 6(5)).")
    meets_other_statutory_conditions: bool | None = Field(
        None, title="符合法律法规和省级及以上医疗保障行政部门规定的其他条件", description="Meets other conditions set by law or by provincial or higher administrations (art. 6(6)).")
    main_scope_non_basic: bool | None = Field(
        None, title="以医疗美容、辅助生殖、生活照护、种植牙等非基本医疗服务为主要执业范围", description="Main practice scope is non-basic medical services (医疗美容、辅助生殖、生活照护、种植牙…) (art. 12(1)).")
    basic_services_follow_price_policy: bool | None = Field(
        None, title="基本医疗服务执行医疗保障行政部门的价格政策", description="Basic medical services follow the administration's pricing policy (art. 12(2)).")
    has_unfulfilled_admin_penalty: bool | None = Field(
        None, title="未依法履行行政处罚责任", description="未依法履行行政处罚责任: an administrative penalty has not been fulfilled as the law requires (art. 12(3)).")
    people: list[Person] | None = Field(None, title="法定代表人、主要负责人、实际控制人", description="Legal representative, principal, actual controller.")
    physical_institution_designated: bool | None = Field(
        None, title="互联网医院依托的实体医疗机构为定点医疗机构", description="For an internet hospital: its physical institution (实体医疗机构) is designated (art. 5, last paragraph).")
    other_statutory_non_acceptance_ground: bool | None = Field(
        None, title="有法律法规规定的其他不予受理的情形", description="Another ground set by law or regulation on which the application is not accepted "
        "(法律法规规定的其他不予受理的情形, art. 12(9)).")
    internet_plus_approved: bool | None = Field(
        None, title="经卫生健康部门批准设置互联网医院或开展互联网诊疗", description="互联网+: approved by the health authority to run an internet hospital or internet diagnosis and treatment (Zhongshan art. 7(1); Foshan art. 8(1)).")
    internet_plus_data_exchange_and_payment: bool | None = Field(
        None, title="“互联网+”：与医保信息系统数据交换，支持医保移动支付，及时提供电子票据、发票或邮寄纸质票据", description="互联网+: can exchange data with the insurance system, supports insurance mobile payment, and issues e-receipts, e-invoices or posts paper receipts promptly (Zhongshan art. 7(2); Foshan art. 8(4)).")
    internet_plus_separates_online_business: bool | None = Field(
        None, title="“互联网+”：信息系统区分线下与“互联网+”医疗服务", description="互联网+: the information system distinguishes offline services from 互联网+ services (Zhongshan art. 7(3); Foshan art. 8(4)).")
    internet_plus_real_name_auth: bool | None = Field(
        None, title="“互联网+”：通过医保电子凭证实名认证", description="互联网+: real-name authentication through the insurance e-voucher (Foshan also: electronic social security card) (Zhongshan art. 7(4); Foshan art. 8(2)).")
    internet_plus_full_traceability: bool | None = Field(
        None, title="“互联网+”：保存电子病历、电子处方和购药记录，诊疗、处方、配药全程可追溯", description="互联网+: keeps e-records, e-prescriptions and purchase records so that treatment, prescribing and dispensing are traceable (Zhongshan art. 7(5); Foshan art. 8(5)).")
    internet_plus_verifies_follow_up: bool | None = Field(
        None, title="“互联网+”：能核验患者为复诊患者并掌握必要就诊信息", description="互联网+: can verify that the patient is a follow-up (复诊) patient and holds the necessary visit information (Foshan art. 8(3)).")
    has_insurance_policy_rules: bool | None = Field(
        None, title="具有与医保政策对应的内部管理制度", description="具有与医保政策对应的内部管理制度: internal management rules matching insurance policy (Jiangsu art. 6(4)).")
    can_upgrade_it_system: bool | None = Field(
        None, title="能按医保协议技术和接口标准进行信息系统改造并实现直接结算", description="Able to modify its information system to the agreement's technical and interface standards, use the national insurance codes, connect to the insurance system, transmit all visit data and provide direct settlement (能按照…进行信息系统改造…, Jiangsu art. 6(5)).")
    can_bear_civil_liability: bool | None = Field(
        None, title="能够独立承担民事责任", description="能够独立承担民事责任: the institution can bear civil liability independently (Jiangsu art. 14 para. 2).")
    internet_plus_data_exchange_ready: bool | None = Field(
        None, title="“互联网+”：能与医保信息系统数据交换并提供“互联网+”医疗服务", description="互联网+: can exchange data with the insurance information system and provide 互联网+ medical services (Jiangsu art. 7(2)).")
    internet_plus_insurance_code_full_process: bool | None = Field(
        None, title="“互联网+”：通过医保码实名认证、移动支付和全流程就诊，并出具医保结算凭证", description="互联网+: real-name authentication, mobile payment and the whole visit process through the insurance code (医保码), and issues insurance settlement vouchers (Jiangsu art. 7(3)).")


class Application(FactModel):
    """A designation application (national arts. 7–9)."""

    submitted_on: date | None = Field(None, title="提出申请日期", description="Date the application was filed.")
    materials_received_on: date | None = Field(None, title="经办机构收到申请材料日期", description="Date the agency received the materials (art. 8: the 5-working-day notice runs from it).")
    accepted_on: date | None = Field(None, title="受理申请日期", description="Date the application was accepted (受理) (art. 9: the 3-month evaluation runs from it).")
    materials: list[Material] | None = Field(None, title="已提供的申请材料", description="Materials provided (art. 7).")
    supplement_days: int | None = Field(None, title="补充材料所用天数", ge=0, description="Days the institution spent supplementing materials (art. 9: not counted in the evaluation period).")
    is_internet_supplementary: bool | None = Field(None, title="为互联网医院签订补充协议的申请", description="The application is for an internet hospital's supplementary agreement (art. 5).")
    province_requires_other_materials: bool | None = Field(
        None, title="省级医疗保障行政部门要求提供其他材料", description="The provincial medical-insurance administration requires other materials under its rules "
        "(art. 7(6): 省级医疗保障行政部门按相关规定要求提供的其他材料; Zhongshan art. 8(7): the national or provincial one); "
        "unknown when not given, since no text in the sources says whether it does.")
    failed_evaluation_notified_on: date | None = Field(
        None, title="评估不合格结果告知送达日期", description="Date the notice of a failed evaluation was served (评估不合格结果告知送达之日, art. 9): "
        "rectification runs 3 months from it before a re-evaluation may be organised.")
    permits_verifiable_by_data_sharing: bool | None = Field(
        None, title="证照可通过数据共享查询核验", description="The government-issued permits among the materials can be queried and verified through data sharing, so no copy is needed (Zhongshan art. 8 last para.; Foshan art. 9 last para.).")
    publicity_started_on: date | None = Field(
        None, title="评估合格公示开始日期", description="Date the publicity (公示) of a passed evaluation began (Zhongshan art. 12; Foshan art. 10(4)).")
    listed_on: date | None = Field(
        None, title="纳入拟签订医保协议医疗机构名单日期", description="Date the institution was entered in the published list of institutions to sign an agreement (纳入拟签订医保协议医疗机构名单之日, Zhongshan art. 13).")
    agreement_signed_on: date | None = Field(
        None, title="纳入名单后签订医保协议日期", description="Date the designation agreement was signed after listing; absent = not signed (Zhongshan art. 13: not signed within 1 month of listing = 视作放弃).")
    objection_review_failed: bool | None = Field(
        None, title="公示异议复核不通过", description="An objection upheld during publicity was reviewed and the review failed (复核不通过, Foshan art. 10(4): the procedure ends).")
    objection_notified_on: date | None = Field(
        None, title="告知公示异议成立日期", description="Date the applicant was told that an objection raised during publicity was upheld (Foshan art. 10(4): review request within 3 working days).")
    materials_completed_on: date | None = Field(
        None, title="申请材料补充完整日期", description="Date the application materials were completed after a request to supplement (申请材料补充完整之日, Jiangsu art. 12: the evaluation period restarts from it).")
    publicity_art9_ground_confirmed: bool | None = Field(
        None, title="公示期间收到的线索经核查属于不予受理情形", description="A tip received during publicity was verified to be a non-acceptance ground (收到线索经核查且属于第九条情形之一, Jiangsu art. 13 para. 2).")


class Evaluation(FactModel):
    """One evaluation of an earlier application (art. 9)."""

    result: EvaluationResult | None = Field(None, title="评估结果", description="合格 / 不合格.")
    notified_on: date | None = Field(None, title="评估结果告知送达日期", description="Date the result notice was served (结果告知送达之日).")
    is_reevaluation: bool | None = Field(None, title="整改后再次评估", description="The evaluation after the 3-month rectification (整改3个月后再次组织评估).")
    procedure_terminated_on: date | None = Field(
        None, title="终结本次申请程序日期", description="Date the application procedure was ended (终结本次申请程序之日) after this evaluation (Foshan art. 10(3): the 1-year bar runs from it).")


class Rescission(FactModel):
    """A past rescission of this institution's agreement (art. 12 items 5–6)."""

    on: date | None = Field(None, title="解除医保协议日期", description="Date the agreement was rescinded.")
    ground: RescissionGround | None = Field(None, title="解除原因", description="Why it was rescinded.")
    admin_penalty_fulfilled: bool | None = Field(None, title="已完全履行行政处罚法律责任", description="完全履行行政处罚法律责任 (art. 12(5)).")
    breach_liability_fulfilled: bool | None = Field(None, title="已完全履行违约责任", description="完全履行违约责任 (art. 12(6)).")


class History(FactModel):
    """What happened before this application or term."""

    fraudulent_application_found_on: list[date] | None = Field(
        None, title="发现以弄虚作假等不正当手段申请定点的日期", description="Dates on which applying by fraud or other improper means (弄虚作假等不正当手段申请定点) was found (art. 12(4)).")
    rescissions: list[Rescission] | None = Field(None, title="以往被解除医保协议的记录", description="Past rescissions of this institution's agreement.")
    evaluations: list[Evaluation] | None = Field(None, title="以往评估记录", description="Past evaluations (art. 9).")


class Suspension(FactModel):
    """One suspension (中止) of the agreement."""

    started_on: date | None = Field(
        None, title="中止决定或告知日期", description="Date of the decision or notice that suspended the agreement (中止决定或告知之日; Foshan art. 19: "
        "自告知之日起中止; for a suspension at the institution's request, the date the agency's consent was notified). "
        "An event during that day, so periods counted from it start the next day (民法典 art. 201): 180 days from "
        "2025-03-01 end on 2025-08-28.")
    ended_on: date | None = Field(None, title="中止最后一日（已结束时）", description="Last day, if it has ended.")
    requested_by_institution: bool | None = Field(None, title="应本机构请求中止", description="Suspended at the institution's request (art. 42 para. 2).")
    resume_applied_on: date | None = Field(None, title="申请继续履行日期", description="Date a request to continue (继续履行) was filed.")
    rectified_as_required: bool | None = Field(None, title="中止期间按要求整改", description="Rectified as required during the suspension (art. 43(1)).")
    scheduled_end_on: date | None = Field(
        None, title="中止期满日期", description="Last day of the suspension period as decided (中止期满之日) (Zhongshan art. 44 para. 3).")
    resume_confirmed_on: date | None = Field(
        None, title="确认改正有效日期", description="Date the agency confirmed the rectification effective (确认改正有效之日); insured services "
        "resume from the first day of the next month (Zhongshan art. 44 para. 3: 次月恢复).")
    resume_verified: bool | None = Field(
        None, title="经核查确认改正有效", description="The agency verified the rectification after a resume application (核查确认改正有效); false = verification failed (Zhongshan art. 44 para. 3).")


class Agreement(FactModel):
    """The service agreement (医保协议) and its history in the current term."""

    term_start: date | None = Field(None, title="本期医保协议起始日期", description="First day of the current agreement term.")
    term_end: date | None = Field(None, title="本期医保协议截止日期", description="Last day of the current agreement term.")
    suspensions: list[Suspension] | None = Field(None, title="本期协议内的中止记录", description="Suspensions in the current term.")
    renewal_agreed: bool | None = Field(None, title="续签协商一致", description="Renewal negotiations reached agreement (art. 41).")
    first_signed_on: date | None = Field(
        None, title="首次签订医保协议日期", description="Date the institution's first agreement was signed (首次协议签订日期, Foshan art. 10(5): signed on "
        "or before 30 June, valid to 31 December of that year; later, to 31 December of the next year).")
    social_insurance_year_end: date | None = Field(
        None, title="社保年度最后一日", description="Last day of the current social-insurance year (社保年度), e.g. 2025-12-31 (Foshan art. 40: the "
        "annual assessment within its last quarter).")
    home_region_action: RegionAction | None = Field(
        None, title="机构所在地地市级及以上经办机构对其医保协议的处理", description="What the prefecture-level (or higher) agency where the institution is located did to its agreement: none, suspended or rescinded (art. 44 para. 2). Unknown when not given.")
    is_home_region: bool | None = Field(None, title="本协议与机构所在地经办机构签订", description="This agreement is with the agency where the institution is located.")
    other_region_action: RegionAction | None = Field(
        None, title="其他统筹地区经办机构对其医保协议的处理", description="Another pooling region's agency (not this one) suspended or rescinded the institution's agreement there (Foshan art. 19 para. 3; Zhongshan art. 49).")
    other_region_in_province: bool | None = Field(
        None, title="该统筹地区在省内", description="That other pooling region is in the same province (Zhongshan art. 49: 省内各统筹地区).")
    settlement_year_end: date | None = Field(
        None, title="待清算费用年度最后一日", description="Last day of the year whose insurance costs are to be settled (上年度, Jiangsu art. 31: settlement by the end of March of the next year).")
    renewal_refused_by_institution: bool | None = Field(None, title="乙方未按甲方要求续签", description="The institution did not renew the agreement as the agency required (乙方未按甲方要求续签, 青海 art. 80(4)).")
    force_majeure_prevents_performance: bool | None = Field(None, title="因不可抗力致使医保协议无法履行", description="Force majeure makes the agreement impossible to perform (青海 art. 80(5)).")
    renewal_delayed_by_agency: bool | None = Field(None, title="因甲方原因未续签协议", description="After the term ended, the new agreement has not been signed for reasons on the agency's side (因甲方原因未续签协议前, 青海 art. 83: the old agreement stays in force).")
