"""Load rule packs (``load_pack``, ``check_pack``, ``inspect_pack``); a pack loads whole or raises ``PackError``.

Loading a pack reads its chain (``extends`` up to the root: ``chain``), then resolves it
(``resolving``): merges it (``inheritance``), checks every citation against the chain's vendored
source texts, then type-checks and compiles every condition with the resolved parameters. All
mistakes of a load are collected and raised together: a file that fails the schema is still
resolved with the entries that passed it (``salvage``), so schema, condition, type, citation and
vocabulary mistakes of every file show in one load. This module also keeps the per-process caches
in step (``clear_caches``), pauses the garbage collector during a load, and checks ancestors a
child hides.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

from typing import TYPE_CHECKING

from .. import time as timecalc
from ..errors import Diagnostic, DiagnosticBag, PackError

if TYPE_CHECKING:
    from .inheritance import RawPack
    from .resolved import ResolvedPack

# Reading, checking and resolving (pydantic schema models, the condition compiler, the lint) are
# imported when a pack is loaded from its files, so that a load served by the pack cache
# (``pack_cache``) never imports them.

__all__ = ["check_pack", "clear_caches", "inspect_pack", "load_pack", "normalize_text"]


def __getattr__(name: str):  # normalize_text, kept importable from here
    if name == "normalize_text":
        from .citations import normalize_text
        return normalize_text
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clear_caches() -> None:
    """Forget every per-process cache of the loader (parsed files, compiled conditions, source
    texts, ancestor checks, twins of pack-file objects), e.g. to measure a cold load; correctness
    never needs it (every cache is keyed by content, read afresh on each load). The on-disk pack
    cache is not affected (``DINGDIAN_RULES_CACHE=off`` disables it)."""
    from . import citations, compiling, twinning
    from .chain import _FILES
    _FILES.clear()
    twinning.clear()
    _ANCESTORS.clear()
    compiling.clear_caches()
    citations.source_bytes_at.cache_clear()
    citations._normalized.cache_clear()
    citations._quote_status.cache_clear()
    citations._articles.cache_clear()


_gc_lock = threading.Lock()
_gc_loads = 0  # loads in progress, in every thread
_gc_restore = False  # whether the collector was enabled when the first of them began


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a pack loads: loading allocates tens of thousands
    of small containers (YAML values, locations, syntax trees), and the collections they trigger
    cost about a fifth of a cold load. The GC state is process-wide, so concurrent loads share
    one pause: a count under a lock, the state read when the first load begins and restored
    when the last one leaves (errors too), whatever the threads' interleaving."""
    global _gc_loads, _gc_restore
    with _gc_lock:
        if _gc_loads == 0:
            _gc_restore = gc.isenabled()
            gc.disable()
        _gc_loads += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_loads -= 1
            if _gc_loads == 0 and _gc_restore:
                gc.enable()


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (one citation can be reached twice through an override) and order the
    rest by line within each file, files in the order they were read."""
    items = list(dict.fromkeys(items))
    files: dict[str, int] = {}
    for d in items:
        files.setdefault(d.location.file if d.location else "", len(files))

    def place(d: Diagnostic) -> tuple[int, int, int]:
        loc = d.location
        return (files[loc.file], loc.line, loc.column) if loc else (files[""], 0, 0)

    return sorted(items, key=place)


_ANCESTORS: dict[tuple, tuple[Diagnostic, ...]] = {}  # errors of resolving exactly that chain, by content


def _chain_key(chain: list[RawPack]) -> tuple:
    """A chain's content: its parsed documents (one object per file content, from ``_FILES``;
    held here, so an id is never reused) and its source texts."""
    from .citations import source_text
    docs = tuple(d for raw in chain for d in (raw.meta_doc, *(f.doc for f in raw.files)))
    texts = tuple(source_text(raw.folder / s.file) for raw in chain for s in raw.meta.sources)
    return docs, texts


def _hides(raws: list[RawPack]) -> bool:
    return any(f.content.overrides or f.content.parameter_overrides or f.content.repeals
               for raw in raws for f in raw.files)


def _check_ancestors(chain: list[RawPack], bag: DiagnosticBag) -> None:
    """Report the errors of each ancestor's own chain, as if it were loaded alone.

    A child's ``overrides``, ``parameter_overrides`` and ``repeals`` replace parts of its
    ancestors before they are checked, so a misquote, a bad condition or a bad value there
    would never be seen: a pack loads whole, ancestors included, or not at all. Each ancestor
    chain is resolved once per process and content (a clean full load counts too)."""
    from .resolving import resolve_chain
    for k in range(1, len(chain)):
        if not _hides(chain[k:]):
            continue  # nothing of chain[:k] is replaced: the full resolution checks all of it
        key = _chain_key(chain[:k])
        errors = _ANCESTORS.get(key)
        if errors is None:
            sub = DiagnosticBag()
            resolve_chain(chain[:k], sub)
            errors = tuple(d for d in sub.items if d.severity == "error")
            _remember(key, errors)
        bag.extend(errors)


def _remember(key: tuple, errors: tuple[Diagnostic, ...]) -> None:
    if len(_ANCESTORS) > 256:
        _ANCESTORS.clear()
    _ANCESTORS[key] = errors


def _load(ref: str | Path, search: Iterable[str | Path], holidays: Sequence[timecalc.YearArrangement],
          store: bool = False) -> tuple[ResolvedPack | None, list[Diagnostic]]:
    """Read and resolve as far as the mistakes allow; the pack (None after any error) and every
    diagnostic. Reading errors do not stop resolving: what failed the schema is left out, and
    when it is not known by name, errors about unknown names are held back (they may be false).
    Ancestors whose parts a child replaces are checked as if loaded alone (a child never hides
    an error of its parent)."""
    from .chain import read_chain
    from .resolving import resolve_chain
    from .salvage import REFERENCE_CODES, Gaps
    bag, gaps = DiagnosticBag(), Gaps()
    pack = None
    with _gc_paused():
        chain = read_chain(ref, [Path(s) for s in search], bag, gaps)
        if chain:
            start = len(bag.items)
            if not bag.has_errors:
                _check_ancestors(chain, bag)
            pack = resolve_chain(chain, bag, tuple(holidays), gaps)
            if gaps.opaque:
                bag.items[start:] = [d for d in bag.items[start:] if d.code not in REFERENCE_CODES]
            if pack is not None:
                _remember(_chain_key(chain), ())
    global _consult_disk
    _consult_disk = False
    if store and pack is not None:
        _store(ref, search, holidays, chain, pack)
    return pack, _unique(bag.items)


def load_pack(ref: str | Path, *, search: Iterable[str | Path] = (),
              holidays: Iterable[timecalc.YearArrangement] = ()) -> ResolvedPack:
    """Load and resolve a pack by bundled id or folder path; raise ``PackError`` with every mistake.

    ``holidays`` supplies published arrangements for years the calendar package does not cover
    (e.g. 2027), so working days there are counted, not estimated; they enter the fingerprint.
    """
    holidays, search = tuple(holidays), tuple(search)
    for y in holidays:
        if not isinstance(y, timecalc.YearArrangement):
            raise TypeError(f"holidays must be dingdian_rules.YearArrangement objects, not {type(y).__name__}: "
                            "YearArrangement(year, holidays=frozenset(dates), makeup_workdays=frozenset(dates), source)")
    if len({y.year for y in holidays}) != len(holidays):
        raise ValueError("holidays gives two arrangements for the same year")
    cached = _load_cached(ref, search, holidays)
    if cached is not None:
        return cached
    pack, diagnostics = _load(ref, search, holidays, store=_consult_disk)
    if pack is None:
        raise PackError(diagnostics, f"pack '{ref}' did not load")
    return pack


_consult_disk = True  # until this process resolves a pack itself (see pack_cache)


def _load_cached(ref: str | Path, search: Iterable[str | Path], holidays: Sequence[timecalc.YearArrangement]
                 ) -> ResolvedPack | None:
    if not _consult_disk:
        return None
    from . import pack_cache
    from .finding import bundled_root, is_path_ref
    roots = [Path(s) for s in search] + [bundled_root()]
    return pack_cache.fetch(ref, roots, is_path_ref(ref), holidays)


def _store(ref: str | Path, search: Iterable[str | Path], holidays: Sequence[timecalc.YearArrangement],
           chain: list[RawPack], pack: ResolvedPack) -> None:
    """Put a pack just resolved from its files into the pack cache, with the manifest of exactly
    the file contents this load read."""
    from . import citations, pack_cache
    from .chain import _FILES
    from .finding import bundled_root, is_path_ref
    from .rule_schema import RuleFile
    from .schema import PackMeta
    if citations.source_bytes_at.cache_info().currsize >= (citations.source_bytes_at.cache_info().maxsize or 0):
        return  # some source text may have been read twice: the manifest could not be trusted
    manifest = pack_cache.manifest_of(chain, _FILES, citations.source_bytes_at, (PackMeta, RuleFile))
    roots = [Path(s) for s in search] + [bundled_root()]
    pack_cache.store(ref, roots, is_path_ref(ref), holidays, pack, manifest)


def check_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> list[Diagnostic]:
    """Every error and warning a load of ``ref`` finds, without raising (for ``validate``)."""
    return _load(ref, search, ())[1]


def inspect_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> tuple[ResolvedPack | None, list[Diagnostic]]:
    """``check_pack`` and the pack itself when it loads (None otherwise), from one load."""
    return _load(ref, search, ())
