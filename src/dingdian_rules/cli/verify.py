"""``dingdian-rules verify``: re-run the decisions of a decision log with today's packs and report
which would now differ, and why (a pack, the holiday calendar or the engine changed)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import render
from ..evaluation.verification import Verdict, verify_log
from . import _common as c

__all__ = ["register", "run"]

EPILOG = """examples:
  dingdian-rules evaluate --pack national case.yaml --log audit.jsonl
  dingdian-rules verify audit.jsonl
  dingdian-rules verify audit.jsonl --format json > report.json

Each record is re-evaluated under the pack it names, as that pack reads today, with the
question, as_of and case the record holds. A record differs when the outcome, the fired rules,
the missing facts, deadlines, measures or warning codes differ. Causes: 规则包已变更
(pack-changed), 节假日历已变更 (calendar-changed), 引擎版本已变更 (engine-changed), 日志输入与
摘要不符 (input-mismatch: the line was edited after it was written).

exit codes:
  0  every record re-evaluates to the same decision
  1  some record differs
  2  usage error (bad command line)
  3  a pack a record names does not load any more (its diagnostics are printed; the others are checked)
  4  the log cannot be read, a line is not a record, or a record cannot be re-run
     (file:line printed; the others are checked)"""

STATUS_LABELS = {"same": "相同", "differs": "不同", "error": "无法核对"}
CAUSE_LABELS = {"pack-changed": "规则包已变更", "calendar-changed": "节假日历已变更",
                "engine-changed": "引擎版本已变更", "input-mismatch": "日志输入与摘要不符"}
CHANGE_LABELS = {"outcome": "结论", "fired": "触发的规则", "missing_facts": "缺少的事实", "deadlines": "期限",
                 "measures": "处理措施", "warnings": "警告"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="re-run a decision log with today's packs; report what would differ",
                       description=c.wrap(
                           "Re-evaluate every decision of a decision log (written by `evaluate --log` or "
                           "`explain --log`) with today's packs, and report per record whether it would "
                           "now be the same or differ, and why: the pack, the holiday calendar or the "
                           "engine changed. Shows the old and new outcome and the rules that now fire "
                           "or no longer fire."),
                       epilog=EPILOG, formatter_class=c.Formatter)
    p.add_argument("log", metavar="LOG", help="a decision log (JSON Lines)")
    c.add_format(p, ("text", "json"))
    p.set_defaults(run=run)


def _outcome(code: Any) -> str:
    return f"{render.OUTCOME_LABELS.get(code, code)} [{code}]"


def _lines(v: Verdict) -> list[str]:
    where = f"{c.display_path(v.file)}:{v.line}"
    if v.status == "error":
        codes = ", ".join(sorted({d.code for d in v.diagnostics}))
        return [f"{where}  {STATUS_LABELS['error']}  [{codes}]"]
    head = f"{where}  {STATUS_LABELS[v.status]}  {v.question}  {v.as_of}  决定 {v.decision_id}"
    out = [head]
    if v.causes:
        out.append("    原因：" + "；".join(CAUSE_LABELS.get(x, x) for x in v.causes))
    if "pack-changed" in v.causes or "calendar-changed" in v.causes:
        out.append(f"    指纹：{v.old.get('pack_fingerprint')} → {v.new.get('pack_fingerprint')}")
    if "calendar-changed" in v.causes:
        out.append(f"    节假日历：{_versions(v.old.get('calendar'), v.new.get('calendar'))}")
    if "engine-changed" in v.causes:
        out.append(f"    引擎版本：{v.old.get('engine_version')} → {v.new.get('engine_version')}")
    if v.status == "same":
        return out
    out.append("    变化：" + "、".join(CHANGE_LABELS[x] for x in v.changes))
    if "outcome" in v.changes:
        out.append(f"    结论：{_outcome(v.old['outcome'])} → {_outcome(v.new['outcome'])}")
    else:
        out.append(f"    结论（未变）：{_outcome(v.new['outcome'])}")
    if v.now_fired:
        out.append("    现在触发：" + "、".join(v.now_fired))
    if v.no_longer_fired:
        out.append("    不再触发：" + "、".join(v.no_longer_fired))
    if "missing_facts" in v.changes:
        out.append(f"    缺少的事实：{_list(v.old['missing_facts'])} → {_list(v.new['missing_facts'])}")
    if "deadlines" in v.changes:
        old, new = v.old["deadlines"], v.new["deadlines"]
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                out.append(f"    期限 {key}：{old.get(key) or '无'} → {new.get(key) or '无'}")
    if "warnings" in v.changes:
        out.append(f"    警告：{_list(v.old['warnings'])} → {_list(v.new['warnings'])}")
    return out


def _versions(old: Any, new: dict[str, str]) -> str:
    """The calendar packages whose version changed, e.g. ``chinesecalendar 1.11.0 → 1.12.0``."""
    old = old if isinstance(old, dict) else {}
    return "、".join(f"{k} {old.get(k, '未记录')} → {v}" for k, v in sorted(new.items()) if old.get(k) != v)


def _list(items: list[str]) -> str:
    return "、".join(items) if items else "无"


def run(args: argparse.Namespace) -> int:
    verdicts: list[Verdict] = []
    shown: set[Any] = set()
    text: list[str] = []
    for v in verify_log(args.log):
        verdicts.append(v)
        fresh = [d for d in v.diagnostics if (d.code, d.message, d.location, d.path) not in shown]
        shown.update((d.code, d.message, d.location, d.path) for d in fresh)
        c.print_diagnostics(fresh)  # located errors to standard error, each once (a pack's, for all its records)
        if args.format == "text":
            text.extend(_lines(v))
    counts = {s: sum(v.status == s for v in verdicts) for s in ("same", "differs", "error")}
    pack_failed = any(v.error == "pack" for v in verdicts)
    bad_line = any(v.error in ("line", "evaluation") for v in verdicts)
    if args.format == "json":
        c.emit(json.dumps({"records": [v.to_dict() for v in verdicts],
                           "summary": {"records": len(verdicts), **counts}},
                          ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        text.append("")
        text.append(f"共核对 {len(verdicts)} 条记录：相同 {counts['same']}，不同 {counts['differs']}，"
                    f"无法核对 {counts['error']}")
        c.emit("\n".join(text) + "\n")
    sys.stdout.flush()
    if pack_failed:
        return c.EXIT_PACK
    if bad_line:
        return c.EXIT_CASE
    return c.EXIT_FAILED if counts["differs"] else c.EXIT_OK
