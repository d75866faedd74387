"""The fact vocabulary: pydantic models of a case, the only names a rule condition may use.

Every field is optional. A field that is not given is *unknown*, not false or empty: rules use
three-valued logic over these facts, and a decision that depends on an unknown fact says which
facts would settle it. ``[]`` is a known empty list; ``None`` (or absence) is unknown.
Descriptions are the documentation: ``docs/facts.md`` is generated from them.

How values are written and read (``WRITTEN_FORMS``, ``IsoDate``) and the base classes are in
``values``; the sections about the institution and its standing (institution, application,
history, agreement) in ``institution``. This module holds the sections about what happens
(conduct, request, information_change, claim) and ``Case``, which gathers every section.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from .institution import Agreement, Application, History, Institution
from .enums import RequestKind
from .plain import enum_label, fact_label
from .values import FactModel


class DrugSale(FactModel):
    """One drug as bought and sold by the institution (青海 agreement art. 44: mark-up limits)."""

    name: str | None = Field(None, title="药品名称", description="Name, for the reader only.")
    purchase_price: float | None = Field(None, title="采购价格（元）", ge=0, description="Purchase price per unit, in yuan (for public institutions: the procurement-platform price).")
    sale_price: float | None = Field(None, title="销售价格（元）", ge=0, description="Price charged to the insured person per unit, in yuan.")
    is_negotiated: bool | None = Field(None, title="国家谈判药品", description="国家谈判药品 within the agreement period (青海 art. 44: sold at the payment standard, no mark-up).")
    payment_standard: float | None = Field(None, title="医保支付标准（元）", ge=0, description="医保支付标准 per unit, in yuan (青海 art. 44, negotiated drugs).")
    is_tcm_decoction_piece: bool | None = Field(None, title="中药饮片", description="中药饮片 (excluded from the zero mark-up policy, 青海 art. 44 para. 1).")


class ItemisedAmount(FactModel):
    """The loss or non-compliant costs of one item or tier of the conduct found (issue 10 item 6)."""

    tier: int | None = Field(None, title="处理档次", ge=1, description="The tier of handling the amount belongs to (a pack's tier number, e.g. Jiangsu 1-3, 青海 1-5).")
    item: str | None = Field(None, title="所属条款项", description="The item the amount belongs to, for the reader (e.g. '65.4', '43(1)').")
    loss_amount: float | None = Field(None, title="造成医保基金损失金额（元）", ge=0, description="Loss to the fund caused by this item's conduct, in yuan.")
    non_compliant_costs: float | None = Field(None, title="违规费用（元）", ge=0, description="Non-compliant costs of this item, in yuan.")


class Conduct(FactModel):
    """Conduct found by inspection, evaluation or law enforcement (arts. 38, 42, 43, 45)."""

    breached_agreement: bool | None = Field(None, title="违反医保协议约定", description="违反协议约定 found by the agency (art. 38).")
    major_fund_risk: bool | None = Field(None, title="日常核查或绩效考核发现可能对医保基金或参保人员造成重大风险", description="Daily inspection or performance review found a possible major risk to the fund or insured persons (art. 42(1)).")
    data_not_provided_or_false: bool | None = Field(None, title="未按规定提供数据或提供数据不真实", description="Did not provide required data, or provided untrue data (art. 42(2)).")
    agreement_requires_suspension: bool | None = Field(None, title="医保协议约定应当中止", description="The agreement itself requires suspension (art. 42(3)).")
    law_requires_suspension: bool | None = Field(None, title="法律法规规定应当中止", description="Laws or regulations require suspension (art. 42(4)).")
    obtained_designation_by_fraud: bool | None = Field(None, title="以弄虚作假等不正当手段申请取得定点", description="以弄虚作假等不正当手段申请取得定点 (art. 43(2)).")
    insurance_fraud_confirmed: bool | None = Field(None, title="经有关部门认定存在欺诈骗保行为", description="欺诈骗保 confirmed by the authorities (art. 43(3)).")
    settled_for_non_designated: bool | None = Field(None, title="为非定点医疗机构或处于中止协议期间的医疗机构提供医保费用结算", description="Settled insurance costs for a non-designated or suspended institution (art. 43(4)).")
    obstructed_supervision_seriously: bool | None = Field(None, title="拒绝、阻挠或不配合审核、检查，情节恶劣", description="Refused, obstructed or did not cooperate with review or inspection, 情节恶劣 (art. 43(5)).")
    major_change_not_registered: bool | None = Field(None, title="被发现重大信息发生变更但未办理变更", description="A major information change was found that was not registered (art. 43(6)).")
    closure_not_reported: bool | None = Field(None, title="停业或歇业未按规定报告", description="Closed or suspended business without reporting as required (art. 43(7)).")
    major_violation_major_loss: bool | None = Field(None, title="执法检查发现重大违法违规行为，可能造成医保基金重大损失", description="Major violation found in law enforcement that may cause a major loss to the fund (art. 43(8)).")
    licence_revoked_or_cancelled: bool | None = Field(None, title="医疗机构执业许可证或中医诊所备案证被吊销或注销", description="Practice licence or TCM clinic record revoked (吊销) or cancelled (注销) (art. 43(9)).")
    principal_unable_or_dishonest: bool | None = Field(None, title="法定代表人、主要负责人或实际控制人不能履行医保协议或有违法失信行为", description="Legal representative, principal or actual controller cannot perform the agreement, or acted illegally or dishonestly (art. 43(10)).")
    admin_penalty_decision_unfulfilled: bool | None = Field(None, title="未依法履行行政处罚决定", description="Did not fulfil an administrative penalty decision (art. 43(11)).")
    agreement_requires_rescission: bool | None = Field(None, title="医保协议约定应当解除", description="The agreement itself requires rescission (art. 43(13)).")
    law_requires_rescission: bool | None = Field(None, title="法律法规规定应当解除", description="Laws or regulations require rescission (art. 43(14)).")
    staff_or_department_breach: bool | None = Field(None, title="部分人员或科室违反协议管理要求", description="Some staff or departments breached agreement management requirements (art. 45).")
    loss_amount: float | None = Field(None, title="造成医保基金损失金额（元）", ge=0, description="Loss to the fund caused by the conduct, in yuan (packs with liquidated damages).")
    non_compliant_costs: float | None = Field(None, title="涉及违规费用（元）", ge=0, description="Non-compliant costs involved, in yuan (packs with liquidated damages).")
    itemised_amounts: list[ItemisedAmount] | None = Field(None, title="分项或分档的损失金额和违规费用", description="The loss and non-compliant costs per item or per tier; a tiered rule's damages then rest on its own tier's amounts (the sum of that tier's entries) instead of the whole loss_amount / non_compliant_costs.")
    false_information_in_change_filing: bool | None = Field(None, title="办理信息变更时提供虚假信息或材料", description="Gave false information or materials when filing an information change (Zhongshan art. 42(6)).")
    licence_expired: bool | None = Field(None, title="执业许可证或中医诊所备案证过期失效", description="Practice licence or TCM clinic record expired (过期失效) (Zhongshan art. 42(9)).")
    staff_or_department_policy_violation: bool | None = Field(None, title="部分人员或科室违反医保法律法规和政策", description="Some staff or departments violated insurance laws, regulations or policies (Zhongshan art. 44 para. 1; Foshan art. 20).")
    used_counterfeit_or_substandard_drugs: bool | None = Field(None, title="使用假药、劣药", description="使用假药、劣药 (Zhongshan art. 44(1)).")
    card_not_verified_impersonation: bool | None = Field(None, title="未认真核验社会保障卡，造成冒名就医或基金损失", description="Did not check the social security card carefully, so someone was treated under another's name or the fund lost money (Zhongshan art. 44(2)).")
    price_violation_fund_loss: bool | None = Field(None, title="违反价格政策造成医保基金损失", description="Violated pricing policy, causing a loss to the fund (Zhongshan art. 44(4)).")
    non_covered_costs_charged_to_fund: bool | None = Field(None, title="将不属于医保基金支付范围或应由个人负担的费用纳入统筹基金支付", description="Charged costs outside the fund's scope, or payable by the patient, to the pooled fund (Zhongshan art. 44(5)).")
    covered_costs_shifted_to_patient: bool | None = Field(None, title="将应由统筹基金支付的费用转由患者负担", description="Shifted costs the pooled fund should pay to the patient (Zhongshan art. 44(6)).")
    rectification_failed_or_refused: bool | None = Field(None, title="整改期满未达到整改要求或拒不整改", description="At the end of a rectification period did not meet its requirements, or refused to rectify (Zhongshan art. 44(7)).")
    records_not_provided: bool | None = Field(None, title="不配合监督检查或未按要求及时提供医疗服务资料", description="Did not cooperate with supervision, or did not provide medical service records in time as required (Zhongshan art. 44(8)).")
    it_system_lent_to_other: bool | None = Field(None, title="将医保信息系统提供给其他医疗机构使用", description="Let another medical institution use its insurance information system (Zhongshan art. 44(9)).")
    inpatient_abuse: bool | None = Field(None, title="挂床住院、分解住院、诊断升级、病历与实际不符或收治不符合入院标准的患者", description="挂床住院、分解住院、诊断升级, records not matching reality, or admitting patients who do not meet admission criteria (Zhongshan art. 44(10)).")
    suspended_physician_served: bool | None = Field(None, title="被暂停医保服务资格的医师提供医保服务", description="A physician whose insurance service qualification is suspended provided insured services (Zhongshan art. 44(11)).")
    suspected_regulation_art38_violation: bool | None = Field(None, title="涉嫌违反《医疗保障基金使用监督管理条例》第三十八条", description="Also suspected of violating art. 38 of 《医疗保障基金使用监督管理条例》 (Foshan art. 44 para. 1).")
    handling_decided_on: date | None = Field(None, title="经办机构作出协议处理决定日期", description="Date the agency made its handling decision under the agreement (Foshan art. 44 para. 1: referral within 5 working days).")
    referred_on: date | None = Field(None, title="移交医疗保障行政部门日期", description="Date the agency referred the case to the administration (移交医疗保障行政部门); absent = not referred (Foshan art. 44 para. 1).")
    violation_of_law_found: bool | None = Field(None, title="发现违法违规情形", description="The agency found a violation of law or regulation (违法违规情形), not only a breach of the agreement (Jiangsu art. 41 para. 1: refer to the administration).")
    admin_penalty_liable: bool | None = Field(None, title="依法应当给予行政处罚", description="The conduct is liable to an administrative penalty by law (依法应当给予行政处罚, 青海 art. 70: refer to the administration).")
    no_fund_use_management: bool | None = Field(None, title="未建立医保基金使用内部管理制度或未设机构、人员负责", description="No internal management rules for fund use, or no unit or person in charge of it (Jiangsu art. 42(1)).")
    records_not_kept: bool | None = Field(None, title="未按规定保管账目、凭证、处方、病历、费用明细、进销存记录等资料", description="Did not keep accounts, vouchers, prescriptions, records, cost details, stock records as required (Jiangsu art. 42(2)).")
    fund_data_not_transmitted: bool | None = Field(None, title="未按规定通过医保信息系统传送医保基金使用数据", description="Did not transmit fund-use data through the insurance information system as required (Jiangsu art. 42(3)).")
    supervision_info_not_reported: bool | None = Field(None, title="未按规定向医疗保障行政部门报告监督管理所需信息", description="Did not report information needed for supervision to the administration as required (Jiangsu art. 42(4)).")
    costs_not_disclosed: bool | None = Field(None, title="未按规定公开医疗费用及费用结构", description="Did not publish medical costs and cost structure as required (Jiangsu art. 42(5)).")
    out_of_scope_without_consent: bool | None = Field(None, title="除急诊、抢救外，未经参保人员或其近亲属、监护人同意提供医保基金支付范围以外的服务", description="Except emergencies and rescue, provided services outside the fund's scope without the consent of the insured or a relative or guardian (Jiangsu art. 42(6)).")
    patients_shirked: bool | None = Field(None, title="推诿病人、未达出院标准要求患者出院", description="推诿病人、未达出院标准要求患者出院 (Jiangsu art. 17(7), art. 42(7)).")
    listed_items_not_prioritised: bool | None = Field(None, title="未按规定优先使用谈判药品等目录内项目，造成应由基金支付的费用由患者负担", description="Did not prioritise negotiated drugs and other listed items as required, making patients pay costs the fund should pay (Jiangsu art. 42(8)).")
    it_upgrade_not_done: bool | None = Field(None, title="未按接口标准完成信息系统改造", description="Did not complete the information system upgrade to the interface standards (Jiangsu art. 42(9)).")
    split_or_nominal_admission: bool | None = Field(None, title="分解住院、挂床住院", description="分解住院、挂床住院 (Jiangsu art. 17(1), art. 43(1)).")
    excessive_or_unnecessary_services: bool | None = Field(None, title="过度诊疗、过度检查、分解处方、超量开药、重复开药或提供其他不必要的医药服务", description="过度诊疗、过度检查、分解处方、超量开药、重复开药 or other unnecessary services (Jiangsu art. 17(2), art. 43(2)).")
    duplicate_or_excess_charges: bool | None = Field(None, title="重复收费、超标准收费、分解项目收费、转嫁住院费用", description="重复收费、超标准收费、分解项目收费、转嫁住院费用 (Jiangsu art. 17(3), (6), art. 43(3)).")
    substitution_or_upcoding: bool | None = Field(None, title="串换药品、耗材、项目和服务设施，高套低靠病种（组）编码，以药换物", description="串换药品、耗材、项目和服务设施, 高套低靠病种（组）编码, 以药换物 (Jiangsu art. 17(4), (6), art. 43(4)).")
    facilitated_resale_or_kickbacks: bool | None = Field(None, title="为参保人员利用其享受医保待遇的机会转卖药品，接受返还现金、实物或获得其他非法利益提供便利", description="Helped insured persons resell drugs or take cash, goods or other illegal benefits (Jiangsu art. 43(5)).")
    other_breach_causing_loss: bool | None = Field(None, title="其他违反医保协议造成医保基金损失的行为", description="Another breach of the agreement causing a loss to the fund (Jiangsu art. 43(7)).")
    induced_false_treatment: bool | None = Field(None, title="诱导、协助他人冒名或者虚假就医、购药，提供虚假证明材料，或串通他人虚开费用单据", description="Induced or helped impersonated or false visits or purchases, provided false certificates, or colluded in false receipts (Jiangsu art. 17(5), art. 44(1)).")
    falsified_records: bool | None = Field(None, title="伪造、变造、隐匿、涂改、销毁医学文书、会计凭证、电子信息等有关资料", description="Forged, altered, hid, tampered with or destroyed medical, accounting or electronic records (Jiangsu art. 44(2)).")
    fictitious_services: bool | None = Field(None, title="虚构医药服务项目", description="虚构医药服务项目 (Jiangsu art. 44(3)).")
    settled_for_other_institution: bool | None = Field(None, title="为其他定点医药机构、非定点医药机构或处于中止协议期间的医药机构提供医保费用结算", description="Settled insurance costs for another designated, a non-designated, or a suspended 医药机构 (Jiangsu art. 44(4)).")
    refused_or_obstructed_supervision: bool | None = Field(None, title="拒绝、阻挠或者严重不配合智能审核、绩效考核或监督检查", description="拒绝、阻挠或者严重不配合 intelligent review, performance evaluation or inspection (Jiangsu art. 44(5); no 情节恶劣 needed).")
    licence_cancelled_for_sector_violation: bool | None = Field(None, title="因违反卫生健康部门规定被注销、撤销执业许可证或备案凭证", description="Institution cancelled and its practice licence or clinic record withdrawn for violating the health authority's rules (Jiangsu art. 44(6)).")
    major_violation_possible_loss: bool | None = Field(None, title="执法检查发现重大违法违规行为，可能造成医保基金损失", description="Law enforcement found a major violation that may cause a loss (any size) to the fund (Jiangsu art. 44(8)).")
    media_exposure_major_opinion: bool | None = Field(None, title="违法违规行为被媒体曝光，造成重大舆情", description="Exposed by the media for violations, causing a major public-opinion incident (Jiangsu art. 44(9)).")
    other_fund_fraud: bool | None = Field(None, title="其他骗取医疗保障基金支出的行为", description="其他骗取医疗保障基金支出的行为 (Jiangsu art. 44(10)).")
    licence_reissued_for_violation: bool | None = Field(None, title="因违法违规或违反协议被重新核发执业许可证或备案凭证", description="Practice licence or clinic record re-issued because of violations of law or the agreement (Jiangsu art. 35 para. 2).")
    refused_to_correct: bool | None = Field(None, title="拒不改正", description="拒不改正: refused to correct the conduct (Jiangsu arts. 42, 43).")
    serious_impact: bool | None = Field(None, title="造成严重影响", description="造成严重影响: the conduct had a serious impact (Jiangsu art. 42).")
    severe_consequences: bool | None = Field(None, title="造成严重后果", description="造成严重后果: the conduct had severe consequences (Jiangsu art. 43).")
    fraud_purpose: bool | None = Field(None, title="以骗取医疗保障基金为目的", description="以骗取医疗保障基金为目的: the conduct aimed at defrauding the fund (Jiangsu art. 43).")
    particularly_serious: bool | None = Field(None, title="情节特别严重", description="情节特别严重 (Jiangsu art. 44).")
    no_longer_meets_conditions: bool | None = Field(None, title="不再符合定点医疗机构条件", description="The institution no longer meets the conditions of a designated institution (不再符合定点医疗机构条件, Jiangsu art. 34).")
    serious_breach_of_agreement: bool | None = Field(None, title="严重违反医保协议", description="严重违反医保协议 (Jiangsu art. 34).")
    major_violation_of_law: bool | None = Field(None, title="发生重大违法违规行为", description="发生重大违法违规行为 (Jiangsu art. 34).")
    breach_items: list[str] | None = Field(None, title="违约行为所属条款项", description="Items of an agreement's breach-handling articles the conduct was found to fall under, written 'article.item' (e.g. '63.2', '66.4'); [] = none found (青海 agreement arts. 63-67).")
    self_found_and_corrected: bool | None = Field(None, title="机构自查自纠发现并已退回违规费用、提交整改材料", description="Found by the institution's own check before the agency (or its third party) stepped in, with the non-compliant costs refunded and rectification materials submitted (青海 art. 75).")
    larger_fund_loss: bool | None = Field(None, title="造成医保基金较大损失", description="造成医保基金较大损失 (青海 arts. 65, 66).")
    major_fund_loss: bool | None = Field(None, title="造成医保基金重大损失", description="造成医保基金重大损失 (青海 art. 67).")
    large_social_impact: bool | None = Field(None, title="造成社会影响较大", description="造成社会影响较大 (青海 arts. 64-66).")
    serious_social_impact: bool | None = Field(None, title="社会影响严重", description="社会影响严重 (青海 art. 67).")
    egregious_nature: bool | None = Field(None, title="性质恶劣", description="性质恶劣 (青海 art. 67).")
    unqualified_staff_services_billed: bool | None = Field(None, title="不具备资质人员提供服务并纳入医保结算（已停用）", description="No longer read (issue 10): record the item as '67.4' (青海 art. 67(4), also art. 65(10)) in breach_items.")
    services_beyond_licence_billed: bool | None = Field(None, title="超出执业范围提供服务并纳入医保结算（已停用）", description="No longer read (issue 10): record the item as '66.7' (青海 art. 66(7), also art. 65(10)) in breach_items.")
    licence_revoked: bool | None = Field(None, title="执业许可证、诊所备案凭证或中医诊所备案证被吊销", description="Practice licence, clinic record or TCM clinic record revoked (吊销) (青海 art. 67(9)).")
    licence_cancelled: bool | None = Field(None, title="执业许可证、诊所备案凭证或中医诊所备案证被注销", description="Practice licence, clinic record or TCM clinic record cancelled (注销) (青海 art. 80(2)).")
    change_info_inconsistent: bool | None = Field(None, title="变更信息与实际不符", description="Registered change information does not match reality (变更信息与实际不符, 青海 art. 67(6)).")
    major_violation_caused_major_loss: bool | None = Field(None, title="执法检查发现重大违法违规行为，已造成医保基金重大损失", description="Law enforcement found a major violation that caused (not merely may cause) a major loss to the fund (青海 art. 67(8)).")
    law_requires_termination: bool | None = Field(None, title="法律法规规定应当终止医保协议", description="Laws or regulations require termination of the agreement (青海 art. 80(6)).")
    staff_points_threshold_reached: bool | None = Field(None, title="相关责任人员医保支付资格记分达到限值", description="A responsible staff member's payment-qualification points reached the threshold (青海 art. 68).")
    major_fund_risk_inspection: bool | None = Field(None, title="经办机构正在核查可能对医保基金或参保人员造成重大风险的涉嫌违约行为，尚未结束", description="The agency is inspecting a suspected breach that may pose a major risk to the fund or insured persons, and the inspection has not yet been concluded (青海 art. 61 para. 2).")
    admin_penalty_served_on: date | None = Field(None, title="其他部门价格类行政处罚决定送达日期", description="Date a pricing-related administrative penalty decision by another department was served on the institution (青海 art. 7(6): report within 5 days).")
    upload_fault_cleared_at: datetime | None = Field(
        None, title="数据未能及时传送的故障排除时间", description="Date-time the fault that kept data from being transmitted in time was cleared (故障排除, 青海 art. 54: "
        "upload within 24 hours of it), written YYYY-MM-DDTHH:MM, Beijing time.")
    delayed_data_uploaded_at: datetime | None = Field(
        None, title="故障期间滞留数据上传时间", description="Date-time the data held back by that fault were uploaded; absent = not uploaded (青海 art. 54).")
    repayment_notified_on: date | None = Field(None, title="收到退回违规费用或支付违约金通知日期", description="Date the institution received the agency's notice to refund non-compliant costs or pay liquidated damages (青海 art. 60).")
    repaid_on: date | None = Field(None, title="足额退回或支付日期", description="Date those amounts were paid in full; absent = not paid (青海 art. 60).")
    drug_sales: list[DrugSale] | None = Field(None, title="药品购销价格", description="Drugs with purchase and sale prices, for mark-up limits (青海 art. 44).")


class Request(FactModel):
    """The institution's request to suspend, rescind or not renew its agreement (art. 44)."""

    kind: RequestKind | None = Field(None, title="请求事项", description="What is requested.")
    filed_on: date | None = Field(None, title="提出请求日期", description="Date the request was filed.")
    effective_on: date | None = Field(None, title="机构希望生效的日期", description="Date from which the institution wants it to take effect.")
    agency_agreed: bool | None = Field(None, title="经办机构同意", description="The agency agreed (art. 43(12)).")
    agency_notified_on: date | None = Field(
        None, title="经办机构书面告知同意日期", description="Date the agency notified its consent in writing (书面告知之日; Foshan art. 19 para. 1: the suspension or rescission takes effect from it).")


