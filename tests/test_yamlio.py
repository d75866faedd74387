"""Tests for the location-recording safe YAML loader and the pydantic diagnostics bridge."""

from __future__ import annotations

import datetime
import enum
import time
from pathlib import Path
from typing import Literal, Optional, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dingdian_rules.errors import Location
from dingdian_rules.reading.pydantic_errors import pydantic_diagnostics
from dingdian_rules.reading.yaml_doc import YamlDoc, format_path
from dingdian_rules.reading.yaml_reader import load_yaml, load_yaml_file

FIXTURES = Path(__file__).parent / "fixtures" / "yamlio"


def ok(text: str, **kw) -> YamlDoc:
    doc, diags = load_yaml(text, "t.yaml", **kw)
    assert doc is not None, [d.format() for d in diags]
    assert diags == []
    return doc


def fails(text: str, **kw) -> list[tuple[str, int, int]]:
    doc, diags = load_yaml(text, "t.yaml", **kw)
    assert doc is None and diags
    return [(d.code, d.location.line, d.location.column) for d in diags]


def fixture(name: str, **kw):
    doc, diags = load_yaml_file(FIXTURES / name, **kw)
    assert doc is None, "callers never get partial data on error"
    assert all(d.location is not None and d.location.file == str(FIXTURES / name) for d in diags)
    assert all(d.hint for d in diags)
    return [(d.code, d.location.line, d.location.column) for d in diags], diags


# ---- scalars -------------------------------------------------------------------------------

def test_good_fixture_values_and_scalar_resolution():
    doc, diags = load_yaml_file(FIXTURES / "good.yaml")
    assert diags == [] and doc is not None
    rule = doc.data["rules"][0]
    assert rule["tags"] == ["yes", "no", "on", "off", "y", "n"]  # YAML 1.1 booleans stay strings
    assert rule["effective"] == "2024-01-01"  # dates are not converted
    assert rule["code"] == "010"  # leading zero: kept as text, never octal or 10
    assert rule["count"] == -12 and rule["ratio"] == 0.5 and rule["flag"] is True
    assert rule["nothing"] is None and rule["empty"] is None
    assert rule["quoted"] == "true" and rule["time"] == "12:30"
    assert rule["12"] == "quoted key" and rule["13"] == "plain int key"  # keys are always text
    assert rule["citation"]["quote"] == "第三条"


@pytest.mark.parametrize("text, value", [
    ("true", True), ("False", False), ("TRUE", True), ("yes", "yes"), ("No", "No"), ("on", "on"),
    ("null", None), ("~", None), ("", None), ("0", 0), ("+5", 5), ("-7", -7), ("007", "007"),
    ("1.5", 1.5), ("-.5", -0.5), ("1e3", 1000.0), (".inf", float("inf")), ("0x1F", "0x1F"),
    ("1_000", "1_000"), ("2024-01-01T10:00:00", "2024-01-01T10:00:00"), ("'12'", "12"),
    ('"null"', "null"), ("|\n  text\n", "text\n"), ("!!str 12", "12"), ("!!int '12'", 12),
    ("!!float 1", 1.0), ("1.2.3", "1.2.3"),
])
def test_scalar_resolution(text, value):
    assert ok(f"v: {text}").data["v"] == value


def test_nested_locations_three_levels_down():
    doc = ok("name: p\nrules:\n  - id: r1\n  - id: r2\n    citation:\n      quote: hello\n")
    assert doc.locate(("rules", 1, "citation", "quote")) == Location("t.yaml", 6, 14)
    assert doc.locate_key(("rules", 1, "citation", "quote")) == Location("t.yaml", 6, 7)
    assert doc.locate(("rules", 1)) == Location("t.yaml", 4, 5)
    assert doc.locate_key(("rules", 1, "citation")) == Location("t.yaml", 5, 5)
    # absent nodes fall back to the deepest existing prefix; never raises
    assert doc.locate(("rules", 1, "citation", "nope", 3)) == Location("t.yaml", 6, 7)
    assert doc.locate(("zzz",)) == Location("t.yaml", 1, 1)
    assert doc.locate_key(("rules", 9)) == doc.locate(("rules",))


def test_format_path():
    assert format_path(("rules", 3, "citation", "quote")) == "rules[3].citation.quote"
    assert format_path((0, "a")) == "[0].a"
    assert format_path(()) == ""
    assert format_path(("a", "b.c", "定点")) == 'a["b.c"].定点'


