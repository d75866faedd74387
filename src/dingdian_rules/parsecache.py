"""An on-disk cache of parsed rule-pack files, like Python's ``__pycache__`` for modules.

Reading YAML is the largest single cost of loading a pack in a fresh process (a CLI run, a
worker's start). A pack file that parsed without a single diagnostic is stored as its plain
values and packed locations (``marshal``), keyed by the SHA-256 of its bytes together with a hash
of the YAML reader's code, PyYAML's version and the cache format; an edited file (or reader) has a
new key, so a stale entry can never be read. Everything after parsing (schema validation, inheritance, citation
checks, type-checking and compiling conditions) runs on every load, cached or not.

Only pack files are cached, never case files (case data stays off the disk). Files with any
diagnostic are parsed every time, so every error is reported from the source. The cache is an
optimisation only: an unreadable, corrupt or unwritable cache is ignored.

``DINGDIAN_RULES_CACHE`` sets the folder; ``off`` (or an empty value) disables the cache. The
default is the user's cache folder (``platformdirs.user_cache_dir("dingdian-rules")``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs
import yaml

ENV = "DINGDIAN_RULES_CACHE"
FORMAT = 1
MAX_ENTRIES = 512  # older entries are pruned when a new one is written
PRUNE_EVERY = 64  # writes between prunes: listing the folder on every write would cost more than the write
_SUFFIX = ".yamlc"


def _salt() -> bytes:
    """What a parse depends on besides the file: the code of the YAML reader and of this cache
    (hashed, so an edited checkout never reads entries written by older code) and PyYAML's version."""
    code = hashlib.sha256()
    for name in ("yamlio.py", "parsecache.py"):
        try:
            code.update(Path(__file__).with_name(name).read_bytes())
        except OSError:  # pragma: no cover - zipped or stripped installs: fall back to the version
            code.update(_version().encode())
    return f"{code.hexdigest()}; pyyaml {yaml.__version__}; format {FORMAT}\0".encode()


def _version() -> str:
    try:
        return metadata.version("dingdian-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "source"


_SALT = _salt()


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    value = os.environ.get(ENV)
    if value is None:
        return Path(platformdirs.user_cache_dir("dingdian-rules", appauthor=False)) / "parsed"
    if value.strip().lower() in ("", "off", "0", "false", "no"):
        return None
    return Path(value)


def _entry(folder: Path, raw: bytes) -> Path:
    return folder / (hashlib.sha256(_SALT + raw).hexdigest() + _SUFFIX)


def fetch(raw: bytes) -> tuple[Any, dict, dict] | None:
    """(data, value spots, key spots) stored for a file with exactly these bytes, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        blob = _entry(folder, raw).read_bytes()
        fmt, data, spots, key_spots = marshal.loads(blob)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if fmt != FORMAT or not isinstance(spots, dict) or not isinstance(key_spots, dict):
        return None
    return data, spots, key_spots


_stores = 0


def store(raw: bytes, data: Any, spots: dict, key_spots: dict) -> None:
    """Write an entry atomically (a reader sees the whole entry or none); never raises."""
    global _stores
    folder = cache_dir()
    if folder is None:
        return
    entry = _entry(folder, raw)
    tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        blob = marshal.dumps((FORMAT, data, spots, key_spots))
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
    """Keep the newest MAX_ENTRIES entries; drop temporary files a crashed writer left behind."""
    for tmp in folder.glob("*.tmp"):
        if time.time() - tmp.stat().st_mtime > 3600:
            tmp.unlink(missing_ok=True)
    entries = list(folder.glob("*" + _SUFFIX))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)
