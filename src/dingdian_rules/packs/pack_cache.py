"""An on-disk cache of resolved rule packs, so that a fresh process skips reading, validating,
linting and resolving the pack it loads (issue 13 item 4: a cold CLI answer).

A pack that loaded without an error is stored (``pickle``) with a manifest of every file its load
read: each pack of the chain with its folder, the SHA-256 of its ``pack.yaml``, of each rule file
(and, when ``rule_files`` is not given, the listing of ``rules/*.yaml``), of each source text, and
the ``extends`` that led to the next folder. An entry is found by a key made of the pack's folder,
the search folders, the caller's holiday arrangements and a salt: the code of every module of the
package, the versions of Python, pydantic, PyYAML and the holiday calendar's packages, and this
cache's format. Before an entry is used, the chain is walked again as the loader walks it and
every file is read and hashed: an edited, added, removed or moved file of any pack of the chain,
or a parent now found elsewhere, is a miss, and the pack is loaded from its files.

**An entry is checked before use**, like the parse cache's (``reading.parse_cache``): a magic
header, the key it was written for, the SHA-256 of its payload, a regular file owned by the
current user; unpickling admits only the classes a resolved pack is made of. Any failing check is
a miss, never an error. The cache folder must be as trusted as the pack files (by default it is
the user's own cache folder); ``DINGDIAN_RULES_CACHE`` sets it, ``off`` disables it.

**A process consults the cache until it resolves a pack itself.** After that, loads go through
the per-process caches (compiled conditions shared between packs, ancestors checked once), as they
always did; so a CLI run, a batch worker or a service's first load is served from the cache, and
a long-lived process behaves as without it. ``check_pack`` and ``inspect_pack`` never use it
(they report every diagnostic from the files).
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import stat
import sys
import threading
from pathlib import Path
from types import MappingProxyType
from typing import Any, Sequence

from .finding import find_folder
from ..reading import parse_cache
from ..reading.yaml_reader import read_regular_file

FORMAT = 2  # 2: the pack's pack-file parts are twins (packs.twinning)
MAX_ENTRIES = 64  # older entries are pruned when a new one is written
MAX_FILE_BYTES = 64_000_000  # the loader's limit for a source text; pack files are far smaller
_SUFFIX = ".packc"
_MAGIC = b"DDRULES-PACK\x00\x01"
_HEADER = len(_MAGIC) + 64  # magic, key digest, payload digest
_lock = threading.Lock()


def _code_digest() -> str:
    """A digest of every module of the package (a resolved pack depends on the reader, the schema,
    the condition compiler, the fact models and the calendar code alike): each file's path, size
    and modification time, which is what Python itself checks before it runs a module's cached
    bytecode, so an edit that Python sees is seen here (reading and hashing every source would
    cost more than the rest of a cache hit)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256()
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if e.name.endswith(".py"):
                st = e.stat()
                h.update(f"{e.path[len(root):]}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            elif e.name != "__pycache__" and e.is_dir():
                stack.append(e.path)
    return h.hexdigest()


_salt_value: bytes | None = None


def _salt() -> bytes:
    global _salt_value
    if _salt_value is None:
        import yaml

        from ..time.workdays import calendar_versions
        _salt_value = repr((FORMAT, _code_digest(), sys.version, _pydantic_version(), yaml.__version__,
                            sorted(calendar_versions().items()))).encode()
    return _salt_value


def _pydantic_version() -> bytes:
    """pydantic's ``version.py`` as installed (its own version and the pydantic-core version it
    requires), read without importing pydantic: a cache hit must not import it (issue 13 item 4)."""
    import importlib.util
    spec = importlib.util.find_spec("pydantic")  # the module's own spec once it is imported
    origin = spec.origin if spec is not None else None
    if not origin:
        return b"?"
    try:
        return Path(origin).with_name("version.py").read_bytes()
    except OSError:
        return b"?"


def _key(folder: Path, roots: Sequence[Path], holidays: Sequence[Any]) -> bytes:
    days = sorted((y.year, sorted(map(str, y.holidays)), sorted(map(str, y.makeup_workdays)), y.source)
                  for y in holidays)
    return hashlib.sha256(_salt() + repr((str(folder), [str(r) for r in roots], days)).encode()).digest()


def _sha(path: Path) -> bytes | None:
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except OSError:
        return None
    return hashlib.sha256(raw).digest() if len(raw) <= MAX_FILE_BYTES else None


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "rules").glob("*.yaml"))


# A manifest: one tuple per pack, leaf first:
# (folder, sha of pack.yaml, listing of rules/*.yaml or None, ((rule file, sha), ...), ((source, sha), ...), extends)