class InformationChange(FactModel):
    """A change of the institution's registered information (art. 40)."""

    is_major: bool | None = Field(None, title="属于重大信息变更", description="A major item (名称、法定代表人、主要负责人或实际控制人、注册地址、银行账户、诊疗科目、机构规模、机构性质、等级和类别).")
    approved_on: date | None = Field(None, title="主管部门批准变更日期", description="Date the competent department approved the change.")
    applied_on: date | None = Field(None, title="向经办机构申请变更日期", description="Date the change was applied for with the agency.")
    concerns_identity_items: bool | None = Field(
        None, title="变更涉及名称、法定代表人、主要负责人或实际控制人、注册地址", description="The change concerns the name, legal representative, principal or actual controller, or registered address (Zhongshan art. 39: the major items for a privately run institution).")
    reregistered_on: date | None = Field(
        None, title="因设置主体或机构性质变化重新登记日期", description="Date the institution re-registered because its founder (设置主体) or nature changed, keeping address, departments, scale and category (Zhongshan art. 39 para. 2: transition of at most 6 months).")
    failed_evaluation_notified_on: date | None = Field(
        None, title="重新登记后评估不合格结果告知送达日期", description="Date the failed result of the evaluation in the designation procedure after re-registration was served (评估结果告知送达之日, Zhongshan art. 39 para. 2: insured services stop from the next day).")
    reveals_ineligibility: bool | None = Field(
        None, title="变更后经审核不再符合申请条件或属于不予受理情形", description="On review, the changed institution no longer meets the application conditions or falls under a non-acceptance ground (Foshan art. 15 para. 2).")


