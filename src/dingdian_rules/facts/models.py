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
from .values import FactEnum, FactModel


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
