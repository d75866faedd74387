"""Finding rule packs: the bundled packs' folder, a reference as path or id, and its folder.

Apart from ``chain`` (which reads and validates files) so that a warm pack cache can find a
pack's folders without importing the schema models or the YAML reader.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["bundled_pack_ids", "bundled_root", "find_folder", "find_pack", "is_path_ref"]


@lru_cache(maxsize=1)
def bundled_root() -> Path:
    """Folder of the packs shipped with the library (package data, or the repo's rulepacks/);
    cached, as the package does not move while it runs."""
    installed = resources.files("dingdian_rules") / "rulepacks"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[3] / "rulepacks"


def bundled_pack_ids() -> list[str]:
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file()) if root.is_dir() else []


def is_path_ref(ref: str | Path) -> bool:
    """Whether ``ref`` names a folder (a ``Path``, or text that is absolute, starts with ``.`` or
    ``~``, holds a path separator, or is ``pack.yaml``) rather than a pack id. Only a folder is
    looked up relative to the working directory, so an id (and every ``extends:`` parent) means
    the same pack wherever the program runs."""
    if isinstance(ref, Path):
        return True
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return (ref.startswith((".", "~")) or os.path.isabs(ref) or any(sep in ref for sep in seps)
            or ref == "pack.yaml")


def find_pack(ref: str | Path, *, search: Iterable[str | Path] = ()) -> Path | None:
    """The folder of the pack ``ref`` names (a folder written as a path, its pack.yaml, or an id
    in ``search`` or among the bundled packs), or None."""
    return find_folder(ref, [Path(s) for s in search] + [bundled_root()], is_path_ref(ref))


def find_folder(ref: str | Path, roots: Sequence[Path], as_path: bool) -> Path | None:
    """The folder of pack ``ref``: with ``as_path``, ``ref`` itself (or its pack.yaml); otherwise
    the first of ``roots`` that holds ``ref``. A pack.yaml that exists but is not a regular file
    (or is a dangling link) is found, so that reading it reports why it cannot be used."""
    if as_path:
        p = Path(ref).expanduser()
        if os.path.lexists(p / "pack.yaml"):
            return p.resolve()
        if p.name == "pack.yaml" and p.exists() and not p.is_dir():
            return p.resolve().parent
        return None
    for root in roots:
        cand = root / str(ref)
        if os.path.lexists(cand / "pack.yaml"):  # a dangling link too: never silently the next root's pack
            return cand.resolve()
    return None
