"""``evaluate_many``: a stream of entries in, a stream of results out, in input order, in this
process or in several.

It pulls entries only as results are taken: with ``jobs=1`` one at a time, with ``jobs=N`` at most
``2 * N`` chunks ahead, so a generator of a million entries is never held in memory. Each worker
process loads the pack once, from its folder, and must find the same fingerprint as the caller's
pack (a pack loaded with extra holiday arrangements cannot be reloaded that way).
"""

from __future__ import annotations

from collections import deque
from datetime import date
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

from ..errors import EvaluationError
from ..packs.plans import QUESTIONS
from ..packs.resolved import ResolvedPack
from .entries import BatchResult, Entry, run_entry

__all__ = ["evaluate_many"]

_worker: dict[str, Any] = {}


def _entries(entries: Iterable[Entry | Mapping[str, Any]]) -> Iterator[Entry]:
    for n, e in enumerate(entries, 1):
        yield e if isinstance(e, Entry) else Entry(e, "<entries>", n)


def evaluate_many(pack: ResolvedPack, entries: Iterable[Entry | Mapping[str, Any]], *, jobs: int = 1,
                  question: str | None = None, as_of: date | None = None,
                  chunk_size: int = 256) -> Iterator[BatchResult]:
    """Evaluate each entry (``{"question", "as_of", "case", "id"}`` as a case file writes it, or
    the bare case; or an ``Entry`` from ``batch.read_entries``) and yield one ``BatchResult`` per
    entry, in input order: its decisions, or its located errors. A bad entry never stops the rest.

    ``question`` and ``as_of`` win over the entries' own (as on the command line); without a
    question every question the case gives facts for is asked. ``jobs > 1`` evaluates chunks of
    ``chunk_size`` entries in that many processes; their results carry the decisions as JSON
    (``BatchResult.payload``) rather than ``Decision`` objects.
    """
    if question is not None and question not in QUESTIONS:
        raise EvaluationError(f"unknown question {question!r}; questions: {', '.join(QUESTIONS)}")
    if jobs < 1 or chunk_size < 1:
        raise ValueError("jobs and chunk_size must be at least 1")
    if jobs == 1:
        return (run_entry(pack, e, question, as_of) for e in _entries(entries))
    return _parallel(pack, _entries(entries), jobs, question, as_of, chunk_size)


def _init(folder: str, fingerprint: str) -> None:
    from ..packs.loader import load_pack
    pack = load_pack(folder)
    if pack.fingerprint != fingerprint:
        _worker["error"] = (f"the pack at {folder} loads with fingerprint {pack.fingerprint[:12]}…, not the caller's "
                            f"{fingerprint[:12]}… (was it loaded with extra holidays, or changed since?)")
    _worker["pack"] = pack


def _work(chunk: list[Entry], question: str | None, as_of: date | None) -> list[BatchResult]:
    if "error" in _worker:
        raise EvaluationError(_worker["error"])
    return [run_entry(_worker["pack"], e, question, as_of).detached() for e in chunk]


def _parallel(pack: ResolvedPack, entries: Iterator[Entry], jobs: int, question: str | None, as_of: date | None,
              chunk_size: int) -> Iterator[BatchResult]:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(str(pack.folders[-1]), pack.fingerprint)) as pool:
        pending: deque = deque()
        try:
            while chunk := list(islice(entries, chunk_size)):
                pending.append(pool.submit(_work, chunk, question, as_of))
                if len(pending) >= 2 * jobs:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()
