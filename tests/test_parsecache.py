"""The on-disk parse cache: a hit gives exactly the parsed file, a changed file or reader is a
miss, broken or unwritable caches are ignored, files with mistakes are never stored, and case
files never reach the disk."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.packs import loader
from dingdian_rules.reading import parse_cache as parsecache, yaml_reader as yamlio
from dingdian_rules.reading.yaml_doc import YamlDoc

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulepacks" / "national"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(parsecache.ENV, str(folder))
    loader.clear_caches()  # the per-process file cache would hide the disk cache
    yield folder
    loader.clear_caches()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yamlc")) if folder.is_dir() else []


def parse_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spy on the YAML reader: the files it actually parsed (a cache hit does not parse)."""
    seen: list[str] = []
    real = yamlio.load_yaml

    def spy(text: str, file: str, **kw):
        seen.append(file)
        return real(text, file, **kw)

    monkeypatch.setattr(yamlio, "load_yaml", spy)
    return seen


def same(a: YamlDoc, b: YamlDoc) -> None:
    assert a.data == b.data
    assert dict(a.locations) == dict(b.locations)
    assert dict(a.key_locations) == dict(b.key_locations)


def reader_modules() -> set[str]:
    """The files of reading/ that the YAML reader is made of: yaml_reader.py and every module of
    reading/ it imports (directly or through another, inside functions too), plus parse_cache.py."""
    folder = Path(parsecache.__file__).parent
    todo, seen = ["yaml_reader.py"], set()
    while todo:
        name = todo.pop()
        if name in seen or not (folder / name).is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((folder / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    todo.append(node.module.split(".")[0] + ".py")
                else:
                    todo.extend(alias.name + ".py" for alias in node.names)
    return seen | {"parse_cache.py"}


def test_the_salt_hashes_every_module_of_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse depends on the code of every module of the reader: a module left out of the salt
    (say, after a split) would let an edited reader read entries written by the old one."""
    folder = Path(parsecache.__file__).parent
    hashed: list[str] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        data = real(self)
        if self.parent == folder:
            hashed.append(self.name)
        return data

    monkeypatch.setattr(Path, "read_bytes", spy)
    parsecache._salt()
    modules = reader_modules()
    assert {"yaml_reader.py", "yaml_doc.py", "yaml_checking.py", "parse_cache.py"} <= modules
    assert sorted(modules - set(hashed)) == []


def test_a_hit_gives_exactly_the_parsed_file(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = NATIONAL / "rules" / "application.yaml"
    first, diags = yamlio.load_yaml_file(path, cache=True)
    assert diags == [] and len(entries(cache)) == 1
    parsed = parse_count(monkeypatch)
    second, diags = yamlio.load_yaml_file(path, cache=True)
    assert diags == [] and parsed == []  # read from the cache, not parsed
    same(second, first)
    assert second.locate(("rules", 3, "citation", "quote")).file == str(path)


def test_a_pack_loaded_from_the_cache_equals_one_parsed_afresh(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = dr.load_pack("qinghai_agreement")
    loader.clear_caches()
    parsed = parse_count(monkeypatch)
    cached = dr.load_pack("qinghai_agreement")
    assert parsed == []
    assert cached.fingerprint == fresh.fingerprint
    assert [r.location for r in cached.rules] == [r.location for r in fresh.rules]
    assert cached.warnings == fresh.warnings


def test_an_edited_file_is_parsed_again(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "national"
    shutil.copytree(NATIONAL, pack)
    dr.load_pack(pack)
    rules = pack / "rules" / "application.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    loader.clear_caches()
    parsed = parse_count(monkeypatch)
    dr.load_pack(pack)
    assert parsed == [str(rules)]  # only the edited file; the others are cache hits


def test_the_same_bytes_elsewhere_share_an_entry_but_report_their_own_path(cache: Path, tmp_path: Path) -> None:
    src = NATIONAL / "pack.yaml"
    copy = tmp_path / "pack.yaml"
    copy.write_bytes(src.read_bytes())
    yamlio.load_yaml_file(src, cache=True)
    doc, _ = yamlio.load_yaml_file(copy, cache=True)
    assert len(entries(cache)) == 1
    assert doc.locate(("id",)).file == str(copy)


def test_a_corrupt_entry_is_ignored_and_replaced(cache: Path) -> None:
    path = NATIONAL / "pack.yaml"
    good, _ = yamlio.load_yaml_file(path, cache=True)
    (entry,) = entries(cache)
    for junk in (b"", b"\x00garbage", entry.read_bytes()[:40]):
        entry.write_bytes(junk)
        doc, diags = yamlio.load_yaml_file(path, cache=True)
        assert diags == []
        same(doc, good)
    same(yamlio.load_yaml_file(path, cache=True)[0], good)


def test_files_with_mistakes_are_never_stored(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: a\n    id: b\n", encoding="utf-8")  # duplicate key
    for _ in range(2):
        doc, diags = yamlio.load_yaml_file(bad, cache=True)
        assert doc is None and [d.code for d in diags] == ["duplicate-key"]
    assert entries(cache) == []


def test_case_files_never_reach_the_disk(cache: Path) -> None:
    dr.load_case_file(ROOT / "examples" / "application_clinic.yaml")
    assert entries(cache) == []


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parsecache.ENV, "off")
    assert parsecache.cache_dir() is None
    loader.clear_caches()
    dr.load_pack("national")
    assert not any(tmp_path.iterdir())


def test_an_unwritable_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(parsecache.ENV, str(blocker / "cache"))  # cannot be created
    loader.clear_caches()
    assert dr.load_pack("national").id == "national"


def test_old_entries_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "MAX_ENTRIES", 3)
    monkeypatch.setattr(parsecache, "PRUNE_EVERY", 1)
    cache.mkdir()
    stale = cache / ("ab" * 32 + ".yamlc.123.tmp")  # left by a crashed writer
    stale.write_bytes(b"partial")
    os.utime(stale, (0, 0))
    for i in range(6):
        parsecache.store(f"file {i}".encode(), {"i": i}, {(): 0}, {})
    assert len(entries(cache)) == 3
    assert parsecache.fetch(b"file 5") == ({"i": 5}, {(): 0}, {})
    assert not stale.exists() and list(cache.glob("*.tmp")) == []
