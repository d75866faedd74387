"""Every quote of every bundled pack appears in its source text, and the vendored texts are the
ones received (``../shared/sources``, when that folder is beside the repository).

The loader refuses a misquote at load time; this test states the guarantee on its own, over
rules, parameters, overrides and repeals alike, so a loader change cannot silently drop it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.reading.yaml_reader import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "sources"
MARKS = re.compile(r"[\s#*\-]+")


def _norm(text: str) -> str:
    return MARKS.sub("", text)


def _citations(node, path=()):
    if isinstance(node, dict):
        if "quote" in node and "document" in node:
            yield path, node
        for k, v in node.items():
            yield from _citations(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _citations(v, path + (i,))


PACKS = dr.bundled_pack_ids()


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_quote_is_in_its_source(pack_id: str) -> None:
    pack = dr.load_pack(pack_id)
    texts = {doc_id: _norm(src.path.read_text(encoding="utf-8")) for doc_id, src in pack.sources.items()}
    folder = pack.folders[-1]
    checked, problems = 0, []
    for f in sorted((folder / "rules").glob("*.yaml")):
        doc, diags = load_yaml_file(f)
        assert doc is not None, diags
        for path, c in _citations(doc.data):
            checked += 1
            quote = _norm(str(c["quote"]))
            if not quote or quote not in texts.get(c["document"], ""):
                problems.append(f"{f.name} {path}: {c['quote'][:40]}")
    assert problems == []
    assert checked > 0 or not list((folder / "rules").glob("*.yaml"))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/sources is not beside the repository")
@pytest.mark.parametrize("pack_id", PACKS)
def test_vendored_sources_are_the_received_texts(pack_id: str) -> None:
    pack = dr.load_pack(pack_id)
    for src in pack.sources.values():
        if src.pack != pack_id:
            continue
        received = SHARED / src.path.name
        assert received.is_file(), f"{src.path.name} is not in shared/sources"
        assert src.path.read_bytes() == received.read_bytes(), f"{src.path} differs from {received}"