# ---- file-level errors (one fixture each) ----------------------------------------------------

def test_yaml_syntax():
    where, diags = fixture("yaml-syntax.yaml")
    assert where == [("yaml-syntax", 6, 15)]
    assert "mapping values" in diags[0].message and "quote" in diags[0].hint


def test_duplicate_keys_all_reported():
    where, diags = fixture("duplicate-key.yaml")
    assert where == [("duplicate-key", 5, 5), ("duplicate-key", 7, 1)]
    assert "line 3" in diags[0].hint and diags[0].path == "rules[0].id"
    assert "line 1" in diags[1].hint


def test_alias_bomb_refused_quickly():
    start = time.perf_counter()
    where, diags = fixture("yaml-alias.yaml")
    assert time.perf_counter() - start < 1.0
    assert where[0] == ("yaml-alias", 3, 8)
    assert {c for c, _, _ in where} == {"yaml-alias"}
    assert len(diags) <= 25 and "more aliases" in diags[-1].message
    assert "write the value out" in diags[0].hint


def test_alias_bomb_refused_even_when_aliases_allowed():
    start = time.perf_counter()
    where, _ = fixture("yaml-alias.yaml", max_aliases=1000)
    assert time.perf_counter() - start < 2.0
    assert [c for c, _, _ in where] == ["yaml-alias"]


def test_aliases_allowed_when_asked():
    assert ok("a: &x {k: 1}\nb: *x\n", max_aliases=1).data == {"a": {"k": 1}, "b": {"k": 1}}
    assert fails("a: &x {k: 1}\nb: *x\nc: *x\n", max_aliases=1) == [("yaml-alias", 3, 4)]
    assert fails("a: &x [1, *x]\n", max_aliases=5)[0][0] == "yaml-alias"  # self-reference
    assert fails("base: {k: 1}\nrule:\n  <<: {j: 2}\n") == [("yaml-alias", 3, 3)]  # merge keys


def test_too_deep():
    where, _ = fixture("too-deep.yaml")
    assert where == [("too-deep", 65, 129)]
    assert fails("[[[[[[1]]]]]]", max_depth=5) == [("too-deep", 1, 6)]
    assert ok("[[[[[1]]]]]", max_depth=5).data == [[[[[1]]]]]
    assert fails("[" * 200_000)[0][0] == "too-deep"  # no RecursionError traceback


def test_non_string_keys():
    where, _ = fixture("non-string-key.yaml")
    assert where == [("non-string-key", 5, 9), ("non-string-key", 7, 7)]


def test_multiple_documents():
    where, _ = fixture("multiple-documents.yaml")
    assert where == [("multiple-documents", 2, 1)]


def test_empty_file():
    where, _ = fixture("empty-file.yaml")
    assert where == [("empty-file", 1, 1)]
    assert fails("---\n") == [("empty-file", 1, 1)]
    assert fails("") == [("empty-file", 1, 1)]


def test_unknown_tag_refused():
    where, diags = fixture("yaml-tag.yaml")
    assert where == [("yaml-tag", 2, 10)]
    assert "!!python/object/apply:os.system" in diags[0].message
    assert fails("a: !!int x\nb: !!timestamp 2024-01-01\nc: !custom 1\nd: !!set {a}\n") == [
        ("yaml-tag", 1, 4), ("yaml-tag", 2, 4), ("yaml-tag", 3, 4), ("yaml-tag", 4, 4)]


def test_not_utf8():
    where, diags = fixture("not-utf8.yaml")
    assert where == [("not-utf8", 2, 8)]
    assert "GBK" in diags[0].hint


def test_file_too_large(tmp_path):
    where, _ = fixture("good.yaml", max_bytes=50)
    assert where == [("file-too-large", 0, 0)]
    assert fails("a: 1\n" * 100, max_bytes=100) == [("file-too-large", 0, 0)]


def test_file_unreadable(tmp_path):
    for target in (tmp_path / "missing.yaml", tmp_path):
        doc, diags = load_yaml_file(target)
        assert doc is None and [d.code for d in diags] == ["file-unreadable"]


def test_control_character_and_bom():
    assert fails("a: 1\nb: x\x00\n") == [("yaml-syntax", 2, 5)]
    assert ok("\ufeffa: 1").locate(("a",)) == Location("t.yaml", 1, 4)


