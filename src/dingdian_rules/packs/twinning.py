"""Turn the pydantic pack-file objects a resolved pack holds into twins (``twins``), once, at load.

A resolved pack keeps parts of its pack files as they were read (citations, titles, deadlines,
measures, the pack metadata, the source documents). Read, they are pydantic models; an answer
served from the pack cache must not import pydantic (issue 13 item 4), so the pack holds twins:
the same field names and values, ``model_dump``, equality and hashing, no pydantic. The pack is
converted whether or not the cache is on, so a pack's parts are of one kind however it was loaded.

The resolver calls ``twin_rules`` as soon as its rules are built (every rule ever built, even in
a load that fails: compiled conditions shared between loads hold the rule a time limit names) and
``twin_pack`` on the finished pack. Both visit the fields of the resolved classes that hold
pack-file objects, not the whole object graph: a generic walk cost up to a third of a load. A twin
is remembered per model object (the parsed files' models are cached per process, so they are
converted once). A field added to a resolved class that holds pack-file objects must be added
here: tests/test_pack_twins.py walks every part of every bundled pack for a pydantic object left.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterable

from ..twins import Twin, twin_class

if TYPE_CHECKING:
    from .resolved import ProvenanceStep, ResolvedNormDifference, ResolvedPack, ResolvedParameter, ResolvedRule

_ATOMS = frozenset((str, int, float, bool, type(None)))
_MAX_REMEMBERED = 20_000  # twins remembered (2,600 for the 7 bundled packs, 1,300 more a reload); then afresh
_twins: dict[int, tuple[Any, Any]] = {}  # id(model or step) -> (the object, kept alive so no id is reused; its twin)
_classes: dict[type, tuple[tuple[str, ...], type[Twin]]] = {}
_lock = threading.Lock()


def twin(model: Any) -> Any:
    """The twin of a pydantic model instance (nested models, lists, tuples and dicts of them
    converted); a twin, None or a plain value as it is."""
    cls = model.__class__
    if cls in _ATOMS or isinstance(model, Twin):
        return model
    hit = _twins.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    made = _classes.get(cls)
    if made is None:
        fields = tuple(getattr(cls, "model_fields", None) or ())
        if not fields:
            raise TypeError(f"{cls.__name__} is not a pydantic model")
        made = _classes[cls] = (fields, twin_class(cls.__name__, fields))
    fields, twin_cls = made
    values = model.__dict__  # a pydantic model's field values (its models are frozen: read, never written)
    out = twin_cls._of({name: _value(values[name]) for name in fields})
    _remember(model, out)
    return out


def _value(v: Any) -> Any:
    cls = v.__class__
    if cls in _ATOMS:
        return v
    if cls is list:
        return [_value(x) for x in v]
    if cls is tuple:
        return tuple(_value(x) for x in v)
    if cls is dict:
        return {k: _value(x) for k, x in v.items()}
    if hasattr(cls, "model_fields"):
        return twin(v)
    return v  # a date, an enum: as pydantic holds it


def _remember(obj: Any, made: Any) -> None:
    with _lock:
        if len(_twins) >= _MAX_REMEMBERED:
            _twins.clear()
        _twins[id(obj)] = (obj, made)


def clear() -> None:
    """Forget the remembered twins (``loader.clear_caches``)."""
    with _lock:
        _twins.clear()


def _cites(cites: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(twin(c) for c in cites)


def _step(step: "ProvenanceStep") -> "ProvenanceStep":
    """The step with its citations twinned: a new step (the merge that made it may be reused)."""
    hit = _twins.get(id(step))
    if hit is not None and hit[0] is step:
        return hit[1]
    fields = step.__dict__
    cite, also = fields["citation"], fields["also_cites"]
    if (cite is None or cite.__class__.__base__ is Twin) and all(c.__class__.__base__ is Twin for c in also):
        return step
    made = object.__new__(step.__class__)  # a frozen dataclass of plain fields: copied, two of them replaced
    made.__dict__.update(fields, citation=twin(cite) if cite is not None else None, also_cites=_cites(also))
    _remember(step, made)
    return made


def _provenance(steps: tuple["ProvenanceStep", ...]) -> tuple["ProvenanceStep", ...]:
    return tuple(_step(s) for s in steps)


def _set(obj: Any, **fields: Any) -> None:
    for name, value in fields.items():
        object.__setattr__(obj, name, value)
    obj.__dict__.pop("basis", None)  # a cached view of the provenance: computed again from the twins


def _documents(documents: dict, done: dict[int, dict]) -> dict:
    """The chain's documents by id, twinned; one new dict per dict (the rules share it)."""
    hit = done.get(id(documents))
    if hit is None:
        hit = done[id(documents)] = {k: twin(v) for k, v in documents.items()}
    return hit


def twin_rules(rules: Iterable["ResolvedRule"], done: dict[int, dict] | None = None) -> None:
    """Every pack-file part of these rules (and of their item lists) as twins, in place."""
    done = {} if done is None else done
    params: set[int] = set()
    for r in rules:
        for m in r.measures:
            object.__setattr__(m, "measure", twin(m.measure))
        for lst in r.item_lists:
            _item_list(lst)
        for p in r.parameters:
            if id(p) not in params:
                params.add(id(p))
                _parameter(p, done)
        _set(r, title=twin(r.title), citation=twin(r.citation), deadline=twin(r.deadline) if r.deadline else None,
             also_cites=_cites(r.also_cites), warning=twin(r.warning) if r.warning is not None else None,
             provenance=_provenance(r.provenance), documents=_documents(r.documents, done))


def _item_list(lst: Any) -> None:
    if (lst.title is None or isinstance(lst.title, Twin)) and all(isinstance(i.citation, Twin) for i in lst.items):
        return  # converted already, with a rule naming it
    object.__setattr__(lst, "title", twin(lst.title) if lst.title is not None else None)
    for item in lst.items:
        object.__setattr__(item, "citation", twin(item.citation))


def _parameter(p: "ResolvedParameter", done: dict[int, dict]) -> None:
    if isinstance(p.citation, Twin):  # converted already, with a rule that reads it
        return
    _set(p, title=twin(p.title), citation=twin(p.citation), provenance=_provenance(p.provenance),
         documents=_documents(p.documents, done))


def _difference(d: "ResolvedNormDifference", done: dict[int, dict]) -> None:
    _set(d, lower=_cites(d.lower), higher=_cites(d.higher), reason_cites=_cites(d.reason_cites),
         provenance=_provenance(d.provenance), documents=_documents(d.documents, done))


def twin_pack(pack: "ResolvedPack") -> None:
    """Every pack-file part of a finished pack besides its rules' (``twin_rules``, called as the
    rules are built) as twins, in place."""
    from .resolved import SourceText
    done: dict[int, dict] = {}
    for p in pack.parameters.values():
        _parameter(p, done)
    for lst in pack.item_lists.values():
        _item_list(lst)
    for d in pack.norm_differences:
        _difference(d, done)
    for rp in pack.repealed:
        _set(rp, citation=twin(rp.citation), provenance=_provenance(rp.provenance))
    sources = pack.sources  # this load's own dict (resolving.collect_sources)
    for sid, src in list(sources.items()):
        sources[sid] = SourceText(twin(src.document), src.pack, src.path)
    object.__setattr__(pack, "name", twin(pack.name))
    object.__setattr__(pack, "metas", tuple(twin(m) for m in pack.metas))


__all__ = ["twin", "twin_pack", "twin_rules"]
