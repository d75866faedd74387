"""``dingdian-rules replay``: run an events file through a supervisor; print what came due and each timeline."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from ..supervisor.event_files import events_file_settings, load_events_file
from ..supervisor.event_models import EventError
from . import _common as c

EPILOG = """examples:
  dingdian-rules replay --pack national events.yaml
  dingdian-rules replay --pack national events.jsonl --as-of 2025-12-31 --format json

An events file is YAML (a list of events, or {events: [...], as_of: YYYY-MM-DD}) or JSON Lines
(.jsonl, one event per line). Each event has type, institution_id and on (YYYY-MM-DD) plus its
own fields (docs/supervision.md lists them). Events after --as-of are not replayed; time is
advanced to --as-of (default: the file's as_of, else the last event's day).
"""

__all__ = ["add_parser", "register", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "replay", help="replay supervision events; print the decisions that came due and each timeline",
        description=c.wrap(
            "Feed an events file to an event-driven supervisor (rules compiled into durable_rules), advance "
            "time to the evaluation date, and print every decision that came due (an event changed the facts, "
            "or a period such as 180 days ran out) and each institution's timeline and standing."),
        epilog=EPILOG + "\n" + c.exit_codes_help({4: "the events file is not valid (its diagnostics are printed)"}), formatter_class=c.Formatter)
    p.add_argument("--pack", "-p", required=True, metavar="ID_OR_PATH", help="bundled pack id or pack folder")
    p.add_argument("events_file", metavar="EVENTS_FILE", help="events as YAML or JSON Lines")
    p.add_argument("--as-of", type=c.iso_date, metavar="YYYY-MM-DD",
                   help="evaluation date (default: the file's as_of, else the last event's day)")
    c.add_format(p, ("text", "json"))
    c.add_lang(p)
    p.set_defaults(run=run)
    return p


register = add_parser  # the name the other verb modules use


def _as_of(args: argparse.Namespace, events: list[Any]) -> date:
    if args.as_of is not None:
        return args.as_of
    raw = events_file_settings(args.events_file).get("as_of")
    if raw is not None:
        try:
            return c.file_date(raw)
        except ValueError:
            raise EventError(f"{args.events_file}: as_of is not a date: {raw!r} (write YYYY-MM-DD)") from None
    if not events:
        raise EventError(f"{args.events_file}: no events, and no --as-of")
    return max(e.on for e in events)


def run(args: argparse.Namespace) -> int:
    from ..supervisor import Supervisor  # durable_rules is imported only by this verb

    pack = c.load(args.pack)
    try:
        events = load_events_file(args.events_file)
        as_of = _as_of(args, events)
        with Supervisor(pack) as sup:
            dues = []
            for e in sorted((e for e in events if e.on <= as_of), key=lambda e: e.on):
                dues += sup.post(e)
            dues += sup.advance(as_of)
            report = _report(sup, dues, as_of)
    except EventError as exc:
        c.print_diagnostics(exc.diagnostics)
        print(f"error: {exc}", file=sys.stderr)
        return c.EXIT_CASE
    if args.format == "json":
        c.emit(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        c.emit(_text(report) if args.lang == "en" else _text_zh(report))
    return c.EXIT_OK


def _report(sup: Any, dues: list[Any], as_of: date) -> dict[str, Any]:
    pack = sup.pack
    out: dict[str, Any] = {
        "pack": {"id": pack.id, "chain": list(pack.chain), "fingerprint": pack.fingerprint},
        "as_of": as_of.isoformat(),
        "due": [d.to_dict() for d in sorted(dues, key=lambda d: (d.on, d.institution_id))],
        "duplicates": [e.model_dump(mode="json", exclude_none=True) for e in sup.duplicates],
        "institutions": {},
    }
    for iid in sup.institutions:
        out["institutions"][iid] = {
            "standing": sup.standing(iid, as_of).to_dict(),
            "timeline": [dict(t.to_dict(), text=t.describe()) for t in sup.timeline(iid)],
        }
    return out


def _text(report: dict[str, Any]) -> str:
    p = report["pack"]
    lines = [f"pack {p['id']} ({' > '.join(p['chain'])}), replayed to {report['as_of']}", ""]
    lines.append(f"decisions that came due ({len(report['due'])}):")
    for d in report["due"]:
        prev = f"{d['previous_outcome']} -> " if d["previous_outcome"] else ""
        fired = f" [{', '.join(d['newly_fired'])}]" if d["newly_fired"] else ""
        missing = f"; missing: {', '.join(d['missing_facts'])}" if d["missing_facts"] else ""
        lines.append(f"  {d['on']}  {d['institution_id']}  {d['question']}: {prev}{d['outcome']}{fired}"
                     f"  ({d['cause']}{missing})")
    if not report["due"]:
        lines.append("  (none)")
    if report["duplicates"]:
        lines.append(f"duplicate events ignored: {len(report['duplicates'])}")
    for iid, inst in report["institutions"].items():
        s = inst["standing"]
        since = f" since {s['since']}" if s["since"] else ""
        rules = f" ({', '.join(s['rule_ids'])})" if s["rule_ids"] else ""
        lines += ["", f"{iid}: {s['state']}{since}{rules}; agreement decision: {s['outcome']}"]
        for t in inst["timeline"]:
            mark = {"event": " ", "due": "→", "duplicate": "×"}[t["kind"]]
            lines.append(f"  {t['on']} {mark} {t['text']}")
    return "\n".join(lines) + "\n"


_STATES_ZH = {"not_started": "协议未开始", "in_force": "协议履行中", "suspended": "协议中止中", "term_ended": "协议期满",
              "rescinded": "协议已解除", "terminated": "协议已终止"}
_EVENTS_ZH = {"term_started": "协议期开始", "term_renewed": "续签", "renewal_failed": "续签未成", "suspension_started": "中止开始",
              "suspension_ended": "中止结束", "resume_applied": "申请继续履行", "rectification_assessed": "整改评估",
              "conduct_found": "发现违约违规行为", "conduct_cleared": "违约违规行为已处理", "licence_revoked": "许可证被吊销",
              "information_changed": "信息变更", "change_applied": "申请变更", "home_region_action": "所在地经办机构处理",
              "other_region_action": "其他统筹地区处理", "request_filed": "机构提出请求", "request_decided": "请求已决定",
              "claim_declared": "申报医保费用", "claim_paid": "医保费用已拨付"}


def _outcome_zh(code: str | None) -> str:
    from ..render.labels import OUTCOME_LABELS
    return "未知" if code is None else f"{OUTCOME_LABELS.get(code, code)}[{code}]"


def _cause_zh(cause: str) -> str:
    if cause == "time":
        return "期间届满"
    kind = cause.removeprefix("event:")
    return f"事件 {_EVENTS_ZH.get(kind, kind)}[{kind}]"


def _value_zh(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + "，".join(f"{k}={_value_zh(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + "，".join(_value_zh(x) for x in v) + "]"
    return "是" if v is True else "否" if v is False else str(v)


def _due_zh(d: dict[str, Any]) -> str:
    from ..render.labels import QUESTION_LABELS, fact_text
    prev = f"{_outcome_zh(d['previous_outcome'])} → " if d["previous_outcome"] else ""
    fired = f" [{', '.join(d['newly_fired'])}]" if d["newly_fired"] else ""
    missing = f"；缺少：{'、'.join(fact_text(f) for f in d['missing_facts'])}" if d["missing_facts"] else ""
    q = d["question"]
    return f"{QUESTION_LABELS.get(q, q)}[{q}]：{prev}{_outcome_zh(d['outcome'])}{fired}（{_cause_zh(d['cause'])}{missing}）"


def _text_zh(report: dict[str, Any]) -> str:
    """The replay in Chinese: the decisions that came due, then each institution's standing and timeline."""
    p = report["pack"]
    lines = [f"规则包 {p['id']}（{' > '.join(p['chain'])}），重放至 {report['as_of']}", "",
             f"到期的决定（{len(report['due'])}）："]
    lines += [f"  {d['on']}  {d['institution_id']}  {_due_zh(d)}" for d in report["due"]] or ["  （无）"]
    if report["duplicates"]:
        lines.append(f"已忽略的重复事件：{len(report['duplicates'])}")
    for iid, inst in report["institutions"].items():
        s = inst["standing"]
        since = f"，自 {s['since']} 起" if s["since"] else ""
        rules = f"（{', '.join(s['rule_ids'])}）" if s["rule_ids"] else ""
        lines += ["", f"{iid}：{_STATES_ZH.get(s['state'], s['state'])}[{s['state']}]{since}{rules}；"
                      f"协议决定：{_outcome_zh(s['outcome'])}"]
        for t in inst["timeline"]:
            if t["kind"] == "due":
                lines.append(f"  {t['on']} → {_due_zh(t['due'])}")
                continue
            event = dict(t["event"])
            kind = event.pop("type")
            data = "，".join(f"{k}={_value_zh(v)}" for k, v in event.items() if k not in ("institution_id", "on"))
            dup = "（重复，已忽略）" if t["kind"] == "duplicate" else ""
            lines.append(f"  {t['on']} {'×' if dup else ' '} {_EVENTS_ZH.get(kind, kind)}[{kind}]" + (f"（{data}）" if data else "") + dup)
    return "\n".join(lines) + "\n"

