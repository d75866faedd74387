"""The on-disk cache of resolved packs (packs/pack_cache.py): a hit answers exactly as a load from
the files, and any change to a file of the chain, a corrupt entry or another key is a miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.scenarios import _case, load_scenario_file, scenario_files
from dingdian_rules.evaluation.evaluate import evaluate
from dingdian_rules.packs import loader, pack_cache
from dingdian_rules.packs.finding import bundled_root, is_path_ref

from decision_ids import mask_ids, without_ids

ROOT = Path(__file__).resolve().parents[1]
TIME = dr.YearArrangement(2027, holidays=frozenset({date(2027, 1, 1)}), makeup_workdays=frozenset(), source="test")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache folder for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DINGDIAN_RULES_CACHE", str(folder))
    return folder


def _roots(search=()):
    return [Path(s) for s in search] + [bundled_root()]


def _uncached(ref, search=(), holidays=(), store=True):
    """A load from the files that stores what it resolved (as a process's first load does)."""
    pack, diags = loader._load(ref, tuple(search), tuple(holidays), store=store)
    assert pack is not None, [d.format() for d in diags]
    return pack


def _cached(ref, search=(), holidays=()):
    return pack_cache.fetch(ref, _roots(search), is_path_ref(ref), tuple(holidays))


def _decision_json(pack, case, question, as_of):
    return without_ids(evaluate(pack, case, question, as_of=as_of).to_dict())


@pytest.mark.parametrize("pack_id", dr.bundled_pack_ids())
def test_every_bundled_scenario_decides_the_same_from_the_cache(pack_id, cache):
    for other in dr.bundled_pack_ids():  # conditions shared with packs already evaluated are stored too
        evaluate(_uncached(other, store=False), {"institution": {"type": "clinic"}}, "application",
                 as_of=date(2025, 6, 1))
    fresh = _uncached(pack_id)
    hit = _cached(pack_id)
    assert hit is not None and hit is not fresh
    assert (hit.fingerprint, hit.content_fingerprint) == (fresh.fingerprint, fresh.content_fingerprint)
    assert hit.warnings == fresh.warnings
    count, files = 0, scenario_files(bundled_root() / pack_id)
    for path in files:
        cases, _ = load_scenario_file(path)
        for item in cases:
            s = item.scenario
            case = _case(item)
            for traced in (True, False):
                a = evaluate(fresh, case, s.question, as_of=s.as_of, trace=traced).to_dict()
                b = evaluate(hit, case, s.question, as_of=s.as_of, trace=traced).to_dict()
                assert without_ids(b) == without_ids(a), f"{path.name}: {s.name}"
            count += 1
    assert count > 0 or not files


def _copy_chain(tmp_path, leaf="guangdong_foshan"):
    """A copy of a bundled chain (the leaf and its ancestors) in a folder of its own."""
    root = tmp_path / "packs"
    pid = leaf
    while pid:
        shutil.copytree(bundled_root() / pid, root / pid, ignore=shutil.ignore_patterns("tests"))
        text = (root / pid / "pack.yaml").read_text(encoding="utf-8")
        parent = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("extends:")), None)
        pid = None if parent in (None, "", "null", "~") else parent
    return root / leaf


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copied_chain_is_served_from_the_cache_until_a_file_changes(tmp_path, cache):
    leaf = _copy_chain(tmp_path)
    fresh = _uncached(leaf)
    assert _cached(leaf) is not None
    assert _cached(leaf).fingerprint == fresh.fingerprint


# Each edit changes what the pack says (a note, a quote's source, a parameter): a hit after it
# would answer from the old files.
EDITS = {
    "leaf rule file": lambda leaf: _append(next((leaf / "rules").glob("*.yaml")), "\n# edited\n"),
    "leaf pack.yaml": lambda leaf: _append(leaf / "pack.yaml", "\n# edited\n"),
    "parent's pack.yaml": lambda leaf: _append(leaf.parent / "guangdong" / "pack.yaml", "\n# edited\n"),
    "root's rule file": lambda leaf: _append(next((leaf.parent / "national" / "rules").glob("*.yaml")), "\n# x\n"),
    "root's pack.yaml": lambda leaf: _append(leaf.parent / "national" / "pack.yaml", "\n# edited\n"),
    "root's source text": lambda leaf: _append(next((leaf.parent / "national" / "sources").glob("*.txt")), "\n"),
    "a rule file added": lambda leaf: (leaf.parent / "national" / "rules" / "zz_extra.yaml").write_text(
        "rules: []\n", encoding="utf-8"),
    "a rule file removed": lambda leaf: _remove_unused_rule_file(leaf.parent / "national"),
}


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def _remove_unused_rule_file(pack: Path) -> None:
    # replaced by an identical file under another name: same rules, different listing
    src = pack / "rules" / "measures.yaml"
    src.rename(pack / "rules" / "measures_renamed.yaml")


