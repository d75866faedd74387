"""A decision's own id and time (schema 5, ``record.decision_id`` and ``record.decided_at``): two
decisions of the same input differ only there, so tests that compare outputs mask them, and
tests/test_records.py checks them on their own."""

from __future__ import annotations

import re
from typing import Any

UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DECIDED_AT = re.compile(r'"decided_at": ?"[0-9T:.-]+Z"')
OWN = ("decision_id", "decided_at")


def mask_ids(text: str) -> str:
    """JSON or text output with each decision's id and time replaced by placeholders."""
    return DECIDED_AT.sub('"decided_at": "<time>"', UUID7.sub("<decision-id>", text))


def mask_id_bytes(data: bytes) -> bytes:
    return mask_ids(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def without_ids(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision's JSON without its own id and time; everything else, the input digest included, kept."""
    return {**decision, "record": {k: v for k, v in decision["record"].items() if k not in OWN}}
