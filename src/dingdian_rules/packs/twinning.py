"""Turn the pydantic pack-file objects a resolved pack holds into twins (``twins``), once, at load.

A resolved pack keeps parts of its pack files as they were read (citations, titles, deadlines,
measures, the pack metadata, the source documents). Read, they are pydantic models; an answer
served from the pack cache must not import pydantic (issue 13 item 4), so the pack holds twins:
the same field names and values, ``model_dump``, equality and hashing, no pydantic. The pack is
converted whether or not the cache is on, so a pack's parts are of one kind however it was loaded.

The walk is generic (every dataclass field, slot, tuple, list and dict the pack reaches), so a
part added to the resolved pack later is converted without a change here; a pydantic model held
where it cannot be replaced (inside a read-only mapping) is an error, not a silent leftover.
"""

from __future__ import annotations

import sys
from types import FunctionType, MappingProxyType, ModuleType
from typing import Any

from ..twins import Twin, twin_class

_ATOMS = frozenset((str, int, float, bool, bytes, type(None)))  # by exact class: the common case, checked first
_LEAVES = (str, int, float, bool, bytes, type(None), type, FunctionType, ModuleType)


def twin_pack(pack: Any) -> None:
    """Replace, in place, every pydantic model instance reachable from ``pack`` by its twin.

    Objects reached twice (a citation shared by a rule and its provenance) become one twin.
    Compiled conditions shared with other packs of this process are converted in place too, which
    every pack that shares them wants as well."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:  # nothing was read with pydantic: nothing to convert
        return
    _Walk(pydantic.BaseModel).value(pack)


class _Walk:
    def __init__(self, base: type) -> None:
        self.base = base
        self.twins: dict[int, Twin] = {}
        self.done: dict[int, Any] = {}  # id of an object reached -> what replaces it (itself, or a new tuple)
        self.keep: list[Any] = []  # what was reached stays alive during the walk, so no id is reused
        self.kinds: dict[type, str] = {}  # a class -> how its objects are walked (decided once per class)

    def kind(self, cls: type) -> str:
        k = self.kinds.get(cls)
        if k is None:
            if issubclass(cls, _LEAVES) or issubclass(cls, Twin):
                k = "leaf"
            elif issubclass(cls, self.base):
                k = "model"
            elif cls is tuple or cls is list:
                k = cls.__name__
            elif cls is MappingProxyType:
                k = "proxy"
            elif issubclass(cls, dict):
                k = "dict"
            elif issubclass(cls, (set, frozenset)):
                k = "set"
            else:
                slots = tuple(n for c in cls.__mro__ for n in c.__dict__.get("__slots__", ())
                              if n not in ("__dict__", "__weakref__"))
                # objects with neither a __dict__ nor slots (a builtin method, a date) hold nothing to convert
                k = "object" if slots or cls.__dictoffset__ else "leaf"
                _SLOTS[cls] = slots
            self.kinds[cls] = k
        return k

    def twin(self, model: Any) -> Twin:
        hit = self.twins.get(id(model))
        if hit is None:
            fields = type(model).model_fields
            cls = twin_class(type(model).__name__, tuple(fields))
            hit = cls._of({name: self.value(getattr(model, name)) for name in fields})
            self.twins[id(model)] = hit
            self.keep.append(model)
        return hit

    def value(self, v: Any) -> Any:
        """``v`` with every model reached inside it replaced: a new tuple when one of its items
        changed, the same object otherwise (lists, dicts and objects are changed in place)."""
        cls = v.__class__
        if cls in _ATOMS:
            return v
        kind = self.kinds.get(cls) or self.kind(cls)
        if kind == "leaf":
            return v
        if kind == "model":
            return self.twin(v)
        done = self.done.get(id(v))
        if done is not None:
            return done
        self.done[id(v)] = v
        self.keep.append(v)
        if kind == "tuple":
            items = tuple(x if x.__class__ in _ATOMS else self.value(x) for x in v)
            if all(a is b for a, b in zip(items, v)):
                return v
            self.done[id(v)] = items
            return items
        if kind == "list":
            for i, x in enumerate(v):
                if x.__class__ not in _ATOMS:
                    v[i] = self.value(x)
            return v
        if kind == "dict":
            for k, x in list(v.items()):
                if x.__class__ in _ATOMS:
                    continue
                new = self.value(x)
                if new is not x:
                    v[k] = new
            return v
        if kind == "proxy":
            for k, x in v.items():
                if self.value(x) is not x:
                    raise TypeError(f"a pydantic model is held in a read-only mapping (key {k!r}): "
                                    "hold it in an object instead")
            return v
        if kind == "set":
            if any(isinstance(x, self.base) for x in v):
                raise TypeError("a pydantic model is held in a set: hold it in a tuple instead")
            return v
        attrs = getattr(v, "__dict__", None)
        if attrs is not None:
            for name, x in list(attrs.items()):
                if x.__class__ in _ATOMS:
                    continue
                new = self.value(x)
                if new is not x:
                    object.__setattr__(v, name, new)
        for name in _SLOTS[cls]:
            try:
                x = object.__getattribute__(v, name)
            except AttributeError:
                continue
            if x.__class__ in _ATOMS:
                continue
            new = self.value(x)
            if new is not x:
                object.__setattr__(v, name, new)
        return v


_SLOTS: dict[type, tuple[str, ...]] = {}


__all__ = ["twin_pack"]
