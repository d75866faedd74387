"""What makes a decision a record: its id, the engine version, and a digest of its input.

Every ``Decision`` gets an id when it is made: a UUIDv7 (RFC 9562), 48 bits of Unix time in
milliseconds followed by 74 random bits. Random bits make ids unique without coordination
between the processes, workers and machines that decide (no counter to share, no clock to
trust beyond the millisecond); the leading time makes ids sort in the order decisions were made,
so a log, a database index or a ``sort`` keeps time order, and the id itself says when the
decision was made (``decided_at`` is read from it, not from a second clock reading). Python 3.11
has no ``uuid.uuid7``, and the layout is simple enough to build here (docs/decision.md).

The input digest hashes the canonical input: the pack's id and fingerprint, the question, the
evaluation date, and the case as the validated fact model dumps it (JSON values, facts not
given left out, keys sorted), so the same input written differently (key order, ``null`` or an
omitted fact, a date-time with ``T`` or a space, YAML or JSON) has the same digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from datetime import date, datetime, timezone
from typing import Any

from ..time import calendar_versions

__all__ = ["ENGINE_VERSION", "canonical_case", "canonical_json", "decided_at", "format_id", "input_digest",
           "new_decision_id", "record_dict"]

# The package's version (``dingdian_rules.__version__`` is this constant; keep it equal to
# pyproject.toml's, which a test checks). Kept here, below the evaluator, so that a decision can
# name its engine without importing the package's top level (an import cycle).
ENGINE_VERSION = "0.1.0"

_MASK_48 = (1 << 48) - 1
_MASK_12 = (1 << 12) - 1
_MASK_62 = (1 << 62) - 1


# The random bits come from a generator seeded from the operating system's CSPRNG once per process,
# and again in a forked child (which would otherwise repeat its parent's ids): os.urandom for every
# id cost 1.1 µs, 4% of an untraced decision, for unpredictability a decision id does not need
# (RFC 9562 asks for it as a SHOULD, for ids that double as secrets); 74 random bits a millisecond
# keep ids unique, and getrandbits is atomic under the GIL, so threads never share one.
_RANDOM = random.Random(os.urandom(32))


def _reseed() -> None:
    _RANDOM.seed(os.urandom(32))


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed)


def new_decision_id() -> int:
    """A fresh UUIDv7 as a 128-bit integer (formatted only when asked: ``format_id``)."""
    ms = time.time_ns() // 1_000_000
    rand = _RANDOM.getrandbits(74)  # 12 bits for rand_a, 62 for rand_b
    return ((ms & _MASK_48) << 80) | (0x7 << 76) | ((rand >> 62 & _MASK_12) << 64) | (0b10 << 62) | (rand & _MASK_62)


def format_id(n: int) -> str:
    """The id as UUID text, ``xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx`` in lowercase hex."""
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def decided_at(n: int) -> datetime:
    """When the decision with id ``n`` was made: the id's milliseconds, in UTC."""
    return datetime.fromtimestamp((n >> 80) / 1000, timezone.utc)


def _utc_text(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def canonical_case(case: Any) -> dict[str, Any]:
    """The case as the validated fact model dumps it: JSON values (dates ``YYYY-MM-DD``, date-times
    ``YYYY-MM-DDTHH:MM:SS``, enums by value), facts not given left out. ``parse_case`` reads it back
    to an equal case, which is how ``verify`` re-runs a logged decision."""
    return case.model_dump(mode="json", exclude_none=True)


def canonical_json(value: Any) -> bytes:
    """Keys sorted, no spaces, UTF-8 (a lone surrogate, which valid input can carry, passes)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def input_digest(pack_id: str, fingerprint: str, question: str, as_of: date, case: Any) -> str:
    """``sha256:`` of the canonical input of a decision (see the module docstring)."""
    canon = {"pack": {"id": pack_id, "fingerprint": fingerprint}, "question": question,
             "as_of": as_of.isoformat(), "case": canonical_case(case)}
    return "sha256:" + hashlib.sha256(canonical_json(canon)).hexdigest()


def record_dict(n: int, digest: str) -> dict[str, Any]:
    """The ``record`` object of the JSON of the decision with id ``n`` and input digest ``digest``
    (docs/decision.md): id, time, engine, digest, and the calendar packages' versions (which the
    pack fingerprint covers too)."""
    return {"decision_id": format_id(n), "decided_at": _utc_text(decided_at(n)), "engine_version": ENGINE_VERSION,
            "input_digest": digest, "calendar": calendar_versions()}
