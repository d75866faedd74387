"""Category "parse cache": corrupted, foreign and special entries in the on-disk parse cache.

The cache (``dingdian_rules.parsecache``) is filled by a load of a bundled pack into a private
folder; then one to four of its entries are damaged: bits flipped, truncated, emptied, padded,
replaced by random bytes, by another file's valid entry (a foreign entry under this key), by a
crafted entry with a valid header and hash whose payload is not what the reader builds (text
locations, negative or huge locations, bytes or sets in the data, a tuple of the wrong length),
by the previous format's tuple holding another file's data, or by a folder, a named pipe, a
link to ``/dev/zero``, a dangling link. Other inputs set ``DINGDIAN_RULES_CACHE`` to a file, a
path under a file, ``/dev/null``, ``off``, a relative path, a ``~`` path, or a folder shared with a
user's files, where pruning runs on every write: deleting or changing any file the cache did not
write is a **lost decision** (the class counts data lost).

The claim is the docs': a corrupt, foreign or crafted entry is ignored, so every damaged file
reads exactly as a fresh parse does (data, value locations, key locations, no diagnostic) and
the pack loads with the fingerprint of an uncached load. A refusal is a **false rejection**, a
different result **inconsistent**. Well-formed forgeries (a valid header over plain data and
integer locations) are out of scope: the docs say the cache folder must be as trusted as the packs.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import dingdian_rules as dr
from dingdian_rules.packs import loader
from dingdian_rules.reading import parse_cache as parsecache, yaml_reader as yamlio

from .core import FALSE_REJECTION, INCONSISTENT, LOST, Probe, fresh_dir

CATEGORY = "parse cache"
DAMAGE = ("bitflip", "truncate", "empty", "pad", "random", "foreign", "crafted", "legacy-foreign", "short-header",
          "dir", "fifo", "devzero", "dangling", "self-link")
CRAFTED = ("text-location", "negative-location", "huge-location", "bytes-in-data", "set-in-data", "tuple-in-data",
           "pair", "quad", "list-keys", "not-a-tuple", "float-key", "deep-list")
ENV_VALUES = ("file", "under-a-file", "/dev/null", "off", " OFF ", "", "relative", "tilde", "shared-folder")
# a user's files in a shared cache folder: pruning must leave every one of them (D10)
USER_FILES = {"draft.tmp": b"a user's draft", "notes.txt": b"notes", "a.yamlc": b"user", "b.yamlc.1.tmp": b"user",
              "ab" * 32 + ".yamlc": b"a user's file with an entry's name",
              "cd" * 32 + ".yamlc.tmp": b"a user's file with nearly a temporary file's name"}
# (a file named exactly as the cache names its temporary files, <64 hex>.yamlc.<pid>.tmp, is the
# cache's own by its name: one over an hour old is what a crashed writer left, and is removed)


@dataclass(frozen=True)
class CachePlan:
    pid: str
    damage: tuple[tuple[str, str, tuple], ...]  # (file path, damage, parameters)
    env: str = ""  # a DINGDIAN_RULES_CACHE variant instead of damage

    def __repr__(self) -> str:
        return f"CachePlan({self.pid}, env={self.env!r}, damage={[(Path(f).name, d, p) for f, d, p in self.damage]})"

    def describe(self) -> str:
        if self.env:
            return f"{self.pid} with {parsecache.ENV}={self.env!r}"
        return f"{self.pid}: " + ", ".join(f"{Path(f).parent.parent.name}/{Path(f).name} {d}" for f, d, _ in self.damage)


@lru_cache(maxsize=None)
def pack_files(pid: str) -> tuple[str, ...]:
    pack = dr.load_pack(pid)
    out = []
    for folder in pack.folders:
        out.append(str(folder / "pack.yaml"))
        out += [str(p) for p in sorted((folder / "rules").glob("*.yaml"))]
    return tuple(out)


@lru_cache(maxsize=None)
def fresh(path: str) -> tuple[Any, dict, dict]:
    doc, diags = yamlio.load_yaml_bytes(Path(path).read_bytes(), path, cache=False)
    assert not diags and doc is not None
    return doc.data, dict(doc.locations), dict(doc.key_locations)


@lru_cache(maxsize=None)
def baseline(pid: str) -> str:
    return dr.load_pack(pid).fingerprint


@st.composite
def cache_inputs(draw: Any, packs: tuple[str, ...] | None = None) -> CachePlan:
    pid = draw(st.sampled_from(packs or tuple(dr.bundled_pack_ids())))
    if draw(st.integers(0, 7)) == 0:
        return CachePlan(pid, (), draw(st.sampled_from(ENV_VALUES)))
    files = draw(st.lists(st.sampled_from(pack_files(pid)), min_size=1, max_size=4, unique=True))
    damage = []
    for f in files:
        d = draw(st.sampled_from(DAMAGE))
        params: tuple = ()
        if d == "bitflip":
            params = tuple(draw(st.lists(st.integers(0, 10**7), min_size=1, max_size=8)))
        elif d in ("truncate", "pad"):
            params = (draw(st.integers(0, 10**6)),)
        elif d == "foreign":
            params = (draw(st.sampled_from([x for x in pack_files(pid) if x != f] or [f])),)
        elif d == "crafted":
            params = (draw(st.sampled_from(CRAFTED)),)
        elif d == "random":
            params = (draw(st.integers(0, 2**32)),)
        damage.append((f, d, params))
    return CachePlan(pid, tuple(damage))


def _crafted(kind: str, data: Any) -> Any:
    spots = {(): 0}
    return {
        "text-location": (data, {(): "1:1"}, {}), "negative-location": (data, {(): -1}, {}),
        "huge-location": (data, {(): 1 << 64}, {}), "bytes-in-data": ({"rules": [b"x"]}, spots, {}),
        "set-in-data": ({"rules": {1, 2}}, spots, {}), "tuple-in-data": ({"rules": (1, 2)}, spots, {}),
        "pair": (data, spots), "quad": (data, spots, {}, {}), "list-keys": (data, {"x": 0}, {}),
        "not-a-tuple": [data, spots, {}], "float-key": ({1.5: "x"}, spots, {}),
        "deep-list": (_nested(5000), spots, {}),
    }[kind]


def _nested(n: int) -> Any:
    x: Any = []
    for _ in range(n):
        x = [x]
    return x


def _entry_with(raw: bytes, value: Any) -> bytes:
    try:
        payload = marshal.dumps(value)
    except ValueError:  # too deep for marshal: an entry no reader could have written
        payload = b"\xff" * 64
    return parsecache._MAGIC + parsecache._key(raw) + hashlib.sha256(payload).digest() + payload


def damage_entry(entry: Path, raw: bytes, how: str, params: tuple, folder: Path) -> None:
    blob = entry.read_bytes() if entry.is_file() else b""
    if how in ("dir", "fifo", "devzero", "dangling", "self-link"):
        entry.unlink(missing_ok=True)
        if how == "dir":
            entry.mkdir()
        elif how == "fifo":
            os.mkfifo(entry)
        elif how == "devzero":
            entry.symlink_to("/dev/zero")
        elif how == "dangling":
            entry.symlink_to(folder / "nowhere")
        else:
            entry.symlink_to(entry)
        return
    if how == "bitflip":
        b = bytearray(blob)
        for p in params:
            if b:
                i = p % (len(b) * 8)
                b[i // 8] ^= 1 << (i % 8)
        blob = bytes(b)
    elif how == "truncate":
        blob = blob[: params[0] % max(1, len(blob))]
    elif how == "empty":
        blob = b""
    elif how == "pad":
        blob = blob + os.urandom(1 + params[0] % 64)
    elif how == "random":
        import random
        blob = random.Random(params[0]).randbytes(len(blob))
    elif how == "foreign":
        other = Path(params[0]).read_bytes()
        src = parsecache._entry(folder, other)
        blob = src.read_bytes() if src.is_file() else blob
    elif how == "crafted":
        blob = _entry_with(raw, _crafted(params[0], fresh_data(raw)))
    elif how == "legacy-foreign":
        blob = marshal.dumps((1, {"rules": []}, {(): 0}, {}))
    elif how == "short-header":
        blob = blob[: len(parsecache._MAGIC) + 10]
    entry.write_bytes(blob)


def fresh_data(raw: bytes) -> Any:
    doc, _ = yamlio.load_yaml_bytes(raw, "x.yaml", cache=False)
    return doc.data if doc is not None else {}


def run(plan: CachePlan, probe: Probe) -> None:
    saved = os.environ.get(parsecache.ENV)
    cwd, home = os.getcwd(), os.environ.get("HOME")
    with fresh_dir("cache") as folder:
        try:
            if plan.env:
                _env_case(probe, plan, folder)
                return
            cache = folder / "cache"
            os.environ[parsecache.ENV] = str(cache)
            loader.clear_caches()
            dr.load_pack(plan.pid)  # fills the cache
            for f, how, params in plan.damage:
                raw = Path(f).read_bytes()
                damage_entry(parsecache._entry(cache, raw), raw, how, params, cache)
            for f, how, params in plan.damage:
                doc, diags = yamlio.load_yaml_file(f, cache=True)
                if diags or doc is None:
                    probe.flag(FALSE_REJECTION, f"{Path(f).name} with a {how} entry: {diags[0].format() if diags else ''}"[:300])
                    continue
                if (doc.data, dict(doc.locations), dict(doc.key_locations)) != fresh(f):
                    probe.flag(INCONSISTENT, f"{Path(f).name} with a {how} {params} entry reads differently from a fresh parse")
            loader.clear_caches()
            _load_equal(probe, plan)
        finally:
            os.chdir(cwd)
            _restore("HOME", home)
            _restore(parsecache.ENV, saved)
            loader.clear_caches()


def _load_equal(probe: Probe, plan: CachePlan) -> None:
    try:
        fp = dr.load_pack(plan.pid).fingerprint
    except dr.PackError as exc:
        probe.flag(FALSE_REJECTION, f"{plan.describe()}: {exc.diagnostics[0].format()[:300]}")
        return
    if fp != baseline(plan.pid):
        probe.flag(INCONSISTENT, f"{plan.describe()}: fingerprint {fp[:19]} differs from an uncached load")


def _env_case(probe: Probe, plan: CachePlan, folder: Path) -> None:
    a_file = folder / "a-file"
    a_file.write_text("not a folder")
    if plan.env == "shared-folder":
        _shared_folder(probe, plan, folder / "shared")
        return
    value = {"file": str(a_file), "under-a-file": str(a_file / "cache"), "relative": "rel-cache",
             "tilde": "~/tilde-cache"}.get(plan.env, plan.env)
    os.chdir(folder)
    os.environ["HOME"] = str(folder / "home")
    os.environ[parsecache.ENV] = value
    for _ in range(2):  # a cold load, then one that may read the cache
        loader.clear_caches()
        _load_equal(probe, plan)
    if plan.env == "tilde" and (folder / "~").exists():
        probe.flag(INCONSISTENT, "a folder named '~' was created in the working directory")


def _shared_folder(probe: Probe, plan: CachePlan, shared: Path) -> None:
    """The cache set to a folder that also holds a user's files, old enough to be pruned, with
    pruning on every write and room for only a few entries."""
    shared.mkdir()
    for name, content in USER_FILES.items():
        (shared / name).write_bytes(content)
        os.utime(shared / name, (0, 0))
    for i in range(20):
        (shared / f"user{i}.yamlc").write_bytes(b"x")
        os.utime(shared / f"user{i}.yamlc", (0, 0))
    os.environ[parsecache.ENV] = str(shared)
    saved = parsecache.MAX_ENTRIES, parsecache.PRUNE_EVERY
    parsecache.MAX_ENTRIES, parsecache.PRUNE_EVERY = 2, 1
    try:
        for _ in range(2):
            loader.clear_caches()
            _load_equal(probe, plan)
    finally:
        parsecache.MAX_ENTRIES, parsecache.PRUNE_EVERY = saved
    gone = [n for n, content in USER_FILES.items() if not (shared / n).is_file() or (shared / n).read_bytes() != content]
    gone += [f"user{i}.yamlc" for i in range(20) if not (shared / f"user{i}.yamlc").is_file()]
    if gone:
        probe.flag(LOST, f"pruning the cache deleted or changed a user's file: {', '.join(gone[:5])}")


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
