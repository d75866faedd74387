"""Read a pack's chain (``extends`` up to the root) into ``RawPack`` objects.

Finding a pack's folder is in ``finding`` (re-exported here). Every file is read and
schema-checked here, through a per-process cache keyed by content; a file that fails the schema
gives what passed it (``salvage``), so the later steps still see it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

import pydantic

from . import citations
from ..errors import DiagnosticBag, Location, did_you_mean
from .finding import bundled_pack_ids, bundled_root, find_folder as _find, find_pack, is_path_ref
from .inheritance import RawFile, RawPack
from .salvage import Gaps, salvage_pack_meta, salvage_rule_file
from .rule_schema import RuleFile
from .schema import PackMeta
from ..reading.pydantic_errors import pydantic_diagnostics
from ..reading.yaml_reader import YamlDoc, load_yaml_bytes, read_file

__all__ = ["bundled_pack_ids", "bundled_root", "find_pack", "is_path_ref", "read_chain"]

MAX_CHAIN = 8


_FILES: dict[tuple, tuple] = {}


def _read_model(path: Path, model: type[pydantic.BaseModel], bag: DiagnosticBag, gaps: Gaps
                ) -> tuple[pydantic.BaseModel | None, YamlDoc | None]:
    """Read and validate one file. Results are cached per process by the file's content (path
    and SHA-256 of its bytes), so the ancestors a chain shares are parsed once per process and
    an edited file is never served stale: not even one rewritten with the same size and mtime
    (``cp -p``, ``tar x``, coarse timestamps). A file that fails the schema gives what passed it
    (``salvage``) and notes the gap in ``gaps``."""
    raw, diags = read_file(path)
    if raw is None:
        bag.extend(diags)
        gaps.skipped = gaps.opaque = True
        return None, None
    key = (str(path), hashlib.sha256(raw).digest(), model)  # folders come resolved from _find
    hit = _FILES.get(key)
    if hit is not None:
        value, doc, diags, file_gaps = hit
        bag.extend(diags)
        gaps.add(file_gaps)
        return value, doc
    sub, file_gaps = DiagnosticBag(), Gaps()
    value, doc = _read_model_uncached(path, raw, model, sub, file_gaps)
    bag.extend(sub.items)
    gaps.add(file_gaps)
    if len(_FILES) > 2_000:
        _FILES.clear()
    _FILES[key] = (value, doc, tuple(sub.items), file_gaps)
    return value, doc


def _read_model_uncached(path: Path, raw: bytes, model: type[pydantic.BaseModel], bag: DiagnosticBag, gaps: Gaps
                         ) -> tuple[pydantic.BaseModel | None, YamlDoc | None]:
    doc, diags = load_yaml_bytes(raw, str(path), cache=True)
    bag.extend(diags)
    if doc is None:
        gaps.skipped = gaps.opaque = True
        return None, None
    if not isinstance(doc.data, dict):
        bag.error("not-a-mapping", f"{path.name} must be a mapping of keys to values", doc.locate(()), "",
                  "start the file with keys such as `id:` or `rules:`")
        gaps.skipped = gaps.opaque = True
        return None, doc
    try:
        return model.model_validate(doc.data), doc
    except pydantic.ValidationError as exc:
        bag.extend(pydantic_diagnostics(exc, model, doc))
        if model is RuleFile:
            return salvage_rule_file(doc.data, exc, gaps), doc
        if model is PackMeta:
            return salvage_pack_meta(doc.data, exc, path.parent, gaps), doc
        gaps.skipped = gaps.opaque = True
        return None, doc


def _read_pack(folder: Path, bag: DiagnosticBag, gaps: Gaps) -> RawPack | None:
    meta, meta_doc = _read_model(folder / "pack.yaml", PackMeta, bag, gaps)
    if meta is None or meta_doc is None:  # still read the rule files, so all their mistakes are reported
        for p in sorted((folder / "rules").glob("*.yaml")):
            _read_model(p, RuleFile, bag, gaps)
        return None
    assert isinstance(meta, PackMeta)
    if meta.id != folder.name:
        bag.warning("pack-id-folder", f"pack id '{meta.id}' differs from its folder name '{folder.name}'",
                    meta_doc.locate(("id",)), "id", "name the folder after the pack id so `extends` finds it")
    if meta.rule_files:
        paths = []
        for i, name in enumerate(meta.rule_files):
            if name is None:  # failed the schema: reported
                continue
            if not (folder / name).exists():
                bag.error("file-missing", f"rule file '{name}' does not exist", meta_doc.locate(("rule_files", i)),
                          f"rule_files[{i}]")
            else:
                paths.append(folder / name)  # one that is not a regular file is refused when read
    else:
        paths = sorted((folder / "rules").glob("*.yaml"))
    files: list[RawFile] = []
    for p in paths:
        content, doc = _read_model(p, RuleFile, bag, gaps)
        if content is not None and doc is not None:
            assert isinstance(content, RuleFile)
            files.append(RawFile(p, content, doc))
    return RawPack(folder, meta, meta_doc, files)


def _closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate a mistyped pack name meant: one whose ``_``-separated words include the name
    (``foshan`` for ``guangdong_foshan``: ids put the province first), else the nearest spelling."""
    by_word = [c for c in candidates if name and name in c.split("_")]
    if len(by_word) == 1:
        return by_word[0]
    hint = did_you_mean(name, candidates)
    return hint.split("'")[1] if hint else None