def _manifest_holds(manifest: Any, ref: str | Path, roots: Sequence[Path], as_path: bool) -> bool:
    """Whether walking the chain now finds exactly the folders and file contents of ``manifest``."""
    if type(manifest) is not tuple or not manifest:
        return False
    folder = find_folder(ref, roots, as_path)
    for i, (where, meta_sha, listing, files, sources, extends) in enumerate(manifest):
        if folder is None or str(folder) != where or _sha(folder / "pack.yaml") != meta_sha:
            return False
        if listing is not None and _listing(folder) != list(listing):
            return False
        if any(_sha(folder / name) != sha for name, sha in files + sources):
            return False
        if extends is None:
            return i == len(manifest) - 1
        folder = find_folder(extends, [folder.parent, *roots], False)
    return False


def manifest_of(chain: list[Any], files_cache: dict, source_bytes: Any, models: tuple[type, type]) -> tuple | None:
    """The manifest of a chain just loaded, or None when a file changed while it loaded: each
    file is hashed now and must be the very content the load parsed (``chain._FILES`` is keyed by
    content) or read (the source texts of this load)."""
    meta_model, rule_model = models
    out = []
    for raw in reversed(chain):
        folder = raw.folder
        meta_sha = _sha(folder / "pack.yaml")
        hit = files_cache.get((str(folder / "pack.yaml"), meta_sha, meta_model))
        if meta_sha is None or hit is None or hit[0] is not raw.meta:
            return None
        names = [os.path.relpath(f.path, folder) for f in raw.files]
        listing = None
        if not raw.meta.rule_files:
            listing = _listing(folder)
            if listing != [Path(n).name for n in names] or any(Path(n).parent != Path("rules") for n in names):
                return None
        elif len(names) != len(raw.meta.rule_files):
            return None
        files = []
        for name, f in zip(names, raw.files):
            sha = _sha(folder / name)
            hit = files_cache.get((str(f.path), sha, rule_model))
            if sha is None or hit is None or hit[0] is not f.content:
                return None
            files.append((name, sha))
        sources = []
        for s in raw.meta.sources:
            read = source_bytes(str(folder / s.file))
            sha = _sha(folder / s.file)
            if read is None or sha is None or hashlib.sha256(read).digest() != sha:
                return None
            sources.append((s.file, sha))
        out.append((str(folder), meta_sha, None if listing is None else tuple(listing), tuple(files),
                    tuple(sources), raw.meta.extends))
    return tuple(out)


