"""An on-disk cache of parsed rule-pack files, like Python's ``__pycache__`` for modules.

Reading YAML is the largest single cost of loading a pack in a fresh process (a CLI run, a
worker's start). A pack file that parsed without a single diagnostic is stored as its plain
values and packed locations (``marshal``), keyed by the SHA-256 of its bytes together with a hash
of the YAML reader's code, PyYAML's version and the cache format; an edited file (or reader) has a
new key, so a stale entry can never be read. Everything after parsing (schema validation, inheritance, citation
checks, type-checking and compiling conditions) runs on every load, cached or not, unless the
resolved pack itself is served by ``packs.pack_cache`` (which keeps its entries in this folder).

Only pack files are cached, never case files (case data stays off the disk). Files with any
diagnostic are parsed every time, so every error is reported from the source. The cache is an
optimisation only: an unreadable, corrupt or unwritable cache is ignored.

**An entry is checked before use.** It starts with a magic header, the key it was written for
(so an entry copied or renamed to another file's key is refused) and the SHA-256 of its payload
(so a truncated or bit-flipped entry is refused); it must be a regular file owned by the
current user (another user's entry in a shared folder is refused); and it must hold plain
values (dicts with text keys, lists, text, numbers, booleans, null) and integer locations. Any
entry failing a check is ignored and the file is parsed. The checks bind an entry to the file
it claims to be; they cannot tell a deliberately forged but well-formed entry from a real one,
so the cache folder must be as trusted as the pack files (by default it is the user's own).

**Only the cache's own files are ever deleted.** Pruning (the newest ``MAX_ENTRIES`` entries are
kept) and the removal of temporary files left by a crashed writer touch only names this module
writes (64 hex digits, ``.yamlc``, and for temporary files a process suffix) holding its header
(or the previous format's tuple), so a cache folder shared with other files loses none of them.

``DINGDIAN_RULES_CACHE`` sets the folder; ``off`` (or an empty value) disables the cache. ``~``
is the home folder, and a relative path is taken from the working directory when the process
first uses the cache. The default is the user's cache folder
(``platformdirs.user_cache_dir("dingdian-rules")``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import stat
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
import yaml

ENV = "DINGDIAN_RULES_CACHE"
FORMAT = 2
MAX_ENTRIES = 512  # older entries are pruned when a new one is written
PRUNE_EVERY = 64  # writes between prunes: listing the folder on every write would cost more than the write
MAX_ENTRY_BYTES = 64_000_000  # an entry of a 2 MB file is far smaller; anything larger is not ours
_SUFFIX = ".yamlc"
_MAGIC = b"DDRULES-PARSED\x00\x02"
_HEADER = len(_MAGIC) + 64  # magic, key digest, payload digest
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.yamlc")
_TMP_NAME = re.compile(r"[0-9a-f]{64}\.yamlc\.[0-9]+(-[0-9]+)?\.tmp")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _salt() -> bytes:
    """What a parse depends on besides the file: the code of the YAML reader (every module it is
    made of: tests/test_parsecache.py checks that none is left out) and of this cache (hashed, so an
    edited checkout never reads entries written by older code) and PyYAML's version."""
    code = hashlib.sha256()
    for name in ("yaml_reader.py", "yaml_doc.py", "yaml_checking.py", "parse_cache.py"):
        try:
            code.update(Path(__file__).with_name(name).read_bytes())
        except OSError:  # pragma: no cover - zipped or stripped installs: fall back to the version
            code.update(_version().encode())
    return f"{code.hexdigest()}; pyyaml {yaml.__version__}; format {FORMAT}\0".encode()


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("dingdian-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "source"


@lru_cache(maxsize=1)
def _salt_once() -> bytes:
    """The salt, made when a pack file is first parsed: a process that only answers from the
    resolved-pack cache reads no reader sources for it (issue 13 item 4)."""
    return _salt()


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    value = os.environ.get(ENV)
    if value is None:
        return Path(platformdirs.user_cache_dir("dingdian-rules", appauthor=False)) / "parsed"
    if value.strip().lower() in ("", "off", "0", "false", "no"):
        return None
    return _absolute(value)


@lru_cache(maxsize=8)
def _absolute(value: str) -> Path:
    """``~`` expanded, and a relative path anchored once, so a later ``chdir`` does not move the
    cache (the shell leaves ``~`` alone in quotes, .env files and service definitions)."""
    return Path(os.path.abspath(os.path.expanduser(value)))


def _key(raw: bytes) -> bytes:
    return hashlib.sha256(_salt_once() + raw).digest()


def _entry(folder: Path, raw: bytes) -> Path:
    return folder / (_key(raw).hex() + _SUFFIX)


def _read_own(path: Path, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """The bytes of a regular file this user owns (at most ``limit``), else None; never blocks."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            return None
        with open(fd, "rb", closefd=False) as handle:
            return handle.read(min(st.st_size, limit) + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def fetch(raw: bytes) -> tuple[Any, dict, dict] | None:
    """(data, value spots, key spots) stored for a file with exactly these bytes, or None when
    there is no entry or it fails a check (see the module docstring)."""
    folder = cache_dir()
    if folder is None:
        return None
    key = _key(raw)
    blob = _read_own(folder / (key.hex() + _SUFFIX))
    if blob is None or len(blob) < _HEADER or not blob.startswith(_MAGIC):
        return None
    n = len(_MAGIC)
    payload = memoryview(blob)[_HEADER:]
    if blob[n:n + 32] != key or blob[n + 32:_HEADER] != hashlib.sha256(payload).digest():
        return None
    try:
        value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if type(value) is not tuple or len(value) != 3:
        return None
    data, spots, key_spots = value
    if not (_spots_ok(spots) and _spots_ok(key_spots) and _plain(data)):
        return None
    return data, spots, key_spots


def _spots_ok(spots: Any) -> bool:
    """Locations as ``yaml_doc._MarkMap`` reads them: YAML paths to packed (line, column) ints."""
    return (type(spots) is dict and all(type(k) is tuple for k in spots)
            and all(type(v) is int and 0 <= v < 1 << 63 for v in spots.values()))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(data: Any) -> bool:
    """Whether ``data`` is what the YAML reader builds: dicts with text keys, lists and scalars."""
    stack = [data]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is dict:
            if not all(type(k) is str for k in x):
                return False
            stack.extend(x.values())
        elif t is list:
            stack.extend(x)
        elif t not in _SCALARS:
            return False
    return True


_stores = 0


def store(raw: bytes, data: Any, spots: dict, key_spots: dict) -> None:
    """Write an entry atomically (a reader sees the whole entry or none); never raises."""
    global _stores
    folder = cache_dir()
    if folder is None:
        return
    key = _key(raw)
    entry = folder / (key.hex() + _SUFFIX)
    tmp = entry.with_name(f"{entry.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = marshal.dumps((data, spots, key_spots))
        blob = b"".join((_MAGIC, key, hashlib.sha256(payload).digest(), payload))
        try:
            with open(tmp, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, entry)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if _stores % PRUNE_EVERY == 0:
            _prune(folder)
        _stores += 1
    except (OSError, ValueError):
        return


def _prune(folder: Path) -> None:
    """Keep the newest MAX_ENTRIES entries; drop temporary files a crashed writer left behind.
    Only files this module wrote are touched (their names, and their content: ``_is_entry``)."""
    now = time.time()
    entries: list[tuple[float, Path]] = []
    for p in folder.iterdir():
        name = p.name
        try:
            if not (_ENTRY_NAME.fullmatch(name) or _TMP_NAME.fullmatch(name)):
                continue
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode):
                continue  # this module writes only regular files
            if name.endswith(_SUFFIX):
                entries.append((st.st_mtime, p))
            elif now - st.st_mtime > 3600:
                p.unlink()
        except OSError:
            continue
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort()
    for _, old in entries[: len(entries) - MAX_ENTRIES]:
        if _is_entry(old):
            try:
                old.unlink()
            except OSError:
                pass


def _is_entry(path: Path) -> bool:
    """Whether ``path`` holds an entry this module wrote: this format's header, or the previous
    format's ``(1, data, spots, key_spots)`` tuple."""
    blob = _read_own(path)
    if blob is None:
        return False
    if blob.startswith(_MAGIC):
        return True
    try:
        old = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return False
    return type(old) is tuple and len(old) == 4 and old[0] == 1 and type(old[2]) is dict and type(old[3]) is dict