def _as_written(path: Path) -> str:
    """A path below the working directory as ``./a/b`` (how a user types it), else as it is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if rel.startswith("..") else "./" + rel


def _not_found_hint(ref: str | Path, as_path: bool, known: Sequence[str]) -> str:
    """Name the pack that was meant: for a folder, a pack folder beside it (written as a path, as
    the user wrote theirs), else a bundled id; otherwise list the bundled ids."""
    name = Path(ref).name if as_path else str(ref)
    if as_path:
        parent = Path(ref).parent
        siblings = sorted(d.name for d in parent.iterdir() if (d / "pack.yaml").is_file()) if parent.is_dir() else []
        near = _closest(name, siblings)
        if near:
            return f"did you mean '{_as_written(parent / near)}'?"
    near = _closest(name, known)
    if near:
        return f"did you mean the bundled pack '{near}'?" if as_path else f"did you mean '{near}'?"
    return f"bundled packs: {', '.join(known)}"


def read_chain(ref: str | Path, search: Sequence[Path], bag: DiagnosticBag, gaps: Gaps | None = None
               ) -> list[RawPack]:
    """Read the pack and its ancestors, root first; report missing parents and cycles. What
    failed the schema is left out and noted in ``gaps``; a chain that cannot be followed
    (a parent not found or unreadable) is empty.

    ``ref`` is a folder when written as a path (``is_path_ref``), else an id looked up in the
    ``search`` folders, then among the bundled packs; a parent is looked up beside its child,
    then the same way. The working directory is never searched for an id."""
    gaps = gaps if gaps is not None else Gaps()
    citations.source_bytes_at.cache_clear()  # each load reads the source texts afresh
    roots = list(search) + [bundled_root()]
    as_path = is_path_ref(ref)
    folder = _find(ref, roots, as_path)
    if folder is None:
        known = bundled_pack_ids()
        where = "no pack.yaml there" if as_path else "no bundled pack has that id"
        hint = _not_found_hint(ref, as_path, known)
        if not as_path and (Path(ref) / "pack.yaml").exists():
            hint = f"a pack id never means a folder of the working directory: to load that folder, write ./{ref}"
        elif not as_path and search:
            where = "none in the search folders, and " + where
        bag.error("pack-not-found", f"no pack '{ref}' ({where})", Location(str(ref)), "", hint)
        return []
    chain: list[RawPack] = []
    seen: list[str] = []
    while folder is not None:
        raw = _read_pack(folder, bag, gaps)
        if raw is None:
            return []
        if raw.meta.id in seen:
            bag.error("inheritance-cycle", "extends forms a cycle: " + " -> ".join(seen + [raw.meta.id]),
                      raw.meta_doc.locate(("extends",)), "extends", "a pack's ancestors must end at a root pack")
            return []
        seen.append(raw.meta.id)
        chain.append(raw)
        if len(chain) > MAX_CHAIN:  # located at the `extends:` that named one pack too many
            bag.error("inheritance-too-deep", f"more than {MAX_CHAIN} packs in one chain: " + " -> ".join(seen),
                      chain[-2].meta_doc.locate(("extends",)), "extends",
                      "flatten the chain; real chains are national → province → city → agreement")
            return []
        parent = raw.meta.extends
        if parent is None:
            break
        nxt = _find(parent, [folder.parent] + roots, False)  # beside the child, never the working directory
        if nxt is None:
            bag.error("missing-parent", f"pack '{raw.meta.id}' extends '{parent}', which is not found",
                      raw.meta_doc.locate(("extends",)), "extends",
                      did_you_mean(parent, bundled_pack_ids()) or "put the parent pack beside this one")
            return []
        folder = nxt
    chain.reverse()
    return chain
