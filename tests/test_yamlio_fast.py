"""The libyaml event fast path gives exactly what the checking loader gives: the same values, the
same value and key locations, and it hands everything unusual to the checking loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dingdian_rules.reading import yaml_reader as yamlio
from dingdian_rules.reading.yaml_doc import YamlDoc

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("rulepacks", "examples", "tests") for p in (ROOT / d).rglob("*.yaml"))

pytestmark = pytest.mark.skipif(yamlio._CParser is None, reason="PyYAML built without libyaml")


def checked(text: str, file: str = "f.yaml") -> tuple[YamlDoc | None, list]:
    """The checking (pure-Python) loader alone: the reference the fast path must equal."""
    saved, yamlio._CParser = yamlio._CParser, None
    try:
        return yamlio.load_yaml(text, file)
    finally:
        yamlio._CParser = saved


def same_doc(fast: YamlDoc, slow: YamlDoc) -> None:
    assert fast.data == slow.data
    assert dict(fast.locations) == dict(slow.locations)
    assert dict(fast.key_locations) == dict(slow.key_locations)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_file_reads_the_same_on_both_paths(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("a fixture that is not UTF-8 on purpose; load_yaml_file reports it before parsing")
    slow, slow_diags = checked(text, str(path))
    fast, fast_diags = yamlio.load_yaml(text, str(path))
    assert fast_diags == slow_diags
    if slow is None:
        assert fast is None
    else:
        same_doc(fast, slow)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["010", "yes", "no", "on", "~", "null", "", "1e3", "12:30", "0x1F", "1_000", ".inf",
                     "TRUE", "2025-06-01", "a: b", "- x", "#", "医保定点", "line\nbreak", "  padded "]),
    st.text(max_size=12),
)
_keys = st.one_of(st.sampled_from(["id", "rules", "12", "医疗机构", "a b", "yes", "True", "010"]),
                  st.text(min_size=1, max_size=8))
_data = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(_keys, inner, max_size=4)), max_leaves=25)


@given(_data, st.sampled_from([None, False, True]), st.sampled_from([None, "'", '"', "|"]))
def test_generated_documents_read_the_same_on_both_paths(data, flow, style) -> None:
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, default_style=style, allow_unicode=True)
    slow, slow_diags = checked(text)
    fast, fast_diags = yamlio.load_yaml(text, "f.yaml")
    assert fast_diags == slow_diags
    if slow is None:
        assert fast is None
    else:
        same_doc(fast, slow)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",             # anchor and alias
    "a: !!str 1\n",                 # explicit tag
    "a: !custom 1\n",               # unknown tag
    "a: 1\na: 2\n",                 # duplicate key
    "~: 1\n",                       # null key
    "? [a]\n: 1\n",                 # collection key
    "<<: {a: 1}\n",                 # merge key
    "a: 1\n---\nb: 2\n",            # a second document
    "a: [1, 2\n",                   # syntax error
    "a: " + "[" * 40 + "]" * 40 + "\n",  # deeper than the fast path goes
])
def test_unusual_documents_are_handed_to_the_checking_loader(text: str) -> None:
    with pytest.raises(yamlio._Decline):
        yamlio._build_fast(text, "f.yaml")
    (fast, fast_diags), (slow, slow_diags) = yamlio.load_yaml(text, "f.yaml"), checked(text)
    assert fast_diags == slow_diags
    if slow is None:
        assert fast is None
    else:
        same_doc(fast, slow)


def test_quoted_empty_key_and_quoted_null_values_are_text_on_both_paths() -> None:
    text = "'': 1\nb: '~'\nc: ''\nd:\n"
    doc, diags = yamlio.load_yaml(text, "f.yaml")
    assert diags == [] and doc.data == {"": 1, "b": "~", "c": "", "d": None}
    same_doc(doc, checked(text)[0])