@pytest.mark.parametrize("what", sorted(EDITS))
def test_editing_any_file_of_the_chain_is_a_miss(what, tmp_path, cache):
    leaf = _copy_chain(tmp_path)
    _uncached(leaf)
    assert _cached(leaf) is not None
    EDITS[what](leaf)
    assert _cached(leaf) is None


def test_a_changed_parameter_is_answered_from_the_files(tmp_path, cache):
    """End to end through load_pack: the edited value reaches the decision, never the cached one."""
    leaf = _copy_chain(tmp_path, "national")
    before = _uncached(leaf)
    assert before.parameters["materials_notice_period"].value == 5
    assert _cached(leaf) is not None
    _edit(leaf / "rules" / "parameters.yaml", "value: 5\n    unit: working_days\n    citation: {document: nhsa_order_2, article: 8,",
          "value: 6\n    unit: working_days\n    citation: {document: nhsa_order_2, article: 8,")
    assert _cached(leaf) is None
    monkey = loader._consult_disk
    try:
        loader._consult_disk = True
        with pytest.raises(dr.PackError):  # 6 is not in the quote: reported from the files
            loader.load_pack(leaf)
    finally:
        loader._consult_disk = monkey


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "other key", "not mine"])
def test_a_damaged_or_foreign_entry_is_ignored(damage, tmp_path, cache):
    leaf = _copy_chain(tmp_path, "national")
    fresh = _uncached(leaf)
    (entry,) = list(cache.glob("*.packc"))
    blob = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flipped":
        entry.write_bytes(blob[:-10] + bytes([blob[-10] ^ 1]) + blob[-9:])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "other key":  # an entry renamed to another pack's key
        other = _copy_chain(tmp_path / "b", "national")
        _uncached(other, store=True)
        (entry2,) = [p for p in cache.glob("*.packc") if p != entry]
        entry.replace(entry2)
        assert _cached(other) is None
        return
    else:
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            pytest.skip("needs root to make a file another user owns")
        os.chown(entry, 12345, 12345)
    assert _cached(leaf) is None
    # and a load still answers, from the files
    loader._consult_disk, saved = True, loader._consult_disk
    try:
        assert loader.load_pack(leaf).fingerprint == fresh.fingerprint
    finally:
        loader._consult_disk = saved


def test_a_forged_entry_cannot_name_a_function(tmp_path, cache):
    """Unpickling admits only the classes a pack is made of: an entry whose pack is a call of
    any other function is refused, whatever its checksums say."""
    import hashlib
    import marshal
    leaf = _copy_chain(tmp_path, "national")
    _uncached(leaf)
    (entry,) = list(cache.glob("*.packc"))
    blob = entry.read_bytes()
    n = len(pack_cache._MAGIC)
    key, payload = blob[n:n + 32], blob[pack_cache._HEADER:]
    size = int.from_bytes(payload[:4], "little")
    manifest = marshal.loads(payload[4:4 + size])
    evil = b"cos\nsystem\n(S'true'\ntR."  # os.system('true'), protocol 0
    new = payload[:4 + size] + evil
    entry.write_bytes(b"".join((pack_cache._MAGIC, key, hashlib.sha256(new).digest(), new)))
    assert manifest and _cached(leaf) is None


def test_holidays_and_search_folders_are_part_of_the_key(tmp_path, cache):
    leaf = _copy_chain(tmp_path, "national")
    _uncached(leaf)
    assert _cached(leaf, holidays=[TIME]) is None
    with_days = _uncached(leaf, holidays=[TIME])
    hit = _cached(leaf, holidays=[TIME])
    assert hit is not None and hit.fingerprint == with_days.fingerprint
    assert _cached(leaf).fingerprint != with_days.fingerprint


def test_off_disables_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DINGDIAN_RULES_CACHE", "off")
    leaf = _copy_chain(tmp_path, "national")
    _uncached(leaf)
    assert _cached(leaf) is None


def _cli(args, env_cache):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DINGDIAN_RULES_CACHE": str(env_cache)}
    out = subprocess.run([sys.executable, "-m", "dingdian_rules", *args], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_cli_answers_byte_for_byte_the_same_cold_and_warm(tmp_path):
    """Three processes: the first loads from the files and fills the cache, the second is served
    from it, the third runs with the cache off; the JSON answers are the same but for each
    decision's own id and time."""
    args = ["evaluate", "--pack", "guangdong_foshan", "examples/application_clinic.yaml", "--as-of", "2025-06-01",
            "--format", "json"]
    folder = tmp_path / "c"
    cold = _cli(args, folder)
    assert list(folder.glob("*.packc"))
    warm = _cli(args, folder)
    off = _cli(args, "off")
    assert mask_ids(warm) == mask_ids(cold) == mask_ids(off)
    assert json.loads(cold)["decisions"]
