"""A synthetic registry of institutions for trying batch and columnar evaluation without real data.

``registry_rows(n, seed=...)`` yields ``n`` rows in the batch verb's table form (one row one entry:
``id``, ``question``, ``as_of``, then one column per fact with a dotted name, ``COLUMNS``);
``arrow_table(rows)`` makes them a pyarrow Table, ``write_registry(path, n, seed=...)`` writes them as Parquet (native date, list and list-of-struct
columns, pyarrow), JSON Lines (``{"id", "question", "as_of", "case"}`` entries) or CSV (lists as
JSON text), chosen by the extension. The same seed gives the same rows, on any machine.

Built like ``bench/cases.py`` (plain ``random.Random``, not hypothesis: volume, not shrinking),
but aimed at a plausible population rather than at rule boundaries: institution types in rough
proportions of China's registry (village clinics and clinics most, hospitals few), beds by type,
operating dates up to 30 years back, most institutions clean and a few with adverse facts, and
each leaf fact left unknown with probability ``unknown_rate`` so that undetermined outcomes occur.
Rows ask ``application`` (new applicants) or ``agreement`` (designated institutions under an
agreement). Command line::

    python -m dingdian_rules.testing.registry --count 100000 --seed 1 --output registry.parquet

Nothing here needs hypothesis or polars; Parquet needs pyarrow (the ``parquet`` extra). Being in
``dingdian_rules.testing``, whose package imports hypothesis, the module needs the ``test`` extra
to be imported; see docs/columnar.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from calendar import monthrange
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import CaseError

__all__ = ["COLUMNS", "DEFAULT_AS_OF", "TYPE_SHARES", "arrow_table", "as_entry", "registry_rows", "write_registry", "main"]

DEFAULT_AS_OF = date(2025, 6, 1)

# (type, share in %, beds: (low, high) of a uniform draw, or None for none). Rough shares of the
# 2023 national health statistics' counts (村卫生室 ~58万, 诊所/门诊部 ~30万, 基层卫生院/中心 ~7万,
# 医院 ~3.8万), with the smallest kinds given a visible share so every art. 5 item occurs.
TYPE_SHARES: tuple[tuple[str, float, tuple[int, int] | None], ...] = (
    ("village_clinic", 30, None), ("clinic", 24, None), ("outpatient_department", 9, (0, 20)),
    ("health_station", 3, None), ("community_health_center", 8, (0, 60)), ("township_health_center", 6, (10, 120)),
    ("central_health_center", 1.5, (40, 200)), ("subdistrict_health_center", 0.5, (0, 60)),
    ("general_hospital", 6, (20, 1500)), ("tcm_hospital", 2, (30, 800)), ("integrated_hospital", 0.5, (30, 500)),
    ("ethnic_medicine_hospital", 0.2, (20, 300)), ("specialty_hospital", 3.5, (10, 500)),
    ("rehabilitation_hospital", 1, (30, 300)), ("maternal_child_health_hospital", 0.7, (20, 600)),
    ("disease_prevention_institute", 0.3, (0, 80)), ("emergency_center", 0.1, None), ("hospice_center", 0.2, (10, 60)),
    ("dialysis_center", 0.6, None), ("nursing_home", 0.9, (50, 300)), ("eldercare_medical_unit", 0.8, (0, 50)),
    ("internet_hospital", 0.5, None), ("other", 0.2, (0, 50)),
)
_NATIONAL_MATERIALS = ("application_form", "licence_copy", "management_and_finance_rules", "it_system_materials",
                       "fund_use_forecast", "provincial_other_materials")
_CITY_MATERIALS = ("staff_roster", "equipment_list", "internal_management_rules")
_YES = ("principal_in_charge_of_insurance", "has_insurance_staff", "has_insurance_department",
        "has_full_time_insurance_staff", "has_required_systems", "has_it_connection",
        "meets_other_statutory_conditions", "basic_services_follow_price_policy")
_NO = ("main_scope_non_basic", "has_unfulfilled_admin_penalty", "other_statutory_non_acceptance_ground")
# Conditions only provincial and city packs read (Jiangsu art. 6), so that comparing packs on a
# registry compares their rules, not facts the generator left unknown.
_YES_LOCAL = ("has_insurance_policy_rules", "can_upgrade_it_system", "can_bear_civil_liability")
# The 互联网+ conditions of Guangdong's and Jiangsu's packs: an internet hospital's, unknown for others.
_INTERNET_PLUS = ("internet_plus_approved", "internet_plus_data_exchange_and_payment", "internet_plus_data_exchange_ready",
                  "internet_plus_full_traceability", "internet_plus_insurance_code_full_process",
                  "internet_plus_real_name_auth", "internet_plus_separates_online_business",
                  "internet_plus_verifies_follow_up")
_CONDUCT = ("breached_agreement", "major_fund_risk", "data_not_provided_or_false", "agreement_requires_suspension",
            "law_requires_suspension", "obtained_designation_by_fraud", "insurance_fraud_confirmed",
            "settled_for_non_designated", "obstructed_supervision_seriously", "major_change_not_registered",
            "closure_not_reported", "major_violation_major_loss", "principal_unable_or_dishonest",
            "admin_penalty_decision_unfulfilled", "agreement_requires_rescission", "law_requires_rescission",
            "licence_revoked", "licence_cancelled")
# Grounds only provincial and city packs read (Jiangsu, Qinghai, Zhongshan), each as rare as a national one.
_CONDUCT_LOCAL = ("falsified_records", "fictitious_services", "induced_false_treatment",
                  "licence_cancelled_for_sector_violation", "licence_reissued_for_violation", "major_violation_of_law",
                  "major_violation_possible_loss", "media_exposure_major_opinion", "no_longer_meets_conditions",
                  "other_fund_fraud", "particularly_serious", "refused_or_obstructed_supervision",
                  "serious_breach_of_agreement", "settled_for_other_institution", "change_info_inconsistent",
                  "egregious_nature", "fraud_purpose", "large_social_impact", "larger_fund_loss",
                  "law_requires_termination", "major_fund_loss", "major_fund_risk_inspection",
                  "major_violation_caused_major_loss", "serious_social_impact", "false_information_in_change_filing",
                  "licence_expired")
_AGREEMENT_LOCAL = ("renewal_delayed_by_agency", "renewal_refused_by_institution",
                    "force_majeure_prevents_performance")  # Qinghai arts. 83-85

_PERSON = {"role": "str", "is_on_dishonesty_list": "bool", "serious_violation_rescissions": "list<date>"}
_RESCISSION = {"on": "date", "ground": "str", "admin_penalty_fulfilled": "bool", "breach_liability_fulfilled": "bool"}
_EVALUATION = {"result": "str", "notified_on": "date", "is_reevaluation": "bool"}
_SUSPENSION = {"started_on": "date", "ended_on": "date", "requested_by_institution": "bool",
               "rectified_as_required": "bool", "resume_applied_on": "date"}

# Every column and its kind; a kind is "str", "date", "int", "bool", "list<str>", "list<date>" or
# a dict (a list of structs with those fields). Parquet stores these kinds natively.
COLUMNS: dict[str, Any] = {
    "id": "str", "question": "str", "as_of": "date",
    "institution.name": "str", "institution.type": "str", "institution.licence": "str",
    "institution.is_public": "bool", "institution.operating_since": "date", "institution.beds": "int",
    "institution.physicians_first_registered_here": "int",
    **{f"institution.{f}": "bool" for f in _YES + _NO + _YES_LOCAL + _INTERNET_PLUS + ("physical_institution_designated",)},
    "institution.people": _PERSON,
    "application.submitted_on": "date", "application.materials_received_on": "date",
    "application.accepted_on": "date", "application.materials": "list<str>", "application.supplement_days": "int",
    "application.is_internet_supplementary": "bool", "application.province_requires_other_materials": "bool",
    "application.failed_evaluation_notified_on": "date", "application.permits_verifiable_by_data_sharing": "bool",
    "application.publicity_started_on": "date", "application.publicity_art9_ground_confirmed": "bool",
    "application.objection_review_failed": "bool",
    "history.fraudulent_application_found_on": "list<date>", "history.rescissions": _RESCISSION,
    "history.evaluations": _EVALUATION,
    "agreement.term_start": "date", "agreement.term_end": "date", "agreement.renewal_agreed": "bool",
    "agreement.is_home_region": "bool", "agreement.home_region_action": "str", "agreement.suspensions": _SUSPENSION,
    "agreement.other_region_action": "str", "agreement.other_region_in_province": "bool",
    **{f"agreement.{f}": "bool" for f in _AGREEMENT_LOCAL},
    **{f"conduct.{f}": "bool" for f in _CONDUCT + _CONDUCT_LOCAL + ("self_found_and_corrected",)},
    "conduct.breach_items": "list<str>", "conduct.licence_revoked_or_cancelled": "bool",
    "information_change.is_major": "bool", "claim.declared_on": "date",
}


def _shift(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


class _Registry:
    """One seeded stream of rows."""

    def __init__(self, seed: int, as_of: date, unknown_rate: float, agreement_share: float) -> None:
        self.r, self.as_of = random.Random(seed), as_of
        self.unknown_rate, self.agreement_share = unknown_rate, agreement_share
        self.types = [t for t, _, _ in TYPE_SHARES]
        self.weights = [w for _, w, _ in TYPE_SHARES]
        self.beds = {t: b for t, _, b in TYPE_SHARES}

    def known(self, value: Any) -> Any:
        """The value, or None (unknown) with probability ``unknown_rate``."""
        return None if self.r.random() < self.unknown_rate else value

    def days_back(self, low: int, high: int) -> date:
        return self.as_of - timedelta(days=self.r.randint(low, high))

    def row(self, number: int) -> dict[str, Any]:
        r = self.r
        adversity = r.choice((0.0, 0.0, 0.0, 0.0, 0.01, 0.03, 0.1))  # most institutions clean, a few troubled

        def bad() -> bool:
            return r.random() < adversity

        kind = r.choices(self.types, self.weights)[0]
        question = "agreement" if r.random() < self.agreement_share else "application"
        out: dict[str, Any] = {name: None for name in COLUMNS}
        out.update({"id": f"R{number:07d}", "question": question, "as_of": self.as_of})
        out.update(self.institution(kind, bad))
        out.update(self.application(kind, bad) if question == "application" else self.agreement(bad, adversity))
        return out

    def institution(self, kind: str, bad: Callable[[], bool]) -> dict[str, Any]:
        r, k = self.r, self.known
        span = self.beds[kind]
        beds = 0 if span is None else min(span[1], max(span[0], int(r.lognormvariate(0, 0.8) * sum(span) / 4)))
        licence = "tcm_clinic_record" if kind == "clinic" and r.random() < 0.25 else "practice_licence"
        if bad():
            licence = r.choice(("none", "clinic_record", "military_civilian_service"))
        since = (_shift(self.as_of, -3) + timedelta(days=r.randint(-2, 2)) if r.random() < 0.05
                 else self.days_back(30, 30 * 365))
        out = {"institution.name": f"{kind}-{r.randint(1, 99999):05d}", "institution.type": k(kind),
               "institution.licence": k(licence), "institution.is_public": k(r.random() < (0.6 if beds else 0.2)),
               "institution.operating_since": k(since), "institution.beds": k(beds),
               "institution.physicians_first_registered_here": k(0 if bad() else r.randint(1, 5 + beds // 20)),
               "institution.physical_institution_designated": k(not bad()) if kind == "internet_hospital" else None}
        out.update({f"institution.{f}": k(not bad()) for f in _YES + _YES_LOCAL})
        online = kind == "internet_hospital"
        out.update({f"institution.{f}": k(not bad()) if online else None for f in _INTERNET_PLUS})
        out.update({f"institution.{f}": k(bad()) for f in _NO})
        people = [{"role": role, "is_on_dishonesty_list": k(bad()),
                   "serious_violation_rescissions": k([self.days_back(0, 8 * 365)] if bad() else [])}
                  for role in ("legal_representative", "principal")[:r.randint(0, 2)]]
        out["institution.people"] = k(people)
        return out

    def application(self, kind: str, bad: Callable[[], bool]) -> dict[str, Any]:
        r, k = self.r, self.known
        received = self.days_back(0, 90)
        # every material some bundled pack asks for (a registry is not one city's): one missing for a troubled few
        materials = list(_NATIONAL_MATERIALS) + list(_CITY_MATERIALS)
        if bad():
            materials.remove(r.choice(materials))
        history = {
            "history.fraudulent_application_found_on": k([self.days_back(0, 6 * 365)] if bad() else []),
            "history.rescissions": k([{"on": self.days_back(0, 6 * 365),
                                       "ground": r.choice(("violation_of_law", "serious_breach", "other")),
                                       "admin_penalty_fulfilled": k(not bad()),
                                       "breach_liability_fulfilled": k(not bad())}] if bad() else []),
            "history.evaluations": k([{"result": "failed" if bad() else "passed", "notified_on": self.days_back(0, 3 * 365),
                                       "is_reevaluation": r.random() < 0.5}] if r.random() < 0.1 else []),
        }
        return {"application.submitted_on": received, "application.materials_received_on": k(received),
                "application.accepted_on": k(received + timedelta(days=r.randint(0, 10))),
                "application.materials": k(materials), "application.supplement_days": k(r.choice((0, 0, 0, 5, 15, 30))),
                "application.is_internet_supplementary": k(kind == "internet_hospital" and not bad()),
                "application.province_requires_other_materials": k(r.random() < 0.7),
                "application.failed_evaluation_notified_on": self.days_back(0, 200) if r.random() < 0.05 else None,
                "application.permits_verifiable_by_data_sharing": k(r.random() < 0.5),
                # publicity (公示) follows a passed evaluation: begun for a few, with rare upheld objections
                **({"application.publicity_started_on": k(received + timedelta(days=r.randint(30, 80))),
                    "application.publicity_art9_ground_confirmed": k(bad()),
                    "application.objection_review_failed": k(bad())}
                   if r.random() < 0.1 and received + timedelta(days=80) <= self.as_of else {}),
                **history}

    def agreement(self, bad: Callable[[], bool], adversity: float) -> dict[str, Any]:
        r, k = self.r, self.known
        start = self.days_back(0, 3 * 365 - 1)
        suspensions = []
        if bad():
            started = self.days_back(0, 300)
            ended = started + timedelta(days=r.randint(10, 200)) if r.random() < 0.5 else None
            suspensions.append({"started_on": started, "ended_on": ended if ended and ended <= self.as_of else None,
                                "requested_by_institution": k(r.random() < 0.3),
                                "rectified_as_required": k(not bad()), "resume_applied_on": None})
        out = {"agreement.term_start": k(start), "agreement.term_end": k(_shift(start, 36) - timedelta(days=1)),
               "agreement.renewal_agreed": k(not bad()), "agreement.is_home_region": k(r.random() < 0.95),
               "agreement.home_region_action": k("none" if not bad() else r.choice(("suspended", "rescinded"))),
               "agreement.suspensions": k(suspensions), "information_change.is_major": k(bad()),
               "claim.declared_on": k(self.days_back(0, 60))}
        region = r.random()
        out["agreement.other_region_action"] = k("none" if region < 0.9 or not bad() else r.choice(("suspended", "rescinded")))
        out["agreement.other_region_in_province"] = k(region < 0.97)
        out.update({f"agreement.{f}": k(bad()) for f in _AGREEMENT_LOCAL})
        conduct = {f: k(r.random() < adversity / 3) for f in _CONDUCT + _CONDUCT_LOCAL}  # many grounds: each rarer
        parts = (conduct["licence_revoked"], conduct["licence_cancelled"])
        either = True if True in parts else None if None in parts else False  # the combined fact is their `or`
        out.update({f"conduct.{f}": v for f, v in conduct.items()})
        # Qinghai's breach items ('article.item', arts. 63-67): none for most, one for a troubled few
        items = [f"{a}.{r.randint(1, 12)}" for a in (r.choice((63, 64, 65, 66, 67)),)] if bad() else []
        out["conduct.breach_items"] = k(items)
        out["conduct.self_found_and_corrected"] = k(bool(items) and r.random() < 0.3)
        out["conduct.licence_revoked_or_cancelled"] = either
        return out


def registry_rows(count: int, *, seed: int = 1, as_of: date = DEFAULT_AS_OF, unknown_rate: float = 0.01,
                  agreement_share: float = 0.3) -> Iterator[dict[str, Any]]:
    """``count`` rows keyed by ``COLUMNS`` (None: a fact not given), the same for the same arguments."""
    if not 0 <= unknown_rate <= 1 or not 0 <= agreement_share <= 1:
        raise ValueError("unknown_rate and agreement_share are probabilities between 0 and 1")
    reg = _Registry(seed, as_of, unknown_rate, agreement_share)
    return (reg.row(i) for i in range(1, count + 1))


def _arrow_type(pa: Any, kind: Any) -> Any:
    if isinstance(kind, dict):
        return pa.list_(pa.struct([(f, _arrow_type(pa, k)) for f, k in kind.items()]))
    if kind.startswith("list<"):
        return pa.list_(_arrow_type(pa, kind[5:-1]))
    return {"str": pa.string(), "date": pa.date32(), "int": pa.int64(), "bool": pa.bool_()}[kind]


def arrow_table(rows: list[dict[str, Any]]) -> Any:
    """Rows of ``registry_rows`` as a ``pyarrow.Table`` with ``COLUMNS``' native types (for
    ``polars.from_arrow`` or a Parquet file); needs pyarrow."""
    import pyarrow as pa
    return pa.Table.from_pylist(rows, schema=_arrow_schema(pa))


def _arrow_schema(pa: Any) -> Any:
    return pa.schema([(name, _arrow_type(pa, kind)) for name, kind in COLUMNS.items()])


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def as_entry(row: dict[str, Any]) -> dict[str, Any]:
    """A row as a batch entry: settings at the top, facts nested under ``case``."""
    case: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or name in ("id", "question", "as_of"):
            continue
        *sections, leaf = name.split(".")
        target = case
        for s in sections:
            target = target.setdefault(s, {})
        target[leaf] = value
    return {"id": row["id"], "question": row["question"], "as_of": row["as_of"], "case": case}


def write_registry(path: str | Path, count: int, *, seed: int = 1, as_of: date = DEFAULT_AS_OF,
                   unknown_rate: float = 0.01, agreement_share: float = 0.3, chunk_rows: int = 65536) -> int:
    """Write a registry of ``count`` rows to ``path`` (.parquet, .jsonl or .csv) a chunk at a time,
    so memory stays bounded; returns the number of rows written."""
    path = Path(path)
    rows = registry_rows(count, seed=seed, as_of=as_of, unknown_rate=unknown_rate, agreement_share=agreement_share)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        from ..batch.tables import pyarrow_parquet  # pyarrow only now; a missing extra is a CaseError naming it
        pq = pyarrow_parquet()
        import pyarrow as pa
        with pq.ParquetWriter(str(path), _arrow_schema(pa)) as writer:
            chunk: list[dict[str, Any]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == chunk_rows:
                    writer.write_table(arrow_table(chunk))
                    chunk = []
            if chunk or count == 0:
                writer.write_table(arrow_table(chunk))
    elif suffix in (".jsonl", ".ndjson"):
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(as_entry(row), ensure_ascii=False, default=_json_value) + "\n")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS)
            for row in rows:  # settings as text; facts by the batch reader's rule: JSON values, "" = not given
                out.writerow(["" if v is None else v.isoformat() if isinstance(v, date)
                              else v if name in ("id", "question") else json.dumps(v, ensure_ascii=False,
                                                                                   default=_json_value)
                              for name, v in row.items()])
    else:
        raise ValueError(f"cannot tell the format of '{path}': name it .parquet, .jsonl or .csv")
    return count


def main(argv: list[str] | None = None) -> int:
    """``python -m dingdian_rules.testing.registry --count N --seed S --output registry.parquet``."""
    ap = argparse.ArgumentParser(prog="python -m dingdian_rules.testing.registry",
                                 description="Write a synthetic registry of institutions (Parquet, JSONL or CSV).")
    ap.add_argument("--count", type=int, required=True, help="number of rows (institutions)")
    ap.add_argument("--seed", type=int, default=1, help="the same seed gives the same file")
    ap.add_argument("--output", required=True, help="registry.parquet, registry.jsonl or registry.csv")
    ap.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF, help="evaluation date of every row")
    ap.add_argument("--unknown-rate", type=float, default=0.01, help="share of facts left unknown")
    ap.add_argument("--agreement-share", type=float, default=0.3, help="share of rows asking the agreement question")
    args = ap.parse_args(argv)
    try:
        write_registry(args.output, args.count, seed=args.seed, as_of=args.as_of, unknown_rate=args.unknown_rate,
                       agreement_share=args.agreement_share)
    except (ValueError, OSError, CaseError) as exc:  # CaseError: Parquet without pyarrow, naming the extra
        ap.exit(2, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