class Claim(FactModel):
    """A declaration of insurance costs for payment (art. 30)."""

    declared_on: date | None = Field(None, title="申报医保费用日期", description="Date the institution declared the costs.")
    paid_on: date | None = Field(None, title="经办机构拨付日期", description="Date the agency paid.")
    refund_notice_received_on: date | None = Field(
        None, title="收到负数结算退款通知日期", description="Date the institution received the refund notice for a negative settlement (Zhongshan art. 31 para. 2: refund within 30 days).")
    review_completed_on: date | None = Field(None, title="费用所属期审核工作完成日期", description="Date the agency completed the review of the costs of the period (费用所属期审核工作完成, 青海 art. 7(3): reconciliation within 30 working days).")


class Case(FactModel):
    """One case: the facts a question is asked about. Sections that a question needs but that are
    absent make its decision undetermined."""

    case_id: str | None = Field(None, title="案例编号", description="Caller's identifier, echoed in the decision.")
    institution: Institution | None = Field(None, title="医疗机构")
    application: Application | None = Field(None, title="定点申请")
    history: History | None = Field(None, title="既往记录")
    agreement: Agreement | None = Field(None, title="医保协议")
    conduct: Conduct | None = Field(None, title="违约违规行为")
    request: Request | None = Field(None, title="机构请求")
    information_change: InformationChange | None = Field(None, title="信息变更")
    claim: Claim | None = Field(None, title="医保费用申报")


Question = Literal["application", "agreement", "request", "conduct", "deadlines"]

__all__ = ["Case", "Claim", "Conduct", "DrugSale", "InformationChange", "ItemisedAmount", "Question", "Request",
           "RequestKind", "enum_label", "fact_label"]