class _Fixed:
    """A content fingerprint read from the cache (``ResolvedPack.content_fingerprint`` calls it)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self) -> str:
        return self.value


def _rebuild_expr(text: str, root: Any, size: int, fact_paths: dict, params: dict, calendar: Any, name: str,
                  item_var: str | None) -> Any:
    from ..conditions.compile import CompiledExpr
    return CompiledExpr(text, root, size, fact_paths, params, calendar, name, item_var)


def _new(cls: type, slots: dict[str, Any]) -> Any:
    """An object of a class with ``__slots__``, its slots set (a ``LimitRef`` without its spec)."""
    obj = cls.__new__(cls)
    for name, value in slots.items():
        object.__setattr__(obj, name, value)
    return obj


def _proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


_ALLOWED = {  # module -> names a stored pack may refer to, besides the package's own classes
    "builtins": {"frozenset", "set", "tuple", "list", "dict", "object"},
    "copyreg": {"__newobj__", "_reconstructor"},
    "datetime": {"date", "datetime", "timedelta", "time"},
    "pathlib": {"PosixPath", "WindowsPath", "Path", "PurePosixPath", "PureWindowsPath"},
    __name__: {"_rebuild_expr", "_new", "_proxy", "_Fixed"},
    "dingdian_rules.twins": {"_rebuild"},
}


class _Unpickler(pickle.Unpickler):
    """Admits the package's own classes and a few standard ones; a module-level constant of the
    package (a type such as ``conditions.types.ERROR``) is restored as that very object."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module.startswith("dingdian_rules.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a resolved pack")

    def persistent_load(self, pid: Any) -> Any:
        kind, *rest = pid
        if kind == "const" and rest[0].startswith("dingdian_rules."):
            module = sys.modules.get(rest[0]) or __import__(rest[0], fromlist=["_"])
            return getattr(module, rest[1])
        if kind == "fingerprint":
            return [rest[0], _Fixed(rest[1])]
        raise pickle.UnpicklingError(f"unknown reference {kind!r}")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, fingerprint: list, values: tuple[str, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._fingerprint, self._values = fingerprint, values
        self._consts = _constants()

    def persistent_id(self, obj: Any) -> Any:
        if obj is self._fingerprint:
            return ("fingerprint", *self._values)
        return self._consts.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        from ..conditions.compile import CompiledExpr
        from .limits import LimitRef
        if type(obj) is LimitRef:  # its spec (compiled functions) is built again on first use
            state = {name: getattr(obj, name) for name in LimitRef.__slots__ if name != "_spec"}
            state["_signature"] = obj.signature  # computed now: a callable cannot be stored
            state["_spec"] = None
            return _new, (LimitRef, state)
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        if type(obj) is CompiledExpr:  # its generated code is made again on first use
            return _rebuild_expr, (obj.text, obj.root, obj.size, obj.fact_paths, obj._params, obj._calendar,
                                   obj._name, obj.item_var)
        return NotImplemented  # a function the pack held would fail here, or be refused when read


def _constants() -> dict[int, tuple[str, str, str]]:
    """Module-level objects of the package's modules (not classes, functions or plain values),
    which code may compare by identity."""
    out: dict[int, tuple[str, str, str]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("dingdian_rules.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            t = type(value)
            if t.__module__.startswith("dingdian_rules.") and not isinstance(value, type) and not callable(value):
                out.setdefault(id(value), ("const", name, attr))
    return out


def fetch(ref: str | Path, roots: Sequence[Path], as_path: bool, holidays: Sequence[Any]) -> Any | None:
    """The resolved pack stored for ``ref`` whose files are all unchanged, or None."""
    folder = parse_cache.cache_dir()
    where = find_folder(ref, roots, as_path)
    if folder is None or where is None:
        return None
    try:
        key = _key(where, roots, holidays)
        blob = parse_cache._read_own(folder / (key.hex() + _SUFFIX))
        if blob is None or len(blob) < _HEADER + 4 or not blob.startswith(_MAGIC):
            return None
        n = len(_MAGIC)
        payload = memoryview(blob)[_HEADER:]
        if blob[n:n + 32] != key or blob[n + 32:_HEADER] != hashlib.sha256(payload).digest():
            return None
        size = int.from_bytes(payload[:4], "little")
        manifest = marshal.loads(payload[4:4 + size])
        if not _manifest_holds(manifest, ref, roots, as_path):
            return None
        pack = _Unpickler(io.BytesIO(payload[4 + size:])).load()
    except Exception:  # any failure to read an entry is a miss
        return None
    from .resolved import ResolvedPack
    return pack if type(pack) is ResolvedPack else None


def store(ref: str | Path, roots: Sequence[Path], as_path: bool, holidays: Sequence[Any], pack: Any,
          manifest: tuple | None) -> None:
    """Write an entry atomically; never raises (a pack that cannot be stored is loaded next time)."""
    folder = parse_cache.cache_dir()
    where = find_folder(ref, roots, as_path)
    if folder is None or where is None or manifest is None:
        return
    try:
        key = _key(where, roots, holidays)
        buf = io.BytesIO()
        _Pickler(buf, pack._fingerprint, (pack.fingerprint, pack.content_fingerprint)).dump(pack)
        head = marshal.dumps(manifest)
        payload = len(head).to_bytes(4, "little") + head + buf.getvalue()
        blob = b"".join((_MAGIC, key, hashlib.sha256(payload).digest(), payload))
        if len(blob) > parse_cache.MAX_ENTRY_BYTES:  # it would be refused when read
            return
        folder.mkdir(parents=True, exist_ok=True)
        entry = folder / (key.hex() + _SUFFIX)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, entry)
        finally:
            tmp.unlink(missing_ok=True)
        with _lock:
            _prune(folder)
    except Exception:
        return


def _prune(folder: Path) -> None:
    """Keep the newest MAX_ENTRIES entries; only this module's files (64 hex digits, ``.packc``,
    a regular file starting with its header) are ever deleted."""
    entries = []
    for p in folder.iterdir():
        name = p.name
        if len(name) != 64 + len(_SUFFIX) or not name.endswith(_SUFFIX):
            continue
        try:
            int(name[:64], 16)
            st = p.lstat()
        except (ValueError, OSError):
            continue
        if stat.S_ISREG(st.st_mode):
            entries.append((st.st_mtime, p))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort()
    for _, old in entries[: len(entries) - MAX_ENTRIES]:
        if _starts_with_magic(old):
            try:
                old.unlink()
            except OSError:
                pass


def _starts_with_magic(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False