def test_syntax_errors_are_located():
    assert fails("a:\n\t- x\n") == [("yaml-syntax", 2, 1)]
    assert fails("a:\n  b: 1\n c: 2\n") == [("yaml-syntax", 3, 2)]
    doc, diags = load_yaml("a: 'open\nb: 2\n", "t.yaml")
    assert "started at line 1" in diags[0].message


# ---- pydantic bridge -----------------------------------------------------------------------

class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str
    article: int


class KindA(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["a"]
    x: int


class KindB(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["b"]
    y: str


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    status: Literal["draft", "active", "retired"]
    effective: datetime.date
    citation: Optional[Citation] = None
    color: Color = Color.RED
    by_region: dict[str, Citation] = {}
    shape: Union[KindA, KindB, None] = None
    amount: int | str = 0
    see_also: list[str] = Field(default=[], alias="seeAlso")


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    rules: list[Rule]


PACK = """\
name: demo
rules:
  - id: r1
    status: actve
    effective: 2024/01/01
    citation:
      quote: q
      artcle: 3
    color: gren
    by_region:
      bj: {quote: 1, article: 2}
    shape: {kind: a, x: q}
    amount: [1]
    seeAlsi: []
  - status: draft
    effective: 2024-01-01
"""


def bridge(text: str, model=Pack, base=()):
    doc = ok(text)
    data = doc.data
    for part in base:
        data = data[part]
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {(d.code, d.path): d for d in pydantic_diagnostics(info.value, model, doc, base)}


def test_pydantic_bridge():
    diags = bridge(PACK)
    at = {key: (d.location.line, d.location.column) for key, d in diags.items()}
    assert at == {
        ("bad-value", "rules[0].status"): (4, 13),
        ("bad-date", "rules[0].effective"): (5, 16),
        ("missing-field", "rules[0].citation.article"): (7, 7),
        ("unknown-field", "rules[0].citation.artcle"): (8, 7),
        ("bad-value", "rules[0].color"): (9, 12),
        ("type-mismatch", "rules[0].by_region.bj.quote"): (11, 19),
        ("type-mismatch", "rules[0].shape.x"): (12, 25),
        ("type-mismatch", "rules[0].amount"): (13, 13),
        ("unknown-field", "rules[0].seeAlsi"): (14, 5),
        ("missing-field", "rules[1].id"): (15, 5),
    }
    assert diags["unknown-field", "rules[0].citation.artcle"].hint == "did you mean 'article'?"
    assert diags["unknown-field", "rules[0].seeAlsi"].hint == "did you mean 'seeAlso'?"
    assert diags["missing-field", "rules[1].id"].hint == "add `id: ...`"
    assert diags["bad-date", "rules[0].effective"].hint == "write dates as YYYY-MM-DD: 2024-01-01"
    assert diags["bad-value", "rules[0].status"].hint == "did you mean 'active'?"
    assert diags["bad-value", "rules[0].color"].hint == "did you mean 'green'?"
    assert diags["type-mismatch", "rules[0].by_region.bj.quote"].message == "expected text, got 1"
    # union noise: only the closest branch (KindA) is reported, and int | str collapses to one error
    assert diags["type-mismatch", "rules[0].shape.x"].message == "expected an integer, got 'q'"
    assert diags["type-mismatch", "rules[0].amount"].message == "expected an integer or text, got [1]"
    assert all(d.location.file == "t.yaml" for d in diags.values())


def test_unknown_field_without_close_match_lists_allowed_fields():
    diags = bridge("name: p\nrules: []\nzzzz: 1\n")
    d = diags["unknown-field", "zzzz"]
    assert (d.location.line, d.location.column) == (3, 1)
    assert d.hint == "allowed fields: name, rules"


def test_bad_value_without_close_match_lists_allowed_values():
    d = bridge("id: r\nstatus: xyz\neffective: 2024-01-01\n", model=Rule)["bad-value", "status"]
    assert d.hint == "allowed values: draft, active, retired"


def test_bridge_with_base_path():
    text = "meta: {}\npack:\n  name: p\n  rules:\n    - id: r\n      status: draft\n      effective: 2024-02-30\n"
    diags = bridge(text, base=("pack",))
    d = diags["bad-date", "pack.rules[0].effective"]
    assert (d.location.line, d.location.column) == (7, 18)


def test_bridge_type_errors_and_root_mismatch():
    diags = bridge("- 1\n", model=Pack)
    d = diags["type-mismatch", ""]
    assert d.message == "expected a mapping, got [1]" and d.location == Location("t.yaml", 1, 1)
