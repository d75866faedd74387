"""The durable_rules side of a supervisor: one ruleset on a host without dispatch threads, one
fact per institution replaced on change, and the JSON that durable_rules' parser reads back with
the same values (``wire_json``).
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from typing import Any

import durable.engine as _dr
import durable_rules_engine as _dre

from .compiler import CompiledPack


def wire_json(fact: dict[str, Any]) -> str:
    """A fact (a flat mapping of text to text, booleans and numbers) as JSON that durable_rules
    reads with the same values. Its parser refuses an exponent without a fraction (``1e+16``,
    ``1e-05``: error 204, which ``json.dumps`` writes for every float from 1e16 and below 1e-4)
    and saturates integers beyond 64 bits, so a float is written with a fraction (``1.0e+16``) and
    such an integer as the nearest float; an infinite one (arithmetic past 1.8e308) as ±1.0e+999."""
    out = []
    for key, v in fact.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            text = _wire_number(v)
        else:
            text = json.dumps(v, ensure_ascii=False)
        out.append(f"{json.dumps(key, ensure_ascii=False)}: {text}")
    return "{" + ", ".join(out) + "}"


def _wire_number(v: int | float) -> str:
    if isinstance(v, int) and -2**63 <= v < 2**63:
        return str(v)
    x = float(max(min(v, 10**308), -10**308)) if isinstance(v, int) else v
    if x != x:  # NaN is not a number durable_rules can compare: fail here, in words
        raise ValueError("a NaN cannot be sent to durable_rules")
    if x in (float("inf"), float("-inf")):
        return "1.0e+999" if x > 0 else "-1.0e+999"
    mantissa, e, exponent = repr(x).partition("e")
    return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else repr(x)


class _QuietHost(_dr.Host):
    """A durable_rules host of our own, without the dispatch threads (no timers or async actions
    are used: time is driven by ``advance``), so closing it cannot race a background thread."""

    def _run(self) -> None:
        pass


class _Engine:
    """One durable_rules ruleset (one per supervisor): one fact per institution, replaced on change."""

    def __init__(self, compiled: CompiledPack) -> None:
        safe = re.sub(r"[^A-Za-z0-9_]", "_", compiled.pack.id)
        self.name = f"dd_{safe}_{uuid.uuid4().hex}"
        self.hits: list[tuple[int, str]] = []
        hits = self.hits

        def action(index: int, kind: str):
            def run(c: Any) -> None:  # one argument: durable_rules treats two as an async action
                hits.append((index, kind))
            return run

        self.host = _QuietHost()
        self.host.register_rulesets({self.name: compiled.definition(action)})
        self.ruleset = rs = self.host.get_ruleset(self.name)
        # facts go to the engine in the JSON its parser reads (see wire_json), not json.dumps'
        rs.assert_fact = lambda fact: rs._handle_result(_dre.assert_fact(rs._handle, wire_json(fact)), fact)
        rs.retract_fact = lambda fact: rs._handle_result(_dre.retract_fact(rs._handle, wire_json(fact)), fact)
        self._ids = itertools.count(1)

    def replace(self, institution_id: str, old: dict[str, Any] | None, record: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[int, str]]]:
        if old is not None:
            self.retract(old)
        fact = {"id": f"{institution_id}#{next(self._ids)}", "inst": institution_id, "k": "s", **record}
        self.hits.clear()
        try:
            self.host.assert_fact(self.name, fact)
        except _dr.MessageNotHandledException:
            pass  # no rule fired or is unknown: every rule is definitely not firing
        out = list(self.hits)
        self.hits.clear()
        return fact, out

    def retract(self, fact: dict[str, Any]) -> None:
        try:
            self.host.retract_fact(self.name, fact)
        except _dr.MessageNotHandledException:
            pass

    def facts(self) -> list[dict[str, Any]]:
        try:
            return self.host.get_facts(self.name)
        except Exception:  # durable_rules raises a bare error (309) when no fact was ever asserted
            return []

    def close(self) -> None:
        """Free the engine's memory: the session holding the facts first (``delete_ruleset`` alone
        frees the rule network but not the session, about 0.8 MB per supervisor), then the ruleset."""
        try:
            _dre.delete_state(self.ruleset._handle, "0")  # every fact lives in the default session
        except Exception:  # durable_rules raises a bare error when no fact was ever asserted
            pass
        _dre.delete_ruleset(self.ruleset._handle)
        self.host._ruleset_directory.clear()
        self.host._ruleset_list.clear()
